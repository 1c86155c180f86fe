// S3 ACL grants to other accounts under enforcement: a grant to an account's canonical id (the
// Owner.ID its ListBuckets answers) or email address lets that account act accordingly, while the
// bucket's ObjectOwnership allows ACLs; unknown grantees are refused as S3 refuses them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  S3Client,
  CreateBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  GetObjectCommand,
  PutObjectAclCommand,
  PutBucketAclCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  ListObjectsV2Command,
  PutBucketOwnershipControlsCommand,
  DeleteBucketOwnershipControlsCommand,
} from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const nimbus = serverForFile(undefined, { enforceIam: true });
type Creds = { accessKeyId: string; secretAccessKey: string };
const rootOf = (account: string): Creds => ({ accessKeyId: account, secretAccessKey: 'x' });
const s3 = (c: Creds) => new S3Client(clientConfig(nimbus.url, { credentials: c, forcePathStyle: true }));
const idOf = async (account: string) => (await s3(rootOf(account)).send(new ListBucketsCommand({}))).Owner!.ID!;
const text = async (p: Promise<{ Body?: { transformToString(): Promise<string> } }>) => (await p).Body!.transformToString();

async function aclBucket(name: string): Promise<void> {
  await s3(rootOf(A)).send(new CreateBucketCommand({ Bucket: name, ObjectOwnership: 'ObjectWriter' }));
  await s3(rootOf(A)).send(new PutObjectCommand({ Bucket: name, Key: 'doc.txt', Body: 'hello' }));
}

test("a READ grant to another account's canonical id on an object: that account reads it, and nothing more", async () => {
  await aclBucket('acl-object');
  const bId = await idOf(B);
  await rejects(s3(rootOf(B)).send(new GetObjectCommand({ Bucket: 'acl-object', Key: 'doc.txt' })), 'AccessDenied', 403, (e) =>
    assert.equal(e.message, 'Access Denied'),
  );
  await s3(rootOf(A)).send(new PutObjectAclCommand({ Bucket: 'acl-object', Key: 'doc.txt', GrantRead: `id="${bId}"` }));
  assert.equal(await text(s3(rootOf(B)).send(new GetObjectCommand({ Bucket: 'acl-object', Key: 'doc.txt' }))), 'hello');
  const acl = await s3(rootOf(A)).send(new GetObjectAclCommand({ Bucket: 'acl-object', Key: 'doc.txt' }));
  assert.deepEqual(
    acl.Grants!.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission]),
    [['CanonicalUser', bId, 'READ']],
  );
  await rejects(s3(rootOf(B)).send(new PutObjectCommand({ Bucket: 'acl-object', Key: 'doc.txt', Body: 'x' })), 'AccessDenied', 403);
  await rejects(s3(rootOf(B)).send(new GetObjectAclCommand({ Bucket: 'acl-object', Key: 'doc.txt' })), 'AccessDenied', 403);
  // a third account is not named
  await rejects(s3(rootOf(C)).send(new GetObjectCommand({ Bucket: 'acl-object', Key: 'doc.txt' })), 'AccessDenied', 403);
});

test('bucket ACL grants by id and by email (AccessControlPolicy and x-amz-grant-* headers): WRITE, READ, READ_ACP', async () => {
  await aclBucket('acl-bucket');
  const [aId, bId, cId] = [await idOf(A), await idOf(B), await idOf(C)];
  await rejects(s3(rootOf(B)).send(new PutObjectCommand({ Bucket: 'acl-bucket', Key: 'in/b.txt', Body: 'b' })), 'AccessDenied', 403);
  await s3(rootOf(A)).send(
    new PutBucketAclCommand({
      Bucket: 'acl-bucket',
      AccessControlPolicy: {
        Owner: { ID: aId },
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: aId }, Permission: 'FULL_CONTROL' },
          { Grantee: { Type: 'CanonicalUser', ID: bId }, Permission: 'WRITE' },
          { Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: `${C}@nimbus.local` }, Permission: 'READ' },
        ],
      },
    }),
  );
  await s3(rootOf(B)).send(new PutObjectCommand({ Bucket: 'acl-bucket', Key: 'in/b.txt', Body: 'b' }));
  const keys = (await s3(rootOf(C)).send(new ListObjectsV2Command({ Bucket: 'acl-bucket' }))).Contents!.map((o) => o.Key);
  assert.deepEqual(keys, ['doc.txt', 'in/b.txt']);
  await rejects(s3(rootOf(B)).send(new ListObjectsV2Command({ Bucket: 'acl-bucket' })), 'AccessDenied', 403);
  // the email grant is stored as the account's canonical user, the id its ListBuckets shows
  const acl = await s3(rootOf(A)).send(new GetBucketAclCommand({ Bucket: 'acl-bucket' }));
  assert.deepEqual(
    acl.Grants!.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission]),
    [
      ['CanonicalUser', aId, 'FULL_CONTROL'],
      ['CanonicalUser', bId, 'WRITE'],
      ['CanonicalUser', cId, 'READ'],
    ],
  );
  await rejects(s3(rootOf(C)).send(new GetBucketAclCommand({ Bucket: 'acl-bucket' })), 'AccessDenied', 403);
  await s3(rootOf(A)).send(
    new PutBucketAclCommand({ Bucket: 'acl-bucket', GrantReadACP: `emailAddress="${C}@nimbus.local", id="${bId}"` }),
  );
  assert.equal((await s3(rootOf(C)).send(new GetBucketAclCommand({ Bucket: 'acl-bucket' }))).Grants!.length, 2);
  await s3(rootOf(B)).send(new GetBucketAclCommand({ Bucket: 'acl-bucket' }));
  // the headers replaced the whole ACL: C's READ is gone
  await rejects(s3(rootOf(C)).send(new ListObjectsV2Command({ Bucket: 'acl-bucket' })), 'AccessDenied', 403);
});

