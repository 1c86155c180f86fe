// What the SigV4 and aws-chunked unit tests share: AWS's documented example credentials, a signer, and checks.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { parseAuth, verify, type AuthRequest } from '../../src/gateway/sigv4.js';
import { ServiceError } from '../../src/services/errors.js';

export type Req = AuthRequest & { body?: Buffer | string };

export const sha256 = (d: string | Buffer) => createHash('sha256').update(d).digest('hex');
export const hmacHex = (k: Buffer, s: string) => createHmac('sha256', k).update(s).digest('hex');
export const escapeUri = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** Asserts fn throws a ServiceError with this code (and message / status / fields when given). */
export function throwsAws(fn: () => unknown, code: string, message?: string | RegExp, status?: number): ServiceError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ServiceError, `expected ServiceError ${code}, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
  if (status !== undefined) assert.equal(err.status, status);
  return err;
}

export const check = (req: Req, secret: string, service?: string) => verify(parseAuth(req, service), req, secret);

// From the S3 API reference, "Signature Calculations for the Authorization Header" / "Query String".
export const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const DOC_CRED = 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';
export const docAuth = (signed: string, sig: string) => `AWS4-HMAC-SHA256 Credential=${DOC_CRED},SignedHeaders=${signed},Signature=${sig}`;

export const SECRET = 'nimbus/secret+KEY';
export const SIGNING_DATE = new Date('2026-11-24T10:10:10Z');

export function signer(service: string, secretAccessKey = SECRET, sessionToken?: string) {
  return new SignatureV4({
    credentials: { accessKeyId: 'AKIDNIMBUS', secretAccessKey, sessionToken },
    region: 'eu-west-1',
    service,
    sha256: Sha256,
    uriEscapePath: service !== 's3', // as the SDK's S3 client does
    applyChecksum: service === 's3', // x-amz-content-sha256 is S3's; elsewhere the body's hash is signed
  });
}

/** The request as it arrives: query serialised as the SDK's HTTP handler does, headers lowercased. */
export interface SignedRequest {
  method: string;
  path: string;
  query?: Record<string, string | (string | null)[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}
export function onWire(r: SignedRequest): Req {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(r.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(one === null ? escapeUri(k) : `${escapeUri(k)}=${escapeUri(one as string)}`);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return { method: r.method, path: r.path, rawQuery: parts.join('&'), headers, body: r.body as Buffer | string | undefined };
}
