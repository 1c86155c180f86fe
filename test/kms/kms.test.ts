// KMS keys and encryption through SDK v3: lifecycle, aliases, policies, envelope encryption, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  KMSClient,
  CreateKeyCommand,
  DescribeKeyCommand,
  ListKeysCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  ListAliasesCommand,
  UpdateAliasCommand,
  DeleteAliasCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  ListKeyPoliciesCommand,
  TagResourceCommand,
  ListResourceTagsCommand,
  UntagResourceCommand,
  EncryptCommand,
  DecryptCommand,
  ReEncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateDataKeyPairCommand,
  GenerateRandomCommand,
} from '@aws-sdk/client-kms';
import { serverForFile, clientConfig } from '../helpers.js';

let kms: KMSClient;
const nimbus = serverForFile(() => {
  kms = new KMSClient(clientConfig(nimbus.url));
});
const advance = async (by: string) =>
  assert.equal((await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) })).status, 200);
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error & { name: string }) => e.name,
  );
const newKey = async () => (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;

test('CreateKey makes an enabled symmetric key that DescribeKey and ListKeys show', async () => {
  const md = (await kms.send(new CreateKeyCommand({ Description: 'd', Tags: [{ TagKey: 'team', TagValue: 'a' }] }))).KeyMetadata!;
  assert.match(md.KeyId!, /^[0-9a-f-]{36}$/);
  assert.equal(md.Arn, `arn:aws:kms:us-east-1:000000000000:key/${md.KeyId}`);
  assert.equal(md.KeyState, 'Enabled');
  assert.equal(md.KeySpec, 'SYMMETRIC_DEFAULT');
  assert.equal(md.KeyUsage, 'ENCRYPT_DECRYPT');
  assert.equal(md.KeyManager, 'CUSTOMER');
  assert.deepEqual(md.EncryptionAlgorithms, ['SYMMETRIC_DEFAULT']);
  const d = (await kms.send(new DescribeKeyCommand({ KeyId: md.Arn }))).KeyMetadata!;
  assert.equal(d.Description, 'd');
  const keys = (await kms.send(new ListKeysCommand({}))).Keys!;
  assert.ok(keys.some((k) => k.KeyId === md.KeyId && k.KeyArn === md.Arn));
  assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: md.KeyId }))).Tags, [{ TagKey: 'team', TagValue: 'a' }]);
});

test('asymmetric and HMAC specs report their algorithms', async () => {
  const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
  assert.ok(rsa.SigningAlgorithms!.includes('RSASSA_PSS_SHA_256'));
  const ec = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
  assert.deepEqual(ec.SigningAlgorithms, ['ECDSA_SHA_384']);
  const mac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
  assert.deepEqual(mac.MacAlgorithms, ['HMAC_SHA_256']);
  assert.equal(
    await code(kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }))),
    'ValidationException',
  );
});

test('unknown keys are NotFoundException naming the key ARN', async () => {
  const id = '11111111-2222-3333-4444-555555555555';
  await assert.rejects(
    kms.send(new DescribeKeyCommand({ KeyId: id })),
    (e: Error) => e.name === 'NotFoundException' && e.message === `Key 'arn:aws:kms:us-east-1:000000000000:key/${id}' does not exist`,
  );
  assert.equal(await code(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' }))), 'NotFoundException');
});

test('envelope encryption: GenerateDataKey, local AES-GCM, Decrypt of the data key', async () => {
  const key = await newKey();
  const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { app: 'x' } }));
  assert.equal(dk.Plaintext!.length, 32);
  assert.equal(dk.KeyId, key.Arn);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', dk.Plaintext!, iv);
  const sealed = Buffer.concat([c.update('secret document'), c.final()]);
  const tag = c.getAuthTag();
  // later: only the encrypted data key is kept
  const back = await kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { app: 'x' } }));
  assert.equal(back.KeyId, key.Arn);
  const d = createDecipheriv('aes-256-gcm', back.Plaintext!, iv);
  d.setAuthTag(tag);
  assert.equal(Buffer.concat([d.update(sealed), d.final()]).toString(), 'secret document');
  // the encryption context is authenticated
  assert.equal(
    await code(kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { app: 'y' } }))),
    'InvalidCiphertextException',
  );
  const n = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 64 }));
  assert.equal('Plaintext' in n, false);
  assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: n.CiphertextBlob }))).Plaintext!.length, 64);
  assert.equal(await code(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId }))), 'ValidationException');
});

test('every altered byte of a ciphertext is InvalidCiphertextException', async () => {
  const key = await newKey();
  const blob = Buffer.from((await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('hello') }))).CiphertextBlob!);
  for (const i of [0, 1, 5, blob.length - 20, blob.length - 1]) {
    const bad = Buffer.from(blob);
    bad[i] ^= 0x01;
    assert.equal(await code(kms.send(new DecryptCommand({ CiphertextBlob: bad }))), 'InvalidCiphertextException', `byte ${i}`);
  }
  assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'hello');
});

test('Decrypt with another KeyId is IncorrectKeyException; a disabled key is DisabledException', async () => {
  const a = await newKey();
  const b = await newKey();
  const blob = (await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
  assert.equal(await code(kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: b.KeyId }))), 'IncorrectKeyException');
  await kms.send(new DisableKeyCommand({ KeyId: a.KeyId }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: a.KeyId }))).KeyMetadata!.KeyState, 'Disabled');
  assert.equal(await code(kms.send(new DecryptCommand({ CiphertextBlob: blob }))), 'DisabledException');
  assert.equal(await code(kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('x') }))), 'DisabledException');
  await kms.send(new EnableKeyCommand({ KeyId: a.KeyId }));
  assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'x');
  const re = await kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: b.Arn }));
  assert.equal(re.SourceKeyId, a.Arn);
  assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }))).KeyId, b.Arn);
});

