// SQS through the AWS SDK for JavaScript v3 (JSON protocol): queues, messages, long polling,
// dead-letter queues, move tasks, FIFO, and AWS's errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  DeleteQueueCommand,
  PurgeQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  UntagQueueCommand,
  ListQueueTagsCommand,
  AddPermissionCommand,
  RemovePermissionCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand,
  ChangeMessageVisibilityBatchCommand,
  ListDeadLetterSourceQueuesCommand,
  StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  CancelMessageMoveTaskCommand,
  type QueueAttributeName,
} from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig } from '../helpers.js';

let sqs: SQSClient;
const nimbus = serverForFile(async () => {
  sqs = new SQSClient(clientConfig(nimbus.url));
});

let n = 0;
const unique = (p: string) => `${p}-${++n}-${Date.now() % 100000}`;
async function queue(prefix = 'q', Attributes: Record<string, string> = {}): Promise<string> {
  const fifo = Attributes.FifoQueue === 'true';
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique(prefix) + (fifo ? '.fifo' : ''), Attributes }));
  return QueueUrl!;
}
const attrs = async (QueueUrl: string, names: QueueAttributeName[] = ['All']) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: names }))).Attributes ?? {};
const advance = (by: string) => fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
const receive = (QueueUrl: string, extra: object = {}) =>
  sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...extra })).then((r) => r.Messages ?? []);

async function rejects(p: Promise<unknown>, name: string, message?: string | RegExp, code?: string) {
  await assert.rejects(p, (e: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    if (code) assert.equal(e.Code, code);
    return true;
  });
}

// ---------------------------------------------------------------- queues

test('CreateQueue: the URL is on the host the client called; same attributes return it again, different ones conflict', async () => {
  const name = unique('create');
  const first = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }));
  assert.equal(first.QueueUrl, `${nimbus.url}/000000000000/${name}`);
  const again = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45' } }));
  assert.equal(again.QueueUrl, first.QueueUrl);
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '46' } })),
    'QueueNameExists',
    'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
    'QueueAlreadyExists',
  );
  const url = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  assert.equal(url.QueueUrl, first.QueueUrl);
});

test('the SDK reaches a queue through its URL alone (no endpoint configured)', async () => {
  const url = await queue('by-url');
  const bare = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const sent = await bare.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'via the queue url' }));
  assert.ok(sent.MessageId);
  assert.equal((await receive(url))[0].Body, 'via the queue url');
});

test('CreateQueue: invalid names and attributes are refused with AWS errors', async () => {
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: 'bad name!' })),
    'InvalidParameterValue',
    'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    'InvalidParameterValue',
  );
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'x'.repeat(81) })), 'InvalidParameterValue');
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'plain.fifo' })), 'InvalidParameterValue');
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: 'nofifo', Attributes: { FifoQueue: 'true' } })),
    'InvalidParameterValue',
    /must end with \.fifo suffix/,
  );
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: 'vt', Attributes: { VisibilityTimeout: '43201' } })),
    'InvalidAttributeValue',
    'Invalid value for the parameter VisibilityTimeout.',
  );
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: 'unknown', Attributes: { Colour: 'blue' } as Record<string, string> })),
    'InvalidAttributeName',
    'Unknown Attribute Colour.',
  );
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: 'std', Attributes: { ContentBasedDeduplication: 'true' } })),
    'InvalidAttributeName',
  );
});

test('GetQueueUrl and operations on a missing queue: QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue)', async () => {
  await rejects(
    sqs.send(new GetQueueUrlCommand({ QueueName: 'missing' })),
    'QueueDoesNotExist',
    'The specified queue does not exist.',
    'AWS.SimpleQueueService.NonExistentQueue',
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: `${nimbus.url}/000000000000/missing`, MessageBody: 'x' })),
    'QueueDoesNotExist',
  );
});

