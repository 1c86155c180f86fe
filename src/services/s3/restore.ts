// Archived objects: GLACIER and DEEP_ARCHIVE objects are read only after RestoreObject, whose
// temporary copy becomes available after the tier's delay and lasts `Days`; Intelligent-Tiering
// objects in the Archive Access and Deep Archive Access tiers are read only after RestoreObject has
// moved them back to Frequent Access (no Days: the move is permanent). All on the virtual clock.
// Also GetObjectAttributes, which reads an object's metadata without its body.
import type { S3Provider, ObjectAttributes, StorageClass, RestoreRequest } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import type { S3Store, BucketRecord, ObjectRecord } from './store.js';
import { isVersioned, readable, saveInPlace } from './objects.js';
import { checksumFields } from './checksums.js';
import { malformedXml } from './errors.js';
import { archiveStatus, tieringRestoreOngoing } from './tiering.js';
import { ARCHIVED, DAY, HOUR, available, ongoing } from './archive-state.js';

export { checkReadable, restoreHeader } from './archive-state.js';

/** How long each retrieval tier takes. */
const DELAY: Record<string, Record<string, number>> = {
  GLACIER: { Expedited: 5 * 60_000, Standard: 4 * HOUR, Bulk: 12 * HOUR },
  DEEP_ARCHIVE: { Standard: 12 * HOUR, Bulk: 48 * HOUR },
  ARCHIVE_ACCESS: { Expedited: 5 * 60_000, Standard: 4 * HOUR, Bulk: 12 * HOUR },
  DEEP_ARCHIVE_ACCESS: { Standard: 12 * HOUR, Bulk: 48 * HOUR },
};

/** An Intelligent-Tiering object in an archive tier moves back to Frequent Access after the retrieval tier's delay. */
function restoreFromTier(store: S3Store, b: BucketRecord, rec: ObjectRecord, tier: string, req: RestoreRequest, now: number) {
  if (req.Days !== undefined) {
    throw new ServiceError('InvalidArgument', 'Days are not allowed for objects in the INTELLIGENT_TIERING storage class', 400, {
      ArgumentName: 'Days',
      ArgumentValue: String(req.Days),
    });
  }
  const retrieval = req.GlacierJobParameters?.Tier ?? req.Tier ?? 'Standard';
  const delay = DELAY[tier][retrieval];
  if (delay === undefined) throw new ServiceError('InvalidArgument', `${retrieval} retrieval is not supported for ${tier}`, 400);
  if (tieringRestoreOngoing(rec, now)) throw new ServiceError('RestoreAlreadyInProgress', 'Object restore is already in progress', 409);
  rec.restore = { readyAt: now + delay, expiresAt: now + delay };
  saveInPlace(store, b, rec);
  return { StatusCode: 202 };
}

export function restoreHandlers(store: S3Store): S3Provider {
  return {
    RestoreObject: (input, ctx) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      const archived = archiveStatus(rec, ctx.clock.nowMs());
      if (archived) return restoreFromTier(store, b, rec, archived, input.RestoreRequest ?? {}, ctx.clock.nowMs());
      if (!ARCHIVED.has(rec.storageClass)) {
        throw new ServiceError('InvalidObjectState', "Restore is not allowed for the object's current storage class", 403, {
          StorageClass: rec.storageClass,
        });
      }
      const req = input.RestoreRequest ?? {};
      if (req.Days === undefined || req.Days < 1) throw malformedXml();
      const now = ctx.clock.nowMs();
      const tier = req.GlacierJobParameters?.Tier ?? req.Tier ?? 'Standard';
      const delay = DELAY[rec.storageClass][tier];
      if (delay === undefined) throw new ServiceError('InvalidArgument', `${tier} retrieval is not supported for ${rec.storageClass}`, 400);
      if (ongoing(rec.restore, now)) throw new ServiceError('RestoreAlreadyInProgress', 'Object restore is already in progress', 409);
      const wasAvailable = available(rec.restore, now);
      // a restored copy asked for again only has its expiry moved
      const readyAt = wasAvailable ? rec.restore!.readyAt : now + delay;
      rec.restore = { readyAt, expiresAt: Math.ceil((Math.max(readyAt, now) + req.Days * DAY) / DAY) * DAY };
      saveInPlace(store, b, rec);
      return { StatusCode: wasAvailable ? 200 : 202 };
    },

    GetObjectAttributes: (input) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      const want = new Set<ObjectAttributes>(input.ObjectAttributes ?? []);
      const out: Record<string, unknown> = { LastModified: rec.lastModified, ...(isVersioned(b) ? { VersionId: rec.versionId } : {}) };
      if (want.has('ETag')) out.ETag = rec.etag.replace(/"/g, '');
      if (want.has('Checksum') && rec.checksum) out.Checksum = checksumFields(rec.checksum);
      if (want.has('ObjectSize')) out.ObjectSize = rec.size;
      if (want.has('StorageClass')) out.StorageClass = rec.storageClass as StorageClass;
      if (want.has('ObjectParts') && rec.parts) {
        const max = input.MaxParts ?? 1000;
        const from = input.PartNumberMarker ?? 0;
        const numbers = rec.parts.map((size, i) => ({ PartNumber: i + 1, Size: size })).filter((p) => p.PartNumber > from);
        const page = numbers.slice(0, max);
        out.ObjectParts = {
          TotalPartsCount: rec.parts.length,
          PartNumberMarker: from,
          MaxParts: max,
          IsTruncated: numbers.length > max,
          ...(page.length ? { NextPartNumberMarker: page.at(-1)!.PartNumber } : {}),
          Parts: page,
        };
      }
      return out;
    },
  };
}
