import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SNSClient,
  CreateTopicCommand,
  GetTopicAttributesCommand,
  SetTopicAttributesCommand,
  ListTopicsCommand,
  DeleteTopicCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsForResourceCommand,
  SubscribeCommand,
  ConfirmSubscriptionCommand,
  UnsubscribeCommand,
  ListSubscriptionsCommand,
  ListSubscriptionsByTopicCommand,
  GetSubscriptionAttributesCommand,
  SetSubscriptionAttributesCommand,
  PublishCommand,
  PublishBatchCommand,
  AddPermissionCommand,
  RemovePermissionCommand,
  paginateListTopics,
  CreatePlatformApplicationCommand,
  GetPlatformApplicationAttributesCommand,
  CreatePlatformEndpointCommand,
  GetEndpointAttributesCommand,
  SetEndpointAttributesCommand,
  ListEndpointsByPlatformApplicationCommand,
  DeleteEndpointCommand,
  DeletePlatformApplicationCommand,
  ListPlatformApplicationsCommand,
  SetSMSAttributesCommand,
  GetSMSAttributesCommand,
  CheckIfPhoneNumberIsOptedOutCommand,
  GetSMSSandboxAccountStatusCommand,
  CreateSMSSandboxPhoneNumberCommand,
  VerifySMSSandboxPhoneNumberCommand,
  ListSMSSandboxPhoneNumbersCommand,
  DeleteSMSSandboxPhoneNumberCommand,
} from '@aws-sdk/client-sns';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverForFile, startServer, clientConfig } from '../helpers.js';

let sns: SNSClient;
const nimbus = serverForFile(async () => {
  sns = new SNSClient(clientConfig(nimbus.url));
});

const ACCOUNT = '000000000000';
const arnOf = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;

async function rejects(p: Promise<unknown>, name: string, message: string | RegExp, status?: number) {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    if (status) assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

async function outbox(query = ''): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${nimbus.url}/_nimbus/sns/outbox${query}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { messages: Array<Record<string, any>> }).messages;
}

test('CreateTopic is idempotent and reports different attributes or tags on the same name', async () => {
  const a = await sns.send(
    new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' }, Tags: [{ Key: 'team', Value: 'a' }] }),
  );
  assert.equal(a.TopicArn, arnOf('orders'));
  const b = await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' } }));
  assert.equal(b.TopicArn, a.TopicArn);
  await rejects(
    sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Other' } })),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: Topic already exists with different attributes',
    400,
  );
  await rejects(
    sns.send(new CreateTopicCommand({ Name: 'orders', Tags: [{ Key: 'team', Value: 'b' }] })),
    'InvalidParameterException',
    'Invalid parameter: Tags Reason: Topic already exists with different tags',
  );
});

test('CreateTopic: invalid names and FIFO naming rules', async () => {
  await rejects(sns.send(new CreateTopicCommand({ Name: 'has space' })), 'InvalidParameterException', 'Invalid parameter: Topic Name');
  await rejects(sns.send(new CreateTopicCommand({ Name: 'x'.repeat(257) })), 'InvalidParameterException', 'Invalid parameter: Topic Name');
  await rejects(sns.send(new CreateTopicCommand({ Name: 'plain.fifo' })), 'InvalidParameterException', 'Invalid parameter: Topic Name');
  await rejects(
    sns.send(new CreateTopicCommand({ Name: 'nofifo', Attributes: { FifoTopic: 'true' } })),
    'InvalidParameterException',
    /^Invalid parameter: Fifo Topic names must end with \.fifo/,
  );
  await rejects(
    sns.send(new CreateTopicCommand({ Name: 't1', Attributes: { Bogus: 'x' } })),
    'InvalidParameterException',
    'Invalid parameter: AttributeName',
  );
  await rejects(
    sns.send(new CreateTopicCommand({ Name: 't1', Attributes: { ContentBasedDeduplication: 'true' } })),
    'InvalidParameterException',
    /ContentBasedDeduplication/,
  );
  const fifo = await sns.send(
    new CreateTopicCommand({ Name: 'events.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }),
  );
  const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: fifo.TopicArn }));
  assert.equal(Attributes?.FifoTopic, 'true');
  assert.equal(Attributes?.ContentBasedDeduplication, 'true');
});

