// Imported key material, and key material that survives a restart wrapped under the master key file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KMSClient,
  CreateKeyCommand,
  DescribeKeyCommand,
  EncryptCommand,
  DecryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  DeleteImportedKeyMaterialCommand,
} from '@aws-sdk/client-kms';
import { serverForFile, clientConfig, spawnServer } from '../helpers.js';

let kms: KMSClient;
const nimbus = serverForFile(() => {
  kms = new KMSClient(clientConfig(nimbus.url));
});
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error & { name: string }) => e.name,
  );
const advance = async (by: string) =>
  assert.equal((await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) })).status, 200);

test('imported key material: PendingImport until imported, usable after, expires at ValidTo', async () => {
  const md = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
  assert.equal(md.KeyState, 'PendingImport');
  assert.equal(await code(kms.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Buffer.from('x') }))), 'KMSInvalidStateException');
  const p = await kms.send(
    new GetParametersForImportCommand({ KeyId: md.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
  );
  const material = randomBytes(32);
  const wrapped = publicEncrypt(
    {
      key: createPublicKey({ key: Buffer.from(p.PublicKey!), format: 'der', type: 'spki' }),
      padding: constants.RSA_PKCS1_OAEP_PADDING,
      oaepHash: 'sha256',
    },
    material,
  );
  assert.equal(
    await code(
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: md.KeyId,
          ImportToken: randomBytes(64),
          EncryptedKeyMaterial: wrapped,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
    ),
    'InvalidImportTokenException',
  );
  const validTo = new Date(Date.now() + 10 * 86_400_000);
  await kms.send(
    new ImportKeyMaterialCommand({ KeyId: md.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: wrapped, ValidTo: validTo }),
  );
  const after = (await kms.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata!;
  assert.equal(after.KeyState, 'Enabled');
  assert.equal(after.ExpirationModel, 'KEY_MATERIAL_EXPIRES');
  const blob = (await kms.send(new EncryptCommand({ KeyId: md.KeyId, Plaintext: Buffer.from('imported') }))).CiphertextBlob;
  assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'imported');
  await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: md.KeyId }));
  assert.equal(await code(kms.send(new DecryptCommand({ CiphertextBlob: blob }))), 'KMSInvalidStateException');
  // the same material imported again brings the old ciphertexts back; other material is refused
  const p2 = await kms.send(
    new GetParametersForImportCommand({ KeyId: md.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }),
  );
  const wrap = (m: Buffer) =>
    publicEncrypt(
      {
        key: createPublicKey({ key: Buffer.from(p2.PublicKey!), format: 'der', type: 'spki' }),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha1',
      },
      m,
    );
  assert.equal(
    await code(
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: md.KeyId,
          ImportToken: p2.ImportToken,
          EncryptedKeyMaterial: wrap(randomBytes(32)),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
    ),
    'IncorrectKeyMaterialException',
  );
  await kms.send(
    new ImportKeyMaterialCommand({ KeyId: md.KeyId, ImportToken: p2.ImportToken, EncryptedKeyMaterial: wrap(material), ValidTo: validTo }),
  );
  assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'imported');
  await advance('11d');
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: md.KeyId }))).KeyMetadata!.KeyState, 'PendingImport');
  const sym = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  assert.equal(
    await code(
      kms.send(
        new GetParametersForImportCommand({ KeyId: sym.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }),
      ),
    ),
    'UnsupportedOperationException',
  );
});

test('keys survive a restart: the master key file is mode 0600 and the stored material is not in the clear', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-kms-persist-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  let blob: Uint8Array | undefined;
  let keyId: string;
  try {
    const c = new KMSClient(clientConfig(first.url));
    keyId = (await c.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    blob = (await c.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob;
  } finally {
    await first.stop();
  }
  const file = join(dataDir, 'kms-master.key');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').length, 32);
  assert.ok(readdirSync(dataDir).length > 1);
  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const c = new KMSClient(clientConfig(second.url));
    const out = await c.send(new DecryptCommand({ CiphertextBlob: blob }));
    assert.equal(Buffer.from(out.Plaintext!).toString(), 'kept');
    assert.match(out.KeyId!, new RegExp(keyId!));
  } finally {
    await second.stop();
  }
});
