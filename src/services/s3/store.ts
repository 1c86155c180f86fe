// S3 state. Bucket names are global across accounts and regions, so buckets live in one global
// collection (name → record, owner and region inside); each bucket's objects, versions and uploads
// live in collections of their own, dropped whole when the bucket goes.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../runtime.js';
import type { Collection } from '../../state/engine.js';
import type { StoreScope } from '../../state/stores.js';
import type { AccessControlPolicy, ChecksumType } from '../../generated/s3.js';
import { noSuchBucket } from './errors.js';

export interface BucketRecord {
  name: string;
  owner: string;
  region: string;
  created: Date;
  versioning?: 'Enabled' | 'Suspended';
  objectLock?: boolean;
  /** stored subresource configurations, keyed by subresource name (cors, policy, lifecycle, …) */
  config: Record<string, unknown>;
}

export interface StoredChecksum {
  algorithm: string;
  value: string;
  type: ChecksumType;
}

/** One version of an object (the only one in an unversioned bucket), or a delete marker. */
export interface ObjectRecord {
  key: string;
  versionId: string;
  deleteMarker?: boolean;
  blob?: string;
  /** the bytes of a small object, kept in the record */
  data?: Buffer;
  size: number;
  etag: string;
  lastModified: Date;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  storageClass: string;
  checksum?: StoredChecksum;
  /** sizes of the parts of a multipart object */
  parts?: number[];
  sse?: Record<string, string | boolean>;
  lock?: { mode?: string; until?: Date; legalHold?: string };
  acl?: string | AccessControlPolicy;
  /** the account owning the object when it is not the bucket owner (written by another account, ACLs on) */
  owner?: string;
  /** an archived object's restore: when the copy is ready and when it goes (epoch ms) */
  restore?: { readyAt: number; expiresAt: number };
  /** Intelligent-Tiering: the last access (epoch ms; lastModified until the first) and the archive tier, once archived */
  lastAccess?: number;
  archive?: 'ARCHIVE_ACCESS' | 'DEEP_ARCHIVE_ACCESS';
  /** when lifecycle or tiering next needs to look at this version (epoch ms): its entry in the due index */
  due?: number;
  /** ordering sequence: newer versions have larger numbers */
  seq: number;
}

export interface UploadRecord {
  uploadId: string;
  key: string;
  initiated: Date;
  owner: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  storageClass: string;
  checksumAlgorithm?: string;
  checksumType?: ChecksumType;
  sse?: Record<string, string | boolean>;
  lock?: { mode?: string; until?: Date; legalHold?: string };
  acl?: string | AccessControlPolicy;
  /** when a lifecycle rule aborts this upload: its entry in the due index */
  due?: number;
}

export interface PartRecord {
  number: number;
  blob: string;
  size: number;
  etag: string;
  md5: string;
  lastModified: Date;
  checksum?: StoredChecksum;
}

/** The content headers stored with an object and answered on GET/HEAD. */
export const CONTENT_HEADERS = [
  'ContentType',
  'ContentEncoding',
  'ContentDisposition',
  'ContentLanguage',
  'CacheControl',
  'Expires',
  'WebsiteRedirectLocation',
] as const;

export const newId = (bytes = 24) => randomBytes(bytes).toString('base64url');

/** Sorts newest first after the key: an inverted, fixed-width sequence number. */
const versionSuffix = (seq: number) => '\u0000' + (Number.MAX_SAFE_INTEGER - seq).toString(36).padStart(11, '0');

/**
 * Keeps the due index (due.ts) in step with the versions the store writes. `place` sets `rec.due`
 * for the version's state (`newer`: the next newer version, null when rec is current, undefined to
 * look it up) and moves its index entry; true when rec.due changed, so the caller saves rec.
 */
export interface Scheduler {
  /** whether the bucket has lifecycle rules or Intelligent-Tiering configurations (no bookkeeping otherwise) */
  active(b: BucketRecord): boolean;
  place(b: BucketRecord, rec: ObjectRecord, newer?: ObjectRecord | null): boolean;
  remove(b: BucketRecord, rec: ObjectRecord): void;
  /** sets u.due when a rule will abort this new upload (the caller stores u) */
  placeUpload(b: BucketRecord, u: UploadRecord): void;
  removeUpload(b: BucketRecord, u: UploadRecord): void;
  /** the bucket's lifecycle or Intelligent-Tiering configuration changed */
  rebuild(b: BucketRecord): void;
}

/** S3's system scope of a runtime (one per runtime, shared by the store and the due index). */
export function s3System(rt: Runtime): StoreScope {
  return rt.shared('s3/system', () => rt.stores('s3', (scope) => scope).system());
}

export interface CompletedUpload {
  /** [part number, md5 hex] as completed */
  parts: [number, string][];
  versionId: string;
  result: Record<string, unknown>;
}

export class S3Store {
  readonly buckets: Collection<BucketRecord>;
  private lastSeq = 0;
  scheduler?: Scheduler;

  /** bucket names are global across accounts and regions: S3's state lives in the system scope */
  private readonly scope: StoreScope;

  /** canonical user id → account, for the accounts S3 has seen (ACL grants name them; grantees.ts) */
  readonly canonicalIds: Collection<string>;

  constructor(private readonly rt: Runtime) {
    this.scope = s3System(rt);
    this.buckets = this.scope.collection<BucketRecord>('buckets');
    this.canonicalIds = this.scope.collection<string>('canonical-ids');
  }

