// s3:ExistingObjectTag under enforcement: a user reads only the objects tagged for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });

test('StringEquals s3:ExistingObjectTag/classification allows the tagged object only', async () => {
  const root = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await root.send(new CreateBucketCommand({ Bucket: 'docs' }));
  await root.send(new PutObjectCommand({ Bucket: 'docs', Key: 'open.txt', Body: 'open', Tagging: 'classification=public' }));
  await root.send(new PutObjectCommand({ Bucket: 'docs', Key: 'secret.txt', Body: 'secret', Tagging: 'classification=secret' }));
  await root.send(new PutObjectCommand({ Bucket: 'docs', Key: 'untagged.txt', Body: 'x' }));
  const iam = new IAMClient(clientConfig(nimbus.url));
  await iam.send(new CreateUserCommand({ UserName: 'jane' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'jane',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::docs/*',
            Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'public' } },
          },
        ],
      }),
    }),
  );
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'jane' }))).AccessKey!;
  const jane = new S3Client(
    clientConfig(nimbus.url, { forcePathStyle: true, credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }),
  );
  const got = await jane.send(new GetObjectCommand({ Bucket: 'docs', Key: 'open.txt' }));
  assert.equal(await got.Body!.transformToString(), 'open');
  await rejects(jane.send(new GetObjectCommand({ Bucket: 'docs', Key: 'secret.txt' })), 'AccessDenied', 403);
  await rejects(jane.send(new GetObjectCommand({ Bucket: 'docs', Key: 'untagged.txt' })), 'AccessDenied', 403);
});
