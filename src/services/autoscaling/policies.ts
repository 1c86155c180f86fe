// Scaling policies: simple, step and target tracking. PutScalingPolicy answers the ARN a CloudWatch
// alarm action names (for target tracking it also creates the policy's two alarms through CloudWatch's
// own handlers); ExecutePolicy applies a simple or step policy's adjustment; an alarm action runs any
// policy (every minute the alarm stays in its state, as AWS does), within the policy's cooldown or
// warmup. The desired capacity stays within the group's bounds and the group follows on the clock.
import { randomUUID } from 'node:crypto';
import { ServiceError, type RequestContext } from '../../kit.js';
import type { AutoscalingProvider, ScalingPolicy } from '../../generated/autoscaling.js';
import { AsgState, iso, page, validation, type GroupRecord, type PolicyRecord } from './store.js';
import { Capacity } from './capacity.js';
import { alarmInputs, checkTracking, trackedCapacity } from './target-tracking.js';

type Where = Parameters<Capacity['settle']>[0];
/** What fired a policy: an alarm (its name, state, newest datapoint and threshold) or a user's ExecutePolicy. */
export interface Trigger {
  alarm?: string;
  state?: string;
  value?: number;
  threshold?: number;
}

const TYPES = ['SimpleScaling', 'StepScaling', 'TargetTrackingScaling', 'PredictiveScaling'];
const ADJUSTMENTS = ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'];
const key = (group: string, name: string) => `${group}\u0000${name}`;

/** The desired capacity a policy's adjustment gives, before the group's bounds. */
export function adjusted(current: number, type: string, adjustment: number, minMagnitude?: number): number {
  if (type === 'ExactCapacity') return adjustment;
  if (type === 'ChangeInCapacity') return current + adjustment;
  let change = (current * adjustment) / 100;
  change = change > 0 ? Math.floor(change) : Math.ceil(change);
  if (change === 0) change = adjustment > 0 ? 1 : adjustment < 0 ? -1 : 0;
  if (minMagnitude && Math.abs(change) < minMagnitude) change = Math.sign(change) * minMagnitude;
  return current + change;
}

/**
 * The desired capacity an alarm asks of a policy, or undefined for no change. Simple and step policies
 * do not run again within their cooldown (simple) or warmup (step) after they changed the capacity.
 * Target tracking scales out to ceil(capacity × metric / target), where within the warmup after its
 * last scale-out the capacity is the one before it (the instances warming up are not counted twice),
 * and scales in the same way only outside that window and unless DisableScaleIn.
 */
export function alarmTarget(p: PolicyRecord, g: GroupRecord, t: Trigger, now: number): number | undefined {
  const window = ((p.type === 'SimpleScaling' ? p.cooldown : p.warmup) ?? g.cooldown) * 1000;
  const inWindow = !!p.last && now < p.last.at + window;
  if (p.type === 'TargetTrackingScaling') {
    const tt = p.targetTracking!;
    if (t.value === undefined || t.state !== 'ALARM') return undefined;
    if (t.value > tt.TargetValue) {
      const base = inWindow && p.last!.to > p.last!.from ? p.last!.from : g.desired;
      const want = Math.min(trackedCapacity(base, t.value, tt.TargetValue), g.max);
      return want > g.desired ? want : undefined;
    }
    if (t.value >= tt.TargetValue || tt.DisableScaleIn || inWindow) return undefined;
    const want = Math.max(trackedCapacity(g.desired, t.value, tt.TargetValue), g.min);
    return want < g.desired ? want : undefined;
  }
  if (inWindow) return undefined;
  return bounded(g, adjustmentOf(p, t));
}

function adjustmentOf(p: PolicyRecord, t: Trigger): (current: number) => number {
  let adjustment: number;
  if (p.type === 'SimpleScaling') {
    adjustment = p.adjustment!;
  } else if (p.type === 'StepScaling') {
    if (t.value === undefined || t.threshold === undefined)
      throw validation('MetricValue and BreachThreshold are required for StepScaling policies');
    const diff = t.value - t.threshold;
    const step = p.steps!.find(
      (x) =>
        (x.MetricIntervalLowerBound === undefined || diff >= x.MetricIntervalLowerBound) &&
        (x.MetricIntervalUpperBound === undefined || diff < x.MetricIntervalUpperBound),
    );
    if (!step) throw validation('No step adjustment found for the metric value and breach threshold');
    adjustment = step.ScalingAdjustment;
  } else {
    throw validation(`ExecutePolicy is not supported for policy type ${p.type}`);
  }
  return (current) => adjusted(current, p.adjustmentType!, adjustment, p.minMagnitude);
}

