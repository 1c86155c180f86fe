// SQS FIFO ReceiveRequestAttemptId: a retried receive with the same id within 5 minutes gets the same
// messages and receipt handles (and a fresh visibility timeout) unless they changed meanwhile; the
// id's own validation. SDK v3 (JSON), boto3 (JSON, query-compatible) and the AWS CLI v2 (query).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  ChangeMessageVisibilityBatchCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, rejects, runCli, AWS_CLI_V2 } from '../helpers.js';

let sqs: SQSClient;
const nimbus = serverForFile(async () => {
  sqs = new SQSClient(clientConfig(nimbus.url));
});

let n = 0;
const advance = (by: string) => fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });

/** A FIFO queue holding m1..m<count> in one message group. */
async function fifo(count = 3, VisibilityTimeout = '30'): Promise<string> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({
      QueueName: `attempt-${++n}.fifo`,
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout },
    }),
  );
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: Array.from({ length: count }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i + 1}`, MessageGroupId: 'g' })),
    }),
  );
  return QueueUrl!;
}
const receive = (QueueUrl: string, extra: object = {}): Promise<Message[]> =>
  sqs
    .send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, MessageSystemAttributeNames: ['ApproximateReceiveCount'], ...extra }),
    )
    .then((r) => r.Messages ?? []);
const handles = (ms: Message[]) => ms.map((m) => m.ReceiptHandle);
const bodies = (ms: Message[]) => ms.map((m) => m.Body);

test('a retry with the same attempt id returns the same messages with the same receipt handles', async () => {
  const url = await fifo();
  const first = await receive(url, { ReceiveRequestAttemptId: 'attempt-1' });
  assert.deepEqual(bodies(first), ['m1', 'm2']);
  // the group is locked for anyone else
  assert.deepEqual(await receive(url), []);
  const retry = await receive(url, { ReceiveRequestAttemptId: 'attempt-1' });
  assert.deepEqual(bodies(retry), ['m1', 'm2']);
  assert.deepEqual(handles(retry), handles(first));
  assert.deepEqual(
    retry.map((m) => m.Attributes?.ApproximateReceiveCount),
    ['1', '1'],
  );
  // the handles work: deleting both unlocks the group for m3
  for (const m of retry) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  assert.deepEqual(bodies(await receive(url)), ['m3']);
});

test('a retry restarts the visibility timeout of the messages it returns', async () => {
  const url = await fifo(2);
  const first = await receive(url, { ReceiveRequestAttemptId: 'vis', VisibilityTimeout: 30 });
  await advance('20s');
  const retry = await receive(url, { ReceiveRequestAttemptId: 'vis', VisibilityTimeout: 30 });
  assert.deepEqual(handles(retry), handles(first));
  await advance('20s'); // 40 s after the first receive, 20 s after the retry
  assert.deepEqual(await receive(url), []);
  await advance('11s');
  const later = await receive(url);
  assert.deepEqual(bodies(later), ['m1', 'm2']);
  assert.notDeepEqual(handles(later), handles(first));
  assert.deepEqual(
    later.map((m) => m.Attributes?.ApproximateReceiveCount),
    ['2', '2'],
  );
});

test('messages whose visibility changed since are received afresh, with new receipt handles', async () => {
  const url = await fifo(2);
  const first = await receive(url, { ReceiveRequestAttemptId: 'changed' });
  await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: first.map((m, i) => ({ Id: `c${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
    }),
  );
  const retry = await receive(url, { ReceiveRequestAttemptId: 'changed' });
  assert.deepEqual(bodies(retry), ['m1', 'm2']);
  assert.notDeepEqual(handles(retry), handles(first));
  assert.deepEqual(
    retry.map((m) => m.Attributes?.ApproximateReceiveCount),
    ['2', '2'],
  );
});

test('a deleted message voids the attempt: the retry is a new receive', async () => {
  const url = await fifo(3);
  const first = await receive(url, { ReceiveRequestAttemptId: 'deleted' });
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0].ReceiptHandle }));
  // m2 is still in flight: the group stays locked, so a new receive gets nothing
  assert.deepEqual(await receive(url, { ReceiveRequestAttemptId: 'deleted' }), []);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[1].ReceiptHandle }));
  assert.deepEqual(bodies(await receive(url, { ReceiveRequestAttemptId: 'deleted' })), ['m3']);
});

