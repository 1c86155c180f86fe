// KMS signatures and MACs through SDK v3, checked by node:crypto and OpenSSL with the public key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  KMSClient,
  CreateKeyCommand,
  SignCommand,
  VerifyCommand,
  GetPublicKeyCommand,
  GenerateMacCommand,
  VerifyMacCommand,
  type KeySpec,
  type SigningAlgorithmSpec,
  type MacAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { serverForFile, clientConfig } from '../helpers.js';

let kms: KMSClient;
const nimbus = serverForFile(() => {
  kms = new KMSClient(clientConfig(nimbus.url));
});
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error & { name: string }) => e.name,
  );
const key = async (KeySpec: KeySpec, KeyUsage: 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' = 'SIGN_VERIFY') =>
  (await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata!.KeyId!;

const CASES: [KeySpec, SigningAlgorithmSpec[]][] = [
  [
    'RSA_2048',
    [
      'RSASSA_PSS_SHA_256',
      'RSASSA_PSS_SHA_384',
      'RSASSA_PSS_SHA_512',
      'RSASSA_PKCS1_V1_5_SHA_256',
      'RSASSA_PKCS1_V1_5_SHA_384',
      'RSASSA_PKCS1_V1_5_SHA_512',
    ],
  ],
  ['RSA_3072', ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384']],
  ['ECC_NIST_P256', ['ECDSA_SHA_256']],
  ['ECC_NIST_P384', ['ECDSA_SHA_384']],
  ['ECC_NIST_P521', ['ECDSA_SHA_512']],
  ['ECC_SECG_P256K1', ['ECDSA_SHA_256']],
];

for (const [spec, algs] of CASES) {
  test(`${spec}: RAW and DIGEST signatures verify in KMS and in node:crypto with the public key`, async () => {
    const KeyId = await key(spec);
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId }));
    assert.equal(pub.KeySpec, spec);
    const pk = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: 'der', type: 'spki' });
    const message = Buffer.from(`message for ${spec}`);
    for (const alg of algs) {
      const hash = 'sha' + /(\d+)$/.exec(alg)![1];
      const digest = createHash(hash).update(message).digest();
      for (const [MessageType, Message] of [
        ['RAW', message],
        ['DIGEST', digest],
      ] as const) {
        const sig = Buffer.from((await kms.send(new SignCommand({ KeyId, Message, MessageType, SigningAlgorithm: alg }))).Signature!);
        const opts = alg.startsWith('RSASSA_PSS')
          ? { key: pk, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : { key: pk };
        assert.ok(verify(hash, message, opts, sig), `${alg} ${MessageType} verified by node:crypto`);
        const v = await kms.send(new VerifyCommand({ KeyId, Message, MessageType, Signature: sig, SigningAlgorithm: alg }));
        assert.equal(v.SignatureValid, true);
        // a signature of the same digest verifies whichever way the message is given
        const other =
          MessageType === 'RAW' ? { Message: digest, MessageType: 'DIGEST' as const } : { Message: message, MessageType: 'RAW' as const };
        assert.equal((await kms.send(new VerifyCommand({ KeyId, ...other, Signature: sig, SigningAlgorithm: alg }))).SignatureValid, true);
        const bad = Buffer.from(sig);
        bad[bad.length - 3] ^= 0x10;
        assert.equal(
          await code(kms.send(new VerifyCommand({ KeyId, Message, MessageType, Signature: bad, SigningAlgorithm: alg }))),
          'KMSInvalidSignatureException',
        );
      }
    }
  });
}

test('a KMS signature verifies with openssl dgst -verify and the DER public key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kms-openssl-'));
  for (const [spec, alg] of [
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
  ] as const) {
    const KeyId = await key(spec);
    const msg = Buffer.from('signed by nimbus');
    const sig = (await kms.send(new SignCommand({ KeyId, Message: msg, MessageType: 'RAW', SigningAlgorithm: alg }))).Signature!;
    const der = (await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!;
    writeFileSync(join(dir, 'pub.der'), der);
    writeFileSync(join(dir, 'msg'), msg);
    writeFileSync(join(dir, 'sig'), sig);
    const out = execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-keyform',
      'DER',
      '-verify',
      join(dir, 'pub.der'),
      '-signature',
      join(dir, 'sig'),
      join(dir, 'msg'),
    ]).toString();
    assert.match(out, /Verified OK/);
  }
});

test('signing refuses wrong algorithms, wrong digest lengths and encryption keys', async () => {
  const ec = await key('ECC_NIST_P256');
  assert.equal(
    await code(kms.send(new SignCommand({ KeyId: ec, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_384' }))),
    'InvalidKeyUsageException',
  );
  assert.equal(
    await code(
      kms.send(new SignCommand({ KeyId: ec, Message: Buffer.alloc(20), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })),
    ),
    'ValidationException',
  );
  const sym = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  assert.equal(
    await code(kms.send(new SignCommand({ KeyId: sym, Message: Buffer.from('x'), SigningAlgorithm: 'ECDSA_SHA_256' }))),
    'InvalidKeyUsageException',
  );
  assert.equal(await code(kms.send(new GetPublicKeyCommand({ KeyId: sym }))), 'UnsupportedOperationException');
});

test('GenerateMac/VerifyMac for every HMAC spec; a wrong MAC is KMSInvalidMacException', async () => {
  for (const bits of [224, 256, 384, 512]) {
    const KeyId = await key(`HMAC_${bits}` as KeySpec, 'GENERATE_VERIFY_MAC');
    const MacAlgorithm = `HMAC_SHA_${bits}` as MacAlgorithmSpec;
    const Message = Buffer.from('mac me');
    const mac = Buffer.from((await kms.send(new GenerateMacCommand({ KeyId, Message, MacAlgorithm }))).Mac!);
    assert.equal(mac.length, bits / 8);
    assert.equal((await kms.send(new VerifyMacCommand({ KeyId, Message, MacAlgorithm, Mac: mac }))).MacValid, true);
    mac[0] ^= 1;
    assert.equal(await code(kms.send(new VerifyMacCommand({ KeyId, Message, MacAlgorithm, Mac: mac }))), 'KMSInvalidMacException');
  }
});
