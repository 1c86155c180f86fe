// Large bodies (S3 objects, Lambda code) live outside SQLite: files written to a temporary name and
// renamed into place, so a reader never sees a partial body and an interrupted write leaves none.
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  rmSync,
  statSync,
  unlinkSync,
  renameSync,
  openSync,
  fsyncSync,
  closeSync,
  readdirSync,
} from 'node:fs';
import { join } from 'node:path';
import { randomUUID, createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface BlobInfo {
  size: number;
}

export interface BlobStore {
  /** Streams `source` into blob `id`; the blob appears only once fully written. */
  write(id: string, source: Readable | Buffer, observe?: (chunk: Buffer) => void): Promise<BlobInfo>;
  /** A stream of the blob's bytes, optionally a byte range [start, end] inclusive. */
  read(id: string, range?: { start: number; end: number }): Readable;
  size(id: string): number | undefined;
  /** The file holding a blob, for work done off the main thread (hashing); undefined when blobs live in memory. */
  file(id: string): string | undefined;
  delete(id: string): void;
  clear(): void;
}

/** Spreads files over 256 folders so none grows too large. */
const pathFor = (root: string, id: string) => {
  const h = createHash('sha1').update(id).digest('hex');
  return join(root, h.slice(0, 2), h);
};

export class FileBlobStore implements BlobStore {
  constructor(
    private readonly root: string,
    private readonly fsync: boolean,
  ) {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    // leftovers of writes interrupted by a crash
    for (const f of readdirSync(join(root, 'tmp'))) rmSync(join(root, 'tmp', f), { force: true });
  }

  async write(id: string, source: Readable | Buffer, observe?: (chunk: Buffer) => void): Promise<BlobInfo> {
    const tmp = join(this.root, 'tmp', randomUUID());
    const final = pathFor(this.root, id);
    let size = 0;
    try {
      const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      await pipeline(
        input,
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const c of chunks) {
            size += c.length;
            observe?.(c);
            yield c;
          }
        },
        createWriteStream(tmp),
      );
      if (this.fsync) {
        const fd = openSync(tmp, 'r');
        fsyncSync(fd);
        closeSync(fd);
      }
      mkdirSync(join(final, '..'), { recursive: true });
      renameSync(tmp, final);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
    return { size };
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(pathFor(this.root, id), range);
  }

  file(id: string): string {
    return pathFor(this.root, id);
  }

  size(id: string): number | undefined {
    try {
      return statSync(pathFor(this.root, id)).size;
    } catch {
      return undefined;
    }
  }

  delete(id: string): void {
    try {
      unlinkSync(pathFor(this.root, id));
    } catch {
      /* already gone */
    }
  }

  clear(): void {
    rmSync(this.root, { recursive: true, force: true });
    mkdirSync(join(this.root, 'tmp'), { recursive: true });
  }
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();

  async write(id: string, source: Readable | Buffer, observe?: (chunk: Buffer) => void): Promise<BlobInfo> {
    const parts: Buffer[] = [];
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    await pipeline(
      input,
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          observe?.(chunk);
          parts.push(chunk);
          cb();
        },
      }),
    );
    const body = Buffer.concat(parts);
    this.blobs.set(id, body);
    return { size: body.length };
  }

  read(id: string, range?: { start: number; end: number }): Readable {
    const b = this.blobs.get(id) ?? Buffer.alloc(0);
    return Readable.from([range ? b.subarray(range.start, range.end + 1) : b]);
  }

  file(): undefined {
    return undefined;
  }

  size(id: string): number | undefined {
    return this.blobs.get(id)?.length;
  }

  delete(id: string): void {
    this.blobs.delete(id);
  }

  clear(): void {
    this.blobs.clear();
  }
}
