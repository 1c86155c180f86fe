// ListObjects (v1, v2) and ListObjectVersions: ordered scans from the marker with prefix, folding
// keys that share a delimited prefix into one CommonPrefix and jumping past the rest of them, so a
// page costs O(log n + page) whatever the bucket holds.
import type { Collection } from '../../state/engine.js';
import type { S3Provider, Object_, ObjectVersion, DeleteMarkerEntry, CommonPrefix } from '../../generated/s3.js';
import { prefixEnd } from '../../state/engine.js';
import { S3Store, type BucketRecord, type ObjectRecord } from './store.js';
import { ownerOf } from './ownership.js';
import { owner } from './attributes.js';
import { invalidArgument } from './errors.js';

type Entry = { rec: ObjectRecord; cursor: string } | { prefix: string; cursor: string };

/**
 * Up to `max` entries after `after` (a storage key), plus whether more follow. Entries are records
 * or common prefixes; `cursor` is the storage key to resume after.
 */
function page(
  coll: Collection<ObjectRecord>,
  opts: { prefix: string; delimiter?: string; after?: string; max: number; live: boolean },
): { entries: Entry[]; truncated: boolean } {
  const entries: Entry[] = [];
  if (opts.max === 0) return { entries, truncated: false };
  let after = opts.after;
  for (;;) {
    let jumped = false;
    // the iterator holds the connection: nothing else touches the database until it is closed
    for (const [k, rec] of coll.scan({ prefix: opts.prefix, after })) {
      if (opts.live && rec.deleteMarker) {
        after = k;
        continue;
      }
      if (entries.length === opts.max) return { entries, truncated: true };
      const cut = opts.delimiter ? rec.key.indexOf(opts.delimiter, opts.prefix.length) : -1;
      if (cut >= 0) {
        const p = rec.key.slice(0, cut + opts.delimiter!.length);
        after = prefixEnd(p);
        entries.push({ prefix: p, cursor: after });
        jumped = true;
        break;
      }
      entries.push({ rec, cursor: k });
      after = k;
    }
    if (!jumped) return { entries, truncated: false };
  }
}

function maxKeys(v: number | undefined): number {
  if (v === undefined) return 1000;
  if (v < 0) throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', String(v));
  return Math.min(v, 1000);
}