test('ListQueues: prefix filter and pagination with MaxResults/NextToken', async () => {
  const prefix = unique('list');
  for (const i of [1, 2, 3, 4, 5]) await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${i}` }));
  const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
  assert.equal(all.QueueUrls?.length, 5);
  assert.equal(all.NextToken, undefined);
  const seen: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken }));
    seen.push(...(page.QueueUrls ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  assert.deepEqual(seen, all.QueueUrls);
  const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'no-such-prefix' }));
  assert.equal(none.QueueUrls, undefined);
});

test('DeleteQueue removes the queue and its messages; its name is free again after 60 s on the clock', async () => {
  const url = await queue('del');
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await rejects(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })), 'QueueDoesNotExist');
  const name = url.split('/').pop()!;
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: name })),
    'QueueDeletedRecently',
    'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
    'AWS.SimpleQueueService.QueueDeletedRecently',
  );
  await advance('60s');
  await sqs.send(new CreateQueueCommand({ QueueName: name }));
  assert.equal((await attrs(url)).ApproximateNumberOfMessages, '0');
});

test('PurgeQueue empties the queue; a second purge within 60 s is PurgeQueueInProgress', async () => {
  const url = await queue('purge');
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'a', MessageBody: '1' },
        { Id: 'b', MessageBody: '2' },
      ],
    }),
  );
  await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
  assert.equal((await attrs(url)).ApproximateNumberOfMessages, '0');
  await rejects(
    sqs.send(new PurgeQueueCommand({ QueueUrl: url })),
    'PurgeQueueInProgress',
    /Only one PurgeQueue operation on .* is allowed every 60 seconds\./,
    'AWS.SimpleQueueService.PurgeQueueInProgress',
  );
  await advance('61s');
  await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
});

test('Get/SetQueueAttributes: defaults, counters, updates, unknown names', async () => {
  const url = await queue('attrs');
  const a = await attrs(url);
  assert.equal(a.VisibilityTimeout, '30');
  assert.equal(a.MaximumMessageSize, '1048576');
  assert.equal(a.MessageRetentionPeriod, '345600');
  assert.equal(a.DelaySeconds, '0');
  assert.equal(a.ReceiveMessageWaitTimeSeconds, '0');
  assert.equal(a.SqsManagedSseEnabled, 'true');
  assert.match(a.QueueArn!, /^arn:aws:sqs:us-east-1:000000000000:attrs-/);
  assert.match(a.CreatedTimestamp!, /^\d{10}$/);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: url,
      Attributes: { VisibilityTimeout: '5', DelaySeconds: '2', Policy: '{"Version":"2012-10-17","Statement":[]}' },
    }),
  );
  const b = await attrs(url, ['VisibilityTimeout', 'DelaySeconds', 'Policy']);
  assert.deepEqual(b, { VisibilityTimeout: '5', DelaySeconds: '2', Policy: '{"Version":"2012-10-17","Statement":[]}' });
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed' }));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'now', DelaySeconds: 0 }));
  await receive(url);
  const c = await attrs(url, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
  ]);
  assert.deepEqual(c, {
    ApproximateNumberOfMessages: '0',
    ApproximateNumberOfMessagesNotVisible: '1',
    ApproximateNumberOfMessagesDelayed: '1',
  });
  await rejects(
    sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as QueueAttributeName] })),
    'InvalidAttributeName',
    'Unknown Attribute Nope.',
  );
  await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { QueueArn: 'x' } })), 'InvalidAttributeName');
  await rejects(
    sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MessageRetentionPeriod: '59' } })),
    'InvalidAttributeValue',
  );
});

test('tags: TagQueue, UntagQueue, ListQueueTags, tags at creation', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique('tags'), tags: { team: 'a' } }));
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'dev', cost: '1' } }));
  await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ['cost'] }));
  assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { team: 'a', env: 'dev' });
});

test('AddPermission/RemovePermission edit the stored queue policy', async () => {
  const url = await queue('perm');
  await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'p1', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] }));
  const policy = JSON.parse((await attrs(url, ['Policy'])).Policy!);
  assert.equal(policy.Statement[0].Sid, 'p1');
  assert.equal(policy.Statement[0].Action, 'SQS:SendMessage');
  assert.equal(policy.Statement[0].Principal.AWS, 'arn:aws:iam::111122223333:root');
  await rejects(
    sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'p1', AWSAccountIds: ['111122223333'], Actions: ['*'] })),
    'InvalidParameterValue',
  );
  await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'p1' }));
  assert.equal((await attrs(url, ['Policy'])).Policy, undefined);
});

// ---------------------------------------------------------------- messages

test('SendMessage/ReceiveMessage: MD5s as AWS computes them, system and message attributes, filters', async () => {
  const url = await queue('msg');
  const MessageAttributes = {
    'order.id': { DataType: 'String', StringValue: '42' },
    'order.total': { DataType: 'Number', StringValue: '9.5' },
    blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 1, 2]) },
    other: { DataType: 'String.custom', StringValue: 'ü' },
  };
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: url,
      MessageBody: 'hello ✓',
      MessageAttributes,
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
    }),
  );
  assert.equal(sent.MD5OfMessageBody, createHash('md5').update('hello ✓').digest('hex'));
  assert.match(sent.MD5OfMessageSystemAttributes!, /^[0-9a-f]{32}$/);

  const [all] = await receive(url, { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
  assert.equal(all.Body, 'hello ✓');
  assert.equal(all.MessageId, sent.MessageId);
  assert.equal(all.MD5OfMessageAttributes, sent.MD5OfMessageAttributes);
  assert.deepEqual(Object.keys(all.MessageAttributes!).sort(), ['blob', 'order.id', 'order.total', 'other']);
  assert.deepEqual(Buffer.from(all.MessageAttributes!.blob.BinaryValue!), Buffer.from([0, 1, 2]));
  assert.equal(all.Attributes!.SenderId, '000000000000');
  assert.equal(all.Attributes!.ApproximateReceiveCount, '1');
  assert.equal(all.Attributes!.AWSTraceHeader, 'Root=1-5759e988-bd862e3fe1be46a994272793');
  assert.ok(Number(all.Attributes!.SentTimestamp) <= Number(all.Attributes!.ApproximateFirstReceiveTimestamp));

  const [some] = await receive(url, {
    MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    MessageAttributeNames: ['order.*'],
    VisibilityTimeout: 0,
  });
  assert.deepEqual(some.Attributes, { ApproximateReceiveCount: '2' });
  assert.deepEqual(Object.keys(some.MessageAttributes!).sort(), ['order.id', 'order.total']);
  const [none] = await receive(url);
  assert.equal(none.MessageAttributes, undefined);
  assert.equal(none.MD5OfMessageAttributes, undefined);
  assert.equal(none.Attributes, undefined);
});

test('MD5OfMessageAttributes matches a known AWS value', async () => {
  // AWS's encoding: length-prefixed name, type and value, the value after its transport byte (1: string)
  const url = await queue('md5');
  const sent = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }),
  );
  const expected = createHash('md5')
    .update(
      Buffer.concat([
        Buffer.from([0, 0, 0, 1]),
        Buffer.from('a'),
        Buffer.from([0, 0, 0, 6]),
        Buffer.from('String'),
        Buffer.from([1]),
        Buffer.from([0, 0, 0, 1]),
        Buffer.from('b'),
      ]),
    )
    .digest('hex');
  assert.equal(sent.MD5OfMessageAttributes, expected);
});

test('visibility timeout: hidden after receive, visible again when it passes on the clock; ChangeMessageVisibility', async () => {
  const url = await queue('vis', { VisibilityTimeout: '30' });
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'v' }));
  const [m] = await receive(url);
  assert.equal((await receive(url)).length, 0);
  await advance('31s');
  const [again] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
  assert.equal(again.MessageId, m.MessageId);
  assert.equal(again.Attributes!.ApproximateReceiveCount, '2');
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 0 }));
  const [third] = await receive(url);
  assert.equal(third.MessageId, m.MessageId);
  const batch = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'ok', ReceiptHandle: third.ReceiptHandle, VisibilityTimeout: 100 },
        { Id: 'stale', ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 100 },
      ],
    }),
  );
  assert.deepEqual(
    batch.Successful?.map((e) => e.Id),
    ['ok'],
  );
  assert.equal(batch.Failed?.[0].Id, 'stale');
  assert.equal(batch.Failed?.[0].Code, 'InvalidParameterValue');
  await advance('60s');
  assert.equal((await receive(url)).length, 0);
});

test('DelaySeconds per message and per queue run on the virtual clock', async () => {
  const url = await queue('delay', { DelaySeconds: '10', VisibilityTimeout: '300' });
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'queue-delay' }));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'no-delay', DelaySeconds: 0 }));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'long-delay', DelaySeconds: 100 }));
  assert.deepEqual(
    (await receive(url)).map((m) => m.Body),
    ['no-delay'],
  );
  await advance('11s');
  assert.deepEqual(
    (await receive(url)).map((m) => m.Body),
    ['queue-delay'],
  );
  await advance('90s');
  assert.deepEqual(
    (await receive(url)).map((m) => m.Body),
    ['long-delay'],
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })),
    'InvalidParameterValue',
    'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
  );
});

test('retention: messages older than MessageRetentionPeriod are gone', async () => {
  const url = await queue('retain', { MessageRetentionPeriod: '60' });
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'old' }));
  await advance('61s');
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'new' }));
  assert.equal((await attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '1');
  assert.deepEqual(
    (await receive(url)).map((m) => m.Body),
    ['new'],
  );
});

test('DeleteMessage and DeleteMessageBatch; invalid receipt handles are ReceiptHandleIsInvalid', async () => {
  const url = await queue('delete');
  await sqs.send(
    new SendMessageBatchCommand({ QueueUrl: url, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `body ${i}` })) }),
  );
  const msgs = await receive(url);
  assert.equal(msgs.length, 3);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: msgs[0].ReceiptHandle }));
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: msgs[0].ReceiptHandle })); // again: fine
  const res = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'a', ReceiptHandle: msgs[1].ReceiptHandle },
        { Id: 'b', ReceiptHandle: msgs[2].ReceiptHandle },
        { Id: 'c', ReceiptHandle: 'garbage' },
      ],
    }),
  );
  assert.deepEqual(
    res.Successful?.map((e) => e.Id),
    ['a', 'b'],
  );
  assert.deepEqual(res.Failed, [
    {
      Id: 'c',
      SenderFault: true,
      Code: 'ReceiptHandleIsInvalid',
      Message: 'The input receipt handle "garbage" is not a valid receipt handle.',
    },
  ]);
  await rejects(
    sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'nope' })),
    'ReceiptHandleIsInvalid',
    'The input receipt handle "nope" is not a valid receipt handle.',
  );
  await rejects(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'nope', VisibilityTimeout: 1 })),
    'ReceiptHandleIsInvalid',
  );
  await advance('1h');
  const a = await attrs(url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  assert.deepEqual(a, { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
});

test('bad messages: empty, oversized (attributes count), invalid characters and attributes', async () => {
  const url = await queue('bad');
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })),
    'MissingParameter',
    'The request must contain the parameter MessageBody.',
    'MissingParameter',
  );
  const max = 1024 * 1024;
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(max) }));
  await rejects(
    sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'x'.repeat(max - 5),
        MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } },
      }),
    ),
    'InvalidParameterValue',
    'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0000 char' })),
    'InvalidMessageContents',
    /Invalid characters found/,
  );
  await rejects(
    sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } }),
    ),
    'InvalidParameterValue',
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { a: { DataType: 'Text', StringValue: 'v' } } })),
    'InvalidParameterValue',
  );
  await rejects(
    sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { a: { DataType: 'Number', StringValue: 'abc' } } }),
    ),
    'InvalidParameterValue',
  );
  await rejects(
    sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { a: { DataType: 'String', StringValue: '' } } }),
    ),
    'InvalidParameterValue',
  );
  const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: eleven })),
    'InvalidParameterValue',
    'Number of message attributes [11] exceeds the allowed maximum [10].',
  );
  await rejects(
    receive(url, { MaxNumberOfMessages: 11 }),
    'InvalidParameterValue',
    'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
  );
  await rejects(receive(url, { WaitTimeSeconds: 21 }), 'InvalidParameterValue');
});

test('batch errors: empty, too many entries, duplicate ids, invalid ids, too long; per-entry failures', async () => {
  const url = await queue('batch');
  await rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })),
    'EmptyBatchRequest',
    undefined,
    'AWS.SimpleQueueService.EmptyBatchRequest',
  );
  const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }));
  await rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })),
    'TooManyEntriesInBatchRequest',
    'Maximum number of entries per request are 10. You have sent 11.',
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  );
  await rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'x' },
          { Id: 'a', MessageBody: 'y' },
        ],
      }),
    ),
    'BatchEntryIdsNotDistinct',
    'Id a repeated.',
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  );
  await rejects(
    sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a b', MessageBody: 'x' }] })),
    'InvalidBatchEntryId',
  );
  await rejects(
    sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', ReceiptHandle: 'x' },
          { Id: 'a', ReceiptHandle: 'y' },
        ],
      }),
    ),
    'BatchEntryIdsNotDistinct',
  );
  await rejects(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'x'.repeat(600_000) },
          { Id: 'b', MessageBody: 'x'.repeat(600_000) },
        ],
      }),
    ),
    'BatchRequestTooLong',
  );
  const res = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'ok', MessageBody: 'fine' },
        { Id: 'bad', MessageBody: 'x', DelaySeconds: 1000 },
      ],
    }),
  );
  assert.deepEqual(
    res.Successful?.map((e) => e.Id),
    ['ok'],
  );
  assert.equal(res.Successful?.[0].MD5OfMessageBody, createHash('md5').update('fine').digest('hex'));
  assert.equal(res.Failed?.[0].Id, 'bad');
  assert.equal(res.Failed?.[0].Code, 'InvalidParameterValue');
  assert.equal(res.Failed?.[0].SenderFault, true);
});

test('long polling returns as soon as a message arrives, and after WaitTimeSeconds when none does', async () => {
  const url = await queue('poll');
  const t0 = Date.now();
  const polling = receive(url, { WaitTimeSeconds: 10 });
  await new Promise((r) => setTimeout(r, 300));
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up' }));
  const got = await polling;
  assert.equal(got[0].Body, 'wake up');
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got[0].ReceiptHandle }));
  assert.ok(Date.now() - t0 < 3000, `returned after ${Date.now() - t0} ms`);
  const t1 = Date.now();
  assert.equal((await receive(url, { WaitTimeSeconds: 1 })).length, 0);
  assert.ok(Date.now() - t1 >= 950);
  // a delayed message wakes a poll when the clock moves past its delay
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 600 }));
  const waiting = receive(url, { WaitTimeSeconds: 10 });
  await new Promise((r) => setTimeout(r, 200));
  await advance('10m');
  assert.equal((await waiting)[0]?.Body, 'later');
});

// ---------------------------------------------------------------- dead-letter queues

test('RedrivePolicy: after maxReceiveCount receives the message moves to the DLQ; ListDeadLetterSourceQueues', async () => {
  const dlq = await queue('dlq');
  const dlqArn = (await attrs(dlq, ['QueueArn'])).QueueArn!;
  const src = await queue('src', {
    VisibilityTimeout: '5',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '2' }),
  });
  assert.equal((await attrs(src, ['RedrivePolicy'])).RedrivePolicy, JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }));
  await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison' }));
  for (let i = 0; i < 2; i++) {
    assert.equal((await receive(src)).length, 1);
    await advance('6s');
  }
  assert.equal((await receive(src)).length, 0);
  const [dead] = await receive(dlq, { MessageSystemAttributeNames: ['All'] });
  assert.equal(dead.Body, 'poison');
  assert.equal(dead.Attributes!.DeadLetterQueueSourceArn, (await attrs(src, ['QueueArn'])).QueueArn);
  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
  assert.deepEqual(sources.queueUrls, [src]);
  await rejects(
    sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: src,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 0 }) },
      }),
    ),
    'InvalidParameterValue',
    /Invalid value for maxReceiveCount: 0/,
  );
  await rejects(
    sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: src,
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn + 'x', maxReceiveCount: 1 }) },
      }),
    ),
    'InvalidParameterValue',
    /Dead-letter target does not exist/,
  );
});

test('RedriveAllowPolicy: a DLQ that denies all sources refuses to be a target', async () => {
  const dlq = await queue('deny', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
  const dlqArn = (await attrs(dlq, ['QueueArn'])).QueueArn!;
  await rejects(
    queue('src', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) }),
    'InvalidParameterValue',
    /does not allow this source queue/,
  );
});

test('message move tasks: StartMessageMoveTask redrives DLQ messages to their source; List and Cancel', async () => {
  const dlq = await queue('mdlq');
  const dlqArn = (await attrs(dlq, ['QueueArn'])).QueueArn!;
  const src = await queue('msrc', {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
  });
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: src, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `m${i}` })) }));
  await receive(src);
  await advance('2s');
  assert.equal((await receive(src)).length, 0);
  assert.equal((await attrs(dlq, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '3');

  const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  assert.ok(TaskHandle);
  for (let i = 0; i < 50; i++) {
    const [t] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? [];
    if (t?.Status === 'COMPLETED') {
      assert.equal(t.ApproximateNumberOfMessagesMoved, 3);
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await attrs(src, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '3');

  await rejects(
    sqs.send(new StartMessageMoveTaskCommand({ SourceArn: (await attrs(src, ['QueueArn'])).QueueArn! })),
    'InvalidParameterValue',
    'Source queue must be configured as a Dead Letter Queue.',
  );
  // a slow task can be cancelled while it runs
  await receive(src);
  await advance('2s');
  await receive(src);
  const slow = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
  const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: slow.TaskHandle }));
  assert.ok(cancelled.ApproximateNumberOfMessagesMoved! <= 1);
  await new Promise((r) => setTimeout(r, 300));
  const [t] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results!;
  assert.equal(t.Status, 'CANCELLED');
});

// ---------------------------------------------------------------- FIFO

test('FIFO: MessageGroupId required, dedup by id and by content within 5 minutes of the clock, sequence numbers', async () => {
  const url = await queue('fifo', { FifoQueue: 'true' });
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })),
    'MissingParameter',
    'The request must contain the parameter MessageGroupId.',
  );
  await rejects(
    sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })),
    'InvalidParameterValue',
    'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  );
  await rejects(
    sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 5 }),
    ),
    'InvalidParameterValue',
  );
  const a = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: 'one', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
  );
  const dup = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: 'one again', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
  );
  assert.equal(dup.MessageId, a.MessageId);
  assert.match(a.SequenceNumber!, /^\d{20}$/);
  const b = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: 'two', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }),
  );
  assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!));
  assert.equal((await attrs(url, ['ApproximateNumberOfMessages'])).ApproximateNumberOfMessages, '2');
  await advance('5m');
  const c = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: 'one later', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }),
  );
  assert.notEqual(c.MessageId, a.MessageId);

  const cbd = await queue('cbd', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
  const x = await sqs.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'g' }));
  const y = await sqs.send(new SendMessageCommand({ QueueUrl: cbd, MessageBody: 'same', MessageGroupId: 'h' }));
  assert.equal(y.MessageId, x.MessageId);
  const [m] = await receive(cbd, { MessageSystemAttributeNames: ['All'] });
  assert.equal(m.Attributes!.MessageDeduplicationId, createHash('sha256').update('same').digest('hex'));
  assert.equal(m.Attributes!.MessageGroupId, 'g');
  assert.equal(m.Attributes!.SequenceNumber, x.SequenceNumber);
});

test('FIFO: strict order per group; a group is locked while one of its messages is in flight', async () => {
  const url = await queue('order', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [1, 2, 3, 4].map((i) => ({ Id: `a${i}`, MessageBody: `a${i}`, MessageGroupId: 'A' })),
    }),
  );
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [1, 2].map((i) => ({ Id: `b${i}`, MessageBody: `b${i}`, MessageGroupId: 'B' })),
    }),
  );
  const first = await receive(url, { MaxNumberOfMessages: 2 });
  assert.deepEqual(
    first.map((m) => m.Body),
    ['a1', 'a2'],
  );
  // A is locked: the next receive gets B
  const second = await receive(url, { MaxNumberOfMessages: 10 });
  assert.deepEqual(
    second.map((m) => m.Body),
    ['b1', 'b2'],
  );
  assert.equal((await receive(url)).length, 0);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle }));
  assert.equal((await receive(url)).length, 0, 'a2 still in flight keeps A locked');
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[1].ReceiptHandle }));
  assert.deepEqual(
    (await receive(url)).map((m) => m.Body),
    ['a3', 'a4'],
  );
  // after the visibility timeout the same messages come back, in order
  await advance('31s');
  const back = await receive(url);
  assert.deepEqual(back.map((m) => m.Body).sort(), ['a3', 'a4', 'b1', 'b2']);
  await advance('31s');
  await rejects(
    sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: back[0].ReceiptHandle })),
    'InvalidParameterValue',
    /The receipt handle has expired/,
  );
});

test('FIFO attributes: high-throughput settings are stored; FIFO-only attributes refused on standard queues', async () => {
  const url = await queue('ht', { FifoQueue: 'true', DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
  const a = await attrs(url);
  assert.equal(a.FifoQueue, 'true');
  assert.equal(a.DeduplicationScope, 'messageGroup');
  assert.equal(a.FifoThroughputLimit, 'perMessageGroupId');
  assert.equal(a.ContentBasedDeduplication, 'false');
  // dedup scoped per group: the same id in two groups is two messages
  const x = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g1', MessageDeduplicationId: 'same' }),
  );
  const y = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: 'y', MessageGroupId: 'g2', MessageDeduplicationId: 'same' }),
  );
  assert.notEqual(x.MessageId, y.MessageId);
});
