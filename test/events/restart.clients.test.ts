// EventBridge's pending retries are part of the state: an API destination call that failed just
// before the server died (kill -9) is retried after the restart, once, and then not again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventBridgeClient,
  CreateConnectionCommand,
  CreateApiDestinationCommand,
  PutRuleCommand,
  PutTargetsCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { spawnServer, clientConfig } from '../helpers.js';

const until = async (cond: () => boolean, what: string, ms = 10_000) => {
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
const pendingRetries = async (url: string) =>
  ((await (await fetch(`${url}/_nimbus/events/retries`)).json()) as { pending: number }).pending;

test('a retry pending at kill -9 is made after the restart; a delivered event is not sent again', async () => {
  const statuses = [503, 200];
  const received: string[] = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req
      .on('data', (c) => (body += c))
      .on('end', () => {
        received.push(body);
        res.writeHead(statuses.shift() ?? 200).end();
      });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-events-restart-'));
  let server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const eb = new EventBridgeClient(clientConfig(server.url));
    const { ConnectionArn } = await eb.send(
      new CreateConnectionCommand({
        Name: 'c',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-k', ApiKeyValue: 'v' } },
      }),
    );
    const { ApiDestinationArn } = await eb.send(
      new CreateApiDestinationCommand({ Name: 'hook', ConnectionArn, InvocationEndpoint: hookUrl, HttpMethod: 'POST' }),
    );
    await eb.send(new PutRuleCommand({ Name: 'r', EventPattern: JSON.stringify({ source: ['durable'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'h', Arn: ApiDestinationArn, InputPath: '$.detail' }] }));
    await eb.send(new PutEventsCommand({ Entries: [{ Source: 'durable', DetailType: 'x', Detail: '{"keep":"me"}' }] }));
    await until(() => received.length === 1, 'the first attempt (503)');
    // the retry is recorded (and committed) once Nimbus has read the 503
    await untilAsync(async () => (await pendingRetries(server.url)) === 1, 'the retry to be recorded');
    await server.kill9();

    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1m' }) });
    await until(() => received.length === 2, 'the retry after the restart');
    assert.deepEqual(JSON.parse(received[1]), { keep: 'me' });

    await server.stop();
    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1h' }) });
    assert.equal(await pendingRetries(server.url), 0);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received.length, 2);
  } finally {
    await server.stop();
    await new Promise<void>((r) => hook.close(() => r()));
  }
});
