// Runs in a worker thread (see digest-pool.ts): hashes a stored blob's file with every digest an
// upload asked for. Reading back from the page cache costs far less than the hashing it moves.
import { openSync, readSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { hasher, type Algorithm } from './checksums.js';

export interface DigestJob {
  file: string;
  sha256: boolean;
  algorithm?: Algorithm;
}

export interface Digests {
  md5: Buffer;
  sha256?: Buffer;
  sum?: Buffer;
}

const CHUNK = 1024 * 1024;

export default async function digest(job: DigestJob): Promise<Digests> {
  const md5 = createHash('md5');
  const sha = job.sha256 ? createHash('sha256') : undefined;
  const sum = job.algorithm ? hasher(job.algorithm) : undefined;
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(job.file, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, CHUNK, null)) > 0;) {
      const c = buf.subarray(0, n);
      md5.update(c);
      sha?.update(c);
      sum?.update(c);
    }
  } finally {
    closeSync(fd);
  }
  return { md5: md5.digest(), sha256: sha?.digest(), sum: await sum?.digest() };
}