test('the id is good for 5 minutes after the receive: then the retry is a new receive', async () => {
  const url = await fifo(2, '10');
  const first = await receive(url, { ReceiveRequestAttemptId: 'window' });
  await advance('60s'); // visible again, but nobody received them: still the same attempt
  assert.deepEqual(handles(await receive(url, { ReceiveRequestAttemptId: 'window' })), handles(first));
  await advance('241s'); // 5 min 1 s after the first receive
  const late = await receive(url, { ReceiveRequestAttemptId: 'window' });
  assert.deepEqual(bodies(late), ['m1', 'm2']);
  assert.notDeepEqual(handles(late), handles(first));
});

test("another attempt id, or none, does not get the attempt's messages", async () => {
  const url = await fifo(2);
  await receive(url, { ReceiveRequestAttemptId: 'mine' });
  assert.deepEqual(await receive(url, { ReceiveRequestAttemptId: 'yours' }), []);
});

test('standard queues ignore the attempt id: a second receive gets other messages', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `attempt-std-${++n}` }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2].map((i) => ({ Id: `e${i}`, MessageBody: `s${i}` })) }));
  const a = await receive(QueueUrl!, { ReceiveRequestAttemptId: 'same', MaxNumberOfMessages: 1 });
  const b = await receive(QueueUrl!, { ReceiveRequestAttemptId: 'same', MaxNumberOfMessages: 1 });
  assert.equal(a.length, 1);
  assert.equal(b.length, 1);
  assert.notEqual(a[0].Body, b[0].Body);
});

test('validation: 1 to 128 characters, alphanumeric and punctuation only → InvalidParameterValue', async () => {
  const url = await fifo(1);
  const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
  assert.deepEqual(bodies(await receive(url, { ReceiveRequestAttemptId: (punctuation + 'aZ9').padEnd(128, 'x') })), ['m1']);
  for (const bad of ['x'.repeat(129), 'with space', 'tab\t', 'é', '']) {
    await rejects(receive(url, { ReceiveRequestAttemptId: bad }), 'InvalidParameterValue', 400, (e) => {
      assert.equal(
        e.message,
        `Value ${bad} for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    });
  }
});

test('boto3: a retried receive gets the same receipt handle; a bad id is InvalidParameterValue', async () => {
  const script = `
import boto3, json, sys
sqs = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
url = sqs.create_queue(QueueName='boto-attempt.fifo', Attributes={'FifoQueue': 'true', 'ContentBasedDeduplication': 'true'})['QueueUrl']
sqs.send_message(QueueUrl=url, MessageBody='one', MessageGroupId='g')
a = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId='boto-1')['Messages']
b = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId='boto-1')['Messages']
other = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId='boto-2').get('Messages', [])
out = {'same': a[0]['ReceiptHandle'] == b[0]['ReceiptHandle'], 'body': b[0]['Body'], 'other': len(other)}
try:
    sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId='x' * 129)
except sqs.exceptions.ClientError as e:
    out['code'] = e.response['Error']['Code']
    out['status'] = e.response['ResponseMetadata']['HTTPStatusCode']
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { same: true, body: 'one', other: 0, code: 'InvalidParameterValue', status: 400 });
});

test('AWS CLI v2 (query protocol): --receive-request-attempt-id replays the receive', async () => {
  const url = await fifo(1);
  const cli = async () => {
    const r = await runCli(AWS_CLI_V2, [
      '--endpoint-url',
      nimbus.url,
      '--output',
      'json',
      'sqs',
      'receive-message',
      '--queue-url',
      url,
      '--receive-request-attempt-id',
      'cli-attempt',
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout).Messages as Message[];
  };
  const [a] = await cli();
  const [b] = await cli();
  assert.equal(a.Body, 'm1');
  assert.equal(b.ReceiptHandle, a.ReceiptHandle);
});
