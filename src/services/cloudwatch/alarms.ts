// Alarm operations: PutMetricAlarm and PutCompositeAlarm with CloudWatch's checks, DescribeAlarms
// (names, prefix, types, state, action prefix, children and parents, paging), DescribeAlarmsForMetric,
// DescribeAlarmHistory, SetAlarmState, Enable/DisableAlarmActions, DeleteAlarms.
import { ServiceError, type Runtime, type Stores, type RequestContext } from '../../kit.js';
import type {
  CloudwatchProvider,
  PutMetricAlarmInput,
  AlarmHistoryItem,
  MetricAlarm,
  CompositeAlarm,
  Tag,
} from '../../generated/cloudwatch.js';
import { SEP, tsKey, canonicalDims, type AlarmRecord, type CloudWatchStore } from './store.js';
import { detectorKeyOf } from './anomaly-model.js';
import type { AlarmEngine } from './alarm-engine.js';
import { checkQueries } from './metricdata.js';
import { checkDimensions } from './validate.js';
import { parseRule, ruleAlarms, RuleError, alarmNameOf } from './alarm-rule.js';
import { parseStat } from './stats.js';
import { RANGES } from './alarm-decide.js';

const MINUTE = 60_000;
const validation = (m: string) => new ServiceError('ValidationError', m, 400);
const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];
const MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
const ACTION = /^arn:aws[a-z-]*:(sns|lambda|autoscaling|ec2|ssm|ssm-incidents|swf|automate):/;

export function checkMetricAlarm(input: PutMetricAlarmInput): void {
  const hasStat = input.Statistic !== undefined || input.ExtendedStatistic !== undefined;
  if (input.Metrics?.length) {
    if (
      hasStat ||
      input.MetricName !== undefined ||
      input.Namespace !== undefined ||
      input.Dimensions?.length ||
      input.Period !== undefined
    ) {
      throw validation(
        'The parameters Metrics and MetricName, Namespace, Dimensions, Statistic, ExtendedStatistic and Period are mutually exclusive.',
      );
    }
    checkQueries(input.Metrics, 'Metrics');
    if (input.Metrics.filter((m) => m.ReturnData !== false && m.Id !== input.ThresholdMetricId).length !== 1)
      throw validation('Exactly one element of the metrics list should return data.');
  } else {
    if (input.MetricName === undefined) throw new ServiceError('MissingParameter', 'The parameter MetricName is required.', 400);
    if (input.Namespace === undefined) throw new ServiceError('MissingParameter', 'The parameter Namespace is required.', 400);
    if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined)
      throw new ServiceError('InvalidParameterCombination', 'Statistic and ExtendedStatistic must not both be specified.', 400);
    if (!hasStat) throw new ServiceError('MissingParameter', 'One of Statistic or ExtendedStatistic must be specified.', 400);
    if (input.ExtendedStatistic !== undefined && !parseStat(input.ExtendedStatistic))
      throw new ServiceError(
        'InvalidParameterValue',
        `The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is invalid.`,
        400,
      );
    if (input.Period === undefined) throw new ServiceError('MissingParameter', 'The parameter Period is required.', 400);
    if (!(input.Period === 10 || input.Period === 30 || (input.Period > 0 && input.Period % 60 === 0)))
      throw validation('Period must be 10, 30 or a multiple of 60.');
    checkDimensions(input.Dimensions, 'Dimensions');
    const n = input.EvaluationPeriods ?? 1;
    if (input.Period * n > 7 * 86_400)
      throw validation('The evaluation period of the alarm (Period * EvaluationPeriods) must not exceed 7 days.');
  }
  if (input.EvaluationPeriods === undefined)
    throw new ServiceError('MissingParameter', 'The parameter EvaluationPeriods is required.', 400);
  if (input.ComparisonOperator === undefined)
    throw new ServiceError('MissingParameter', 'The parameter ComparisonOperator is required.', 400);
  if (!COMPARISONS.includes(input.ComparisonOperator))
    throw validation(`The value ${input.ComparisonOperator} for parameter ComparisonOperator is invalid.`);
  checkThresholds(input);
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods)
    throw validation('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  if (input.TreatMissingData !== undefined && !MISSING.includes(input.TreatMissingData))
    throw validation(
      `The value ${input.TreatMissingData} for parameter TreatMissingData is invalid. Must be one of: ${MISSING.join(', ')}.`,
    );
  checkActions(input);
}

