// The admin API, configuration, CORS, request ids and presigned requests on the virtual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { STSClient, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig } from '../helpers.js';
import { loadConfig } from '../../src/config.js';

const nimbus = serverForFile();

const admin = (path: string, init?: RequestInit) => fetch(`${nimbus.url}/_nimbus/${path}`, init);

test('GET /_nimbus/health: 200 JSON with status and each service', async () => {
  const res = await admin('health');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { status: string; services: Record<string, { state: string; operations: number }> };
  assert.equal(body.status, 'running');
  // every registered service, each with the number of operations it serves
  const { services } = await import('../../src/services/registry.js');
  assert.deepEqual(Object.keys(body.services).sort(), services.map((s) => s.name).sort());
  for (const [name, s] of Object.entries(body.services)) {
    assert.equal(s.state, 'running', name);
    assert.ok(Number.isInteger(s.operations) && s.operations > 0, `${name} serves operations`);
  }
});

test('the clock: reads, advances by durations, refuses to go back or nonsense', async () => {
  const before = (await (await admin('clock')).json()) as { epochMs: number; offsetSeconds: number };
  const res = await admin('clock', { method: 'POST', body: JSON.stringify({ advance: '2h' }) });
  assert.equal(res.status, 200);
  const after = (await res.json()) as { epochMs: number; offsetSeconds: number };
  assert.equal(after.offsetSeconds - before.offsetSeconds, 7200);
  assert.ok(after.epochMs - before.epochMs >= 7200_000);
  for (const bad of [{ advance: '-5s' }, { advance: 'soon' }, {}]) {
    const r = await admin('clock', { method: 'POST', body: JSON.stringify(bad) });
    assert.equal(r.status, 400, JSON.stringify(bad));
  }
  assert.equal((await admin('clock', { method: 'POST', body: '{not json' })).status, 400);
  const now = (await (await admin('clock')).json()) as { offsetSeconds: number };
  assert.equal(now.offsetSeconds, after.offsetSeconds, 'refused requests leave the clock where it was');
});

test('POST /_nimbus/reset forgets issued credentials', async () => {
  const sts = new STSClient(clientConfig(nimbus.url, { credentials: { accessKeyId: '123456789012', secretAccessKey: 'x' } }));
  const { Credentials: c } = await sts.send(new GetSessionTokenCommand({}));
  const session = new STSClient(
    clientConfig(nimbus.url, {
      credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: 'not-the-secret', sessionToken: c!.SessionToken! },
    }),
  );
  // known key, wrong secret: refused
  await assert.rejects(session.send(new GetCallerIdentityCommand({})), { name: 'SignatureDoesNotMatch' });
  assert.equal((await admin('reset', { method: 'POST' })).status, 200);
  // after the reset the key is unknown again, so accepted unverified as the default account
  const me = await session.send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, '000000000000');
});

test('an unknown admin route is a JSON 404', async () => {
  const res = await admin('nope');
  assert.equal(res.status, 404);
  assert.match(((await res.json()) as { error: string }).error, /no admin route/);
});

test('CORS: a browser preflight is answered and responses carry the origin', async () => {
  const pre = await fetch(`${nimbus.url}/`, {
    method: 'OPTIONS',
    headers: {
      origin: 'http://app.local',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'x-amz-date,authorization',
    },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'http://app.local');
  assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'x-amz-date,authorization');
  const res = await fetch(`${nimbus.url}/`, {
    method: 'POST',
    headers: { origin: 'http://app.local', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), 'http://app.local');
});

test('request ids: x-amzn-RequestId on AWS responses, matching the body of query responses', async () => {
  const res = await fetch(`${nimbus.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  const id = res.headers.get('x-amzn-requestid');
  assert.match(id ?? '', /^[0-9a-f-]{36}$/);
  assert.ok((await res.text()).includes(`<RequestId>${id}</RequestId>`));
});

test('presigned STS GetCallerIdentity: valid until 15 minutes of virtual time have passed', async () => {
  const sts = new STSClient(clientConfig(nimbus.url));
  const { Credentials: c } = await sts.send(new GetSessionTokenCommand({}));
  const signer = new SignatureV4({
    service: 'sts',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! },
  });
  const { port } = new URL(nimbus.url);
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: Number(port),
    path: '/',
    query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    headers: { host: `127.0.0.1:${port}` },
  });
  const signed = await signer.presign(request, { expiresIn: 900 });
  const url = `${nimbus.url}/?${Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')}`;

  const ok = await fetch(url);
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /<Arn>arn:aws:iam::000000000000:root<\/Arn>/);

  const tampered = await fetch(url.replace('Version=2011-06-15', 'Version=2011-06-16'));
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);

  await admin('clock', { method: 'POST', body: JSON.stringify({ advance: '16m' }) });
  const late = await fetch(url);
  assert.equal(late.status, 403);
  assert.match(await late.text(), /Signature expired/);
});

test('a request signed an hour ago is refused as expired (real clock)', async () => {
  const { Credentials: c } = await new STSClient(clientConfig(nimbus.url)).send(new GetSessionTokenCommand({}));
  const skewed = new STSClient(
    clientConfig(nimbus.url, {
      credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! },
      systemClockOffset: -3600_000,
      maxAttempts: 1,
    }),
  );
  await assert.rejects(skewed.send(new GetCallerIdentityCommand({})), (e: Error) => {
    assert.equal(e.name, 'SignatureDoesNotMatch');
    assert.match(e.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    return true;
  });
});

test('config: flags win over NIMBUS_ variables, which win over LocalStack ones', () => {
  const c = loadConfig(['--port', '5000'], { NIMBUS_PORT: '6000', GATEWAY_LISTEN: '0.0.0.0:7000', PERSISTENCE: '0' });
  assert.ok(c !== 'help');
  assert.equal(c.port, 5000);
  assert.equal(c.host, '0.0.0.0');
  assert.equal(c.ephemeral, true);
  const d = loadConfig([], { NIMBUS_PORT: '6000', NIMBUS_EPHEMERAL: '0', PERSISTENCE: '0', ENFORCE_IAM: '1', DEBUG: '1' });
  assert.ok(d !== 'help');
  assert.deepEqual(
    [d.port, d.ephemeral, d.enforceIam, d.logLevel, d.dataDir, d.host],
    [6000, false, true, 'debug', './.nimbus', '127.0.0.1'],
  );
  assert.throws(() => loadConfig(['--port', 'x'], {}), /invalid port/);
  assert.throws(() => loadConfig(['--log-level', 'loud'], {}), /invalid log level/);
  assert.throws(() => loadConfig(['--bogus'], {}), /bogus/);
});

test('nimbus --help documents every option and variable', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['dist/src/main.js', '--help']);
  for (const word of [
    '--port',
    '--host',
    '--data-dir',
    '--ephemeral',
    '--enforce-iam',
    '--log-level',
    'NIMBUS_PORT',
    'NIMBUS_HOST',
    'NIMBUS_DATA_DIR',
    'NIMBUS_EPHEMERAL',
    'NIMBUS_ENFORCE_IAM',
    'NIMBUS_LOG_LEVEL',
    'GATEWAY_LISTEN',
    'PERSISTENCE',
    '/_nimbus/clock',
  ]) {
    assert.ok(stdout.includes(word), word);
  }
});
