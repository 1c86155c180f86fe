// The due index: one ordered collection, keyed by due time then bucket and version (or upload), of
// everything lifecycle rules or Intelligent-Tiering will act on. A clock advance reads the index up to
// the new time and looks only at those versions, so its cost follows what is due, not how many objects
// the buckets hold. Each version with an entry carries its due time (`rec.due`), so an entry whose
// version changed or went is recognised as stale and dropped. Entries are kept in step by the store
// (put and delete of versions), by saves in place (tags, restores, accesses) and rebuilt for a bucket
// when its lifecycle or Intelligent-Tiering configuration changes. An entry may come early (its version
// is then looked at and rescheduled), never late.
import type { Runtime } from '../../runtime.js';
import type { Collection } from '../../state/engine.js';
import { s3System, type S3Store, type BucketRecord, type ObjectRecord, type UploadRecord, type Scheduler } from './store.js';
import type { Events } from './events.js';
import { applyLifecycle, enabledRules, nextLifecycleDue, serviceContext, uploadDue } from './lifecycle.js';
import { applyTiering, enabledTieringConfigs, nextTieringDue } from './tiering.js';

interface Entry {
  bucket: string;
  key: string;
  /** versionKey of a version, or the upload's id */ ref: string;
  upload?: true;
}

/** Fixed-width base 36: keys sort in time order. */
const time = (ms: number) => Math.max(0, Math.floor(ms)).toString(36).padStart(11, '0');
const entryKey = (due: number, bucket: string, ref: string) => `${time(due)}\u0000${bucket}\u0000${ref}`;
const uploadRef = (u: UploadRecord) => `\u0001${u.key}\u0000${u.uploadId}`;
const BATCH = 256;
const PAGE = 1000;

export class DueIndex implements Scheduler {
  private readonly index: Collection<Entry>;

  constructor(
    private readonly rt: Runtime,
    private readonly store: S3Store,
    private readonly events: Events,
  ) {
    this.index = s3System(rt).collection<Entry>('due');
  }

  active(b: BucketRecord): boolean {
    return enabledRules(b).length > 0 || enabledTieringConfigs(b).length > 0;
  }

  place(b: BucketRecord, rec: ObjectRecord, newer?: ObjectRecord | null, after = -Infinity): boolean {
    if (newer === undefined) newer = this.newer(b, rec);
    const times = [nextLifecycleDue(this.store, b, rec, newer, after), nextTieringDue(b, rec, after)].filter(
      (t): t is number => t !== undefined,
    );
    const next = times.length ? Math.min(...times) : undefined;
    if (next === rec.due) return false;
    if (rec.due !== undefined) this.index.delete(entryKey(rec.due, b.name, this.store.versionKey(rec)));
    rec.due = next;
    if (next !== undefined)
      this.index.put(entryKey(next, b.name, this.store.versionKey(rec)), { bucket: b.name, key: rec.key, ref: this.store.versionKey(rec) });
    return true;
  }

  remove(b: BucketRecord, rec: ObjectRecord): void {
    if (rec.due !== undefined) this.index.delete(entryKey(rec.due, b.name, this.store.versionKey(rec)));
  }

  /** A new multipart upload: sets u.due when a rule will abort it (the caller stores u). */
  placeUpload(b: BucketRecord, u: UploadRecord): void {
    u.due = this.active(b) ? uploadDue(b, u) : undefined;
    if (u.due !== undefined)
      this.index.put(entryKey(u.due, b.name, uploadRef(u)), { bucket: b.name, key: u.key, ref: uploadRef(u), upload: true });
  }

  removeUpload(b: BucketRecord, u: UploadRecord): void {
    if (u.due !== undefined) this.index.delete(entryKey(u.due, b.name, uploadRef(u)));
  }

  /** On every clock advance: applies whatever fell due, in batches read before they are written. */
  run(): void {
    const now = this.rt.clock.nowMs();
    const end = time(now + 1);
    for (;;) {
      const batch = [...this.index.scan({ before: end, limit: BATCH })];
      if (!batch.length) return;
      for (const [k, entry] of batch) {
        const at = parseInt(k.slice(0, 11), 36);
        try {
          this.rt.engine.transaction(() => {
            this.index.delete(k);
            this.process(entry, at, now);
          });
        } catch (e) {
          // the version's changes are rolled back; its entry goes, so one bad record cannot stall the clock
          this.rt.log.warn(`s3 lifecycle on ${entry.bucket}/${entry.key} failed: ${(e as Error).message}`);
          this.index.delete(k);
        }
      }
    }
  }

