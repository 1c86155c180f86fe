// Imported key material (origin EXTERNAL): GetParametersForImport gives an RSA wrapping key and a
// token valid 24 hours; ImportKeyMaterial unwraps 256-bit material with it; DeleteImportedKeyMaterial
// leaves the key PendingImport until the same material is imported again.
import { constants, createPrivateKey, generateKeyPair, privateDecrypt, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { KmsProvider } from '../../generated/kms.js';
import { ServiceError, type RequestContext } from '../../kit.js';
import { materialId, type KeyRecord, type KmsStore } from './store.js';

const genPair = promisify(generateKeyPair);
const TOKEN_TTL_MS = 24 * 3600_000;
const BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as Record<string, number>;

/** the pending import parameters of a key, kept beside it */
interface ImportParams {
  keyId: string;
  token: string;
  wrapped: Buffer;
  algorithm: string;
  validTo: number;
}

export function importHandlers(store: KmsStore): KmsProvider {
  const params = (account: string, region: string) =>
    store.rt.stores('kms', (s) => s.collection<ImportParams>('imports')).get(account, region);
  const external = (ctx: RequestContext, ref: string): KeyRecord => {
    const k = store.notPendingDeletion(store.resolve(ctx.account, ctx.region, ref));
    if (k.origin !== 'EXTERNAL')
      throw new ServiceError('UnsupportedOperationException', `${k.arn} origin is ${k.origin} which is not valid for this operation.`);
    return k;
  };
  return {
    GetParametersForImport: async ({ KeyId, WrappingAlgorithm, WrappingKeySpec }, ctx) => {
      const k = external(ctx, KeyId);
      if (!['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSAES_PKCS1_V1_5'].includes(WrappingAlgorithm) || !BITS[WrappingKeySpec]) {
        throw new ServiceError(
          'UnsupportedOperationException',
          `Nimbus supports the wrapping algorithms RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256 and RSAES_PKCS1_V1_5 with RSA wrapping keys.`,
        );
      }
      const pair = await genPair('rsa', {
        modulusLength: BITS[WrappingKeySpec],
        privateKeyEncoding: { type: 'pkcs8', format: 'der' },
        publicKeyEncoding: { type: 'spki', format: 'der' },
      });
      const token = randomBytes(64);
      const validTo = ctx.clock.nowMs() + TOKEN_TTL_MS;
      params(k.account, k.region).put(k.keyId, {
        keyId: k.keyId,
        token: token.toString('hex'),
        wrapped: store.master.wrap(pair.privateKey as unknown as Buffer),
        algorithm: WrappingAlgorithm,
        validTo,
      });
      return { KeyId: k.arn, ImportToken: token, PublicKey: pair.publicKey as unknown as Buffer, ParametersValidTo: new Date(validTo) };
    },

    ImportKeyMaterial: ({ KeyId, ImportToken, EncryptedKeyMaterial, ValidTo, ExpirationModel }, ctx) => {
      const k = external(ctx, KeyId);
      const p = params(k.account, k.region).get(k.keyId);
      if (!p || p.token !== Buffer.from(ImportToken).toString('hex'))
        throw new ServiceError('InvalidImportTokenException', 'The import token is not valid for this key.');
      if (p.validTo <= ctx.clock.nowMs()) throw new ServiceError('ExpiredImportTokenException', 'The import token has expired.');
      const model = ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
      if (model === 'KEY_MATERIAL_EXPIRES' && !ValidTo)
        throw new ServiceError('ValidationException', 'A ValidTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
      if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && ValidTo)
        throw new ServiceError(
          'ValidationException',
          'A ValidTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
        );
      let material: Buffer;
      try {
        const key = createPrivateKey({ key: store.master.unwrap(p.wrapped), format: 'der', type: 'pkcs8' });
        material =
          p.algorithm === 'RSAES_PKCS1_V1_5'
            ? privateDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, EncryptedKeyMaterial)
            : privateDecrypt(
                { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: p.algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' },
                EncryptedKeyMaterial,
              );
      } catch {
        throw new ServiceError('InvalidCiphertextException', 'The wrapped key material could not be decrypted with the import parameters.');
      }
      if (material.length !== 32)
        throw new ServiceError('IncorrectKeyMaterialException', 'The key material must be 256 bits for a SYMMETRIC_DEFAULT key.');
      if (k.materials.length && !store.master.unwrap(k.materials[0].wrapped).equals(material)) {
        throw new ServiceError(
          'IncorrectKeyMaterialException',
          'The key material is not the material previously imported into this KMS key.',
        );
      }
      if (!k.materials.length) k.materials.push({ id: materialId(), at: ctx.clock.nowMs(), wrapped: store.master.wrap(material) });
      k.pendingImport = false;
      k.enabled = true;
      k.validTo = model === 'KEY_MATERIAL_EXPIRES' ? ValidTo!.getTime() : undefined;
      store.save(k);
      params(k.account, k.region).delete(k.keyId);
      return { KeyId: k.arn, KeyMaterialId: k.materials[0].id };
    },

    DeleteImportedKeyMaterial: ({ KeyId }, ctx) => {
      const k = external(ctx, KeyId);
      k.pendingImport = true;
      k.validTo = undefined;
      store.save(k);
      return { KeyId: k.arn, KeyMaterialId: k.materials[0]?.id };
    },
  };
}
