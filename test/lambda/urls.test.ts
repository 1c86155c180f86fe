// Function URLs: the config operations (SDK v3), then the URL itself with plain HTTP clients: the
// payload format 2.0 event, response mapping, CORS, AWS_IAM signatures, streamed responses, and the
// URL gone with its function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionUrlConfigCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
  ListFunctionUrlConfigsCommand,
  PublishVersionCommand,
  UpdateFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { STSClient, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { serverForFile, rejects, clientConfig } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

const server = serverForFile();
const client = () => lambdaClient(server.url);

// answers with what it was asked (the event), shaped by the event's query
const ECHO = {
  'index.js': `exports.handler = async (event) => {
    const q = event.queryStringParameters || {};
    if (q.mode === 'string') return 'plain words';
    if (q.mode === 'object') return { just: 'json' };
    if (q.mode === 'fail') throw new Error('nope');
    if (q.mode === 'binary') return { statusCode: 200, headers: { 'content-type': 'image/png' }, body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true };
    return { statusCode: 201, headers: { 'x-echo': 'yes' }, cookies: ['a=1; Path=/', 'b=2'], body: JSON.stringify(event) };
  };`,
};

const pathUrl = (url: string) => `${server.url}/_nimbus/lambda-url/${new URL(url).hostname.split('.')[0]}`;

test('CreateFunctionUrlConfig/Get/Update/List/Delete, on the function and on an alias, with AWS errors', async () => {
  const c = client();
  await createFunction(c, 'urlcrud', 'nodejs20.x', 'index.handler', ECHO);
  const created = await c.send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: 'urlcrud',
      AuthType: 'NONE',
      Cors: { AllowOrigins: ['https://a.example'], AllowMethods: ['get', 'POST'] },
    }),
  );
  const port = new URL(server.url).port;
  assert.match(created.FunctionUrl!, new RegExp(`^http://[a-z0-9]{32}\\.lambda-url\\.us-east-1\\.localhost:${port}/$`));
  assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:urlcrud');
  assert.equal(created.InvokeMode, 'BUFFERED');
  assert.deepEqual(created.Cors?.AllowMethods, ['GET', 'POST']);
  await rejects(
    c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlcrud', AuthType: 'NONE' })),
    'ResourceConflictException',
    409,
  );
  const got = await c.send(new GetFunctionUrlConfigCommand({ FunctionName: 'urlcrud' }));
  assert.equal(got.FunctionUrl, created.FunctionUrl);
  assert.equal(got.AuthType, 'NONE');
  const upd = await c.send(
    new UpdateFunctionUrlConfigCommand({ FunctionName: 'urlcrud', AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' }),
  );
  assert.equal(upd.AuthType, 'AWS_IAM');
  assert.equal(upd.InvokeMode, 'RESPONSE_STREAM');
  assert.deepEqual(upd.Cors?.AllowOrigins, ['https://a.example']);

  await c.send(new PublishVersionCommand({ FunctionName: 'urlcrud' }));
  await c.send(new CreateAliasCommand({ FunctionName: 'urlcrud', Name: 'live', FunctionVersion: '1' }));
  const onAlias = await c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlcrud', Qualifier: 'live', AuthType: 'NONE' }));
  assert.equal(onAlias.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:urlcrud:live');
  assert.notEqual(onAlias.FunctionUrl, created.FunctionUrl);
  const list = await c.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'urlcrud' }));
  assert.equal(list.FunctionUrlConfigs?.length, 2);
  const page = await c.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'urlcrud', MaxItems: 1 }));
  assert.equal(page.FunctionUrlConfigs?.length, 1);
  const page2 = await c.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'urlcrud', MaxItems: 1, Marker: page.NextMarker }));
  assert.equal(page2.FunctionUrlConfigs?.length, 1);
  assert.equal(page2.NextMarker, undefined);

  await rejects(
    c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlcrud', Qualifier: 'nosuch', AuthType: 'NONE' })),
    'ResourceNotFoundException',
    404,
  );
  await rejects(
    c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlcrud', AuthType: 'NONE', Cors: { AllowMethods: ['FETCH'] } })),
    'InvalidParameterValueException',
    400,
  );
  await rejects(
    c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlcrud', AuthType: 'SOMETIMES' as 'NONE' })),
    'ValidationException',
    400,
  );
  await rejects(c.send(new GetFunctionUrlConfigCommand({ FunctionName: 'nofunction' })), 'ResourceNotFoundException', 404);

  await c.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'urlcrud', Qualifier: 'live' }));
  await rejects(c.send(new GetFunctionUrlConfigCommand({ FunctionName: 'urlcrud', Qualifier: 'live' })), 'ResourceNotFoundException', 404);
  await rejects(
    c.send(new DeleteFunctionUrlConfigCommand({ FunctionName: 'urlcrud', Qualifier: 'live' })),
    'ResourceNotFoundException',
    404,
  );
  assert.equal((await fetch(pathUrl(onAlias.FunctionUrl!))).status, 403);
});

