// S3 multipart uploads through SDK v3: the whole lifecycle, UploadPartCopy ranges, listing,
// the AWS errors, the md5-of-md5s ETag, and composite and full-object checksums.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  S3Client,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  CompleteMultipartUploadCommand,
  AbortMultipartUploadCommand,
  ListPartsCommand,
  ListMultipartUploadsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  ListObjectsV2Command,
  CopyObjectCommand,
} from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let c: S3Client;
const Bucket = 'multipart';
const MiB = 1024 * 1024;
const nimbus = serverForFile(async () => {
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await c.send(new CreateBucketCommand({ Bucket }));
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest();

test('Create, UploadPart ×3, ListParts, Complete: the object is the parts in order, ETag md5-of-md5s-N', async () => {
  const Key = 'mp/object.bin';
  const parts = [Buffer.alloc(5 * MiB, 1), Buffer.alloc(5 * MiB, 2), Buffer.from('tail')];
  const { UploadId } = await c.send(
    new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/x-test', Metadata: { m: '1' } }),
  );
  assert.ok(UploadId);
  const etags: string[] = [];
  for (const [i, Body] of parts.entries()) {
    const out: { ETag?: string } = await c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }));
    assert.equal(out.ETag, `"${md5(Body).toString('hex')}"`);
    etags.push(out.ETag!);
  }
  const listed = await c.send(new ListPartsCommand({ Bucket, Key, UploadId }));
  assert.deepEqual(
    listed.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]),
    parts.map((p, i) => [i + 1, p.length, etags[i]]),
  );
  const uploads = await c.send(new ListMultipartUploadsCommand({ Bucket }));
  assert.ok(uploads.Uploads?.some((u) => u.UploadId === UploadId && u.Key === Key));
  const done = await c.send(
    new CompleteMultipartUploadCommand({
      Bucket,
      Key,
      UploadId,
      MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
    }),
  );
  const expected = `"${md5(Buffer.concat(parts.map(md5))).toString('hex')}-3"`;
  assert.equal(done.ETag, expected);
  const got = await c.send(new GetObjectCommand({ Bucket, Key }));
  const body = Buffer.from(await got.Body!.transformToByteArray());
  assert.ok(body.equals(Buffer.concat(parts)));
  assert.equal(got.ETag, expected);
  assert.equal(got.ContentType, 'application/x-test');
  assert.deepEqual(got.Metadata, { m: '1' });
  const part2 = await c.send(new HeadObjectCommand({ Bucket, Key, PartNumber: 2 }));
  assert.equal(part2.ContentLength, 5 * MiB);
  assert.equal(part2.PartsCount, 3);
  await rejects(c.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
});

test('Complete errors: EntityTooSmall, InvalidPart, InvalidPartOrder; NoSuchUpload after Abort; nothing stored', async () => {
  const Key = 'mp/errors.bin';
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const a = await c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
  const b = await c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: Buffer.alloc(1024, 2) }));
  await rejects(
    c.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { ETag: a.ETag, PartNumber: 1 },
            { ETag: b.ETag, PartNumber: 2 },
          ],
        },
      }),
    ),
    'EntityTooSmall',
    400,
  );
  await rejects(
    c.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ ETag: '"00000000000000000000000000000000"', PartNumber: 1 }] },
      }),
    ),
    'InvalidPart',
    400,
  );
  await rejects(
    c.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: a.ETag, PartNumber: 3 }] } })),
    'InvalidPart',
    400,
  );
  await rejects(
    c.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { ETag: b.ETag, PartNumber: 2 },
            { ETag: a.ETag, PartNumber: 1 },
          ],
        },
      }),
    ),
    'InvalidPartOrder',
    400,
  );
  await rejects(c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 10001, Body: 'x' })), 'InvalidArgument', 400);
  const abort = await c.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
  assert.equal(abort.$metadata.httpStatusCode, 204);
  await rejects(c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'x' })), 'NoSuchUpload', 404, (e) =>
    assert.equal(e.UploadId, UploadId),
  );
  await rejects(c.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
  await rejects(
    c.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: a.ETag, PartNumber: 1 }] } })),
    'NoSuchUpload',
    404,
  );
  assert.equal((await c.send(new ListObjectsV2Command({ Bucket, Prefix: Key }))).KeyCount, 0);
});

