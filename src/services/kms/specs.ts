// Key specs: what each KeySpec may be used for, its algorithms, and how its material is made.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeySpec, KeyUsageType, EncryptionAlgorithmSpec, SigningAlgorithmSpec, MacAlgorithmSpec } from '../../generated/kms.js';
import { ServiceError } from '../../kit.js';

const genPair = promisify(generateKeyPair);

export const RSA_ENCRYPTION: EncryptionAlgorithmSpec[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
export const RSA_SIGNING: SigningAlgorithmSpec[] = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
];

/** node:crypto's curve name per ECC spec, and the one signing algorithm each allows */
export const CURVES: Partial<Record<KeySpec, { curve: string; alg: SigningAlgorithmSpec }>> = {
  ECC_NIST_P256: { curve: 'prime256v1', alg: 'ECDSA_SHA_256' },
  ECC_NIST_P384: { curve: 'secp384r1', alg: 'ECDSA_SHA_384' },
  ECC_NIST_P521: { curve: 'secp521r1', alg: 'ECDSA_SHA_512' },
  ECC_SECG_P256K1: { curve: 'secp256k1', alg: 'ECDSA_SHA_256' },
};

export const HMAC_BITS: Partial<Record<KeySpec, number>> = { HMAC_224: 224, HMAC_256: 256, HMAC_384: 384, HMAC_512: 512 };
const RSA_BITS: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

export const isRsa = (spec: KeySpec) => spec in RSA_BITS;
export const isEcc = (spec: KeySpec) => spec in CURVES;
export const isHmac = (spec: KeySpec) => spec in HMAC_BITS;

/** The key usages a spec allows; the first is the default when CreateKey names none. */
function usages(spec: KeySpec): KeyUsageType[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (isRsa(spec)) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (isEcc(spec)) return ['SIGN_VERIFY'];
  if (isHmac(spec)) return ['GENERATE_VERIFY_MAC'];
  return [];
}

export function checkSpec(spec: KeySpec, usage: KeyUsageType | undefined): KeyUsageType {
  const allowed = usages(spec);
  if (allowed.length === 0) throw new ServiceError('UnsupportedOperationException', `KeySpec ${spec} is not supported by Nimbus.`);
  const u = usage ?? (isHmac(spec) ? 'GENERATE_VERIFY_MAC' : 'ENCRYPT_DECRYPT');
  if (!allowed.includes(u)) {
    throw new ServiceError('ValidationException', `KeyUsage ${u} is not compatible with KeySpec ${spec}`);
  }
  return u;
}

export interface Algorithms {
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
  MacAlgorithms?: MacAlgorithmSpec[];
}

export function algorithms(spec: KeySpec, usage: KeyUsageType): Algorithms {
  if (spec === 'SYMMETRIC_DEFAULT') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  if (isRsa(spec)) return usage === 'ENCRYPT_DECRYPT' ? { EncryptionAlgorithms: RSA_ENCRYPTION } : { SigningAlgorithms: RSA_SIGNING };
  if (isEcc(spec)) return { SigningAlgorithms: [CURVES[spec]!.alg] };
  return { MacAlgorithms: [`HMAC_SHA_${HMAC_BITS[spec]}` as MacAlgorithmSpec] };
}

/** New key material: 32 random bytes (AES-256), the HMAC key, or a private key as PKCS#8 DER. */
export async function newMaterial(spec: KeySpec): Promise<Buffer> {
  if (spec === 'SYMMETRIC_DEFAULT') return randomBytes(32);
  if (isHmac(spec)) return randomBytes(HMAC_BITS[spec]! / 8);
  const enc = {
    privateKeyEncoding: { type: 'pkcs8' as const, format: 'der' as const },
    publicKeyEncoding: { type: 'spki' as const, format: 'der' as const },
  };
  if (isRsa(spec)) return (await genPair('rsa', { modulusLength: RSA_BITS[spec]!, ...enc })).privateKey as unknown as Buffer;
  return (await genPair('ec', { namedCurve: CURVES[spec]!.curve, ...enc })).privateKey as unknown as Buffer;
}
