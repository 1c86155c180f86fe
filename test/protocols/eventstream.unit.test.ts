// The event-stream encoder, decoded by the SDK's own codec (@smithy/core's EventStreamCodec): header
// types, both CRCs, events from a model (payload members, JSON bodies, modelled exceptions, errors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { encodeMessage, eventStreamBody } from '../../src/protocols/eventstream.js';
import { loadModel } from '../../src/protocols/model.js';
import { ServiceError } from '../../src/services/errors.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const json = { contentType: 'application/json', write: (_m: unknown, _r: unknown, v: unknown) => JSON.stringify(v) };

async function messages(body: NodeJS.ReadableStream) {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Buffer));
  const all = Buffer.concat(chunks);
  const out = [];
  for (let at = 0; at < all.length;) {
    const len = all.readUInt32BE(at);
    out.push(codec.decode(all.subarray(at, at + len)));
    at += len;
  }
  return out;
}

test('a message with every header type decodes with the SDK codec (both CRCs checked)', () => {
  const when = new Date('2026-01-02T03:04:05.678Z');
  const msg = encodeMessage(
    { ':message-type': 'event', flag: true, off: false, n: 42, big: 1234567890123n, at: when, raw: new Uint8Array([1, 2, 3]) },
    Buffer.from('hello'),
  );
  const decoded = codec.decode(msg);
  assert.equal(toUtf8(decoded.body), 'hello');
  const h = decoded.headers;
  assert.deepEqual(h[':message-type'], { type: 'string', value: 'event' });
  assert.deepEqual(h.flag, { type: 'boolean', value: true });
  assert.deepEqual(h.off, { type: 'boolean', value: false });
  assert.deepEqual(h.n, { type: 'integer', value: 42 });
  assert.equal(h.big.type, 'long');
  assert.equal(String(h.big.value), '1234567890123');
  assert.deepEqual(h.at, { type: 'timestamp', value: when });
  assert.deepEqual(Buffer.from(h.raw.value as Uint8Array), Buffer.from([1, 2, 3]));
  // the trailing CRC covers the whole message before it
  assert.equal(msg.readUInt32BE(msg.length - 4), crc32(msg.subarray(0, msg.length - 4)));
  const broken = Buffer.from(msg);
  broken[14] ^= 0xff;
  assert.throws(() => codec.decode(broken), /checksum/i);
});

test('events from the model: a blob payload member raw, a structure as JSON, an exception, an unmodelled error', async () => {
  const lambda = loadModel('lambda')!;
  const stream = lambda.shape('InvokeWithResponseStreamResponse').members!.EventStream;
  async function* events() {
    yield { PayloadChunk: { Payload: Buffer.from('chunk-1') } };
    yield { InvokeComplete: { ErrorCode: 'Oops', LogResult: 'bG9n' } };
    throw new ServiceError('ServiceException', 'went wrong');
  }
  const out = await messages(eventStreamBody(lambda, stream, events(), json));
  assert.equal(out.length, 3);
  assert.equal(out[0].headers[':event-type'].value, 'PayloadChunk');
  assert.equal(out[0].headers[':content-type'].value, 'application/octet-stream');
  assert.equal(toUtf8(out[0].body), 'chunk-1');
  assert.equal(out[1].headers[':event-type'].value, 'InvokeComplete');
  assert.deepEqual(JSON.parse(toUtf8(out[1].body)), { ErrorCode: 'Oops', LogResult: 'bG9n' });
  assert.equal(out[2].headers[':message-type'].value, 'error');
  assert.equal(out[2].headers[':error-code'].value, 'ServiceException');
  assert.equal(out[2].headers[':error-message'].value, 'went wrong');

  const logs = loadModel('logs')!;
  const tail = logs.shape('StartLiveTailResponse').members!.responseStream;
  async function* fails() {
    yield { sessionStart: { sessionId: 's-1' } };
    throw new ServiceError('SessionTimeoutException', 'timed out');
  }
  const [start, timeout] = await messages(eventStreamBody(logs, tail, fails(), json));
  assert.equal(start.headers[':event-type'].value, 'sessionStart');
  assert.deepEqual(JSON.parse(toUtf8(start.body)), { sessionId: 's-1' });
  assert.equal(timeout.headers[':message-type'].value, 'exception');
  assert.equal(timeout.headers[':exception-type'].value, 'SessionTimeoutException');
  assert.equal(JSON.parse(toUtf8(timeout.body)).message, 'timed out');
});
