// S3 Intelligent-Tiering on the virtual clock. An object stored in (or transitioned to) the
// INTELLIGENT_TIERING class starts in Frequent Access; 30 consecutive days without access move it to
// Infrequent Access, 90 to Archive Instant Access, and an access brings it back. Those three tiers
// follow from the last access time alone, so they are computed, not stored. The optional Archive
// Access and Deep Archive Access tiers (bucket Intelligent-Tiering configurations) are stored on the
// record when the due index (due.ts) finds them due: from there only RestoreObject brings the object
// back, to Frequent Access. Objects under 128 KiB are not monitored and stay in Frequent Access.
import type { Runtime } from '../../runtime.js';
import type { ArchiveStatus, IntelligentTieringConfiguration, IntelligentTieringFilter } from '../../generated/s3.js';
import type { BucketRecord, ObjectRecord, S3Store } from './store.js';

export const INTELLIGENT_TIERING = 'INTELLIGENT_TIERING';
/** objects smaller than this are not monitored: always Frequent Access */
export const MIN_MONITORED_SIZE = 128 * 1024;
const DAY = 86_400_000;

export type AccessTier = 'FREQUENT_ACCESS' | 'INFREQUENT_ACCESS' | 'ARCHIVE_INSTANT_ACCESS' | ArchiveStatus;

const monitored = (rec: ObjectRecord) => rec.storageClass === INTELLIGENT_TIERING && !rec.deleteMarker && rec.size >= MIN_MONITORED_SIZE;
/** An archived object whose restore has completed is back in Frequent Access, accessed when the restore finished. */
const restored = (rec: ObjectRecord, now: number) => !!rec.archive && !!rec.restore && now >= rec.restore.readyAt;
const lastAccess = (rec: ObjectRecord, now: number) =>
  restored(rec, now) ? rec.restore!.readyAt : (rec.lastAccess ?? rec.lastModified.getTime());

/** The archive tier an object is in (x-amz-archive-status), if it is archived and not restored. */
export function archiveStatus(rec: ObjectRecord, now: number): ArchiveStatus | undefined {
  return rec.storageClass === INTELLIGENT_TIERING && rec.archive && !restored(rec, now) ? rec.archive : undefined;
}

/** The access tier of an Intelligent-Tiering object (undefined for other classes). */
export function accessTier(rec: ObjectRecord, now: number): AccessTier | undefined {
  if (rec.storageClass !== INTELLIGENT_TIERING || rec.deleteMarker) return undefined;
  const archived = archiveStatus(rec, now);
  if (archived) return archived;
  if (rec.size < MIN_MONITORED_SIZE) return 'FREQUENT_ACCESS';
  const idle = now - lastAccess(rec, now);
  return idle >= 90 * DAY ? 'ARCHIVE_INSTANT_ACCESS' : idle >= 30 * DAY ? 'INFREQUENT_ACCESS' : 'FREQUENT_ACCESS';
}

/** An Intelligent-Tiering restore in progress: the object is still archived until it completes. */
export const tieringRestoreOngoing = (rec: ObjectRecord, now: number) =>
  !!archiveStatus(rec, now) && !!rec.restore && now < rec.restore.readyAt;

export function enabledTieringConfigs(b: BucketRecord): IntelligentTieringConfiguration[] {
  const all = (b.config.intelligentTiering ?? {}) as Record<string, IntelligentTieringConfiguration>;
  return Object.values(all).filter((c) => c.Status === 'Enabled');
}

function matches(filter: IntelligentTieringFilter | undefined, rec: ObjectRecord): boolean {
  const prefix = filter?.Prefix ?? filter?.And?.Prefix ?? '';
  const tags = [...(filter?.Tag ? [filter.Tag] : []), ...(filter?.And?.Tags ?? [])];
  return rec.key.startsWith(prefix) && tags.every((t) => rec.tags[t.Key] === t.Value);
}

/** Days without access before each archive tier, from the enabled configurations that cover the object (the soonest wins). */
function archiveDays(b: BucketRecord, rec: ObjectRecord): Partial<Record<ArchiveStatus, number>> {
  const days: Partial<Record<ArchiveStatus, number>> = {};
  for (const c of enabledTieringConfigs(b)) {
    if (!matches(c.Filter, rec)) continue;
    for (const t of c.Tierings ?? []) days[t.AccessTier] = Math.min(days[t.AccessTier] ?? Infinity, t.Days);
  }
  return days;
}

