// KMS grants under enforcement: a grant allows its grantee what no key-policy or IAM statement does,
// in the key's account and from another account (the key named by ARN); constraints are held against
// the request's encryption context; retired and revoked grants stop allowing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand } from '@aws-sdk/client-iam';
import {
  KMSClient,
  CreateKeyCommand,
  CreateGrantCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  EncryptCommand,
  DecryptCommand,
  GenerateDataKeyCommand,
  DescribeKeyCommand,
  ReEncryptCommand,
  ListRetirableGrantsCommand,
} from '@aws-sdk/client-kms';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const OWNER = '111111111111';
const OTHER = '222222222222';
const nimbus = serverForFile(undefined, { enforceIam: true });
const asRoot = (account: string) => ({ credentials: { accessKeyId: account, secretAccessKey: 'x' } });
const ownerKms = () => new KMSClient(clientConfig(nimbus.url, asRoot(OWNER)));

/** A user with no policy at all, in the given account. */
async function user(account: string, name: string): Promise<KMSClient> {
  const iam = new IAMClient(clientConfig(nimbus.url, asRoot(account)));
  await iam.send(new CreateUserCommand({ UserName: name }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return new KMSClient(clientConfig(nimbus.url, { credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }));
}
const plain = new TextEncoder().encode('secret');
const denied = (arn: string, action: string, key: string, why: string) => (e: Record<string, unknown>) =>
  assert.equal(
    e.message,
    `User: ${arn} is not authorized to perform: ${action} on resource: ${key} because no ${why} allows the ${action} action`,
  );

test("a grant to a user of the key's account: denied before, allowed after, constraints held, denied after revoke", async () => {
  const key = (await ownerKms().send(new CreateKeyCommand({}))).KeyMetadata!;
  const bob = await user(OWNER, 'bob');
  const bobArn = `arn:aws:iam::${OWNER}:user/bob`;
  await rejects(
    bob.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain })),
    'AccessDeniedException',
    400,
    denied(bobArn, 'kms:Encrypt', key.Arn!, 'identity-based policy'),
  );
  const g = await ownerKms().send(
    new CreateGrantCommand({
      KeyId: key.KeyId,
      GranteePrincipal: bobArn,
      Operations: ['Encrypt', 'Decrypt', 'DescribeKey'],
      Constraints: { EncryptionContextSubset: { purpose: 'billing' } },
    }),
  );
  // usable at once, with or without its token; a constraint key matches without case, its value with
  const blob = (
    await bob.send(
      new EncryptCommand({
        KeyId: key.KeyId,
        Plaintext: plain,
        EncryptionContext: { Purpose: 'billing', extra: '1' },
        GrantTokens: [g.GrantToken!],
      }),
    )
  ).CiphertextBlob!;
  const back = await bob.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { Purpose: 'billing', extra: '1' } }));
  assert.equal(Buffer.from(back.Plaintext!).toString(), 'secret');
  await bob.send(new DescribeKeyCommand({ KeyId: key.KeyId })); // constraints do not apply to DescribeKey
  await rejects(
    bob.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain, EncryptionContext: { purpose: 'Billing' } })),
    'AccessDeniedException',
    400,
    denied(bobArn, 'kms:Encrypt', key.Arn!, 'identity-based policy'),
  );
  await rejects(bob.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain })), 'AccessDeniedException', 400);
  // an operation the grant does not name
  await rejects(
    bob.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'billing' } })),
    'AccessDeniedException',
    400,
    denied(bobArn, 'kms:GenerateDataKey', key.Arn!, 'identity-based policy'),
  );
  await ownerKms().send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: g.GrantId }));
  await rejects(
    bob.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain, EncryptionContext: { purpose: 'billing' } })),
    'AccessDeniedException',
    400,
  );
});

