// The pure parts of function URLs: a function's answer as HTTP, CORS answers, the 2.0 event's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { actualCors, clfTime, preflight, urlResponse } from '../../src/services/lambda/url-events.js';
import type { HttpRequest } from '../../src/protocols/types.js';

const req = (headers: Record<string, string>): HttpRequest => ({
  method: 'OPTIONS',
  path: '/',
  rawQuery: '',
  query: new Map(),
  headers,
  body: Buffer.alloc(0),
});

test('a function answer maps to HTTP: a response object, a string, an object, null, non-JSON', () => {
  const full = urlResponse(Buffer.from(JSON.stringify({ statusCode: 404, headers: { 'X-A': 1 }, cookies: ['c=1'], body: 'gone' })));
  assert.equal(full.status, 404);
  assert.deepEqual(full.headers, { 'x-a': '1', 'set-cookie': ['c=1'], 'content-type': 'application/json' });
  assert.equal(String(full.body), 'gone');
  const b64 = urlResponse(
    Buffer.from(JSON.stringify({ statusCode: 200, body: Buffer.from('bin').toString('base64'), isBase64Encoded: true })),
  );
  assert.equal(String(b64.body), 'bin');
  assert.equal(String(urlResponse(Buffer.from('"words"')).body), 'words');
  assert.equal(String(urlResponse(Buffer.from('{"a":1}')).body), '{"a":1}');
  assert.equal(String(urlResponse(Buffer.from('null')).body), '');
  assert.equal(urlResponse(Buffer.from(JSON.stringify({ statusCode: 99999 }))).status, 200);
  assert.equal(String(urlResponse(Buffer.from('not json')).body), 'not json');
});

test('CORS: wildcard origins, credentials echo the origin, refused preflights carry no headers', () => {
  const any = { AllowOrigins: ['*'], AllowMethods: ['*'] };
  assert.equal(
    preflight(any, req({ origin: 'https://a', 'access-control-request-method': 'PATCH' })).headers['access-control-allow-origin'],
    '*',
  );
  const creds = { AllowOrigins: ['*'], AllowMethods: ['GET'], AllowCredentials: true };
  assert.equal(actualCors(creds, req({ origin: 'https://a' }))['access-control-allow-origin'], 'https://a');
  const sub = { AllowOrigins: ['https://*.example.com'], AllowMethods: ['GET'] };
  assert.equal(actualCors(sub, req({ origin: 'https://app.example.com' }))['access-control-allow-origin'], 'https://app.example.com');
  assert.deepEqual(actualCors(sub, req({ origin: 'https://example.org' })), {});
  assert.deepEqual(
    preflight(
      sub,
      req({ origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-secret' }),
    ).headers,
    {},
  );
});

test('the event time is in the common log format', () => {
  assert.equal(clfTime(new Date('2020-03-12T19:03:58.123Z')), '12/Mar/2020:19:03:58 +0000');
});