test('GetTopicAttributes: the attributes AWS reports by default; SetTopicAttributes changes them', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'attrs' }));
  const { Attributes: a } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(a?.TopicArn, TopicArn);
  assert.equal(a?.Owner, ACCOUNT);
  assert.equal(a?.DisplayName, '');
  assert.equal(a?.SubscriptionsConfirmed, '0');
  assert.equal(a?.SubscriptionsPending, '0');
  assert.equal(a?.SubscriptionsDeleted, '0');
  assert.equal(a?.FifoTopic, undefined);
  const policy = JSON.parse(a!.Policy!);
  assert.equal(policy.Statement[0].Resource, TopicArn);
  assert.equal(JSON.parse(a!.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 3);

  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DisplayName', AttributeValue: 'Shown' }));
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'KmsMasterKeyId', AttributeValue: 'alias/aws/sns' }));
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn,
      AttributeName: 'DeliveryPolicy',
      AttributeValue: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 10 } } }),
    }),
  );
  const { Attributes: b } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
  assert.equal(b?.DisplayName, 'Shown');
  assert.equal(b?.KmsMasterKeyId, 'alias/aws/sns');
  assert.equal(JSON.parse(b!.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 5);
  await rejects(
    sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: '{nope' })),
    'InvalidParameterException',
    /Policy/,
  );
  await rejects(
    sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'FifoTopic', AttributeValue: 'true' })),
    'InvalidParameterException',
    'Invalid parameter: AttributeName',
  );
});

test('missing topics are NotFound (404); malformed ARNs are InvalidParameter', async () => {
  await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf('ghost') })), 'NotFoundException', 'Topic does not exist', 404);
  await rejects(sns.send(new PublishCommand({ TopicArn: arnOf('ghost'), Message: 'x' })), 'NotFoundException', 'Topic does not exist', 404);
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn: arnOf('ghost'), Protocol: 'email', Endpoint: 'a@b.c' })),
    'NotFoundException',
    'Topic does not exist',
  );
  await rejects(
    sns.send(new GetTopicAttributesCommand({ TopicArn: 'not-an-arn' })),
    'InvalidParameterException',
    'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1',
  );
  await rejects(
    sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: `${arnOf('x')}:0b8d6c1c-1111-2222-3333-444455556666` })),
    'NotFoundException',
    'Subscription does not exist',
  );
  // deleting a topic that does not exist is not an error
  await sns.send(new DeleteTopicCommand({ TopicArn: arnOf('ghost') }));
});

test('ListTopics pages by 100 with NextToken; DeleteTopic removes the topic and its subscriptions', async () => {
  const names = Array.from({ length: 105 }, (_, i) => `page-${String(i).padStart(3, '0')}`);
  for (const Name of names) await sns.send(new CreateTopicCommand({ Name }));
  const first = await sns.send(new ListTopicsCommand({}));
  assert.equal(first.Topics?.length, 100);
  assert.ok(first.NextToken);
  const all: string[] = [];
  for await (const page of paginateListTopics({ client: sns }, {})) all.push(...(page.Topics ?? []).map((t) => t.TopicArn!));
  for (const n of names) assert.ok(all.includes(arnOf(n)), n);
  assert.equal(new Set(all).size, all.length);

  await sns.send(new SubscribeCommand({ TopicArn: arnOf('page-000'), Protocol: 'sms', Endpoint: '+15555550100' }));
  await sns.send(new DeleteTopicCommand({ TopicArn: arnOf('page-000') }));
  const after = await sns.send(new ListSubscriptionsCommand({}));
  assert.ok(!after.Subscriptions?.some((s) => s.TopicArn === arnOf('page-000')));
  await rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf('page-000') })), 'NotFoundException', 'Topic does not exist');
  await rejects(sns.send(new ListTopicsCommand({ NextToken: '!!' })), 'InvalidParameterException', 'Invalid parameter: NextToken');
});

