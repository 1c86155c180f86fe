// SNS's stateless request rules, imported directly (no server): ARNs, topic names and attributes,
// subscription attributes and endpoints, messages and their attributes, tags, batches, page tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkTopicName,
  checkTopicAttribute,
  checkSubAttribute,
  checkMessageAttributes,
  checkMessage,
  checkEndpoint,
  checkTags,
  dedupeTags,
  decodeToken,
  encodeToken,
  checkBatchEntries,
  checkJson,
} from '../../src/services/sns/validate.js';
import { parseTopicArn, parseSubArn, subscriptionAttributes, type TopicRecord, type SubRecord } from '../../src/services/sns/model.js';
import { unsubscribeUrl } from '../../src/services/sns/delivery.js';
import { ServiceError } from '../../src/kit.js';

function fails(fn: () => unknown, code: string, message?: string | RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ServiceError, `a ServiceError, not ${String(e)}`);
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

const ARN = 'arn:aws:sns:us-east-1:000000000000:t';
const topic = (fifo = false, attributes: Record<string, string> = {}): TopicRecord => ({
  arn: ARN + (fifo ? '.fifo' : ''),
  name: 't' + (fifo ? '.fifo' : ''),
  owner: '000000000000',
  fifo,
  attributes,
  tags: [],
  deleted: 0,
  seq: 0,
});

test('topic ARNs: fewer than 6 elements say how many; other malformed ARNs name the parameter', () => {
  assert.deepEqual(parseTopicArn(ARN), { region: 'us-east-1', account: '000000000000', name: 't' });
  fails(
    () => parseTopicArn('not-an-arn'),
    'InvalidParameter',
    'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1',
  );
  fails(
    () => parseTopicArn('arn:aws:sns:x', 'TargetArn'),
    'InvalidParameter',
    'Invalid parameter: TargetArn Reason: An ARN must have at least 6 elements, not 4',
  );
  fails(
    () => parseTopicArn(undefined),
    'InvalidParameter',
    'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1',
  );
  fails(() => parseTopicArn('arn:aws:sns:us-east-1:123:t'), 'InvalidParameter', 'Invalid parameter: TopicArn');
  const sub = `${ARN}:0b8d6c1c-1111-2222-3333-444455556666`;
  assert.equal(parseSubArn(sub)?.key, 't/0b8d6c1c-1111-2222-3333-444455556666');
  assert.equal(parseSubArn(ARN), undefined);
  fails(
    () => parseSubArn('x'),
    'InvalidParameter',
    'Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1',
  );
});

test('topic names and attributes', () => {
  checkTopicName('a-b_C1', false);
  checkTopicName('orders.fifo', true);
  fails(() => checkTopicName('a.b', false), 'InvalidParameter', 'Invalid parameter: Topic Name');
  fails(() => checkTopicName('orders', true), 'InvalidParameter', /^Invalid parameter: Fifo Topic names must end with \.fifo/);
  checkTopicAttribute('DisplayName', 'Shown', false, true);
  checkTopicAttribute('FifoTopic', 'TRUE', true, true);
  fails(() => checkTopicAttribute('FifoTopic', 'true', true, false), 'InvalidParameter', 'Invalid parameter: AttributeName');
  fails(() => checkTopicAttribute('Nope', 'x', false, true), 'InvalidParameter', 'Invalid parameter: AttributeName');
  fails(
    () => checkTopicAttribute('ContentBasedDeduplication', 'true', false, true),
    'InvalidParameter',
    'Invalid parameter: ContentBasedDeduplication Reason: ContentBasedDeduplication is only available for FIFO topics',
  );
  fails(() => checkTopicAttribute('Policy', '{nope', false, false), 'InvalidParameter', 'Invalid parameter: Policy: failed to parse JSON.');
  fails(() => checkTopicAttribute('SignatureVersion', '3', false, false), 'InvalidParameter', 'Invalid parameter: SignatureVersion');
  fails(() => checkTopicAttribute('DisplayName', 'x'.repeat(101), false, false), 'InvalidParameter', 'Invalid parameter: DisplayName');
  fails(() => checkJson('DeliveryPolicy', '3'), 'InvalidParameter', 'Invalid parameter: DeliveryPolicy: failed to parse JSON.');
});

