// Registered targets and their health. Health comes from the health checks (health.ts): a target is
// `initial` until its checks reach a threshold, then `healthy` or `unhealthy`; a stopped or
// terminated instance is `unused`. An instance Nimbus does not run as a process passes its checks
// unless tagged `nimbus:health=unhealthy` (which takes effect at once).
import { ServiceError, type RequestContext } from '../../kit.js';
import type { Elbv2Provider, TargetDescription, TargetHealthDescription } from '../../generated/elbv2.js';
import { ElbState, validation, type TargetRecord, type TgRecord } from './store.js';
import { instancesOf, prober, targetKey as key, taggedUnhealthy, type Instance } from './health.js';
import { lbArnsOf } from './target-groups.js';

function invalid(message: string, ids: string[]): ServiceError {
  return new ServiceError('InvalidTarget', `${message}: ${ids.map((i) => `'${i}'`).join(', ')}`, 400);
}

/** A target's health as DescribeTargetHealth reports it. */
export function health(tg: TgRecord, t: TargetRecord, inst: Instance | undefined, inUse: boolean): TargetHealthDescription['TargetHealth'] {
  if (!inUse)
    return {
      State: 'unused',
      Reason: 'Target.NotInUse',
      Description: 'Target group is not configured to receive traffic from the load balancer',
    };
  if (tg.targetType === 'instance') {
    const state = inst?.State?.Name ?? 'terminated';
    if (state === 'pending')
      return { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
    if (state !== 'running') return { State: 'unused', Reason: 'Target.InvalidState', Description: `Target is in the ${state} state` };
  }
  if (!tg.hc.enabled) return { State: 'unavailable', Reason: 'Target.HealthCheckDisabled', Description: 'Health checks are disabled' };
  const h = t.health;
  if (!h || (h.state === 'initial' && h.ok + h.fail === 0))
    return { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
  if (taggedUnhealthy(inst)) return { State: 'unhealthy', Reason: 'Target.FailedHealthChecks', Description: 'Health checks failed' };
  if (h.state === 'initial')
    return { State: 'initial', Reason: 'Elb.InitialHealthChecking', Description: 'Initial health checks in progress' };
  if (h.state === 'unhealthy') return { State: 'unhealthy', Reason: h.reason as 'Target.FailedHealthChecks', Description: h.description };
  return { State: 'healthy' };
}

export function targetHandlers(s: ElbState): Partial<Elbv2Provider> {
  const targetsOf = (ctx: RequestContext, tgArn: string) => [...s.store(ctx).targets.scan({ prefix: `${tgArn}\u0000` })].map(([, v]) => v);

  return {
    RegisterTargets: async (input, ctx) => {
      const tg = s.tg(ctx, input.TargetGroupArn);
      const targets = input.Targets ?? [];
      if (!targets.length) throw validation('At least one target must be specified');
      if (tg.targetType === 'instance') {
        const ids = [...new Set(targets.map((t) => t.Id))];
        const found = await instancesOf(s.rt, ctx, ids);
        const missing = ids.filter((id) => !found.has(id) || found.get(id)!.State?.Name === 'terminated');
        if (missing.length) throw invalid('The following targets are not valid instances', missing);
        const elsewhere = ids.filter((id) => found.get(id)!.VpcId !== tg.vpcId);
        if (elsewhere.length) throw invalid(`The following targets are not in the target group VPC '${tg.vpcId}'`, elsewhere);
      }
      const store = s.store(ctx);
      for (const t of targets) {
        const port = t.Port ?? tg.port ?? 0;
        if (tg.targetType !== 'lambda' && (port < 1 || port > 65535)) throw validation(`Port '${port}' must be between 1 and 65535`);
        const k = key(tg.arn, t.Id, port);
        if (!store.targets.has(k))
          store.targets.put(k, { tgArn: tg.arn, id: t.Id, port, az: t.AvailabilityZone, registered: ctx.clock.now().getTime() });
      }
      prober(s.rt).schedule(ctx, tg.arn);
      return {};
    },

    DeregisterTargets: (input, ctx) => {
      const tg = s.tg(ctx, input.TargetGroupArn);
      const store = s.store(ctx);
      const absent: string[] = [];
      for (const t of input.Targets ?? []) {
        const matching = targetsOf(ctx, tg.arn).filter((r) => r.id === t.Id && (t.Port === undefined || r.port === t.Port));
        if (!matching.length) absent.push(t.Id);
        for (const r of matching) store.targets.delete(key(tg.arn, r.id, r.port));
      }
      prober(s.rt).schedule(ctx, tg.arn);
      if (absent.length) throw invalid('The following targets are not registered in target group', absent);
      return {};
    },

    DescribeTargetHealth: async (input, ctx) => {
      await prober(s.rt).settle(ctx, input.TargetGroupArn);
      const tg = s.tg(ctx, input.TargetGroupArn);
      const registered = targetsOf(ctx, tg.arn);
      const asked: TargetDescription[] | undefined = input.Targets?.length ? input.Targets : undefined;
      const inUse = lbArnsOf(s, ctx, tg.arn).length > 0;
      const ids = [...new Set([...registered.map((t) => t.id), ...(asked ?? []).map((t) => t.Id)])];
      const found = tg.targetType === 'instance' ? await instancesOf(s.rt, ctx, ids) : new Map<string, Instance>();
      const out: TargetHealthDescription[] = [];
      const describe = (t: TargetRecord): TargetHealthDescription => ({
        Target: { Id: t.id, Port: t.port, ...(t.az ? { AvailabilityZone: t.az } : {}) },
        HealthCheckPort: tg.hc.port === 'traffic-port' ? String(t.port) : tg.hc.port,
        TargetHealth: health(tg, t, found.get(t.id), inUse),
      });
      if (!asked) return { TargetHealthDescriptions: registered.map(describe) };
      for (const a of asked) {
        if (tg.targetType === 'instance' && !found.has(a.Id)) throw invalid('The following targets are not valid instances', [a.Id]);
        const matching = registered.filter((r) => r.id === a.Id && (a.Port === undefined || r.port === a.Port));
        if (matching.length) out.push(...matching.map(describe));
        else
          out.push({
            Target: { Id: a.Id, Port: a.Port ?? tg.port },
            TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' },
          });
      }
      return { TargetHealthDescriptions: out };
    },
  };
}
