// Integrity of uploaded bodies: Content-MD5, x-amz-content-sha256 and the flexible checksums
// (x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256}) sent as headers or aws-chunked trailers.
import { createHash, type Hash } from 'node:crypto';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import type { Crc32 } from '@aws-crypto/crc32';
import type { Crc32c } from '@aws-crypto/crc32c';
import type { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { ServiceError } from '../errors.js';
import type { StoredChecksum } from './store.js';
import type { DigestJob, Digests } from './digest-worker.js';
import { invalidRequest } from './errors.js';

export const ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];
const DIGEST_BYTES: Record<Algorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

interface Hasher {
  update(b: Buffer): void;
  digest(): Promise<Buffer>;
}

const uint32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

// The checksum libraries cost ~25 MiB and ~60 ms to load: loaded on first use, not at startup.
const require = createRequire(import.meta.url);
const lazy = <T>(name: string, member: string) => {
  let ctor: T | undefined;
  return () => (ctor ??= (require(name) as Record<string, T>)[member]);
};
const crc32 = lazy<typeof Crc32>('@aws-crypto/crc32', 'Crc32');
const crc32c = lazy<typeof Crc32c>('@aws-crypto/crc32c', 'Crc32c');
const crc64nvme = lazy<typeof Crc64Nvme>('@aws-sdk/crc64-nvme', 'Crc64Nvme');

/** zlib's CRC32 (Node ≥ 20.15) is some twenty times faster than the JS one: the SDKs' default algorithm. */
const nativeCrc32 = (zlib as { crc32?: (data: Buffer, value?: number) => number }).crc32;

export function hasher(alg: Algorithm): Hasher {
  switch (alg) {
    case 'CRC32':
    case 'CRC32C': {
      if (alg === 'CRC32' && nativeCrc32) {
        let crc = 0;
        return { update: (b) => void (crc = nativeCrc32(b, crc)), digest: async () => uint32(crc) };
      }
      const c = alg === 'CRC32' ? new (crc32())() : new (crc32c())();
      return { update: (b) => void c.update(b), digest: async () => uint32(c.digest()) };
    }
    case 'CRC64NVME': {
      const c = new (crc64nvme())();
      return { update: (b) => c.update(b), digest: async () => Buffer.from(await c.digest()) };
    }
    default: {
      const h = createHash(alg === 'SHA1' ? 'sha1' : 'sha256');
      return { update: (b) => void h.update(b), digest: async () => h.digest() };
    }
  }
}

/** The input member holding an algorithm's value: ChecksumCRC32, … */
export const memberOf = (alg: string) => `Checksum${alg}` as const;
const headerOf = (alg: string) => `x-amz-checksum-${alg.toLowerCase()}`;

type ChecksumInput = Partial<Record<string, unknown>> & { ChecksumAlgorithm?: string; ContentMD5?: string };

/** What the request asks to be checked: the algorithm and, unless it comes in a trailer, the value. */
export interface Expected {
  algorithm?: Algorithm;
  value?: string;
  trailer?: string;
  md5?: string;
  sha256?: string;
}

