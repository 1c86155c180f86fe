// What KMS offers other services (rt.integrations.kms): SSE-KMS in S3 and SQS, encrypted
// environment variables. Same checks as the API: a disabled key fails as Encrypt would.
import type { Integrations } from '../../kit.js';
import type { KmsStore } from './store.js';
import { awsManagedKey } from './keys.js';
import { decryptWith, encryptWith, keyUsageError } from './crypto.js';
import { randomBytes } from 'node:crypto';
import { parse } from './ciphertext.js';

export function kmsIntegration(store: KmsStore): NonNullable<Integrations['kms']> {
  return {
    describeKey(account, region, keyId) {
      const k = store.resolve(account, region, keyId);
      return { keyId: k.keyId, arn: k.arn, enabled: store.state(k) === 'Enabled', state: store.state(k), keyManager: k.manager };
    },
    keyOfCiphertext(blob, account, region) {
      try {
        const id = parse(blob).keyId;
        // Decrypt finds the key in any account: so does the authorizer, by the key's ARN
        return store.byId(id, account, region)?.arn ?? id;
      } catch {
        return undefined;
      }
    },
    awsManagedKey: (account, region, service) => awsManagedKey(store, account, region, service).arn,
    encrypt(account, region, keyId, plaintext, context) {
      const k = store.resolve(account, region, keyId);
      return { ciphertext: encryptWith(store, k, plaintext, context), keyArn: k.arn };
    },
    decrypt(account, region, ciphertext, context) {
      const { plaintext, key } = decryptWith(store, account, region, ciphertext, context);
      return { plaintext, keyArn: key.arn };
    },
    generateDataKey(account, region, keyId, context) {
      const k = store.usable(store.resolve(account, region, keyId));
      if (k.spec !== 'SYMMETRIC_DEFAULT') throw keyUsageError(k, 'GenerateDataKey');
      const plaintext = randomBytes(32);
      return { plaintext, ciphertext: encryptWith(store, k, plaintext, context), keyArn: k.arn };
    },
  };
}
