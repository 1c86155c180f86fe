// The AWS event-stream encoding (application/vnd.amazon.eventstream): a response body made of
// binary messages, each `total length | headers length | prelude CRC32 | headers | payload | CRC32`,
// with typed headers (`:message-type`, `:event-type`, `:content-type`, `:exception-type`,
// `:error-code`, `:error-message`). A handler returns an event-stream output member as an async
// iterable of union values (`{ MemberName: event }`); the protocol turns each into one message as it
// is produced, so the client reads events as they happen. Service-agnostic: what goes in a message
// comes from the model (the union's members, `eventpayload` and `eventheader` members).
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { ServiceModel, ShapeRef } from './model.js';
import { ServiceError } from '../services/errors.js';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

export type HeaderValue = string | boolean | number | bigint | Date | Uint8Array;

const TYPE = { true: 0, false: 1, byte: 2, short: 3, integer: 4, long: 5, bytes: 6, string: 7, timestamp: 8 } as const;

function encodeHeader(name: string, value: HeaderValue): Buffer {
  const key = Buffer.from(name);
  if (key.length > 255) throw new Error(`event-stream header name too long: ${name}`);
  let body: Buffer;
  if (typeof value === 'boolean') body = Buffer.from([value ? TYPE.true : TYPE.false]);
  else if (typeof value === 'string' || value instanceof Uint8Array) {
    const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
    if (bytes.length > 0x7fff) throw new Error(`event-stream header value too long: ${name}`);
    body = Buffer.alloc(3 + bytes.length);
    body[0] = typeof value === 'string' ? TYPE.string : TYPE.bytes;
    body.writeUInt16BE(bytes.length, 1);
    bytes.copy(body, 3);
  } else if (value instanceof Date) {
    body = Buffer.alloc(9);
    body[0] = TYPE.timestamp;
    body.writeBigInt64BE(BigInt(value.getTime()), 1);
  } else if (typeof value === 'bigint') {
    body = Buffer.alloc(9);
    body[0] = TYPE.long;
    body.writeBigInt64BE(value, 1);
  } else {
    body = Buffer.alloc(5);
    body[0] = TYPE.integer;
    body.writeInt32BE(value, 1);
  }
  return Buffer.concat([Buffer.from([key.length]), key, body]);
}

/** One event-stream message. */
export function encodeMessage(headers: Record<string, HeaderValue>, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const head = Buffer.concat(Object.entries(headers).map(([k, v]) => encodeHeader(k, v)));
  const total = 12 + head.length + payload.length + 4;
  const msg = Buffer.alloc(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(head.length, 4);
  msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
  head.copy(msg, 12);
  Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).copy(msg, 12 + head.length);
  msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
  return msg;
}

/** How the protocol writes a structure (an event's members or payload) in its body format. */
export interface EventBodyWriter {
  contentType: string;
  write(model: ServiceModel, ref: ShapeRef, value: unknown): Buffer | string;
}

type Flagged = ShapeRef & { eventheader?: boolean };

/** One event of the stream (`{ Member: value }`) as its message. */
export function encodeEvent(model: ServiceModel, stream: ShapeRef, event: Record<string, unknown>, writer: EventBodyWriter): Buffer {
  const union = model.shape(stream.shape);
  const name = Object.keys(event).find((k) => event[k] !== undefined && union.members?.[k]);
  if (!name) throw new Error(`not an event of ${stream.shape}: ${Object.keys(event).join(', ')}`);
  const ref = union.members![name];
  const shape = model.shape(ref.shape);
  const value = (event[name] ?? {}) as Record<string, unknown>;
  const headers: Record<string, HeaderValue> = shape.exception
    ? { ':message-type': 'exception', ':exception-type': name }
    : { ':message-type': 'event', ':event-type': name };
  const members = Object.entries(shape.members ?? {}) as [string, Flagged][];
  for (const [k, m] of members) if (m.eventheader && value[k] !== undefined) headers[k] = value[k] as HeaderValue;
  const payloadMember = members.find(([, m]) => m.eventpayload);
  let payload: Buffer;
  if (payloadMember) {
    const [k, m] = payloadMember;
    const type = model.shape(m.shape).type;
    const v = value[k];
    if (type === 'blob' || type === 'string') {
      payload = v === undefined || v === null ? Buffer.alloc(0) : Buffer.from(v as string | Uint8Array);
      headers[':content-type'] = type === 'blob' ? 'application/octet-stream' : 'text/plain';
    } else {
      payload = Buffer.from(writer.write(model, m, v ?? {}));
      headers[':content-type'] = writer.contentType;
    }
  } else {
    const body: Record<string, unknown> = {};
    for (const [k, m] of members) if (!m.eventheader && value[k] !== undefined) body[k] = value[k];
    payload = Buffer.from(writer.write(model, ref, body));
    headers[':content-type'] = writer.contentType;
  }
  return encodeMessage(headers, payload);
}

/** A failure that ends the stream: a modelled exception event, else an `error` message. */
export function encodeFailure(model: ServiceModel, stream: ShapeRef, err: unknown, writer: EventBodyWriter): Buffer {
  const union = model.shape(stream.shape);
  if (err instanceof ServiceError && union.members?.[err.code] && model.shape(union.members[err.code].shape).exception) {
    return encodeEvent(model, stream, { [err.code]: { message: err.message, ...err.fields } }, writer);
  }
  const code = err instanceof ServiceError ? err.code : 'InternalFailure';
  const message = err instanceof ServiceError ? err.message : 'An internal error occurred.';
  return encodeMessage({ ':message-type': 'error', ':error-code': code, ':error-message': message });
}

export function isEventStream(model: ServiceModel, ref: ShapeRef | undefined): boolean {
  return !!ref && !!model.shape(ref.shape).eventstream;
}

/**
 * The body for an event-stream member (after `initial`, when given): each value the handler's iterable yields becomes a message
 * as soon as it is produced; a throw ends the stream with an exception or error message.
 */
export function eventStreamBody(
  model: ServiceModel,
  stream: ShapeRef,
  source: unknown,
  writer: EventBodyWriter,
  initial?: string,
): Readable {
  const iterable: AsyncIterable<Record<string, unknown>> | Iterable<Record<string, unknown>> =
    source &&
    (typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function' ||
      typeof (source as Iterable<unknown>)[Symbol.iterator] === 'function')
      ? (source as AsyncIterable<Record<string, unknown>>)
      : [source as Record<string, unknown>]; // a single event given as a plain object
  async function* messages() {
    // rpc protocols send the output's other members first, as the `initial-response` event
    if (initial !== undefined)
      yield encodeMessage(
        { ':message-type': 'event', ':event-type': 'initial-response', ':content-type': writer.contentType },
        Buffer.from(initial),
      );
    try {
      for await (const event of iterable) yield encodeEvent(model, stream, event, writer);
    } catch (e) {
      yield encodeFailure(model, stream, e, writer);
    }
  }
  return Readable.from(messages(), { objectMode: false });
}

/**
 * What a handler returns for an event-stream output member: its events as they are produced
 * (`{ MemberName: event }` each), typed as the member so the provider's signature holds.
 */
export function eventStream<T>(source: AsyncIterable<T>): T {
  return source as unknown as T;
}
