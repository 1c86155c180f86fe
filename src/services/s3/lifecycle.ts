// Lifecycle rules, applied when the virtual clock moves: expiration of current and noncurrent
// versions, removal of expired delete markers, storage class transitions, abort of incomplete
// multipart uploads. Due dates round up to the next midnight UTC, as S3 computes them.
import type { Runtime } from '../../runtime.js';
import type { LifecycleRule, LifecycleRuleFilter } from '../../generated/s3.js';
import type { RequestContext } from '../types.js';
import type { S3Store, BucketRecord, ObjectRecord, UploadRecord } from './store.js';
import type { Events } from './events.js';
import { newVersionId } from './objects.js';

const DAY = 86_400_000;
const due = (from: Date, days: number) => Math.ceil((from.getTime() + days * DAY) / DAY) * DAY;

function matches(rule: LifecycleRule, rec: { key: string; tags?: Record<string, string>; size?: number }): boolean {
  const f: LifecycleRuleFilter = rule.Filter ?? {};
  const prefix = f.Prefix ?? f.And?.Prefix ?? rule.Prefix ?? '';
  if (!rec.key.startsWith(prefix)) return false;
  const tags = [...(f.Tag ? [f.Tag] : []), ...(f.And?.Tags ?? [])];
  if (tags.some((t) => rec.tags?.[t.Key] !== t.Value)) return false;
  const gt = f.ObjectSizeGreaterThan ?? f.And?.ObjectSizeGreaterThan;
  const lt = f.ObjectSizeLessThan ?? f.And?.ObjectSizeLessThan;
  if (rec.size !== undefined && ((gt !== undefined && rec.size <= gt) || (lt !== undefined && rec.size >= lt))) return false;
  return true;
}

export function applyLifecycle(rt: Runtime, store: S3Store, events: Events): void {
  const now = rt.clock.nowMs();
  const buckets = [...store.buckets.scan()].map(([, b]) => b).filter((b) => b.config.lifecycle);
  for (const b of buckets) {
    const rules = ((b.config.lifecycle as { Rules: LifecycleRule[] }).Rules ?? []).filter((r) => r.Status === 'Enabled');
    if (rules.length) applyRules(rt, store, events, b, rules, now);
  }
}

function applyRules(rt: Runtime, store: S3Store, events: Events, b: BucketRecord, rules: LifecycleRule[], now: number): void {
  const ctx = { requestId: 'lifecycle', account: b.owner, principal: { userId: 's3.amazonaws.com' }, clock: rt.clock } as unknown as RequestContext;
  const current = [...store.objects(b.name).scan()].map(([, r]) => r);
  for (const rec of current) {
    for (const rule of rules.filter((r) => matches(r, rec))) {
      const exp = rule.Expiration;
      if (rec.deleteMarker) {
        const only = b.versioning && [...store.versions(b.name).scan({ prefix: rec.key + '\u0000', limit: 2 })].length === 1;
        if (exp?.ExpiredObjectDeleteMarker && only) {
          store.deleteVersion(b, rec);
          break;
        }
        continue;
      }
      const expired = (exp?.Days !== undefined && now >= due(rec.lastModified, exp.Days)) || (exp?.Date !== undefined && now >= new Date(exp.Date).getTime());
      if (expired) {
        if (!b.versioning) {
          store.deleteVersion(b, rec);
          events.emit(b, 'LifecycleExpiration:Delete', rec, ctx);
        } else {
          const marker: ObjectRecord = {
            key: rec.key, versionId: newVersionId(b), deleteMarker: true, size: 0, etag: '', lastModified: new Date(now),
            headers: {}, metadata: {}, tags: {}, storageClass: 'STANDARD', seq: store.nextSeq(),
          };
          store.putVersion(b, marker);
          events.emit(b, 'LifecycleExpiration:DeleteMarkerCreated', marker, ctx);
        }
        break;
      }
      const transition = (rule.Transitions ?? []).filter((t) => t.Days !== undefined && now >= due(rec.lastModified, t.Days)).sort((x, y) => (y.Days ?? 0) - (x.Days ?? 0))[0];
      if (transition?.StorageClass && transition.StorageClass !== rec.storageClass) {
        rec.storageClass = transition.StorageClass;
        store.objects(b.name).put(rec.key, rec);
        if (b.versioning) store.versions(b.name).put(store.versionKey(rec), rec);
        events.emit(b, 'LifecycleTransition', rec, ctx);
      }
    }
  }
  if (b.versioning) expireNoncurrent(store, b, rules, now);
  const uploads = [...store.uploads(b.name).scan()].map(([, u]) => u);
  for (const u of uploads) {
    const rule = rules.find((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined && matches(r, u));
    if (rule && now >= due(u.initiated, rule.AbortIncompleteMultipartUpload!.DaysAfterInitiation!)) abortUpload(rt, store, b, u);
  }
}

/** A noncurrent version's age counts from when the next newer version replaced it. */
function expireNoncurrent(store: S3Store, b: BucketRecord, rules: LifecycleRule[], now: number): void {
  const all = [...store.versions(b.name).scan()].map(([, r]) => r);
  let newer: ObjectRecord | undefined;
  const doomed: ObjectRecord[] = [];
  for (const rec of all) {
    if (newer && newer.key === rec.key) {
      const rule = rules.find((r) => r.NoncurrentVersionExpiration?.NoncurrentDays !== undefined && matches(r, rec));
      if (rule && now >= due(newer.lastModified, rule.NoncurrentVersionExpiration!.NoncurrentDays!)) doomed.push(rec);
    }
    newer = rec;
  }
  for (const rec of doomed) store.deleteVersion(b, rec);
}

function abortUpload(rt: Runtime, store: S3Store, b: BucketRecord, u: UploadRecord): void {
  const parts = [...store.parts(b.name).scan({ prefix: u.uploadId + '/' })].map(([, p]) => p);
  rt.engine.transaction(() => {
    store.parts(b.name).clear(u.uploadId + '/');
    store.uploads(b.name).delete(`${u.key}\u0000${u.uploadId}`);
  });
  for (const p of parts) rt.engine.blobs.delete(p.blob);
}