/** A static threshold, or an anomaly detection band named by ThresholdMetricId with a range operator. */
function checkThresholds(input: PutMetricAlarmInput): void {
  const range = RANGES.includes(input.ComparisonOperator ?? '');
  if (!range) {
    if (input.ThresholdMetricId !== undefined)
      throw validation('ComparisonOperators for static thresholds require a Threshold value and no ThresholdMetricId.');
    if (input.Threshold === undefined) throw validation('ComparisonOperators for static thresholds require a Threshold value.');
    return;
  }
  if (input.ThresholdMetricId === undefined) throw validation('ComparisonOperators for ranges require ThresholdMetricId to be set');
  if (input.Threshold !== undefined) throw validation('ComparisonOperators for ranges require Threshold to be unset.');
  const band = input.Metrics?.find((m) => m.Id === input.ThresholdMetricId);
  if (!band) throw validation(`ThresholdMetricId ${input.ThresholdMetricId} does not match the Id of an element of Metrics.`);
  if (!/^\s*ANOMALY_DETECTION_BAND\s*\(/i.test(band.Expression ?? ''))
    throw validation('Threshold metric expression must use ANOMALY_DETECTION_BAND function.');
}

/** An anomaly detection alarm on a metric creates the metric's detector, as AWS does, when it has none. */
function detectorFor(store: CloudWatchStore, input: PutMetricAlarmInput): void {
  if (input.ThresholdMetricId === undefined) return;
  const arg = /ANOMALY_DETECTION_BAND\s*\(\s*([a-z][a-zA-Z0-9_]*)/.exec(
    input.Metrics?.find((m) => m.Id === input.ThresholdMetricId)?.Expression ?? '',
  )?.[1];
  const ms = input.Metrics?.find((m) => m.Id === arg)?.MetricStat;
  if (!ms) return;
  const single = {
    Namespace: ms.Metric.Namespace ?? '',
    MetricName: ms.Metric.MetricName ?? '',
    Dimensions: canonicalDims(ms.Metric.Dimensions),
    Stat: ms.Stat,
  };
  const key = detectorKeyOf(single);
  if (!store.detectors.has(key)) store.detectors.put(key, { single });
}

function checkActions(input: { AlarmActions?: string[]; OKActions?: string[]; InsufficientDataActions?: string[] }): void {
  for (const [param, list] of [
    ['AlarmActions', input.AlarmActions],
    ['OKActions', input.OKActions],
    ['InsufficientDataActions', input.InsufficientDataActions],
  ] as const) {
    if ((list?.length ?? 0) > 5) throw validation(`The collection ${param} must not have a size greater than 5.`);
    for (const arn of list ?? []) if (!ACTION.test(arn)) throw validation(`Invalid arn syntax: ${arn}`);
  }
}

export function alarmHandlers(rt: Runtime, stores: Stores<CloudWatchStore>, engine: AlarmEngine): Partial<CloudwatchProvider> {
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const arnOf = (ctx: RequestContext, name: string) => `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${name}`;
  const notFound = (name: string) => new ServiceError('ResourceNotFound', `Alarm ${name} does not exist`, 404);
  const tagsOf = (tags: Array<{ Key: string; Value: string }> | undefined, prev: Record<string, string> = {}) => ({
    ...prev,
    ...Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value])),
  });

  /** What PutMetricAlarm and PutCompositeAlarm store alike: the input, its defaults, and the state an update keeps. */
  const recordOf = (
    ctx: RequestContext,
    input: {
      AlarmName: string;
      Tags?: Tag[];
      ActionsEnabled?: boolean;
      OKActions?: string[];
      AlarmActions?: string[];
      InsufficientDataActions?: string[];
    },
    type: AlarmRecord['type'],
    prev: AlarmRecord | undefined,
    now: number,
  ): AlarmRecord => {
    const { Tags, ...config } = input;
    return {
      ...config,
      type,
      AlarmArn: arnOf(ctx, input.AlarmName),
      ActionsEnabled: input.ActionsEnabled ?? true,
      OKActions: input.OKActions ?? [],
      AlarmActions: input.AlarmActions ?? [],
      InsufficientDataActions: input.InsufficientDataActions ?? [],
      AlarmConfigurationUpdatedTimestamp: new Date(now),
      StateValue: prev?.StateValue ?? 'INSUFFICIENT_DATA',
      StateReason: prev?.StateReason ?? 'Unchecked: Initial alarm creation',
      StateUpdatedTimestamp: prev?.StateUpdatedTimestamp ?? new Date(now),
      StateTransitionedTimestamp: prev?.StateTransitionedTimestamp ?? new Date(now),
      tags: tagsOf(Tags, prev?.tags),
    } as AlarmRecord;
  };

  const save = (ctx: RequestContext, record: AlarmRecord, previous: AlarmRecord | undefined) => {
    const store = storeOf(ctx);
    stores.system().alarmScopes.put(`${ctx.account}${SEP}${ctx.region}`, 1);
    store.alarms.put(record.AlarmName, record);
    engine.history(
      store,
      record,
      ctx.clock.nowMs(),
      'ConfigurationUpdate',
      `Alarm "${record.AlarmName}" ${previous ? 'updated' : 'created'}`,
      {
        version: '1.0',
        type: previous ? 'Update' : 'Create',
        [previous ? 'updatedAlarm' : 'createdAlarm']: describe(record),
      },
    );
  };

  return {
    PutMetricAlarm: (input, ctx) => {
      checkMetricAlarm(input);
      const store = storeOf(ctx);
      const prev = store.alarms.get(input.AlarmName);
      if (prev && prev.type !== 'MetricAlarm') throw validation(`The alarm ${input.AlarmName} is a composite alarm.`);
      const now = ctx.clock.nowMs();
      const record = {
        ...recordOf(ctx, input, 'MetricAlarm', prev, now),
        Dimensions: input.Metrics?.length ? undefined : (input.Dimensions ?? []),
      } as AlarmRecord;
      if (prev?.StateReasonData) record.StateReasonData = prev.StateReasonData;
      save(ctx, record, prev);
      detectorFor(store, input);
      engine.schedule(store, input.AlarmName, Math.ceil((now + 1) / MINUTE) * MINUTE);
    },

    PutCompositeAlarm: (input, ctx) => {
      const store = storeOf(ctx);
      let refs: Set<string>;
      try {
        refs = ruleAlarms(parseRule(input.AlarmRule));
      } catch (e) {
        if (e instanceof RuleError) throw validation(`Invalid AlarmRule: ${e.message}`);
        throw e;
      }
      const missing = [...refs].map(alarmNameOf).filter((n) => !store.alarms.has(n));
      if (missing.length)
        throw validation(`Could not save the composite alarm as alarms [${missing.join(', ')}] in the alarm rule do not exist`);
      if ([...refs].map(alarmNameOf).includes(input.AlarmName))
        throw validation('A composite alarm cannot refer to itself in its alarm rule.');
      checkActions(input);
      const prev = store.alarms.get(input.AlarmName);
      if (prev && prev.type !== 'CompositeAlarm') throw validation(`The alarm ${input.AlarmName} is a metric alarm.`);
      const now = ctx.clock.nowMs();
      const record = recordOf(ctx, input, 'CompositeAlarm', prev, now);
      save(ctx, record, prev);
      engine.composites(store, now);
    },

    DescribeAlarms: (input, ctx) => {
      const store = storeOf(ctx);
      if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined)
        throw new ServiceError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix are mutually exclusive.', 400);
      if (
        (input.ChildrenOfAlarmName || input.ParentsOfAlarmName) &&
        (input.AlarmNames?.length || input.AlarmNamePrefix || input.StateValue || input.ActionPrefix)
      ) {
        throw new ServiceError(
          'InvalidParameterCombination',
          'ChildrenOfAlarmName and ParentsOfAlarmName cannot be used with other filters.',
          400,
        );
      }
      const max = input.MaxRecords ?? 50;
      const types = new Set(input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm']);
      let names: Set<string> | undefined = input.AlarmNames?.length ? new Set(input.AlarmNames) : undefined;
      if (input.ChildrenOfAlarmName) {
        const parent = store.alarms.get(input.ChildrenOfAlarmName);
        names = new Set(parent?.type === 'CompositeAlarm' ? [...ruleAlarms(parseRule(parent.AlarmRule ?? 'FALSE'))].map(alarmNameOf) : []);
        if (!input.AlarmTypes?.length) types.add('CompositeAlarm');
      }
      if (input.ParentsOfAlarmName) {
        const child = input.ParentsOfAlarmName;
        names = new Set(
          [...store.alarms.scan()]
            .filter(
              ([, a]) => a.type === 'CompositeAlarm' && [...ruleAlarms(parseRule(a.AlarmRule ?? 'FALSE'))].map(alarmNameOf).includes(child),
            )
            .map(([n]) => n),
        );
        if (!input.AlarmTypes?.length) types.add('CompositeAlarm');
      }
      const after = input.NextToken ? Buffer.from(input.NextToken, 'base64url').toString() : undefined;
      const metric: MetricAlarm[] = [];
      const composite: CompositeAlarm[] = [];
      let last: string | undefined;
      let more = false;
      for (const [name, a] of store.alarms.scan({ prefix: input.AlarmNamePrefix, after })) {
        if (names && !names.has(name)) continue;
        if (!types.has(a.type)) continue;
        if (input.StateValue && a.StateValue !== input.StateValue) continue;
        if (
          input.ActionPrefix &&
          ![...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some((x) =>
            x.startsWith(input.ActionPrefix!),
          )
        )
          continue;
        if (metric.length + composite.length === max) {
          more = true;
          break;
        }
        if (a.type === 'MetricAlarm') metric.push(describe(a) as MetricAlarm);
        else composite.push(describe(a) as CompositeAlarm);
        last = name;
      }
      return {
        ...(types.has('MetricAlarm') ? { MetricAlarms: metric } : {}),
        ...(types.has('CompositeAlarm') ? { CompositeAlarms: composite } : {}),
        ...(more && last ? { NextToken: Buffer.from(last).toString('base64url') } : {}),
      };
    },

    DescribeAlarmsForMetric: (input, ctx) => {
      const store = storeOf(ctx);
      const dims = JSON.stringify([...(input.Dimensions ?? [])].sort((a, b) => a.Name.localeCompare(b.Name)));
      const out: MetricAlarm[] = [];
      for (const [, a] of store.alarms.scan()) {
        if (a.type !== 'MetricAlarm') continue;
        const matches = (ns?: string, name?: string, d?: Array<{ Name: string; Value: string }>) =>
          ns === input.Namespace &&
          name === input.MetricName &&
          (input.Dimensions === undefined || JSON.stringify([...(d ?? [])].sort((x, y) => x.Name.localeCompare(y.Name))) === dims);
        const direct = matches(a.Namespace, a.MetricName, a.Dimensions);
        const viaMath = (a.Metrics ?? []).some(
          (m) => m.MetricStat && matches(m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions),
        );
        if (!direct && !viaMath) continue;
        if (input.Statistic && a.Statistic !== input.Statistic) continue;
        if (input.ExtendedStatistic && a.ExtendedStatistic !== input.ExtendedStatistic) continue;
        if (input.Period && a.Period !== input.Period) continue;
        if (input.Unit && a.Unit !== input.Unit) continue;
        out.push(describe(a) as MetricAlarm);
      }
      return { MetricAlarms: out };
    },

    DescribeAlarmHistory: (input, ctx) => {
      const store = storeOf(ctx);
      const max = input.MaxRecords ?? 100;
      const ascending = input.ScanBy === 'TimestampAscending';
      const from = input.StartDate ? tsKey(new Date(input.StartDate).getTime()) : undefined;
      const before = input.EndDate ? tsKey(new Date(input.EndDate).getTime() + 1) : undefined;
      const token = input.NextToken ? Buffer.from(input.NextToken, 'base64url').toString() : undefined;
      if (token !== undefined && !token.includes(SEP))
        throw new ServiceError('InvalidNextToken', "The service couldn't process the NextToken.", 400);
      const types = new Set(input.AlarmTypes?.length ? input.AlarmTypes : ['MetricAlarm']);
      const items: AlarmHistoryItem[] = [];
      let last: string | undefined;
      let more = false;
      const scan = ascending
        ? store.history.scan({ from, before, after: token })
        : store.history.scan({ from, before: token !== undefined ? token : before, reverse: true });
      for (const [key, h] of scan) {
        if (input.AlarmName && h.AlarmName !== input.AlarmName) continue;
        if (input.HistoryItemType && h.HistoryItemType !== input.HistoryItemType) continue;
        if (!types.has(h.AlarmType)) continue;
        if (items.length === max) {
          more = true;
          break;
        }
        items.push({
          AlarmName: h.AlarmName,
          AlarmType: h.AlarmType,
          Timestamp: new Date(h.Timestamp),
          HistoryItemType: h.HistoryItemType,
          HistorySummary: h.HistorySummary,
          HistoryData: h.HistoryData,
        });
        last = key;
      }
      return { AlarmHistoryItems: items, ...(more && last ? { NextToken: Buffer.from(last).toString('base64url') } : {}) };
    },

    SetAlarmState: (input, ctx) => {
      const store = storeOf(ctx);
      const a = store.alarms.get(input.AlarmName);
      if (!a) throw notFound(input.AlarmName);
      if (input.StateReasonData !== undefined) {
        try {
          JSON.parse(input.StateReasonData);
        } catch {
          throw new ServiceError('InvalidFormat', 'StateReasonData is not valid JSON.', 400);
        }
      }
      engine.transition(store, a, input.StateValue, input.StateReason, input.StateReasonData, ctx.clock.nowMs());
    },

    EnableAlarmActions: (input, ctx) => setActions(storeOf(ctx), input.AlarmNames, true),
    DisableAlarmActions: (input, ctx) => setActions(storeOf(ctx), input.AlarmNames, false),

    DeleteAlarms: (input, ctx) => {
      const store = storeOf(ctx);
      const missing = input.AlarmNames.filter((n) => !store.alarms.has(n));
      if (missing.length)
        throw new ServiceError('ResourceNotFound', `The following alarms could not be found: [${missing.join(', ')}]`, 404);
      for (const name of input.AlarmNames) {
        engine.unschedule(store, name);
        store.alarms.delete(name);
      }
    },
  };
}

function setActions(store: CloudWatchStore, names: string[], enabled: boolean): void {
  for (const name of names) {
    const a = store.alarms.get(name);
    if (a) store.alarms.put(name, { ...a, ActionsEnabled: enabled });
  }
}

/** An alarm as DescribeAlarms returns it (without Nimbus's bookkeeping). */
export function describe(a: AlarmRecord): MetricAlarm | CompositeAlarm {
  const { type, tags, ...rest } = a as AlarmRecord & { Tags?: unknown };
  void type;
  void tags;
  return rest;
}
