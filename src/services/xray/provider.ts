// AWS X-Ray: what Nimbus serves of it. Keep this file to wiring:
// each concern (resources, validation, state) in its own module of this folder, imported here.
import type { XrayProvider } from '../../generated/xray.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';

function create(rt: Runtime): XrayProvider {
  void rt; // state: rt.stores('xray', (scope) => …); time: ctx.clock; other services: rt.integrations
  return {
    // OperationName: (input, ctx) => ({ … }),  typed by XrayProvider; throw new ServiceError(code, message)
  };
}

// The service's wire dialect, when it departs from its protocol's (see ServiceProfile in src/services/types.ts).
export const xray: ServiceDefinition = { name: 'xray', create };
