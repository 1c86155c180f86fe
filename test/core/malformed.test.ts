// The "bad input" guarantee: hundreds of generated malformed requests, sent over raw sockets (the SDKs
// refuse to send junk). Each must get an AWS-shaped 4xx in the protocol the request spoke, within 5 s,
// and the server must keep serving afterwards.
//
// Cases are generated as families × variants. Each family has one assertion helper:
//   query      XML <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
//   s3         XML bare <Error><Code/><Message/><RequestId/><HostId/></Error> (empty for HEAD)
//   json       JSON {__type, message}, X-Amzn-ErrorType, application/x-amz-json-1.x
//   rest-json  JSON {message}, X-Amzn-ErrorType
//   cbor       a CBOR map {__type, message}, Smithy-Protocol: rpc-v2-cbor
//   http       a bare 400/413/417/431 from node's HTTP parser, which rejects some requests before
//              Nimbus sees them (bad request line, header syntax, Content-Length, header overflow)
//
// 501 NotImplemented is the answer to a *well-formed* call of an operation Nimbus has a model but no
// provider for (KMS, CloudWatch, Lambda, …). A malformed body is refused before dispatch (parse comes
// first, as at AWS), so these services answer the cases here with 4xx all the same. 501 is accepted only
// where a case says so (`allow501`): an unsigned X-Amz-Target naming no service Nimbus knows.
//
// Requests the server must wait on by HTTP semantics (a body shorter than its Content-Length, headers
// never finished) are `hold` cases: the client half-closes after 200 ms; any answer must be a 4xx, and a
// valid request must be served right after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Decoder, Encoder } from 'cbor-x';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { STSClient, GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig } from '../helpers.js';
import { formatAmzDate } from '../../src/gateway/sigv4.js';

/** Session credentials Nimbus issued: signatures made with them are verified. */
let issued: { accessKeyId: string; secretAccessKey: string; sessionToken: string };

const nimbus = serverForFile(async () => {
  const out = await new STSClient(clientConfig(nimbus.url)).send(new GetSessionTokenCommand({}));
  const c = out.Credentials!;
  issued = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  // the bucket the S3 cases write to exists, so uploads get as far as their bodies
  const created = await fetch(`${nimbus.url}/bucket`, { method: 'PUT' });
  assert.equal(created.status, 200, await created.text());
});

// ---------------------------------------------------------------- sending

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Outcome = { kind: 'reply'; reply: Reply } | { kind: 'closed'; partial: string } | { kind: 'timeout' };

interface Case {
  name: string;
  request: Buffer;
  /** HEAD: the reply has no body */
  head?: boolean;
  /** incomplete by HTTP semantics: the client half-closes after 200 ms instead of waiting */
  hold?: boolean;
  check(o: Outcome): void;
}

const TIMEOUT_MS = 5000;
const HOLD_MS = 200;

/** Parses one HTTP/1.1 response from `buf` (skipping 1xx), or undefined while it is incomplete. */
function parseReply(buf: Buffer, head: boolean, ended: boolean): Reply | undefined {
  let at = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', at);
    if (end < 0) return undefined;
    const lines = buf.toString('latin1', at, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]);
    if (!m) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = end + 4;
    if (status >= 100 && status < 200) {
      at = start;
      continue;
    }
    if (head || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
    if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      return buf.length - start >= n ? { status, headers, body: buf.subarray(start, start + n) } : undefined;
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      let i = start;
      for (;;) {
        const crlf = buf.indexOf('\r\n', i);
        if (crlf < 0) return undefined;
        const size = parseInt(buf.toString('latin1', i, crlf), 16);
        if (size === 0) return { status, headers, body: Buffer.concat(parts) };
        if (buf.length < crlf + 2 + size + 2) return undefined;
        parts.push(buf.subarray(crlf + 2, crlf + 2 + size));
        i = crlf + 2 + size + 2;
      }
    }
    return ended ? { status, headers, body: buf.subarray(start) } : undefined; // until close
  }
}

/** Sends raw bytes on a fresh connection and reads one response. */
function exchange(c: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(nimbus.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(hold);
      socket.destroy();
      resolve(o);
    };
    const attempt = (ended: boolean) => {
      try {
        const reply = parseReply(buf, !!c.head, ended);
        if (reply) finish({ kind: 'reply', reply });
        else if (ended) finish({ kind: 'closed', partial: buf.toString('latin1', 0, 200) });
      } catch (e) {
        finish({ kind: 'closed', partial: `${(e as Error).message}` });
      }
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), TIMEOUT_MS);
    const hold = c.hold ? setTimeout(() => socket.end(), HOLD_MS) : undefined;
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      attempt(false);
    });
    socket.on('end', () => attempt(true));
    socket.on('close', () => attempt(true));
    socket.on('error', () => attempt(true)); // EPIPE/ECONNRESET once the server answered early and closed
    socket.write(c.request);
  });
}

// ---------------------------------------------------------------- building requests

type Headers = Record<string, string> | Array<[string, string]>;
const HOST = 'localhost:4566';

/**
 * A raw HTTP/1.1 request. Host, Connection: close and Content-Length (of the body) are added unless
 * given; `length: null` leaves Content-Length out, a string sends it as is.
 */
function http(method: string, target: string, headers: Headers, body: string | Buffer = '', length?: string | null): Buffer {
  const list = Array.isArray(headers) ? headers : Object.entries(headers);
  const has = (n: string) => list.some(([k]) => k.toLowerCase() === n);
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const all: Array<[string, string]> = [];
  if (!has('host')) all.push(['Host', HOST]);
  all.push(...list);
  if (!has('connection')) all.push(['Connection', 'close']);
  if (length !== null && !has('content-length') && !has('transfer-encoding') && (b.length > 0 || method !== 'GET')) {
    all.push(['Content-Length', length ?? String(b.length)]);
  }
  const head = `${method} ${target} HTTP/1.1\r\n${all.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), b]);
}

/** SigV4-shaped headers for a scope. The key `test` is not issued, so Nimbus routes by the scope without verifying. */
function signed(service: string): Record<string, string> {
  const date = formatAmzDate(new Date());
  return {
    'X-Amz-Date': date,
    Authorization: `AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/us-east-1/${service}/aws4_request, `
      + `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
  };
}

