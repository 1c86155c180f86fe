// Auto Scaling: what Nimbus serves of it. Keep this file to wiring:
// each concern (resources, validation, state) in its own module of this folder, imported here.
import type { AutoscalingProvider } from '../../generated/autoscaling.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';

function create(rt: Runtime): AutoscalingProvider {
  void rt; // state: rt.stores('autoscaling', (scope) => …); time: ctx.clock; other services: rt.integrations
  return {
    // OperationName: (input, ctx) => ({ … }),  typed by AutoscalingProvider; throw new ServiceError(code, message)
  };
}

// The service's wire dialect, when it departs from its protocol's (see ServiceProfile in src/services/types.ts).
export const autoscaling: ServiceDefinition = { name: 'autoscaling', create };
