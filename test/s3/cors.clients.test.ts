// S3 bucket CORS, applied: PutBucketCors/GetBucketCors/DeleteBucketCors through SDK v3 and boto3, then
// browsers' preflights (OPTIONS) and actual requests as raw HTTP with Origin / Access-Control-Request-*
// headers, path-style and virtual-hosted, answered by the bucket's rules as S3 answers them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  PutBucketCorsCommand,
  GetBucketCorsCommand,
  DeleteBucketCorsCommand,
  type CORSRule,
} from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects, runCli } from '../helpers.js';

let c: S3Client;
let port: string;
const nimbus = serverForFile(async () => {
  port = new URL(nimbus.url).port;
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  for (const Bucket of ['cors-app', 'cors-none', 'cors-api', 'cors-wild']) await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutObjectCommand({ Bucket: 'cors-app', Key: 'doc.txt', Body: 'hello' }));
  await c.send(new PutObjectCommand({ Bucket: 'cors-none', Key: 'doc.txt', Body: 'plain' }));
  await c.send(new PutBucketCorsCommand({ Bucket: 'cors-app', CORSConfiguration: { CORSRules: APP_RULES } }));
});

const APP = 'https://app.example.com';
const APP_RULES: CORSRule[] = [
  {
    ID: 'uploads',
    AllowedOrigins: [APP],
    AllowedMethods: ['GET', 'PUT'],
    AllowedHeaders: ['Content-Type', 'x-amz-meta-*'],
    ExposeHeaders: ['ETag', 'x-amz-version-id'],
    MaxAgeSeconds: 600,
  },
  { AllowedOrigins: ['http://*.example.org'], AllowedMethods: ['GET', 'HEAD'] },
  { AllowedOrigins: ['*'], AllowedMethods: ['HEAD'] },
];
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request (any Host header, as a browser on another name would send it). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (path: string, origin: string | undefined, method: string | undefined, extra: Record<string, string> = {}) =>
  raw('OPTIONS', path, {
    ...(origin !== undefined ? { origin } : {}),
    ...(method !== undefined ? { 'access-control-request-method': method } : {}),
    ...extra,
  });

const corsHeaders = (r: Raw) =>
  Object.fromEntries(Object.entries(r.headers).filter(([k]) => k.startsWith('access-control-') || k === 'vary'));

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An S3 error document's elements but RequestId and HostId, in order, their text unescaped. */
function errorOf(r: Raw): Array<[string, string]> {
  return [...r.body.matchAll(/<(\w+)>([^<]*)<\/\1>/g)]
    .map((m) => [m[1], m[2].replace(/&(\w+);/g, (_, e: string) => ENTITIES[e])] as [string, string])
    .filter(([k]) => k !== 'RequestId' && k !== 'HostId');
}

