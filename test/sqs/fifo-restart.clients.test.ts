// SQS FIFO windows across a kill -9: the 5-minute deduplication window still ends on time for every
// id (whatever order the ids sort in), and a receive attempt id still replays its receive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { spawnServer, clientConfig } from '../helpers.js';

test(
  'after kill -9: expired deduplication ids are free again, live ones still deduplicate, attempts still replay',
  { timeout: 60_000 },
  async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-fifo-'));
    const start = () => spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    let server = await start();
    try {
      let sqs = new SQSClient(clientConfig(server.url));
      const advance = (by: string) => fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
      const Attributes = { FifoQueue: 'true' };
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'restart-dedup.fifo', Attributes }));
      const { QueueUrl: rx } = await sqs.send(new CreateQueueCommand({ QueueName: 'restart-attempt.fifo', Attributes }));
      const send = (MessageDeduplicationId: string, Url = QueueUrl) =>
        sqs.send(
          new SendMessageCommand({ QueueUrl: Url, MessageBody: MessageDeduplicationId, MessageGroupId: 'g', MessageDeduplicationId }),
        );
      const receive = () =>
        sqs.send(new ReceiveMessageCommand({ QueueUrl: rx, ReceiveRequestAttemptId: 'before-crash' })).then((r) => r.Messages ?? []);

      const old = await send('z-old'); // sorts after the newer id
      await advance('2m');
      const young = await send('a-young');
      await send('r1', rx);
      const [first] = await receive();
      await server.kill9();

      server = await start();
      sqs = new SQSClient(clientConfig(server.url));
      const [again] = await receive();
      assert.equal(again.ReceiptHandle, first.ReceiptHandle);
      await advance('4m'); // z-old is 6 minutes old, a-young 4
      assert.notEqual((await send('z-old')).MessageId, old.MessageId);
      assert.equal((await send('a-young')).MessageId, young.MessageId);
    } finally {
      await server.stop();
    }
  },
);
