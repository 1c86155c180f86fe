// Elastic Load Balancing v2: what Nimbus serves of it. This file is wiring: load balancers, target
// groups, registered targets and health, listeners and rules, tags each live in their own module.
// Subnets, security groups, VPCs and instances are EC2's, read through EC2's own handlers (rt.invoke).
// Health checks really probe the targets (health.ts); application load balancers forward HTTP (traffic.ts),
// network load balancers TCP (listener-ports.ts).
import type { Elbv2Provider } from '../../generated/elbv2.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';
import { elbState } from './store.js';
import { loadBalancerHandlers } from './load-balancers.js';
import { targetGroupHandlers } from './target-groups.js';
import { targetHandlers } from './targets.js';
import { listenerHandlers } from './listeners.js';
import { tagHandlers } from './tags.js';
import { prober } from './health.js';
import { trafficGateway } from './traffic.js';
import { listenerPorts } from './listener-ports.js';

function create(rt: Runtime): Elbv2Provider {
  const s = elbState(rt);
  prober(rt).start();
  // the NLB TCP and ALB HTTP listeners the stores already hold, each on its own port
  void listenerPorts(rt).sync();
  return {
    ...loadBalancerHandlers(s),
    ...targetGroupHandlers(s),
    ...targetHandlers(s),
    ...listenerHandlers(s),
    ...tagHandlers(s),
  } as Elbv2Provider;
}

// ALBs answer HTTP on the gateway's port at `<name>-<id>.<region>.elb.localhost` hosts and
// `/_nimbus/elb/<name>/<port>/…`, and on each HTTP listener's own port (listener-ports.ts)
export const elbv2: ServiceDefinition = { name: 'elbv2', create, claimed: trafficGateway };
