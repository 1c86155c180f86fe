// SQS's stateless request rules, imported directly (no server): queue names, redrive policies,
// batches, receipt handles and queue URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkQueueName,
  parseRedrivePolicy,
  redriveAllowed,
  checkRedriveAllow,
  checkPolicyJson,
  checkBatch,
  checkBatchSize,
  checkFifoBatch,
  messageAttributesSize,
  receiptHandle,
  parseReceiptHandle,
  token,
  untoken,
} from '../../src/services/sqs/validate.js';
import { parseQueueUrl, queueArn } from '../../src/services/sqs/store.js';
import { sqsQueueUrl } from '../../src/localstack/urls.js';
const queueUrl = (host: string | undefined, port: number, account: string, name: string) =>
  sqsQueueUrl({ port }, host, { region: 'us-east-1', account, name });
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

test('queue names: 1 to 80 of [A-Za-z0-9_-]; FIFO names end in .fifo and need FifoQueue=true', () => {
  assert.equal(checkQueueName('orders_1-a', {}), false);
  assert.equal(checkQueueName('orders.fifo', { FifoQueue: 'true' }), true);
  assert.equal(checkQueueName('x'.repeat(75) + '.fifo', { FifoQueue: 'true' }), true);
  const bad = 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length';
  fails(() => checkQueueName('', {}), 'InvalidParameterValue', bad);
  fails(() => checkQueueName('x'.repeat(81), {}), 'InvalidParameterValue', bad);
  fails(() => checkQueueName('a.b', {}), 'InvalidParameterValue', bad);
  fails(() => checkQueueName('orders.fifo', {}), 'InvalidParameterValue', bad);
  fails(() => checkQueueName('x'.repeat(76) + '.fifo', { FifoQueue: 'true' }), 'InvalidParameterValue', bad);
  fails(() => checkQueueName('orders', { FifoQueue: 'true' }), 'InvalidParameterValue', /must end with \.fifo suffix/);
});

test('RedrivePolicy: a JSON map with both members, maxReceiveCount 1 to 1000', () => {
  const arn = 'arn:aws:sqs:us-east-1:000000000000:dlq';
  assert.deepEqual(parseRedrivePolicy(JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: '5' })), {
    deadLetterTargetArn: arn,
    maxReceiveCount: 5,
  });
  const reason = (v: string, r: string) => `Value ${v} for parameter RedrivePolicy is invalid. Reason: ${r}`;
  fails(() => parseRedrivePolicy('{nope'), 'InvalidParameterValue', reason('{nope', 'Redrive policy is not a valid JSON map.'));
  fails(() => parseRedrivePolicy('null'), 'InvalidParameterValue', reason('null', 'Redrive policy is not a valid JSON map.'));
  fails(() => parseRedrivePolicy('{"maxReceiveCount":1}'), 'InvalidParameterValue', /mandatory attribute: deadLetterTargetArn\.$/);
  fails(() => parseRedrivePolicy(`{"deadLetterTargetArn":"${arn}"}`), 'InvalidParameterValue', /mandatory attribute: maxReceiveCount\.$/);
  for (const n of [0, 1001, 1.5, '"x"']) {
    fails(
      () => parseRedrivePolicy(`{"deadLetterTargetArn":"${arn}","maxReceiveCount":${n}}`),
      'InvalidParameterValue',
      /valid values are from 1 to 1000 both inclusive\.$/,
    );
  }
});

test('RedriveAllowPolicy: allowAll, denyAll, or byQueue with 1 to 10 source ARNs', () => {
  const src = 'arn:aws:sqs:us-east-1:000000000000:src';
  checkRedriveAllow('{"redrivePermission":"allowAll"}');
  checkRedriveAllow(JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [src] }));
  fails(() => checkRedriveAllow('{'), 'InvalidParameterValue', /Reason: Amazon SQS can't parse the redrive allow policy\.$/);
  fails(() => checkRedriveAllow('{"redrivePermission":"some"}'), 'InvalidParameterValue', /Invalid value for redrivePermission\.$/);
  fails(
    () => checkRedriveAllow('{"redrivePermission":"byQueue","sourceQueueArns":[]}'),
    'InvalidParameterValue',
    /1 to 10 source queue ARNs/,
  );
  fails(
    () => checkRedriveAllow(`{"redrivePermission":"allowAll","sourceQueueArns":["${src}"]}`),
    'InvalidParameterValue',
    /only allowed when redrivePermission is byQueue/,
  );
  assert.equal(redriveAllowed(undefined, src), true);
  assert.equal(redriveAllowed('{"redrivePermission":"denyAll"}', src), false);
  assert.equal(redriveAllowed(JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [src] }), src), true);
  assert.equal(redriveAllowed(JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [src] }), src + '2'), false);
  checkPolicyJson('{}');
  fails(() => checkPolicyJson('{x'), 'InvalidAttributeValue', 'Invalid value for the parameter Policy.');
});

