// Object operations: Put, Get, Head, Delete, DeleteObjects, Copy, object tagging.
import { openWithKms, sealWithKms, sseOut } from './kms.js';
import type { Runtime } from '../../runtime.js';
import type { RequestContext } from '../types.js';
import type { S3Provider, DeletedObject, Error_ } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import { newObjectAcl } from './ownership.js';
import { S3Store, newId, type BucketRecord, type ObjectRecord } from './store.js';
import { noSuchBucket, noSuchKey, noSuchVersion, invalidRequest, invalidArgument, malformedXml } from './errors.js';
import { expectedChecksums, checksumFields, hasher, isAlgorithm } from './checksums.js';
import { checkLength, objectBody, storeBody } from './upload.js';
import { checkCopyConditions, checkReadConditions, checkWriteConditions, parseRange } from './conditions.js';
import {
  checkCustomerKey,
  checkMetadata,
  checkTags,
  contentHeaders,
  objectAttributes,
  parseTaggingHeader,
  sse,
  storageClass,
  tagList,
} from './attributes.js';
import { createHash } from 'node:crypto';
import type { Events } from './events.js';
import { checkLockedDelete, lockFromInput } from './lock.js';
import { checkReadable, restoreHeader } from './archive-state.js';
import { archiveStatus, recordAccess } from './tiering.js';

/** Version id for a new version: random when versioning is enabled, 'null' otherwise. */
export const newVersionId = (b: BucketRecord) => (b.versioning === 'Enabled' ? newId(24) : 'null');
export const isVersioned = (b: BucketRecord) => b.versioning !== undefined;
/** A version id S3 could have issued: "null" or 32 URL-safe characters (S3's ids and Nimbus's alike). */
export const validVersionId = (id: string) => id === 'null' || /^[A-Za-z0-9_.-]{32}$/.test(id);

/** The live object (not a delete marker) a read names; NoSuchKey / NoSuchVersion / MethodNotAllowed otherwise. */
export function readable(store: S3Store, b: BucketRecord, key: string, versionId: string | undefined, method = 'GET'): ObjectRecord {
  if (versionId !== undefined && ((versionId !== 'null' && !isVersioned(b)) || !validVersionId(versionId))) {
    throw invalidArgument('Invalid version id specified', 'versionId', versionId);
  }
  const rec = store.findVersion(b.name, key, versionId);
  if (!rec) throw versionId === undefined ? noSuchKey(key) : noSuchVersion(key, versionId);
  if (rec.deleteMarker) {
    // the answer names the delete marker it found: x-amz-delete-marker and its version id
    const marker = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': rec.versionId, 'Last-Modified': rec.lastModified.toUTCString() };
    if (versionId !== undefined) {
      throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
        Method: method,
        ResourceType: 'DeleteMarker',
      }).withHeaders({ ...marker, Allow: 'DELETE' });
    }
    throw noSuchKey(key).withHeaders({ 'x-amz-delete-marker': 'true', 'x-amz-version-id': rec.versionId });
  }
  return rec;
}

/** `bucket/key?versionId=…` of x-amz-copy-source, URL-encoded, with or without a leading slash. */
export function parseCopySource(source: string): { bucket: string; key: string; versionId?: string } {
  const [path, query] = source.replace(/^\//, '').split('?', 2);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw invalidArgument('Invalid copy source object key', 'x-amz-copy-source', source);
  const versionId = query ? (new URLSearchParams(query).get('versionId') ?? undefined) : undefined;
  return { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)), versionId };
}

const keyTooLong = (key: string) => {
  if (Buffer.byteLength(key) > 1024)
    throw new ServiceError('KeyTooLongError', 'Your key is too long', 400, { MaxSizeAllowed: 1024, Size: Buffer.byteLength(key) });
};