test('UploadPartCopy copies byte ranges of an existing object into parts', async () => {
  const src = Buffer.concat([Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(3 * MiB, 'b')]);
  await c.send(new PutObjectCommand({ Bucket, Key: 'mp/source', Body: src }));
  const Key = 'mp/copied';
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const p1 = await c.send(
    new UploadPartCopyCommand({
      Bucket,
      Key,
      UploadId,
      PartNumber: 1,
      CopySource: `${Bucket}/mp/source`,
      CopySourceRange: `bytes=0-${5 * MiB - 1}`,
    }),
  );
  const p2 = await c.send(
    new UploadPartCopyCommand({
      Bucket,
      Key,
      UploadId,
      PartNumber: 2,
      CopySource: `${Bucket}/mp/source`,
      CopySourceRange: `bytes=${5 * MiB}-${8 * MiB - 1}`,
    }),
  );
  assert.equal(p1.CopyPartResult?.ETag, `"${md5(src.subarray(0, 5 * MiB)).toString('hex')}"`);
  await rejects(
    c.send(
      new UploadPartCopyCommand({
        Bucket,
        Key,
        UploadId,
        PartNumber: 3,
        CopySource: `${Bucket}/mp/source`,
        CopySourceRange: `bytes=0-${9 * MiB}`,
      }),
    ),
    'InvalidRange',
    416,
  );
  await c.send(
    new CompleteMultipartUploadCommand({
      Bucket,
      Key,
      UploadId,
      MultipartUpload: {
        Parts: [
          { ETag: p1.CopyPartResult!.ETag, PartNumber: 1 },
          { ETag: p2.CopyPartResult!.ETag, PartNumber: 2 },
        ],
      },
    }),
  );
  const got = Buffer.from(await (await c.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray());
  assert.ok(got.equals(src));
});

test('checksums: a CRC32 upload gets a composite checksum (-N), a CRC64NVME upload a full-object one', async () => {
  const parts = [Buffer.alloc(5 * MiB, 9), Buffer.from('end')];
  for (const [alg, type] of [
    ['CRC32', 'COMPOSITE'],
    ['CRC64NVME', 'FULL_OBJECT'],
  ] as const) {
    const Key = `mp/sum-${alg}`;
    const create = await c.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: alg }));
    assert.equal(create.ChecksumType, type);
    const UploadId = create.UploadId!;
    const done: { ETag?: string; PartNumber: number; ChecksumCRC32?: string; ChecksumCRC64NVME?: string }[] = [];
    for (const [i, Body] of parts.entries()) {
      const out = await c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body, ChecksumAlgorithm: alg }));
      done.push({ ETag: out.ETag, PartNumber: i + 1, ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC64NVME: out.ChecksumCRC64NVME });
    }
    const complete = await c.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: done } }));
    assert.equal(complete.ChecksumType, type);
    const head = await c.send(new HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    if (type === 'COMPOSITE') assert.match(head.ChecksumCRC32 ?? '', /^[A-Za-z0-9+/]{6}==-2$/);
    else {
      // the same bytes uploaded whole give the same full-object CRC64NVME
      const whole = await c.send(
        new PutObjectCommand({ Bucket, Key: `${Key}-whole`, Body: Buffer.concat(parts), ChecksumAlgorithm: 'CRC64NVME' }),
      );
      assert.equal(head.ChecksumCRC64NVME, whole.ChecksumCRC64NVME);
    }
    // SDK v3 validates the GET's full-object checksum itself (and skips composite ones)
    const got = await c.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
    assert.equal((await got.Body!.transformToByteArray()).length, 5 * MiB + 3);
  }
});

