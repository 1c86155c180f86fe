// The harness of the malformed-request tests (malformed.test.ts): raw sockets, request builders, and
// one assertion helper per protocol family.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Decoder } from 'cbor-x';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatAmzDate } from '../../src/gateway/sigv4.js';

/** Session credentials Nimbus issued: signatures made with them are verified. */
export interface Issued {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

// ---------------------------------------------------------------- sending

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type Outcome = { kind: 'reply'; reply: Reply } | { kind: 'closed'; partial: string } | { kind: 'timeout' };

export interface Case {
  name: string;
  request: Buffer;
  /** HEAD: the reply has no body */
  head?: boolean;
  /** incomplete by HTTP semantics: the client half-closes after 200 ms instead of waiting */
  hold?: boolean;
  check(o: Outcome): void;
}

export const TIMEOUT_MS = 5000;
export const HOLD_MS = 200;

/** Parses one HTTP/1.1 response from `buf` (skipping 1xx), or undefined while it is incomplete. */
export function parseReply(buf: Buffer, head: boolean, ended: boolean): Reply | undefined {
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
export function exchange(port: number, c: Case): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
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

export type Headers = Record<string, string> | Array<[string, string]>;
export const HOST = 'localhost:4566';

/**
 * A raw HTTP/1.1 request. Host, Connection: close and Content-Length (of the body) are added unless
 * given; `length: null` leaves Content-Length out, a string sends it as is.
 */
export function http(method: string, target: string, headers: Headers, body: string | Buffer = '', length?: string | null): Buffer {
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
export function signed(service: string): Record<string, string> {
  const date = formatAmzDate(new Date());
  return {
    'X-Amz-Date': date,
    Authorization:
      `AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/us-east-1/${service}/aws4_request, ` +
      `SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
  };
}

export const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };

/** A deterministic PRNG (mulberry32), so "random" cases are the same on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
export const randomBytes = (seed: number, n: number) => {
  const r = random(seed);
  return Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
};

// ---------------------------------------------------------------- assertions, one per protocol family

export type Code = string | RegExp | undefined;
export interface Expect {
  status?: number | number[];
  /** also accept 501 NotImplemented (well-formed at the protocol level: see the case) */
  allow501?: boolean;
}

export function replyOf(o: Outcome): Reply {
  assert.notEqual(o.kind, 'timeout', 'no response within 5 s');
  assert.equal(o.kind, 'reply', `connection closed without a complete response: ${o.kind === 'closed' ? o.partial : ''}`);
  return (o as { reply: Reply }).reply;
}

export function checkStatus(r: Reply, e: Expect, body: () => string): void {
  const ok =
    e.status === undefined
      ? r.status >= 400 && r.status < 500
      : Array.isArray(e.status)
        ? e.status.includes(r.status)
        : r.status === e.status;
  assert.ok(ok || (e.allow501 && r.status === 501), `status ${r.status} (expected ${e.status ?? '4xx'}): ${body().slice(0, 300)}`);
}

export function checkCode(actual: unknown, code: Code, r: Reply): void {
  assert.equal(typeof actual, 'string', 'no error code');
  if (r.status === 501) return assert.equal(actual, 'NotImplemented');
  if (typeof code === 'string') assert.equal(actual, code);
  else if (code) assert.match(actual as string, code);
  else assert.ok((actual as string).length > 0);
}

export const xml = new XMLParser({ ignoreDeclaration: true, parseTagValue: false });
export function parseXmlBody(r: Reply): Record<string, any> {
  const text = r.body.toString('utf8');
  const valid = XMLValidator.validate(text);
  assert.equal(valid, true, `not well-formed XML: ${JSON.stringify(valid)}: ${text.slice(0, 200)}`);
  return xml.parse(text) as Record<string, any>;
}

/** The query protocol (STS): `<ErrorResponse><Error><Type/><Code/>…`. */
export const queryError =
  (code?: Code, e: Expect = {}) =>
  (o: Outcome) => {
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
export const s3Error =
  (code?: Code, e: Expect = {}) =>
  (o: Outcome) => {
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
export const s3HeadError =
  (e: Expect = {}) =>
  (o: Outcome) => {
    const r = replyOf(o);
    checkStatus(r, e, () => '');
    assert.ok(r.headers['x-amz-request-id']);
    assert.equal(r.body.length, 0);
  };

/** awsJson 1.0/1.1: `{"__type": …, "message": …}` and X-Amzn-ErrorType. */
export const jsonError =
  (version: '1.0' | '1.1', code?: Code, e: Expect & { queryCompatible?: boolean } = {}) =>
  (o: Outcome) => {
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
export const restJsonError =
  (code?: Code, e: Expect = {}) =>
  (o: Outcome) => {
    const r = replyOf(o);
    checkStatus(r, e, () => r.body.toString());
    assert.match(r.headers['content-type'] ?? '', /^application\/json/);
    assert.ok(r.headers['x-amzn-requestid']);
    checkCode(r.headers['x-amzn-errortype']?.split(':')[0], code, r);
    const doc = JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
    assert.equal(typeof (doc.message ?? doc.Message), 'string');
  };

/** Smithy RPC v2 CBOR (CloudWatch): a CBOR map with __type. */
export const cborDecoder = new Decoder({ mapsAsObjects: true, useRecords: false });
export const cborError =
  (code?: Code, e: Expect = {}) =>
  (o: Outcome) => {
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
export const httpReject =
  (status: number | number[] = 400) =>
  (o: Outcome) => {
    const r = replyOf(o);
    checkStatus(r, { status }, () => r.body.toString());
    if (r.status !== 417) assert.equal(r.headers.connection, 'close');
  };

/** A request the server had to wait on: any answer is a 4xx; hanging up is fine too. */
export const heldOpen = () => (o: Outcome) => {
  assert.notEqual(o.kind, 'timeout', 'the server neither answered nor closed within 5 s of the half-close');
  if (o.kind === 'reply') checkStatus(o.reply, {}, () => o.reply.body.toString());
};

// ---------------------------------------------------------------- shared by the case families

export const STS_VERSION = 'Version=2011-06-15';
export const CW_PATH = '/service/GraniteServiceVersion20100801/operation/ListMetrics';
export const CBOR_HEADERS = { 'smithy-protocol': 'rpc-v2-cbor', 'Content-Type': 'application/cbor', Accept: 'application/cbor' };
export const LAMBDA = '/2015-03-31/functions';
export const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
