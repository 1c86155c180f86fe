// Asymmetric signatures (Sign, Verify, GetPublicKey) and HMAC (GenerateMac, VerifyMac).
// RAW messages are signed by node:crypto; DIGEST messages by the digest encoders next door.
import {
  constants,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import type { KmsProvider, SigningAlgorithmSpec, MessageType, MacAlgorithmSpec } from '../../generated/kms.js';
import { ServiceError } from '../../kit.js';
import type { KeyRecord, KmsStore } from './store.js';
import { algorithms, CURVES } from './specs.js';
import { keyUsageError } from './crypto.js';
import { b64uInt, signDigest, verifyDigest } from './ecdsa.js';
import { pkcs1Sign, pkcs1Verify, pssSign, pssVerify } from './rsa-digest.js';

const hashOf = (alg: string) => 'sha' + /SHA_(\d+)$/.exec(alg)![1];
const HASH_BYTES: Record<string, number> = { sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

function privateKey(store: KmsStore, k: KeyRecord): KeyObject {
  return createPrivateKey({ key: store.material(k), format: 'der', type: 'pkcs8' });
}

function signer(store: KmsStore, k: KeyRecord, alg: SigningAlgorithmSpec, operation: string): void {
  store.usable(k);
  if (k.usage !== 'SIGN_VERIFY') throw keyUsageError(k, operation);
  if (!(algorithms(k.spec, k.usage).SigningAlgorithms ?? []).includes(alg)) {
    throw new ServiceError('InvalidKeyUsageException', `Algorithm ${alg} is incompatible with key spec ${k.spec}.`);
  }
}

/** The digest to sign: the hash of a RAW message, or the DIGEST given (of the algorithm's length). */
function digestOf(alg: SigningAlgorithmSpec, message: Buffer, type: MessageType): Buffer {
  const hash = hashOf(alg);
  if (type === 'RAW') {
    if (message.length > 4096)
      throw new ServiceError('ValidationException', 'Message must be at most 4096 bytes. Use MessageType DIGEST for longer messages.');
    return createHash(hash).update(message).digest();
  }
  if (type !== 'DIGEST') throw new ServiceError('UnsupportedOperationException', `MessageType ${type} is not supported by Nimbus.`);
  if (message.length !== HASH_BYTES[hash]) throw new ServiceError('ValidationException', `Digest is invalid length for algorithm ${alg}.`);
  return message;
}

function signWith(key: KeyObject, k: KeyRecord, alg: SigningAlgorithmSpec, message: Buffer, type: MessageType): Buffer {
  const hash = hashOf(alg);
  const digest = digestOf(alg, message, type);
  const pss = alg.startsWith('RSASSA_PSS');
  if (type === 'RAW') {
    return sign(
      hash,
      message,
      pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : { key, dsaEncoding: 'der' },
    );
  }
  if (alg.startsWith('ECDSA')) return signDigest(CURVES[k.spec]!.curve, b64uInt(key.export({ format: 'jwk' }).d!), digest);
  return pss ? pssSign(key, hash, digest) : pkcs1Sign(key, hash, digest);
}

function verifyWith(key: KeyObject, k: KeyRecord, alg: SigningAlgorithmSpec, message: Buffer, type: MessageType, sig: Buffer): boolean {
  const hash = hashOf(alg);
  const digest = digestOf(alg, message, type);
  const pss = alg.startsWith('RSASSA_PSS');
  const pub = createPublicKey(key);
  if (type === 'RAW') {
    try {
      return verify(
        hash,
        message,
        pss
          ? { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : { key: pub, dsaEncoding: 'der' },
        sig,
      );
    } catch {
      return false;
    }
  }
  if (alg.startsWith('ECDSA')) {
    const jwk = pub.export({ format: 'jwk' });
    return verifyDigest(CURVES[k.spec]!.curve, { x: b64uInt(jwk.x!), y: b64uInt(jwk.y!) }, digest, sig);
  }
  return pss ? pssVerify(pub, hash, digest, sig) : pkcs1Verify(pub, hash, digest, sig);
}

function macKey(store: KmsStore, k: KeyRecord, alg: MacAlgorithmSpec, operation: string): Buffer {
  store.usable(k);
  if (k.usage !== 'GENERATE_VERIFY_MAC') throw keyUsageError(k, operation);
  if (!(algorithms(k.spec, k.usage).MacAlgorithms ?? []).includes(alg)) {
    throw new ServiceError('InvalidKeyUsageException', `Algorithm ${alg} is incompatible with key spec ${k.spec}.`);
  }
  return store.material(k);
}

export function signingHandlers(store: KmsStore): KmsProvider {
  return {
    Sign: ({ KeyId, Message, MessageType, SigningAlgorithm }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      signer(store, k, SigningAlgorithm, 'Sign');
      return {
        KeyId: k.arn,
        Signature: signWith(privateKey(store, k), k, SigningAlgorithm, Message, MessageType ?? 'RAW'),
        SigningAlgorithm,
      };
    },

    Verify: ({ KeyId, Message, MessageType, Signature, SigningAlgorithm }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      signer(store, k, SigningAlgorithm, 'Verify');
      if (!verifyWith(privateKey(store, k), k, SigningAlgorithm, Message, MessageType ?? 'RAW', Signature)) {
        throw new ServiceError('KMSInvalidSignatureException', '');
      }
      return { KeyId: k.arn, SignatureValid: true, SigningAlgorithm };
    },

    GetPublicKey: ({ KeyId }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      store.usable(k);
      if (k.usage !== 'SIGN_VERIFY' && !(k.usage === 'ENCRYPT_DECRYPT' && k.spec.startsWith('RSA'))) {
        throw new ServiceError('UnsupportedOperationException', `${k.arn} key usage is ${k.usage} which is not valid for GetPublicKey.`);
      }
      return {
        KeyId: k.arn,
        PublicKey: createPublicKey(privateKey(store, k)).export({ type: 'spki', format: 'der' }),
        KeySpec: k.spec,
        CustomerMasterKeySpec: k.spec as never,
        KeyUsage: k.usage,
        ...algorithms(k.spec, k.usage),
      };
    },

    GenerateMac: ({ KeyId, Message, MacAlgorithm }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      const mac = createHmac(hashOf(MacAlgorithm), macKey(store, k, MacAlgorithm, 'GenerateMac'))
        .update(Message)
        .digest();
      return { KeyId: k.arn, Mac: mac, MacAlgorithm };
    },

    VerifyMac: ({ KeyId, Message, MacAlgorithm, Mac }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      const want = createHmac(hashOf(MacAlgorithm), macKey(store, k, MacAlgorithm, 'VerifyMac'))
        .update(Message)
        .digest();
      if (Mac.length !== want.length || !timingSafeEqual(Mac, want)) throw new ServiceError('KMSInvalidMacException', '');
      return { KeyId: k.arn, MacValid: true, MacAlgorithm };
    },
  };
}
