// Reading request bodies: bounded in size and in idle time, and unwrapped from aws-chunked framing.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { HttpRequest } from '../protocols/types.js';
import { ServiceError } from '../services/errors.js';
import { AwsChunkedDecoder, decodeAwsChunked, type ChunkVerification } from './aws-chunked.js';

/** Non-streaming request bodies larger than this are refused (Lambda's 50 MiB zip as base64 fits). */
export const MAX_BUFFERED_BODY = 100 * 1024 * 1024;
/** A client that stops sending mid-body is answered after this long, like S3's RequestTimeout. */
export const BODY_IDLE_MS = 20_000;

const incomplete = () => new ServiceError('IncompleteBody', 'The request body terminated unexpectedly', 400);
const idle = () =>
  new ServiceError(
    'RequestTimeout',
    'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
    400,
  );

const tooLarge = () =>
  new ServiceError('RequestEntityTooLarge', `Request body larger than the maximum of ${MAX_BUFFERED_BODY} bytes.`, 413);

export function readBody(req: IncomingMessage, limit = MAX_BUFFERED_BODY): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => reject(idle()), BODY_IDLE_MS);
    const fail = (e: ServiceError) => {
      clearTimeout(timer);
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      timer.refresh();
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        fail(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    req.on('error', () => fail(incomplete()));
    req.on('aborted', () => fail(incomplete()));
  });
}

/**
 * Reads a streamed body to its end and drops it, with readBody's idle limit. A decoding stream's
 * ServiceError (aws-chunked framing) is what it rejects with; any other failure is IncompleteBody.
 */
export function discardBody(stream: Readable): Promise<void> {
  if (stream.errored) return Promise.reject(stream.errored instanceof ServiceError ? stream.errored : incomplete());
  if (stream.readableEnded) return Promise.resolve();
  if (stream.destroyed) return Promise.reject(incomplete());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(idle());
    }, BODY_IDLE_MS);
    const settle = (e?: unknown) => {
      clearTimeout(timer);
      if (e === undefined) resolve();
      else reject(e instanceof ServiceError ? e : incomplete());
    };
    stream.on('data', () => timer.refresh());
    stream.on('end', () => settle());
    stream.on('error', (e) => settle(e));
    stream.on('close', () => settle(stream.readableEnded ? undefined : incomplete()));
  });
}

/** Is this body in aws-chunked framing (SigV4 streaming uploads, flexible-checksum trailers)? */
export function isAwsChunked(req: HttpRequest): boolean {
  const sha = req.headers['x-amz-content-sha256'] ?? '';
  return sha.startsWith('STREAMING-') || (req.headers['content-encoding'] ?? '').split(',').some((e) => e.trim() === 'aws-chunked');
}

/**
 * Removes aws-chunked framing in place: a buffered body is decoded now (its trailers become headers,
 * so `x-amz-checksum-*` trailers bind like headers); a streamed body is piped through a decoder.
 */
export function decodeBody(req: HttpRequest, verify: ChunkVerification | undefined): void {
  if (!isAwsChunked(req)) return;
  const sha = req.headers['x-amz-content-sha256'] ?? '';
  const opts = {
    mode: sha.startsWith('STREAMING-AWS4-HMAC-SHA256') ? ('signed' as const) : ('unsigned' as const),
    trailer: sha.endsWith('-TRAILER') || !!req.headers['x-amz-trailer'],
    verify,
    decodedLength:
      req.headers['x-amz-decoded-content-length'] !== undefined ? Number(req.headers['x-amz-decoded-content-length']) : undefined,
  };
  // the framing is gone once decoded: the stored Content-Encoding is what remains
  const encodings = (req.headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e && e !== 'aws-chunked');
  if (encodings.length) req.headers['content-encoding'] = encodings.join(', ');
  else delete req.headers['content-encoding'];
  if (req.headers['x-amz-decoded-content-length'] !== undefined)
    req.headers['content-length'] = req.headers['x-amz-decoded-content-length'];

  if (req.bodyStream) {
    const decoder = new AwsChunkedDecoder(opts);
    // a request failing before its body is read (a bad header, an unknown operation) leaves the decoder
    // unread: its framing error must not be an uncaught 'error'; later readers still see it (`errored`)
    decoder.on('error', () => {});
    req.bodyStream.on('error', (e) => decoder.destroy(e));
    req.bodyStream = req.bodyStream.pipe(decoder);
    return;
  }
  const { body, trailers } = decodeAwsChunked(req.body, opts);
  req.body = body;
  for (const [k, v] of Object.entries(trailers)) req.headers[k] = v;
}

/**
 * Request compression undone (Smithy's requestCompression: SDKs gzip large rpc bodies, e.g. CloudWatch
 * PutMetricData). Only for rpc protocols — a rest body's Content-Encoding belongs to the object. The
 * signature covers the compressed bytes: their hash is kept as the declared payload hash.
 */
export function inflateRpcBody(req: HttpRequest): void {
  const encodings = (req.headers['content-encoding'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (!encodings.includes('gzip') || !req.body?.length) return;
  let inflated: Buffer;
  try {
    inflated = gunzipSync(req.body, { maxOutputLength: MAX_BUFFERED_BODY });
  } catch {
    return; // not gzip after all: the protocol's parser answers for the body
  }
  req.headers['x-amz-content-sha256'] ??= createHash('sha256').update(req.body).digest('hex');
  req.body = inflated;
  const rest = encodings.filter((e) => e !== 'gzip');
  if (rest.length) req.headers['content-encoding'] = rest.join(', ');
  else delete req.headers['content-encoding'];
}
