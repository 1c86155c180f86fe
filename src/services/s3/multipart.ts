// Multipart uploads: parts are blobs of their own until CompleteMultipartUpload streams them, in
// order, into the object's blob (computing a full-object checksum on the way when asked for).
import { openWithKms, sealWithKms, sseOut } from './kms.js';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Runtime } from '../../runtime.js';
import type { S3Provider, ChecksumType, CommonPrefix } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import { s3BucketUrl } from '../../kit.js';
import { requestedAcl } from './grantees.js';
import { checkWriteAcl, writtenBy } from './ownership.js';
import { S3Store, newId, type ObjectRecord, type PartRecord, type UploadRecord } from './store.js';
import { noSuchUpload, invalidArgument, invalidRequest, malformedXml } from './errors.js';
import { checkMetadata, contentHeaders, owner, parseTaggingHeader, sse, storageClass } from './attributes.js';
import { checksumFields, compositeChecksum, expectedChecksums, hasher, isAlgorithm, memberOf, type Algorithm } from './checksums.js';
import { checkLength, objectBody, storeBody } from './upload.js';
import { checkCopyConditions, checkWriteConditions, invalidRange } from './conditions.js';
import { isVersioned, newVersionId, parseCopySource, readable, touch } from './objects.js';
import { checkReadable } from './archive-state.js';
import { lockFromInput } from './lock.js';
import type { Events } from './events.js';

const MIN_PART = 5 * 1024 * 1024;
const uploadKey = (key: string, uploadId: string) => `${key}\u0000${uploadId}`;
const partKey = (uploadId: string, n: number) => `${uploadId}/${String(n).padStart(5, '0')}`;
const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10000)
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', String(n));
}

