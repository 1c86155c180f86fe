// Takes in a request body while hashing it: small bodies are kept in the object's record (one
// SQLite row, no file to open), larger ones stream to a new blob. Nothing is kept unless the whole
// body arrived and every digest matched: a failed or interrupted upload leaves nothing behind.
import { Readable } from 'node:stream';
import type { Runtime } from '../../runtime.js';
import { ServiceError } from '../errors.js';
import { BodyDigest, type Expected } from './checksums.js';
import { digestFile } from './digest-pool.js';
import { incompleteBody } from './errors.js';
import { newId, type ObjectRecord, type StoredChecksum } from './store.js';

/** Bodies up to this size (when the request declares its length) live in the record itself. */
export const INLINE_MAX = 32 * 1024;
/** Bodies from this size on are hashed from their file in a worker thread (digest-pool.ts). */
const HASH_OFF_THREAD = 1024 * 1024;
/** A client that stops sending mid-body is answered RequestTimeout after this long, as S3 does. */
const IDLE_MS = 20_000;
/** The largest single PUT (larger objects are multipart uploads). */
const MAX_PUT = 5 * 1024 ** 3;

/** A PUT must say how long its body is (aws-chunked uploads say it in x-amz-decoded-content-length). */
export function checkLength(declared: number | undefined): void {
  if (declared === undefined) throw new ServiceError('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411);
  if (declared > MAX_PUT) {
    throw new ServiceError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
      ProposedSize: declared,
      MaxSizeAllowed: MAX_PUT,
    });
  }
}

export interface StoredBody {
  blob?: string;
  data?: Buffer;
  size: number;
  md5: string;
  checksum?: StoredChecksum;
}

type Body = Buffer | Uint8Array | string | Readable | undefined;

async function readSmall(source: Readable | Buffer, observe: (c: Buffer) => void): Promise<Buffer> {
  if (Buffer.isBuffer(source)) {
    observe(source);
    return source;
  }
  const chunks: Buffer[] = [];
  for await (const c of source) {
    observe(c as Buffer);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function storeBody(
  rt: Runtime,
  body: Body,
  expected: Expected,
  declaredLength: number | undefined,
  inline = true,
): Promise<StoredBody> {
  const source = body instanceof Readable ? body : Buffer.from(body ?? '');
  const small = inline && declaredLength !== undefined && declaredLength <= INLINE_MAX;
  const blob = small ? undefined : newId();
  const file = blob && (declaredLength === undefined || declaredLength >= HASH_OFF_THREAD) ? rt.engine.blobs.file(blob) : undefined;
  const digest = new BodyDigest(expected, !file);
  let data: Buffer | undefined;
  let size: number;
  const idle = source instanceof Readable ? watchIdle(source) : undefined;
  const observe = (c: Buffer) => {
    idle?.refresh();
    digest.observe(c);
  };
  try {
    if (source instanceof Readable && source.errored) throw source.errored;
    if (blob) ({ size } = await rt.engine.blobs.write(blob, source, observe));
    else size = (data = await readSmall(source, observe)).length;
  } catch (e) {
    if (blob) rt.engine.blobs.delete(blob);
    throw e instanceof ServiceError ? e : incompleteBody();
  } finally {
    if (idle) clearTimeout(idle);
  }
  try {
    if (declaredLength !== undefined && size < declaredLength) throw incompleteBody();
    const trailers = (source as Readable & { trailers?: Record<string, string> }).trailers;
    const { md5, checksum } = await digest.verify(trailers, file ? await digestFile(digest.job(file)) : undefined);
    return { blob, data, size, md5, checksum };
  } catch (e) {
    if (blob) rt.engine.blobs.delete(blob);
    throw e;
  }
}

/** Fails the stream with RequestTimeout unless refreshed (by each chunk) within IDLE_MS; the timer to refresh and clear. */
function watchIdle(source: Readable): NodeJS.Timeout {
  return setTimeout(
    () =>
      source.destroy(
        new ServiceError(
          'RequestTimeout',
          'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
          400,
        ),
      ),
    IDLE_MS,
  );
}

/** An object's bytes (or a range [start, end] of them), from its record or its blob. */
export function objectBody(
  rt: Runtime,
  rec: Pick<ObjectRecord, 'blob' | 'data' | 'size'>,
  range?: { start: number; end: number },
): Buffer | Readable {
  if (rec.blob && rec.size > 0) return rt.engine.blobs.read(rec.blob, range);
  const data = rec.data ?? Buffer.alloc(0);
  return range ? data.subarray(range.start, range.end + 1) : data;
}
