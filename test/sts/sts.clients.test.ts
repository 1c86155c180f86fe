import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STSClient,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  AssumeRoleCommand,
  GetAccessKeyInfoCommand,
  DecodeAuthorizationMessageCommand,
} from '@aws-sdk/client-sts';
import { serverForFile, clientConfig, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

const sts = (creds?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new STSClient(clientConfig(nimbus.url, creds ? { credentials: creds } : {}));

test('GetCallerIdentity: the default test key is the root of account 000000000000', async () => {
  const out = await sts().send(new GetCallerIdentityCommand({}));
  assert.equal(out.Account, '000000000000');
  assert.equal(out.Arn, 'arn:aws:iam::000000000000:root');
  assert.equal(out.UserId, '000000000000');
  assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
});

test('GetCallerIdentity: a 12-digit access key id selects that account', async () => {
  const out = await sts({ accessKeyId: '111122223333', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({}));
  assert.equal(out.Account, '111122223333');
  assert.equal(out.Arn, 'arn:aws:iam::111122223333:root');
});

test('GetAccessKeyInfo: names the account of an issued key, the default account for others', async () => {
  const { Credentials } = await sts({ accessKeyId: '444455556666', secretAccessKey: 'x' }).send(new GetSessionTokenCommand({}));
  const issued = await sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: Credentials!.AccessKeyId! }));
  assert.equal(issued.Account, '444455556666');
  const other = await sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: 'AKIAIOSFODNN7EXAMPLE' }));
  assert.equal(other.Account, '000000000000');
});

test('GetAccessKeyInfo: a key id shorter than 16 characters fails the model constraint', async () => {
  await assert.rejects(sts().send(new GetAccessKeyInfoCommand({ AccessKeyId: 'short' })), (e: Error) => {
    assert.equal(e.name, 'ValidationError');
    assert.equal(
      e.message,
      "1 validation error detected: Value 'short' at 'accessKeyId' failed to satisfy constraint: Member must have length greater than or equal to 16",
    );
    return true;
  });
});

test('GetSessionToken: issues credentials that sign as the caller, verified against their secret', async () => {
  const serverNow = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
  const from = await serverNow();
  const { Credentials } = await sts({ accessKeyId: '123456789012', secretAccessKey: 'x' }).send(
    new GetSessionTokenCommand({ DurationSeconds: 900 }),
  );
  const to = await serverNow();
  assert.ok(Credentials?.AccessKeyId?.startsWith('ASIA'));
  assert.equal(Credentials!.AccessKeyId!.length, 20);
  // DurationSeconds from the moment of issue (the Expiration has whole seconds)
  const expires = Credentials!.Expiration!.getTime();
  assert.ok(
    expires >= from + 899_000 && expires <= to + 900_000,
    `${Credentials!.Expiration!.toISOString()} is not 900 s after ${new Date(from).toISOString()}`,
  );
  const session = {
    accessKeyId: Credentials!.AccessKeyId!,
    secretAccessKey: Credentials!.SecretAccessKey!,
    sessionToken: Credentials!.SessionToken!,
  };
  const me = await sts(session).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Account, '123456789012');

  await assert.rejects(sts({ ...session, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({})), (e: Error) => {
    assert.equal(e.name, 'SignatureDoesNotMatch');
    assert.match(e.message, /The request signature we calculated does not match the signature you provided/);
    return true;
  });
});

test('GetSessionToken: DurationSeconds below 900 is a ValidationError', async () => {
  await assert.rejects(
    sts().send(new GetSessionTokenCommand({ DurationSeconds: 10 })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'ValidationError');
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    },
  );
});

test('AssumeRole: session credentials of the assumed role, expiring on the virtual clock', async () => {
  const out = await sts().send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::210987654321:role/deployer', RoleSessionName: 'ci-run', DurationSeconds: 900 }),
  );
  assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::210987654321:assumed-role/deployer/ci-run');
  assert.match(out.AssumedRoleUser?.AssumedRoleId ?? '', /^AROA[A-Z2-7]{17}:ci-run$/);
  const role = sts({
    accessKeyId: out.Credentials!.AccessKeyId!,
    secretAccessKey: out.Credentials!.SecretAccessKey!,
    sessionToken: out.Credentials!.SessionToken!,
  });
  const me = await role.send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, 'arn:aws:sts::210987654321:assumed-role/deployer/ci-run');
  assert.equal(me.Account, '210987654321');

  const res = await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '16m' }) });
  assert.equal(res.status, 200);
  await assert.rejects(role.send(new GetCallerIdentityCommand({})), (e: Error) => {
    assert.equal(e.name, 'ExpiredToken');
    return true;
  });
});

test('AssumeRole: an invalid session name is a ValidationError with the pattern', async () => {
  await assert.rejects(
    sts().send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::210987654321:role/r', RoleSessionName: 'has space' })),
    (e: Error) => {
      assert.equal(e.name, 'ValidationError');
      assert.match(e.message, /roleSessionName/);
      return true;
    },
  );
});

test('DecodeAuthorizationMessage refuses a message Nimbus did not encode (400)', async () => {
  await assert.rejects(
    sts().send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'x' })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'InvalidAuthorizationMessageException');
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    },
  );
});

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`AWS CLI ${name}: sts get-caller-identity`, async () => {
    const version = await runCli(cli, ['--version']);
    assert.match(version.stdout + version.stderr, new RegExp(`aws-cli/${name.slice(1)}\\.`));
    const r = await runCli(cli, ['--endpoint-url', nimbus.url, 'sts', 'get-caller-identity', '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { Account: string; Arn: string };
    assert.equal(out.Account, '000000000000');
    assert.equal(out.Arn, 'arn:aws:iam::000000000000:root');
  });

  test(`AWS CLI ${name}: decode-authorization-message prints STS's error for a foreign message`, async () => {
    const r = await runCli(cli, ['--endpoint-url', nimbus.url, 'sts', 'decode-authorization-message', '--encoded-message', 'x']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /An error occurred \(InvalidAuthorizationMessageException\) when calling the DecodeAuthorizationMessage operation/,
    );
  });
}

test('boto3: sts get_caller_identity and assume_role', async () => {
  const script = `
import boto3, json, sys
sts = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
me = sts.get_caller_identity()
role = sts.assume_role(RoleArn='arn:aws:iam::555566667777:role/app', RoleSessionName='boto')['Credentials']
as_role = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=role['AccessKeyId'], aws_secret_access_key=role['SecretAccessKey'], aws_session_token=role['SessionToken'])
print(json.dumps({'me': me['Arn'], 'role': as_role.get_caller_identity()['Arn']}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { me: string; role: string };
  assert.equal(out.me, 'arn:aws:iam::000000000000:root');
  assert.equal(out.role, 'arn:aws:sts::555566667777:assumed-role/app/boto');
});
