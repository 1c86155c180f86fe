// AWS Key Management Service: keys of every spec with real cryptography, aliases, policies, grants,
// rotation and deletion on the virtual clock. Material is kept wrapped under a master key.
import { ServiceError, type Provider, type Runtime, type ServiceDefinition } from '../../kit.js';
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
  return dryRun(store, {
    ...keyHandlers(store),
    ...aliasHandlers(store),
    ...cryptoHandlers(store),
    ...signingHandlers(store),
    ...grantHandlers(store),
    ...rotationHandlers(store),
    ...importHandlers(store),
  });
}

/** DryRun: the key and input are checked as for the real call, which then does not happen. */
function dryRun(store: KmsStore, handlers: KmsProvider): KmsProvider {
  const wrapped: Provider = {};
  for (const [name, handler] of Object.entries(handlers as Provider)) {
    wrapped[name] = (input: Record<string, unknown>, ctx) => {
      if (input.DryRun !== true) return handler!(input, ctx);
      const key = typeof input.KeyId === 'string' ? input.KeyId : undefined;
      if (key) store.usable(store.resolve(ctx.account, ctx.region, key));
      throw new ServiceError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.', 412);
    };
  }
  return wrapped as KmsProvider;
}

export const kms: ServiceDefinition = { name: 'kms', create };
