// S3's exact answers: multipart listings and checksums, retried completions, configuration and
// request validation with S3's codes and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as S from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let c: S.S3Client;
const nimbus = serverForFile(() => {
  c = new S.S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
});

let n = 0;
async function bucket(extra: Partial<S.CreateBucketCommandInput> = {}): Promise<string> {
  const Bucket = `fidelity-${++n}`;
  await c.send(new S.CreateBucketCommand({ Bucket, ...extra }));
  return Bucket;
}
const message = (text: string) => (e: Record<string, unknown>) => assert.equal(e.message, text);

/** CRC-64/NVME of a buffer, bit by bit (reference for the full-object checksum). */
function crc64nvme(data: Buffer): string {
  const poly = 0x9a6c9329ac4bc9b5n;
  let crc = 0xffffffffffffffffn;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  crc ^= 0xffffffffffffffffn;
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(crc);
  return out.toString('base64');
}

test('multipart with the SDK defaults: the object gets a full-object CRC64NVME, in Complete, Head and Get', async () => {
  const Bucket = await bucket();
  const Key = 'default-checksum';
  const { UploadId } = await c.send(new S.CreateMultipartUploadCommand({ Bucket, Key }));
  const one = Buffer.alloc(5 * 1024 * 1024, 7);
  const two = Buffer.from('the tail');
  const p1 = await c.send(new S.UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: one }));
  const p2 = await c.send(new S.UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: two }));
  const Parts = [
    { PartNumber: 1, ETag: p1.ETag },
    { PartNumber: 2, ETag: p2.ETag },
  ];
  const done = await c.send(new S.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
  const expected = crc64nvme(Buffer.concat([one, two]));
  assert.equal(done.ChecksumCRC64NVME, expected);
  assert.equal(done.ChecksumType, 'FULL_OBJECT');
  const head = await c.send(new S.HeadObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
  assert.equal(head.ChecksumCRC64NVME, expected);
  assert.equal(head.ChecksumType, 'FULL_OBJECT');
  const get = await c.send(new S.GetObjectCommand({ Bucket, Key, ChecksumMode: 'ENABLED' }));
  assert.equal(get.ChecksumCRC64NVME, expected);
  assert.equal((await get.Body!.transformToByteArray()).length, one.length + two.length);

  // a retried Complete of the finished upload answers as the first one did
  const again = await c.send(new S.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }));
  assert.equal(again.ETag, done.ETag);
  assert.equal(again.ChecksumCRC64NVME, expected);
  // with other parts it is an upload S3 no longer knows
  await rejects(
    c.send(new S.CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [Parts[0]] } })),
    'NoSuchUpload',
    404,
  );
});

test('ListMultipartUploads: the Next markers name the last upload, Prefix only when sent; ListParts its NextPartNumberMarker', async () => {
  const Bucket = await bucket();
  const a = await c.send(new S.CreateMultipartUploadCommand({ Bucket, Key: 'a' }));
  const b = await c.send(new S.CreateMultipartUploadCommand({ Bucket, Key: 'b' }));
  const all = await c.send(new S.ListMultipartUploadsCommand({ Bucket }));
  assert.equal(all.Prefix, undefined);
  assert.equal(all.IsTruncated, false);
  assert.equal(all.NextKeyMarker, 'b');
  assert.equal(all.NextUploadIdMarker, b.UploadId);
  const page = await c.send(new S.ListMultipartUploadsCommand({ Bucket, MaxUploads: 1, Prefix: '' }));
  assert.equal(page.Prefix, '');
  assert.equal(page.IsTruncated, true);
  assert.equal(page.NextKeyMarker, 'a');
  assert.equal(page.NextUploadIdMarker, a.UploadId);
  await c.send(new S.UploadPartCommand({ Bucket, Key: 'a', UploadId: a.UploadId, PartNumber: 3, Body: 'x' }));
  const parts = await c.send(new S.ListPartsCommand({ Bucket, Key: 'a', UploadId: a.UploadId }));
  assert.equal(parts.PartNumberMarker, '0');
  assert.equal(parts.NextPartNumberMarker, '3');
  await rejects(
    c.send(new S.UploadPartCommand({ Bucket, Key: 'a', UploadId: a.UploadId, PartNumber: 10001, Body: 'x' })),
    'InvalidArgument',
    400,
    message('Part number must be an integer between 1 and 10000, inclusive'),
  );
});

test('checksums: a wrong value is BadDigest, a malformed one InvalidRequest', async () => {
  const Bucket = await bucket();
  await rejects(
    c.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ChecksumCRC32: 'AAAAAA==' })),
    'BadDigest',
    400,
    message('The CRC32 you specified did not match the calculated checksum.'),
  );
  await rejects(
    c.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ChecksumCRC32: 'zz' })),
    'InvalidRequest',
    400,
    message('Value for x-amz-checksum-crc32 header is invalid.'),
  );
});

test('versioning configuration without Status; malformed version ids; no VersionId from unversioned buckets', async () => {
  const Bucket = await bucket();
  await rejects(
    c.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: {} })),
    'IllegalVersioningConfigurationException',
    400,
    message('The Versioning element must be specified'),
  );
  const put = await c.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
  assert.equal(put.VersionId, undefined);
  const del = await c.send(new S.DeleteObjectCommand({ Bucket, Key: 'k' }));
  assert.equal(del.VersionId, undefined);
  assert.equal(del.DeleteMarker, undefined);
  await rejects(
    c.send(new S.DeleteObjectCommand({ Bucket, Key: 'k', VersionId: 'not-a-version' })),
    'InvalidArgument',
    400,
    message('Invalid version id specified'),
  );
  await c.send(new S.PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await rejects(
    c.send(new S.GetObjectCommand({ Bucket, Key: 'k', VersionId: 'not-a-version' })),
    'InvalidArgument',
    400,
    message('Invalid version id specified'),
  );
  await rejects(c.send(new S.GetObjectCommand({ Bucket, Key: 'k', VersionId: 'A'.repeat(32) })), 'NoSuchVersion', 404);
  const marker = await c.send(new S.DeleteObjectCommand({ Bucket, Key: 'k' }));
  assert.equal(marker.DeleteMarker, true);
  assert.equal(marker.VersionId!.length, 32);
});

