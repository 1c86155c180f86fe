// A browser POST upload under enforcement is a PutObject of the form's signer: IAM evaluates the
// signer's policies for the key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { S3Client, CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { serverForFile, clientConfig } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });

async function submit(client: S3Client, Key: string): Promise<Response> {
  const { url, fields } = await createPresignedPost(client, { Bucket: 'uploads', Key, Expires: 600 });
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('file', new Blob(['hello']), 'f.txt');
  return fetch(url, { method: 'POST', body: fd, redirect: 'manual' });
}

test('the signer needs s3:PutObject on the key; with it the upload lands', async () => {
  const root = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await root.send(new CreateBucketCommand({ Bucket: 'uploads' }));
  const iam = new IAMClient(clientConfig(nimbus.url));
  await iam.send(new CreateUserCommand({ UserName: 'mia' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'mia',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::uploads/public/*' }],
      }),
    }),
  );
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'mia' }))).AccessKey!;
  const mia = new S3Client(
    clientConfig(nimbus.url, { forcePathStyle: true, credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }),
  );

  const denied = await submit(mia, 'private/x.txt');
  assert.equal(denied.status, 403);
  const text = await denied.text();
  assert.match(text, /<Code>AccessDenied<\/Code>/);
  assert.match(text, /user\/mia is not authorized to perform: s3:PutObject/);

  const ok = await submit(mia, 'public/x.txt');
  assert.equal(ok.status, 204);
  const got = await root.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'public/x.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello');
});
