// Alarms on the virtual clock: each alarm is due once a minute (an index keyed by due time, so a tick
// reads only what is due); a metric alarm is evaluated at every minute it missed, up to an hour back,
// a composite alarm whenever a child changes. State changes are recorded in the history and run the
// alarm's actions: SNS topics (the JSON message CloudWatch sends) and Lambda functions.
import { InFlight, type Runtime } from '../../kit.js';
import { SEP, tsKey, type AlarmRecord, type CloudWatchStore } from './store.js';
import { decide, type AlarmState } from './alarm-decide.js';
import { evalRule, parseRule, alarmNameOf } from './alarm-rule.js';
import { statSeries } from './series.js';
import { parseStat } from './stats.js';
import { runQueries } from './metricdata.js';

const MINUTE = 60_000;
const SCALING = /^arn:aws[a-z-]*:autoscaling:[^:]*:[^:]*:scalingPolicy:/;
const CATCH_UP = 60;
type MetricAlarmRecord = Extract<AlarmRecord, { type: 'MetricAlarm' }>;

const REGION_NAMES: Record<string, string> = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-1': 'US West (N. California)',
  'us-west-2': 'US West (Oregon)',
  'eu-west-1': 'EU (Ireland)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'eu-north-1': 'EU (Stockholm)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
  'sa-east-1': 'South America (Sao Paulo)',
  'ca-central-1': 'Canada (Central)',
};
const isoPlus = (t: number) => new Date(t).toISOString().replace('Z', '+0000');

export class AlarmEngine {
  /** actions running (SNS, Lambda, Auto Scaling): a clock advance waits for them */
  readonly actions = new InFlight();

  constructor(
    private readonly rt: Runtime,
    private readonly made: Set<CloudWatchStore>,
  ) {}

  /** Puts the alarm in the due index at `due` (replacing an earlier entry). */
  schedule(store: CloudWatchStore, name: string, due: number): void {
    this.unschedule(store, name);
    store.due.put(`${tsKey(due)}${SEP}${name}`, name);
  }

  unschedule(store: CloudWatchStore, name: string): void {
    // the index holds one entry per alarm: found by value (only on put and delete, never per tick)
    const keys = [...store.due.scan()].filter(([, v]) => v === name).map(([k]) => k);
    keys.forEach((k) => store.due.delete(k));
  }

  /** Evaluates every alarm due by `now`, in every account and region. */
  tick(now: number): void {
    for (const store of this.made) {
      const due = [...store.due.scan({ before: tsKey(now + 1) })];
      for (const [key, name] of due) {
        store.due.delete(key);
        const alarm = store.alarms.get(name);
        if (!alarm || alarm.type !== 'MetricAlarm') continue;
        let at = Number(key.slice(0, 15));
        if (now - at > CATCH_UP * MINUTE) at = now - ((now - at) % MINUTE) - (CATCH_UP - 1) * MINUTE;
        for (; at <= now; at += MINUTE) this.evaluate(store, name, at, now);
        store.due.put(`${tsKey(at)}${SEP}${name}`, name);
      }
    }
  }

