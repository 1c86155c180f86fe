// S3 Object Ownership under IAM enforcement, with another account writing through a bucket policy:
// ObjectWriter leaves the object to its writer, BucketOwnerPreferred gives it to the bucket owner
// when the writer sends bucket-owner-full-control, BucketOwnerEnforced (the default) owns every
// object and refuses ACLs (AccessControlListNotSupported), and a bucket ACL that grants others
// blocks enforcing it (InvalidBucketAclWithObjectOwnership).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  S3Client,
  CreateBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
  PutObjectAclCommand,
  GetObjectAclCommand,
  PutBucketAclCommand,
  GetBucketAclCommand,
  PutBucketPolicyCommand,
  PutBucketOwnershipControlsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ObjectOwnership,
} from '@aws-sdk/client-s3';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const A = '111111111111';
const B = '222222222222';
let a: S3Client, b: S3Client;
const nimbus = serverForFile(() => ([a, b] = [s3(A), s3(B)]), { enforceIam: true });
const s3 = (account: string) =>
  new S3Client(clientConfig(nimbus.url, { credentials: { accessKeyId: account, secretAccessKey: 'x' }, forcePathStyle: true }));
const idOf = async (c: S3Client) => (await c.send(new ListBucketsCommand({}))).Owner!.ID!;