export function objectHandlers(rt: Runtime, store: S3Store, events: Events): S3Provider {
  /** Stores a new current version and drops the blobs it replaced (or its own, if the bucket went while the body streamed in). */
  const commit = (b: BucketRecord, rec: ObjectRecord) => {
    if (!store.buckets.has(b.name)) {
      if (rec.blob) rt.engine.blobs.delete(rec.blob);
      throw noSuchBucket(b.name);
    }
    for (const blob of store.putVersion(b, rec)) rt.engine.blobs.delete(blob);
  };

  const deleteOne = (b: BucketRecord, key: string, versionId: string | undefined, bypass: boolean, ctx: RequestContext): DeletedObject => {
    if (versionId !== undefined) {
      const rec = store.findVersion(b.name, key, versionId);
      if (!rec) {
        if (!validVersionId(versionId)) throw invalidArgument('Invalid version id specified', 'versionId', versionId);
        return { Key: key, VersionId: versionId };
      }
      checkLockedDelete(rec, bypass, ctx.clock.now());
      store.deleteVersion(b, rec);
      events.emit(b, rec.deleteMarker ? 'ObjectRemoved:DeleteMarkerCreated' : 'ObjectRemoved:Delete', rec, ctx);
      return { Key: key, VersionId: versionId, ...(rec.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: versionId } : {}) };
    }
    const current = store.objects(b.name).get(key);
    if (!isVersioned(b)) {
      if (current) {
        store.deleteVersion(b, current);
        events.emit(b, 'ObjectRemoved:Delete', current, ctx);
      }
      return { Key: key };
    }
    const marker: ObjectRecord = {
      key,
      versionId: newVersionId(b),
      deleteMarker: true,
      size: 0,
      etag: '',
      lastModified: ctx.clock.now(),
      headers: {},
      metadata: {},
      tags: {},
      storageClass: 'STANDARD',
      seq: store.nextSeq(),
    };
    commit(b, marker);
    events.emit(b, 'ObjectRemoved:DeleteMarkerCreated', marker, ctx);
    return { Key: key, DeleteMarker: true, DeleteMarkerVersionId: marker.versionId };
  };

  return {
    PutObject: async (input, ctx) => {
      const b = store.bucket(input.Bucket);
      keyTooLong(input.Key);
      checkLength(input.ContentLength);
      const expected = expectedChecksums(input as unknown as Record<string, unknown>, ctx.headers);
      const base = {
        headers: contentHeaders(input),
        metadata: checkMetadata(input.Metadata),
        tags: parseTaggingHeader(input.Tagging),
        storageClass: storageClass(input.StorageClass),
        sse: sealWithKms(rt, ctx, b, input.Key, sse(input, b)),
        lock: lockFromInput(b, input, ctx.clock.now()),
        ...newObjectAcl(store, b, ctx, input),
      };
      const conditional = input.IfMatch !== undefined || input.IfNoneMatch !== undefined;
      if (conditional) checkWriteConditions(store.objects(b.name).get(input.Key), input, input.Key);
      const body = await storeBody(rt, input.Body, expected, input.ContentLength);
      // a concurrent writer may have won while the body streamed in
      try {
        if (conditional) checkWriteConditions(store.objects(b.name).get(input.Key), input, input.Key);
      } catch (e) {
        if (body.blob) rt.engine.blobs.delete(body.blob);
        throw e;
      }
      const rec: ObjectRecord = {
        key: input.Key,
        versionId: newVersionId(b),
        blob: body.blob,
        data: body.data,
        size: body.size,
        etag: `"${body.md5}"`,
        lastModified: ctx.clock.now(),
        ...base,
        checksum: body.checksum,
        seq: store.nextSeq(),
      };
      commit(b, rec);
      events.emit(b, 'ObjectCreated:Put', rec, ctx);
      return {
        ETag: rec.etag,
        ...checksumFields(rec.checksum),
        ...(isVersioned(b) ? { VersionId: rec.versionId } : {}),
        ...sseOut(rec.sse),
      };
    },

    GetObject: (input, ctx) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      checkCustomerKey(rec, input);
      checkReadConditions(rec, input);
      checkReadable(rec, ctx.clock.nowMs());
      openWithKms(rt, b, rec);
      touch(store, b, rec, ctx.clock.nowMs());
      let range = parseRange(input.Range, rec.size);
      if (input.PartNumber !== undefined) range = partRange(rec, input.PartNumber);
      const whole = !range || (range.start === 0 && range.end === rec.size - 1 && input.PartNumber === undefined);
      return {
        ...objectAttributes(rec, isVersioned(b)),
        Restore: restoreHeader(rec, ctx.clock.nowMs()),
        ...overrides(input),
        ...(input.ChecksumMode === 'ENABLED' && whole ? checksumFields(rec.checksum) : {}),
        ContentLength: range ? range.end - range.start + 1 : rec.size,
        ...(range ? { ContentRange: `bytes ${range.start}-${range.end}/${rec.size}`, StatusCode: 206 } : {}),
        Body: objectBody(rt, rec, range),
      };
    },

    HeadObject: (input, ctx) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId, 'HEAD');
      checkCustomerKey(rec, input);
      checkReadConditions(rec, input);
      let range = parseRange(input.Range, rec.size);
      if (input.PartNumber !== undefined) range = partRange(rec, input.PartNumber);
      return {
        ...objectAttributes(rec, isVersioned(b)),
        Restore: restoreHeader(rec, ctx.clock.nowMs()),
        ArchiveStatus: archiveStatus(rec, ctx.clock.nowMs()),
        ...(input.ChecksumMode === 'ENABLED' && !range ? checksumFields(rec.checksum) : {}),
        ContentLength: range ? range.end - range.start + 1 : rec.size,
        ...(range ? { ContentRange: `bytes ${range.start}-${range.end}/${rec.size}` } : {}),
      };
    },

    DeleteObject: (input, ctx) => {
      const b = store.bucket(input.Bucket);
      if (input.IfMatch !== undefined) {
        const current = store.objects(b.name).get(input.Key);
        if (!current || current.deleteMarker) throw noSuchKey(input.Key);
        checkWriteConditions(current, { IfMatch: input.IfMatch }, input.Key);
      }
      const d = deleteOne(b, input.Key, input.VersionId, !!input.BypassGovernanceRetention, ctx);
      return {
        ...(d.DeleteMarker ? { DeleteMarker: true } : {}),
        ...((d.DeleteMarkerVersionId ?? d.VersionId) ? { VersionId: d.DeleteMarkerVersionId ?? d.VersionId } : {}),
      };
    },

    DeleteObjects: (input, ctx) => {
      const b = store.bucket(input.Bucket);
      const objects = input.Delete.Objects ?? [];
      if (objects.length > 1000) throw malformedXml();
      const Deleted: DeletedObject[] = [];
      const Errors: Error_[] = [];
      for (const o of objects) {
        try {
          const d = deleteOne(b, o.Key, o.VersionId, !!input.BypassGovernanceRetention, ctx);
          if (!input.Delete.Quiet) Deleted.push(d);
        } catch (e) {
          if (!(e instanceof ServiceError)) throw e;
          Errors.push({ Key: o.Key, VersionId: o.VersionId, Code: e.code, Message: e.message });
        }
      }
      return { Deleted, Errors };
    },

    CopyObject: async (input, ctx) => {
      const b = store.bucket(input.Bucket);
      keyTooLong(input.Key);
      const src = parseCopySource(input.CopySource);
      const sb = store.bucket(src.bucket);
      const source = readable(store, sb, src.key, src.versionId);
      checkReadable(source, ctx.clock.nowMs());
      checkCustomerKey(source, { SSECustomerKey: input.CopySourceSSECustomerKey });
      openWithKms(rt, sb, source);
      checkCopyConditions(source, {
        IfMatch: input.CopySourceIfMatch,
        IfNoneMatch: input.CopySourceIfNoneMatch,
        IfModifiedSince: input.CopySourceIfModifiedSince,
        IfUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
      });
      checkWriteConditions(store.objects(b.name).get(input.Key), input, input.Key);
      const replaceMeta = input.MetadataDirective === 'REPLACE';
      const replaceTags = input.TaggingDirective === 'REPLACE';
      if (input.MetadataDirective && !['COPY', 'REPLACE'].includes(input.MetadataDirective))
        throw invalidArgument('Unknown metadata directive.', 'MetadataDirective', input.MetadataDirective);
      const sameObject =
        sb.name === b.name && source.key === input.Key && (src.versionId === undefined || src.versionId === source.versionId);
      if (
        sameObject &&
        !replaceMeta &&
        !input.StorageClass &&
        !input.WebsiteRedirectLocation &&
        !input.ServerSideEncryption &&
        !input.SSECustomerAlgorithm
      ) {
        throw invalidRequest(
          "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
        );
      }
      const acl = newObjectAcl(store, b, ctx, input);
      const algorithm = input.ChecksumAlgorithm ?? source.checksum?.algorithm;
      const sum = isAlgorithm(algorithm) ? hasher(algorithm) : undefined;
      const md5 = createHash('md5');
      const observe = (c: Buffer) => {
        md5.update(c);
        sum?.update(c);
      };
      // a source kept in its record is copied record to record; a file, file to file
      const blob = source.blob ? newId() : undefined;
      const data = blob ? undefined : Buffer.from(objectBody(rt, source) as Buffer);
      const size = blob ? (await rt.engine.blobs.write(blob, objectBody(rt, source), observe)).size : (observe(data!), data!.length);
      const rec: ObjectRecord = {
        key: input.Key,
        versionId: newVersionId(b),
        blob,
        data,
        size,
        etag: `"${md5.digest('hex')}"`,
        lastModified: ctx.clock.now(),
        headers: replaceMeta ? contentHeaders(input) : source.headers,
        metadata: replaceMeta ? checkMetadata(input.Metadata) : source.metadata,
        tags: replaceTags ? parseTaggingHeader(input.Tagging) : source.tags,
        storageClass: storageClass(input.StorageClass),
        checksum:
          sum && isAlgorithm(algorithm) ? { algorithm, value: (await sum.digest()).toString('base64'), type: 'FULL_OBJECT' } : undefined,
        sse: sealWithKms(rt, ctx, b, input.Key, sse(input, b)),
        lock: lockFromInput(b, input, ctx.clock.now()),
        ...acl,
        seq: store.nextSeq(),
      };
      commit(b, rec);
      touch(store, sb, source, ctx.clock.nowMs());
      events.emit(b, 'ObjectCreated:Copy', rec, ctx);
      return {
        CopyObjectResult: { ETag: rec.etag, LastModified: rec.lastModified, ...checksumFields(rec.checksum) },
        ...(isVersioned(sb) ? { CopySourceVersionId: source.versionId } : {}),
        ...(isVersioned(b) ? { VersionId: rec.versionId } : {}),
        ...sseOut(rec.sse),
      };
    },

    PutObjectTagging: (input) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      rec.tags = checkTags(input.Tagging.TagSet ?? []);
      saveInPlace(store, b, rec);
      return isVersioned(b) ? { VersionId: rec.versionId } : {};
    },

    GetObjectTagging: (input) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      return { TagSet: tagList(rec.tags), ...(isVersioned(b) ? { VersionId: rec.versionId } : {}) };
    },

    DeleteObjectTagging: (input) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      rec.tags = {};
      saveInPlace(store, b, rec);
      return isVersioned(b) ? { VersionId: rec.versionId } : {};
    },
  };
}

