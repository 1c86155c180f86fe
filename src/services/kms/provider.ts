// AWS Key Management Service: keys of every spec with real cryptography, aliases, policies, grants,
// rotation and deletion on the virtual clock. Material is kept wrapped under a master key.
import type { Runtime, ServiceDefinition } from '../../kit.js';
import type { KmsProvider } from '../../generated/kms.js';
import { KmsStore } from './store.js';
import { keyHandlers } from './keys.js';
import { aliasHandlers } from './aliases.js';
import { cryptoHandlers } from './crypto.js';
import { signingHandlers } from './signing.js';
import { grantHandlers } from './grants.js';
import { rotationHandlers } from './rotation.js';
import { importHandlers } from './import.js';
import { kmsIntegration } from './integration.js';

function create(rt: Runtime): KmsProvider {
  const store = rt.shared('kms/store', () => new KmsStore(rt));
  rt.integrations.kms = kmsIntegration(store);
  return {
    ...keyHandlers(store),
    ...aliasHandlers(store),
    ...cryptoHandlers(store),
    ...signingHandlers(store),
    ...grantHandlers(store),
    ...rotationHandlers(store),
    ...importHandlers(store),
  };
}

export const kms: ServiceDefinition = { name: 'kms', create };
