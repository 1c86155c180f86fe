// Encryption with KMS keys: Encrypt, Decrypt, ReEncrypt, data keys and data key pairs, random bytes.
import { constants, createPrivateKey, createPublicKey, generateKeyPair, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { KmsProvider, EncryptionAlgorithmSpec, DataKeySpec, DataKeyPairSpec } from '../../generated/kms.js';
import { ServiceError } from '../../kit.js';
import type { KeyRecord, KmsStore } from './store.js';
import { algorithms, CURVES } from './specs.js';
import { open, parse, seal } from './ciphertext.js';

const genPair = promisify(generateKeyPair);
type Context = Record<string, string> | undefined;

export function keyUsageError(k: KeyRecord, operation: string): ServiceError {
  return new ServiceError('InvalidKeyUsageException', `${k.arn} key usage is ${k.usage} which is not valid for ${operation}.`);
}

function checkAlgorithm(k: KeyRecord, alg: EncryptionAlgorithmSpec, operation: string): void {
  if (k.usage !== 'ENCRYPT_DECRYPT') throw keyUsageError(k, operation);
  if (!(algorithms(k.spec, k.usage).EncryptionAlgorithms ?? []).includes(alg)) {
    throw new ServiceError('InvalidKeyUsageException', `Algorithm ${alg} is incompatible with key spec ${k.spec}.`);
  }
}

const oaepHash = (alg: EncryptionAlgorithmSpec) => (alg === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256');

/** Encrypts under a usable key: symmetric blobs, or RSA-OAEP for RSA keys. */
export function encryptWith(
  store: KmsStore,
  k: KeyRecord,
  plaintext: Buffer,
  context: Context,
  alg: EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT',
  operation = 'Encrypt',
): Buffer {
  store.usable(k);
  checkAlgorithm(k, alg, operation);
  if (alg === 'SYMMETRIC_DEFAULT') {
    const m = k.materials[k.materials.length - 1];
    return seal(k.keyId, m.id, store.master.unwrap(m.wrapped), plaintext, context);
  }
  const pub = createPublicKey(createPrivateKey({ key: store.material(k), format: 'der', type: 'pkcs8' }));
  try {
    return publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaepHash(alg) }, plaintext);
  } catch {
    throw new ServiceError('ValidationException', `Plaintext is too long for ${alg} with key spec ${k.spec}.`);
  }
}

/**
 * Decrypts a blob. Symmetric blobs name their key (`keyRef`, when given, must be that key:
 * IncorrectKeyException otherwise); RSA ciphertexts need keyRef and the algorithm.
 */
export function decryptWith(
  store: KmsStore,
  account: string,
  region: string,
  blob: Buffer,
  context: Context,
  keyRef?: string,
  alg: EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT',
  operation = 'Decrypt',
): { plaintext: Buffer; key: KeyRecord } {
  const given = keyRef === undefined ? undefined : store.resolve(account, region, keyRef);
  if (alg !== 'SYMMETRIC_DEFAULT') {
    if (!given) throw new ServiceError('ValidationException', 'KeyId is required for asymmetric decryption.');
    store.usable(given);
    checkAlgorithm(given, alg, operation);
    try {
      return {
        key: given,
        plaintext: privateDecrypt(
          {
            key: createPrivateKey({ key: store.material(given), format: 'der', type: 'pkcs8' }),
            padding: constants.RSA_PKCS1_OAEP_PADDING,
            oaepHash: oaepHash(alg),
          },
          blob,
        ),
      };
    } catch {
      throw new ServiceError('InvalidCiphertextException', '');
    }
  }
  const p = parse(blob);
  const k = store.byId(p.keyId, account, region);
  if (!k) throw new ServiceError('InvalidCiphertextException', '');
  if (given && given.keyId !== k.keyId) {
    throw new ServiceError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  }
  store.usable(k);
  if (k.usage !== 'ENCRYPT_DECRYPT' || k.spec !== 'SYMMETRIC_DEFAULT') throw new ServiceError('InvalidCiphertextException', '');
  const m = k.materials.find((x) => x.id === p.materialId);
  if (!m) throw new ServiceError('InvalidCiphertextException', '');
  return { key: k, plaintext: open(p, store.master.unwrap(m.wrapped), context) };
}

