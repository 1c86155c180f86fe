// Test support for the protocol round trips: an SDK v3 request handler that parses each request with our
// protocol (the one protocolFor picks), hands the input to a test handler, and answers with our
// serialize()/serializeError() output. No server involved.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { HttpResponse as SdkResponse, type HttpRequest as SdkRequest } from '@smithy/protocol-http';
import type { ServiceModel } from '../src/protocols/model.js';
import type { HttpRequest, HttpResponse, Protocol } from '../src/protocols/types.js';
import { protocolFor } from '../src/gateway/identify.js';
import { ServiceError } from '../src/services/errors.js';
import { services } from '../src/services/registry.js';

/** What the gateway hands the protocols: the request id, the service, its profile's wire dialect. */
export const ctx = (service: string) => ({ requestId: 'req-1', service, dialect: services.find((s) => s.name === service)?.wire });

export async function readAll(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string' || body instanceof Uint8Array) return Buffer.from(body as Uint8Array);
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** What the gateway would hand a protocol for this SDK request. */
export async function fromSdk(r: SdkRequest, model: ServiceModel, protocol: Protocol): Promise<HttpRequest> {
  const query = new Map<string, string[]>();
  const raw: string[] = [];
  for (const [k, v] of Object.entries(r.query ?? {})) {
    const values = v === null || v === undefined ? [''] : Array.isArray(v) ? v : [v];
    query.set(k, values);
    for (const value of values) raw.push(v === null ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(value)}`);
  }
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const req: HttpRequest = { method: r.method, path: r.path, rawQuery: raw.join('&'), query, headers, body: await readAll(r.body) };
  // like the gateway: a streaming input payload arrives as a stream
  const op = protocol.resolveOperation(model, req);
  const input = op && model.operations[op].input ? model.shape(model.operations[op].input!.shape) : undefined;
  const payload = input?.payload ? input.members![input.payload] : undefined;
  if (payload && (payload.streaming || model.shape(payload.shape).streaming)) {
    req.bodyStream = Readable.from([req.body]);
    req.body = Buffer.alloc(0);
  }
  return req;
}

export async function toSdk(res: HttpResponse): Promise<SdkResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  const body = res.body instanceof Readable ? res.body : Readable.from([Buffer.from(res.body ?? '')]);
  return new SdkResponse({ statusCode: res.status, headers, body });
}

export type Handler = (operation: string, input: Record<string, unknown>) => unknown;

/**
 * An SDK request handler that serves every request through `protocol` and `handler`, checking first that
 * the gateway's protocolFor picks `protocol` for the request.
 */
export function fakeAws(model: ServiceModel, protocol: Protocol, handler: Handler) {
  return {
    handle: async (request: SdkRequest) => {
      const req = await fromSdk(request, model, protocol);
      assert.equal(protocolFor(model, req).name, protocol.name, `protocolFor(${model.name})`);
      const operation = protocol.resolveOperation(model, req);
      let res: HttpResponse;
      try {
        if (!operation) throw new ServiceError('UnknownOperation', `${req.method} ${req.path}?${req.rawQuery}`);
        const output = await handler(operation, protocol.parse(model, operation, req));
        res = protocol.serialize(model, operation, output, ctx(model.name));
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
        res = protocol.serializeError(model, operation, e, ctx(model.name));
      }
      return { response: await toSdk(res) };
    },
  };
}

export const common = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };

/** Records the operation and input, answers with `output`. */
export function answer(output: unknown) {
  const seen: { operation?: string; input?: Record<string, unknown> } = {};
  const handler: Handler = (operation, input) => {
    seen.operation = operation;
    seen.input = input;
    return output;
  };
  return { seen, handler };
}

/** A handler that fails every call with `err`. */
export const failWith =
  (err: ServiceError): Handler =>
  () => {
    throw err;
  };

export const pick = (o: Record<string, unknown> | undefined, like: object) =>
  Object.fromEntries(
    Object.keys(like)
      .filter((k) => o?.[k] !== undefined)
      .map((k) => [k, o![k]]),
  );
export const withoutMetadata = ({ $metadata: _, ...rest }: { $metadata: unknown }) => rest;

/** SDK output with its blobs (Uint8Array) as Buffers, comparable with deepEqual to what the test serialized. */
export function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** A request as the gateway builds it, for tests that hand-craft the wire format. */
export function request(method: string, target: string, headers: Record<string, string> = {}, body: string | Buffer = ''): HttpRequest {
  const [path, rawQuery = ''] = target.split('?', 2);
  const query = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(rawQuery)) query.set(k, [...(query.get(k) ?? []), v]);
  return { method, path, rawQuery, query, headers, body: Buffer.from(body) };
}
