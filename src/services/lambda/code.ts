// Function code: a zip stored once by its SHA-256 in the blob store, checked on upload (fflate reads
// the central directory), unpacked lazily into a cache directory the first time an environment needs it.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { ServiceError, type Runtime } from '../../kit.js';
import { invalidValue } from './model.js';

const blobId = (hex: string) => `lambda/code/${hex}`;
const MAX_ZIPPED = 50 * 1024 * 1024;
const MAX_UNZIPPED = 250 * 1024 * 1024;

// fflate is loaded with the first zip, not at startup (the time to ready of a server that may run no function)
let fflate: typeof import('fflate') | undefined;

/** The zip's entries, or AWS's InvalidParameterValueException when it is no zip. */
function entriesOf(zip: Buffer): Record<string, Uint8Array> {
  fflate ??= createRequire(import.meta.url)('fflate') as typeof import('fflate');
  try {
    return fflate.unzipSync(zip);
  } catch {
    throw invalidValue('Could not unzip uploaded file. Please check your file, then try to upload again.');
  }
}

export interface StoredCode {
  sha256: string;
  hex: string;
  size: number;
}

/** Checks and stores a zip (once per content); returns CodeSha256 as AWS computes it (base64). */
export async function storeCode(rt: Runtime, zip: Buffer): Promise<StoredCode> {
  if (zip.length > MAX_ZIPPED) {
    throw new ServiceError(
      'RequestEntityTooLargeException',
      `Request must be smaller than ${MAX_ZIPPED} bytes for the CreateFunction operation`,
      413,
      { Type: 'User' },
    );
  }
  const entries = entriesOf(zip);
  const unzipped = Object.values(entries).reduce((n, e) => n + e.length, 0);
  if (unzipped > MAX_UNZIPPED) throw invalidValue(`Unzipped size must be smaller than ${MAX_UNZIPPED} bytes`);
  const digest = createHash('sha256').update(zip).digest();
  const hex = digest.toString('hex');
  if (rt.engine.blobs.size(blobId(hex)) === undefined) await rt.engine.blobs.write(blobId(hex), zip);
  return { sha256: digest.toString('base64'), hex, size: zip.length };
}

export async function readCode(rt: Runtime, hex: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of rt.engine.blobs.read(blobId(hex))) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Where code is unpacked: under the data directory, or a temporary one for --ephemeral. */
export function cacheRoot(rt: Runtime): string {
  return rt.shared('lambda/cache-root', () => {
    if (rt.engine.persistent) return join(rt.config.dataDir, 'lambda-code');
    const dir = join(process.env.TMPDIR ?? '/tmp', `nimbus-lambda-${process.pid}-${Math.random().toString(36).slice(2)}`);
    rt.onClose(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
}

/** The directory holding the zip's files (LAMBDA_TASK_ROOT), unpacked on first use. */
export function unpackedDir(rt: Runtime, hex: string): Promise<string> {
  const dir = join(cacheRoot(rt), hex);
  if (existsSync(dir)) return Promise.resolve(dir);
  const pending = rt.shared('lambda/unpacking', () => new Map<string, Promise<string>>());
  let p = pending.get(hex);
  if (!p) {
    p = (async () => {
      const entries = entriesOf(await readCode(rt, hex));
      const tmp = `${dir}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      for (const [name, data] of Object.entries(entries)) {
        const rel = normalize(name);
        if (rel.startsWith('..') || rel.startsWith('/')) continue; // no zip-slip
        const target = join(tmp, rel);
        if (name.endsWith('/')) {
          mkdirSync(target, { recursive: true });
          continue;
        }
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, data);
        chmodSync(target, 0o755); // zips made on Windows carry no modes; bootstrap must run
      }
      mkdirSync(tmp, { recursive: true });
      renameSync(tmp, dir);
      pending.delete(hex);
      return dir;
    })();
    pending.set(hex, p);
  }
  return p;
}
