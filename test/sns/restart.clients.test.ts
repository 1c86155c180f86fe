// SNS HTTP/S deliveries are part of the state: a retry pending when the server dies (kill -9) is made
// after the restart, on the virtual clock, and a delivered message is not sent again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SNSClient, CreateTopicCommand, SubscribeCommand, ConfirmSubscriptionCommand, PublishCommand } from '@aws-sdk/client-sns';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, clientConfig } from '../helpers.js';

const until = async (cond: () => boolean, what: string, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const untilAsync = async (cond: () => Promise<boolean>, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const httpDeliveries = async (url: string) =>
  ((await (await fetch(`${url}/_nimbus/sns/http-deliveries`)).json()) as { deliveries: { attempt: number }[] }).deliveries;

test('an HTTP retry pending at kill -9 is delivered after the restart; a delivered one is not repeated', async () => {
  const statuses = [200, 503, 200];
  const received: Array<{ type: string; body: string }> = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req
      .on('data', (c) => (body += c))
      .on('end', () => {
        received.push({ type: String(req.headers['x-amz-sns-message-type']), body });
        res.writeHead(statuses.shift() ?? 200).end();
      });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sns-restart-'));
  let server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const sns = new SNSClient(clientConfig(server.url));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'durable-hooks' }));
    const policy = { healthyRetryPolicy: { numRetries: 3, minDelayTarget: 60, maxDelayTarget: 60 } };
    await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hookUrl, Attributes: { DeliveryPolicy: JSON.stringify(policy) } }),
    );
    await until(() => received.length === 1, 'the subscription confirmation');
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: JSON.parse(received[0].body).Token }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'survives' }));
    await until(() => received.length === 2, 'the first attempt (503)');
    // the retry is recorded (attempt 1, due in 60 s) once Nimbus has read the 503
    await untilAsync(async () => (await httpDeliveries(server.url))[0]?.attempt === 1, 'the retry to be recorded');
    await server.kill9();

    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    assert.equal(received.length, 2, 'nothing is retried before its time');
    await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '61s' }) });
    await until(() => received.length === 3, 'the retry after the restart');
    assert.equal(received[2].type, 'Notification');
    assert.equal(JSON.parse(received[2].body).MessageId, MessageId);
    assert.equal(JSON.parse(received[2].body).Message, 'survives');

    // delivered: a second restart and more virtual time send nothing again
    await server.stop();
    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '10m' }) });
    assert.deepEqual(await httpDeliveries(server.url), []);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received.length, 3);
  } finally {
    await server.stop();
    await new Promise<void>((r) => hook.close(() => r()));
  }
});
