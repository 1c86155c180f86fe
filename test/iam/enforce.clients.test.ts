// Enforcement (--enforce-iam): IAM users, roles and sessions acting on S3, SQS and DynamoDB, denied
// in each protocol's words; through SDK v3, both CLIs and boto3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  IAMClient,
  CreateUserCommand,
  CreateAccessKeyCommand,
  AttachUserPolicyCommand,
  PutUserPolicyCommand,
  CreateRoleCommand,
  AttachRolePolicyCommand,
  PutRolePolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  S3Client,
  CreateBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, SendMessageCommand, TagQueueCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig, rejects, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const root = { accessKeyId: 'test', secretAccessKey: 'test' };
const iam = (c: Creds = root) => new IAMClient(clientConfig(nimbus.url, { credentials: c }));
const s3 = (c: Creds = root) => new S3Client(clientConfig(nimbus.url, { credentials: c, forcePathStyle: true }));
const sts = (c: Creds = root) => new STSClient(clientConfig(nimbus.url, { credentials: c }));
const doc = (Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });

async function userWith(name: string, managed: string[], inline?: unknown[]): Promise<Creds> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  for (const arn of managed) await iam().send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  if (inline) await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: doc(inline) }));
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

const PUT_DENIED = (user: string) =>
  `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::photos/cat.jpg" because no identity-based policy allows the s3:PutObject action`;

