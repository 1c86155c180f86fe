// STS AssumeRoleWithWebIdentity against an OIDC provider registered in IAM, with the signing keys
// (JWKS) registered through POST /_nimbus/iam/oidc-jwks; under enforcement.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateKeyPairSync, sign } from 'node:crypto';
import { IAMClient, CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { STSClient, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
const ISSUER = 'token.actions.example.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const roleArn = 'arn:aws:iam::000000000000:role/deploy';

function jwt(claims: Record<string, unknown>, key = privateKey): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${enc(claims)}`;
  return `${head}.${sign('sha256', Buffer.from(head), key).toString('base64url')}`;
}

const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs / 1000;
const claims = async (extra: Record<string, unknown> = {}) => ({
  iss: `https://${ISSUER}`,
  aud: 'sts.amazonaws.com',
  sub: 'repo:org/app:ref:refs/heads/main',
  exp: Math.floor(await now()) + 600,
  ...extra,
});
const sts = () => new STSClient(clientConfig(nimbus.url, { credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } }));

test('a signed token whose subject the trust policy names gets the role', async () => {
  const iam = new IAMClient(clientConfig(nimbus.url));
  const { OpenIDConnectProviderArn } = await iam.send(
    new CreateOpenIDConnectProviderCommand({
      Url: `https://${ISSUER}`,
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['0'.repeat(40)],
    }),
  );
  const reg = await fetch(`${nimbus.url}/_nimbus/iam/oidc-jwks`, {
    method: 'POST',
    body: JSON.stringify({
      providerArn: OpenIDConnectProviderArn,
      jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256' }] },
    }),
  });
  assert.equal(reg.status, 200);
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'deploy',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: OpenIDConnectProviderArn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${ISSUER}:sub`]: 'repo:org/app:*' } },
          },
        ],
      }),
    }),
  );
  const out = await sts().send(
    new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'gha', WebIdentityToken: jwt(await claims()) }),
  );
  assert.equal(out.SubjectFromWebIdentityToken, 'repo:org/app:ref:refs/heads/main');
  assert.equal(out.Audience, 'sts.amazonaws.com');
  const c = out.Credentials!;
  const me = await new STSClient(
    clientConfig(nimbus.url, {
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    }),
  ).send(new GetCallerIdentityCommand({}));
  assert.equal(me.Arn, 'arn:aws:sts::000000000000:assumed-role/deploy/gha');
});

test('another subject, another signer, an unknown issuer, an expired token: refused', async () => {
  await rejects(
    sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'ss',
        WebIdentityToken: jwt(await claims({ sub: 'repo:evil/app:ref:x' })),
      }),
    ),
    'AccessDenied',
    403,
    (e) => assert.equal(e.message, 'Not authorized to perform sts:AssumeRoleWithWebIdentity'),
  );
  await rejects(
    sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'ss',
        WebIdentityToken: jwt(await claims(), other.privateKey),
      }),
    ),
    'InvalidIdentityTokenException',
    400,
  );
  await rejects(
    sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'ss',
        WebIdentityToken: jwt(await claims({ iss: 'https://elsewhere.example' })),
      }),
    ),
    'InvalidIdentityTokenException',
    400,
    (e) => assert.equal(e.message, 'No OpenIDConnect provider found in your account for https://elsewhere.example'),
  );
  await rejects(
    sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'ss', WebIdentityToken: 'not-a-jwt' })),
    'InvalidIdentityTokenException',
    400,
  );
  const token = jwt(await claims());
  await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1h' }) });
  await rejects(
    sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'ss', WebIdentityToken: token })),
    'ExpiredTokenException',
    400,
  );
});