function encoder(type: string | undefined): (s: string | undefined) => string | undefined {
  if (type === undefined) return (s) => s;
  if (type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return (s) => (s === undefined ? s : encodeURIComponent(s).replace(/%2F/g, '/'));
}

const checksumAlgorithms = (r: ObjectRecord) =>
  r.checksum ? { ChecksumAlgorithm: [r.checksum.algorithm as 'CRC32'], ChecksumType: r.checksum.type } : {};

/** An object in a listing; with its owner when `withOwner` (the bucket) is given. */
function objectEntry(r: ObjectRecord, withOwner: BucketRecord | undefined, enc: (s: string) => string | undefined): Object_ {
  return {
    Key: enc(r.key),
    LastModified: r.lastModified,
    ETag: r.etag,
    Size: r.size,
    StorageClass: r.storageClass as Object_['StorageClass'],
    ...checksumAlgorithms(r),
    ...(withOwner ? { Owner: owner(ownerOf(withOwner, r)) } : {}),
  };
}

const token = (cursor: string) => Buffer.from(cursor).toString('base64url');
function untoken(t: string): string {
  const s = Buffer.from(t, 'base64url').toString('utf8');
  if (!t || Buffer.from(s).toString('base64url') !== t.replace(/=+$/, '')) {
    throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', t);
  }
  return s;
}

export function listingHandlers(store: S3Store): S3Provider {
  return {
    ListObjects: (input) => {
      const b = store.bucket(input.Bucket);
      const enc = encoder(input.EncodingType);
      const prefix = input.Prefix ?? '';
      const max = maxKeys(input.MaxKeys);
      const { entries, truncated } = page(store.objects(b.name), {
        prefix,
        delimiter: input.Delimiter || undefined,
        after: input.Marker || undefined,
        max,
        live: true,
      });
      const last = entries.at(-1);
      return {
        Name: b.name,
        Prefix: enc(prefix),
        Marker: enc(input.Marker ?? ''),
        MaxKeys: max,
        IsTruncated: truncated,
        ...(input.Delimiter ? { Delimiter: enc(input.Delimiter) } : {}),
        ...(truncated && input.Delimiter && last ? { NextMarker: enc('rec' in last ? last.rec.key : last.prefix) } : {}),
        ...(input.EncodingType ? { EncodingType: input.EncodingType } : {}),
        Contents: entries.flatMap((e) => ('rec' in e ? [objectEntry(e.rec, b, enc as (s: string) => string)] : [])),
        CommonPrefixes: entries.flatMap((e): CommonPrefix[] => ('prefix' in e ? [{ Prefix: enc(e.prefix) }] : [])),
      };
    },

    ListObjectsV2: (input) => {
      const b = store.bucket(input.Bucket);
      const enc = encoder(input.EncodingType);
      const prefix = input.Prefix ?? '';
      const max = maxKeys(input.MaxKeys);
      const after = input.ContinuationToken !== undefined ? untoken(input.ContinuationToken) : input.StartAfter || undefined;
      const { entries, truncated } = page(store.objects(b.name), {
        prefix,
        delimiter: input.Delimiter || undefined,
        after,
        max,
        live: true,
      });
      return {
        Name: b.name,
        Prefix: enc(prefix),
        MaxKeys: max,
        KeyCount: entries.length,
        IsTruncated: truncated,
        ...(input.Delimiter ? { Delimiter: enc(input.Delimiter) } : {}),
        ...(input.EncodingType ? { EncodingType: input.EncodingType } : {}),
        ...(input.ContinuationToken !== undefined ? { ContinuationToken: input.ContinuationToken } : {}),
        ...(input.StartAfter !== undefined ? { StartAfter: enc(input.StartAfter) } : {}),
        ...(truncated ? { NextContinuationToken: token(entries.at(-1)!.cursor) } : {}),
        Contents: entries.flatMap((e) =>
          'rec' in e ? [objectEntry(e.rec, input.FetchOwner ? b : undefined, enc as (s: string) => string)] : [],
        ),
        CommonPrefixes: entries.flatMap((e): CommonPrefix[] => ('prefix' in e ? [{ Prefix: enc(e.prefix) }] : [])),
      };
    },

    ListObjectVersions: (input) => {
      const b = store.bucket(input.Bucket);
      const enc = encoder(input.EncodingType);
      const prefix = input.Prefix ?? '';
      const max = maxKeys(input.MaxKeys);
      const coll = b.versioning ? store.versions(b.name) : store.objects(b.name);
      let after: string | undefined;
      if (input.KeyMarker) {
        if (!b.versioning) after = input.KeyMarker;
        else if (!input.VersionIdMarker) after = input.KeyMarker + '\u0000\u{10FFFF}';
        else {
          const rec = store.findVersion(b.name, input.KeyMarker, input.VersionIdMarker);
          if (!rec) throw invalidArgument('Invalid version id specified', 'version-id-marker', input.VersionIdMarker);
          after = store.versionKey(rec);
        }
      } else if (input.VersionIdMarker) {
        throw invalidArgument('A version-id marker cannot be specified without a key marker.', 'version-id-marker', input.VersionIdMarker);
      }
      const { entries, truncated } = page(coll, { prefix, delimiter: input.Delimiter || undefined, after, max, live: false });
      const Versions: ObjectVersion[] = [];
      const DeleteMarkers: DeleteMarkerEntry[] = [];
      const latest = new Map<string, string | undefined>();
      const isLatest = (r: ObjectRecord) => {
        if (!latest.has(r.key)) latest.set(r.key, store.objects(b.name).get(r.key)?.versionId);
        return latest.get(r.key) === r.versionId;
      };
      for (const e of entries) {
        if (!('rec' in e)) continue;
        const r = e.rec;
        const common = {
          Key: enc(r.key),
          VersionId: r.versionId,
          IsLatest: isLatest(r),
          LastModified: r.lastModified,
          Owner: owner(ownerOf(b, r)),
        };
        if (r.deleteMarker) DeleteMarkers.push(common);
        else
          Versions.push({
            ...common,
            ETag: r.etag,
            Size: r.size,
            StorageClass: r.storageClass as ObjectVersion['StorageClass'],
            ...checksumAlgorithms(r),
          });
      }
      const last = entries.at(-1);
      return {
        Name: b.name,
        Prefix: enc(prefix),
        KeyMarker: enc(input.KeyMarker ?? ''),
        VersionIdMarker: input.VersionIdMarker ?? '',
        MaxKeys: max,
        IsTruncated: truncated,
        ...(input.Delimiter ? { Delimiter: enc(input.Delimiter) } : {}),
        ...(input.EncodingType ? { EncodingType: input.EncodingType } : {}),
        ...(truncated && last
          ? 'rec' in last
            ? { NextKeyMarker: enc(last.rec.key), NextVersionIdMarker: last.rec.versionId }
            : { NextKeyMarker: enc(last.prefix) }
          : {}),
        Versions,
        DeleteMarkers,
        CommonPrefixes: entries.flatMap((e): CommonPrefix[] => ('prefix' in e ? [{ Prefix: enc(e.prefix) }] : [])),
      };
    },
  };
}
