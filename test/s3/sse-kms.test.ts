// SSE-KMS through KMS: data keys generated under the object's key (named, the bucket default's, or
// the AWS managed aws/s3 key), the SSE headers echoed on PUT, GET and HEAD, and KMS's refusals as S3
// answers them (KMS.NotFoundException on write, KMS.DisabledException on read).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as S from '@aws-sdk/client-s3';
import * as K from '@aws-sdk/client-kms';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let s3: S.S3Client;
let kms: K.KMSClient;
const nimbus = serverForFile(() => {
  s3 = new S.S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  kms = new K.KMSClient(clientConfig(nimbus.url));
});

let n = 0;
async function bucket(): Promise<string> {
  const Bucket = `sse-kms-${++n}`;
  await s3.send(new S.CreateBucketCommand({ Bucket }));
  return Bucket;
}
const newKey = async () => (await kms.send(new K.CreateKeyCommand({}))).KeyMetadata!;
const text = async (o: S.GetObjectCommandOutput) => o.Body!.transformToString();

test('aws:kms without a key uses the AWS managed aws/s3 key, created on first use; its key ARN is echoed', async () => {
  const Bucket = await bucket();
  const put = await s3.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'secret', ServerSideEncryption: 'aws:kms' }));
  assert.equal(put.ServerSideEncryption, 'aws:kms');
  const managed = await kms.send(new K.DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
  assert.equal(managed.KeyMetadata!.KeyManager, 'AWS');
  assert.equal(put.SSEKMSKeyId, managed.KeyMetadata!.Arn);
  const got = await s3.send(new S.GetObjectCommand({ Bucket, Key: 'k' }));
  assert.equal(await text(got), 'secret');
  assert.equal(got.ServerSideEncryption, 'aws:kms');
  assert.equal(got.SSEKMSKeyId, managed.KeyMetadata!.Arn);
});

test('a customer key by id or alias, with BucketKeyEnabled: echoed on PUT, GET and HEAD', async () => {
  const Bucket = await bucket();
  const key = await newKey();
  await kms.send(new K.CreateAliasCommand({ AliasName: 'alias/sse-kms-test', TargetKeyId: key.KeyId }));
  const put = await s3.send(
    new S.PutObjectCommand({
      Bucket,
      Key: 'a',
      Body: 'one',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: key.KeyId,
      BucketKeyEnabled: true,
    }),
  );
  assert.equal(put.SSEKMSKeyId, key.Arn);
  assert.equal(put.BucketKeyEnabled, true);
  const byAlias = await s3.send(
    new S.PutObjectCommand({ Bucket, Key: 'b', Body: 'two', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'alias/sse-kms-test' }),
  );
  assert.equal(byAlias.SSEKMSKeyId, key.Arn);
  const head = await s3.send(new S.HeadObjectCommand({ Bucket, Key: 'a' }));
  assert.deepEqual([head.ServerSideEncryption, head.SSEKMSKeyId, head.BucketKeyEnabled], ['aws:kms', key.Arn, true]);
  const got = await s3.send(new S.GetObjectCommand({ Bucket, Key: 'a' }));
  assert.deepEqual([got.ServerSideEncryption, got.SSEKMSKeyId, got.BucketKeyEnabled], ['aws:kms', key.Arn, true]);
  assert.equal(await text(got), 'one');
});

test('a missing key is KMS.NotFoundException; a key id without aws:kms is InvalidArgument; nothing is stored', async () => {
  const Bucket = await bucket();
  await rejects(
    s3.send(
      new S.PutObjectCommand({
        Bucket,
        Key: 'k',
        Body: 'x',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: '11111111-2222-3333-4444-555555555555',
      }),
    ),
    'KMS.NotFoundException',
    400,
    (e) => assert.match(String(e.message), /does not exist/),
  );
  await rejects(
    s3.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: 'nope' })),
    'KMS.NotFoundException',
    400,
    (e) => assert.equal(e.message, "Invalid keyId 'nope'"),
  );
  const key = await newKey();
  await rejects(s3.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'x', SSEKMSKeyId: key.KeyId })), 'InvalidArgument', 400);
  await rejects(s3.send(new S.HeadObjectCommand({ Bucket, Key: 'k' })), 'NotFound', 404);
});