  /** One evaluation of a metric alarm at time `at` (the end of its newest period). */
  evaluate(store: CloudWatchStore, name: string, at: number, now: number): void {
    const alarm = store.alarms.get(name) as MetricAlarmRecord | undefined;
    if (!alarm) return;
    const n = alarm.EvaluationPeriods ?? 1;
    const { periodS, values, lo, hi } = this.values(store, alarm, at, now);
    const p = periodS * 1000;
    const end = Math.floor(at / p) * p;
    const periods = [];
    for (let i = n; i >= 1; i--) {
      const t = end - i * p;
      periods.push({ t, v: values.get(t), lo: lo?.get(t), hi: hi?.get(t) });
    }
    const d = decide({
      periods,
      threshold: alarm.Threshold ?? 0,
      comparison: alarm.ComparisonOperator ?? 'GreaterThanThreshold',
      datapointsToAlarm: alarm.DatapointsToAlarm ?? n,
      treatMissingData: alarm.TreatMissingData ?? 'missing',
      current: (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState,
    });
    const present = periods.filter((x) => x.v !== undefined);
    if (d.state === alarm.StateValue) {
      // Auto Scaling actions, unlike the others, run again every minute the alarm stays in its state
      if (alarm.ActionsEnabled !== false) this.scalingActions(alarm, d.state, present.at(-1)?.v);
      return;
    }
    const reasonData = JSON.stringify({
      version: '1.0',
      queryDate: isoPlus(now),
      startDate: isoPlus(end - n * p),
      ...(alarm.Statistic ? { statistic: alarm.Statistic } : alarm.ExtendedStatistic ? { statistic: alarm.ExtendedStatistic } : {}),
      ...(alarm.Unit ? { unit: alarm.Unit } : {}),
      period: periodS,
      recentDatapoints: present.map((x) => x.v),
      threshold: alarm.Threshold ?? 0,
      evaluatedDatapoints: present
        .slice()
        .reverse()
        .map((x) => ({ timestamp: isoPlus(x.t), value: x.v })),
    });
    this.transition(store, alarm, d.state, d.reason, reasonData, at);
  }

  /** The value of each period of the alarm's metric (and, for an anomaly detection alarm, its band's). */
  private values(
    store: CloudWatchStore,
    alarm: MetricAlarmRecord,
    at: number,
    now: number,
  ): { periodS: number; values: Map<number, number>; lo?: Map<number, number>; hi?: Map<number, number> } {
    const n = alarm.EvaluationPeriods ?? 1;
    if (alarm.Metrics?.length) {
      const tid = alarm.ThresholdMetricId;
      const returning = alarm.Metrics.find((m) => m.ReturnData !== false && m.Id !== tid) ?? alarm.Metrics[0];
      const periodS = returning.MetricStat?.Period ?? returning.Period ?? alarm.Metrics.find((m) => m.MetricStat)?.MetricStat?.Period ?? 60;
      const p = periodS * 1000;
      const end = Math.floor(at / p) * p;
      const results = runQueries(store, alarm.Metrics, end - n * p, end, now);
      const byTime = (r?: { series: { ts: number[]; vs: number[] } }) => new Map((r?.series.ts ?? []).map((t, i) => [t, r!.series.vs[i]]));
      const band = tid ? results.filter((x) => x.id === tid) : [];
      return {
        periodS,
        values: byTime(results.find((x) => x.id === returning.Id)),
        ...(tid ? { lo: byTime(band[0]), hi: byTime(band[1]) } : {}),
      };
    }
    const periodS = alarm.Period ?? 60;
    const p = periodS * 1000;
    const end = Math.floor(at / p) * p;
    const stat = parseStat(alarm.Statistic ?? alarm.ExtendedStatistic ?? 'Average');
    const m = store.metric(alarm.Namespace ?? '', alarm.MetricName ?? '', alarm.Dimensions);
    const s = statSeries(store, m, alarm.MetricName ?? '', end - n * p, end, periodS, stat!, now, alarm.Unit);
    return { periodS, values: new Map(s.ts.map((t, i) => [t, s.vs[i]])) };
  }

  /** Changes an alarm's state: history, actions, then the composite alarms that may follow. */
  transition(
    store: CloudWatchStore,
    alarm: AlarmRecord,
    state: AlarmState,
    reason: string,
    reasonData: string | undefined,
    at: number,
  ): void {
    const old = (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmState;
    const when = new Date(at);
    const updated = {
      ...alarm,
      StateValue: state,
      StateReason: reason,
      StateUpdatedTimestamp: when,
      StateTransitionedTimestamp: when,
    } as AlarmRecord;
    if (reasonData !== undefined) updated.StateReasonData = reasonData;
    else delete updated.StateReasonData;
    store.alarms.put(alarm.AlarmName, updated);
    this.history(store, updated, at, 'StateUpdate', `Alarm updated from ${old} to ${state}`, {
      version: '1.0',
      oldState: { stateValue: old, stateReason: alarm.StateReason ?? '' },
      newState: { stateValue: state, stateReason: reason, ...(reasonData ? { stateReasonData: JSON.parse(reasonData) } : {}) },
    });
    if (old !== state) {
      if (updated.ActionsEnabled !== false) this.act(store, updated, old, at);
      this.composites(store, at);
    }
  }

  history(
    store: CloudWatchStore,
    alarm: AlarmRecord,
    at: number,
    type: 'ConfigurationUpdate' | 'StateUpdate' | 'Action',
    summary: string,
    data: unknown,
  ): void {
    const key = `${tsKey(at)}${SEP}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    store.history.put(key, {
      AlarmName: alarm.AlarmName,
      AlarmType: alarm.type,
      Timestamp: at,
      HistoryItemType: type,
      HistorySummary: summary,
      HistoryData: JSON.stringify(data),
    });
  }

  /** Re-evaluates every composite alarm of the store (their children's states changed). */
  composites(store: CloudWatchStore, at: number): void {
    const all = [...store.alarms.scan()].map(([, a]) => a).filter((a) => a.type === 'CompositeAlarm');
    for (const c of all) {
      let rule;
      try {
        rule = parseRule(c.AlarmRule ?? 'FALSE');
      } catch {
        continue;
      }
      const stateOf = (ref: string) => store.alarms.get(alarmNameOf(ref))?.StateValue;
      const state: AlarmState = evalRule(rule, stateOf) ? 'ALARM' : 'OK';
      const current = store.alarms.get(c.AlarmName);
      if (!current || current.StateValue === state) continue;
      this.transition(store, current, state, `The alarm rule evaluated to ${state === 'ALARM' ? 'TRUE' : 'FALSE'}.`, undefined, at);
    }
  }

  /** Runs again the Auto Scaling actions of the state an alarm stays in (a repeat records no history). */
  private scalingActions(alarm: AlarmRecord, state: AlarmState, value: number | undefined): void {
    const actions = state === 'ALARM' ? alarm.AlarmActions : state === 'OK' ? alarm.OKActions : alarm.InsufficientDataActions;
    for (const arn of actions ?? []) {
      const run = SCALING.test(arn) ? this.scaling(alarm, arn, state, value) : undefined;
      // a repeat's failure is not recorded (no history), but the advance still waits for it
      if (run) this.actions.track(run.catch(() => undefined));
    }
  }

  private scaling(alarm: AlarmRecord, arn: string, state: AlarmState, value: number | undefined): Promise<void> | undefined {
    const [, , , region, account] = arn.split(':');
    const threshold = 'Threshold' in alarm ? alarm.Threshold : undefined;
    return this.rt.integrations.autoscaling?.alarmAction(account, region, arn, { alarm: alarm.AlarmName, state, value, threshold });
  }

  private act(store: CloudWatchStore, alarm: AlarmRecord, old: AlarmState, at: number): void {
    const state = alarm.StateValue as AlarmState;
    const actions = state === 'ALARM' ? alarm.AlarmActions : state === 'OK' ? alarm.OKActions : alarm.InsufficientDataActions;
    if (!actions?.length) return;
    const { account, region } = store.scope;
    for (const arn of actions) {
      const done = (ok: boolean, detail?: string) =>
        this.history(
          store,
          alarm,
          this.rt.clock.nowMs(),
          'Action',
          ok ? `Successfully executed action ${arn}` : `Failed to execute action ${arn}. Received error: "${detail ?? 'unknown error'}"`,
          ok
            ? { actionState: 'Succeeded', stateUpdateTimestamp: at, notificationResource: arn }
            : { actionState: 'Failed', stateUpdateTimestamp: at, error: detail },
        );
      const fail = (e: unknown) => done(false, e instanceof Error ? e.message : String(e));
      if (arn.startsWith('arn:aws:sns:') && this.rt.integrations.sns) {
        const subject = `${state}: "${alarm.AlarmName}" in ${REGION_NAMES[region] ?? region}`.slice(0, 100);
        this.actions.track(
          this.rt.integrations.sns
            .publish(arn, JSON.stringify(snsMessage(alarm, old, account, region, at)), { subject })
            .then(() => done(true), fail),
        );
      } else if (arn.startsWith('arn:aws:lambda:') && this.rt.integrations.lambda) {
        const payload = Buffer.from(JSON.stringify(lambdaEvent(alarm, old, account, region, at)));
        this.actions.track(this.rt.integrations.lambda.invoke(arn, payload, 'Event').then(() => done(true), fail));
      } else if (SCALING.test(arn)) {
        // the breached threshold and the newest datapoint, as a step or target tracking policy needs
        let value: number | undefined;
        try {
          value = (JSON.parse(alarm.StateReasonData ?? '{}').recentDatapoints as number[] | undefined)?.at(-1);
        } catch {
          value = undefined;
        }
        const run = this.scaling(alarm, arn, state, value);
        if (run) this.actions.track(run.then(() => done(true), fail));
        else done(false, 'Auto Scaling is not served');
      } else {
        done(false, 'the action target is not served by Nimbus');
      }
    }
  }
}

/** The JSON CloudWatch publishes to an SNS topic when an alarm changes state. */
export function snsMessage(a: AlarmRecord, old: AlarmState, account: string, region: string, at: number): Record<string, unknown> {
  const base: Record<string, unknown> = {
    AlarmName: a.AlarmName,
    AlarmDescription: a.AlarmDescription ?? null,
    AWSAccountId: account,
    AlarmConfigurationUpdatedTimestamp: a.AlarmConfigurationUpdatedTimestamp
      ? isoPlus(new Date(a.AlarmConfigurationUpdatedTimestamp).getTime())
      : null,
    NewStateValue: a.StateValue,
    NewStateReason: a.StateReason,
    StateChangeTime: isoPlus(at),
    Region: REGION_NAMES[region] ?? region,
    AlarmArn: a.AlarmArn,
    OldStateValue: old,
    OKActions: a.OKActions ?? [],
    AlarmActions: a.AlarmActions ?? [],
    InsufficientDataActions: a.InsufficientDataActions ?? [],
  };
  if (a.type === 'CompositeAlarm') return { ...base, AlarmRule: a.AlarmRule };
  const trigger: Record<string, unknown> = a.Metrics?.length
    ? {
        Period:
          a.Metrics.find((m) => m.ReturnData !== false)?.MetricStat?.Period ??
          a.Metrics.find((m) => m.MetricStat)?.MetricStat?.Period ??
          60,
        EvaluationPeriods: a.EvaluationPeriods,
        ComparisonOperator: a.ComparisonOperator,
        Threshold: a.Threshold,
        TreatMissingData: a.TreatMissingData ?? 'missing',
        EvaluateLowSampleCountPercentile: '',
        Metrics: a.Metrics.map((m) => ({
          Id: m.Id,
          ...(m.Expression ? { Expression: m.Expression } : {}),
          ...(m.Label ? { Label: m.Label } : {}),
          ReturnData: m.ReturnData !== false,
          ...(m.MetricStat
            ? {
                MetricStat: {
                  Metric: {
                    Dimensions: (m.MetricStat.Metric.Dimensions ?? []).map((d) => ({ value: d.Value, name: d.Name })),
                    MetricName: m.MetricStat.Metric.MetricName,
                    Namespace: m.MetricStat.Metric.Namespace,
                  },
                  Period: m.MetricStat.Period,
                  Stat: m.MetricStat.Stat,
                  ...(m.MetricStat.Unit ? { Unit: m.MetricStat.Unit } : {}),
                },
              }
            : {}),
        })),
      }
    : {
        MetricName: a.MetricName,
        Namespace: a.Namespace,
        StatisticType: a.ExtendedStatistic ? 'ExtendedStatistic' : 'Statistic',
        Statistic: a.ExtendedStatistic ?? (a.Statistic ?? '').toUpperCase().replace('SAMPLECOUNT', 'SAMPLE_COUNT'),
        Unit: a.Unit ?? null,
        Dimensions: (a.Dimensions ?? []).map((d) => ({ value: d.Value, name: d.Name })),
        Period: a.Period,
        EvaluationPeriods: a.EvaluationPeriods,
        ...(a.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: a.DatapointsToAlarm } : {}),
        ComparisonOperator: a.ComparisonOperator,
        Threshold: a.Threshold,
        TreatMissingData: a.TreatMissingData ?? 'missing',
        EvaluateLowSampleCountPercentile: a.EvaluateLowSampleCountPercentile ?? '',
      };
  return { ...base, Trigger: trigger };
}

/** The event CloudWatch invokes a Lambda alarm action with. */
export function lambdaEvent(a: AlarmRecord, old: AlarmState, account: string, region: string, at: number): Record<string, unknown> {
  const metrics =
    a.type === 'MetricAlarm'
      ? a.Metrics?.length
        ? a.Metrics.map((m) => ({
            id: m.Id,
            ...(m.Expression ? { expression: m.Expression } : {}),
            ...(m.MetricStat
              ? {
                  metricStat: {
                    metric: {
                      namespace: m.MetricStat.Metric.Namespace,
                      name: m.MetricStat.Metric.MetricName,
                      dimensions: Object.fromEntries((m.MetricStat.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value])),
                    },
                    period: m.MetricStat.Period,
                    stat: m.MetricStat.Stat,
                  },
                }
              : {}),
            returnData: m.ReturnData !== false,
          }))
        : [
            {
              id: 'm1',
              metricStat: {
                metric: {
                  namespace: a.Namespace,
                  name: a.MetricName,
                  dimensions: Object.fromEntries((a.Dimensions ?? []).map((d) => [d.Name, d.Value])),
                },
                period: a.Period,
                stat: a.Statistic ?? a.ExtendedStatistic,
              },
              returnData: true,
            },
          ]
      : undefined;
  return {
    source: 'aws.cloudwatch',
    alarmArn: a.AlarmArn,
    accountId: account,
    time: new Date(at).toISOString(),
    region,
    alarmData: {
      alarmName: a.AlarmName,
      state: {
        value: a.StateValue,
        reason: a.StateReason,
        ...(a.StateReasonData ? { reasonData: a.StateReasonData } : {}),
        timestamp: new Date(at).toISOString(),
      },
      previousState: { value: old },
      configuration: {
        ...(a.AlarmDescription ? { description: a.AlarmDescription } : {}),
        ...(metrics ? { metrics } : { alarmRule: (a as { AlarmRule?: string }).AlarmRule }),
      },
    },
  };
}
