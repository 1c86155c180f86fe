// Large uploads are hashed in worker threads, not on the event loop: the MD5 of a 16 MiB body (its
// ETag) is ~20 ms of CPU, plus SHA-256 and the flexible checksum, during which every other request
// would wait. The pool starts on the first large upload, so idle memory and startup don't pay for it.
import type { Piscina } from 'piscina';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { DigestJob, Digests } from './digest-worker.js';

const require = createRequire(import.meta.url);
let pool: Piscina | undefined;

export function digestFile(job: DigestJob): Promise<Digests> {
  if (!pool) {
    const { Piscina } = require('piscina') as typeof import('piscina');
    pool = new Piscina({
      filename: new URL('./digest-worker.js', import.meta.url).href,
      minThreads: 1,
      maxThreads: Math.max(1, availableParallelism()),
      idleTimeout: 30_000,
    });
  }
  // Buffers cross the thread boundary as plain Uint8Arrays
  const buf = (u?: Uint8Array) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : undefined);
  return (pool.run(job) as Promise<Digests>).then((d) => ({ md5: buf(d.md5)!, sha256: buf(d.sha256), sum: buf(d.sum) }));
}
