// Audit mode (IAM not enforced): calls go through, and the log says what would have been denied and
// which statement decided.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { STSClient, GetFederationTokenCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig } from '../helpers.js';

const nimbus = serverForFile(undefined, { logLevel: 'info' });

async function logged(fn: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return lines.join('');
}

test('a call the policies would deny succeeds, and the log names the deciding statement', async () => {
  const iam = new IAMClient(clientConfig(nimbus.url));
  await iam.send(new CreateUserCommand({ UserName: 'auditee' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'auditee',
      PolicyName: 'guard',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadAll', Effect: 'Allow', Action: 's3:*', Resource: '*' },
          { Sid: 'NoWrites', Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::audit/*' },
        ],
      }),
    }),
  );
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'auditee' }))).AccessKey!;
  const creds = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  await new S3Client(clientConfig(nimbus.url, { forcePathStyle: true })).send(new CreateBucketCommand({ Bucket: 'audit' }));
  const s3 = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true, credentials: creds }));
  const log = await logged(() => s3.send(new PutObjectCommand({ Bucket: 'audit', Key: 'a.txt', Body: 'x' })));
  assert.match(
    log,
    /iam audit: would deny s3:PutObject on arn:aws:s3:::audit\/a\.txt to arn:aws:iam::000000000000:user\/auditee: ExplicitDeny, statement "NoWrites" of user\/auditee inline policy guard/,
  );
  const allowed = await logged(() => s3.send(new GetObjectCommand({ Bucket: 'audit', Key: 'a.txt' })));
  assert.doesNotMatch(allowed, /iam audit/);
});

test('GetFederationToken: the federated user is who GetCallerIdentity names; no policy, no access', async () => {
  const sts = new STSClient(clientConfig(nimbus.url));
  const out = await sts.send(new GetFederationTokenCommand({ Name: 'visitor', DurationSeconds: 900 }));
  assert.equal(out.FederatedUser!.Arn, 'arn:aws:sts::000000000000:federated-user/visitor');
  const c = out.Credentials!;
  const fed = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  const me = await new STSClient(clientConfig(nimbus.url, { credentials: fed })).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, 'arn:aws:sts::000000000000:federated-user/visitor');
  assert.equal(me.UserId, '000000000000:visitor');
  const log = await logged(() =>
    new S3Client(clientConfig(nimbus.url, { forcePathStyle: true, credentials: fed })).send(
      new GetObjectCommand({ Bucket: 'audit', Key: 'a.txt' }),
    ),
  );
  assert.match(log, /would deny s3:GetObject .*:federated-user\/visitor: ImplicitDeny, no statement allows it \(session policy\)/);
});