test('batches: 1 to 10 entries with distinct ids of [A-Za-z0-9_-]{1,80}', () => {
  const e = (Id: string) => ({ Id });
  assert.equal(checkBatch([e('a'), e('b')], 'X').length, 2);
  fails(
    () => checkBatch([], 'SendMessageBatchRequestEntry'),
    'EmptyBatchRequest',
    'There should be at least one SendMessageBatchRequestEntry in the request.',
  );
  fails(() => checkBatch(undefined, 'X'), 'EmptyBatchRequest');
  fails(
    () =>
      checkBatch(
        Array.from({ length: 11 }, (_, i) => e(`m${i}`)),
        'X',
      ),
    'TooManyEntriesInBatchRequest',
    'Maximum number of entries per request are 10. You have sent 11.',
  );
  fails(() => checkBatch([e('a'), e('a')], 'X'), 'BatchEntryIdsNotDistinct', 'Id a repeated.');
  fails(() => checkBatch([e('a b')], 'X'), 'InvalidBatchEntryId');
  fails(() => checkBatch([e('x'.repeat(81))], 'X'), 'InvalidBatchEntryId');
});

test('batch size: bodies and attributes together at most 1 MiB', () => {
  assert.equal(messageAttributesSize({ k: { DataType: 'String', StringValue: 'vv' } }), 1 + 6 + 2);
  assert.equal(messageAttributesSize({ b: { DataType: 'Binary', BinaryValue: Buffer.alloc(4) } }), 1 + 6 + 4);
  checkBatchSize([{ MessageBody: 'x'.repeat(1_048_576) }]);
  fails(
    () => checkBatchSize([{ MessageBody: 'x'.repeat(1_048_576) }, { MessageBody: 'y' }]),
    'BatchRequestTooLong',
    'Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.',
  );
});

test('FIFO batches: every entry needs a group id, and a deduplication id unless content-based deduplication is on', () => {
  checkFifoBatch([{ MessageGroupId: 'g', MessageDeduplicationId: 'd' }], false);
  checkFifoBatch([{ MessageGroupId: 'g' }], true);
  fails(
    () => checkFifoBatch([{ MessageGroupId: 'g', MessageDeduplicationId: 'd' }, { MessageDeduplicationId: 'e' }], true),
    'InvalidParameterValue',
    'The request must contain the parameter MessageGroupId.',
  );
  fails(
    () => checkFifoBatch([{ MessageGroupId: 'g', MessageDeduplicationId: 'd' }, { MessageGroupId: 'g' }], false),
    'InvalidParameterValue',
    'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
  );
});

test('receipt handles carry the queue incarnation; another incarnation or garbage is not ours', () => {
  const h = receiptHandle('0123456789abcdef', '00000000000000042', 'AbCdEfGhIjKlMnOp');
  assert.deepEqual(parseReceiptHandle(h, '0123456789abcdef'), { key: '00000000000000042', token: 'AbCdEfGhIjKlMnOp' });
  assert.equal(parseReceiptHandle(h, 'fedcba9876543210'), undefined);
  assert.equal(parseReceiptHandle('not-a-handle', '0123456789abcdef'), undefined);
  assert.equal(untoken(token('a:b')), 'a:b');
  assert.equal(untoken(undefined), undefined);
});

test('queue URLs: built on the host called; parsed from any host or path form', () => {
  assert.equal(queueUrl('127.0.0.1:4566', 4566, '000000000000', 'q'), 'http://127.0.0.1:4566/000000000000/q');
  assert.equal(queueUrl(undefined, 4566, '000000000000', 'q'), 'http://localhost:4566/000000000000/q');
  assert.deepEqual(parseQueueUrl('http://localhost:4566/000000000000/q1'), { account: '000000000000', name: 'q1' });
  assert.deepEqual(parseQueueUrl('https://sqs.us-east-1.amazonaws.com/123456789012/a.fifo'), { account: '123456789012', name: 'a.fifo' });
  assert.deepEqual(parseQueueUrl('http://localhost:4566/queue/us-east-1/123456789012/q'), { account: '123456789012', name: 'q' });
  assert.deepEqual(parseQueueUrl('123456789012/q'), { account: '123456789012', name: 'q' });
  assert.equal(parseQueueUrl('http://localhost:4566/q'), undefined);
  assert.equal(queueArn('eu-west-1', '123456789012', 'q'), 'arn:aws:sqs:eu-west-1:123456789012:q');
});
