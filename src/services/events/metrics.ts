// AWS/Events's standard metrics: MatchedEvents and TriggeredRules as a rule matches (or a schedule
// fires), Invocations once per event and target, FailedInvocations when a delivery fails for good.
// A rule on the default bus has the RuleName dimension, one on a custom bus EventBusName and
// RuleName; MatchedEvents and Invocations also go without dimensions (the account's).
import type { Runtime } from '../../kit.js';
import type { RuleRecord } from './store.js';

export type RuleMetric = 'MatchedEvents' | 'TriggeredRules' | 'Invocations' | 'FailedInvocations';

export function ruleMetrics(rt: Runtime, rule: RuleRecord, names: RuleMetric[]): void {
  const cw = rt.integrations.cloudwatch;
  if (!cw) return;
  const [, , , region, account] = rule.arn.split(':');
  const Dimensions =
    rule.bus === 'default'
      ? [{ Name: 'RuleName', Value: rule.name }]
      : [
          { Name: 'EventBusName', Value: rule.bus },
          { Name: 'RuleName', Value: rule.name },
        ];
  type Datum = { MetricName: string; Dimensions?: Array<{ Name: string; Value: string }>; Value: number; Unit: string };
  const data: Datum[] = names.map((MetricName) => ({ MetricName, Dimensions, Value: 1, Unit: 'Count' }));
  for (const MetricName of names)
    if (MetricName === 'MatchedEvents' || MetricName === 'Invocations') data.push({ MetricName, Value: 1, Unit: 'Count' });
  cw.putMetricData(account, region, 'AWS/Events', data);
}
