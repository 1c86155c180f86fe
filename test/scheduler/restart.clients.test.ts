// Scheduler's schedules and their pending firings survive a kill -9: a schedule made before the
// restart fires after it when the clock is advanced. The X-Ray daemon's UDP port follows
// NIMBUS_XRAY_DAEMON_PORT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerClient, CreateScheduleCommand, GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { XRayClient, BatchGetTracesCommand } from '@aws-sdk/client-xray';
import { advanceClock, clientConfig, spawnServer } from '../helpers.js';

test('a schedule made before a kill -9 fires after the restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-scheduler-'));
  const start = () => spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  let s = await start();
  try {
    const sqs = new SQSClient(clientConfig(s.url));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'after-restart' }));
    const sch = new SchedulerClient(clientConfig(s.url));
    await sch.send(
      new CreateScheduleCommand({
        Name: 'daily',
        ScheduleExpression: 'cron(0 6 * * ? *)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:after-restart', RoleArn: 'arn:aws:iam::000000000000:role/s', Input: 'morning' },
      }),
    );
    await s.kill9();
    s = await start();
    const sch2 = new SchedulerClient(clientConfig(s.url));
    assert.equal((await sch2.send(new GetScheduleCommand({ Name: 'daily' }))).ScheduleExpression, 'cron(0 6 * * ? *)');
    await advanceClock(s.url, '1d');
    const { Messages = [] } = await new SQSClient(clientConfig(s.url)).send(
      new ReceiveMessageCommand({ QueueUrl: QueueUrl!.replace(/^http:\/\/[^/]+/, s.url), MaxNumberOfMessages: 10 }),
    );
    assert.deepEqual(
      Messages.map((m) => m.Body),
      ['morning'],
    );
  } finally {
    await s.stop();
  }
});

test("NIMBUS_XRAY_DAEMON_PORT sets the daemon's UDP port", async () => {
  const probe = createSocket('udp4');
  const port = await new Promise<number>((resolve) => probe.bind(0, '127.0.0.1', () => resolve(probe.address().port)));
  probe.close();
  const s = await spawnServer(['--ephemeral', '--log-level', 'warn'], { NIMBUS_XRAY_DAEMON_PORT: String(port) });
  try {
    const info = (await (await fetch(`${s.url}/_nimbus/xray/daemon`)).json()) as { port: number };
    assert.equal(info.port, port);
    const id = `1-${Math.floor(Date.now() / 1000).toString(16)}-${'c'.repeat(24)}`;
    const now = Date.now() / 1000;
    const sock = createSocket('udp4');
    await new Promise((r) =>
      sock.send(
        `{"format":"json","version":1}\n${JSON.stringify({ id: 'c'.repeat(16), trace_id: id, name: 'envport', start_time: now, end_time: now + 1 })}`,
        port,
        '127.0.0.1',
        r,
      ),
    );
    sock.close();
    const xray = new XRayClient(clientConfig(s.url));
    let n = 0;
    for (let i = 0; i < 100 && !n; i++) {
      n = (await xray.send(new BatchGetTracesCommand({ TraceIds: [id] }))).Traces!.length;
      if (!n) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(n, 1);
  } finally {
    await s.stop();
  }
});
