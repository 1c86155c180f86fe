// Amazon EventBridge schema registry: registries, schemas with their versions (OpenAPI 3 and JSON
// Schema draft 4 content checked), search and export, resource policies, tags, and discoverers that
// infer schemas from the events put on a bus (EventBridge shows them through rt.integrations.schemas).
import type { SchemasProvider } from '../../generated/schemas.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';
import { registryHandlers } from './registry.js';
import { discovererHandlers } from './discover.js';

function create(rt: Runtime): SchemasProvider {
  return { ...registryHandlers(rt), ...discovererHandlers(rt) };
}

export const schemas: ServiceDefinition = { name: 'schemas', create };