test('a user with ReadOnlyAccess lists buckets but cannot put: S3 AccessDenied in AWS words', async () => {
  await s3().send(new CreateBucketCommand({ Bucket: 'photos' }));
  const bob = await userWith('bob', ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
  const names = (await s3(bob).send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
  assert.deepEqual(names, ['photos']);
  await rejects(s3(bob).send(new PutObjectCommand({ Bucket: 'photos', Key: 'cat.jpg', Body: 'meow' })), 'AccessDenied', 403, (e) => {
    assert.equal(e.message, PUT_DENIED('bob'));
  });
  assert.equal((await sts(bob).send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:iam::000000000000:user/bob');
});

test('the same denial through the AWS CLI v1, v2 and boto3', async () => {
  const cli = await userWith('clara', ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']);
  const env = { AWS_ACCESS_KEY_ID: cli.accessKeyId, AWS_SECRET_ACCESS_KEY: cli.secretAccessKey };
  for (const bin of [AWS_CLI_V1, AWS_CLI_V2]) {
    const ls = await runCli(
      bin,
      ['--endpoint-url', nimbus.url, 's3api', 'list-buckets', '--query', 'Buckets[].Name', '--output', 'text'],
      env,
    );
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(ls.stdout.trim(), 'photos');
    const put = await runCli(bin, ['--endpoint-url', nimbus.url, 's3api', 'put-object', '--bucket', 'photos', '--key', 'cat.jpg'], env);
    assert.notEqual(put.code, 0);
    assert.match(put.stderr, /AccessDenied/);
    assert.ok(put.stderr.includes(PUT_DENIED('clara')), put.stderr);
  }
  const py = await runCli(
    'python3',
    [
      '-c',
      `
import boto3, botocore
s3 = boto3.client('s3', endpoint_url='${nimbus.url}')
print(len(s3.list_buckets()['Buckets']))
try:
    s3.put_object(Bucket='photos', Key='cat.jpg', Body=b'x')
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])
`,
    ],
    env,
  );
  assert.equal(py.stdout.trim(), '1\nAccessDenied 403', py.stderr);
});

test('an explicit deny beats an allow', async () => {
  const dan = await userWith(
    'dan',
    ['arn:aws:iam::aws:policy/AmazonS3FullAccess'],
    [{ Sid: 'NoPhotos', Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::photos/*' }],
  );
  await rejects(s3(dan).send(new PutObjectCommand({ Bucket: 'photos', Key: 'cat.jpg', Body: 'x' })), 'AccessDenied', 403, (e) => {
    assert.equal(
      e.message,
      'User: arn:aws:iam::000000000000:user/dan is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::photos/cat.jpg" with an explicit deny in an identity-based policy',
    );
  });
  await s3(dan)
    .send(new PutObjectCommand({ Bucket: 'photos', Key: 'ok/../x', Body: 'x' }))
    .catch(() => undefined);
  await s3().send(new CreateBucketCommand({ Bucket: 'other-bucket' }));
  await s3(dan).send(new PutObjectCommand({ Bucket: 'other-bucket', Key: 'k', Body: 'x' }));
});

test('an inactive key is refused; active again, it works', async () => {
  const eve = await userWith('eve', ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']);
  await iam().send(new UpdateAccessKeyCommand({ UserName: 'eve', AccessKeyId: eve.accessKeyId, Status: 'Inactive' }));
  await rejects(s3(eve).send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
  await iam().send(new UpdateAccessKeyCommand({ UserName: 'eve', AccessKeyId: eve.accessKeyId, Status: 'Active' }));
  assert.ok((await s3(eve).send(new ListBucketsCommand({}))).Buckets!.length >= 1);
});

test('a role assumed with a session policy narrower than the role', async () => {
  await s3(root).send(new PutObjectCommand({ Bucket: 'photos', Key: 'cat.jpg', Body: 'meow' }));
  await iam().send(
    new CreateRoleCommand({
      RoleName: 'app',
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'sts:AssumeRole' }]),
    }),
  );
  await iam().send(new AttachRolePolicyCommand({ RoleName: 'app', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3FullAccess' }));
  const out = await sts().send(
    new AssumeRoleCommand({
      RoleArn: 'arn:aws:iam::000000000000:role/app',
      RoleSessionName: 'narrow',
      DurationSeconds: 3600,
      Policy: doc([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }]),
    }),
  );
  const c = out.Credentials!;
  const sess = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  assert.equal((await sts(sess).send(new GetCallerIdentityCommand({}))).Arn, 'arn:aws:sts::000000000000:assumed-role/app/narrow');
  const got = await s3(sess).send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.jpg' }));
  assert.equal(await got.Body!.transformToString(), 'meow');
  await rejects(s3(sess).send(new PutObjectCommand({ Bucket: 'photos', Key: 'cat.jpg', Body: 'x' })), 'AccessDenied', 403, (e) => {
    assert.equal(
      e.message,
      'User: arn:aws:sts::000000000000:assumed-role/app/narrow is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::photos/cat.jpg" because no session policy allows the s3:PutObject action',
    );
  });
  // the narrow session may not assume roles; a session of the role that may is capped at an hour
  await rejects(
    sts(sess).send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/app', RoleSessionName: 'chain' })),
    'AccessDenied',
    403,
  );
  await iam().send(
    new PutRolePolicyCommand({
      RoleName: 'app',
      PolicyName: 'chain',
      PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]),
    }),
  );
  const wide = (await sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/app', RoleSessionName: 'wide' })))
    .Credentials!;
  const wideCreds = { accessKeyId: wide.AccessKeyId!, secretAccessKey: wide.SecretAccessKey!, sessionToken: wide.SessionToken! };
  await rejects(
    sts(wideCreds).send(
      new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/app', RoleSessionName: 'chain', DurationSeconds: 7200 }),
    ),
    'ValidationError',
    400,
    (e) => {
      assert.equal(e.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    },
  );
  await sts(wideCreds).send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/app', RoleSessionName: 'chain', DurationSeconds: 3600 }),
  );
  // past the role's MaxSessionDuration
  await rejects(
    sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/app', RoleSessionName: 'long', DurationSeconds: 10800 })),
    'ValidationError',
    400,
    (e) => {
      assert.equal(e.message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    },
  );
  // the session expires with the virtual clock
  const res = await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '2h' }) });
  assert.equal(res.status, 200);
  await rejects(s3(sess).send(new GetObjectCommand({ Bucket: 'photos', Key: 'cat.jpg' })), 'ExpiredToken', 400);
});

test('a trust policy that does not name the caller refuses AssumeRole; ExternalId is checked', async () => {
  await iam().send(
    new CreateRoleCommand({
      RoleName: 'partner',
      AssumeRolePolicyDocument: doc([
        {
          Effect: 'Allow',
          Principal: { AWS: '444455556666' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'xyz' } },
        },
      ]),
    }),
  );
  const roleArn = 'arn:aws:iam::000000000000:role/partner';
  const frank = await userWith('frank', ['arn:aws:iam::aws:policy/AdministratorAccess']);
  await rejects(sts(frank).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 's' + 'x' })), 'AccessDenied', 403, (e) => {
    assert.equal(
      e.message,
      `User: arn:aws:iam::000000000000:user/frank is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
    );
  });
  const partner = { accessKeyId: '444455556666', secretAccessKey: 'partner-secret' };
  await rejects(sts(partner).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'p1' })), 'AccessDenied', 403);
  const ok = await sts(partner).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'p1', ExternalId: 'xyz' }));
  assert.equal(ok.AssumedRoleUser!.Arn, 'arn:aws:sts::000000000000:assumed-role/partner/p1');
});

test('a bucket policy grants another account; without it the other account is refused', async () => {
  await s3().send(new CreateBucketCommand({ Bucket: 'shared' }));
  await s3().send(new PutObjectCommand({ Bucket: 'shared', Key: 'report.csv', Body: 'a,b' }));
  const other = { accessKeyId: '777788889999', secretAccessKey: 'other' };
  await rejects(s3(other).send(new GetObjectCommand({ Bucket: 'shared', Key: 'report.csv' })), 'AccessDenied', 403, (e) =>
    assert.equal(e.message, 'Access Denied'),
  );
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'shared',
      Policy: doc([
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::777788889999:root' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::shared/*',
        },
      ]),
    }),
  );
  const got = await s3(other).send(new GetObjectCommand({ Bucket: 'shared', Key: 'report.csv' }));
  assert.equal(await got.Body!.transformToString(), 'a,b');
  await rejects(s3(other).send(new PutObjectCommand({ Bucket: 'shared', Key: 'x', Body: 'x' })), 'AccessDenied', 403);
});

test('SQS and DynamoDB deny with AccessDeniedException and the IAM sentence', async () => {
  const gina = await userWith('gina', ['arn:aws:iam::aws:policy/ReadOnlyAccess']);
  const q = await new SQSClient(clientConfig(nimbus.url)).send(new CreateQueueCommand({ QueueName: 'jobs' }));
  await rejects(
    new SQSClient(clientConfig(nimbus.url, { credentials: gina })).send(new SendMessageCommand({ QueueUrl: q.QueueUrl, MessageBody: 'x' })),
    'AccessDeniedException',
    undefined,
    (e) => {
      assert.equal(
        e.message,
        'User: arn:aws:iam::000000000000:user/gina is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:000000000000:jobs because no identity-based policy allows the sqs:SendMessage action',
      );
    },
  );
  const ddb = new DynamoDBClient(clientConfig(nimbus.url));
  await ddb.send(
    new CreateTableCommand({
      TableName: 'tbl',
      AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const noDdb = await userWith('hank', ['arn:aws:iam::aws:policy/AmazonS3FullAccess']);
  await rejects(
    new DynamoDBClient(clientConfig(nimbus.url, { credentials: noDdb })).send(
      new GetItemCommand({ TableName: 'tbl', Key: { k: { S: '1' } } }),
    ),
    'AccessDeniedException',
    400,
    (e) => {
      assert.equal(
        e.message,
        'User: arn:aws:iam::000000000000:user/hank is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/tbl because no identity-based policy allows the dynamodb:GetItem action',
      );
    },
  );
  // ReadOnlyAccess reads the table
  const item = await new DynamoDBClient(clientConfig(nimbus.url, { credentials: gina })).send(
    new GetItemCommand({ TableName: 'tbl', Key: { k: { S: '1' } } }),
  );
  assert.equal(item.Item, undefined);
});

test('IAM itself is enforced: a query-protocol AccessDenied', async () => {
  const ivy = await userWith('ivy', ['arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']);
  await rejects(iam(ivy).send(new CreateUserCommand({ UserName: 'mallory' })), 'AccessDenied', 403, (e) => {
    assert.equal(
      e.message,
      'User: arn:aws:iam::000000000000:user/ivy is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/mallory because no identity-based policy allows the iam:CreateUser action',
    );
  });
  await rejects(
    s3({ accessKeyId: 'AKIANOTISSUEDBYNIMBUS', secretAccessKey: 'x' }).send(new ListBucketsCommand({})),
    'InvalidAccessKeyId',
    403,
  );
});

test('session tags become aws:PrincipalTag: a role policy with ${aws:PrincipalTag/team} (ABAC)', async () => {
  await iam().send(
    new CreateRoleCommand({
      RoleName: 'abac',
      AssumeRolePolicyDocument: doc([
        { Effect: 'Allow', Principal: { AWS: '000000000000' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
      ]),
    }),
  );
  await iam().send(
    new PutRolePolicyCommand({
      RoleName: 'abac',
      PolicyName: 'team',
      PolicyDocument: doc([
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::photos/${aws:PrincipalTag/team}/*' },
      ]),
    }),
  );
  const c = (
    await sts().send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::000000000000:role/abac',
        RoleSessionName: 'blue-member',
        Tags: [{ Key: 'team', Value: 'blue' }],
      }),
    )
  ).Credentials!;
  const blue = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  await s3(blue).send(new PutObjectCommand({ Bucket: 'photos', Key: 'blue/a.txt', Body: 'a' }));
  await rejects(s3(blue).send(new PutObjectCommand({ Bucket: 'photos', Key: 'red/a.txt', Body: 'a' })), 'AccessDenied', 403);
});

test('anonymous requests get only what a public bucket policy grants', async () => {
  await s3().send(new CreateBucketCommand({ Bucket: 'public-site' }));
  await s3().send(new PutObjectCommand({ Bucket: 'public-site', Key: 'index.html', Body: '<h1>hi</h1>' }));
  const url = `${nimbus.url}/public-site/index.html`;
  const before = await fetch(url);
  assert.equal(before.status, 403);
  assert.match(await before.text(), /<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
  await s3().send(
    new PutBucketPolicyCommand({
      Bucket: 'public-site',
      Policy: doc([{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::public-site/*' }]),
    }),
  );
  const after = await fetch(url);
  assert.equal(after.status, 200);
  assert.equal(await after.text(), '<h1>hi</h1>');
  const put = await fetch(`${nimbus.url}/public-site/evil.html`, { method: 'PUT', body: 'x' });
  assert.equal(put.status, 403);
});

test('S3 ACLs: with ACLs enabled (ObjectWriter), a public-read object is readable anonymously, a private one and the listing are not', async () => {
  await s3().send(new CreateBucketCommand({ Bucket: 'acl-bucket', ObjectOwnership: 'ObjectWriter' }));
  await s3().send(new PutObjectCommand({ Bucket: 'acl-bucket', Key: 'public.txt', Body: 'open', ACL: 'public-read' }));
  await s3().send(new PutObjectCommand({ Bucket: 'acl-bucket', Key: 'private.txt', Body: 'closed' }));
  const pub = await fetch(`${nimbus.url}/acl-bucket/public.txt`);
  assert.equal(pub.status, 200);
  assert.equal(await pub.text(), 'open');
  assert.equal((await fetch(`${nimbus.url}/acl-bucket/private.txt`)).status, 403);
  assert.equal((await fetch(`${nimbus.url}/acl-bucket?list-type=2`)).status, 403);
});

test('aws:ResourceTag: a user may send only to queues tagged env=dev; retagging takes effect at once', async () => {
  const sqsRoot = new SQSClient(clientConfig(nimbus.url));
  const dev = (await sqsRoot.send(new CreateQueueCommand({ QueueName: 'dev-q', tags: { env: 'dev' } }))).QueueUrl!;
  const prod = (await sqsRoot.send(new CreateQueueCommand({ QueueName: 'prod-q', tags: { env: 'prod' } }))).QueueUrl!;
  const tagged = await userWith(
    'tagged',
    [],
    [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } }],
  );
  const sqs = new SQSClient(clientConfig(nimbus.url, { credentials: tagged }));
  await sqs.send(new SendMessageCommand({ QueueUrl: dev, MessageBody: 'ok' }));
  await rejects(sqs.send(new SendMessageCommand({ QueueUrl: prod, MessageBody: 'no' })), 'AccessDeniedException');
  await sqsRoot.send(new TagQueueCommand({ QueueUrl: prod, Tags: { env: 'dev' } }));
  await sqs.send(new SendMessageCommand({ QueueUrl: prod, MessageBody: 'now ok' }));
});