test('lifecycle rules: an ID is given to rules without one, duplicate IDs and dates not at midnight are refused', async () => {
  const Bucket = await bucket();
  await c.send(
    new S.PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: { Rules: [{ Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 3 } }] },
    }),
  );
  const got = await c.send(new S.GetBucketLifecycleConfigurationCommand({ Bucket }));
  assert.ok(got.Rules![0].ID && got.Rules![0].ID.length > 0);
  const rule = { Status: 'Enabled' as const, Filter: { Prefix: '' }, Expiration: { Days: 1 } };
  await rejects(
    c.send(
      new S.PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: {
          Rules: [
            { ...rule, ID: 'same' },
            { ...rule, ID: 'same', Filter: { Prefix: 'a' } },
          ],
        },
      }),
    ),
    'InvalidArgument',
    400,
    message('Rule ID must be unique. Found same ID for more than one rule'),
  );
  await rejects(
    c.send(
      new S.PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: {
          Rules: [{ ID: 'd', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Date: new Date('2030-01-01T10:00:00Z') } }],
        },
      }),
    ),
    'InvalidArgument',
    400,
    message("'Date' must be at midnight GMT"),
  );
  await c.send(
    new S.PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [{ ID: 'd', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Date: new Date('2030-01-01T00:00:00Z') } }],
      },
    }),
  );
});

test('Object Lock: default retention with a bad period or mode, retention dates in the past, unknown modes', async () => {
  const Bucket = await bucket({ ObjectLockEnabledForBucket: true });
  const put = (DefaultRetention: S.DefaultRetention) =>
    c.send(
      new S.PutObjectLockConfigurationCommand({
        Bucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention } },
      }),
    );
  await rejects(
    put({ Mode: 'GOVERNANCE', Days: 0 }),
    'InvalidArgument',
    400,
    message('Default retention period must be a positive integer value'),
  );
  await rejects(
    put({ Mode: 'GOVERNANCE', Years: -1 }),
    'InvalidArgument',
    400,
    message('Default retention period must be a positive integer value'),
  );
  await rejects(put({ Mode: 'GOVERNANCE', Days: 1, Years: 1 }), 'MalformedXML', 400);
  await rejects(put({ Mode: 'FOREVER' as S.ObjectLockRetentionMode, Days: 1 }), 'MalformedXML', 400);
  await put({ Mode: 'GOVERNANCE', Days: 1 });
  await rejects(
    c.send(
      new S.PutObjectCommand({
        Bucket,
        Key: 'k',
        Body: 'x',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: new Date(Date.now() - 86_400_000),
      }),
    ),
    'InvalidArgument',
    400,
    message('The retain until date must be in the future!'),
  );
  await rejects(
    c.send(
      new S.PutObjectCommand({
        Bucket,
        Key: 'k',
        Body: 'x',
        ObjectLockMode: 'FOREVER' as S.ObjectLockMode,
        ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
      }),
    ),
    'InvalidArgument',
    400,
    message('Unknown wormMode directive.'),
  );
  await c.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }));
  await rejects(
    c.send(
      new S.PutObjectRetentionCommand({
        Bucket,
        Key: 'k',
        Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() - 86_400_000) },
        BypassGovernanceRetention: true,
      }),
    ),
    'InvalidArgument',
    400,
    message('The retain until date must be in the future!'),
  );
});

test('tags: InvalidTag for duplicate keys; x-amz-tagging keeps its order', async () => {
  const Bucket = await bucket();
  await rejects(
    c.send(new S.PutObjectCommand({ Bucket, Key: 't', Body: 'x', Tagging: 'a=1&a=2' })),
    'InvalidTag',
    400,
    message('Cannot provide multiple Tags with the same key'),
  );
  await c.send(new S.PutObjectCommand({ Bucket, Key: 't', Body: 'x', Tagging: 'z=1&a=2&m=3' }));
  const tags = await c.send(new S.GetObjectTaggingCommand({ Bucket, Key: 't' }));
  assert.deepEqual(
    tags.TagSet!.map((t) => t.Key),
    ['z', 'a', 'm'],
  );
});

test('SSE-C: the key and its MD5 are both required', async () => {
  const Bucket = await bucket();
  const key = Buffer.alloc(32, 9);
  // the SDK adds the MD5 itself: a middleware removes it to send what a hand-made request would
  const raw = new S.S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  raw.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { headers: Record<string, string> };
      delete req.headers['x-amz-server-side-encryption-customer-key-md5'];
      return next(args);
    },
    { step: 'build', priority: 'low' },
  );
  await rejects(
    raw.send(
      new S.PutObjectCommand({ Bucket, Key: 'c', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') }),
    ),
    'InvalidArgument',
    400,
    message(
      'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.',
    ),
  );
  const ok = await c.send(
    new S.PutObjectCommand({ Bucket, Key: 'c', Body: 'x', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64') }),
  );
  assert.equal(ok.SSECustomerKeyMD5, createHash('md5').update(key).digest('base64'));
});
