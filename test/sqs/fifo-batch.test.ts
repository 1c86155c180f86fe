// SendMessageBatch to a FIFO queue: an entry without MessageGroupId (or, without content-based
// deduplication, without MessageDeduplicationId) fails the whole call with InvalidParameterValue,
// as AWS does, over JSON (SDK v3) and query (signed raw HTTP); nothing of the batch is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SQSClient, CreateQueueCommand, SendMessageBatchCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, credentials, region } from '../helpers.js';

let sqs: SQSClient;
const nimbus = serverForFile(async () => {
  sqs = new SQSClient(clientConfig(nimbus.url));
});

let n = 0;
async function fifo(contentBased = false): Promise<string> {
  const Attributes: Record<string, string> = { FifoQueue: 'true', ...(contentBased ? { ContentBasedDeduplication: 'true' } : {}) };
  return (await sqs.send(new CreateQueueCommand({ QueueName: `batch-${++n}.fifo`, Attributes }))).QueueUrl!;
}
const count = async (QueueUrl: string) =>
  (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!
    .ApproximateNumberOfMessages;

async function rejectsWith(p: Promise<unknown>, message: string) {
  await assert.rejects(p, (e: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'InvalidParameterValue');
    assert.equal(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    return true;
  });
}

const NO_GROUP = 'The request must contain the parameter MessageGroupId.';
const NO_DEDUP = 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly';

test('SDK v3 (JSON): an entry without MessageGroupId fails the whole batch; the valid entries are not sent', async () => {
  const url = await fifo();
  await rejectsWith(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
          { Id: 'nogroup', MessageBody: 'b', MessageDeduplicationId: 'd2' },
        ],
      }),
    ),
    NO_GROUP,
  );
  assert.equal(await count(url), '0');
});

test('SDK v3 (JSON): without content-based deduplication, an entry without MessageDeduplicationId fails the batch', async () => {
  const url = await fifo();
  await rejectsWith(
    sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
          { Id: 'nodedup', MessageBody: 'b', MessageGroupId: 'g' },
        ],
      }),
    ),
    NO_DEDUP,
  );
  assert.equal(await count(url), '0');
  // with content-based deduplication the same batch goes through
  const cbd = await fifo(true);
  const r = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: cbd,
      Entries: [
        { Id: 'ok', MessageBody: 'a', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
        { Id: 'nodedup', MessageBody: 'b', MessageGroupId: 'g' },
      ],
    }),
  );
  assert.deepEqual(
    r.Successful?.map((e) => e.Id),
    ['ok', 'nodedup'],
  );
  assert.equal(r.Failed?.length ?? 0, 0);
  assert.equal(await count(cbd), '2');
});

test('query protocol: the same refusal as an XML error, code InvalidParameterValue, HTTP 400', async () => {
  const url = await fifo();
  const { port } = new URL(nimbus.url);
  const form = new URLSearchParams({
    Action: 'SendMessageBatch',
    Version: '2012-11-05',
    QueueUrl: url,
    'SendMessageBatchRequestEntry.1.Id': 'ok',
    'SendMessageBatchRequestEntry.1.MessageBody': 'a',
    'SendMessageBatchRequestEntry.1.MessageGroupId': 'g',
    'SendMessageBatchRequestEntry.1.MessageDeduplicationId': 'd1',
    'SendMessageBatchRequestEntry.2.Id': 'nogroup',
    'SendMessageBatchRequestEntry.2.MessageBody': 'b',
  }).toString();
  const signer = new SignatureV4({ service: 'sqs', region, sha256: Sha256, credentials });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: Number(port),
      path: '/',
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    }),
  );
  const res = await fetch(`${nimbus.url}/`, { method: 'POST', headers: signed.headers, body: form });
  const xml = await res.text();
  assert.equal(res.status, 400, xml);
  assert.match(xml, /<Code>InvalidParameterValue<\/Code>/);
  assert.match(xml, new RegExp(`<Message>${NO_GROUP.replace(/\./g, '\\.')}</Message>`));
  assert.doesNotMatch(xml, /SendMessageBatchResult/);
  assert.equal(await count(url), '0');
});
