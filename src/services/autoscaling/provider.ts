// Amazon EC2 Auto Scaling: what Nimbus serves of it. This file is wiring: launch configurations,
// groups and their capacity engine, lifecycle hooks and scaling policies each live in their own
// module. Instances are EC2's (launched and terminated through EC2's own handlers with rt.invoke),
// target groups are ELBv2's. A clock advance settles every group (heartbeats, Pending → InService).
import type { AutoscalingProvider } from '../../generated/autoscaling.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';
import { AsgState } from './store.js';
import { Capacity } from './capacity.js';
import { launchConfigHandlers } from './launch-configs.js';
import { groupHandlers } from './groups.js';
import { hookHandlers } from './hooks.js';
import { policyHandlers } from './policies.js';

function create(rt: Runtime): AutoscalingProvider {
  const s = new AsgState(rt);
  const cap = new Capacity(s);
  // scopes that hold groups, so a clock advance can settle them without a request
  const scopes = rt.stores('autoscaling-index', (scope) => scope.collection<{ account: string; region: string }>('scopes')).system();
  rt.clock.onAdvance(() => {
    const settling: Promise<unknown>[] = [];
    for (const [, w] of [...scopes.scan()]) {
      if (s.store(w).groups.count() === 0) continue;
      const where = { ...w, clock: rt.clock };
      settling.push(
        cap.locked(where, () => cap.settle(where)).catch((e) => console.error('autoscaling: settling after a clock advance failed', e)),
      );
    }
    return Promise.all(settling);
  });
  const { alarmAction, ...policies } = policyHandlers(s, cap);
  rt.integrations.autoscaling = {
    alarmAction: (account, region, policyArn, trigger) => alarmAction({ account, region, clock: rt.clock }, policyArn, trigger),
  };
  const handlers = { ...launchConfigHandlers(s), ...groupHandlers(s, cap), ...hookHandlers(s, cap), ...policies } as AutoscalingProvider;
  const create = handlers.CreateAutoScalingGroup!;
  handlers.CreateAutoScalingGroup = (input, ctx) => {
    scopes.put(`${ctx.account}/${ctx.region}`, { account: ctx.account, region: ctx.region });
    return create(input, ctx);
  };
  return handlers;
}

export const autoscaling: ServiceDefinition = { name: 'autoscaling', create };