test('a NONE URL turns the request into the 2.0 event and maps statusCode, headers, cookies and body back', async () => {
  const c = client();
  await createFunction(c, 'urlecho', 'nodejs20.x', 'index.handler', ECHO);
  const { FunctionUrl } = await c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlecho', AuthType: 'NONE' }));
  const urlId = new URL(FunctionUrl!).hostname.split('.')[0];
  const res = await fetch(`${pathUrl(FunctionUrl!)}/orders/7?x=1&x=2&y=z`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: 'sid=abc; theme=dark', 'x-custom': 'v' },
    body: '{"item":"tea"}',
  });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-echo'), 'yes');
  assert.deepEqual(res.headers.getSetCookie(), ['a=1; Path=/', 'b=2']);
  const event = await res.json();
  assert.equal(event.version, '2.0');
  assert.equal(event.routeKey, '$default');
  assert.equal(event.rawPath, '/orders/7');
  assert.equal(event.rawQueryString, 'x=1&x=2&y=z');
  assert.deepEqual(event.queryStringParameters, { x: '1,2', y: 'z' });
  assert.deepEqual(event.cookies, ['sid=abc', 'theme=dark']);
  assert.equal(event.headers['x-custom'], 'v');
  assert.equal(event.headers.cookie, undefined);
  assert.equal(event.body, '{"item":"tea"}');
  assert.equal(event.isBase64Encoded, false);
  assert.equal(event.requestContext.http.method, 'POST');
  assert.equal(event.requestContext.http.path, '/orders/7');
  assert.equal(event.requestContext.apiId, urlId);
  assert.equal(event.requestContext.domainPrefix, urlId);
  assert.match(event.requestContext.time, /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);

  const bin = await fetch(`${pathUrl(FunctionUrl!)}/up`, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.from([9, 8, 7]),
  });
  const binEvent = await bin.json();
  assert.equal(binEvent.isBase64Encoded, true);
  assert.deepEqual(Buffer.from(binEvent.body, 'base64'), Buffer.from([9, 8, 7]));

  const s = await fetch(`${pathUrl(FunctionUrl!)}/?mode=string`);
  assert.equal(s.status, 200);
  assert.equal(s.headers.get('content-type'), 'application/json');
  assert.equal(await s.text(), 'plain words');
  assert.deepEqual(await (await fetch(`${pathUrl(FunctionUrl!)}/?mode=object`)).json(), { just: 'json' });
  const b = await fetch(`${pathUrl(FunctionUrl!)}/?mode=binary`);
  assert.equal(b.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await b.arrayBuffer()), Buffer.from([0, 1, 2, 255]));
  const f = await fetch(`${pathUrl(FunctionUrl!)}/?mode=fail`);
  assert.equal(f.status, 502);

  // the host form: <url-id>.lambda-url.<region>.localhost, reached here through a Host header
  const hostForm = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const u = new URL(server.url);
    const req = http.request(
      { host: u.hostname, port: u.port, path: '/from/host?mode=x', headers: { host: new URL(FunctionUrl!).host } },
      (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode!, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
  assert.equal(hostForm.status, 201);
  assert.equal(JSON.parse(hostForm.body).rawPath, '/from/host');
});

test('CORS: a preflight is answered from the configuration; an actual request carries the allowed origin', async () => {
  const c = client();
  await createFunction(c, 'urlcors', 'nodejs20.x', 'index.handler', ECHO);
  const { FunctionUrl } = await c.send(
    new CreateFunctionUrlConfigCommand({
      FunctionName: 'urlcors',
      AuthType: 'NONE',
      Cors: {
        AllowOrigins: ['https://app.example'],
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: ['content-type', 'x-token'],
        ExposeHeaders: ['x-echo'],
        MaxAge: 600,
        AllowCredentials: true,
      },
    }),
  );
  const base = pathUrl(FunctionUrl!);
  const pre = await fetch(`${base}/thing`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'X-Token' },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal(pre.headers.get('access-control-allow-methods'), 'GET,POST');
  assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type,x-token');
  assert.equal(pre.headers.get('access-control-max-age'), '600');
  assert.equal(pre.headers.get('access-control-allow-credentials'), 'true');
  const refused = await fetch(`${base}/thing`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  const badMethod = await fetch(`${base}/thing`, {
    method: 'OPTIONS',
    headers: { origin: 'https://app.example', 'access-control-request-method': 'DELETE' },
  });
  assert.equal(badMethod.headers.get('access-control-allow-origin'), null);
  const actual = await fetch(`${base}/thing`, { headers: { origin: 'https://app.example' } });
  assert.equal(actual.status, 201);
  assert.equal(actual.headers.get('access-control-allow-origin'), 'https://app.example');
  assert.equal(actual.headers.get('access-control-expose-headers'), 'x-echo');
});

async function signedFetch(url: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, body = '') {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'lambda', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query: {},
    headers: { host: u.host, 'content-type': 'application/json' },
    body,
  });
  return fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
}