test("a user of the granted account needs its own account's permission too; BucketOwnerEnforced turns ACLs off", async () => {
  await aclBucket('acl-users');
  await s3(rootOf(A)).send(
    new PutBucketAclCommand({ Bucket: 'acl-users', GrantFullControl: `id="${await idOf(A)}"`, GrantRead: `id="${await idOf(B)}"` }),
  );
  const iam = new IAMClient(clientConfig(nimbus.url, { credentials: rootOf(B) }));
  const user = async (name: string, statements: unknown[]) => {
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (statements.length)
      await iam.send(
        new PutUserPolicyCommand({
          UserName: name,
          PolicyName: 'p',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
        }),
      );
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return s3({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });
  };
  const reader = await user('reader', [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acl-users' }]);
  const nobody = await user('nobody', []);
  assert.equal((await reader.send(new ListObjectsV2Command({ Bucket: 'acl-users' }))).KeyCount, 1);
  await rejects(nobody.send(new ListObjectsV2Command({ Bucket: 'acl-users' })), 'AccessDenied', 403);
  const enforce = () =>
    s3(rootOf(A)).send(
      new PutBucketOwnershipControlsCommand({
        Bucket: 'acl-users',
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
  // S3 refuses to turn ACLs off while the bucket ACL grants another account
  await rejects(enforce(), 'InvalidBucketAclWithObjectOwnership', 400);
  await s3(rootOf(A)).send(new PutObjectAclCommand({ Bucket: 'acl-users', Key: 'doc.txt', GrantRead: `id="${await idOf(B)}"` }));
  await s3(rootOf(A)).send(new PutBucketAclCommand({ Bucket: 'acl-users', ACL: 'private' }));
  await enforce();
  // the object's grant no longer counts either
  await rejects(s3(rootOf(B)).send(new GetObjectCommand({ Bucket: 'acl-users', Key: 'doc.txt' })), 'AccessDenied', 403);
  await rejects(reader.send(new ListObjectsV2Command({ Bucket: 'acl-users' })), 'AccessDenied', 403);
  await rejects(s3(rootOf(B)).send(new ListObjectsV2Command({ Bucket: 'acl-users' })), 'AccessDenied', 403);
});

test('a bucket whose ownership controls were deleted keeps its ACLs working, as ObjectWriter', async () => {
  await aclBucket('acl-legacy');
  await s3(rootOf(A)).send(new PutObjectAclCommand({ Bucket: 'acl-legacy', Key: 'doc.txt', GrantRead: `id="${await idOf(B)}"` }));
  await s3(rootOf(A)).send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'acl-legacy' }));
  assert.equal(await text(s3(rootOf(B)).send(new GetObjectCommand({ Bucket: 'acl-legacy', Key: 'doc.txt' }))), 'hello');
  await rejects(s3(rootOf(C)).send(new GetObjectCommand({ Bucket: 'acl-legacy', Key: 'doc.txt' })), 'AccessDenied', 403);
});

test('grants S3 cannot resolve are refused: an unknown canonical id, an unknown email, canned and explicit together', async () => {
  await aclBucket('acl-bad');
  const unknown = 'f'.repeat(64);
  await rejects(
    s3(rootOf(A)).send(new PutBucketAclCommand({ Bucket: 'acl-bad', GrantRead: `id="${unknown}"` })),
    'InvalidArgument',
    400,
    (e) => {
      assert.equal(e.message, 'Invalid id');
      assert.equal(e.ArgumentName, 'CanonicalUser/ID');
      assert.equal(e.ArgumentValue, unknown);
    },
  );
  await rejects(
    s3(rootOf(A)).send(new PutObjectCommand({ Bucket: 'acl-bad', Key: 'k', Body: 'x', GrantRead: 'emailAddress="someone@example.com"' })),
    'UnresolvableGrantByEmailAddress',
    400,
    (e) => assert.equal(e.message, 'The email address that you provided does not match any account on record.'),
  );
  await rejects(
    s3(rootOf(A)).send(new PutBucketAclCommand({ Bucket: 'acl-bad', ACL: 'public-read', GrantRead: `id="${await idOf(B)}"` })),
    'InvalidRequest',
    400,
  );
});