test('RSA keys encrypt with OAEP and need the KeyId to decrypt', async () => {
  const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
  for (const alg of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const) {
    const blob = (await kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: Buffer.from('rsa'), EncryptionAlgorithm: alg })))
      .CiphertextBlob!;
    assert.equal(blob.length, 256);
    const out = await kms.send(new DecryptCommand({ KeyId: rsa.KeyId, CiphertextBlob: blob, EncryptionAlgorithm: alg }));
    assert.equal(Buffer.from(out.Plaintext!).toString(), 'rsa');
  }
  assert.equal(await code(kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: Buffer.from('x') }))), 'InvalidKeyUsageException');
});

test('GenerateDataKeyPair returns a DER key pair whose private half decrypts back', async () => {
  const key = await newKey();
  const p = await kms.send(new GenerateDataKeyPairCommand({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
  const back = await kms.send(new DecryptCommand({ CiphertextBlob: p.PrivateKeyCiphertextBlob }));
  assert.deepEqual(Buffer.from(back.Plaintext!), Buffer.from(p.PrivateKeyPlaintext!));
  assert.equal((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 17 }))).Plaintext!.length, 17);
});

test('ScheduleKeyDeletion: pending keys refuse use, cancel leaves them disabled, the clock deletes them', async () => {
  const key = await newKey();
  assert.equal(await code(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 }))), 'ValidationException');
  const s = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  assert.equal(s.KeyState, 'PendingDeletion');
  assert.equal(s.PendingWindowInDays, 7);
  await assert.rejects(
    kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })),
    (e: Error) => e.name === 'KMSInvalidStateException' && e.message === `${key.Arn} is pending deletion.`,
  );
  await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'Disabled');
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
  await advance('6d');
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
  await advance('2d');
  assert.equal(await code(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))), 'NotFoundException');
});

test('aliases: create, list, update, delete; alias/aws/ is reserved', async () => {
  const a = await newKey();
  const b = await newKey();
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a.KeyId }));
  assert.equal(await code(kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b.KeyId }))), 'AlreadyExistsException');
  assert.equal(
    await code(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: b.KeyId }))),
    'InvalidAliasNameException',
  );
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId, a.KeyId);
  const blob = (await kms.send(new EncryptCommand({ KeyId: 'alias/app', Plaintext: Buffer.from('x') }))).CiphertextBlob!;
  await kms.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b.KeyId }));
  const listed = (await kms.send(new ListAliasesCommand({ KeyId: b.KeyId }))).Aliases!;
  assert.deepEqual(
    listed.map((x) => [x.AliasName, x.AliasArn, x.TargetKeyId]),
    [['alias/app', 'arn:aws:kms:us-east-1:000000000000:alias/app', b.KeyId]],
  );
  assert.equal((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).KeyId, a.Arn);
  await kms.send(new DeleteAliasCommand({ AliasName: 'alias/app' }));
  assert.equal(await code(kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))), 'NotFoundException');
});

test('key policies: the default policy, PutKeyPolicy, ListKeyPolicies; tags', async () => {
  const key = await newKey();
  const p = JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy!);
  assert.equal(p.Statement[0].Principal.AWS, 'arn:aws:iam::000000000000:root');
  assert.equal(p.Statement[0].Action, 'kms:*');
  const mine = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
  });
  await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: mine }));
  assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, mine);
  assert.deepEqual((await kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }))).PolicyNames, ['default']);
  assert.equal(
    await code(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: '{not json' }))),
    'MalformedPolicyDocumentException',
  );
  await kms.send(
    new TagResourceCommand({
      KeyId: key.KeyId,
      Tags: [
        { TagKey: 'a', TagValue: '1' },
        { TagKey: 'b', TagValue: '2' },
      ],
    }),
  );
  await kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a'] }));
  assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags, [{ TagKey: 'b', TagValue: '2' }]);
});

test('DescribeKey of an AWS managed alias makes its key; DryRun answers DryRunOperationException', async () => {
  const md = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sqs' }))).KeyMetadata!;
  assert.equal(md.KeyManager, 'AWS');
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/sqs' }))).KeyMetadata!.KeyId, md.KeyId);
  assert.equal(
    await code(kms.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Buffer.from('x'), DryRun: true }))),
    'DryRunOperationException',
  );
});

test('AWS managed keys are made on first use through the integration and refuse changes', async () => {
  const arn = nimbus.runtime.integrations.kms!.awsManagedKey('000000000000', 'us-east-1', 's3');
  assert.equal(nimbus.runtime.integrations.kms!.awsManagedKey('000000000000', 'us-east-1', 's3'), arn);
  const md = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
  assert.equal(md.Arn, arn);
  assert.equal(md.KeyManager, 'AWS');
  assert.equal(await code(kms.send(new DisableKeyCommand({ KeyId: arn }))), 'UnsupportedOperationException');
  const i = nimbus.runtime.integrations.kms!;
  const enc = i.encrypt('000000000000', 'us-east-1', 'alias/aws/s3', Buffer.from('obj'), { bucket: 'b' });
  assert.equal(enc.keyArn, arn);
  assert.equal(i.decrypt('000000000000', 'us-east-1', enc.ciphertext, { bucket: 'b' }).plaintext.toString(), 'obj');
  const dk = i.generateDataKey('000000000000', 'us-east-1', arn);
  assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: dk.ciphertext }))).Plaintext!), dk.plaintext);
  assert.equal(i.describeKey('000000000000', 'us-east-1', 'alias/aws/s3').keyManager, 'AWS');
});