test('subscription attributes: raw delivery only where it applies, filter policies parsed for their scope, DLQ ARNs', () => {
  const sqsSub = { protocol: 'sqs', endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', topicArn: ARN, attributes: {} };
  checkSubAttribute('RawMessageDelivery', 'True', sqsSub, false);
  fails(
    () => checkSubAttribute('RawMessageDelivery', 'yes', sqsSub, true),
    'InvalidParameter',
    'Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false.',
  );
  fails(
    () => checkSubAttribute('RawMessageDelivery', 'true', { ...sqsSub, protocol: 'email' }, false),
    'InvalidParameter',
    'Invalid parameter: Delivery protocol [email] does not support raw message delivery.',
  );
  fails(() => checkSubAttribute('Bogus', 'x', sqsSub, false), 'InvalidParameter', 'Invalid parameter: AttributeName');
  checkSubAttribute('FilterPolicy', '{"a":["b"]}', sqsSub, false);
  fails(
    () => checkSubAttribute('FilterPolicyScope', 'Body', sqsSub, false),
    'InvalidParameter',
    /Please use either MessageBody or MessageAttributes$/,
  );
  fails(
    () => checkSubAttribute('RedrivePolicy', '{"deadLetterTargetArn":"nope"}', sqsSub, false),
    'InvalidParameter',
    'Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn',
  );
});

test('endpoints match their protocol; FIFO topics deliver to SQS only', () => {
  checkEndpoint('https', 'https://example.com/hook', topic());
  checkEndpoint('sqs', 'arn:aws:sqs:us-east-1:000000000000:q.fifo', topic(true));
  fails(
    () => checkEndpoint('http', 'https://example.com', topic()),
    'InvalidParameter',
    'Invalid parameter: Endpoint must match the specified protocol',
  );
  fails(() => checkEndpoint('email', 'nobody', topic()), 'InvalidParameter', 'Invalid parameter: Email address');
  fails(() => checkEndpoint('sms', 'abc', topic()), 'InvalidParameter', 'Invalid parameter: SMS endpoint: abc');
  fails(
    () => checkEndpoint('lambda', 'arn:aws:lambda:us-east-1:000000000000:nope', topic()),
    'InvalidParameter',
    'Invalid parameter: Lambda endpoint ARN',
  );
  fails(() => checkEndpoint('email', 'a@b.c', topic(true)), 'InvalidParameter', 'Invalid parameter: Invalid protocol type: email');
});

test('message attributes: names, types and values as SNS checks them; the size counted', () => {
  assert.equal(checkMessageAttributes({ k: { DataType: 'String', StringValue: 'v' } }), 1 + 6 + 1);
  assert.equal(checkMessageAttributes(undefined), 0);
  fails(
    () => checkMessageAttributes({ 'a b': { DataType: 'String', StringValue: 'v' } }),
    'ParameterValueInvalid',
    "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
  );
  fails(
    () => checkMessageAttributes({ 'AWS.x': { DataType: 'String', StringValue: 'v' } }),
    'ParameterValueInvalid',
    "The message attribute name 'AWS.x' is reserved for use by Amazon.",
  );
  fails(
    () => checkMessageAttributes({ n: { DataType: 'Number', StringValue: 'x' } }),
    'ParameterValueInvalid',
    "Could not cast message attribute 'n' value to number.",
  );
  fails(
    () => checkMessageAttributes({ s: { DataType: 'Text', StringValue: 'x' } }),
    'ParameterValueInvalid',
    /has an invalid message attribute type/,
  );
  fails(
    () => checkMessageAttributes({ s: { DataType: 'String', StringValue: '' } }),
    'ParameterValueInvalid',
    "The message attribute 's' must contain non-empty message attribute value for message attribute type 'String'.",
  );
  fails(
    () => checkMessageAttributes({ a: { DataType: 'String.Array', StringValue: '[{}]' } }),
    'ParameterValueInvalid',
    /must be a JSON array of strings/,
  );
});

test('messages: empty, subject, structure, size, FIFO ids', () => {
  assert.equal(checkMessage(topic(), { message: 'hello' }), 5);
  fails(() => checkMessage(topic(), { message: '' }), 'InvalidParameter', 'Invalid parameter: Empty message');
  fails(() => checkMessage(topic(), { message: 'm', subject: ' x' }), 'InvalidParameter', 'Invalid parameter: Subject');
  fails(
    () => checkMessage(topic(), { message: '{"sqs":"x"}', structure: 'json' }),
    'InvalidParameter',
    'Invalid parameter: Message Structure - No default entry in JSON message body',
  );
  fails(() => checkMessage(topic(), { message: 'x'.repeat(256 * 1024 + 1) }), 'InvalidParameter', 'Invalid parameter: Message too long');
  fails(
    () => checkMessage(topic(true), { message: 'm' }),
    'InvalidParameter',
    'Invalid parameter: The MessageGroupId parameter is required for FIFO topics',
  );
  fails(
    () => checkMessage(topic(true), { message: 'm', groupId: 'g' }),
    'InvalidParameter',
    'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  );
  checkMessage(topic(true, { ContentBasedDeduplication: 'true' }), { message: 'm', groupId: 'g' });
  fails(
    () => checkMessage(topic(), { message: 'm', dedupId: 'd' }),
    'InvalidParameter',
    /MessageDeduplicationId parameter that is not valid for this topic type$/,
  );
});

test('batches, tags and page tokens', () => {
  assert.deepEqual(checkBatchEntries([{ Id: 'a', Message: 'm', MessageGroupId: 'g' }]), [
    { message: 'm', subject: undefined, structure: undefined, attributes: undefined, groupId: 'g', dedupId: undefined },
  ]);
  fails(() => checkBatchEntries([]), 'EmptyBatchRequest', "The batch request doesn't contain any entries.");
  fails(() => checkBatchEntries(Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'm' }))), 'TooManyEntriesInBatchRequest');
  fails(
    () =>
      checkBatchEntries([
        { Id: 'a', Message: 'm' },
        { Id: 'a', Message: 'n' },
      ]),
    'BatchEntryIdsNotDistinct',
  );
  fails(
    () => checkBatchEntries([{ Id: 'a!', Message: 'm' }]),
    'InvalidBatchEntryId',
    'The Id of a batch entry in the batch request contains an impermissible character: a!',
  );
  checkTags([{ Key: 'a', Value: '1' }]);
  fails(
    () =>
      checkTags([
        { Key: 'a', Value: '1' },
        { Key: 'a', Value: '2' },
      ]),
    'InvalidParameter',
    'Invalid parameter: Duplicated keys are not allowed.',
  );
  assert.deepEqual(
    dedupeTags(
      [{ Key: 'a', Value: '1' }],
      [
        { Key: 'a', Value: '2' },
        { Key: 'b', Value: '3' },
      ],
    ),
    [
      { Key: 'a', Value: '2' },
      { Key: 'b', Value: '3' },
    ],
  );
  assert.equal(decodeToken(encodeToken('topic-7')), 'topic-7');
  assert.equal(decodeToken(undefined), undefined);
  fails(() => decodeToken('!!'), 'InvalidParameter', 'Invalid parameter: NextToken');
});

test('UnsubscribeURL is written as AWS writes it; SubscriptionPrincipal is who subscribed', () => {
  const arn = `${ARN}:0b8d6c1c-1111-2222-3333-444455556666`;
  assert.equal(unsubscribeUrl('http://127.0.0.1:4566', arn), `http://127.0.0.1:4566/?Action=Unsubscribe&SubscriptionArn=${arn}`);
  const sub: SubRecord = {
    arn,
    topicArn: ARN,
    protocol: 'sqs',
    endpoint: 'arn:aws:sqs:us-east-1:000000000000:q',
    owner: '000000000000',
    attributes: {},
    pending: false,
    authenticated: true,
    token: 't',
    baseUrl: 'http://h',
    principal: 'arn:aws:iam::000000000000:user/alice',
  };
  assert.equal(subscriptionAttributes(sub, topic()).SubscriptionPrincipal, 'arn:aws:iam::000000000000:user/alice');
  // a subscription stored before the principal was kept: the owner account's root
  assert.equal(subscriptionAttributes({ ...sub, principal: undefined }, topic()).SubscriptionPrincipal, 'arn:aws:iam::000000000000:root');
});
