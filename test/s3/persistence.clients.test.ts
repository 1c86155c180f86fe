// S3 state on disk: objects (small ones in the record, large ones as files), versions and
// multipart uploads survive a kill -9; an upload cut off by the kill leaves nothing behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  PutBucketVersioningCommand,
  ListObjectVersionsCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  ListPartsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { clientConfig, spawnServer } from '../helpers.js';

const s3 = (url: string) => new S3Client(clientConfig(url, { forcePathStyle: true, maxAttempts: 1 }));

test('kill -9: buckets, small and large objects, versions and upload parts survive; a cut-off upload leaves nothing', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-s3-persist-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  const c = s3(first.url);
  const Bucket = 'durable';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'small', Body: 'v1' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'small', Body: 'v2' }));
  const large = Buffer.alloc(2 * 1024 * 1024, 'L');
  await c.send(new PutObjectCommand({ Bucket, Key: 'large', Body: large }));
  const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp' }));
  await c.send(new UploadPartCommand({ Bucket, Key: 'mp', UploadId, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024, 1) }));
  // an upload still streaming when the process dies
  const slow = new Readable({ read() {} });
  slow.push(Buffer.alloc(1024 * 1024, 9));
  const cut = c.send(new PutObjectCommand({ Bucket, Key: 'cut', Body: slow, ContentLength: 8 * 1024 * 1024 })).catch((e: Error) => e);
  // kill only once the first megabyte is in a temporary blob, so there is a partial upload to lose
  const tmpDir = join(dataDir, 'blobs', 'tmp');
  const inFlight = () => readdirSync(tmpDir).some((f) => statSync(join(tmpDir, f)).size >= 1024 * 1024);
  for (let i = 0; i < 500 && !inFlight(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(inFlight(), 'the cut-off upload is being written when the process dies');
  await first.kill9();
  assert.ok((await cut) instanceof Error);

  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const d = s3(second.url);
    assert.equal(await (await d.send(new GetObjectCommand({ Bucket, Key: 'small' }))).Body!.transformToString(), 'v2');
    const back = Buffer.from(await (await d.send(new GetObjectCommand({ Bucket, Key: 'large' }))).Body!.transformToByteArray());
    assert.ok(back.equals(large));
    assert.equal((await d.send(new ListObjectVersionsCommand({ Bucket, Prefix: 'small' }))).Versions?.length, 2);
    assert.equal((await d.send(new ListPartsCommand({ Bucket, Key: 'mp', UploadId }))).Parts?.length, 1);
    assert.equal((await d.send(new ListObjectsV2Command({ Bucket, Prefix: 'cut' }))).KeyCount, 0);
    assert.deepEqual(readdirSync(join(dataDir, 'blobs', 'tmp')), [], 'no partial blob left');
  } finally {
    await second.stop();
  }
});