/** When tiering next changes something stored for this version (an archive tier, a restore that completes), after `after`. */
export function nextTieringDue(b: BucketRecord, rec: ObjectRecord, after: number): number | undefined {
  if (!monitored(rec) && !(rec.archive && rec.restore)) return undefined;
  const times: number[] = [];
  if (rec.archive && rec.restore) {
    times.push(rec.restore.readyAt);
  } else if (rec.archive !== 'DEEP_ARCHIVE_ACCESS') {
    const from = lastAccess(rec, -Infinity);
    const days = archiveDays(b, rec);
    if (!rec.archive && days.ARCHIVE_ACCESS !== undefined) times.push(from + days.ARCHIVE_ACCESS * DAY);
    if (days.DEEP_ARCHIVE_ACCESS !== undefined) times.push(from + days.DEEP_ARCHIVE_ACCESS * DAY);
  }
  const next = times.filter((t) => t > after);
  return next.length ? Math.min(...next) : undefined;
}

/**
 * Applies what is due at `now`: a completed restore returns the object to Frequent Access; an object
 * idle for a configured number of days goes to Archive Access or Deep Archive Access (`archived` is
 * told which). True when the record changed.
 */
export function applyTiering(b: BucketRecord, rec: ObjectRecord, now: number, archived: (tier: ArchiveStatus) => void): boolean {
  let changed = false;
  if (restored(rec, now)) {
    rec.lastAccess = rec.restore!.readyAt;
    rec.archive = undefined;
    rec.restore = undefined;
    changed = true;
  }
  if (!monitored(rec) || rec.archive === 'DEEP_ARCHIVE_ACCESS' || (rec.archive && rec.restore)) return changed;
  const idle = now - lastAccess(rec, now);
  const days = archiveDays(b, rec);
  const tier =
    days.DEEP_ARCHIVE_ACCESS !== undefined && idle >= days.DEEP_ARCHIVE_ACCESS * DAY
      ? 'DEEP_ARCHIVE_ACCESS'
      : days.ARCHIVE_ACCESS !== undefined && idle >= days.ARCHIVE_ACCESS * DAY && !rec.archive
        ? 'ARCHIVE_ACCESS'
        : undefined;
  if (!tier) return changed;
  rec.archive = tier;
  archived(tier);
  return true;
}

/**
 * An access (GET, the source of a copy) of an Intelligent-Tiering object restarts its idle time. The
 * record is rewritten at most once per virtual day per object (tiering counts whole days), and never
 * for objects of other classes or too small to be monitored. True when the caller must save the record.
 */
export function recordAccess(rec: ObjectRecord, now: number): boolean {
  if (!monitored(rec) || archiveStatus(rec, now)) return false;
  if (restored(rec, now)) {
    rec.archive = undefined;
    rec.restore = undefined;
  } else if (Math.floor(lastAccess(rec, now) / DAY) === Math.floor(now / DAY)) {
    return false;
  }
  rec.lastAccess = now;
  return true;
}

/**
 * GET /_nimbus/s3/tiers?bucket=B[&prefix=P][&start-after=K][&max-keys=N]: the storage class and, for
 * Intelligent-Tiering objects, the access tier of the bucket's current objects. S3's API shows only
 * the archive tiers (x-amz-archive-status); AWS reports the others through S3 Inventory.
 */
export function registerTierRoute(rt: Runtime, store: S3Store): void {
  rt.admin.route('GET /_nimbus/s3/tiers', ({ query }) => {
    const bucket = query.get('bucket') ?? '';
    const b = store.buckets.get(bucket);
    if (!b) return { status: 404, body: { error: `no bucket ${JSON.stringify(bucket)}` } };
    const max = Math.min(Math.max(Number(query.get('max-keys') ?? 1000) || 1000, 1), 1000);
    const now = rt.clock.nowMs();
    const page = [
      ...store.objects(b.name).scan({ prefix: query.get('prefix') ?? '', after: query.get('start-after') ?? undefined, limit: max + 1 }),
    ];
    const objects = page
      .slice(0, max)
      .filter(([, r]) => !r.deleteMarker)
      .map(([, r]) => ({
        key: r.key,
        ...(b.versioning ? { versionId: r.versionId } : {}),
        size: r.size,
        storageClass: r.storageClass,
        ...(r.storageClass === INTELLIGENT_TIERING
          ? {
              accessTier: accessTier(r, now),
              lastAccess: new Date(lastAccess(r, now)).toISOString(),
              ...(tieringRestoreOngoing(r, now) ? { restoreReadyAt: new Date(r.restore!.readyAt).toISOString() } : {}),
            }
          : {}),
      }));
    return {
      body: {
        bucket: b.name,
        now: new Date(now).toISOString(),
        objects,
        ...(page.length > max ? { nextStartAfter: page[max - 1][0] } : {}),
      },
    };
  });
}