test('tags: TagResource, UntagResource, ListTagsForResource; a missing topic is ResourceNotFound', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'tagged', Tags: [{ Key: 'a', Value: '1' }] }));
  await sns.send(
    new TagResourceCommand({
      ResourceArn: TopicArn,
      Tags: [
        { Key: 'b', Value: '2' },
        { Key: 'a', Value: '3' },
      ],
    }),
  );
  let { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }));
  assert.deepEqual(Tags, [
    { Key: 'a', Value: '3' },
    { Key: 'b', Value: '2' },
  ]);
  await sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['a'] }));
  ({ Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn })));
  assert.deepEqual(Tags, [{ Key: 'b', Value: '2' }]);
  await rejects(
    sns.send(
      new TagResourceCommand({
        ResourceArn: TopicArn,
        Tags: [
          { Key: 'k', Value: '1' },
          { Key: 'k', Value: '2' },
        ],
      }),
    ),
    'InvalidParameterException',
    'Invalid parameter: Duplicated keys are not allowed.',
  );
  await rejects(
    sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) })),
    'TagLimitExceededException',
    /tag quota/,
  );
  await rejects(
    sns.send(new ListTagsForResourceCommand({ ResourceArn: arnOf('ghost') })),
    'ResourceNotFoundException',
    'Resource does not exist',
    404,
  );
});

test('AddPermission and RemovePermission edit the topic policy', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'perm' }));
  await sns.send(new AddPermissionCommand({ TopicArn, Label: 'share', AWSAccountId: ['111122223333'], ActionName: ['Publish'] }));
  let policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.Policy!);
  assert.deepEqual(policy.Statement[1], {
    Sid: 'share',
    Effect: 'Allow',
    Principal: { AWS: 'arn:aws:iam::111122223333:root' },
    Action: 'SNS:Publish',
    Resource: TopicArn,
  });
  await rejects(
    sns.send(new AddPermissionCommand({ TopicArn, Label: 'share', AWSAccountId: ['111122223333'], ActionName: ['Publish'] })),
    'InvalidParameterException',
    'Invalid parameter: Statement already exists',
  );
  await sns.send(new RemovePermissionCommand({ TopicArn, Label: 'share' }));
  policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!.Policy!);
  assert.equal(policy.Statement.length, 1);
});

test('email subscriptions wait for confirmation: the token is in the outbox, ConfirmSubscription confirms', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'mail' }));
  const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com' }));
  assert.equal(sub.SubscriptionArn, 'pending confirmation');
  const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
  assert.equal(listed.Subscriptions?.[0].SubscriptionArn, 'PendingConfirmation');
  assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.SubscriptionsPending, '1');

  const [confirmation] = await outbox(`?endpoint=ops@example.com&type=SubscriptionConfirmation`);
  assert.equal(confirmation.protocol, 'email');
  assert.match(confirmation.token, /^[0-9a-f]{288}$/);
  assert.match(confirmation.message, /You have chosen to subscribe to the topic/);
  // nothing is delivered while pending
  await sns.send(new PublishCommand({ TopicArn, Message: 'early' }));
  assert.equal((await outbox('?endpoint=ops@example.com&type=Notification')).length, 0);

  await rejects(
    sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: 'deadbeef' })),
    'InvalidParameterException',
    'Invalid parameter: Token',
  );
  const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: confirmation.token }));
  assert.match(confirmed.SubscriptionArn!, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
  const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: confirmed.SubscriptionArn }))).Attributes!;
  assert.equal(attrs.PendingConfirmation, 'false');
  assert.equal(attrs.Protocol, 'email');

  await sns.send(new PublishCommand({ TopicArn, Message: 'hello mail', Subject: 'Greetings' }));
  const [mail] = await outbox('?endpoint=ops@example.com&type=Notification');
  assert.equal(mail.message, 'hello mail');
  assert.equal(mail.subject, 'Greetings');
  assert.equal(mail.subscriptionArn, confirmed.SubscriptionArn);

  // the SubscribeURL itself confirms too (a plain GET, as a mail reader would follow it)
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email-json', Endpoint: 'json@example.com' }));
  const [c2] = await outbox('?endpoint=json@example.com');
  const res = await fetch(c2.subscribeUrl.replace(/^http:\/\/[^/]+/, nimbus.url));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:/);
  await sns.send(new PublishCommand({ TopicArn, Message: 'as json' }));
  const [j] = await outbox('?endpoint=json@example.com&type=Notification');
  assert.equal(JSON.parse(j.message).Message, 'as json');
  assert.equal(JSON.parse(j.message).Type, 'Notification');

  // confirmation tokens are valid for three days: one still works a minute before, the other not a minute after
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'in-time@example.com' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'late@example.com' }));
  const [inTime] = await outbox('?endpoint=in-time@example.com');
  const [late] = await outbox('?endpoint=late@example.com');
  const advance = async (by: string) =>
    assert.equal((await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) })).status, 200);
  await advance('4319m');
  const ontime = await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: inTime.token }));
  assert.match(ontime.SubscriptionArn!, new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
  await advance('2m');
  await rejects(
    sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: late.token })),
    'InvalidParameterException',
    'Invalid parameter: Token',
  );

  const del = await fetch(`${nimbus.url}/_nimbus/sns/outbox?endpoint=json@example.com`, { method: 'DELETE' });
  assert.equal(del.status, 204);
  assert.equal((await outbox('?endpoint=json@example.com')).length, 0);
});

