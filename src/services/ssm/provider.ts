// AWS Systems Manager Parameter Store: String, StringList and SecureString parameters (KMS through
// rt.integrations.kms) with versions, labels, tiers, hierarchies and tags, AWS's public AMI parameters
// (from EC2's catalogue), and rt.integrations.ssm for services that read parameters (EC2's resolve:ssm).
import type { SsmProvider } from '../../generated/ssm.js';
import { ServiceError, type Runtime, type ServiceDefinition } from '../../kit.js';
import { Catalog } from './catalog.js';
import { ssmStores } from './store.js';
import { parameterHandlers } from './parameters.js';
import { queryHandlers } from './query.js';
import { tagHandlers } from './tags.js';

function create(rt: Runtime): SsmProvider {
  const catalog = new Catalog(rt, ssmStores(rt));
  rt.integrations.ssm = {
    parameter(account, region, name) {
      try {
        const { record, version } = catalog.resolve({ account, region }, name);
        return { name: record.name, value: version.value, type: version.type, dataType: version.dataType, version: version.version };
      } catch (e) {
        if (e instanceof ServiceError && (e.code === 'ParameterNotFound' || e.code === 'ParameterVersionNotFound')) return undefined;
        throw e;
      }
    },
  };
  return { ...parameterHandlers(catalog), ...queryHandlers(catalog), ...tagHandlers(catalog) } as SsmProvider;
}

export const ssm: ServiceDefinition = { name: 'ssm', create };
