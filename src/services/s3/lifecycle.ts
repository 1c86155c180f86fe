// Lifecycle rules: expiration of current and noncurrent versions, removal of expired delete markers,
// storage class transitions of current and noncurrent versions, abort of incomplete multipart
// uploads. This module says which actions a rule holds for a version and when they fall due (due
// dates round up to the next midnight UTC, as S3 computes them), and applies those that are due;
// due.ts decides when to ask, so a clock advance only looks at what is due.
import type { LifecycleRule, LifecycleRuleFilter } from '../../generated/s3.js';
import type { RequestContext } from '../types.js';
import type { S3Store, BucketRecord, ObjectRecord, UploadRecord } from './store.js';
import type { Events } from './events.js';
import { newVersionId } from './objects.js';
import { INTELLIGENT_TIERING, MIN_MONITORED_SIZE } from './tiering.js';

const DAY = 86_400_000;
const due = (from: Date | number, days: number) => Math.ceil((new Date(from).getTime() + days * DAY) / DAY) * DAY;

/** The transition waterfall: an object only ever moves to a class further down. */
const RANK: Record<string, number> = {
  STANDARD: 0,
  REDUCED_REDUNDANCY: 0,
  STANDARD_IA: 1,
  INTELLIGENT_TIERING: 2,
  ONEZONE_IA: 3,
  GLACIER_IR: 4,
  GLACIER: 5,
  DEEP_ARCHIVE: 6,
};

type Lifecycle = { Rules?: LifecycleRule[]; TransitionDefaultMinimumObjectSize?: string };

export function enabledRules(b: BucketRecord): LifecycleRule[] {
  return ((b.config.lifecycle as Lifecycle | undefined)?.Rules ?? []).filter((r) => r.Status === 'Enabled');
}

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

/**
 * Objects under 128 KiB do not transition unless the rule's filter names a size (the default,
 * all_storage_classes_128K); with varies_by_storage_class they may still go to GLACIER and DEEP_ARCHIVE.
 */
function sizeAllows(b: BucketRecord, rule: LifecycleRule, rec: ObjectRecord, target: string): boolean {
  if (rec.size >= MIN_MONITORED_SIZE) return true;
  const f = rule.Filter ?? {};
  const sized = [f.ObjectSizeGreaterThan, f.ObjectSizeLessThan, f.And?.ObjectSizeGreaterThan, f.And?.ObjectSizeLessThan].some(
    (v) => v !== undefined,
  );
  if (sized) return true;
  const policy = (b.config.lifecycle as Lifecycle).TransitionDefaultMinimumObjectSize;
  return policy === 'varies_by_storage_class' && (target === 'GLACIER' || target === 'DEEP_ARCHIVE');
}

interface Action {
  at: number;
  kind: 'expire' | 'transition' | 'removeMarker';
  storageClass?: string;
}

/**
 * The lifecycle actions the bucket's rules hold for one version, each with its due time. `newer` is the
 * next newer version (its creation made this one noncurrent), null for the current version.
 */
function actions(store: S3Store, b: BucketRecord, rec: ObjectRecord, newer: ObjectRecord | null): Action[] {
  const rules = enabledRules(b).filter((r) => matches(r, rec));
  const out: Action[] = [];
  const transition = (r: LifecycleRule, at: number, storageClass: string | undefined) => {
    if (storageClass && (RANK[storageClass] ?? 0) > (RANK[rec.storageClass] ?? 0) && sizeAllows(b, r, rec, storageClass))
      out.push({ at, kind: 'transition', storageClass });
  };
  if (newer) {
    for (const r of rules) {
      const days = r.NoncurrentVersionExpiration?.NoncurrentDays;
      if (days !== undefined) out.push({ at: due(newer.lastModified, days), kind: 'expire' });
      if (rec.deleteMarker) continue;
      for (const t of r.NoncurrentVersionTransitions ?? [])
        if (t.NoncurrentDays !== undefined) transition(r, due(newer.lastModified, t.NoncurrentDays), t.StorageClass);
    }
    return out;
  }
  if (rec.deleteMarker) {
    // an expired delete marker: the only version left of its key (it may not be stored yet)
    const others = () =>
      [...store.versions(b.name).scan({ prefix: rec.key + '\u0000', limit: 2 })].filter(([k]) => k !== store.versionKey(rec));
    if (b.versioning && rules.some((r) => r.Expiration?.ExpiredObjectDeleteMarker) && !others().length) {
      out.push({ at: rec.lastModified.getTime(), kind: 'removeMarker' });
    }
    return out;
  }
  for (const r of rules) {
    const exp = r.Expiration;
    if (exp?.Days !== undefined) out.push({ at: due(rec.lastModified, exp.Days), kind: 'expire' });
    if (exp?.Date !== undefined) out.push({ at: new Date(exp.Date).getTime(), kind: 'expire' });
    for (const t of r.Transitions ?? []) {
      if (t.Days !== undefined) transition(r, due(rec.lastModified, t.Days), t.StorageClass);
      else if (t.Date !== undefined) transition(r, new Date(t.Date).getTime(), t.StorageClass);
    }
  }
  return out;
}