test('EncryptionContextEquals needs the same pairs, no more; ReEncrypt needs both halves', async () => {
  const a = (await ownerKms().send(new CreateKeyCommand({}))).KeyMetadata!;
  const b = (await ownerKms().send(new CreateKeyCommand({}))).KeyMetadata!;
  const erin = await user(OWNER, 'erin');
  const arn = `arn:aws:iam::${OWNER}:user/erin`;
  await ownerKms().send(
    new CreateGrantCommand({
      KeyId: a.KeyId,
      GranteePrincipal: arn,
      Operations: ['Encrypt', 'ReEncryptFrom'],
      Constraints: { EncryptionContextEquals: { app: 'x' } },
    }),
  );
  const blob = (await erin.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: plain, EncryptionContext: { app: 'x' } }))).CiphertextBlob!;
  await rejects(
    erin.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: plain, EncryptionContext: { app: 'x', more: 'y' } })),
    'AccessDeniedException',
    400,
  );
  await rejects(
    erin.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { app: 'x' }, DestinationKeyId: b.KeyId })),
    'AccessDeniedException',
    400,
    denied(arn, 'kms:ReEncryptTo', b.Arn!, 'identity-based policy'),
  );
  await ownerKms().send(new CreateGrantCommand({ KeyId: b.KeyId, GranteePrincipal: arn, Operations: ['ReEncryptTo'] }));
  await erin.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceEncryptionContext: { app: 'x' }, DestinationKeyId: b.KeyId }));
});

test("across accounts: a grant lets another account's user use the key by ARN; its retiring principal retires it", async () => {
  const key = (await ownerKms().send(new CreateKeyCommand({}))).KeyMetadata!;
  const carl = await user(OTHER, 'carl');
  const rita = await user(OTHER, 'rita');
  const carlArn = `arn:aws:iam::${OTHER}:user/carl`;
  await rejects(
    carl.send(new GenerateDataKeyCommand({ KeyId: key.Arn, KeySpec: 'AES_256' })),
    'AccessDeniedException',
    400,
    denied(carlArn, 'kms:GenerateDataKey', key.Arn!, 'resource-based policy'),
  );
  const g = await ownerKms().send(
    new CreateGrantCommand({
      KeyId: key.KeyId,
      GranteePrincipal: carlArn,
      RetiringPrincipal: `arn:aws:iam::${OTHER}:user/rita`,
      Operations: ['GenerateDataKey', 'Decrypt'],
    }),
  );
  const dk = await carl.send(new GenerateDataKeyCommand({ KeyId: key.Arn, KeySpec: 'AES_256', GrantTokens: [g.GrantToken!] }));
  const back = await carl.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
  assert.deepEqual(Buffer.from(back.Plaintext!), Buffer.from(dk.Plaintext!));
  // the grantee may not retire a grant that does not give it RetireGrant; the retiring principal may
  await rejects(carl.send(new RetireGrantCommand({ GrantToken: g.GrantToken })), 'AccessDeniedException', 400);
  const retirable = await new KMSClient(clientConfig(nimbus.url, asRoot(OTHER))).send(
    new ListRetirableGrantsCommand({ RetiringPrincipal: `arn:aws:iam::${OTHER}:user/rita` }),
  );
  assert.deepEqual(
    retirable.Grants!.map((x) => [x.GrantId, x.KeyId]),
    [[g.GrantId, key.Arn]],
  );
  await rita.send(new RetireGrantCommand({ GrantToken: g.GrantToken }));
  await rejects(carl.send(new GenerateDataKeyCommand({ KeyId: key.Arn, KeySpec: 'AES_256' })), 'AccessDeniedException', 400);
});

test('an explicit deny in the key policy beats a grant', async () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'NoDan', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${OWNER}:user/dan` }, Action: 'kms:Encrypt', Resource: '*' },
    ],
  });
  const key = (await ownerKms().send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!;
  const dan = await user(OWNER, 'dan');
  await ownerKms().send(
    new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::${OWNER}:user/dan`, Operations: ['Encrypt'] }),
  );
  await rejects(dan.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain })), 'AccessDeniedException', 400, (e) =>
    assert.equal(
      e.message,
      `User: arn:aws:iam::${OWNER}:user/dan is not authorized to perform: kms:Encrypt on resource: ${key.Arn} with an explicit deny in a resource-based policy`,
    ),
  );
});