function dataKeyLength(spec: DataKeySpec | undefined, bytes: number | undefined): number {
  if ((spec === undefined) === (bytes === undefined)) {
    throw new ServiceError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  return bytes ?? (spec === 'AES_128' ? 16 : 32);
}

const PAIR_RSA: Partial<Record<DataKeyPairSpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

async function newPair(spec: DataKeyPairSpec): Promise<{ priv: Buffer; pub: Buffer }> {
  const enc = {
    privateKeyEncoding: { type: 'pkcs8' as const, format: 'der' as const },
    publicKeyEncoding: { type: 'spki' as const, format: 'der' as const },
  };
  const curve = CURVES[spec as keyof typeof CURVES]?.curve;
  const pair = PAIR_RSA[spec]
    ? await genPair('rsa', { modulusLength: PAIR_RSA[spec]!, ...enc })
    : curve
      ? await genPair('ec', { namedCurve: curve, ...enc })
      : undefined;
  if (!pair) throw new ServiceError('UnsupportedOperationException', `KeyPairSpec ${spec} is not supported by Nimbus.`);
  return { priv: pair.privateKey as unknown as Buffer, pub: pair.publicKey as unknown as Buffer };
}

export function cryptoHandlers(store: KmsStore): KmsProvider {
  const symmetric = (ref: string, account: string, region: string, operation: string) => {
    const k = store.usable(store.resolve(account, region, ref));
    if (k.spec !== 'SYMMETRIC_DEFAULT' || k.usage !== 'ENCRYPT_DECRYPT') throw keyUsageError(k, operation);
    return k;
  };
  const dataKey = (
    i: { KeyId: string; KeySpec?: DataKeySpec; NumberOfBytes?: number; EncryptionContext?: Context },
    account: string,
    region: string,
    op: string,
  ) => {
    const k = symmetric(i.KeyId, account, region, op);
    const plaintext = randomBytes(dataKeyLength(i.KeySpec, i.NumberOfBytes));
    return { k, plaintext, blob: encryptWith(store, k, plaintext, i.EncryptionContext as Context) };
  };
  const pair = async (
    i: { KeyId: string; KeyPairSpec: DataKeyPairSpec; EncryptionContext?: Context },
    account: string,
    region: string,
    op: string,
  ) => {
    const k = symmetric(i.KeyId, account, region, op);
    const { priv, pub } = await newPair(i.KeyPairSpec);
    return { k, priv, pub, blob: encryptWith(store, k, priv, i.EncryptionContext) };
  };
  return {
    Encrypt: ({ KeyId, Plaintext, EncryptionContext, EncryptionAlgorithm }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      const alg = EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
      return { CiphertextBlob: encryptWith(store, k, Plaintext, EncryptionContext, alg), KeyId: k.arn, EncryptionAlgorithm: alg };
    },

    Decrypt: ({ CiphertextBlob, EncryptionContext, KeyId, EncryptionAlgorithm }, ctx) => {
      const alg = EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
      const { plaintext, key } = decryptWith(
        store,
        ctx.account,
        ctx.region,
        CiphertextBlob ?? Buffer.alloc(0),
        EncryptionContext,
        KeyId,
        alg,
      );
      return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: alg };
    },

    ReEncrypt: (i, ctx) => {
      const srcAlg = i.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
      const dstAlg = i.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT';
      const src = decryptWith(
        store,
        ctx.account,
        ctx.region,
        i.CiphertextBlob ?? Buffer.alloc(0),
        i.SourceEncryptionContext,
        i.SourceKeyId,
        srcAlg,
        'ReEncryptFrom',
      );
      const dst = store.resolve(ctx.account, ctx.region, i.DestinationKeyId);
      return {
        CiphertextBlob: encryptWith(store, dst, src.plaintext, i.DestinationEncryptionContext, dstAlg, 'ReEncryptTo'),
        SourceKeyId: src.key.arn,
        KeyId: dst.arn,
        SourceEncryptionAlgorithm: srcAlg,
        DestinationEncryptionAlgorithm: dstAlg,
      };
    },

    GenerateDataKey: (i, ctx) => {
      const { k, plaintext, blob } = dataKey(i, ctx.account, ctx.region, 'GenerateDataKey');
      return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: k.arn };
    },

    GenerateDataKeyWithoutPlaintext: (i, ctx) => {
      const { k, blob } = dataKey(i, ctx.account, ctx.region, 'GenerateDataKeyWithoutPlaintext');
      return { CiphertextBlob: blob, KeyId: k.arn };
    },

    GenerateDataKeyPair: async (i, ctx) => {
      const { k, priv, pub, blob } = await pair(i, ctx.account, ctx.region, 'GenerateDataKeyPair');
      return { PrivateKeyCiphertextBlob: blob, PrivateKeyPlaintext: priv, PublicKey: pub, KeyId: k.arn, KeyPairSpec: i.KeyPairSpec };
    },

    GenerateDataKeyPairWithoutPlaintext: async (i, ctx) => {
      const { k, pub, blob } = await pair(i, ctx.account, ctx.region, 'GenerateDataKeyPairWithoutPlaintext');
      return { PrivateKeyCiphertextBlob: blob, PublicKey: pub, KeyId: k.arn, KeyPairSpec: i.KeyPairSpec };
    },

    GenerateRandom: ({ NumberOfBytes }) => {
      if (NumberOfBytes === undefined) throw new ServiceError('ValidationException', 'Please specify number of bytes.');
      return { Plaintext: randomBytes(NumberOfBytes) };
    },
  };
}
