// Whether an archived object can be read now, and the x-amz-restore header that says so: what the
// object handlers ask of the restore state RestoreObject (restore.ts) sets.
import { ServiceError } from '../errors.js';
import type { ObjectRecord } from './store.js';
import { archiveStatus, tieringRestoreOngoing, INTELLIGENT_TIERING } from './tiering.js';

export const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
type Restore = NonNullable<ObjectRecord['restore']>;
export const ongoing = (r: Restore | undefined, now: number) => !!r && now < r.readyAt;
export const available = (r: Restore | undefined, now: number) => !!r && now >= r.readyAt && now < r.expiresAt;

/** The x-amz-restore header: the restore's state, if one was asked for. */
export function restoreHeader(rec: ObjectRecord, now: number): string | undefined {
  if (rec.storageClass === INTELLIGENT_TIERING) return tieringRestoreOngoing(rec, now) ? 'ongoing-request="true"' : undefined;
  const r = rec.restore;
  if (!r || now >= r.expiresAt) return undefined;
  return ongoing(r, now) ? 'ongoing-request="true"' : `ongoing-request="false", expiry-date="${new Date(r.expiresAt).toUTCString()}"`;
}

/** GET of an archived object that is not restored: InvalidObjectState. */
export function checkReadable(rec: ObjectRecord, now: number): void {
  const tier = archiveStatus(rec, now);
  if (tier)
    throw new ServiceError('InvalidObjectState', "The operation is not valid for the object's access tier", 403, {
      StorageClass: rec.storageClass,
      AccessTier: tier,
    });
  if (ARCHIVED.has(rec.storageClass) && !available(rec.restore, now)) {
    throw new ServiceError('InvalidObjectState', "The operation is not valid for the object's storage class", 403, {
      StorageClass: rec.storageClass,
    });
  }
}
