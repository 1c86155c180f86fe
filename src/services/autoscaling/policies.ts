// Scaling policies: simple, step and target tracking. PutScalingPolicy answers the ARN a CloudWatch
// alarm action names; ExecutePolicy applies a simple or step policy's adjustment to the desired
// capacity, within the group's bounds, and the group follows on the virtual clock.
import type { AutoscalingProvider, ScalingPolicy } from '../../generated/autoscaling.js';
import { AsgState, iso, page, validation, type GroupRecord, type PolicyRecord } from './store.js';
import { Capacity } from './capacity.js';

const TYPES = ['SimpleScaling', 'StepScaling', 'TargetTrackingScaling', 'PredictiveScaling'];
const ADJUSTMENTS = ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'];

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

export function policyHandlers(s: AsgState, cap: Capacity): Partial<AutoscalingProvider> {
  const key = (group: string, name: string) => `${group}\u0000${name}`;
  const view = (p: PolicyRecord): ScalingPolicy => ({
    AutoScalingGroupName: p.group, PolicyName: p.name, PolicyARN: p.arn, PolicyType: p.type, AdjustmentType: p.adjustmentType,
    ScalingAdjustment: p.adjustment, MinAdjustmentMagnitude: p.minMagnitude, Cooldown: p.cooldown, StepAdjustments: p.steps,
    MetricAggregationType: p.aggregation, EstimatedInstanceWarmup: p.warmup, TargetTrackingConfiguration: p.targetTracking, Alarms: [], Enabled: p.enabled,
  });

  return {
    PutScalingPolicy: (input, ctx) => {
      const g = s.group(ctx, input.AutoScalingGroupName);
      const type = input.PolicyType ?? 'SimpleScaling';
      if (!TYPES.includes(type)) throw validation(`Invalid policy type: ${type}`);
      if (type === 'SimpleScaling' || type === 'StepScaling') {
        if (!input.AdjustmentType || !ADJUSTMENTS.includes(input.AdjustmentType)) throw validation(`Invalid adjustment type: ${input.AdjustmentType ?? '(none)'}. Valid types are ${ADJUSTMENTS.join(', ')}`);
        if (input.MinAdjustmentMagnitude !== undefined && input.AdjustmentType !== 'PercentChangeInCapacity') throw validation('MinAdjustmentMagnitude may only be specified with PercentChangeInCapacity');
      }
      if (type === 'SimpleScaling' && input.ScalingAdjustment === undefined) throw validation('ScalingAdjustment is required for policy type SimpleScaling');
      if (type === 'StepScaling' && !input.StepAdjustments?.length) throw validation('StepAdjustments are required for policy type StepScaling');
      if (type === 'TargetTrackingScaling') {
        const t = input.TargetTrackingConfiguration;
        if (!t || t.TargetValue === undefined) throw validation('TargetTrackingConfiguration is required for policy type TargetTrackingScaling');
        if (!t.PredefinedMetricSpecification && !t.CustomizedMetricSpecification) throw validation('Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified');
      }
      const store = s.store(ctx);
      const prev = store.policies.get(key(g.name, input.PolicyName));
      const arn = prev?.arn ?? s.arn(ctx, `scalingPolicy:${crypto.randomUUID()}:autoScalingGroupName/${g.name}:policyName/${input.PolicyName}`);
      store.policies.put(key(g.name, input.PolicyName), {
        group: g.name, name: input.PolicyName, arn, type, adjustmentType: input.AdjustmentType, adjustment: input.ScalingAdjustment,
        minMagnitude: input.MinAdjustmentMagnitude, cooldown: input.Cooldown, steps: input.StepAdjustments, aggregation: type === 'StepScaling' ? (input.MetricAggregationType ?? 'Average') : undefined,
        targetTracking: input.TargetTrackingConfiguration ? { DisableScaleIn: false, ...input.TargetTrackingConfiguration } : undefined, warmup: input.EstimatedInstanceWarmup, enabled: input.Enabled ?? true,
      });
      return { PolicyARN: arn, Alarms: [] };
    },

    DescribePolicies: (input, ctx) => {
      if (input.AutoScalingGroupName) s.group(ctx, input.AutoScalingGroupName);
      const all = s.all(s.store(ctx).policies).filter((p) =>
        (!input.AutoScalingGroupName || p.group === input.AutoScalingGroupName) &&
        (!input.PolicyNames?.length || input.PolicyNames.includes(p.name) || input.PolicyNames.includes(p.arn)) &&
        (!input.PolicyTypes?.length || input.PolicyTypes.includes(p.type)));
      const { items, next } = page(all, input.NextToken, input.MaxRecords);
      return { ScalingPolicies: items.map(view), NextToken: next };
    },

    DeletePolicy: (input, ctx) => {
      const store = s.store(ctx);
      const p = s.all(store.policies).find((x) => (x.name === input.PolicyName && (!input.AutoScalingGroupName || x.group === input.AutoScalingGroupName)) || x.arn === input.PolicyName);
      if (!p) throw validation(`Policy ${input.PolicyName} does not exist`);
      store.policies.delete(key(p.group, p.name));
      return undefined;
    },

    ExecutePolicy: (input, ctx) => cap.locked(ctx, async () => {
      const store = s.store(ctx);
      const p = s.all(store.policies).find((x) => x.arn === input.PolicyName || (x.name === input.PolicyName && x.group === input.AutoScalingGroupName));
      if (!p) throw validation(`No policy found with name or ARN ${input.PolicyName}`);
      if (!p.enabled) throw validation(`The policy ${p.name} is disabled`);
      const g: GroupRecord = s.group(ctx, p.group);
      let adjustment: number;
      if (p.type === 'SimpleScaling') {
        adjustment = p.adjustment!;
      } else if (p.type === 'StepScaling') {
        if (input.MetricValue === undefined || input.BreachThreshold === undefined) throw validation('MetricValue and BreachThreshold are required for StepScaling policies');
        const diff = input.MetricValue - input.BreachThreshold;
        const step = p.steps!.find((x) => (x.MetricIntervalLowerBound === undefined || diff >= x.MetricIntervalLowerBound) && (x.MetricIntervalUpperBound === undefined || diff < x.MetricIntervalUpperBound));
        if (!step) throw validation('No step adjustment found for the metric value and breach threshold');
        adjustment = step.ScalingAdjustment;
      } else {
        throw validation(`ExecutePolicy is not supported for policy type ${p.type}`);
      }
      const target = Math.min(Math.max(adjusted(g.desired, p.adjustmentType!, adjustment, p.minMagnitude), g.min), g.max);
      if (target !== g.desired) {
        g.cause = `At ${iso(ctx.clock.now().getTime())} a user request executed policy ${p.name} changing the desired capacity from ${g.desired} to ${target}.`;
        g.desired = target;
        store.groups.put(g.name, g);
      }
      await cap.settle(ctx, g.name);
      return undefined;
    }),
  };
}

