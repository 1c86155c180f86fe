// Asynchronous invocations are durable: queued ones survive a kill -9 and run after the restart;
// the function's code (stored by hash in the data directory) is there too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, PutFunctionConcurrencyCommand, DeleteFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { spawnServer, clientConfig } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

test('Event invocations queued at a kill -9 run after the restart, each once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-restart-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  let second: Awaited<ReturnType<typeof spawnServer>> | undefined;
  try {
    const sqs = new SQSClient(clientConfig(first.url));
    await sqs.send(new CreateQueueCommand({ QueueName: 'out' }));
    const c = lambdaClient(first.url);
    await createFunction(c, 'durable', 'nodejs20.x', 'index.handler', {
      'index.js': `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
exports.handler = async (e) => { await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: process.env.AWS_ENDPOINT_URL + '/000000000000/out', MessageBody: String(e.n) })); };`,
    }, { Timeout: 30 });
    // reserved concurrency 0: the invocations stay queued (throttled) until the restart
    await c.send(new PutFunctionConcurrencyCommand({ FunctionName: 'durable', ReservedConcurrentExecutions: 0 }));
    for (const n of [1, 2, 3]) assert.equal((await c.send(new InvokeCommand({ FunctionName: 'durable', InvocationType: 'Event', Payload: Buffer.from(`{"n":${n}}`) }))).StatusCode, 202);
    await first.kill9();

    second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    const c2 = lambdaClient(second.url);
    await c2.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'durable' }));
    const sqs2 = new SQSClient(clientConfig(second.url));
    const got: string[] = [];
    for (let i = 0; i < 30 && got.length < 3; i++) {
      const r = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: `${second.url}/000000000000/out`, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of r.Messages ?? []) {
        got.push(m.Body!);
        await sqs2.send(new DeleteMessageCommand({ QueueUrl: `${second.url}/000000000000/out`, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    assert.deepEqual(got.sort(), ['1', '2', '3']);
    const more = await sqs2.send(new ReceiveMessageCommand({ QueueUrl: `${second.url}/000000000000/out`, WaitTimeSeconds: 2 }));
    assert.equal(more.Messages, undefined);
  } finally {
    await first.stop();
    await second?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