test('Subscribe: protocol and endpoint checks, idempotence, attributes', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'subs' }));
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'carrier-pigeon', Endpoint: 'x' })),
    'InvalidParameterException',
    'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon',
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'https', Endpoint: 'http://example.com' })),
    'InvalidParameterException',
    'Invalid parameter: Endpoint must match the specified protocol',
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'queue' })),
    'InvalidParameterException',
    'Invalid parameter: SQS endpoint ARN',
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q.fifo' })),
    'InvalidParameterException',
    /FIFO SQS Queues can not be subscribed to standard SNS topics/,
  );
  await rejects(
    sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', Attributes: { Nope: 'x' } }),
    ),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: AttributeName',
  );
  await rejects(
    sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q',
        Attributes: { FilterPolicy: '{"a": "b"}' },
      }),
    ),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: FilterPolicy: "a" must be an object or an array',
  );
  await rejects(
    sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q',
        Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"nope"}' },
      }),
    ),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an invalid arn',
  );

  const q = 'arn:aws:sqs:us-east-1:000000000000:subs-q';
  const a = await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: q,
      Attributes: { RawMessageDelivery: 'True', FilterPolicy: '{"k":["v"]}' },
    }),
  );
  assert.match(a.SubscriptionArn!, /^arn:aws:sns:us-east-1:000000000000:subs:[0-9a-f-]{36}$/);
  const again = await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q, Attributes: { RawMessageDelivery: 'true' } }),
  );
  assert.equal(again.SubscriptionArn, a.SubscriptionArn);
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q, Attributes: { RawMessageDelivery: 'false' } })),
    'InvalidParameterException',
    'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
  );

  const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: a.SubscriptionArn }))).Attributes!;
  assert.equal(attrs.RawMessageDelivery, 'true');
  assert.equal(attrs.FilterPolicy, '{"k":["v"]}');
  assert.equal(attrs.FilterPolicyScope, 'MessageAttributes');
  assert.equal(attrs.PendingConfirmation, 'false');
  assert.equal(attrs.ConfirmationWasAuthenticated, 'true');
  assert.equal(attrs.Owner, ACCOUNT);

  const SubscriptionArn = a.SubscriptionArn;
  await sns.send(
    new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageBody' }),
  );
  await sns.send(
    new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a":{"b":["c"]}}' }),
  );
  await rejects(
    sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageAttributes' }),
    ),
    'InvalidParameterException',
    'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy',
  );
  await rejects(
    sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicyScope', AttributeValue: 'Everything' })),
    'InvalidParameterException',
    'Invalid parameter: FilterPolicyScope: Invalid value [Everything]. Please use either MessageBody or MessageAttributes',
  );
  await rejects(
    sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'maybe' })),
    'InvalidParameterException',
    'Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be true or false.',
  );
  await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '' }));
  const cleared = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
  assert.equal(cleared.FilterPolicy, undefined);

  const email = await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'x@example.com', ReturnSubscriptionArn: true }),
  );
  assert.match(email.SubscriptionArn!, /:subs:[0-9a-f-]{36}$/);
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'y@example.com', Attributes: { RawMessageDelivery: 'true' } })),
    'InvalidParameterException',
    /does not support raw message delivery/,
  );

  const all = await sns.send(new ListSubscriptionsCommand({}));
  assert.ok(
    all.Subscriptions?.some(
      (s) => s.SubscriptionArn === SubscriptionArn && s.Protocol === 'sqs' && s.Endpoint === q && s.TopicArn === TopicArn,
    ),
  );
  await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
  await sns.send(new UnsubscribeCommand({ SubscriptionArn })); // idempotent
  await rejects(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })), 'NotFoundException', 'Subscription does not exist');
  assert.equal((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.SubscriptionsDeleted, '1');
});

