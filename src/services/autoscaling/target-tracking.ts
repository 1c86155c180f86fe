// Target tracking: the two CloudWatch alarms Auto Scaling creates and manages for a policy, and the
// capacity a breach asks for. The alarms are AWS's: AlarmHigh (metric > target for 3 of 3 one-minute
// periods) and AlarmLow (metric < 90% of the target for 15 of 15), their action the policy's ARN;
// with DisableScaleIn only AlarmHigh exists. The rule Nimbus applies when one of them is in ALARM
// (AWS publishes none exactly) is proportional: new capacity = ceil(capacity × metric / target).
import type { CustomizedMetricSpecification, TargetTrackingConfiguration } from '../../generated/autoscaling.js';
import { validation } from './store.js';

/** The predefined metrics of EC2 Auto Scaling groups: namespace, metric and statistic. */
const PREDEFINED: Record<string, { namespace: string; metric: string; stat: string }> = {
  ASGAverageCPUUtilization: { namespace: 'AWS/EC2', metric: 'CPUUtilization', stat: 'Average' },
  ASGAverageNetworkIn: { namespace: 'AWS/EC2', metric: 'NetworkIn', stat: 'Average' },
  ASGAverageNetworkOut: { namespace: 'AWS/EC2', metric: 'NetworkOut', stat: 'Average' },
  ALBRequestCountPerTarget: { namespace: 'AWS/ApplicationELB', metric: 'RequestCountPerTarget', stat: 'Sum' },
};
const STATS = ['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum'];

export const HIGH = { periods: 3, comparison: 'GreaterThanThreshold', factor: 1 };
export const LOW = { periods: 15, comparison: 'LessThanThreshold', factor: 0.9 };

/** Refuses a configuration AWS refuses. */
export function checkTracking(t: TargetTrackingConfiguration | undefined): asserts t is TargetTrackingConfiguration {
  if (!t || t.TargetValue === undefined) throw validation('TargetTrackingConfiguration is required for policy type TargetTrackingScaling');
  const pre = t.PredefinedMetricSpecification;
  const custom = t.CustomizedMetricSpecification;
  if (!pre && !custom) throw validation('Either PredefinedMetricSpecification or CustomizedMetricSpecification must be specified');
  if (pre && custom) throw validation('Only one of PredefinedMetricSpecification or CustomizedMetricSpecification can be specified');
  if (!Number.isFinite(t.TargetValue) || t.TargetValue <= 0) throw validation('TargetValue must be greater than 0');
  if (pre) {
    if (!PREDEFINED[pre.PredefinedMetricType]) throw validation(`Invalid predefined metric type: ${pre.PredefinedMetricType}`);
    if (pre.PredefinedMetricType === 'ALBRequestCountPerTarget' && !pre.ResourceLabel)
      throw validation('Resource label should be specified for predefined metric type ALBRequestCountPerTarget');
    if (pre.ResourceLabel && pre.PredefinedMetricType !== 'ALBRequestCountPerTarget')
      throw validation(`Resource label cannot be specified for predefined metric type ${pre.PredefinedMetricType}`);
    if (pre.ResourceLabel && !/^app\/[^/]+\/[^/]+\/targetgroup\/[^/]+\/[^/]+$/.test(pre.ResourceLabel))
      throw validation(`Invalid resource label: ${pre.ResourceLabel}`);
  }
  if (custom) checkCustom(custom);
}

function checkCustom(c: CustomizedMetricSpecification): void {
  if (c.Period !== undefined && ![10, 30, 60].includes(c.Period)) throw validation('Period must be 10, 30 or 60 seconds');
  if (c.Metrics?.length) {
    if (c.MetricName || c.Namespace || c.Statistic || c.Dimensions?.length)
      throw validation('Metrics cannot be specified together with MetricName, Namespace, Dimensions or Statistic');
    if (c.Metrics.filter((m) => m.ReturnData !== false).length !== 1) throw validation('Exactly one metric in Metrics must return data');
    for (const m of c.Metrics)
      if (!m.Expression === !m.MetricStat) throw validation(`Exactly one of Expression or MetricStat must be specified for metric ${m.Id}`);
    return;
  }
  if (!c.MetricName || !c.Namespace || !c.Statistic)
    throw validation('MetricName, Namespace and Statistic are required in CustomizedMetricSpecification');
  if (!STATS.includes(c.Statistic)) throw validation(`Invalid statistic: ${c.Statistic}`);
}

/** The metric part of a PutMetricAlarm input for the configuration's metric. */
export function alarmMetric(group: string, t: TargetTrackingConfiguration): Record<string, unknown> {
  const pre = t.PredefinedMetricSpecification;
  if (pre) {
    const p = PREDEFINED[pre.PredefinedMetricType];
    const dims =
      pre.PredefinedMetricType === 'ALBRequestCountPerTarget'
        ? [{ Name: 'TargetGroup', Value: pre.ResourceLabel!.slice(pre.ResourceLabel!.indexOf('targetgroup/')) }]
        : [{ Name: 'AutoScalingGroupName', Value: group }];
    return { Namespace: p.namespace, MetricName: p.metric, Dimensions: dims, Statistic: p.stat, Period: 60 };
  }
  const c = t.CustomizedMetricSpecification!;
  const period = c.Period ?? 60;
  if (c.Metrics?.length) {
    return {
      Metrics: c.Metrics.map((m) => ({
        Id: m.Id,
        Expression: m.Expression,
        Label: m.Label,
        ReturnData: m.ReturnData ?? true,
        ...(m.Expression ? { Period: period } : {}),
        MetricStat: m.MetricStat
          ? { Metric: m.MetricStat.Metric, Stat: m.MetricStat.Stat, Unit: m.MetricStat.Unit, Period: m.MetricStat.Period ?? period }
          : undefined,
      })),
    };
  }
  return {
    Namespace: c.Namespace,
    MetricName: c.MetricName,
    Dimensions: c.Dimensions ?? [],
    Statistic: c.Statistic,
    Unit: c.Unit,
    Period: period,
  };
}

/** The PutMetricAlarm inputs of a policy's alarms, by their names (low omitted when scale-in is disabled). */
export function alarmInputs(
  group: string,
  policyArn: string,
  t: TargetTrackingConfiguration,
  names: { high: string; low: string },
): Record<string, unknown>[] {
  const metric = alarmMetric(group, t);
  const one = (name: string, spec: typeof HIGH) => ({
    AlarmName: name,
    AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policyArn}.`,
    ActionsEnabled: true,
    AlarmActions: [policyArn],
    ...metric,
    EvaluationPeriods: spec.periods,
    DatapointsToAlarm: spec.periods,
    Threshold: t.TargetValue * spec.factor,
    ComparisonOperator: spec.comparison,
  });
  return t.DisableScaleIn ? [one(names.high, HIGH)] : [one(names.high, HIGH), one(names.low, LOW)];
}

/** The capacity that brings the metric back to its target: ceil(capacity × metric / target). */
export function trackedCapacity(capacity: number, value: number, target: number): number {
  return Math.ceil((capacity * value) / target - 1e-9);
}