test('AWS_IAM refuses unsigned and wrongly signed requests with 403; a signed one reaches the function with the caller', async () => {
  const c = client();
  await createFunction(c, 'urliam', 'nodejs20.x', 'index.handler', ECHO);
  const { FunctionUrl } = await c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urliam', AuthType: 'AWS_IAM' }));
  const url = `${pathUrl(FunctionUrl!)}/secure`;
  const unsigned = await fetch(url, { method: 'POST', body: '{}' });
  assert.equal(unsigned.status, 403);
  assert.deepEqual(await unsigned.json(), { Message: 'Forbidden' });
  // credentials Nimbus issued: their signatures are recomputed
  const sts = new STSClient(clientConfig(server.url));
  const { Credentials } = await sts.send(new GetSessionTokenCommand({}));
  const creds = {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
  const ok = await signedFetch(url, creds, '{"a":1}');
  assert.equal(ok.status, 201);
  const event = await ok.json();
  assert.equal(event.requestContext.authorizer.iam.accessKey, creds.accessKeyId);
  assert.equal(event.requestContext.authorizer.iam.accountId, '000000000000');
  assert.equal(event.body, '{"a":1}');
  const wrong = await signedFetch(url, { ...creds, secretAccessKey: 'not-the-secret' }, '{}');
  assert.equal(wrong.status, 403);
});

test('RESPONSE_STREAM: HttpResponseStream.from sets status and headers, chunks reach the client while the function writes', async () => {
  const c = client();
  await createFunction(c, 'urlstream', 'nodejs20.x', 'index.handler', {
    'index.mjs': `import { existsSync } from 'node:fs';
const until = async (f) => { while (!existsSync(f)) await new Promise((r) => setTimeout(r, 5)); };
export const handler = awslambda.streamifyResponse(async (event, stream) => {
  const gate = event.queryStringParameters.gate;
  stream = awslambda.HttpResponseStream.from(stream, { statusCode: 207, headers: { 'content-type': 'text/plain', 'x-streamed': '1' }, cookies: ['s=1'] });
  stream.write('first;');
  await until(gate);
  stream.write('second');
  stream.end();
});`,
  });
  const { FunctionUrl } = await c.send(
    new CreateFunctionUrlConfigCommand({ FunctionName: 'urlstream', AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' }),
  );
  const gate = join(mkdtempSync(join(tmpdir(), 'nimbus-url-')), 'gate');
  const res = await fetch(`${pathUrl(FunctionUrl!)}/?gate=${encodeURIComponent(gate)}`);
  assert.equal(res.status, 207);
  assert.equal(res.headers.get('x-streamed'), '1');
  assert.equal(res.headers.get('content-type'), 'text/plain');
  assert.deepEqual(res.headers.getSetCookie(), ['s=1']);
  const reader = res.body!.getReader();
  const first = await reader.read();
  // the function waits for the gate: this chunk was sent while it ran
  assert.equal(Buffer.from(first.value!).toString(), 'first;');
  writeFileSync(gate, '');
  let rest = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += Buffer.from(r.value).toString();
  assert.equal(rest, 'second');
});

test('DeleteFunction removes its URL config: the URL answers 403, a new function of that name has none', async () => {
  const c = client();
  await createFunction(c, 'urlgone', 'nodejs20.x', 'index.handler', ECHO);
  const { FunctionUrl } = await c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'urlgone', AuthType: 'NONE' }));
  assert.equal((await fetch(`${pathUrl(FunctionUrl!)}/`)).status, 201);
  await c.send(new DeleteFunctionCommand({ FunctionName: 'urlgone' }));
  assert.equal((await fetch(`${pathUrl(FunctionUrl!)}/`)).status, 403);
  await createFunction(c, 'urlgone', 'nodejs20.x', 'index.handler', ECHO);
  assert.deepEqual((await c.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'urlgone' }))).FunctionUrlConfigs, []);
});