test('Publish: message, subject, structure and attribute validation with AWS texts', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'pub' }));
  const ok = await sns.send(new PublishCommand({ TopicArn, Message: 'hi' }));
  assert.match(ok.MessageId!, /^[0-9a-f-]{36}$/);
  assert.equal(ok.SequenceNumber, undefined);
  await rejects(sns.send(new PublishCommand({ TopicArn, Message: '' })), 'InvalidParameterException', 'Invalid parameter: Empty message');
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 'line\nbreak' })),
    'InvalidParameterException',
    'Invalid parameter: Subject',
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: 'x', Subject: 's'.repeat(100) })),
    'InvalidParameterException',
    'Invalid parameter: Subject',
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: 'x'.repeat(256 * 1024 + 1) })),
    'InvalidParameterException',
    'Invalid parameter: Message too long',
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: '{"sqs":"x"}', MessageStructure: 'json' })),
    'InvalidParameterException',
    'Invalid parameter: Message Structure - No default entry in JSON message body',
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: 'not json', MessageStructure: 'json' })),
    'InvalidParameterException',
    'Invalid parameter: Message Structure - JSON message body failed to parse',
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageDeduplicationId: 'd' })),
    'InvalidParameterException',
    'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
  );

  const attr = (name: string, v: { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }) =>
    sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageAttributes: { [name]: v } }));
  await rejects(
    attr('a', { DataType: 'Integer', StringValue: '1' }),
    'InvalidParameterValueException',
    "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
  );
  await rejects(
    attr('a', { DataType: 'Number', StringValue: 'one' }),
    'InvalidParameterValueException',
    "Could not cast message attribute 'a' value to number.",
  );
  await rejects(
    attr('a', { DataType: 'String', StringValue: '' }),
    'InvalidParameterValueException',
    "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'.",
  );
  await rejects(
    attr('a', { DataType: 'Binary', StringValue: 'x' }),
    'InvalidParameterValueException',
    "The message attribute 'a' with type 'Binary' must use field 'Binary'.",
  );
  await rejects(
    attr('.a', { DataType: 'String', StringValue: 'x' }),
    'InvalidParameterValueException',
    "Invalid message attribute name starting with character '.' was found.",
  );
  await rejects(
    attr('a..b', { DataType: 'String', StringValue: 'x' }),
    'InvalidParameterValueException',
    "Message attribute name can not have successive '.' character.",
  );
  await rejects(
    attr('a b', { DataType: 'String', StringValue: 'x' }),
    'InvalidParameterValueException',
    /Invalid non-alphanumeric character '#x20'/,
  );
  await rejects(attr('a', { DataType: 'String.Array', StringValue: 'nope' }), 'InvalidParameterValueException', /String\.Array/);
  // a missing required member: the generic validation SNS's front end answers with
  await rejects(
    sns.send(new PublishCommand({ TopicArn } as never)),
    'ValidationError',
    "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
  );
  const fine = await sns.send(
    new PublishCommand({
      TopicArn,
      Message: 'x',
      MessageAttributes: {
        s: { DataType: 'String', StringValue: 'v' },
        n: { DataType: 'Number', StringValue: '-1.5e3' },
        b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2]) },
        arr: { DataType: 'String.Array', StringValue: '["a", 1, true, null]' },
        custom: { DataType: 'String.custom', StringValue: 'c' },
      },
    }),
  );
  assert.ok(fine.MessageId);
});

