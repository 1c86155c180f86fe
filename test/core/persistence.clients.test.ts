// State survives a restart and a kill -9 when persistence is on; nothing survives in ephemeral mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { clientConfig, spawnServer } from '../helpers.js';

const assumeRole = async (url: string) => {
  const out = await new STSClient(clientConfig(url)).send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::123412341234:role/keeper', RoleSessionName: 'persist' }),
  );
  return {
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  };
};

const clock = async (url: string, advance?: string) => {
  const res = await fetch(`${url}/_nimbus/clock`, advance ? { method: 'POST', body: JSON.stringify({ advance }) } : undefined);
  return (await res.json()) as { offsetSeconds: number };
};

test('kill -9: issued credentials and the clock survive, verified against the same secret', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-persist-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  const creds = await assumeRole(first.url);
  assert.equal((await clock(first.url, '30m')).offsetSeconds, 1800); // the role session lasts an hour: still valid after this
  await first.kill9();

  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    assert.equal((await clock(second.url)).offsetSeconds, 1800);
    const me = await new STSClient(clientConfig(second.url, { credentials: creds })).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, 'arn:aws:sts::123412341234:assumed-role/keeper/persist');
    // the key is known after the restart, so a wrong secret is caught
    await assert.rejects(
      new STSClient(clientConfig(second.url, { credentials: { ...creds, secretAccessKey: 'forged' } })).send(
        new GetCallerIdentityCommand({}),
      ),
      { name: 'SignatureDoesNotMatch' },
    );
  } finally {
    await second.stop();
  }
});

test('NIMBUS_EPHEMERAL=1 keeps nothing across a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ephemeral-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn'], { NIMBUS_EPHEMERAL: '1' });
  const creds = await assumeRole(first.url);
  assert.equal((await clock(first.url, '1h')).offsetSeconds, 3600);
  await first.stop();

  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn'], { NIMBUS_EPHEMERAL: '1' });
  try {
    assert.equal((await clock(second.url)).offsetSeconds, 0);
    // an unknown key again: accepted unverified, in the default account
    const me = await new STSClient(clientConfig(second.url, { credentials: creds })).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Account, '000000000000');
  } finally {
    await second.stop();
  }
});

test('the log has a ready line and one line per request with service, operation, status, ms and request id', async () => {
  const server = await spawnServer(['--ephemeral']);
  let log = '';
  server.proc.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  try {
    const out = await new STSClient(clientConfig(server.url)).send(new GetCallerIdentityCommand({}));
    const line = new RegExp(`INFO  sts\\.GetCallerIdentity 200 \\d+\\.\\dms ${out.$metadata.requestId}`);
    // the line may reach the pipe just after the response: wait for it (bounded), then check it
    for (let i = 0; i < 250 && !line.test(log); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(log, line);
  } finally {
    await server.stop();
  }
});