test('PutBucketCors, GetBucketCors, DeleteBucketCors: rules kept in order with every member; delete without rules is 204', async () => {
  assert.deepEqual((await c.send(new GetBucketCorsCommand({ Bucket: 'cors-app' }))).CORSRules, APP_RULES);
  const rules = [{ AllowedOrigins: [''], AllowedMethods: ['DELETE', 'POST'] }];
  await c.send(new PutBucketCorsCommand({ Bucket: 'cors-wild', CORSConfiguration: { CORSRules: rules } }));
  assert.deepEqual((await c.send(new GetBucketCorsCommand({ Bucket: 'cors-wild' }))).CORSRules, rules);
  const del = await c.send(new DeleteBucketCorsCommand({ Bucket: 'cors-wild' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await rejects(c.send(new GetBucketCorsCommand({ Bucket: 'cors-wild' })), 'NoSuchCORSConfiguration', 404, (e) => {
    assert.equal(e.message, 'The CORS configuration does not exist');
  });
  assert.equal((await c.send(new DeleteBucketCorsCommand({ Bucket: 'cors-wild' }))).$metadata.httpStatusCode, 204);
  await rejects(
    c.send(new PutBucketCorsCommand({ Bucket: 'no-such-cors-bucket', CORSConfiguration: { CORSRules: rules } })),
    'NoSuchBucket',
    404,
  );
});

test('PutBucketCors refuses what S3 refuses, and keeps the rules it had', async () => {
  const put = (CORSRules: CORSRule[]) => c.send(new PutBucketCorsCommand({ Bucket: 'cors-app', CORSConfiguration: { CORSRules } }));
  const rule = { AllowedOrigins: ['*'], AllowedMethods: ['GET'] };
  await rejects(put([]), 'MalformedXML', 400);
  await rejects(put(Array.from({ length: 101 }, () => rule)), 'MalformedXML', 400);
  await rejects(put([{ AllowedOrigins: [], AllowedMethods: ['GET'] }]), 'MalformedXML', 400);
  await rejects(put([{ AllowedOrigins: ['*'], AllowedMethods: [] }]), 'MalformedXML', 400);
  await rejects(put([{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PATCH'] }]), 'InvalidRequest', 400, (e) => {
    assert.equal(e.message, 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH');
  });
  await rejects(put([{ AllowedOrigins: ['https://*.example.*'], AllowedMethods: ['GET'] }]), 'InvalidRequest', 400, (e) => {
    assert.equal(e.message, 'AllowedOrigin "https://*.example.*" can not have more than one wildcard.');
  });
  await rejects(put([{ AllowedOrigins: ['*'], AllowedMethods: ['GET'], AllowedHeaders: ['x-*-*'] }]), 'InvalidRequest', 400, (e) => {
    assert.equal(e.message, 'AllowedHeader "x-*-*" can not have more than one wildcard.');
  });
  await put(Array.from({ length: 100 }, () => rule)).then(() => put(APP_RULES));
  assert.deepEqual((await c.send(new GetBucketCorsCommand({ Bucket: 'cors-app' }))).CORSRules, APP_RULES);
});

test('boto3: put_bucket_cors then get_bucket_cors round-trips the rules', async () => {
  const script = `
import boto3, json, sys
s3 = boto3.client('s3', endpoint_url=sys.argv[1])
rules = [{'ID': 'b3', 'AllowedOrigins': ['http://localhost:3000'], 'AllowedMethods': ['GET', 'POST'], 'AllowedHeaders': ['*'], 'ExposeHeaders': ['ETag'], 'MaxAgeSeconds': 30}]
s3.put_bucket_cors(Bucket='cors-api', CORSConfiguration={'CORSRules': rules})
print(json.dumps(s3.get_bucket_cors(Bucket='cors-api')['CORSRules']))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    {
      ID: 'b3',
      AllowedOrigins: ['http://localhost:3000'],
      AllowedMethods: ['GET', 'POST'],
      AllowedHeaders: ['*'],
      ExposeHeaders: ['ETag'],
      MaxAgeSeconds: 30,
    },
  ]);
  const pre = await preflight('/cors-api/form', 'http://localhost:3000', 'POST');
  assert.equal(pre.status, 200);
  assert.equal(pre.headers['access-control-allow-methods'], 'GET, POST');
});

test("preflight matching a rule: 200, empty body, the rule's methods, exposed headers and max age, the requested headers lowercased", async () => {
  const r = await preflight('/cors-app/doc.txt', APP, 'PUT', { 'access-control-request-headers': 'Content-Type,X-Amz-Meta-Owner' });
  assert.equal(r.status, 200);
  assert.equal(r.body, '');
  assert.deepEqual(corsHeaders(r), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT',
    'access-control-allow-headers': 'content-type, x-amz-meta-owner',
    'access-control-expose-headers': 'ETag, x-amz-version-id',
    'access-control-max-age': '600',
    vary: VARY,
  });
  assert.ok(r.headers['x-amz-request-id']);
});

test('preflight: rules are tried in order; an origin wildcard matches; `*` answers `*` without credentials', async () => {
  const sub = await preflight('/cors-app/doc.txt', 'http://docs.example.org', 'GET');
  assert.equal(sub.status, 200);
  assert.deepEqual(corsHeaders(sub), {
    'access-control-allow-origin': 'http://docs.example.org',
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, HEAD',
    vary: VARY,
  });
  const any = await preflight('/cors-app/doc.txt', 'http://elsewhere.test', 'HEAD');
  assert.equal(any.status, 200);
  assert.deepEqual(corsHeaders(any), { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'HEAD', vary: VARY });
  // the first rule allows PUT from APP, so APP's HEAD falls through to the `*` rule
  assert.equal((await preflight('/cors-app/doc.txt', APP, 'HEAD')).headers['access-control-allow-origin'], '*');
});

test('preflight refused: 403 AccessForbidden "CORSResponse: …" with Method and ResourceType, and no CORS headers', async () => {
  const notAllowed =
    'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / ' +
    "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";
  const cases: Array<[string, string, string, Record<string, string>, string]> = [
    ['/cors-app/doc.txt', 'https://app.example.com.evil.test', 'GET', {}, 'OBJECT'], // anchored: no prefix match
    ['/cors-app/doc.txt', 'https://docs.example.org', 'GET', {}, 'OBJECT'], // scheme is part of the origin
    ['/cors-app/doc.txt', APP, 'DELETE', {}, 'OBJECT'],
    ['/cors-app/doc.txt', APP, 'PUT', { 'access-control-request-headers': 'content-type, x-amz-acl' }, 'OBJECT'],
    ['/cors-app/doc.txt', 'http://docs.example.org', 'GET', { 'access-control-request-headers': 'x-amz-date' }, 'OBJECT'], // no AllowedHeader: none allowed
    ['/cors-app', 'https://other.test', 'PUT', {}, 'BUCKET'],
  ];
  for (const [path, origin, method, extra, resource] of cases) {
    const r = await preflight(path, origin, method, extra);
    assert.equal(r.status, 403, `${origin} ${method} ${JSON.stringify(extra)}`);
    assert.deepEqual(errorOf(r), [
      ['Code', 'AccessForbidden'],
      ['Message', notAllowed],
      ['Method', method],
      ['ResourceType', resource],
    ]);
    assert.deepEqual(corsHeaders(r), {});
  }
});

test("preflight errors in S3's order: no Origin 400; no rules 403; no or unknown request method 400", async () => {
  for (const path of ['/cors-app/doc.txt', '/cors-none/doc.txt']) {
    const r = await preflight(path, undefined, 'GET');
    assert.equal(r.status, 400);
    assert.deepEqual(errorOf(r), [
      ['Code', 'BadRequest'],
      ['Message', 'Insufficient information. Origin request header needed.'],
    ]);
  }
  const none = await preflight('/cors-none/doc.txt', APP, 'PUT');
  assert.equal(none.status, 403);
  assert.deepEqual(errorOf(none), [
    ['Code', 'AccessForbidden'],
    ['Message', 'CORSResponse: CORS is not enabled for this bucket.'],
    ['Method', 'PUT'],
    ['ResourceType', 'BUCKET'],
  ]);
  assert.deepEqual(errorOf(await preflight('/cors-none', APP, undefined)).slice(2), [
    ['Method', 'OPTIONS'],
    ['ResourceType', 'BUCKET'],
  ]);
  const noMethod = await preflight('/cors-app/doc.txt', APP, undefined);
  assert.equal(noMethod.status, 400);
  assert.deepEqual(errorOf(noMethod), [
    ['Code', 'BadRequest'],
    ['Message', 'Invalid Access-Control-Request-Method: null'],
  ]);
  assert.deepEqual(errorOf(await preflight('/cors-app/doc.txt', APP, 'PATCH')), [
    ['Code', 'BadRequest'],
    ['Message', 'Invalid Access-Control-Request-Method: PATCH'],
  ]);
});

test('preflight, virtual-hosted: <bucket>.s3.localhost.localstack.cloud and <bucket>.localhost; a missing bucket there is "Bucket not found"', async () => {
  for (const host of [`cors-app.s3.localhost.localstack.cloud:${port}`, `cors-app.localhost:${port}`]) {
    const r = await preflight('/doc.txt', APP, 'PUT', { host });
    assert.equal(r.status, 200, host);
    assert.equal(r.headers['access-control-allow-origin'], APP);
    assert.equal((await preflight('/doc.txt', 'https://other.test', 'PUT', { host })).status, 403);
  }
  const path = await preflight('/cors-app/doc.txt', APP, 'PUT', { host: `s3.localhost.localstack.cloud:${port}` });
  assert.equal(path.status, 200);
  const missing = await preflight('/doc.txt', APP, 'GET', { host: `no-such-cors-bucket.s3.localhost.localstack.cloud:${port}` });
  assert.equal(missing.status, 403);
  assert.deepEqual(errorOf(missing), [
    ['Code', 'AccessForbidden'],
    ['Message', 'CORSResponse: Bucket not found'],
    ['Method', 'GET'],
    ['ResourceType', 'BUCKET'],
  ]);
});

test("preflight for what names no bucket (ListBuckets, another service's path on a neutral host): every origin allowed, as before", async () => {
  for (const path of ['/', '/000000000000/some-queue']) {
    const r = await preflight(path, 'http://anything.test', 'POST', { 'access-control-request-headers': 'x-amz-target,content-type' });
    assert.equal(r.status, 200, path);
    assert.equal(r.headers['access-control-allow-origin'], 'http://anything.test');
    assert.equal(r.headers['access-control-allow-headers'], 'x-amz-target,content-type');
  }
  const sts = await raw(
    'POST',
    '/',
    { origin: 'http://anything.test', 'content-type': 'application/x-www-form-urlencoded' },
    'Action=GetCallerIdentity&Version=2011-06-15',
  );
  assert.equal(sts.status, 200);
  assert.equal(sts.headers['access-control-allow-origin'], 'http://anything.test');
});

test("actual request from an allowed origin: the rule's headers on the answer, errors included", async () => {
  const get = await raw('GET', '/cors-app/doc.txt', { origin: APP });
  assert.equal(get.status, 200);
  assert.equal(get.body, 'hello');
  assert.deepEqual(corsHeaders(get), {
    'access-control-allow-origin': APP,
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'GET, PUT',
    'access-control-expose-headers': 'ETag, x-amz-version-id',
    'access-control-max-age': '600',
    vary: VARY,
  });
  const missing = await raw('GET', '/cors-app/no-such-key', { origin: APP });
  assert.equal(missing.status, 404);
  assert.match(missing.body, /<Code>NoSuchKey<\/Code>/);
  assert.equal(missing.headers['access-control-allow-origin'], APP);
  const put = await raw('PUT', '/cors-app/new.txt', { origin: APP, 'content-type': 'text/plain' }, 'made');
  assert.equal(put.status, 200);
  assert.equal(put.headers['access-control-allow-origin'], APP);
  const head = await raw('HEAD', '/doc.txt', { origin: 'http://x.example.org', host: `cors-app.localhost:${port}` });
  assert.equal(head.status, 200);
  assert.equal(head.headers['access-control-allow-origin'], 'http://x.example.org');
});

test('actual request no rule allows: served, without any CORS header (the browser withholds it)', async () => {
  const cases: Array<[string, string, Record<string, string>, string?]> = [
    ['GET', '/cors-app/doc.txt', { origin: 'https://evil.test' }],
    ['GET', '/cors-none/doc.txt', { origin: APP }], // a bucket without rules
    ['GET', '/cors-app/doc.txt', {}], // no Origin: not a cross-origin request
    ['GET', '/cors-app/doc.txt', { origin: APP, 'access-control-request-method': 'DELETE' }], // S3 matches the asked method
    ['GET', '/cors-app/doc.txt', { origin: APP, 'access-control-request-headers': 'x-amz-acl' }],
    ['DELETE', '/cors-app/new.txt', { origin: APP }],
  ];
  for (const [method, path, headers] of cases) {
    const r = await raw(method, path, headers);
    assert.ok(r.status < 300, `${method} ${path} ${r.status}`);
    assert.deepEqual(corsHeaders(r), {}, `${method} ${path} ${JSON.stringify(headers)}`);
  }
  assert.equal((await raw('GET', '/cors-app/new.txt')).status, 404); // the DELETE was served
});

test('a changed or deleted configuration applies to the next request', async () => {
  await c.send(
    new PutBucketCorsCommand({
      Bucket: 'cors-wild',
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }] },
    }),
  );
  assert.equal((await preflight('/cors-wild/k', 'http://a.test', 'GET')).headers['access-control-allow-origin'], '*');
  await c.send(
    new PutBucketCorsCommand({
      Bucket: 'cors-wild',
      CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['http://b.test'], AllowedMethods: ['GET'] }] },
    }),
  );
  assert.equal((await preflight('/cors-wild/k', 'http://a.test', 'GET')).status, 403);
  assert.equal((await preflight('/cors-wild/k', 'http://b.test', 'GET')).status, 200);
  await c.send(new DeleteBucketCorsCommand({ Bucket: 'cors-wild' }));
  assert.match((await preflight('/cors-wild/k', 'http://b.test', 'GET')).body, /CORS is not enabled for this bucket/);
});