test('Publish to a phone number and to a mobile endpoint: recorded in the outbox', async () => {
  const sms = await sns.send(new PublishCommand({ PhoneNumber: '+15555550123', Message: 'code 1234' }));
  const [rec] = await outbox('?protocol=sms&endpoint=%2B15555550123');
  assert.equal(rec.messageId, sms.MessageId);
  assert.equal(rec.message, 'code 1234');
  await rejects(
    sns.send(new PublishCommand({ PhoneNumber: 'abc', Message: 'x' })),
    'InvalidParameterException',
    'Invalid parameter: PhoneNumber Reason: abc is not valid to publish to',
  );
  const missing = 'arn:aws:sns:us-east-1:000000000000:endpoint/GCM/app/0b8d6c1c-1111-2222-3333-444455556666';
  await rejects(
    sns.send(new PublishCommand({ TargetArn: missing, Message: 'x' })),
    'InvalidParameterException',
    'Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified',
  );
  const { PlatformApplicationArn } = await sns.send(
    new CreatePlatformApplicationCommand({ Name: 'app', Platform: 'GCM', Attributes: { PlatformCredential: 'secret' } }),
  );
  assert.equal(PlatformApplicationArn, 'arn:aws:sns:us-east-1:000000000000:app/GCM/app');
  assert.deepEqual((await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn }))).Attributes, {
    Enabled: 'true',
  });
  const { EndpointArn: target } = await sns.send(
    new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: 'device-1', CustomUserData: 'u' }),
  );
  assert.match(target!, /^arn:aws:sns:us-east-1:000000000000:endpoint\/GCM\/app\/[0-9a-f-]{36}$/);
  const again = await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: 'device-1', CustomUserData: 'u' }));
  assert.equal(again.EndpointArn, target);
  assert.deepEqual((await sns.send(new GetEndpointAttributesCommand({ EndpointArn: target }))).Attributes, {
    Enabled: 'true',
    Token: 'device-1',
    CustomUserData: 'u',
  });
  assert.equal((await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn }))).Endpoints?.length, 1);
  await sns.send(
    new PublishCommand({
      TargetArn: target,
      Message: JSON.stringify({ default: 'd', GCM: '{"notification":{"title":"t"}}' }),
      MessageStructure: 'json',
    }),
  );
  const [push] = await outbox(`?protocol=application&endpoint=${encodeURIComponent(target!)}`);
  assert.equal(push.message, '{"notification":{"title":"t"}}');
  await sns.send(new SetEndpointAttributesCommand({ EndpointArn: target, Attributes: { Enabled: 'false' } }));
  await rejects(sns.send(new PublishCommand({ TargetArn: target, Message: 'x' })), 'EndpointDisabledException', 'Endpoint is disabled');
  await sns.send(new DeleteEndpointCommand({ EndpointArn: target }));
  assert.deepEqual((await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn }))).Endpoints, []);
  await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn }));
  assert.equal((await sns.send(new ListPlatformApplicationsCommand({}))).PlatformApplications?.length, 0);
  const topic = (await sns.send(new CreateTopicCommand({ Name: 'texts' }))).TopicArn;
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sms', Endpoint: '+15555550999' }));
  await sns.send(
    new PublishCommand({ TopicArn: topic, Message: JSON.stringify({ default: 'long text', sms: 'short' }), MessageStructure: 'json' }),
  );
  const [text] = await outbox('?protocol=sms&endpoint=%2B15555550999');
  assert.equal(text.message, 'short');
  assert.equal(text.topicArn, topic);
});

test('FIFO topics: MessageGroupId and deduplication required; SequenceNumber grows; duplicates within 5 minutes are dropped', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'ledger.fifo', Attributes: { FifoTopic: 'true' } }));
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: 'x' })),
    'InvalidParameterException',
    'Invalid parameter: The MessageGroupId parameter is required for FIFO topics',
  );
  await rejects(
    sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g' })),
    'InvalidParameterException',
    'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  );
  await rejects(
    sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'a@b.c' })),
    'InvalidParameterException',
    /protocol/,
  );
  const a = await sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
  const b = await sns.send(new PublishCommand({ TopicArn, Message: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }));
  assert.match(a.SequenceNumber!, /^\d{20}$/);
  assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!));
  const dup = await sns.send(new PublishCommand({ TopicArn, Message: 'x again', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
  assert.equal(dup.MessageId, a.MessageId);
  assert.equal((await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '6m' }) })).status, 200);
  const later = await sns.send(new PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
  assert.notEqual(later.MessageId, a.MessageId);
});

