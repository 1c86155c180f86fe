// SQS message move tasks across restarts: a task running when the server is killed (or stopped)
// resumes at the next start with its counts, its handle still cancels it, and it still blocks a
// second task on the same source. Servers run as child processes with persistence (spawnServer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  GetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  CancelMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
} from '@aws-sdk/client-sqs';
import { spawnServer, clientConfig, rejects, type ServerProcess } from '../helpers.js';

const start = (dataDir: string) => spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);

/** A source queue whose `count` messages all went to its dead-letter queue. */
async function deadLettered(server: ServerProcess, sqs: SQSClient, count: number) {
  const { QueueUrl: dlq } = await sqs.send(new CreateQueueCommand({ QueueName: 'tasks-dlq' }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const { QueueUrl: src } = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'tasks-src',
      Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) },
    }),
  );
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: src,
      Entries: Array.from({ length: count }, (_, i) => ({ Id: `m${i}`, MessageBody: `m${i}` })),
    }),
  );
  await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 10 }));
  await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '2s' }) });
  assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 10 }))).Messages, undefined);
  return { dlq: dlq!, dlqArn, src: src! };
}

const visible = async (sqs: SQSClient, QueueUrl: string) =>
  Number(
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!
      .ApproximateNumberOfMessages,
  );

/** Polls the source's latest task until `done` holds (a task moves one message a second at rate 1). */
async function until(
  sqs: SQSClient,
  SourceArn: string,
  done: (t: ListMessageMoveTasksResultEntry) => boolean,
): Promise<ListMessageMoveTasksResultEntry> {
  for (;;) {
    const [t] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn }))).Results ?? [];
    if (t && done(t)) return t;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a task running at kill -9 resumes after the restart, counts kept, and completes', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-tasks-'));
  let server = await start(dataDir);
  try {
    let sqs = new SQSClient(clientConfig(server.url));
    const { dlq, dlqArn, src } = await deadLettered(server, sqs, 4);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    const before = await until(sqs, dlqArn, (t) => t.ApproximateNumberOfMessagesMoved! >= 1);
    assert.equal(before.Status, 'RUNNING');
    await server.kill9();

    server = await start(dataDir);
    sqs = new SQSClient(clientConfig(server.url));
    const [resumed] = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results!;
    assert.equal(resumed.TaskHandle, TaskHandle);
    assert.ok(resumed.ApproximateNumberOfMessagesMoved! >= before.ApproximateNumberOfMessagesMoved!);
    assert.equal(resumed.ApproximateNumberOfMessagesToMove, 4);
    assert.equal(resumed.MaxNumberOfMessagesPerSecond, 1);
    const done = await until(sqs, dlqArn, (t) => t.Status !== 'RUNNING');
    assert.equal(done.Status, 'COMPLETED');
    assert.equal(done.ApproximateNumberOfMessagesMoved, 4);
    assert.equal(done.TaskHandle, undefined);
    assert.equal(await visible(sqs, dlq), 0);
    assert.equal(await visible(sqs, src), 4);
  } finally {
    await server.stop();
  }
});

test('after a stop and start, a resumed task still blocks a second one and its old handle cancels it', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-tasks-'));
  let server = await start(dataDir);
  try {
    let sqs = new SQSClient(clientConfig(server.url));
    const { dlq, dlqArn } = await deadLettered(server, sqs, 10);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    await server.stop();

    server = await start(dataDir);
    sqs = new SQSClient(clientConfig(server.url));
    await rejects(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })), 'InvalidParameterValue', 400, (e) =>
      assert.equal(e.message, 'There is already a task running. Only one active task is allowed for a source queue arn at a given time.'),
    );
    const { ApproximateNumberOfMessagesMoved: moved } = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    assert.ok(moved! < 10);
    const t = await until(sqs, dlqArn, (x) => x.Status !== 'RUNNING' && x.Status !== 'CANCELLING');
    assert.equal(t.Status, 'CANCELLED');
    assert.ok((await visible(sqs, dlq)) > 0);
    // once it ended, a new task may start and a second cancel finds nothing
    await rejects(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle })), 'ResourceNotFoundException', 404);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    const last = await until(sqs, dlqArn, (x) => x.Status === 'COMPLETED');
    assert.equal(last.ApproximateNumberOfMessagesMoved, t.ApproximateNumberOfMessagesToMove! - t.ApproximateNumberOfMessagesMoved!);
    assert.equal(await visible(sqs, dlq), 0);
  } finally {
    await server.stop();
  }
});

test('a task cancelled just before kill -9 is CANCELLED after the restart, never resumed', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-tasks-'));
  let server = await start(dataDir);
  try {
    let sqs = new SQSClient(clientConfig(server.url));
    const { dlq, dlqArn } = await deadLettered(server, sqs, 10);
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    await server.kill9(); // whether or not a step ran in between, the cancel was acknowledged

    server = await start(dataDir);
    sqs = new SQSClient(clientConfig(server.url));
    const t = await until(sqs, dlqArn, (x) => x.Status !== 'CANCELLING');
    assert.equal(t.Status, 'CANCELLED');
    const left = await visible(sqs, dlq);
    assert.equal(left, 10 - t.ApproximateNumberOfMessagesMoved!);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    await until(sqs, dlqArn, (x) => x.Status === 'COMPLETED');
  } finally {
    await server.stop();
  }
});
