// Enforcement on KMS: the key policy must allow the call (naming the account delegates to IAM
// policies), resources are key ARNs whether the caller names the key by id, alias or ciphertext,
// and the kms:* condition keys are there to test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  KMSClient,
  CreateKeyCommand,
  CreateAliasCommand,
  EncryptCommand,
  DecryptCommand,
  GenerateDataKeyCommand,
} from '@aws-sdk/client-kms';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
const root = () => new KMSClient(clientConfig(nimbus.url));
const iam = () => new IAMClient(clientConfig(nimbus.url));

async function user(name: string, statements: unknown[]): Promise<KMSClient> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  if (statements.length)
    await iam().send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'kms',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return new KMSClient(clientConfig(nimbus.url, { credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }));
}
const plain = new TextEncoder().encode('secret');

test('an identity policy naming one key ARN allows it by id, alias and ciphertext, and nothing else', async () => {
  const mine = (await root().send(new CreateKeyCommand({}))).KeyMetadata!;
  const other = (await root().send(new CreateKeyCommand({}))).KeyMetadata!;
  await root().send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: mine.KeyId }));
  const alice = await user('alice', [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: mine.Arn }]);
  const blob = (await alice.send(new EncryptCommand({ KeyId: mine.KeyId, Plaintext: plain }))).CiphertextBlob!;
  await alice.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: plain }));
  const back = await alice.send(new DecryptCommand({ CiphertextBlob: blob }));
  assert.equal(Buffer.from(back.Plaintext!).toString(), 'secret');
  await rejects(alice.send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: plain })), 'AccessDeniedException', 400, (e) =>
    assert.equal(
      e.message,
      `User: arn:aws:iam::000000000000:user/alice is not authorized to perform: kms:Encrypt on resource: ${other.Arn} because no identity-based policy allows the kms:Encrypt action`,
    ),
  );
  const otherBlob = (await root().send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: plain }))).CiphertextBlob!;
  await rejects(alice.send(new DecryptCommand({ CiphertextBlob: otherBlob })), 'AccessDeniedException', 400);
});

test('a key policy that does not name the account: IAM policies alone are not enough; a user it names needs none', async () => {
  const keyPolicy = (principal: string) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'admin',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::000000000000:root' },
          Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey'],
          Resource: '*',
        },
        { Sid: 'use', Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:GenerateDataKey', Resource: '*' },
      ],
    });
  const carol = await user('carol', []);
  const dave = await user('dave', [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }]);
  const key = (await root().send(new CreateKeyCommand({ Policy: keyPolicy('arn:aws:iam::000000000000:user/carol') }))).KeyMetadata!;
  const dk = await carol.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
  assert.equal(dk.Plaintext?.length, 32);
  await rejects(dave.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException', 400, (e) =>
    assert.match(String(e.message), /because no resource-based policy allows the kms:GenerateDataKey action$/),
  );
});

test('kms:EncryptionContext and kms:RequestAlias conditions decide', async () => {
  const key = (await root().send(new CreateKeyCommand({}))).KeyMetadata!;
  await root().send(new CreateAliasCommand({ AliasName: 'alias/billing', TargetKeyId: key.KeyId }));
  const erin = await user('erin', [
    {
      Effect: 'Allow',
      Action: 'kms:Encrypt',
      Resource: key.Arn,
      Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'billing' } },
    },
    { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: '*', Condition: { StringEquals: { 'kms:RequestAlias': 'alias/billing' } } },
  ]);
  await erin.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain, EncryptionContext: { purpose: 'billing' } }));
  await rejects(
    erin.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain, EncryptionContext: { purpose: 'other' } })),
    'AccessDeniedException',
    400,
  );
  await rejects(erin.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plain })), 'AccessDeniedException', 400);
  await erin.send(new GenerateDataKeyCommand({ KeyId: 'alias/billing', KeySpec: 'AES_256' }));
  await rejects(erin.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException', 400);
});
