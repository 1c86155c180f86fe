// S3 lifecycle rules on the virtual clock, through SDK v3: expiration of current and noncurrent
// versions, expired delete markers, transitions (the waterfall, the 128 KiB floor), aborts of
// incomplete uploads; rules set after the objects, changed, removed, matched by tags added later;
// and the schedule surviving a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  S3Client,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  DeleteBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  DeleteBucketLifecycleCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { serverForFile, startServer, clientConfig } from '../helpers.js';

let c: S3Client;
const nimbus = serverForFile(async () => {
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
});

const text = async (p: Promise<{ Body?: { transformToString(): Promise<string> } }>) => (await p).Body!.transformToString();
const advance = async (by: string, url = nimbus.url) =>
  assert.equal((await fetch(`${url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) })).status, 200);
const storageClass = async (Bucket: string, Key: string, client = c) =>
  (await client.send(new HeadObjectCommand({ Bucket, Key }))).StorageClass ?? 'STANDARD';
const keys = async (Bucket: string, Prefix?: string) =>
  ((await c.send(new ListObjectsV2Command({ Bucket, Prefix }))).Contents ?? []).map((o) => o.Key);
/** 128 KiB: the smallest object lifecycle transitions by default */
const big = Buffer.alloc(128 * 1024, 7);

test('lifecycle on the virtual clock: expiration, noncurrent expiration, abort of incomplete uploads', async () => {
  const Bucket = 'lifecycle';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'logs/old.log', Body: 'x' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'keep/forever', Body: big }));
  await c.send(new CreateMultipartUploadCommand({ Bucket, Key: 'logs/partial' }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'logs',
            Status: 'Enabled',
            Filter: { Prefix: 'logs/' },
            Expiration: { Days: 3 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
          { ID: 'tier', Status: 'Enabled', Filter: { Prefix: 'keep/' }, Transitions: [{ Days: 30, StorageClass: 'GLACIER' }] },
        ],
      },
    }),
  );
  await advance('2d');
  assert.equal((await c.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads?.length ?? 0, 0);
  assert.deepEqual(await keys(Bucket, 'logs/'), ['logs/old.log']);
  await advance('2d');
  assert.deepEqual(await keys(Bucket, 'logs/'), []);
  await advance('30d');
  assert.equal(await storageClass(Bucket, 'keep/forever'), 'GLACIER');

  const V = 'lifecycle-versions';
  await c.send(new CreateBucketCommand({ Bucket: V }));
  await c.send(new PutBucketVersioningCommand({ Bucket: V, VersioningConfiguration: { Status: 'Enabled' } }));
  await c.send(new PutObjectCommand({ Bucket: V, Key: 'k', Body: '1' }));
  await c.send(new PutObjectCommand({ Bucket: V, Key: 'k', Body: '2' }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: V,
      LifecycleConfiguration: { Rules: [{ ID: 'nc', Status: 'Enabled', Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 1 } }] },
    }),
  );
  await advance('2d');
  const left = await c.send(new ListObjectVersionsCommand({ Bucket: V }));
  assert.equal(left.Versions?.length, 1);
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket: V, Key: 'k' }))), '2');
});

test('lifecycle removes an expired delete marker once it is the only version left', async () => {
  const Bucket = 'lifecycle-markers';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [{ ID: 'markers', Status: 'Enabled', Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true } }],
      },
    }),
  );
  const v = await c.send(new PutObjectCommand({ Bucket, Key: 'gone', Body: 'x' }));
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'gone' }));
  // a marker for a key that never had a version is expired from the start
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'never-was' }));
  await advance('1d');
  // the marker that still hides a version stays
  assert.deepEqual(
    (await c.send(new ListObjectVersionsCommand({ Bucket }))).DeleteMarkers?.map((m) => m.Key),
    ['gone'],
  );
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'gone', VersionId: v.VersionId }));
  await advance('1d');
  const left = await c.send(new ListObjectVersionsCommand({ Bucket }));
  assert.equal(left.DeleteMarkers?.length ?? 0, 0);
  await c.send(new DeleteBucketCommand({ Bucket }));
});

test('expiring a current version of a versioned bucket adds a delete marker; the noncurrent rule then removes the version', async () => {
  const Bucket = 'lifecycle-expire-versioned';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'both',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            Expiration: { Days: 10 },
            NoncurrentVersionExpiration: { NoncurrentDays: 5 },
          },
        ],
      },
    }),
  );
  await c.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: 'v1' }));
  await advance('9d');
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'doc' }))), 'v1');
  await advance('2d');
  let versions = await c.send(new ListObjectVersionsCommand({ Bucket }));
  assert.equal(versions.DeleteMarkers?.length, 1);
  assert.equal(versions.Versions?.length, 1);
  assert.deepEqual(await keys(Bucket), []);
  await advance('6d');
  versions = await c.send(new ListObjectVersionsCommand({ Bucket }));
  assert.equal(versions.Versions?.length ?? 0, 0);
  assert.equal(versions.DeleteMarkers?.length, 1);
});

test('noncurrent versions transition by the days since they became noncurrent', async () => {
  const Bucket = 'lifecycle-noncurrent-transition';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [
          { ID: 'old', Status: 'Enabled', Filter: {}, NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER' }] },
        ],
      },
    }),
  );
  const v1 = await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: big }));
  await advance('20d');
  await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: big }));
  await advance('20d');
  const head = (VersionId?: string) => c.send(new HeadObjectCommand({ Bucket, Key: 'k', VersionId }));
  assert.equal((await head(v1.VersionId)).StorageClass, undefined);
  await advance('11d');
  assert.equal((await head(v1.VersionId)).StorageClass, 'GLACIER');
  assert.equal((await head()).StorageClass, undefined);
});

test('transitions follow the waterfall, and objects under 128 KiB stay unless the rule or the bucket says otherwise', async () => {
  const Bucket = 'lifecycle-waterfall';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'big', Body: big }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'small', Body: 'tiny' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'sized/small', Body: 'tiny' }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'all',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            Transitions: [
              { Days: 30, StorageClass: 'STANDARD_IA' },
              { Days: 90, StorageClass: 'GLACIER' },
              { Days: 120, StorageClass: 'ONEZONE_IA' },
            ],
          },
          {
            ID: 'sized',
            Status: 'Enabled',
            Filter: { And: { Prefix: 'sized/', ObjectSizeGreaterThan: 1 } },
            Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }],
          },
        ],
      },
    }),
  );
  await advance('31d');
  assert.equal(await storageClass(Bucket, 'big'), 'STANDARD_IA');
  assert.equal(await storageClass(Bucket, 'small'), 'STANDARD');
  assert.equal(await storageClass(Bucket, 'sized/small'), 'STANDARD_IA');
  await advance('60d');
  assert.equal(await storageClass(Bucket, 'big'), 'GLACIER');
  // ONEZONE_IA is above GLACIER in the waterfall: no way back up
  await advance('30d');
  assert.equal(await storageClass(Bucket, 'big'), 'GLACIER');

  const V = 'lifecycle-varies';
  await c.send(new CreateBucketCommand({ Bucket: V }));
  await c.send(new PutObjectCommand({ Bucket: V, Key: 'small', Body: 'tiny' }));
  await c.send(new PutObjectCommand({ Bucket: V, Key: 'ia/small', Body: 'tiny' }));
  const put = await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: V,
      TransitionDefaultMinimumObjectSize: 'varies_by_storage_class',
      LifecycleConfiguration: {
        Rules: [
          { ID: 'cold', Status: 'Enabled', Filter: { Prefix: 's' }, Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] },
          { ID: 'ia', Status: 'Enabled', Filter: { Prefix: 'ia/' }, Transitions: [{ Days: 30, StorageClass: 'STANDARD_IA' }] },
        ],
      },
    }),
  );
  assert.equal(put.TransitionDefaultMinimumObjectSize, 'varies_by_storage_class');
  await advance('31d');
  assert.equal(await storageClass(V, 'small'), 'GLACIER');
  assert.equal(await storageClass(V, 'ia/small'), 'STANDARD');
});

test('rules act on objects stored before them, a changed rule replaces the old schedule, a removed one stops it', async () => {
  const Bucket = 'lifecycle-changes';
  await c.send(new CreateBucketCommand({ Bucket }));
  for (const Key of ['a/1', 'a/2', 'b/1']) await c.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
  const rule = (Days: number, Prefix = 'a/') =>
    c.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket,
        LifecycleConfiguration: { Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix }, Expiration: { Days } }] },
      }),
    );
  await rule(5);
  await rule(20);
  await advance('6d');
  assert.deepEqual(await keys(Bucket), ['a/1', 'a/2', 'b/1']);
  await rule(5, 'b/');
  await advance('1d');
  assert.deepEqual(await keys(Bucket), ['a/1', 'a/2']);
  await rule(30);
  await c.send(new DeleteBucketLifecycleCommand({ Bucket }));
  await advance('60d');
  assert.deepEqual(await keys(Bucket), ['a/1', 'a/2']);
  // a disabled rule schedules nothing either
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: { Rules: [{ ID: 'off', Status: 'Disabled', Filter: {}, Expiration: { Days: 1 } }] },
    }),
  );
  await advance('2d');
  assert.deepEqual(await keys(Bucket), ['a/1', 'a/2']);
});

test('a tag added after the upload brings the object under a rule that filters on it', async () => {
  const Bucket = 'lifecycle-tags';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [{ ID: 'temp', Status: 'Enabled', Filter: { Tag: { Key: 'temp', Value: 'yes' } }, Expiration: { Days: 2 } }],
      },
    }),
  );
  await c.send(new PutObjectCommand({ Bucket, Key: 'tagged-at-put', Body: 'x', Tagging: 'temp=yes' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'tagged-later', Body: 'x' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'untagged', Body: 'x' }));
  await c.send(new PutObjectTaggingCommand({ Bucket, Key: 'tagged-later', Tagging: { TagSet: [{ Key: 'temp', Value: 'yes' }] } }));
  await advance('3d');
  assert.deepEqual(await keys(Bucket), ['untagged']);
});

test('the lifecycle schedule survives a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-lifecycle-'));
  const first = await startServer({ dataDir, ephemeral: false });
  const s3 = (url: string) => new S3Client(clientConfig(url, { forcePathStyle: true }));
  const Bucket = 'lifecycle-restart';
  await s3(first.url).send(new CreateBucketCommand({ Bucket }));
  await s3(first.url).send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: {
        Rules: [{ ID: 'cold', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 10, StorageClass: 'DEEP_ARCHIVE' }] }],
      },
    }),
  );
  await s3(first.url).send(new PutObjectCommand({ Bucket, Key: 'k', Body: big }));
  await first.stop();
  const second = await startServer({ dataDir, ephemeral: false });
  try {
    await advance('11d', second.url);
    assert.equal(await storageClass(Bucket, 'k', s3(second.url)), 'DEEP_ARCHIVE');
  } finally {
    await second.stop();
  }
});