/** When the bucket's rules next act on this version, after `after` (epoch ms). */
export function nextLifecycleDue(
  store: S3Store,
  b: BucketRecord,
  rec: ObjectRecord,
  newer: ObjectRecord | null,
  after: number,
): number | undefined {
  const times = actions(store, b, rec, newer)
    .map((a) => a.at)
    .filter((t) => t > after);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * Applies the actions due at `now` to one version: 'gone' when it was removed or superseded (the
 * store has already rescheduled what remains), else whether the record changed (a transition).
 */
export function applyLifecycle(
  store: S3Store,
  events: Events,
  b: BucketRecord,
  rec: ObjectRecord,
  newer: ObjectRecord | null,
  now: number,
): 'gone' | boolean {
  const dueNow = actions(store, b, rec, newer).filter((a) => a.at <= now);
  const ctx = serviceContext(b, now);
  if (dueNow.some((a) => a.kind === 'removeMarker')) {
    store.deleteVersion(b, rec);
    return 'gone';
  }
  if (dueNow.some((a) => a.kind === 'expire')) {
    if (newer || !b.versioning) {
      store.deleteVersion(b, rec);
      events.emit(b, 'LifecycleExpiration:Delete', rec, ctx);
    } else {
      const marker: ObjectRecord = {
        key: rec.key,
        versionId: newVersionId(b),
        deleteMarker: true,
        size: 0,
        etag: '',
        lastModified: new Date(now),
        headers: {},
        metadata: {},
        tags: {},
        storageClass: 'STANDARD',
        seq: store.nextSeq(),
      };
      store.putVersion(b, marker);
      events.emit(b, 'LifecycleExpiration:DeleteMarkerCreated', marker, ctx);
    }
    return 'gone';
  }
  const target = dueNow.filter((a) => a.kind === 'transition').sort((x, y) => RANK[y.storageClass!] - RANK[x.storageClass!])[0];
  if (!target) return false;
  rec.storageClass = target.storageClass!;
  if (rec.storageClass === INTELLIGENT_TIERING) {
    // Intelligent-Tiering starts an object in Frequent Access
    rec.lastAccess = now;
    rec.archive = undefined;
  }
  events.emit(b, 'LifecycleTransition', rec, ctx);
  return true;
}

/** When a rule aborts this incomplete multipart upload, if one does. */
export function uploadDue(b: BucketRecord, u: UploadRecord): number | undefined {
  const times = enabledRules(b)
    .filter((r) => r.AbortIncompleteMultipartUpload?.DaysAfterInitiation !== undefined && matches(r, u))
    .map((r) => due(u.initiated, r.AbortIncompleteMultipartUpload!.DaysAfterInitiation!));
  return times.length ? Math.min(...times) : undefined;
}

export function serviceContext(b: BucketRecord, now: number): RequestContext {
  return {
    requestId: 'lifecycle',
    account: b.owner,
    principal: { userId: 's3.amazonaws.com' },
    clock: { nowMs: () => now, now: () => new Date(now) },
  } as unknown as RequestContext;
}