/** CRC64NVME can only be combined as a full-object checksum; the others default to composite. */
function checksumType(alg: string | undefined, asked: ChecksumType | undefined): ChecksumType | undefined {
  if (!alg) {
    if (asked) throw invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return undefined;
  }
  const type = asked ?? (alg === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if ((type === 'COMPOSITE' && alg === 'CRC64NVME') || (type === 'FULL_OBJECT' && alg.startsWith('SHA'))) {
    throw invalidRequest(`The ${type} checksum type cannot be used with the ${alg.toLowerCase()} checksum algorithm.`);
  }
  return type;
}

export function multipartHandlers(rt: Runtime, store: S3Store, events: Events): S3Provider {
  const upload = (bucket: string, key: string, uploadId: string): UploadRecord => {
    const u = store.uploads(bucket).get(uploadKey(key, uploadId));
    if (!u) throw noSuchUpload(uploadId);
    return u;
  };
  const partsOf = (bucket: string, uploadId: string) => [...store.parts(bucket).scan({ prefix: uploadId + '/' })].map(([, p]) => p);
  const dropUpload = (bucket: string, u: UploadRecord, keepBlobs = false) => {
    const parts = partsOf(bucket, u.uploadId);
    rt.engine.transaction(() => {
      store.parts(bucket).clear(u.uploadId + '/');
      store.uploads(bucket).delete(uploadKey(u.key, u.uploadId));
      const b = store.buckets.get(bucket);
      if (b && u.due !== undefined) store.scheduler?.removeUpload(b, u);
    });
    if (!keepBlobs) for (const p of parts) rt.engine.blobs.delete(p.blob);
    return parts;
  };
  const savePart = (bucket: string, u: UploadRecord, part: PartRecord) => {
    const parts = store.parts(bucket);
    const old = parts.get(partKey(u.uploadId, part.number));
    // the upload may have been aborted or completed while the part streamed in
    if (!store.uploads(bucket).has(uploadKey(u.key, u.uploadId))) {
      rt.engine.blobs.delete(part.blob);
      throw noSuchUpload(u.uploadId);
    }
    parts.put(partKey(u.uploadId, part.number), part);
    if (old) rt.engine.blobs.delete(old.blob);
  };

  /**
   * A retried CompleteMultipartUpload of an upload already completed, with the same parts, answers
   * as the first did while that object version exists (S3 is idempotent here); otherwise undefined.
   */
  const completedAgain = (bucket: string, key: string, uploadId: string, asked: { PartNumber?: number; ETag?: string }[]) => {
    const done = store.completed(bucket).get(uploadKey(key, uploadId));
    if (!done || store.uploads(bucket).has(uploadKey(key, uploadId)) || !store.findVersion(bucket, key, done.versionId)) return undefined;
    const same =
      asked.length === done.parts.length &&
      asked.every((a, i) => a.PartNumber === done.parts[i][0] && unquote(a.ETag) === done.parts[i][1]);
    return same ? (done.result as Awaited<ReturnType<NonNullable<S3Provider['CompleteMultipartUpload']>>>) : undefined;
  };

  return {
    CreateMultipartUpload: (input, ctx) => {
      const b = store.bucket(input.Bucket);
      const alg = input.ChecksumAlgorithm;
      if (alg !== undefined && !isAlgorithm(alg))
        throw invalidRequest(
          'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
        );
      const u: UploadRecord = {
        uploadId: store.nextSeq().toString(36) + newId(32),
        key: input.Key,
        initiated: ctx.clock.now(),
        owner: ctx.account,
        headers: contentHeaders(input),
        metadata: checkMetadata(input.Metadata),
        tags: parseTaggingHeader(input.Tagging),
        storageClass: storageClass(input.StorageClass),
        checksumAlgorithm: alg,
        checksumType: checksumType(alg, input.ChecksumType),
        sse: sealWithKms(rt, ctx, b, input.Key, sse(input, b)),
        lock: lockFromInput(b, input, ctx.clock.now()),
        acl: requestedAcl(store, ctx.account, input),
      };
      checkWriteAcl(b, ctx.account, u.acl);
      store.scheduler?.placeUpload(b, u);
      store.uploads(b.name).put(uploadKey(u.key, u.uploadId), u);
      return {
        Bucket: b.name,
        Key: u.key,
        UploadId: u.uploadId,
        ...sseOut(u.sse),
        ...(alg ? { ChecksumAlgorithm: alg, ChecksumType: u.checksumType } : {}),
      };
    },

    UploadPart: async (input, ctx) => {
      const b = store.bucket(input.Bucket);
      checkPartNumber(input.PartNumber);
      const u = upload(b.name, input.Key, input.UploadId);
      checkLength(input.ContentLength);
      const expected = expectedChecksums(input as unknown as Record<string, unknown>, ctx.headers);
      if (u.checksumAlgorithm && expected.algorithm && expected.algorithm !== u.checksumAlgorithm) {
        throw invalidRequest(
          `Checksum Type mismatch occurred, expected checksum Type: ${u.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${expected.algorithm.toLowerCase()}`,
        );
      }
      if (u.checksumAlgorithm && !expected.algorithm) expected.algorithm = u.checksumAlgorithm as Algorithm;
      const body = await storeBody(rt, input.Body, expected, input.ContentLength, false);
      const part: PartRecord = {
        number: input.PartNumber,
        blob: body.blob!,
        size: body.size,
        md5: body.md5,
        etag: `"${body.md5}"`,
        lastModified: ctx.clock.now(),
        checksum: body.checksum,
      };
      savePart(b.name, u, part);
      return { ETag: part.etag, ...checksumFields(part.checksum, false), ...sseOut(u.sse) };
    },

    UploadPartCopy: async (input, ctx) => {
      const b = store.bucket(input.Bucket);
      checkPartNumber(input.PartNumber);
      const u = upload(b.name, input.Key, input.UploadId);
      const src = parseCopySource(input.CopySource);
      const sb = store.bucket(src.bucket);
      const source = readable(store, sb, src.key, src.versionId);
      checkReadable(source, ctx.clock.nowMs());
      openWithKms(rt, sb, source);
      checkCopyConditions(source, {
        IfMatch: input.CopySourceIfMatch,
        IfNoneMatch: input.CopySourceIfNoneMatch,
        IfModifiedSince: input.CopySourceIfModifiedSince,
        IfUnmodifiedSince: input.CopySourceIfUnmodifiedSince,
      });
      let range: { start: number; end: number } | undefined;
      if (input.CopySourceRange !== undefined) {
        const m = /^bytes=(\d+)-(\d+)$/.exec(input.CopySourceRange);
        if (!m || Number(m[2]) < Number(m[1])) {
          throw invalidArgument(
            'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
            'x-amz-copy-source-range',
            input.CopySourceRange,
          );
        }
        range = { start: Number(m[1]), end: Number(m[2]) };
        if (range.end >= source.size) throw invalidRange(input.CopySourceRange, source.size);
      }
      const md5 = createHash('md5');
      const sum = isAlgorithm(u.checksumAlgorithm) ? hasher(u.checksumAlgorithm) : undefined;
      const blob = newId();
      const data = objectBody(rt, source, range);
      const { size } = await rt.engine.blobs.write(blob, data, (c) => {
        md5.update(c);
        sum?.update(c);
      });
      const hex = md5.digest('hex');
      const part: PartRecord = {
        number: input.PartNumber,
        blob,
        size,
        md5: hex,
        etag: `"${hex}"`,
        lastModified: ctx.clock.now(),
        checksum: sum
          ? { algorithm: u.checksumAlgorithm!, value: (await sum.digest()).toString('base64'), type: 'FULL_OBJECT' }
          : undefined,
      };
      savePart(b.name, u, part);
      touch(store, sb, source, ctx.clock.nowMs());
      return {
        CopyPartResult: { ETag: part.etag, LastModified: part.lastModified, ...checksumFields(part.checksum, false) },
        ...(isVersioned(sb) ? { CopySourceVersionId: source.versionId } : {}),
        ...sseOut(u.sse),
      };
    },

    CompleteMultipartUpload: async (input, ctx) => {
      const b = store.bucket(input.Bucket);
      const again = completedAgain(b.name, input.Key, input.UploadId, input.MultipartUpload?.Parts ?? []);
      if (again) return again;
      const u = upload(b.name, input.Key, input.UploadId);
      const asked = input.MultipartUpload?.Parts ?? [];
      if (!asked.length) throw malformedXml();
      const stored = new Map(partsOf(b.name, u.uploadId).map((p) => [p.number, p]));
      const parts: PartRecord[] = [];
      asked.forEach((a, i) => {
        if (i > 0 && (a.PartNumber ?? 0) <= (asked[i - 1].PartNumber ?? 0)) {
          throw new ServiceError(
            'InvalidPartOrder',
            'The list of parts was not in ascending order. Parts must be ordered by part number.',
            400,
            { UploadId: u.uploadId },
          );
        }
        const p = stored.get(a.PartNumber ?? 0);
        const givenSum = u.checksumAlgorithm ? (a as unknown as Record<string, unknown>)[memberOf(u.checksumAlgorithm)] : undefined;
        if (!p || unquote(a.ETag) !== p.md5 || (givenSum !== undefined && givenSum !== p.checksum?.value)) {
          throw new ServiceError(
            'InvalidPart',
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
            400,
            {
              UploadId: u.uploadId,
              PartNumber: a.PartNumber,
              ETag: a.ETag,
            },
          );
        }
        parts.push(p);
      });
      parts.forEach((p, i) => {
        if (i < parts.length - 1 && p.size < MIN_PART) {
          throw new ServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', 400, {
            ProposedSize: p.size,
            MinSizeAllowed: MIN_PART,
            PartNumber: p.number,
            ETag: p.etag,
          });
        }
      });
      checkWriteConditions(store.objects(b.name).get(u.key), input, u.key);

      // an upload created without an algorithm gets S3's default: a full-object CRC64NVME
      const alg: Algorithm = isAlgorithm(u.checksumAlgorithm) ? u.checksumAlgorithm : 'CRC64NVME';
      const type: ChecksumType = u.checksumAlgorithm ? (u.checksumType ?? 'COMPOSITE') : 'FULL_OBJECT';
      const full = type === 'FULL_OBJECT' ? hasher(alg) : undefined;
      const blob = newId();
      const concatenated = Readable.from(
        (async function* () {
          for (const p of parts) if (p.size) yield* rt.engine.blobs.read(p.blob);
        })(),
      );
      const { size } = await rt.engine.blobs.write(blob, concatenated, full ? (c) => full.update(c) : undefined);
      let checksum: ObjectRecord['checksum'];
      {
        const value = full
          ? (await full.digest()).toString('base64')
          : await compositeChecksum(
              alg,
              parts.map((p) => p.checksum?.value ?? ''),
            );
        const given = (input as unknown as Record<string, unknown>)[memberOf(alg)] as string | undefined;
        if (given !== undefined && given !== value && given !== value.replace(/-\d+$/, '')) {
          rt.engine.blobs.delete(blob);
          throw new ServiceError('BadDigest', `The ${alg} you specified did not match the calculated checksum.`, 400);
        }
        checksum = { algorithm: alg, value, type };
      }
      const etag = createHash('md5')
        .update(Buffer.concat(parts.map((p) => Buffer.from(p.md5, 'hex'))))
        .digest('hex');
      const rec: ObjectRecord = {
        key: u.key,
        versionId: newVersionId(b),
        blob,
        size,
        etag: `"${etag}-${parts.length}"`,
        lastModified: ctx.clock.now(),
        headers: u.headers,
        metadata: u.metadata,
        tags: u.tags,
        storageClass: u.storageClass,
        checksum,
        parts: parts.map((p) => p.size),
        sse: u.sse,
        lock: u.lock,
        acl: u.acl,
        ...(writtenBy(b, u.owner, u.acl) !== undefined ? { owner: u.owner } : {}),
        seq: store.nextSeq(),
      };
      if (!store.uploads(b.name).has(uploadKey(u.key, u.uploadId))) {
        rt.engine.blobs.delete(blob);
        throw noSuchUpload(u.uploadId);
      }
      const result = {
        Location: `${s3BucketUrl(rt.config, b.name)}/${encodeURIComponent(u.key)}`,
        Bucket: b.name,
        Key: u.key,
        ETag: rec.etag,
        ...checksumFields(checksum),
        ...(isVersioned(b) ? { VersionId: rec.versionId } : {}),
        ...sseOut(u.sse),
      };
      rt.engine.transaction(() => {
        for (const old of store.putVersion(b, rec)) rt.engine.blobs.delete(old);
        dropUpload(b.name, u);
        store
          .completed(b.name)
          .put(uploadKey(u.key, u.uploadId), { parts: parts.map((p) => [p.number, p.md5]), versionId: rec.versionId, result });
      });
      events.emit(b, 'ObjectCreated:CompleteMultipartUpload', rec, ctx);
      return result;
    },

    AbortMultipartUpload: (input) => {
      const b = store.bucket(input.Bucket);
      dropUpload(b.name, upload(b.name, input.Key, input.UploadId));
      return {};
    },

    ListParts: (input) => {
      const b = store.bucket(input.Bucket);
      const u = upload(b.name, input.Key, input.UploadId);
      const max = Math.min(input.MaxParts ?? 1000, 1000);
      const marker = input.PartNumberMarker ?? 0;
      const all = [...store.parts(b.name).scan({ prefix: u.uploadId + '/', after: partKey(u.uploadId, marker), limit: max + 1 })].map(
        ([, p]) => p,
      );
      const parts = all.slice(0, max);
      const truncated = all.length > max;
      return {
        Bucket: b.name,
        Key: u.key,
        UploadId: u.uploadId,
        PartNumberMarker: marker,
        MaxParts: max,
        IsTruncated: truncated,
        ...(parts.length ? { NextPartNumberMarker: parts.at(-1)!.number } : {}),
        Initiator: { ID: owner(u.owner).ID, DisplayName: owner(u.owner).DisplayName },
        Owner: owner(u.owner),
        StorageClass: u.storageClass as never,
        ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm as never, ChecksumType: u.checksumType } : {}),
        Parts: parts.map((p) => ({
          PartNumber: p.number,
          LastModified: p.lastModified,
          ETag: p.etag,
          Size: p.size,
          ...checksumFields(p.checksum, false),
        })),
      };
    },

    ListMultipartUploads: (input) => {
      const b = store.bucket(input.Bucket);
      const max = Math.min(input.MaxUploads ?? 1000, 1000);
      const prefix = input.Prefix ?? '';
      const after = input.KeyMarker
        ? input.UploadIdMarker
          ? uploadKey(input.KeyMarker, input.UploadIdMarker)
          : input.KeyMarker + '\u0000\u{10FFFF}'
        : undefined;
      const uploads: UploadRecord[] = [];
      const prefixes: string[] = [];
      let truncated = false;
      for (const [, u] of store.uploads(b.name).scan({ prefix, after })) {
        const cut = input.Delimiter ? u.key.indexOf(input.Delimiter, prefix.length) : -1;
        const cp = cut >= 0 ? u.key.slice(0, cut + input.Delimiter!.length) : undefined;
        if (cp && prefixes.at(-1) === cp) continue;
        if (uploads.length + prefixes.length === max) {
          truncated = true;
          break;
        }
        if (cp) prefixes.push(cp);
        else uploads.push(u);
      }
      const last = uploads.at(-1);
      return {
        Bucket: b.name,
        KeyMarker: input.KeyMarker ?? '',
        UploadIdMarker: input.UploadIdMarker ?? '',
        // S3 names the last upload listed whether or not the page was cut, and echoes Prefix only when sent
        ...(last ? { NextKeyMarker: last.key, NextUploadIdMarker: last.uploadId } : {}),
        ...(input.Prefix !== undefined ? { Prefix: input.Prefix } : {}),
        MaxUploads: max,
        IsTruncated: truncated,
        ...(input.Delimiter ? { Delimiter: input.Delimiter } : {}),
        Uploads: uploads.map((u) => ({
          UploadId: u.uploadId,
          Key: u.key,
          Initiated: u.initiated,
          StorageClass: u.storageClass as never,
          Owner: owner(u.owner),
          Initiator: owner(u.owner),
          ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm as never, ChecksumType: u.checksumType } : {}),
        })),
        CommonPrefixes: prefixes.map((Prefix): CommonPrefix => ({ Prefix })),
      };
    },
  };
}