const bounded = (g: GroupRecord, f: (current: number) => number) => Math.min(Math.max(f(g.desired), g.min), g.max);

/** Deletes a target tracking policy's alarms (those CloudWatch no longer has are skipped). */
async function dropAlarms(s: AsgState, w: { account: string; region: string }, alarms: { AlarmName: string }[] | undefined): Promise<void> {
  if (!alarms?.length) return;
  await s.invoke(w, 'cloudwatch', 'DeleteAlarms', { AlarmNames: alarms.map((a) => a.AlarmName) });
}

/** Deletes a group's policies and their alarms (the group is being deleted). */
export async function dropPolicies(s: AsgState, w: { account: string; region: string }, group: string): Promise<void> {
  const store = s.store(w);
  for (const p of s.all(store.policies).filter((x) => x.group === group)) {
    await dropAlarms(s, w, p.alarms);
    store.policies.delete(key(group, p.name));
  }
}

export function policyHandlers(
  s: AsgState,
  cap: Capacity,
): Partial<AutoscalingProvider> & { alarmAction(w: Where, policyArn: string, t: Trigger): Promise<void> } {
  const view = (p: PolicyRecord): ScalingPolicy => ({
    AutoScalingGroupName: p.group,
    PolicyName: p.name,
    PolicyARN: p.arn,
    PolicyType: p.type,
    AdjustmentType: p.adjustmentType,
    ScalingAdjustment: p.adjustment,
    MinAdjustmentMagnitude: p.minMagnitude,
    Cooldown: p.cooldown,
    StepAdjustments: p.steps,
    MetricAggregationType: p.aggregation,
    EstimatedInstanceWarmup: p.warmup,
    TargetTrackingConfiguration: p.targetTracking,
    Alarms: p.alarms ?? [],
    Enabled: p.enabled,
  });

  /** Creates or updates a target tracking policy's alarms, keeping their names; drops the low one when scale-in is disabled. */
  async function putAlarms(
    ctx: RequestContext,
    p: PolicyRecord,
    prev?: PolicyRecord['alarms'],
  ): Promise<NonNullable<PolicyRecord['alarms']>> {
    const named = (kind: string) =>
      prev?.find((a) => a.AlarmName.startsWith(`TargetTracking-${p.group}-${kind}-`))?.AlarmName ??
      `TargetTracking-${p.group}-${kind}-${randomUUID()}`;
    const inputs = alarmInputs(p.group, p.arn, p.targetTracking!, { high: named('AlarmHigh'), low: named('AlarmLow') });
    for (const input of inputs) await s.invoke(ctx, 'cloudwatch', 'PutMetricAlarm', input);
    const names = inputs.map((i) => i.AlarmName as string);
    await dropAlarms(
      s,
      ctx,
      prev?.filter((a) => !names.includes(a.AlarmName)),
    );
    return names.map((n) => ({ AlarmName: n, AlarmARN: `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${n}` }));
  }

  /** Sets a group's desired capacity for a policy and brings the group to it. */
  async function scale(w: Where, p: PolicyRecord, g: GroupRecord, target: number, cause: string): Promise<void> {
    const store = s.store(w);
    if (target !== g.desired) {
      const now = w.clock.now().getTime();
      store.policies.put(key(p.group, p.name), { ...p, last: { at: now, from: g.desired, to: target } });
      store.groups.put(g.name, {
        ...g,
        desired: target,
        cause: `At ${iso(now)} ${cause} changing the desired capacity from ${g.desired} to ${target}.`,
      });
    }
    await cap.settle(w, g.name);
  }

  return {
    PutScalingPolicy: async (input, ctx) => {
      const g = s.group(ctx, input.AutoScalingGroupName);
      const type = input.PolicyType ?? 'SimpleScaling';
      if (!TYPES.includes(type)) throw validation(`Invalid policy type: ${type}`);
      if (type === 'SimpleScaling' || type === 'StepScaling') {
        if (!input.AdjustmentType || !ADJUSTMENTS.includes(input.AdjustmentType))
          throw validation(`Invalid adjustment type: ${input.AdjustmentType ?? '(none)'}. Valid types are ${ADJUSTMENTS.join(', ')}`);
        if (input.MinAdjustmentMagnitude !== undefined && input.AdjustmentType !== 'PercentChangeInCapacity')
          throw validation('MinAdjustmentMagnitude may only be specified with PercentChangeInCapacity');
      }
      if (type === 'SimpleScaling' && input.ScalingAdjustment === undefined)
        throw validation('ScalingAdjustment is required for policy type SimpleScaling');
      if (type === 'StepScaling' && !input.StepAdjustments?.length)
        throw validation('StepAdjustments are required for policy type StepScaling');
      if (type === 'TargetTrackingScaling') checkTracking(input.TargetTrackingConfiguration);
      const store = s.store(ctx);
      const prev = store.policies.get(key(g.name, input.PolicyName));
      const arn = prev?.arn ?? s.arn(ctx, `scalingPolicy:${randomUUID()}:autoScalingGroupName/${g.name}:policyName/${input.PolicyName}`);
      const rec: PolicyRecord = {
        group: g.name,
        name: input.PolicyName,
        arn,
        type,
        adjustmentType: input.AdjustmentType,
        adjustment: input.ScalingAdjustment,
        minMagnitude: input.MinAdjustmentMagnitude,
        cooldown: input.Cooldown,
        steps: input.StepAdjustments,
        aggregation: type === 'StepScaling' ? (input.MetricAggregationType ?? 'Average') : undefined,
        targetTracking: input.TargetTrackingConfiguration ? { DisableScaleIn: false, ...input.TargetTrackingConfiguration } : undefined,
        warmup: input.EstimatedInstanceWarmup,
        enabled: input.Enabled ?? true,
        last: prev?.last,
      };
      if (type === 'TargetTrackingScaling') rec.alarms = await putAlarms(ctx, rec, prev?.alarms);
      else await dropAlarms(s, ctx, prev?.alarms);
      store.policies.put(key(g.name, input.PolicyName), rec);
      return { PolicyARN: arn, Alarms: rec.alarms ?? [] };
    },

    DescribePolicies: (input, ctx) => {
      if (input.AutoScalingGroupName) s.group(ctx, input.AutoScalingGroupName);
      const all = s
        .all(s.store(ctx).policies)
        .filter(
          (p) =>
            (!input.AutoScalingGroupName || p.group === input.AutoScalingGroupName) &&
            (!input.PolicyNames?.length || input.PolicyNames.includes(p.name) || input.PolicyNames.includes(p.arn)) &&
            (!input.PolicyTypes?.length || input.PolicyTypes.includes(p.type)),
        );
      const { items, next } = page(all, input.NextToken, input.MaxRecords);
      return { ScalingPolicies: items.map(view), NextToken: next };
    },

    DeletePolicy: async (input, ctx) => {
      const store = s.store(ctx);
      const p = s
        .all(store.policies)
        .find(
          (x) =>
            (x.name === input.PolicyName && (!input.AutoScalingGroupName || x.group === input.AutoScalingGroupName)) ||
            x.arn === input.PolicyName,
        );
      if (!p) throw validation(`Policy ${input.PolicyName} does not exist`);
      await dropAlarms(s, ctx, p.alarms);
      store.policies.delete(key(p.group, p.name));
      return undefined;
    },

    ExecutePolicy: (input, ctx) =>
      cap.locked(ctx, async () => {
        const store = s.store(ctx);
        const p = s
          .all(store.policies)
          .find((x) => x.arn === input.PolicyName || (x.name === input.PolicyName && x.group === input.AutoScalingGroupName));
        if (!p) throw validation(`No policy found with name or ARN ${input.PolicyName}`);
        if (!p.enabled) throw validation(`The policy ${p.name} is disabled`);
        const g: GroupRecord = s.group(ctx, p.group);
        const target = bounded(g, adjustmentOf(p, { value: input.MetricValue, threshold: input.BreachThreshold }));
        await scale(ctx, p, g, target, `a user request executed policy ${p.name}`);
        return undefined;
      }),

    /** An alarm's action naming a policy (CloudWatch calls it through rt.integrations.autoscaling). */
    alarmAction: (w, policyArn, t) =>
      cap.locked(w, async () => {
        const store = s.store(w);
        const p = s.all(store.policies).find((x) => x.arn === policyArn);
        if (!p) throw new ServiceError('ValidationError', `No policy found with name or ARN ${policyArn}`, 400);
        const g = store.groups.get(p.group);
        if (!p.enabled || !g) return;
        const target = alarmTarget(p, g, t, w.clock.now().getTime());
        if (target === undefined) return;
        await scale(w, p, g, target, `a monitor alarm ${t.alarm} in state ${t.state} triggered policy ${p.name}`);
      }),
  };
}