test('PublishBatch: up to 10 entries with distinct ids; AWS batch errors', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'batch' }));
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `m${i}`, Message: `body ${i}` }));
  const out = await sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries(10) }));
  assert.equal(out.Successful?.length, 10);
  assert.deepEqual(
    out.Successful?.map((s) => s.Id),
    entries(10).map((e) => e.Id),
  );
  assert.equal(out.Failed?.length ?? 0, 0);
  await rejects(
    sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: entries(11) })),
    'TooManyEntriesInBatchRequestException',
    'The batch request contains more entries than permissible.',
  );
  await rejects(
    sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: '1' },
          { Id: 'a', Message: '2' },
        ],
      }),
    ),
    'BatchEntryIdsNotDistinctException',
    'Two or more batch entries in the request have the same Id.',
  );
  await rejects(
    sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [] })),
    'EmptyBatchRequestException',
    "The batch request doesn't contain any entries.",
  );
  await rejects(
    sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: 'bad id', Message: '1' }] })),
    'InvalidBatchEntryIdException',
    /impermissible character/,
  );
  await rejects(
    sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'x'.repeat(200_000) },
          { Id: 'b', Message: 'x'.repeat(100_000) },
        ],
      }),
    ),
    'BatchRequestTooLongException',
    'The length of all the messages put together is more than the limit.',
  );
  await rejects(
    sns.send(new PublishBatchCommand({ TopicArn: arnOf('ghost'), PublishBatchRequestEntries: entries(1) })),
    'NotFoundException',
    'Topic does not exist',
  );

  const fifo = (
    await sns.send(new CreateTopicCommand({ Name: 'batch.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }))
  ).TopicArn;
  const f = await sns.send(
    new PublishBatchCommand({ TopicArn: fifo, PublishBatchRequestEntries: entries(3).map((e) => ({ ...e, MessageGroupId: 'g' })) }),
  );
  const seqs = f.Successful!.map((s) => BigInt(s.SequenceNumber!));
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2]);
});

test('topics, subscriptions and the signing key survive a restart with persistence on', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sns-'));
  let server = await startServer({ ephemeral: false, dataDir });
  try {
    let client = new SNSClient(clientConfig(server.url));
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'durable', Attributes: { DisplayName: 'D' } }));
    const { SubscriptionArn } = await client.send(new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: '+15555550177' }));
    const pem = await (await fetch(`${server.url}/_nimbus/sns/SimpleNotificationService-nimbus.pem`)).text();
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);
    await server.stop();
    server = await startServer({ ephemeral: false, dataDir });
    client = new SNSClient(clientConfig(server.url));
    assert.equal((await client.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes?.DisplayName, 'D');
    assert.equal((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes?.Endpoint, '+15555550177');
    assert.equal(await (await fetch(`${server.url}/_nimbus/sns/SimpleNotificationService-nimbus.pem`)).text(), pem);
  } finally {
    await server.stop();
  }
});

test('SMS attributes and the SMS sandbox: the one-time password is in the outbox', async () => {
  await sns.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: 'Transactional', DefaultSenderID: 'Nimbus' } }));
  assert.deepEqual((await sns.send(new GetSMSAttributesCommand({ attributes: ['DefaultSMSType'] }))).attributes, {
    DefaultSMSType: 'Transactional',
  });
  assert.equal((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+15555550100' }))).isOptedOut, false);
  assert.equal((await sns.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox, false);
  await sns.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: '+15555550188' }));
  const [otp] = await outbox('?endpoint=%2B15555550188');
  const code = /code is (\d{6})/.exec(otp.message)![1];
  await rejects(
    sns.send(
      new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: '+15555550188', OneTimePassword: code === '000000' ? '111111' : '000000' }),
    ),
    'VerificationException',
    'Invalid one-time password',
  );
  await sns.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: '+15555550188', OneTimePassword: code }));
  assert.deepEqual((await sns.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers, [
    { PhoneNumber: '+15555550188', Status: 'Verified' },
  ]);
  await sns.send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: '+15555550188' }));
  await rejects(
    sns.send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: '+15555550188' })),
    'ResourceNotFoundException',
    'Phone number does not exist',
  );
});