/** Rewrites a version's record without making it a new version (tags, retention, legal hold, restore, last access). */
export function saveInPlace(store: S3Store, b: BucketRecord, rec: ObjectRecord): void {
  const current = store.objects(b.name).get(rec.key);
  const isCurrent = current?.versionId === rec.versionId;
  // what changed may change when lifecycle or tiering acts next (a tag a rule filters on, a restore)
  if (store.scheduler?.active(b)) store.scheduler.place(b, rec, isCurrent ? null : undefined);
  if (isCurrent) store.objects(b.name).put(rec.key, rec);
  if (isVersioned(b)) store.versions(b.name).put(store.versionKey(rec), rec);
}

/** A read of the object's bytes: an Intelligent-Tiering object's idle time starts again. */
export function touch(store: S3Store, b: BucketRecord, rec: ObjectRecord, now: number): void {
  if (recordAccess(rec, now)) saveInPlace(store, b, rec);
}

/** The bytes of part N of a multipart object (a plain object has one part). */
function partRange(rec: ObjectRecord, n: number): { start: number; end: number } | undefined {
  const parts = rec.parts ?? [rec.size];
  if (n < 1 || n > parts.length)
    throw new ServiceError('InvalidPartNumber', 'The requested partnumber is not satisfiable', 416, {
      PartNumberRequested: n,
      ActualPartCount: parts.length,
    });
  if (!rec.parts) return undefined;
  const start = parts.slice(0, n - 1).reduce((a, s) => a + s, 0);
  return { start, end: start + parts[n - 1] - 1 };
}

/** response-content-type and friends: GET answers with these instead of the stored headers. */
function overrides(input: {
  ResponseCacheControl?: string;
  ResponseContentDisposition?: string;
  ResponseContentEncoding?: string;
  ResponseContentLanguage?: string;
  ResponseContentType?: string;
  ResponseExpires?: Date;
}) {
  const o: Record<string, string> = {};
  if (input.ResponseCacheControl !== undefined) o.CacheControl = input.ResponseCacheControl;
  if (input.ResponseContentDisposition !== undefined) o.ContentDisposition = input.ResponseContentDisposition;
  if (input.ResponseContentEncoding !== undefined) o.ContentEncoding = input.ResponseContentEncoding;
  if (input.ResponseContentLanguage !== undefined) o.ContentLanguage = input.ResponseContentLanguage;
  if (input.ResponseContentType !== undefined) o.ContentType = input.ResponseContentType;
  if (input.ResponseExpires !== undefined) o.Expires = input.ResponseExpires.toUTCString();
  return o;
}