const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** A deterministic PRNG (mulberry32), so "random" cases are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomBytes = (seed: number, n: number) => {
  const r = random(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
};

// ---------------------------------------------------------------- assertions, one per protocol family

type Code = string | RegExp | undefined;
interface Expect {
  status?: number | number[];
  /** also accept 501 NotImplemented (well-formed at the protocol level: see the case) */
  allow501?: boolean;
}

function replyOf(o: Outcome): Reply {
  assert.notEqual(o.kind, 'timeout', 'no response within 5 s');
  assert.equal(o.kind, 'reply', `connection closed without a complete response: ${o.kind === 'closed' ? o.partial : ''}`);
  return (o as { reply: Reply }).reply;
}

function checkStatus(r: Reply, e: Expect, body: () => string): void {
  const ok = e.status === undefined
    ? r.status >= 400 && r.status < 500
    : Array.isArray(e.status) ? e.status.includes(r.status) : r.status === e.status;
  assert.ok(ok || (e.allow501 && r.status === 501), `status ${r.status} (expected ${e.status ?? '4xx'}): ${body().slice(0, 300)}`);
}

function checkCode(actual: unknown, code: Code, r: Reply): void {
  assert.equal(typeof actual, 'string', 'no error code');
  if (r.status === 501) return assert.equal(actual, 'NotImplemented');
  if (typeof code === 'string') assert.equal(actual, code);
  else if (code) assert.match(actual as string, code);
  else assert.ok((actual as string).length > 0);
}

const xml = new XMLParser({ ignoreDeclaration: true, parseTagValue: false });
function parseXmlBody(r: Reply): Record<string, any> {
  const text = r.body.toString('utf8');
  const valid = XMLValidator.validate(text);
  assert.equal(valid, true, `not well-formed XML: ${JSON.stringify(valid)}: ${text.slice(0, 200)}`);
  return xml.parse(text) as Record<string, any>;
}

/** The query protocol (STS): `<ErrorResponse><Error><Type/><Code/>…`. */
const queryError = (code?: Code, e: Expect = {}) => (o: Outcome) => {
  const r = replyOf(o);
  checkStatus(r, e, () => r.body.toString());
  assert.match(r.headers['content-type'] ?? '', /^text\/xml/);
  assert.ok(r.headers['x-amzn-requestid']);
  const doc = parseXmlBody(r);
  assert.ok(doc.ErrorResponse, `root is not ErrorResponse: ${Object.keys(doc)}`);
  assert.ok(doc.ErrorResponse.RequestId);
  assert.match(doc.ErrorResponse.Error.Type, /^(Sender|Receiver)$/);
  checkCode(doc.ErrorResponse.Error.Code, code, r);
  assert.equal(typeof doc.ErrorResponse.Error.Message, 'string');
};

/** S3: a bare `<Error>` with Code, Message, RequestId, HostId; no body for HEAD. */
const s3Error = (code?: Code, e: Expect = {}) => (o: Outcome) => {
  const r = replyOf(o);
  checkStatus(r, e, () => r.body.toString());
  assert.ok(r.headers['x-amz-request-id'], 'no x-amz-request-id');
  assert.ok(r.headers['x-amz-id-2'], 'no x-amz-id-2');
  const doc = parseXmlBody(r);
  assert.ok(doc.Error, `root is not Error: ${Object.keys(doc)}`);
  checkCode(doc.Error.Code, code, r);
  assert.equal(typeof doc.Error.Message, 'string');
  assert.ok(doc.Error.RequestId);
};
const s3HeadError = (e: Expect = {}) => (o: Outcome) => {
  const r = replyOf(o);
  checkStatus(r, e, () => '');
  assert.ok(r.headers['x-amz-request-id']);
  assert.equal(r.body.length, 0);
};

/** awsJson 1.0/1.1: `{"__type": …, "message": …}` and X-Amzn-ErrorType. */
const jsonError = (version: '1.0' | '1.1', code?: Code, e: Expect & { queryCompatible?: boolean } = {}) => (o: Outcome) => {
  const r = replyOf(o);
  checkStatus(r, e, () => r.body.toString());
  assert.equal(r.headers['content-type'], `application/x-amz-json-${version}`);
  assert.ok(r.headers['x-amzn-requestid']);
  const doc = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
  assert.equal(typeof doc.__type, 'string');
  const type = (doc.__type as string).split('#').pop();
  checkCode(type, code, r);
  assert.equal(r.headers['x-amzn-errortype']?.split(':')[0], type);
  assert.equal(typeof (doc.message ?? doc.Message), 'string');
  if (e.queryCompatible) assert.match(r.headers['x-amzn-query-error'] ?? '', /^[\w.]+;(Sender|Receiver)$/);
};

/** restJson1 (Lambda): the code in X-Amzn-ErrorType, a JSON body with the message. */
const restJsonError = (code?: Code, e: Expect = {}) => (o: Outcome) => {
  const r = replyOf(o);
  checkStatus(r, e, () => r.body.toString());
  assert.match(r.headers['content-type'] ?? '', /^application\/json/);
  assert.ok(r.headers['x-amzn-requestid']);
  checkCode(r.headers['x-amzn-errortype']?.split(':')[0], code, r);
  const doc = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
  assert.equal(typeof (doc.message ?? doc.Message), 'string');
};

/** Smithy RPC v2 CBOR (CloudWatch): a CBOR map with __type. */
const cborDecoder = new Decoder({ mapsAsObjects: true, useRecords: false });
const cborError = (code?: Code, e: Expect = {}) => (o: Outcome) => {
  const r = replyOf(o);
  checkStatus(r, e, () => r.body.toString('hex'));
  assert.equal(r.headers['content-type'], 'application/cbor');
  assert.equal(r.headers['smithy-protocol'], 'rpc-v2-cbor');
  const doc = cborDecoder.decode(r.body) as Record<string, unknown>;
  assert.ok(doc && typeof doc === 'object' && !Array.isArray(doc), 'not a CBOR map');
  assert.equal(typeof doc.__type, 'string');
  checkCode((doc.__type as string).split('#').pop(), code, r);
  assert.equal(typeof doc.message, 'string');
  assert.match(r.headers['x-amzn-query-error'] ?? '', /^[\w.]+;(Sender|Receiver)$/); // CloudWatch is query-compatible
};

/**
 * node's HTTP parser refused the request before Nimbus saw it: a bare status, then the connection closes
 * (except node's own 417 for an Expect it does not know, which leaves the connection open).
 */
const httpReject = (status: number | number[] = 400) => (o: Outcome) => {
  const r = replyOf(o);
  checkStatus(r, { status }, () => r.body.toString());
  if (r.status !== 417) assert.equal(r.headers.connection, 'close');
};

/** A request the server had to wait on: any answer is a 4xx; hanging up is fine too. */
const heldOpen = () => (o: Outcome) => {
  assert.notEqual(o.kind, 'timeout', 'the server neither answered nor closed within 5 s of the half-close');
  if (o.kind === 'reply') checkStatus(o.reply, {}, () => o.reply.body.toString());
};

// ---------------------------------------------------------------- query protocol (STS)

const STS_VERSION = 'Version=2011-06-15';

function queryCases(): Case[] {
  const cases: Case[] = [];
  // [name, form parameters, expected code]
  const params: Array<[string, string | Buffer, Code]> = [
    ['no parameters', '', 'MissingAction'],
    ['only Version', STS_VERSION, 'MissingAction'],
    ['empty Action', `Action=&${STS_VERSION}`, 'MissingAction'],
    ['Action without =', `Action&${STS_VERSION}`, 'MissingAction'],
    ['lowercase action key', `action=GetCallerIdentity&${STS_VERSION}`, 'MissingAction'],
    ...['Bogus', 'getcalleridentity', 'GetCallerIdentity ', 'GetCallerIdentity%00', '__proto__', 'constructor', 'toString', 'hasOwnProperty']
      .map((a): [string, string, Code] => [`unknown Action ${JSON.stringify(a)}`, `Action=${a}&${STS_VERSION}`, 'InvalidAction']),
    ...['1999-01-01', '2011-06-16', 'latest', '%ZZ', '']
      .map((v): [string, string, Code] => [`Version ${JSON.stringify(v)}`, `Action=GetCallerIdentity&Version=${v}`, 'InvalidAction']),
    // bad percent-encoding where it matters: it must not decode to a valid value
    ['%ZZ in Action', `Action=GetCaller%ZZIdentity&${STS_VERSION}`, 'InvalidAction'],
    ['lone % in Action', `Action=GetCallerIdentity%&${STS_VERSION}`, 'InvalidAction'],
    ['truncated %E2%82 in Action', `Action=GetCallerIdentity%E2%82&${STS_VERSION}`, 'InvalidAction'],
    ['%ZZ in RoleArn', `Action=AssumeRole&${STS_VERSION}&RoleArn=arn%ZZ&RoleSessionName=s1`, 'ValidationError'],
    ['overlong UTF-8 %C0%AF in RoleSessionName', `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=%C0%AF`, 'ValidationError'],
    ['%00 in RoleSessionName', `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=a%00b`, 'ValidationError'],
    // huge names and values
    ...[64 * 1024, 1024 * 1024].flatMap((n): Array<[string, string, Code]> => [
      [`${n}-byte Action`, `Action=${'A'.repeat(n)}&${STS_VERSION}`, 'InvalidAction'],
      [`${n}-byte RoleSessionName`, `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=${'s'.repeat(n)}`, 'ValidationError'],
      [`${n}-byte parameter name, RoleArn missing`, `Action=AssumeRole&${STS_VERSION}&RoleSessionName=s1&${'RoleArn'.repeat(n / 8)}=x`, 'ValidationError'],
      [`${n}-byte tag key`, `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=s1&Tags.member.1.Key=${'k'.repeat(n)}&Tags.member.1.Value=v`, 'ValidationError'],
    ]),
    // numbers: DurationSeconds is an integer in [900, 129600]
    ...['abc', '', ' ', '1e309', '-1e309', 'Infinity', 'NaN', '1.5', '3600.5', '0x10', '99999999999999999999', '-1', '３６００', '3600abc']
      .map((d): [string, string, Code] => [`DurationSeconds=${JSON.stringify(d)}`, `Action=GetSessionToken&${STS_VERSION}&DurationSeconds=${encodeURIComponent(d)}`, /^(MalformedInput|ValidationError)$/]),
    // list indexes: the request also lacks RoleSessionName, so whatever the index does, it is a ValidationError
    ...['0', '-1', '99999999999', '1e3', '', 'a', '1.5', '00001', '9007199254740993', '1.1.1']
      .map((i): [string, string, Code] => [`Tags.member.${i}`, `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&Tags.member.${i}.Key=k&Tags.member.${i}.Value=v`, 'ValidationError']),
    ['scalar where a list is modelled', `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&Tags=abc`, 'ValidationError'],
    ['scalar where a structure is modelled', `Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&Tags.member.1=abc`, 'ValidationError'],
    // bytes that are not a form at all
    ...[1, 2, 3, 4, 5].map((seed): [string, Buffer, Code] => [`binary garbage #${seed}`, randomBytes(seed, 64 * seed), 'MissingAction']),
    ['body cut inside a UTF-8 sequence (Action)', Buffer.concat([Buffer.from(`${STS_VERSION}&Action=GetCallerIdentity`), Buffer.from([0xe2, 0x82])]), 'InvalidAction'],
    ['body cut inside a UTF-8 sequence (RoleSessionName)', Buffer.concat([Buffer.from(`Action=AssumeRole&${STS_VERSION}&RoleArn=arn:aws:iam::123456789012:role/r&RoleSessionName=caf`), Buffer.from([0xc3])]), 'ValidationError'],
    ['invalid UTF-8 lead byte in Action', Buffer.concat([Buffer.from('Action=Get'), Buffer.from([0xff, 0xfe]), Buffer.from(`&${STS_VERSION}`)]), 'InvalidAction'],
  ];

  for (const [name, body, code] of params) {
    cases.push({ name: `POST form, ${name}`, request: http('POST', '/', { ...FORM, ...signed('sts') }, body), check: queryError(code) });
    // the same parameters in a GET query string (text only)
    if (typeof body === 'string' && body.length < 8000) {
      const check = /^(no parameters|only Version|empty Action|Action without =|lowercase)/.test(name) ? queryError('MissingAction') : queryError(code);
      cases.push({ name: `GET query, ${name}`, request: http('GET', `/?${body.replace(/ /g, '%20')}`, signed('sts')), check });
    }
  }
  // unsigned: routed by the host name, as the SDKs' STS endpoint does
  for (const [name, body, code] of params.slice(0, 12)) {
    cases.push({ name: `unsigned POST form to sts.amazonaws.com, ${name}`, request: http('POST', '/', { ...FORM, Host: 'sts.us-east-1.amazonaws.com' }, body), check: queryError(code) });
  }
  return cases;
}

// ---------------------------------------------------------------- awsJson 1.0 / 1.1 (DynamoDB, KMS, SQS)

interface JsonService {
  name: string;
  signing: string;
  prefix: string;
  version: '1.0' | '1.1';
  queryCompatible: boolean;
  /** an operation and member-type mismatches for it */
  operation: string;
  wrongTypes: Array<[string, unknown]>;
  /** a recursive document (for 10,000-level nesting inside a modelled member) */
  deep?: (depth: number) => string;
}

const JSON_SERVICES: JsonService[] = [
  {
    name: 'DynamoDB', signing: 'dynamodb', prefix: 'DynamoDB_20120810', version: '1.0', queryCompatible: false, operation: 'Scan',
    wrongTypes: [
      ['string where a number is modelled (Limit)', { TableName: 't', Limit: '10' }],
      ['object where a string is modelled (TableName)', { TableName: { S: 't' } }],
      ['number where a string is modelled (TableName)', { TableName: 5 }],
      ['object where a list is modelled (AttributesToGet)', { TableName: 't', AttributesToGet: { a: 1 } }],
      ['string where a list is modelled (AttributesToGet)', { TableName: 't', AttributesToGet: 'a' }],
      ['list where a map is modelled (ExclusiveStartKey)', { TableName: 't', ExclusiveStartKey: [] }],
      ['string where a boolean is modelled (ConsistentRead)', { TableName: 't', ConsistentRead: 'true' }],
      ['number where a structure is modelled (ExclusiveStartKey value)', { TableName: 't', ExclusiveStartKey: { k: 5 } }],
    ],
    deep: (n) => `{"TableName":"t","ExclusiveStartKey":{"k":${'{"M":{"k":'.repeat(n)}{"S":"x"}${'}}'.repeat(n)}}}`,
  },
  {
    name: 'KMS', signing: 'kms', prefix: 'TrentService', version: '1.1', queryCompatible: false, operation: 'GenerateDataKey',
    wrongTypes: [
      ['string where a number is modelled (NumberOfBytes)', { KeyId: 'k', NumberOfBytes: 'many' }],
      ['object where a list is modelled (GrantTokens)', { KeyId: 'k', GrantTokens: {} }],
      ['list where a map is modelled (EncryptionContext)', { KeyId: 'k', EncryptionContext: ['a'] }],
      ['number in a string map (EncryptionContext)', { KeyId: 'k', EncryptionContext: { a: 1 } }],
      ['boolean where a string is modelled (KeyId)', { KeyId: true }],
      ['string where a boolean is modelled (DryRun)', { KeyId: 'k', DryRun: 'no' }],
    ],
  },
  {
    name: 'SQS', signing: 'sqs', prefix: 'AmazonSQS', version: '1.0', queryCompatible: true, operation: 'ReceiveMessage',
    wrongTypes: [
      ['string where a number is modelled (MaxNumberOfMessages)', { QueueUrl: 'u', MaxNumberOfMessages: 'ten' }],
      ['object where a list is modelled (AttributeNames)', { QueueUrl: 'u', AttributeNames: {} }],
      ['list where a string is modelled (QueueUrl)', { QueueUrl: ['u'] }],
      ['number where a string is modelled (ReceiveRequestAttemptId)', { QueueUrl: 'u', ReceiveRequestAttemptId: 1 }],
      ['string where a number is modelled (WaitTimeSeconds)', { QueueUrl: 'u', WaitTimeSeconds: '20' }],
    ],
  },
];

const DEPTH = 10_000;
const GENERIC_JSON_BODIES: Array<[string, string | Buffer]> = [
  ['not JSON', 'hello'],
  ['unclosed object', '{"a":'],
  ['trailing comma', '{"a":1,}'],
  ['single quotes', "{'a':1}"],
  ['two documents', '{}{}'],
  ['top-level array', '[]'],
  ['top-level string', '"x"'],
  ['top-level number', '42'],
  ['top-level null', 'null'],
  ['top-level true', 'true'],
  ['10,000-level nested arrays', '['.repeat(DEPTH) + ']'.repeat(DEPTH)],
  ['10,000-level nested objects, unclosed', '{"a":'.repeat(DEPTH)],
  ['invalid UTF-8 (lone 0xff)', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
  ['invalid UTF-8 (truncated sequence)', Buffer.concat([Buffer.from('{"a":"caf'), Buffer.from([0xc3]), Buffer.from('"}')])],
  ['UTF-16 BOM and text', Buffer.from('\ufeff{}', 'utf16le')],
  ['binary garbage', randomBytes(42, 256)],
  ['NUL bytes', Buffer.alloc(16)],
];

function jsonCases(): Case[] {
  const cases: Case[] = [];
  for (const s of JSON_SERVICES) {
    const ct = { 'Content-Type': `application/x-amz-json-${s.version}` };
    const call = (target: string, body: string | Buffer, headers: Record<string, string> = signed(s.signing)) =>
      http('POST', '/', { ...ct, ...headers, 'X-Amz-Target': target }, body);
    const err = (code: Code, e: Expect = {}) => jsonError(s.version, code, { ...e, queryCompatible: s.queryCompatible });
    const op = `${s.prefix}.${s.operation}`;
    for (const [name, body] of GENERIC_JSON_BODIES) {
      cases.push({ name: `${s.name} ${s.operation}: ${name}`, request: call(op, body), check: err('SerializationException') });
    }
    for (const [name, doc] of s.wrongTypes) {
      cases.push({ name: `${s.name} ${s.operation}: ${name}`, request: call(op, JSON.stringify(doc)), check: err('SerializationException') });
    }
    if (s.deep) {
      cases.push({ name: `${s.name} ${s.operation}: 10,000-level nesting in a recursive member`, request: call(op, s.deep(DEPTH)), check: err('SerializationException') });
    }
    // targets: unknown operations and malformed target headers
    for (const target of [`${s.prefix}.Bogus`, `${s.prefix}.`, `${s.prefix}.constructor`, `${s.prefix}.__proto__`, `${s.prefix}.toString`, s.prefix, `${s.prefix}.${s.operation}.Extra`, '.', '']) {
      cases.push({ name: `${s.name}: X-Amz-Target ${JSON.stringify(target)}`, request: call(target, '{}'), check: err('UnknownOperationException') });
    }
    // unsigned: the target alone routes
    cases.push({ name: `${s.name} unsigned: X-Amz-Target without a dot`, request: call(s.prefix, '{}', {}), check: err('UnknownOperationException') });
    cases.push({ name: `${s.name} unsigned: unknown operation`, request: call(`${s.prefix}.Bogus`, '{}', {}), check: err('UnknownOperationException') });
    cases.push({ name: `${s.name} unsigned: not JSON`, request: call(op, '{{{', {}), check: err('SerializationException') });
  }
  // unsigned, naming no service AWS has: nothing says which service is meant, so Nimbus answers NotImplemented
  // (501: the request may be well-formed for a service it does not know) — in JSON, the protocol spoken
  for (const target of ['Bogus.Operation', '.', 'NoDotAtAll']) {
    cases.push({
      name: `unsigned: X-Amz-Target ${JSON.stringify(target)} names no known service`,
      request: http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target }, '{}'),
      check: jsonError('1.0', 'UnknownOperationException', { allow501: true }),
    });
  }
  return cases;
}

