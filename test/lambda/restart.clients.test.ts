// Asynchronous invocations are durable: queued ones survive a kill -9 and run after the restart;
// the function's code (stored by hash in the data directory) is there too; provisioned concurrency
// environments are started again by the restarted server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  DeleteFunctionConcurrencyCommand,
  PublishVersionCommand,
  CreateAliasCommand,
  PutProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { spawnServer, clientConfig, advanceClock } from '../helpers.js';
import { lambdaClient, createFunction, decode } from '../lambda-helpers.js';

test('Event invocations queued at a kill -9 run after the restart, each once', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-restart-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  let second: Awaited<ReturnType<typeof spawnServer>> | undefined;
  try {
    const sqs = new SQSClient(clientConfig(first.url));
    await sqs.send(new CreateQueueCommand({ QueueName: 'out' }));
    const c = lambdaClient(first.url);
    await createFunction(
      c,
      'durable',
      'nodejs20.x',
      'index.handler',
      {
        'index.js': `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
exports.handler = async (e) => { await new SQSClient({}).send(new SendMessageCommand({ QueueUrl: process.env.AWS_ENDPOINT_URL + '/000000000000/out', MessageBody: String(e.n) })); };`,
      },
      { Timeout: 30 },
    );
    // reserved concurrency 0: the invocations stay queued (throttled) until the restart
    await c.send(new PutFunctionConcurrencyCommand({ FunctionName: 'durable', ReservedConcurrentExecutions: 0 }));
    for (const n of [1, 2, 3])
      assert.equal(
        (await c.send(new InvokeCommand({ FunctionName: 'durable', InvocationType: 'Event', Payload: Buffer.from(`{"n":${n}}`) })))
          .StatusCode,
        202,
      );
    await first.kill9();

    second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    const c2 = lambdaClient(second.url);
    await c2.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'durable' }));
    const sqs2 = new SQSClient(clientConfig(second.url));
    const got: string[] = [];
    for (let i = 0; i < 30 && got.length < 3; i++) {
      const r = await sqs2.send(
        new ReceiveMessageCommand({ QueueUrl: `${second.url}/000000000000/out`, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
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

/** The next message of a queue (long polls until one comes), deleted. */
async function nextMessage(sqs: SQSClient, queueUrl: string): Promise<string> {
  for (let i = 0; i < 30; i++) {
    const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }))).Messages?.[0];
    if (m) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      return m.Body!;
    }
  }
  throw new Error(`nothing on ${queueUrl}`);
}

test('provisioned concurrency environments are started again after a restart: READY, warm before the first call', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-provisioned-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  let second: Awaited<ReturnType<typeof spawnServer>> | undefined;
  try {
    await new SQSClient(clientConfig(first.url)).send(new CreateQueueCommand({ QueueName: 'inits' }));
    const c = lambdaClient(first.url);
    // the environment's init (module load) reports itself: it ran before any invocation came
    await createFunction(
      c,
      'kept-warm',
      'nodejs20.x',
      'index.handler',
      {
        'index.js': `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const init = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
const reported = new SQSClient({}).send(new SendMessageCommand({ QueueUrl: process.env.AWS_ENDPOINT_URL + '/000000000000/inits', MessageBody: init }));
exports.handler = async () => { await reported; return { init }; };`,
      },
      { Timeout: 30 },
    );
    await c.send(new PublishVersionCommand({ FunctionName: 'kept-warm' }));
    await c.send(new CreateAliasCommand({ FunctionName: 'kept-warm', Name: 'live', FunctionVersion: '1' }));
    await c.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'kept-warm', Qualifier: 'live', ProvisionedConcurrentExecutions: 1 }),
    );
    await advanceClock(first.url, '1m');
    assert.equal(await nextMessage(new SQSClient(clientConfig(first.url)), `${first.url}/000000000000/inits`), 'provisioned-concurrency');
    await first.stop();

    second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    const sqs2 = new SQSClient(clientConfig(second.url));
    assert.equal(await nextMessage(sqs2, `${second.url}/000000000000/inits`), 'provisioned-concurrency');
    const c2 = lambdaClient(second.url);
    const got = await c2.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'kept-warm', Qualifier: 'live' }));
    assert.equal(got.Status, 'READY');
    assert.equal(got.AvailableProvisionedConcurrentExecutions, 1);
    const r = await c2.send(new InvokeCommand({ FunctionName: 'kept-warm', Qualifier: 'live', LogType: 'Tail' }));
    assert.deepEqual(JSON.parse(decode(r.Payload)), { init: 'provisioned-concurrency' });
    assert.doesNotMatch(Buffer.from(r.LogResult!, 'base64').toString(), /Init Duration/);
  } finally {
    await first.stop();
    await second?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