export function expectedChecksums(input: ChecksumInput, headers: Record<string, string | string[] | undefined>): Expected {
  const given = ALGORITHMS.filter((a) => input[memberOf(a)] !== undefined);
  if (given.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const trailer =
    String(headers['x-amz-trailer'] ?? '')
      .trim()
      .toLowerCase() || undefined;
  let algorithm: Algorithm | undefined = given[0];
  if (trailer) {
    const a = ALGORITHMS.find((x) => headerOf(x) === trailer);
    if (!a) throw invalidRequest('The value specified in the x-amz-trailer header is not supported');
    algorithm = a;
  }
  const sdk = input.ChecksumAlgorithm?.toUpperCase();
  if (!algorithm && sdk) {
    algorithm = ALGORITHMS.find((a) => a === sdk);
    if (!algorithm)
      throw invalidRequest(
        'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
      );
  }
  const value = algorithm ? (input[memberOf(algorithm)] as string | undefined) : undefined;
  if (algorithm && value !== undefined) checkFormat(algorithm, value);
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  const md5 = input.ContentMD5;
  if (md5 !== undefined && Buffer.from(md5, 'base64').length !== 16) {
    throw new ServiceError('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400, { 'Content-MD5': md5 });
  }
  return { algorithm, value, trailer, md5, sha256: /^[0-9a-f]{64}$/.test(sha) ? sha : undefined };
}

function checkFormat(alg: Algorithm, value: string): void {
  const raw = Buffer.from(value, 'base64');
  if (raw.length !== DIGEST_BYTES[alg] || raw.toString('base64') !== value) {
    throw invalidRequest(`Value for ${headerOf(alg)} header is invalid.`);
  }
}

/**
 * The digests of an uploaded body, checked against what the request gave. Small bodies are hashed as
 * they stream by (`observe`); large ones are hashed afterwards from their file, off the main thread
 * (digest-pool.ts), and their digests handed to `verify()`.
 */
export class BodyDigest {
  private readonly md5?: Hash;
  private readonly sha?: Hash;
  private readonly sum?: Hasher;

  constructor(
    private readonly expected: Expected,
    inline = true,
  ) {
    if (!inline) return;
    this.md5 = createHash('md5');
    if (expected.sha256) this.sha = createHash('sha256');
    if (expected.algorithm) this.sum = hasher(expected.algorithm);
  }

  readonly observe = (chunk: Buffer) => {
    this.md5?.update(chunk);
    this.sha?.update(chunk);
    this.sum?.update(chunk);
  };

  /** The work for a digest worker when the body was not hashed inline. */
  job(file: string): DigestJob {
    return { file, sha256: !!this.expected.sha256, algorithm: this.expected.algorithm };
  }

  /** Checks every digest the request gave; returns the md5 (hex) and the checksum to store. */
  async verify(
    trailers: Record<string, string> | undefined,
    computed?: Digests,
  ): Promise<{ md5: string; checksum?: StoredChecksum; rawChecksum?: Buffer }> {
    const d = computed ?? { md5: this.md5!.digest(), sha256: this.sha?.digest(), sum: await this.sum?.digest() };
    const md5 = d.md5;
    const e = this.expected;
    if (e.md5 !== undefined && md5.toString('base64') !== e.md5) {
      throw new ServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400, {
        ExpectedDigest: Buffer.from(e.md5, 'base64').toString('hex'),
        CalculatedDigest: md5.toString('hex'),
      });
    }
    if (e.sha256 && e.sha256 !== d.sha256?.toString('hex')) {
      throw new ServiceError(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
      );
    }
    let checksum: StoredChecksum | undefined;
    let rawChecksum: Buffer | undefined;
    if (d.sum && e.algorithm) {
      rawChecksum = d.sum;
      const actual = rawChecksum.toString('base64');
      let given = e.value;
      if (e.trailer) {
        given = trailers?.[e.trailer];
        if (given === undefined) throw invalidRequest('x-amz-trailer header specified, but the trailer is missing from the request body');
        checkFormat(e.algorithm, given);
      }
      if (given !== undefined && given !== actual) {
        throw new ServiceError('BadDigest', `The ${e.algorithm} you specified did not match the calculated checksum.`, 400);
      }
      checksum = { algorithm: e.algorithm, value: actual, type: 'FULL_OBJECT' };
    }
    return { md5: md5.toString('hex'), checksum, rawChecksum };
  }
}

/** The checksum output members for a stored checksum (ChecksumCRC32: …, ChecksumType). */
export function checksumFields(c: StoredChecksum | undefined, withType = true): Record<string, string> {
  if (!c) return {};
  return { [memberOf(c.algorithm)]: c.value, ...(withType ? { ChecksumType: c.type } : {}) };
}

/** A multipart object's composite checksum: the checksum of the parts' checksums, `-N`. */
export async function compositeChecksum(alg: Algorithm, partValues: string[]): Promise<string> {
  const h = hasher(alg);
  for (const v of partValues) h.update(Buffer.from(v, 'base64'));
  return `${(await h.digest()).toString('base64')}-${partValues.length}`;
}

export const isAlgorithm = (a: string | undefined): a is Algorithm => ALGORITHMS.includes(a as Algorithm);
