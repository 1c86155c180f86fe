// SQS delivery guarantees under load and across a crash: 10 concurrent consumers on 20,000 messages,
// FIFO order and deduplication under the same kind of load, and kill -9 with messages in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { startServer, spawnServer, clientConfig } from '../helpers.js';

/** Sends `count` messages in batches of 10, `parallel` batches at a time. */
async function sendAll(sqs: SQSClient, QueueUrl: string, count: number, entry: (i: number) => object, parallel = 10): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const start = next;
        next = Math.min(count, next + 10);
        const Entries = Array.from({ length: next - start }, (_, k) => ({
          Id: `e${k}`,
          MessageBody: String(start + k),
          ...entry(start + k),
        }));
        const r = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
        assert.equal(r.Failed?.length ?? 0, 0);
      }
    }),
  );
}

/** Consumers that receive, hand each message to `seen`, and delete, until `done()`. */
async function consume(
  sqs: SQSClient,
  QueueUrl: string,
  consumers: number,
  seen: (m: Message) => void,
  done: () => boolean,
): Promise<void> {
  await Promise.all(
    Array.from({ length: consumers }, async () => {
      while (!done()) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['MessageGroupId'],
          }),
        );
        if (Messages.length === 0) continue;
        Messages.forEach(seen);
        const r = await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
        );
        assert.equal(r.Failed?.length ?? 0, 0);
      }
    }),
  );
}

const counts = async (sqs: SQSClient, QueueUrl: string) =>
  (
    await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    )
  ).Attributes;

test(
  '10 concurrent consumers, 20,000 messages on a standard queue: each received and deleted exactly once, none lost',
  { timeout: 300_000 },
  async () => {
    const nimbus = await startServer({ ephemeral: false });
    try {
      const sqs = new SQSClient(clientConfig(nimbus.url));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'load', Attributes: { VisibilityTimeout: '300' } }));
      const total = 20_000;
      const t0 = Date.now();
      const producing = sendAll(sqs, QueueUrl!, total, () => ({}));
      const received = new Map<string, number>();
      await consume(
        sqs,
        QueueUrl!,
        10,
        (m) => received.set(m.Body!, (received.get(m.Body!) ?? 0) + 1),
        () => received.size >= total,
      );
      await producing;
      const ms = Date.now() - t0;
      console.log(`# 20,000 messages sent, received and deleted by 10 consumers in ${ms} ms`);
      assert.equal(received.size, total);
      const dup = [...received].filter(([, c]) => c > 1);
      assert.deepEqual(dup, [], 'no message is redelivered before its visibility timeout');
      for (let i = 0; i < total; i++) assert.ok(received.has(String(i)), `message ${i} lost`);
      assert.deepEqual(await counts(sqs, QueueUrl!), { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    } finally {
      await nimbus.stop();
    }
  },
);

test(
  'FIFO under load: 10 consumers, 4,000 messages in 20 groups — no duplicates, order kept in each group',
  { timeout: 300_000 },
  async () => {
    const nimbus = await startServer({ ephemeral: false });
    try {
      const sqs = new SQSClient(clientConfig(nimbus.url));
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: 'load.fifo', Attributes: { FifoQueue: 'true', VisibilityTimeout: '300' } }),
      );
      const total = 4_000,
        groups = 20;
      // each message is sent twice with the same deduplication id: the second is dropped
      const entry = (i: number) => ({ MessageGroupId: `g${i % groups}`, MessageDeduplicationId: `d${i}` });
      for (let round = 0; round < 2; round++) {
        // per group, order is the send order: one producer, batches in sequence
        await sendAll(sqs, QueueUrl!, total, entry, 1);
      }
      const perGroup = new Map<string, number[]>();
      let count = 0;
      await consume(
        sqs,
        QueueUrl!,
        10,
        (m) => {
          count++;
          const g = m.Attributes!.MessageGroupId!;
          perGroup.set(g, [...(perGroup.get(g) ?? []), Number(m.Body)]);
        },
        () => count >= total,
      );
      assert.equal(count, total);
      for (const [g, bodies] of perGroup) {
        const expected = Array.from({ length: total / groups }, (_, k) => k * groups + Number(g.slice(1)));
        assert.deepEqual(bodies, expected, `group ${g} in order, each message once`);
      }
      assert.deepEqual(await counts(sqs, QueueUrl!), { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    } finally {
      await nimbus.stop();
    }
  },
);

test('kill -9 with messages in flight: after restart every sent, undeleted message is still there', { timeout: 120_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-kill-'));
  try {
    let server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    let sqs = new SQSClient(clientConfig(server.url));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '60' } }));
    const fifo = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: 'durable.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
      )
    ).QueueUrl!;
    await sendAll(sqs, QueueUrl!, 1000, () => ({}));
    const fifoIds: string[] = [];
    for (let i = 0; i < 20; i++)
      fifoIds.push((await sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: `f${i}`, MessageGroupId: 'g' }))).MessageId!);
    // 300 received and deleted, 200 received and in flight, 500 untouched
    const deleted = new Set<string>();
    const inFlight = new Set<string>();
    while (deleted.size + inFlight.size < 500) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (deleted.size < 300) {
        await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }),
        );
        Messages.forEach((m) => deleted.add(m.Body!));
      } else Messages.forEach((m) => inFlight.add(m.Body!));
    }
    await server.kill9();

    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    sqs = new SQSClient(clientConfig(server.url));
    assert.deepEqual(await counts(sqs, QueueUrl!), { ApproximateNumberOfMessages: '500', ApproximateNumberOfMessagesNotVisible: '200' });
    await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '61s' }) });
    const left = new Set<string>();
    for (;;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) break;
      Messages.forEach((m) => left.add(m.Body!));
    }
    assert.equal(left.size, 700);
    for (let i = 0; i < 1000; i++) assert.equal(left.has(String(i)), !deleted.has(String(i)), `message ${i}`);
    // FIFO order and deduplication survive too
    const again = await sqs.send(new SendMessageCommand({ QueueUrl: fifo, MessageBody: 'f0', MessageGroupId: 'g' }));
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: fifo, MaxNumberOfMessages: 10 }));
    assert.deepEqual(
      Messages.map((m) => m.Body),
      Array.from({ length: 10 }, (_, i) => `f${i}`),
    );
    assert.equal(again.MessageId, fifoIds[0], 'a resend within the deduplication window is dropped');
    await server.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