/** A bucket of account A that account B may write to and read ACLs of. */
async function shared(Bucket: string, ObjectOwnership?: ObjectOwnership): Promise<void> {
  await a.send(new CreateBucketCommand({ Bucket, ObjectOwnership }));
  const Statement = [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${B}:root` },
      Action: ['s3:GetObject', 's3:PutObject', 's3:PutObjectAcl', 's3:GetObjectAcl'],
      Resource: `arn:aws:s3:::${Bucket}/*`,
    },
  ];
  await a.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement }) }));
}

const owners = async (Bucket: string) =>
  Object.fromEntries(
    ((await a.send(new ListObjectsV2Command({ Bucket, FetchOwner: true }))).Contents ?? []).map((o) => [o.Key, o.Owner?.ID]),
  );
const grants = async (c: S3Client, Bucket: string, Key: string) => {
  const acl = await c.send(new GetObjectAclCommand({ Bucket, Key }));
  return { owner: acl.Owner?.ID, grants: (acl.Grants ?? []).map((g) => [g.Grantee?.ID, g.Permission]) };
};
const aclOff = (e: Record<string, unknown>) => assert.equal(e.message, 'The bucket does not allow ACLs');

test('ObjectWriter: an object another account writes is its own (GetObjectAcl, ListObjects with and without fetch-owner, versions)', async () => {
  const [aId, bId] = [await idOf(a), await idOf(b)];
  await shared('own-writer', 'ObjectWriter');
  await a.send(new PutObjectCommand({ Bucket: 'own-writer', Key: 'a.txt', Body: 'a' }));
  await b.send(new PutObjectCommand({ Bucket: 'own-writer', Key: 'b.txt', Body: 'b' }));
  await b.send(new PutObjectCommand({ Bucket: 'own-writer', Key: 'full.txt', Body: 'f', ACL: 'bucket-owner-full-control' }));
  assert.deepEqual(await owners('own-writer'), { 'a.txt': aId, 'b.txt': bId, 'full.txt': bId });
  const v1 = await a.send(new ListObjectsCommand({ Bucket: 'own-writer' }));
  assert.deepEqual(
    v1.Contents!.map((o) => o.Owner?.ID),
    [aId, bId, bId],
  );
  const versions = await a.send(new ListObjectVersionsCommand({ Bucket: 'own-writer' }));
  assert.deepEqual(
    versions.Versions!.map((v) => v.Owner?.ID),
    [aId, bId, bId],
  );
  assert.equal((await a.send(new ListObjectsV2Command({ Bucket: 'own-writer' }))).Contents![0].Owner, undefined);
  assert.deepEqual(await grants(b, 'own-writer', 'b.txt'), { owner: bId, grants: [[bId, 'FULL_CONTROL']] });
  assert.deepEqual(await grants(b, 'own-writer', 'full.txt'), {
    owner: bId,
    grants: [
      [bId, 'FULL_CONTROL'],
      [aId, 'FULL_CONTROL'],
    ],
  });
  // the writer may change its object's ACL; the owner stays the writer
  await b.send(new PutObjectAclCommand({ Bucket: 'own-writer', Key: 'b.txt', ACL: 'bucket-owner-read' }));
  assert.deepEqual(await grants(b, 'own-writer', 'b.txt'), {
    owner: bId,
    grants: [
      [bId, 'FULL_CONTROL'],
      [aId, 'READ'],
    ],
  });
  // a copy or a multipart upload is its writer's
  await b.send(new CopyObjectCommand({ Bucket: 'own-writer', Key: 'copy.txt', CopySource: 'own-writer/a.txt' }));
  await a.send(new CopyObjectCommand({ Bucket: 'own-writer', Key: 'mine.txt', CopySource: 'own-writer/b.txt' }));
  const { UploadId } = await b.send(new CreateMultipartUploadCommand({ Bucket: 'own-writer', Key: 'multi.txt' }));
  const part = await b.send(new UploadPartCommand({ Bucket: 'own-writer', Key: 'multi.txt', UploadId, PartNumber: 1, Body: 'm' }));
  await b.send(
    new CompleteMultipartUploadCommand({
      Bucket: 'own-writer',
      Key: 'multi.txt',
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  const all = await owners('own-writer');
  assert.deepEqual([all['copy.txt'], all['mine.txt'], all['multi.txt']], [bId, aId, bId]);
});

test('BucketOwnerPreferred: bucket-owner-full-control hands the object to the bucket owner; without it the writer keeps it', async () => {
  const [aId, bId] = [await idOf(a), await idOf(b)];
  await shared('own-preferred', 'BucketOwnerPreferred');
  await b.send(new PutObjectCommand({ Bucket: 'own-preferred', Key: 'handed.txt', Body: 'h', ACL: 'bucket-owner-full-control' }));
  await b.send(new PutObjectCommand({ Bucket: 'own-preferred', Key: 'kept.txt', Body: 'k' }));
  assert.deepEqual(await owners('own-preferred'), { 'handed.txt': aId, 'kept.txt': bId });
  assert.equal((await grants(a, 'own-preferred', 'handed.txt')).owner, aId);
});

test('BucketOwnerEnforced (the default): the bucket owner owns every object; writes and updates naming an ACL are refused', async () => {
  const [aId, bId] = [await idOf(a), await idOf(b)];
  await shared('own-enforced');
  await b.send(new PutObjectCommand({ Bucket: 'own-enforced', Key: 'b.txt', Body: 'b' }));
  await b.send(new PutObjectCommand({ Bucket: 'own-enforced', Key: 'full.txt', Body: 'f', ACL: 'bucket-owner-full-control' }));
  await b.send(new PutObjectCommand({ Bucket: 'own-enforced', Key: 'grant.txt', Body: 'g', GrantFullControl: `id="${aId}"` }));
  assert.deepEqual(await owners('own-enforced'), { 'b.txt': aId, 'full.txt': aId, 'grant.txt': aId });
  assert.deepEqual(await grants(a, 'own-enforced', 'full.txt'), { owner: aId, grants: [[aId, 'FULL_CONTROL']] });
  for (const call of [
    () => b.send(new PutObjectCommand({ Bucket: 'own-enforced', Key: 'pub.txt', Body: 'p', ACL: 'public-read' })),
    () => a.send(new PutObjectCommand({ Bucket: 'own-enforced', Key: 'priv.txt', Body: 'p', ACL: 'private' })),
    () => a.send(new PutObjectCommand({ Bucket: 'own-enforced', Key: 'g.txt', Body: 'g', GrantRead: `id="${bId}"` })),
    () => a.send(new CopyObjectCommand({ Bucket: 'own-enforced', Key: 'c.txt', CopySource: 'own-enforced/b.txt', ACL: 'public-read' })),
    () => a.send(new CreateMultipartUploadCommand({ Bucket: 'own-enforced', Key: 'm.txt', ACL: 'authenticated-read' })),
    () => a.send(new PutObjectAclCommand({ Bucket: 'own-enforced', Key: 'b.txt', ACL: 'public-read' })),
    () => a.send(new PutBucketAclCommand({ Bucket: 'own-enforced', GrantRead: `id="${bId}"` })),
    () => a.send(new PutBucketAclCommand({ Bucket: 'own-enforced', ACL: 'public-read' })),
  ])
    await rejects(call(), 'AccessControlListNotSupported', 400, aclOff);
  // reading ACLs still works: the bucket owner's full control
  assert.deepEqual(
    (await a.send(new GetBucketAclCommand({ Bucket: 'own-enforced' }))).Grants!.map((g) => [g.Grantee?.ID, g.Permission]),
    [[aId, 'FULL_CONTROL']],
  );
});

test('switching ObjectWriter to BucketOwnerEnforced gives the bucket owner the objects; a bucket ACL granting others blocks it', async () => {
  const [aId, bId] = [await idOf(a), await idOf(b)];
  await shared('own-switch', 'ObjectWriter');
  await b.send(new PutObjectCommand({ Bucket: 'own-switch', Key: 'b.txt', Body: 'b', ACL: 'public-read' }));
  assert.deepEqual(await owners('own-switch'), { 'b.txt': bId });
  await a.send(new PutBucketAclCommand({ Bucket: 'own-switch', ACL: 'public-read' }));
  const enforce = () =>
    a.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: 'own-switch',
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
  await rejects(enforce(), 'InvalidBucketAclWithObjectOwnership', 400, (e) =>
    assert.equal(e.message, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"),
  );
  await a.send(new PutBucketAclCommand({ Bucket: 'own-switch', ACL: 'private' }));
  await enforce();
  assert.deepEqual(await owners('own-switch'), { 'b.txt': aId });
  assert.deepEqual(await grants(a, 'own-switch', 'b.txt'), { owner: aId, grants: [[aId, 'FULL_CONTROL']] });
});

test('CreateBucket: an ACL beyond private needs ACLs enabled (InvalidBucketAclWithObjectOwnership)', async () => {
  await rejects(a.send(new CreateBucketCommand({ Bucket: 'own-create', ACL: 'public-read' })), 'InvalidBucketAclWithObjectOwnership', 400);
  await rejects(
    a.send(new CreateBucketCommand({ Bucket: 'own-create', ACL: 'authenticated-read', ObjectOwnership: 'BucketOwnerEnforced' })),
    'InvalidBucketAclWithObjectOwnership',
    400,
  );
  await a.send(new CreateBucketCommand({ Bucket: 'own-create', ACL: 'private' }));
  await a.send(new CreateBucketCommand({ Bucket: 'own-create-acl', ACL: 'public-read', ObjectOwnership: 'ObjectWriter' }));
  const acl = await a.send(new GetBucketAclCommand({ Bucket: 'own-create-acl' }));
  assert.ok(acl.Grants!.some((g) => g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' && g.Permission === 'READ'));
});

test("ObjectWriter: the bucket owner reads another account's object only through its ACL, yet may delete it", async () => {
  await shared('own-read', 'ObjectWriter');
  await b.send(new PutObjectCommand({ Bucket: 'own-read', Key: 'private.txt', Body: 'p' }));
  await b.send(new PutObjectCommand({ Bucket: 'own-read', Key: 'full.txt', Body: 'f', ACL: 'bucket-owner-full-control' }));
  await b.send(new PutObjectCommand({ Bucket: 'own-read', Key: 'read.txt', Body: 'r', ACL: 'bucket-owner-read' }));
  // a user of the bucket owner's account with every S3 permission fares as its root
  const iam = new IAMClient(clientConfig(nimbus.url, { credentials: { accessKeyId: A, secretAccessKey: 'x' } }));
  await iam.send(new CreateUserCommand({ UserName: 'reader' }));
  const Statement = [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }];
  await iam.send(new PutUserPolicyCommand({ UserName: 'reader', PolicyName: 'all', PolicyDocument: JSON.stringify({ Statement }) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'reader' }))).AccessKey!;
  const user = new S3Client(
    clientConfig(nimbus.url, {
      credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
      forcePathStyle: true,
    }),
  );
  const denied = (e: Record<string, unknown>) => assert.equal(e.message, 'Access Denied');
  for (const c of [a, user]) {
    await rejects(c.send(new GetObjectCommand({ Bucket: 'own-read', Key: 'private.txt' })), 'AccessDenied', 403, denied);
    // a HEAD answer has no body: the SDK knows the denial only by its status
    await rejects(c.send(new HeadObjectCommand({ Bucket: 'own-read', Key: 'private.txt' })), 'Unknown', 403);
    await rejects(c.send(new GetObjectAclCommand({ Bucket: 'own-read', Key: 'private.txt' })), 'AccessDenied', 403, denied);
    await rejects(c.send(new PutObjectAclCommand({ Bucket: 'own-read', Key: 'read.txt', ACL: 'private' })), 'AccessDenied', 403);
    for (const Key of ['full.txt', 'read.txt'])
      assert.equal(await (await c.send(new GetObjectCommand({ Bucket: 'own-read', Key }))).Body!.transformToString(), Key[0]);
  }
  // full control lets the bucket owner read the ACL too; the writer reads its own object
  assert.equal((await grants(a, 'own-read', 'full.txt')).grants.length, 2);
  assert.equal(await (await b.send(new GetObjectCommand({ Bucket: 'own-read', Key: 'private.txt' }))).Body!.transformToString(), 'p');
  await a.send(new DeleteObjectCommand({ Bucket: 'own-read', Key: 'private.txt' }));
  await rejects(b.send(new GetObjectCommand({ Bucket: 'own-read', Key: 'private.txt' })), 'NoSuchKey', 404);
});