// ---------------------------------------------------------------- Smithy RPC v2 CBOR (CloudWatch)

const CW_PATH = '/service/GraniteServiceVersion20100801/operation/ListMetrics';
const CBOR_HEADERS = { 'smithy-protocol': 'rpc-v2-cbor', 'Content-Type': 'application/cbor', Accept: 'application/cbor' };
const cborEncoder = new Encoder({ useRecords: false, tagUint8Array: false });
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const cborText = (s: string) => Buffer.concat([Buffer.from([0x60 + s.length]), Buffer.from(s)]); // short strings only

function cborCases(): Case[] {
  const valid = cborEncoder.encode({ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', RecentlyActive: 'PT3H' }) as Buffer;
  const member = (name: string, value: Buffer) => Buffer.concat([hex('a1'), cborText(name), value]);
  const bodies: Array<[string, Buffer]> = [
    // truncated at several points
    ...[1, 2, 5, 10, 20, valid.length - 1].map((n): [string, Buffer] => [`valid map truncated to ${n} bytes`, valid.subarray(0, n)]),
    ['valid map plus trailing garbage', Buffer.concat([valid, hex('00 ff')])],
    // top-level items of the wrong major type
    ...([['unsigned int', '01'], ['negative int', '20'], ['byte string', '43 010203'], ['text string', '63 616263'], ['array', '82 01 02'],
      ['half float', 'f9 3c00'], ['double', 'fb 7ff8000000000000'], ['true', 'f5'], ['null', 'f6'], ['undefined', 'f7'], ['simple(16)', 'f0']] as const)
      .map(([what, h]): [string, Buffer] => [`top-level ${what}`, hex(h)]),
    // a lone break, reserved additional information
    ['lone break', hex('ff')],
    ['reserved additional information 28', hex('1c')],
    ['reserved additional information 30 in a map', hex('be')],
    // members of the wrong type
    ['number where a string is modelled', member('Namespace', hex('05'))],
    ['byte string where a string is modelled', member('Namespace', hex('43 414243'))],
    ['text where a list is modelled', member('Dimensions', cborText('x'))],
    ['map where a list is modelled', member('Dimensions', hex('a0'))],
    ['number inside a list of structures', member('Dimensions', hex('81 05'))],
    ['number where a boolean is modelled', member('IncludeLinkedAccounts', hex('01'))],
    ['text where a boolean is modelled', member('IncludeLinkedAccounts', cborText('true'))],
    // indefinite-length items never closed
    ['indefinite array never closed', hex('9f 01 02')],
    ['indefinite map never closed', Buffer.concat([hex('bf'), cborText('Namespace'), cborText('x')])],
    ['indefinite byte string never closed', hex('5f 41 61')],
    ['indefinite text string never closed', hex('7f 61 61')],
    ['indefinite text with a byte-string chunk', hex('7f 41 61 ff')],
    ['indefinite member value never closed', Buffer.concat([hex('a1'), cborText('Namespace'), hex('7f 61 61')])],
    // declared lengths far beyond the body
    ['byte string of 2^60 bytes', hex('5b 1000000000000000 00')],
    ['text string of 2^60 bytes', hex('7b 1000000000000000 61')],
    ['array of 2^60 items', hex('9b 1000000000000000 01')],
    ['map of 2^60 entries', hex('bb 1000000000000000 61 61 01')],
    ['byte string of 4 GiB', hex('5a ffffffff 00')],
    ['map of 2^32-1 entries', hex('ba ffffffff')],
    ['member text of 2^63 bytes', Buffer.concat([hex('a1'), cborText('Namespace'), hex('7b 7fffffffffffffff 61')])],
    // tags that do not belong
    ['epoch-time tag on the top-level map', Buffer.concat([hex('c1'), valid])],
    ['epoch-time tag on a string member', member('Namespace', hex('c1 01'))],
    ['bignum tag on a string member', member('Namespace', hex('c2 41 01'))],
    ['shared-reference tag without a shareable', member('Namespace', hex('d8 1d 00'))],
    ['generic-object tag (RegExp) on a string member', member('Namespace', Buffer.concat([hex('d8 1b 82'), cborText('RegExp'), cborText('(a+)+$')]))],
    ['packed-values tag without a table', hex('d8 33 01')],
    ['typed-array tag on the top level', hex('d8 40 43 010203')],
    ['set tag on the top level', hex('d9 0102 80')],
    ['Map tag (259) on the top level', Buffer.concat([hex('d9 0103'), valid])],
    ['self-cycling shared reference', Buffer.concat([hex('d8 1c a1'), cborText('Namespace'), hex('d8 1d 00')])],
    // nesting
    ['100,000-level nested arrays', Buffer.concat([Buffer.alloc(100_000, 0x81), hex('01')])],
    ['10,000-level nested maps in a member', Buffer.concat([Buffer.from(Array.from({ length: DEPTH }, () => [0xa1, 0x61, 0x61]).flat()), hex('01')])],
    // random bytes (the first byte never starts a map, so they can never be a valid input)
    ...[11, 12, 13, 14, 15, 16, 17, 18].map((seed): [string, Buffer] => {
      const b = randomBytes(seed, 8 * seed);
      if (b[0] >= 0xa0 && b[0] <= 0xdf) b[0] ^= 0x40; // not a map (0xa0–0xbf), not a tag (0xc0–0xdf)
      return [`random bytes #${seed}`, b];
    }),
  ];
  const cases: Case[] = bodies.map(([name, body]) => ({
    name: `ListMetrics: ${name}`,
    request: http('POST', CW_PATH, { ...CBOR_HEADERS, ...signed('monitoring') }, body),
    check: cborError('SerializationException'),
  }));
  const paths: Array<[string, string]> = [
    ['unknown operation', '/service/GraniteServiceVersion20100801/operation/Bogus'],
    ['operation constructor', '/service/GraniteServiceVersion20100801/operation/constructor'],
    ['operation __proto__', '/service/GraniteServiceVersion20100801/operation/__proto__'],
    ['operation %ZZ', '/service/GraniteServiceVersion20100801/operation/%ZZ'],
    ['service %ZZ', '/service/%ZZ/operation/ListMetrics'],
    ['empty operation', '/service/GraniteServiceVersion20100801/operation/'],
    ['no /operation segment', '/service/GraniteServiceVersion20100801'],
    ['root path', '/'],
  ];
  for (const [name, path] of paths) {
    cases.push({
      name: `path: ${name}`,
      request: http('POST', path, { ...CBOR_HEADERS, ...signed('monitoring') }, valid),
      check: cborError(/^(UnknownOperationException|InvalidURI)$/),
    });
  }
  // unsigned: the path alone routes
  cases.push({ name: 'unsigned: truncated map', request: http('POST', CW_PATH, CBOR_HEADERS, valid.subarray(0, 7)), check: cborError('SerializationException') });
  cases.push({ name: 'unsigned: unknown operation', request: http('POST', CW_PATH.replace('ListMetrics', 'Bogus'), CBOR_HEADERS, valid), check: cborError('UnknownOperationException') });
  return cases;
}

// ---------------------------------------------------------------- rest-xml (S3) and rest-json (Lambda)

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]>
<Tagging><TagSet><Tag><Key>k</Key><Value>&lol9;</Value></Tag></TagSet></Tagging>`;

const XML_BODIES: Array<[string, string | Buffer]> = [
  ['not XML', 'hello'],
  ['unclosed root', '<Tagging><TagSet>'],
  ['unclosed inner tag', '<Tagging><TagSet><Tag><Key>k</Key></TagSet></Tagging>'],
  ['mismatched closing tag', '<Tagging></Tag>'],
  ['wrong root element', '<Foo><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Foo>'],
  ['two root elements', '<Tagging/><Tagging/>'],
  ['text after the root', '<Tagging/>junk'],
  ['billion laughs (DOCTYPE with entities)', BILLION_LAUGHS],
  ['external entity (XXE)', '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]><Tagging><TagSet><Tag><Key>&x;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
  ['undefined entity', '<Tagging><TagSet><Tag><Key>&nope;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
  ['character reference out of range', '<Tagging><TagSet><Tag><Key>&#x110000;</Key><Value>v</Value></Tag></TagSet></Tagging>'],
  ['unterminated CDATA', '<Tagging><![CDATA[abc</Tagging>'],
  ['unterminated comment', '<Tagging><!-- abc</Tagging>'],
  ['unquoted attribute', '<Tagging a=b></Tagging>'],
  ['10,000-level nesting, unclosed', '<a>'.repeat(DEPTH)],
  ['binary garbage', randomBytes(7, 300)],
  ['NUL bytes', Buffer.alloc(32)],
  ['JSON instead of XML', '{"TagSet":[]}'],
];

function s3Cases(): Case[] {
  const cases: Case[] = [];
  const put = (target: string, body: string | Buffer, headers: Record<string, string> = {}) =>
    http('PUT', target, { 'Content-Type': 'application/xml', ...headers }, body);
  for (const [name, body] of XML_BODIES) {
    cases.push({ name: `PutBucketTagging: ${name}`, request: put('/bucket?tagging', body), check: s3Error('MalformedXML') });
    cases.push({ name: `PutObjectTagging: ${name}`, request: put('/bucket/key?tagging', body), check: s3Error('MalformedXML') });
  }
  cases.push({ name: 'DeleteObjects: wrong root element', request: http('POST', '/bucket?delete', { 'Content-Type': 'application/xml' }, '<Tagging/>'), check: s3Error('MalformedXML') });
  // query and header values a modelled number, boolean or timestamp cannot be read from
  // [name, target, headers, whether the HEAD twin (HeadBucket/HeadObject) models the value too]
  const get: Array<[string, string, Record<string, string>, boolean]> = [
    ['ListObjects max-keys=abc', '/bucket?max-keys=abc', {}, false],
    ['ListObjectsV2 max-keys=abc', '/bucket?list-type=2&max-keys=abc', {}, false],
    ['ListObjectsV2 max-keys=1.5', '/bucket?list-type=2&max-keys=1.5', {}, false],
    ['ListObjectsV2 max-keys beyond int32', '/bucket?list-type=2&max-keys=99999999999999999999', {}, false],
    ['ListObjectsV2 max-keys empty', '/bucket?list-type=2&max-keys=', {}, false],
    ['ListObjectsV2 fetch-owner=maybe', '/bucket?list-type=2&fetch-owner=maybe', {}, false],
    ['ListParts max-parts=-x', '/bucket/key?uploadId=u&max-parts=-x', {}, false],
    ['GetObject partNumber=abc', '/bucket/key?partNumber=abc', {}, true],
    ['GetObject partNumber=%ZZ', '/bucket/key?partNumber=%ZZ', {}, true],
    ['GetObject partNumber=1e3', '/bucket/key?partNumber=1e3', {}, true],
    ['GetObject partNumber beyond int32', '/bucket/key?partNumber=4294967297', {}, true],
    ['GetObject response-expires not a date', '/bucket/key?response-expires=yesterday', {}, true],
    ['GetObject x-amz-checksum-mode with a bad part number', '/bucket/key?partNumber=-', { 'x-amz-checksum-mode': 'ENABLED' }, true],
  ];
  for (const [name, target, headers, head] of get) {
    cases.push({ name, request: http('GET', target, headers), check: s3Error('InvalidArgument') });
    if (head) cases.push({ name: `HEAD ${name.replace('GetObject', 'HeadObject')}`, request: http('HEAD', target, headers), head: true, check: s3HeadError() });
  }
  cases.push({ name: 'unsupported method PROPFIND', request: http('PROPFIND', '/bucket', {}), check: s3Error('MethodNotAllowed') });
  // POST /bucket is the browser form upload (PostObject); a body that is no multipart form is S3's 412
  cases.push({ name: 'POST to a bucket without a subresource, not a form', request: http('POST', '/bucket', {}, 'x'), check: s3Error('PreconditionFailed') });
  return cases;
}

const LAMBDA = '/2015-03-31/functions';

function lambdaCases(): Case[] {
  const cases: Case[] = [];
  const post = (body: string | Buffer) => http('POST', LAMBDA, { 'Content-Type': 'application/json', ...signed('lambda') }, body);
  for (const [name, body] of GENERIC_JSON_BODIES) {
    cases.push({ name: `CreateFunction: ${name}`, request: post(body), check: restJsonError('SerializationException') });
  }
  const wrongTypes: Array<[string, unknown]> = [
    ['number where a string is modelled (FunctionName)', { FunctionName: 5 }],
    ['string where a number is modelled (Timeout)', { FunctionName: 'f', Timeout: 'long' }],
    ['list where a map is modelled (Tags)', { FunctionName: 'f', Tags: ['a'] }],
    ['object where a list is modelled (Layers)', { FunctionName: 'f', Layers: {} }],
    ['string where a structure is modelled (Code)', { FunctionName: 'f', Code: 'zip' }],
    ['number where a blob is modelled (Code.ZipFile)', { FunctionName: 'f', Code: { ZipFile: 5 } }],
    ['string where a boolean is modelled (Publish)', { FunctionName: 'f', Publish: 'yes' }],
  ];
  for (const [name, doc] of wrongTypes) cases.push({ name: `CreateFunction: ${name}`, request: post(JSON.stringify(doc)), check: restJsonError('SerializationException') });
  for (const [name, target] of [['MaxItems=abc', `${LAMBDA}?MaxItems=abc`], ['MaxItems=1e999', `${LAMBDA}?MaxItems=1e999`], ['MaxItems=-', `${LAMBDA}?MaxItems=-`]]) {
    cases.push({ name: `ListFunctions ${name}`, request: http('GET', target, signed('lambda')), check: restJsonError() });
  }
  cases.push({ name: 'Invoke: function name %ZZ', request: http('POST', `${LAMBDA}/%ZZ/invocations`, signed('lambda'), '{}'), check: restJsonError() });
  cases.push({ name: 'unknown path', request: http('GET', '/2015-03-31/nothing-here', signed('lambda')), check: restJsonError() });
  cases.push({ name: 'DELETE on the collection', request: http('DELETE', LAMBDA, signed('lambda')), check: restJsonError() });
  return cases;
}

// ---------------------------------------------------------------- SigV4

function sigv4Cases(): Case[] {
  const cases: Case[] = [];
  const now = new Date();
  const day = formatAmzDate(now).slice(0, 8);
  const cred = (service: string, key = issued.accessKeyId) => `${key}/${day}/us-east-1/${service}/aws4_request`;
  const sig = 'f'.repeat(64);
  const targets = [
    { name: 'STS', service: 'sts', build: (h: Record<string, string>) => http('POST', '/', { ...FORM, Host: 'sts.us-east-1.amazonaws.com', ...h }, `Action=GetCallerIdentity&${STS_VERSION}`), err: queryError },
    { name: 'DynamoDB', service: 'dynamodb', build: (h: Record<string, string>) => http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.ListTables', ...h }, '{}'), err: (c?: Code) => jsonError('1.0', c) },
    { name: 'S3', service: 's3', build: (h: Record<string, string>) => http('GET', '/bucket/key', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...h }), err: s3Error },
  ];
  for (const t of targets) {
    const s3 = t.service === 's3';
    const base = { 'X-Amz-Date': formatAmzDate(now), 'X-Amz-Security-Token': issued.sessionToken };
    const auth = (v: string, extra: Record<string, string> = {}) => ({ ...base, Authorization: v, ...extra });
    const malformed = s3 ? /^(AuthorizationHeaderMalformed|InvalidArgument|AccessDenied)$/ : 'IncompleteSignature';
    // json services call every signature mismatch (expired ones too) InvalidSignatureException
    const mismatch = t.name === 'DynamoDB' ? 'InvalidSignatureException' : 'SignatureDoesNotMatch';
    const variants: Array<[string, Record<string, string>, Code]> = [
      ['algorithm only', auth('AWS4-HMAC-SHA256'), malformed],
      ['empty Authorization', auth(''), malformed],
      ['wrong algorithm', auth(`AWS4-HMAC-SHA512 Credential=${cred(t.service)}, SignedHeaders=host, Signature=${sig}`), malformed],
      ['lowercase algorithm', auth(`aws4-hmac-sha256 Credential=${cred(t.service)}, SignedHeaders=host, Signature=${sig}`), malformed],
      ['missing Credential', auth(`AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=${sig}`), malformed],
      ['missing Signature', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date`), malformed],
      ['missing SignedHeaders', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, Signature=${sig}`), malformed],
      ['component without =', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders, Signature=${sig}`), malformed],
      ['garbage scope', auth(`AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/garbage/${t.service}, SignedHeaders=host;x-amz-date, Signature=${sig}`), s3 ? malformed : /^(IncompleteSignature|SignatureDoesNotMatch|InvalidSignatureException)$/],
      ['scope with six parts', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}/extra, SignedHeaders=host;x-amz-date, Signature=${sig}`), malformed],
      ['wrong terminator', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service).replace('aws4_request', 'aws5_request')}, SignedHeaders=host;x-amz-date, Signature=${sig}`), s3 ? malformed : mismatch],
      ['scope date not the X-Amz-Date', auth(`AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/19991231/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`), s3 ? malformed : mismatch],
      ['10 KB Authorization header', auth(`AWS4-HMAC-SHA256 ${'x'.repeat(10 * 1024)}`), malformed],
      ['10 KB Credential', auth(`AWS4-HMAC-SHA256 Credential=${'k'.repeat(10 * 1024)}, SignedHeaders=host;x-amz-date, Signature=${sig}`), malformed],
      ['no X-Amz-Date nor Date', { Authorization: `AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host, Signature=${sig}`, 'X-Amz-Security-Token': issued.sessionToken }, malformed],
      ['X-Amz-Date not ISO basic', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}`, { 'X-Amz-Date': 'yesterday' }), malformed],
      ['X-Amz-Date month 13', auth(`AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/${day.slice(0, 4)}1301/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`, { 'X-Amz-Date': `${day.slice(0, 4)}1301T000000Z` }), malformed],
      ['signed an hour ago', (() => {
        const then = new Date(now.getTime() - 3600_000);
        return { ...auth(`AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/${formatAmzDate(then).slice(0, 8)}/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`), 'X-Amz-Date': formatAmzDate(then) };
      })(), s3 ? 'RequestTimeTooSkewed' : mismatch],
      ['signed an hour ahead', (() => {
        const then = new Date(now.getTime() + 3600_000);
        return { ...auth(`AWS4-HMAC-SHA256 Credential=${issued.accessKeyId}/${formatAmzDate(then).slice(0, 8)}/us-east-1/${t.service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`), 'X-Amz-Date': formatAmzDate(then) };
      })(), s3 ? 'RequestTimeTooSkewed' : mismatch],
      ['wrong signature for an issued key', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}`), s3 ? 'SignatureDoesNotMatch' : mismatch],
      ['issued key without its session token', { 'X-Amz-Date': formatAmzDate(now), Authorization: `AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}` }, s3 ? 'InvalidAccessKeyId' : /^(InvalidClientTokenId|UnrecognizedClientException)$/],
      ['header signature and presigned query together', auth(`AWS4-HMAC-SHA256 Credential=${cred(t.service)}, SignedHeaders=host;x-amz-date, Signature=${sig}`), s3 ? 'InvalidArgument' : mismatch],
    ];
    for (const [name, headers, code] of variants) {
      let request = t.build(headers);
      if (name.startsWith('header signature and presigned')) {
        request = Buffer.from(request.toString('latin1').replace(/^(\w+) (\/[^ ]*)/, (_, m, p) => `${m} ${p}${p.includes('?') ? '&' : '?'}X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=${sig}`), 'latin1');
      }
      if (name === 'signed an hour ago' || name === 'signed an hour ahead') {
        // non-S3 names the failure in the message
        const check = t.err(code);
        cases.push({ name: `${t.name}: ${name}`, request, check: (o) => {
          check(o);
          if (!s3) assert.match(replyOf(o).body.toString(), /Signature (expired|not yet current)/);
        } });
        continue;
      }
      cases.push({ name: `${t.name}: ${name}`, request, check: t.err(code) });
    }
  }

  // presigned URLs
  const presigned = (service: string, path: string, q: Record<string, string>, extra = '') => {
    const when = formatAmzDate(now);
    const params: Record<string, string> = {
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': cred(service),
      'X-Amz-Date': when,
      'X-Amz-Expires': '300',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Security-Token': issued.sessionToken,
      'X-Amz-Signature': sig,
      ...q,
    };
    const qs = Object.entries(params).filter(([, v]) => v !== '\u0000').map(([k, v]) => `${k}=${v.includes('%') ? v : encodeURIComponent(v)}`).join('&');
    return http('GET', `${path}?${extra}${qs}`, {});
  };
  const hourAgo = formatAmzDate(new Date(now.getTime() - 3600_000));
  const hourAhead = formatAmzDate(new Date(now.getTime() + 3600_000));
  const presignedVariants: Array<[string, Record<string, string>, Code, Code]> = [
    // [name, query overrides ('\0' drops a parameter), S3 code, STS code]
    ['X-Amz-Date garbage', { 'X-Amz-Date': 'garbage' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Date Feb 30', { 'X-Amz-Date': `${day.slice(0, 4)}0230T000000Z` }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Date empty', { 'X-Amz-Date': '' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Date missing', { 'X-Amz-Date': '\u0000' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    // outside S3 X-Amz-Expires is not honoured (as AWS): those cases fail on the wrong signature instead
    ['X-Amz-Expires=-1', { 'X-Amz-Expires': '-1' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Expires=999999999', { 'X-Amz-Expires': '999999999' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Expires=abc', { 'X-Amz-Expires': 'abc' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Expires missing', { 'X-Amz-Expires': '\u0000' }, 'AuthorizationQueryParametersError', 'SignatureDoesNotMatch'],
    ['X-Amz-Algorithm wrong', { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Signature missing', { 'X-Amz-Signature': '\u0000' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Credential %ZZ', { 'X-Amz-Credential': '%ZZ' }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['X-Amz-Credential with three parts', { 'X-Amz-Credential': `${issued.accessKeyId}/${day}/us-east-1` }, 'AuthorizationQueryParametersError', 'IncompleteSignature'],
    ['signed an hour ago, expiring after 60 s', { 'X-Amz-Date': hourAgo, 'X-Amz-Credential': cred('s3').replace(day, hourAgo.slice(0, 8)), 'X-Amz-Expires': '60' }, 'AccessDenied', 'SignatureDoesNotMatch'],
    ['signed an hour ahead', { 'X-Amz-Date': hourAhead, 'X-Amz-Credential': cred('s3').replace(day, hourAhead.slice(0, 8)) }, 'AccessDenied', 'SignatureDoesNotMatch'],
    ['wrong signature', {}, 'SignatureDoesNotMatch', 'SignatureDoesNotMatch'],
  ];
  for (const [name, q, s3Code, stsCode] of presignedVariants) {
    cases.push({ name: `S3 presigned: ${name}`, request: presigned('s3', '/bucket/key', q), check: s3Error(s3Code) });
    const stsQ = Object.fromEntries(Object.entries(q).map(([k, v]) => [k, k === 'X-Amz-Credential' ? v.replace('/s3/', '/sts/') : v]));
    cases.push({ name: `STS presigned: ${name}`, request: presigned('sts', '/', stsQ, `Action=GetCallerIdentity&${STS_VERSION}&`), check: queryError(stsCode) });
  }
  return cases;
}

// ---------------------------------------------------------------- aws-chunked

const CHUNKED_HEADERS = {
  'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'Content-Encoding': 'aws-chunked',
  'x-amz-trailer': 'x-amz-checksum-crc32',
};

function chunkedCases(): Case[] {
  const xmlDoc = '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>';
  const n = xmlDoc.length.toString(16);
  const trailer = 'x-amz-checksum-crc32:AAAAAA==\r\n\r\n';
  const framings: Array<[string, string, Code]> = [
    ['non-hex size', `zz\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size with 0x prefix', `0x${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['negative size', `-${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size with a space', `${n} \r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['empty size line', `\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size of 13 hex digits', `${'f'.repeat(13)}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size larger than the data', `ffff\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['size smaller than the data', `4\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['missing CRLF after the data', `${n}\r\n${xmlDoc}0\r\n${trailer}`, 'IncompleteBody'],
    ['bare LF after the size', `${n}\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['chunk extension of 5 KB', `${n};${'x'.repeat(5000)}\r\n${xmlDoc}\r\n0\r\n${trailer}`, 'IncompleteBody'],
    ['chunk extension never ended', `${n};chunk-signature=abc`, 'IncompleteBody'],
    ['truncated final chunk (no final CRLF)', `${n}\r\n${xmlDoc}\r\n0\r\n`, 'IncompleteBody'],
    ['truncated after the trailer', `${n}\r\n${xmlDoc}\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n`, 'IncompleteBody'],
    ['no final chunk', `${n}\r\n${xmlDoc}\r\n`, 'IncompleteBody'],
    ['data after the end', `${n}\r\n${xmlDoc}\r\n0\r\n${trailer}garbage`, 'IncompleteBody'],
    ['trailer without a colon', `${n}\r\n${xmlDoc}\r\n0\r\nx-amz-checksum-crc32 AAAAAA==\r\n\r\n`, 'MalformedTrailerError'],
    ['trailer with an empty name', `${n}\r\n${xmlDoc}\r\n0\r\n:AAAAAA==\r\n\r\n`, 'MalformedTrailerError'],
    ['64 KB of trailers', `${n}\r\n${xmlDoc}\r\n0\r\n${Array.from({ length: 2000 }, (_, i) => `x-amz-meta-t${i}:${'v'.repeat(40)}\r\n`).join('')}\r\n`, 'MalformedTrailerError'],
    ['empty body', '', 'IncompleteBody'],
    ['plain XML, not framed', xmlDoc, 'IncompleteBody'],
  ];
  const cases: Case[] = [];
  for (const [name, body, code] of framings) {
    // buffered (PutBucketTagging: the framing is removed before the XML is parsed)
    cases.push({ name: `PutBucketTagging: ${name}`, request: http('PUT', '/bucket?tagging', CHUNKED_HEADERS, body), check: s3Error(code) });
    // streamed (PutObject: the body is not buffered; it is read through the decoder before the answer)
    cases.push({ name: `PutObject: ${name}`, request: http('PUT', '/bucket/key', CHUNKED_HEADERS, body), check: s3Error(code) });
  }
  cases.push({
    name: 'PutObject: x-amz-decoded-content-length disagrees',
    request: http('PUT', '/bucket/key', { ...CHUNKED_HEADERS, 'x-amz-decoded-content-length': '5' }, `${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`),
    check: s3Error('IncompleteBody'),
  });
  cases.push({
    name: 'PutObject: x-amz-decoded-content-length not a number',
    request: http('PUT', '/bucket/key', { ...CHUNKED_HEADERS, 'x-amz-decoded-content-length': 'abc' }, `${n}\r\n${xmlDoc}\r\n0\r\n${trailer}`),
    check: s3Error(/^(IncompleteBody|InvalidArgument)$/),
  });
  // the client stops sending in the middle of a chunk
  for (const [name, target] of [['PutBucketTagging', '/bucket?tagging'], ['PutObject', '/bucket/key']]) {
    cases.push({ name: `${name}: body shorter than Content-Length (held)`, request: http('PUT', target, CHUNKED_HEADERS, `${n}\r\n<Tag`, '500'), hold: true, check: heldOpen() });
  }
  return cases;
}

// ---------------------------------------------------------------- HTTP level

function httpCases(): Case[] {
  const cases: Case[] = [];
  const raw = (s: string) => Buffer.from(s, 'latin1');
  const stsBogus = `Action=Bogus&${STS_VERSION}`;
  const sts = (headers: Headers, target = '/') => http('POST', target, [...Object.entries(FORM), ...Object.entries(signed('sts')), ...(Array.isArray(headers) ? headers : Object.entries(headers))], stsBogus);

  // rejected by node's parser: bare 400 (431 for header overflow), connection closed
  const rejected: Array<[string, Buffer, number | number[]]> = [
    ['garbage request line', raw('GARBAGE\r\n\r\n'), 400],
    ['unknown method', raw(`BREW / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['lowercase method', raw(`get / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['HTTP/9.9', raw(`GET / HTTP/9.9\r\nHost: ${HOST}\r\n\r\n`), [400, 505]],
    ['NUL in the request line', raw(`GET /\0 HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['space in the path', raw(`GET /a b HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['raw non-ASCII byte in the path', raw(`GET /\xe9\xe9 HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['DEL in the path', raw(`GET /a\x7fb HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 400],
    ['no Host (HTTP/1.1)', raw('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), 400],
    ['header without a colon', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nNoColonHere\r\n\r\n`), 400],
    ...[' ', '(', '@', '"', '\x01', '\x7f', 'é', '['].map((ch): [string, Buffer, number] =>
      [`header name with ${JSON.stringify(ch)}`, raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX${ch}Bad: 1\r\n\r\n`), 400]),
    ...['\x00', '\x01', '\x7f', '\r'].map((ch): [string, Buffer, number] =>
      [`header value with ${JSON.stringify(ch)}`, raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Bad: a${ch}b\r\n\r\n`), 400]),
    ['obsolete line folding', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Folded: a\r\n b\r\n\r\n`), 400],
    ['64 KB header value', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Big: ${'v'.repeat(64 * 1024)}\r\n\r\n`), 431],
    ['500 headers of 40 bytes', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n${Array.from({ length: 500 }, (_, i) => `X-H${String(i).padStart(4, '0')}: ${'v'.repeat(30)}\r\n`).join('')}\r\n`), 431],
    ['17 KB URL', raw(`GET /${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`), 431],
    ['Content-Length: -1', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: -1\r\n\r\n`), 400],
    ['Content-Length: abc', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: abc\r\n\r\n`), 400],
    ['Content-Length: 0x10', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 0x10\r\n\r\n`), 400],
    ['two different Content-Lengths', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`), 400],
    ['Transfer-Encoding and Content-Length', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n`), 400],
    ['Transfer-Encoding not ending in chunked', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: gzip\r\n\r\nabc`), 400],
    ['bad chunk size', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`), 400],
    ['Expect: banana', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nExpect: banana\r\nContent-Length: 1\r\n\r\nx`), 417],
  ];
  for (const [name, request, status] of rejected) cases.push({ name, request, check: httpReject(status) });

  // reaching Nimbus despite oddities: the protocol's own error
  cases.push({ name: 'unsupported method PROPFIND on /', request: http('PROPFIND', '/', {}), check: s3Error('MethodNotAllowed') });
  cases.push({ name: '500 small headers on a bad query call', request: sts(Array.from({ length: 500 }, (_, i): [string, string] => [`X-H${i}`, 'v'])), check: queryError('InvalidAction') });
  cases.push({ name: '8 KB URL on a bad query call', request: sts({}, `/?${'p'.repeat(8 * 1024)}`), check: queryError('InvalidAction') });
  cases.push({ name: 'absolute-form target on a bad query call', request: sts({}, 'http://sts.amazonaws.com/'), check: queryError('InvalidAction') });
  for (const path of ['/%00', '/%ZZ', '//..//', '/../../etc/passwd', '/%2e%2e/%2e%2e/', '/%', '/%E2%82', '/%C0%AF', '/%C3%A9%C3%A9', '/a%2Fb']) {
    cases.push({ name: `path ${JSON.stringify(path)} on a bad query call`, request: sts({}, path), check: queryError(/^(InvalidAction|InvalidURI)$/) });
    cases.push({
      name: `path ${JSON.stringify(path)} on a malformed DynamoDB call`,
      request: http('POST', path, { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan', ...signed('dynamodb') }, '{"TableName":5}'),
      check: jsonError('1.0', /^(SerializationException|InvalidURI)$/),
    });
    cases.push({
      name: `path ${JSON.stringify(path)} with ?tagging and broken XML`,
      request: http('PUT', `${path}?tagging`, { 'Content-Type': 'application/xml' }, '<Tagging>'),
      check: s3Error(/^(MalformedXML|InvalidURI|MethodNotAllowed|InvalidBucketName)$/),
    });
    // a plain GET of such a path is an S3 call (ListObjects/GetObject) naming an odd bucket or key: S3's own error
    cases.push({ name: `GET ${JSON.stringify(path)} (S3)`, request: http('GET', path, {}), check: s3Error() });
  }

  // oversized bodies: 413 from the declared length, before any of it is sent
  const huge = String(200 * 1024 * 1024);
  cases.push({ name: 'query body over 100 MiB', request: http('POST', '/', { ...FORM, ...signed('sts') }, '', huge), check: queryError('RequestEntityTooLarge', { status: 413 }) });
  cases.push({ name: 'json body over 100 MiB', request: http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan' }, '', huge), check: jsonError('1.0', 'RequestEntityTooLarge', { status: 413 }) });
  cases.push({ name: 'cbor body over 100 MiB', request: http('POST', CW_PATH, CBOR_HEADERS, '', huge), check: cborError('RequestEntityTooLarge', { status: 413 }) });
  cases.push({ name: 'rest-xml body over 100 MiB', request: http('PUT', '/bucket?tagging', {}, '', huge), check: s3Error(/^(RequestEntityTooLarge|EntityTooLarge)$/, { status: [400, 413] }) });
  cases.push({ name: 'rest-json body over 100 MiB', request: http('POST', LAMBDA, signed('lambda'), '', huge), check: restJsonError('RequestEntityTooLarge', { status: 413 }) });
  cases.push({ name: 'query body over 100 MiB, Expect: 100-continue', request: http('POST', '/', { ...FORM, ...signed('sts'), Expect: '100-continue' }, '', huge), check: queryError('RequestEntityTooLarge', { status: 413 }) });

  // held: the body is shorter than its Content-Length, or the headers never end
  const held: Array<[string, Buffer]> = [
    ['query body shorter than Content-Length', http('POST', '/', { ...FORM, ...signed('sts') }, 'Action=GetCa', '100')],
    ['json body shorter than Content-Length', http('POST', '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.Scan' }, '{"Tab', '100')],
    ['cbor body shorter than Content-Length', http('POST', CW_PATH, CBOR_HEADERS, hex('a1 69'), '100')],
    ['S3 PutObject body shorter than Content-Length', http('PUT', '/bucket/key', {}, 'abc', '100')],
    ['admin body shorter than Content-Length', http('POST', '/_nimbus/clock', {}, '{"adv', '100')],
    ['headers never finished', raw(`GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Partial: 1\r\n`)],
    ['request line never finished', raw('GET /bucket/ke')],
    ['chunked body never terminated', raw(`POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/x-amz-json-1.0\r\nX-Amz-Target: DynamoDB_20120810.Scan\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"Tab\r\n`)],
  ];
  for (const [name, request] of held) cases.push({ name: `${name} (held)`, request, hold: true, check: heldOpen() });
  return cases;
}

// ---------------------------------------------------------------- running

const FAMILIES: Array<[string, () => Case[]]> = [
  ['query protocol (STS)', queryCases],
  ['awsJson 1.0/1.1 (DynamoDB, KMS, SQS)', jsonCases],
  ['Smithy RPC v2 CBOR (CloudWatch)', cborCases],
  ['rest-xml (S3)', s3Cases],
  ['rest-json (Lambda)', lambdaCases],
  ['SigV4', sigv4Cases],
  ['aws-chunked', chunkedCases],
  ['HTTP level', httpCases],
];

const counts: Record<string, number> = {};

/** A valid call, answered correctly: the server is still up and sane. */
async function assertServing(): Promise<void> {
  const health = await fetch(`${nimbus.url}/_nimbus/health`);
  assert.equal(health.status, 200);
  await health.arrayBuffer();
}

for (const [family, make] of FAMILIES) {
  test(`malformed: ${family}`, async (t) => {
    const cases = make();
    counts[family] = cases.length;
    for (const c of cases) {
      await t.test(c.name, async () => {
        const outcome = await exchange(c);
        if (process.env.MALFORMED_DEBUG) {
          const r = outcome.kind === 'reply' ? outcome.reply : undefined;
          console.log(`[${family}] ${c.name} → ${outcome.kind} ${r?.status ?? ''} ${r ? r.body.toString('latin1').slice(0, 160).replace(/\s+/g, ' ') : ''}`);
        }
        c.check(outcome);
        if (c.hold) await assertServing();
      });
    }
    await assertServing();
  });
}

test('the server is still up and answers correctly', async () => {
  await assertServing();
  const me = await new STSClient(clientConfig(nimbus.url)).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, '000000000000');
  assert.equal(me.Arn, 'arn:aws:iam::000000000000:root');
});

test('at least 200 generated malformed requests', () => {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`malformed cases: ${JSON.stringify(counts)} total ${total}`);
  assert.ok(total >= 200, `only ${total} cases`);
});