  bucket(name: string): BucketRecord {
    const b = this.buckets.get(name);
    if (!b) throw noSuchBucket(name);
    return b;
  }

  /** current versions (or delete markers) by key */
  objects(bucket: string): Collection<ObjectRecord> {
    return this.scope.collection<ObjectRecord>(`objects/${bucket}`);
  }

  /** every version of versioned buckets, by key then newest first */
  versions(bucket: string): Collection<ObjectRecord> {
    return this.scope.collection<ObjectRecord>(`versions/${bucket}`);
  }

  uploads(bucket: string): Collection<UploadRecord> {
    return this.scope.collection<UploadRecord>(`uploads/${bucket}`);
  }

  parts(bucket: string): Collection<PartRecord> {
    return this.scope.collection<PartRecord>(`parts/${bucket}`);
  }

  /** completed multipart uploads (key NUL uploadId): what a retried CompleteMultipartUpload answers */
  completed(bucket: string): Collection<CompletedUpload> {
    return this.scope.collection<CompletedUpload>(`completed/${bucket}`);
  }

  nextSeq(): number {
    this.lastSeq = Math.max(this.lastSeq + 1, this.rt.clock.nowMs() * 1000);
    return this.lastSeq;
  }

  versionKey(rec: ObjectRecord): string {
    return rec.key + versionSuffix(rec.seq);
  }

  /** A version of a key: the current one, or the one named. */
  findVersion(bucket: string, key: string, versionId: string | undefined): ObjectRecord | undefined {
    const current = this.objects(bucket).get(key);
    if (versionId === undefined || current?.versionId === versionId) return current;
    for (const [, v] of this.versions(bucket).scan({ prefix: key + '\u0000' })) if (v.versionId === versionId) return v;
    return undefined;
  }

  /**
   * Makes `rec` the current version. Unversioned buckets replace the object; versioned ones keep the
   * older versions, except a 'null' version (suspended versioning) which replaces the previous 'null'.
   * Returns the blobs no longer referenced.
   */
  putVersion(b: BucketRecord, rec: ObjectRecord): string[] {
    const objects = this.objects(b.name);
    const dropped: string[] = [];
    const scheduler = this.scheduler?.active(b) ? this.scheduler : undefined;
    if (!b.versioning) {
      const old = objects.get(rec.key);
      if (old?.blob && old.blob !== rec.blob) dropped.push(old.blob);
      if (old?.due !== undefined) this.scheduler?.remove(b, old);
      scheduler?.place(b, rec, null);
      objects.put(rec.key, rec);
      return dropped;
    }
    this.rt.engine.transaction(() => {
      const versions = this.versions(b.name);
      // the version this one makes noncurrent: its lifecycle clock starts now
      let previous = scheduler ? objects.get(rec.key) : undefined;
      if (rec.versionId === 'null') {
        // read whole before writing: an open iterator holds the database connection
        for (const [k, v] of [...versions.scan({ prefix: rec.key + '\u0000' })]) {
          if (v.versionId !== 'null') continue;
          versions.delete(k);
          if (v.due !== undefined) this.scheduler?.remove(b, v);
          if (v.blob && v.blob !== rec.blob) dropped.push(v.blob);
          if (previous?.versionId === 'null') previous = undefined;
        }
      }
      scheduler?.place(b, rec, null);
      versions.put(this.versionKey(rec), rec);
      objects.put(rec.key, rec);
      if (previous && scheduler?.place(b, previous, rec)) versions.put(this.versionKey(previous), previous);
    });
    return dropped;
  }

  /** Removes one version; the newest remaining one becomes current. Returns the blob to drop. */
  deleteVersion(b: BucketRecord, rec: ObjectRecord): void {
    const objects = this.objects(b.name);
    this.rt.engine.transaction(() => {
      if (rec.due !== undefined) this.scheduler?.remove(b, rec);
      if (!b.versioning) {
        objects.delete(rec.key);
      } else {
        const versions = this.versions(b.name);
        versions.delete(this.versionKey(rec));
        const [next] = [...versions.scan({ prefix: rec.key + '\u0000', limit: 1 })].map(([, v]) => v);
        // the newest remaining version is current (again): its due dates are a current version's
        if (next && this.scheduler?.active(b) && this.scheduler.place(b, next, null)) versions.put(this.versionKey(next), next);
        if (next) objects.put(rec.key, next);
        else objects.delete(rec.key);
      }
    });
    if (rec.blob) this.rt.engine.blobs.delete(rec.blob);
  }

  /** Turning versioning on for the first time: the objects so far become 'null' versions. */
  enableVersioning(b: BucketRecord, status: 'Enabled' | 'Suspended'): void {
    this.rt.engine.transaction(() => {
      if (!b.versioning) {
        const versions = this.versions(b.name);
        for (const [, rec] of [...this.objects(b.name).scan()]) versions.put(this.versionKey(rec), rec);
      }
      b.versioning = status;
      this.buckets.put(b.name, b);
    });
  }

  dropBucket(name: string): void {
    this.rt.engine.transaction(() => {
      for (const [, p] of this.parts(name).scan()) this.rt.engine.blobs.delete(p.blob);
      for (const c of [this.objects(name), this.versions(name), this.uploads(name), this.parts(name), this.completed(name)]) c.clear();
      this.buckets.delete(name);
    });
  }
}
