// Streams a request body to a new blob while hashing it. Nothing is kept unless the whole body
// arrived and every digest matched: a failed or interrupted upload leaves no blob behind.
import { Readable } from 'node:stream';
import type { Runtime } from '../../runtime.js';
import { ServiceError } from '../errors.js';
import { BodyDigest, type Expected } from './checksums.js';
import { incompleteBody } from './errors.js';
import { newId, type StoredChecksum } from './store.js';

export interface StoredBody {
  blob: string;
  size: number;
  md5: string;
  checksum?: StoredChecksum;
}

type Body = Buffer | Uint8Array | string | Readable | undefined;

export async function storeBody(rt: Runtime, body: Body, expected: Expected, declaredLength: number | undefined): Promise<StoredBody> {
  const blob = newId();
  const digest = new BodyDigest(expected);
  const source = body instanceof Readable ? body : Buffer.from(body ?? '');
  let size: number;
  try {
    if (source instanceof Readable && source.errored) throw source.errored;
    ({ size } = await rt.engine.blobs.write(blob, source, digest.observe));
  } catch (e) {
    rt.engine.blobs.delete(blob);
    throw e instanceof ServiceError ? e : incompleteBody();
  }
  try {
    if (declaredLength !== undefined && size < declaredLength) throw incompleteBody();
    const trailers = (source as Readable & { trailers?: Record<string, string> }).trailers;
    const { md5, checksum } = await digest.verify(trailers);
    return { blob, size, md5, checksum };
  } catch (e) {
    rt.engine.blobs.delete(blob);
    throw e;
  }
}
