// Signed raw JSON calls to DynamoDB: what tests send and read exactly as on the wire, without an SDK
// reshaping the request or hiding the response.
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { credentials, region } from './helpers.js';

export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

const signer = new SignatureV4({ credentials, region, service: 'dynamodb', sha256: Sha256 });

export async function ddbRaw(base: string, op: string, body: unknown): Promise<RawAnswer> {
  const url = new URL(base);
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const req = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${op}` },
    body: payload,
  });
  const signed = await signer.sign(req);
  const res = await fetch(base, { method: 'POST', headers: signed.headers, body: payload });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON: the test sees text */
  }
  return { status: res.status, headers: res.headers, text, json };
}
