// Amazon EC2 and VPC: what Nimbus serves of it. This file is wiring: each concern (networks,
// security groups, tags, instances, volumes…) lives in its own module of this folder.
import type { Ec2Provider } from '../../generated/ec2.js';
import { ServiceError, type RequestContext, type Runtime, type ServiceDefinition } from '../../kit.js';
import { Ec2State, kindOfId } from './store.js';
import { buildDefaultVpc } from './network.js';
import { vpcHandlers } from './vpcs.js';
import { routeHandlers } from './routes.js';
import { securityGroupHandlers } from './security-groups.js';
import { tagHandlers } from './tags.js';
import { dryRunError } from './errors.js';
import { imageHandlers } from './images.js';
import { keyPairHandlers } from './keypairs.js';
import { instanceTypeHandlers } from './instance-types.js';
import { Instances, instanceHandlers } from './instances.js';
import { instanceOpHandlers } from './instance-ops.js';
import { publicImageParameters } from './ssm-images.js';
import { spotHandlers } from './spot.js';
import { reservedHandlers } from './reserved.js';
import { flowLogHandlers, flowRecorder } from './flowlogs.js';
import { volumeHandlers } from './volumes.js';
import { addressHandlers } from './addresses.js';
import { launchTemplateHandlers } from './launch-templates.js';
import { aclHandlers } from './acls.js';
import { peeringHandlers } from './peering.js';
import { endpointHandlers } from './endpoints.js';
import { processMode } from './process/index.js';
import { admits } from './reach.js';

class DryRunPassed extends Error {}

function create(rt: Runtime): Ec2Provider {
  const s = new Ec2State(rt);
  s.onFirstUse((_store, scope) => buildDefaultVpc(s, scope));
  const instances = new Instances(s);
  rt.integrations.ec2 = {
    systemTags: (account, region, id, tags) => {
      const kind = kindOfId(id);
      const rec = kind ? s.find({ account, region }, kind, id) : undefined;
      if (!kind || !rec) return false;
      const kept = ((rec.Tags ?? []) as { Key: string; Value: string }[]).filter((t) => !tags.some((x) => x.Key === t.Key));
      rt.engine.transaction(() => s.put({ account, region }, kind, id, { ...rec, Tags: [...tags, ...kept] }));
      return true;
    },
    publicImageParameters,
    recordFlow: flowRecorder(s, rt),
    admits: (account, region, id, port, from) => admits(s, account, region, id, port, from),
  };
  const handlers: Ec2Provider = {
    ...tagHandlers(s),
    ...vpcHandlers(s),
    ...routeHandlers(s),
    ...securityGroupHandlers(s),
    ...instanceTypeHandlers(rt),
    ...imageHandlers(s),
    ...keyPairHandlers(s),
    ...instanceHandlers(s, instances),
    ...instanceOpHandlers(s, instances),
    ...volumeHandlers(s, instances),
    ...addressHandlers(s),
    ...launchTemplateHandlers(s),
    ...aclHandlers(s),
    ...peeringHandlers(s),
    ...endpointHandlers(s),
  };
  Object.assign(handlers, spotHandlers(s, instances, handlers), reservedHandlers(s), flowLogHandlers(s));
  // Every call is atomic; a DryRun call runs in full (so bad input still fails as it would) and is rolled back.
  const wrapped: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(handlers)) {
    if (!h) continue;
    const handler = h as (input: Record<string, unknown>, ctx: RequestContext) => unknown;
    wrapped[name] = (input: Record<string, unknown>, ctx: RequestContext) => {
      try {
        if (input.DryRun !== true) return rt.engine.transaction(() => handler(input, ctx));
        rt.engine.transaction(() => {
          handler(input, ctx);
          throw new DryRunPassed();
        });
      } catch (e) {
        s.forget(); // the transaction rolled back: cached records may hold its changes
        if (e instanceof DryRunPassed) throw dryRunError();
        throw e;
      }
    };
  }
  return processMode(rt, s, instances, wrapped as Ec2Provider);
}

export const ec2: ServiceDefinition = {
  name: 'ec2',
  create,
  validateInput: false,
  errors: {
    unknownOperation: () => new ServiceError('InvalidAction', 'The action is not valid for this web service.', 400),
    malformedInput: 'InvalidParameterValue',
  },
};