test('ListMultipartUploads: prefix, delimiter and paging by key and upload id', async () => {
  const B = 'multipart-list';
  await c.send(new CreateBucketCommand({ Bucket: B }));
  const ids: string[] = [];
  for (const Key of ['a/1', 'a/2', 'b/1', 'c']) ids.push((await c.send(new CreateMultipartUploadCommand({ Bucket: B, Key }))).UploadId!);
  const top = await c.send(new ListMultipartUploadsCommand({ Bucket: B, Delimiter: '/' }));
  assert.deepEqual(
    top.Uploads?.map((u) => u.Key),
    ['c'],
  );
  assert.deepEqual(
    top.CommonPrefixes?.map((p) => p.Prefix),
    ['a/', 'b/'],
  );
  const p1 = await c.send(new ListMultipartUploadsCommand({ Bucket: B, MaxUploads: 2 }));
  assert.equal(p1.IsTruncated, true);
  assert.deepEqual(
    p1.Uploads?.map((u) => u.Key),
    ['a/1', 'a/2'],
  );
  const p2 = await c.send(
    new ListMultipartUploadsCommand({ Bucket: B, KeyMarker: p1.NextKeyMarker, UploadIdMarker: p1.NextUploadIdMarker }),
  );
  assert.deepEqual(
    p2.Uploads?.map((u) => u.Key),
    ['b/1', 'c'],
  );
  assert.equal(p2.IsTruncated, false);
  assert.deepEqual(
    p2.Uploads?.map((u) => u.UploadId),
    ids.slice(2),
  );
  const pre = await c.send(new ListMultipartUploadsCommand({ Bucket: B, Prefix: 'a/' }));
  assert.deepEqual(
    pre.Uploads?.map((u) => u.UploadId),
    ids.slice(0, 2),
  );
});

test("a part whose checksum algorithm differs from the upload's is InvalidRequest; a full-object CRC32 upload checks the total", async () => {
  const Key = 'mp/crc-mismatch';
  const { UploadId } = await c.send(
    new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }),
  );
  await rejects(
    c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'x', ChecksumAlgorithm: 'SHA256' })),
    'InvalidRequest',
    400,
  );
  const body = Buffer.alloc(5 * MiB, 4);
  const p1 = await c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
  const p2 = await c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'tail', ChecksumAlgorithm: 'CRC32' }));
  const Parts = [
    { ETag: p1.ETag, PartNumber: 1, ChecksumCRC32: p1.ChecksumCRC32 },
    { ETag: p2.ETag, PartNumber: 2, ChecksumCRC32: p2.ChecksumCRC32 },
  ];
  await rejects(
    c.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        ChecksumCRC32: 'AAAAAA==',
        ChecksumType: 'FULL_OBJECT',
        MultipartUpload: { Parts },
      }),
    ),
    'BadDigest',
    400,
  );
  const whole = await c.send(
    new PutObjectCommand({ Bucket, Key: `${Key}-whole`, Body: Buffer.concat([body, Buffer.from('tail')]), ChecksumAlgorithm: 'CRC32' }),
  );
  const done = await c.send(
    new CompleteMultipartUploadCommand({
      Bucket,
      Key,
      UploadId,
      ChecksumCRC32: whole.ChecksumCRC32,
      ChecksumType: 'FULL_OBJECT',
      MultipartUpload: { Parts },
    }),
  );
  assert.equal(done.ChecksumCRC32, whole.ChecksumCRC32);
  assert.equal(done.ChecksumType, 'FULL_OBJECT');
});

test('a one-part upload smaller than 5 MiB completes, and copies like any object', async () => {
  const Key = 'mp/one-small-part';
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const p = await c.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'tiny' }));
  const done = await c.send(
    new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: p.ETag, PartNumber: 1 }] } }),
  );
  assert.match(done.ETag ?? '', /-1"$/);
  await c.send(new CopyObjectCommand({ Bucket, Key: `${Key}-copy`, CopySource: `${Bucket}/${Key}` }));
  assert.equal(await (await c.send(new GetObjectCommand({ Bucket, Key: `${Key}-copy` }))).Body!.transformToString(), 'tiny');
});