test('a disabled key: GET and copies are KMS.DisabledException, HEAD still answers; enabled again, GET reads', async () => {
  const Bucket = await bucket();
  const key = await newKey();
  await s3.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'payload', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.Arn }));
  await kms.send(new K.DisableKeyCommand({ KeyId: key.KeyId }));
  await rejects(s3.send(new S.GetObjectCommand({ Bucket, Key: 'k' })), 'KMS.DisabledException', 400);
  await rejects(s3.send(new S.CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/k` })), 'KMS.DisabledException', 400);
  const head = await s3.send(new S.HeadObjectCommand({ Bucket, Key: 'k' }));
  assert.equal(head.SSEKMSKeyId, key.Arn);
  // writing under a disabled key is refused too
  await rejects(
    s3.send(new S.PutObjectCommand({ Bucket, Key: 'k2', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId })),
    'KMS.DisabledException',
    400,
  );
  await kms.send(new K.EnableKeyCommand({ KeyId: key.KeyId }));
  assert.equal(await text(await s3.send(new S.GetObjectCommand({ Bucket, Key: 'k' }))), 'payload');
});

test('bucket default encryption with a KMS key applies to PUT, copies and multipart uploads', async () => {
  const Bucket = await bucket();
  const key = await newKey();
  await s3.send(
    new S.PutBucketEncryptionCommand({
      Bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.KeyId }, BucketKeyEnabled: true }],
      },
    }),
  );
  const put = await s3.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'default' }));
  assert.deepEqual([put.ServerSideEncryption, put.SSEKMSKeyId, put.BucketKeyEnabled], ['aws:kms', key.Arn, true]);
  const copy = await s3.send(new S.CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/k` }));
  assert.equal(copy.SSEKMSKeyId, key.Arn);
  const mpu = await s3.send(new S.CreateMultipartUploadCommand({ Bucket, Key: 'mp' }));
  assert.deepEqual([mpu.ServerSideEncryption, mpu.SSEKMSKeyId], ['aws:kms', key.Arn]);
  const part = await s3.send(new S.UploadPartCommand({ Bucket, Key: 'mp', UploadId: mpu.UploadId, PartNumber: 1, Body: 'parts' }));
  assert.equal(part.SSEKMSKeyId, key.Arn);
  const done = await s3.send(
    new S.CompleteMultipartUploadCommand({
      Bucket,
      Key: 'mp',
      UploadId: mpu.UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  assert.equal(done.SSEKMSKeyId, key.Arn);
  assert.equal(await text(await s3.send(new S.GetObjectCommand({ Bucket, Key: 'mp' }))), 'parts');
  await kms.send(new K.DisableKeyCommand({ KeyId: key.KeyId }));
  await rejects(s3.send(new S.GetObjectCommand({ Bucket, Key: 'mp' })), 'KMS.DisabledException', 400);
  await rejects(s3.send(new S.GetObjectCommand({ Bucket, Key: 'copy' })), 'KMS.DisabledException', 400);
});

test('a key scheduled for deletion makes reads KMSInvalidStateException', async () => {
  const Bucket = await bucket();
  const key = await newKey();
  await s3.send(new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }));
  await kms.send(new K.ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  await rejects(s3.send(new S.GetObjectCommand({ Bucket, Key: 'k' })), 'KMS.KMSInvalidStateException', 400);
});

test('x-amz-server-side-encryption-context is echoed and bound to the data key; a malformed one is InvalidArgument', async () => {
  const Bucket = await bucket();
  const context = Buffer.from(JSON.stringify({ tenant: 'blue' })).toString('base64');
  const put = await s3.send(
    new S.PutObjectCommand({ Bucket, Key: 'k', Body: 'ctx', ServerSideEncryption: 'aws:kms', SSEKMSEncryptionContext: context }),
  );
  assert.equal(put.SSEKMSEncryptionContext, context);
  assert.equal(await text(await s3.send(new S.GetObjectCommand({ Bucket, Key: 'k' }))), 'ctx');
  await rejects(
    s3.send(
      new S.PutObjectCommand({
        Bucket,
        Key: 'k2',
        Body: 'x',
        ServerSideEncryption: 'aws:kms',
        SSEKMSEncryptionContext: Buffer.from('[1]').toString('base64'),
      }),
    ),
    'InvalidArgument',
    400,
  );
  const customerKey = Buffer.alloc(32, 7);
  await rejects(
    s3.send(
      new S.PutObjectCommand({
        Bucket,
        Key: 'k3',
        Body: 'x',
        ServerSideEncryption: 'aws:kms',
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: customerKey.toString('base64'),
      }),
    ),
    'InvalidArgument',
    400,
    (e) => assert.match(String(e.message), /incompatible/),
  );
});
