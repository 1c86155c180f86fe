// SSE-KMS under enforcement: S3 uses a customer managed key with the caller's permissions
// (kms:GenerateDataKey to write, kms:Decrypt to read, via s3.<region>.amazonaws.com); aws/s3 asks none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, PutBucketEncryptionCommand } from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
const iam = () => new IAMClient(clientConfig(nimbus.url));
const S3_RW = { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: 'arn:aws:s3:::vault*/*' };

async function user(name: string): Promise<{ s3: S3Client; allow: (statements: unknown[]) => Promise<void> }> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  const allow = async (statements: unknown[]) => {
    await iam().send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [S3_RW, ...statements] }),
      }),
    );
  };
  await allow([]);
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return {
    s3: new S3Client(
      clientConfig(nimbus.url, { forcePathStyle: true, credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }),
    ),
    allow,
  };
}

test('a customer managed key needs kms:GenerateDataKey to write and kms:Decrypt to read', async () => {
  const root = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await root.send(new CreateBucketCommand({ Bucket: 'vault' }));
  const key = (await new KMSClient(clientConfig(nimbus.url)).send(new CreateKeyCommand({}))).KeyMetadata!;
  const kate = await user('kate');
  const put = () =>
    kate.s3.send(
      new PutObjectCommand({ Bucket: 'vault', Key: 'a.txt', Body: 'a', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.KeyId }),
    );
  await rejects(put(), 'AccessDenied', 403, (e) =>
    assert.match(String(e.message), new RegExp(`kms:GenerateDataKey on resource: "?${key.Arn}"?`)),
  );
  await kate.allow([{ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: key.Arn }]);
  const out = await put();
  assert.equal(out.SSEKMSKeyId, key.Arn);
  await rejects(kate.s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'a.txt' })), 'AccessDenied', 403, (e) =>
    assert.match(String(e.message), /kms:Decrypt/),
  );
  await kate.allow([
    { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: key.Arn },
    {
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: key.Arn,
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    },
  ]);
  const got = await kate.s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'a.txt' }));
  assert.equal(await got.Body!.transformToString(), 'a');
});

test('bucket default encryption with a customer key asks the same; the aws/s3 key asks nothing', async () => {
  const root = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await root.send(new CreateBucketCommand({ Bucket: 'vault2' }));
  const key = (await new KMSClient(clientConfig(nimbus.url)).send(new CreateKeyCommand({}))).KeyMetadata!;
  await root.send(
    new PutBucketEncryptionCommand({
      Bucket: 'vault2',
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.Arn } }],
      },
    }),
  );
  const lee = await user('lee');
  await rejects(lee.s3.send(new PutObjectCommand({ Bucket: 'vault2', Key: 'b.txt', Body: 'b' })), 'AccessDenied', 403);
  await lee.s3.send(new PutObjectCommand({ Bucket: 'vault', Key: 'managed.txt', Body: 'm', ServerSideEncryption: 'aws:kms' }));
  const got = await lee.s3.send(new GetObjectCommand({ Bucket: 'vault', Key: 'managed.txt' }));
  assert.equal(await got.Body!.transformToString(), 'm');
});
