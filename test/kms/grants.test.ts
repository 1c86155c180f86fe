// KMS grants, rotation on the virtual clock and on demand, multi-Region replicas, through SDK v3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KMSClient,
  CreateKeyCommand,
  CreateGrantCommand,
  ListGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ListRetirableGrantsCommand,
  EncryptCommand,
  DecryptCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  RotateKeyOnDemandCommand,
  ListKeyRotationsCommand,
  DescribeKeyCommand,
  ReplicateKeyCommand,
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
const newKey = async (extra = {}) => (await kms.send(new CreateKeyCommand(extra))).KeyMetadata!;
const text = (b?: Uint8Array) => Buffer.from(b!).toString();

test('grants: create, list, use a grant token, retire by token, revoke by id', async () => {
  const key = await newKey();
  const grantee = 'arn:aws:iam::000000000000:role/worker';
  const g = await kms.send(
    new CreateGrantCommand({
      KeyId: key.KeyId,
      GranteePrincipal: grantee,
      RetiringPrincipal: grantee,
      Operations: ['Encrypt', 'Decrypt'],
      Name: 'w',
    }),
  );
  assert.match(g.GrantId!, /^[0-9a-f]{64}$/);
  const again = await kms.send(
    new CreateGrantCommand({
      KeyId: key.KeyId,
      GranteePrincipal: grantee,
      RetiringPrincipal: grantee,
      Operations: ['Encrypt', 'Decrypt'],
      Name: 'w',
    }),
  );
  assert.equal(again.GrantId, g.GrantId);
  const listed = (await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants!;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].KeyId, key.Arn);
  assert.deepEqual(listed[0].Operations, ['Encrypt', 'Decrypt']);
  assert.equal(listed[0].IssuingAccount, 'arn:aws:iam::000000000000:root');
  const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('g'), GrantTokens: [g.GrantToken!] })))
    .CiphertextBlob;
  assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: blob, GrantTokens: [g.GrantToken!] }))).Plaintext), 'g');
  assert.equal((await kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: grantee }))).Grants!.length, 1);
  await kms.send(new RetireGrantCommand({ GrantToken: g.GrantToken }));
  assert.equal((await kms.send(new ListGrantsCommand({ KeyId: key.KeyId }))).Grants!.length, 0);
  assert.equal(await code(kms.send(new RetireGrantCommand({ GrantToken: g.GrantToken }))), 'InvalidGrantTokenException');
  const h = await kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ['GenerateDataKey'] }));
  await kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: h.GrantId }));
  assert.equal(await code(kms.send(new RevokeGrantCommand({ KeyId: key.KeyId, GrantId: h.GrantId }))), 'NotFoundException');
  assert.equal(
    await code(kms.send(new CreateGrantCommand({ KeyId: key.KeyId, GranteePrincipal: grantee, Operations: ['Sign'] }))),
    'ValidationException',
  );
});

test('rotation: on demand and automatically on the virtual clock; old ciphertexts still decrypt', async () => {
  const key = await newKey();
  const before = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('old') }))).CiphertextBlob;
  assert.equal(await code(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 30 }))), 'ValidationException');
  await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
  const st = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
  assert.equal(st.KeyRotationEnabled, true);
  assert.equal(st.RotationPeriodInDays, 90);
  await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
  const mid = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('mid') }))).CiphertextBlob;
  await advance('91d');
  const rotations = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
  assert.deepEqual(
    rotations.map((r) => r.RotationType),
    ['ON_DEMAND', 'AUTOMATIC'],
  );
  const md = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
  assert.equal(md.CurrentKeyMaterialId, rotations[1].KeyMaterialId);
  assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: before }))).Plaintext), 'old');
  assert.equal(text((await kms.send(new DecryptCommand({ CiphertextBlob: mid }))).Plaintext), 'mid');
  const rsa = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
  assert.equal(await code(kms.send(new EnableKeyRotationCommand({ KeyId: rsa.KeyId }))), 'UnsupportedOperationException');
});

test('ReplicateKey: a multi-Region replica in another region decrypts the primary ciphertexts', async () => {
  const primary = await newKey({ MultiRegion: true });
  assert.match(primary.KeyId!, /^mrk-[0-9a-f]{32}$/);
  assert.equal(primary.MultiRegionConfiguration!.MultiRegionKeyType, 'PRIMARY');
  const blob = (await kms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: Buffer.from('everywhere') }))).CiphertextBlob;
  const rep = await kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }));
  assert.equal(rep.ReplicaKeyMetadata!.Arn, `arn:aws:kms:eu-west-1:000000000000:key/${primary.KeyId}`);
  assert.equal(rep.ReplicaKeyMetadata!.MultiRegionConfiguration!.MultiRegionKeyType, 'REPLICA');
  const eu = new KMSClient(clientConfig(nimbus.url, { region: 'eu-west-1' }));
  const out = await eu.send(new DecryptCommand({ CiphertextBlob: blob }));
  assert.equal(out.KeyId, rep.ReplicaKeyMetadata!.Arn);
  assert.equal(text(out.Plaintext), 'everywhere');
  assert.equal(
    await code(kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' }))),
    'AlreadyExistsException',
  );
  const single = await newKey();
  assert.equal(
    await code(kms.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: 'eu-west-1' }))),
    'UnsupportedOperationException',
  );
});