  /** A bucket's lifecycle or Intelligent-Tiering configuration changed: every version and upload is scheduled anew. */
  rebuild(b: BucketRecord): void {
    const active = this.active(b);
    const coll = b.versioning ? this.store.versions(b.name) : this.store.objects(b.name);
    let after: string | undefined;
    let newer: ObjectRecord | null = null;
    for (;;) {
      const page = [...coll.scan({ after, limit: PAGE })];
      if (!page.length) break;
      after = page.at(-1)![0];
      this.rt.engine.transaction(() => {
        for (const [k, rec] of page) {
          // versions sort by key, newest first: the one before of the same key is the newer one
          const newerOne = newer && newer.key === rec.key ? newer : null;
          newer = rec;
          const before = rec.due;
          if (active) {
            this.place(b, rec, newerOne);
          } else {
            this.remove(b, rec);
            rec.due = undefined;
          }
          if (rec.due === before) continue;
          coll.put(k, rec);
          if (b.versioning && !newerOne) this.store.objects(b.name).put(rec.key, rec);
        }
      });
    }
    const uploads = this.store.uploads(b.name);
    this.rt.engine.transaction(() => {
      for (const [k, u] of [...uploads.scan()]) {
        this.removeUpload(b, u);
        this.placeUpload(b, u);
        uploads.put(k, u);
      }
    });
  }

  /** The version that replaced `rec` as current (null when rec is current). */
  private newer(b: BucketRecord, rec: ObjectRecord): ObjectRecord | null {
    if (!b.versioning) return null;
    const [above] = this.store
      .versions(b.name)
      .scan({ prefix: rec.key + '\u0000', before: this.store.versionKey(rec), reverse: true, limit: 1 });
    return above ? above[1] : null;
  }

  private process(entry: Entry, at: number, now: number): void {
    const b = this.store.buckets.get(entry.bucket);
    if (!b) return;
    if (entry.upload) return this.processUpload(b, entry, at, now);
    const rec = b.versioning ? this.store.versions(b.name).get(entry.ref) : this.store.objects(b.name).get(entry.key);
    // stale: the version went, or was rescheduled since
    if (!rec || rec.due !== at || this.store.versionKey(rec) !== entry.ref) return;
    rec.due = undefined;
    const newer = this.newer(b, rec);
    const from = rec.storageClass;
    const outcome = applyLifecycle(this.store, this.events, b, rec, newer, now);
    if (outcome) {
      const detail =
        outcome === 'gone'
          ? { versionId: rec.versionId ?? null }
          : { storageClass: rec.storageClass, previousStorageClass: from, versionId: rec.versionId ?? null };
      this.fired(b, outcome === 'gone' ? 'lifecycle-expiration' : 'lifecycle-transition', rec.key, detail);
    }
    if (outcome === 'gone') return;
    const ctx = serviceContext(b, now);
    applyTiering(b, rec, now, () => this.events.emit(b, 'IntelligentTiering', rec, ctx));
    this.place(b, rec, newer, now);
    if (!newer) this.store.objects(b.name).put(rec.key, rec);
    if (b.versioning) this.store.versions(b.name).put(entry.ref, rec);
  }

  private processUpload(b: BucketRecord, entry: Entry, at: number, now: number): void {
    const uploads = this.store.uploads(b.name);
    const k = entry.ref.slice(1);
    const u = uploads.get(k);
    if (!u || u.due !== at) return;
    if (at <= now) {
      const parts = [...this.store.parts(b.name).scan({ prefix: u.uploadId + '/' })].map(([, p]) => p);
      this.store.parts(b.name).clear(u.uploadId + '/');
      uploads.delete(k);
      for (const p of parts) this.rt.engine.blobs.delete(p.blob);
      this.fired(b, 'lifecycle-abort-upload', u.key, { uploadId: u.uploadId });
    }
  }

  /** The clock timeline (GET /_nimbus/clock/events): what a lifecycle rule did. */
  private fired(b: BucketRecord, kind: string, key: string, detail: Record<string, unknown>): void {
    this.rt.timeline.record({ service: 's3', kind, resource: `arn:aws:s3:::${b.name}/${key}`, account: b.owner, region: b.region, detail });
  }
}
