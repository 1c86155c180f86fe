// The storage engine under every service store: ordered key-value collections in SQLite, and
// files for large bodies. Services see only `Collection` and `BlobStore`, so a second engine
// (PostgreSQL for a shared team server) can stand behind the same interface.
//
// Durability: SQLite runs in WAL mode. With synchronous=NORMAL (default) a commit has reached the
// OS before the request is acknowledged, so a kill -9 of Nimbus loses nothing acknowledged;
// NIMBUS_FSYNC=1 sets synchronous=FULL (and fsyncs blob files) to survive power loss as well.
//
// Group commit: writes join one open SQLite transaction that commits on the next turn of the event
// loop, so requests arriving together share a commit. The gateway awaits `flush()` before it
// answers, so nothing is acknowledged before its commit. `transaction(fn)` runs fn in a savepoint:
// it stays all-or-nothing inside the batch.
import Database from 'better-sqlite3';
import { decode, encode } from 'cbor-x';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BlobStore, FileBlobStore, MemoryBlobStore } from './blobs.js';

export interface ScanOptions {
  /** only keys starting with this */
  prefix?: string;
  /** keys strictly greater than this (pagination markers) */
  after?: string;
  /** keys greater than or equal to this */
  from?: string;
  /** keys strictly less than this */
  before?: string;
  limit?: number;
  reverse?: boolean;
}

/** An ordered map of string keys to values (any CBOR-encodable value: objects, Dates, Buffers). */
export interface Collection<T> {
  get(key: string): T | undefined;
  has(key: string): boolean;
  put(key: string, value: T): void;
  delete(key: string): boolean;
  scan(opts?: ScanOptions): IterableIterator<[string, T]>;
  count(opts?: ScanOptions): number;
  /** deletes every key (or every key under a prefix) */
  clear(prefix?: string): void;
}

export interface Engine {
  readonly persistent: boolean;
  collection<T>(namespace: string): Collection<T>;
  /** runs fn atomically; nested calls join the outer transaction */
  transaction<R>(fn: () => R): R;
  /** true while writes wait for their commit */
  readonly pending: boolean;
  /** resolves once every write made so far is committed */
  flush(): Promise<void>;
  readonly blobs: BlobStore;
  /** forgets all state (POST /_nimbus/reset) */
  reset(): void;
  close(): void;
}

/** The first key greater than every key starting with prefix. */
export function prefixEnd(prefix: string): string {
  return prefix + '\u{10FFFF}';
}

export class SqliteEngine implements Engine {
  private readonly db: Database.Database;
  private readonly stmts;
  readonly blobs: BlobStore;
  readonly persistent: boolean;

  constructor(opts: { dataDir?: string; fsync?: boolean }) {
    this.persistent = !!opts.dataDir;
    if (opts.dataDir) {
      mkdirSync(opts.dataDir, { recursive: true });
      this.db = new Database(join(opts.dataDir, 'nimbus.sqlite'));
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${opts.fsync ? 'FULL' : 'NORMAL'}`);
      this.blobs = new FileBlobStore(join(opts.dataDir, 'blobs'), !!opts.fsync);
    } else {
      this.db = new Database(':memory:');
      this.blobs = new MemoryBlobStore();
    }
    this.db.exec('CREATE TABLE IF NOT EXISTS kv (ns TEXT NOT NULL, k TEXT NOT NULL, v BLOB NOT NULL, PRIMARY KEY (ns, k)) WITHOUT ROWID');
    const db = this.db;
    this.stmts = {
      get: db.prepare<[string, string], { v: Buffer }>('SELECT v FROM kv WHERE ns = ? AND k = ?'),
      put: db.prepare<[string, string, Buffer]>('INSERT OR REPLACE INTO kv (ns, k, v) VALUES (?, ?, ?)'),
      del: db.prepare<[string, string]>('DELETE FROM kv WHERE ns = ? AND k = ?'),
      clearNs: db.prepare<[string]>('DELETE FROM kv WHERE ns = ?'),
      clearRange: db.prepare<[string, string, string]>('DELETE FROM kv WHERE ns = ? AND k >= ? AND k < ?'),
    };
  }

  collection<T>(ns: string): Collection<T> {
    const { db, stmts } = this;
    const range = (o: ScanOptions): { where: string; args: string[] } => {
      const where = ['ns = ?'];
      const args = [ns];
      const lower = [o.prefix, o.from]
        .filter((x): x is string => x !== undefined)
        .sort()
        .pop();
      if (lower !== undefined) {
        where.push('k >= ?');
        args.push(lower);
      }
      if (o.after !== undefined) {
        where.push('k > ?');
        args.push(o.after);
      }
      const uppers = [o.prefix !== undefined ? prefixEnd(o.prefix) : undefined, o.before].filter((x): x is string => x !== undefined);
      if (uppers.length) {
        where.push('k < ?');
        args.push(uppers.sort()[0]);
      }
      return { where: where.join(' AND '), args };
    };
    return {
      get: (k) => {
        const row = stmts.get.get(ns, k);
        return row ? (decode(row.v) as T) : undefined;
      },
      has: (k) => stmts.get.get(ns, k) !== undefined,
      put: (k, v) => {
        this.beginWrite();
        stmts.put.run(ns, k, encode(v));
      },
      delete: (k) => {
        this.beginWrite();
        return stmts.del.run(ns, k).changes > 0;
      },
      scan: function* (o: ScanOptions = {}) {
        const { where, args } = range(o);
        const sql = `SELECT k, v FROM kv WHERE ${where} ORDER BY k ${o.reverse ? 'DESC' : 'ASC'}${o.limit !== undefined ? ' LIMIT ' + Math.max(0, Math.floor(o.limit)) : ''}`;
        for (const row of db.prepare<string[], { k: string; v: Buffer }>(sql).iterate(...args)) yield [row.k, decode(row.v) as T];
      },
      count: (o: ScanOptions = {}) => {
        const { where, args } = range(o);
        return db.prepare<string[], { n: number }>(`SELECT count(*) AS n FROM kv WHERE ${where}`).get(...args)!.n;
      },
      clear: (prefix?: string) => {
        this.beginWrite();
        if (prefix === undefined) stmts.clearNs.run(ns);
        else stmts.clearRange.run(ns, prefix, prefixEnd(prefix));
      },
    };
  }

  private batchOpen = false;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  /** Opens the shared write transaction if none is open; it commits on the next event-loop turn. */
  private beginWrite(): void {
    if (this.batchOpen) return;
    this.db.exec('BEGIN');
    this.batchOpen = true;
    setImmediate(() => this.commit());
  }

  private commit(): void {
    if (!this.batchOpen) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.batchOpen = false;
    try {
      this.db.exec('COMMIT');
    } catch (e) {
      if (/busy/i.test((e as Error).message)) {
        // a statement is still being iterated: commit once it is done, losing nothing
        this.waiters.unshift(...waiters);
        this.batchOpen = true;
        setImmediate(() => this.commit());
        return;
      }
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const w of waiters) w.reject(e as Error);
      return;
    }
    for (const w of waiters) w.resolve();
  }

  get pending(): boolean {
    return this.batchOpen;
  }

  flush(): Promise<void> {
    if (!this.batchOpen) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  transaction<R>(fn: () => R): R {
    this.beginWrite();
    // inside the open batch better-sqlite3 uses a savepoint: fn's writes roll back alone if it throws
    return this.db.transaction(fn)();
  }

  reset(): void {
    this.beginWrite();
    this.db.exec('DELETE FROM kv');
    this.blobs.clear();
  }

  close(): void {
    this.commit();
    this.db.close();
  }
}
