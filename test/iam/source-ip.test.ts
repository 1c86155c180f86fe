// aws:SourceIp is the caller's socket address (127.0.0.1 for these local clients), for signed calls
// and for S3 POST form uploads alike; an X-Forwarded-For header does not change it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { S3Client, CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
type Creds = { accessKeyId: string; secretAccessKey: string };
const s3 = (credentials?: Creds, forwardedFor?: string) => {
  const c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true, ...(credentials ? { credentials } : {}) }));
  if (forwardedFor) {
    c.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] = forwardedFor;
        return next(args);
      },
      { step: 'build' },
    );
  }
  return c;
};
const policy = (Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });

async function writer(name: string): Promise<Creds> {
  const iam = new IAMClient(clientConfig(nimbus.url));
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: name,
      PolicyName: 'p',
      PolicyDocument: policy([{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: '*' }]),
    }),
  );
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

async function postForm(c: S3Client, Bucket: string, Key: string, forwardedFor?: string): Promise<Response> {
  const { url, fields } = await createPresignedPost(c, { Bucket, Key, Expires: 600 });
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('file', new Blob(['hello']), 'f.txt');
  return fetch(url, { method: 'POST', body: fd, redirect: 'manual', headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
}

test('a bucket policy denying calls from outside 127.0.0.0/8 (NotIpAddress) lets local callers through; one denying 127.0.0.1 (IpAddress) stops them', async () => {
  const ivy = await writer('ivy');
  await s3().send(new CreateBucketCommand({ Bucket: 'local-only' }));
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'local-only',
      Policy: policy([
        {
          Sid: 'OnlyLocal',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: ['arn:aws:s3:::local-only', 'arn:aws:s3:::local-only/*'],
          Condition: { NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
        },
      ]),
    }),
  );
  await s3(ivy).send(new PutObjectCommand({ Bucket: 'local-only', Key: 'a', Body: 'a' }));
  assert.equal(await (await s3(ivy).send(new GetObjectCommand({ Bucket: 'local-only', Key: 'a' }))).Body!.transformToString(), 'a');

  await s3().send(new CreateBucketCommand({ Bucket: 'no-local' }));
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'no-local',
      Policy: policy([
        {
          Sid: 'NoLoopback',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::no-local/*',
          Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.1/32', '::1'] } },
        },
      ]),
    }),
  );
  await rejects(s3(ivy).send(new PutObjectCommand({ Bucket: 'no-local', Key: 'a', Body: 'a' })), 'AccessDenied', 403, (e) =>
    assert.equal(
      e.message,
      'User: arn:aws:iam::000000000000:user/ivy is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::no-local/a" with an explicit deny in a resource-based policy',
    ),
  );
  // a forwarded-for header claiming another address is not believed
  await rejects(s3(ivy, '203.0.113.9').send(new PutObjectCommand({ Bucket: 'no-local', Key: 'a', Body: 'a' })), 'AccessDenied', 403);
});

test('an S3 POST form upload is judged by the socket address too', async () => {
  const jo = await writer('jo');
  const c = s3(jo);
  await s3().send(new CreateBucketCommand({ Bucket: 'form-local' }));
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'form-local',
      Policy: policy([
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::form-local/*',
          Condition: { NotIpAddress: { 'aws:SourceIp': '127.0.0.1/32' } },
        },
      ]),
    }),
  );
  assert.equal((await postForm(c, 'form-local', 'ok.txt')).status, 204);

  await s3().send(new CreateBucketCommand({ Bucket: 'form-remote' }));
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'form-remote',
      Policy: policy([
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::form-remote/*',
          Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
        },
      ]),
    }),
  );
  for (const forwarded of [undefined, '198.51.100.4']) {
    const r = await postForm(c, 'form-remote', 'x.txt', forwarded);
    assert.equal(r.status, 403);
    assert.match(await r.text(), /<Code>AccessDenied<\/Code>/);
  }
});
