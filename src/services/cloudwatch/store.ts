// CloudWatch state, per account and region. Metrics by identity (namespace, name, sorted dimensions);
// data points keyed by the metric's short id then the time, so a statistic over a range of one metric
// is one range scan; alarms, their history and an index of when each is next evaluated; dashboards.
import { createHash } from 'node:crypto';
import type { StoreScope, Collection } from '../../kit.js';
import type {
  MetricAlarm,
  CompositeAlarm,
  Dimension,
  AnomalyDetectorConfiguration,
  MetricDataQuery,
  GetMetricStreamOutput,
  InsightRule,
} from '../../generated/cloudwatch.js';

export interface MetricRecord {
  id: string;
  namespace: string;
  name: string;
  dims: Dimension[];
  /** when a point was last put (epoch ms, virtual), for ListMetrics RecentlyActive */
  last: number;
}

/** One published datum: n samples summing to s, min mn, max mx; raw values v with counts c; u unit; r 1 for high resolution. */
export interface PointRecord {
  t: number;
  n: number;
  s: number;
  mn: number;
  mx: number;
  v?: number[];
  c?: number[];
  u?: string;
  r?: 1;
}

export type AlarmRecord =
  | ({ type: 'MetricAlarm'; tags: Record<string, string> } & MetricAlarm & { AlarmName: string; AlarmArn: string })
  | ({ type: 'CompositeAlarm'; tags: Record<string, string> } & CompositeAlarm & { AlarmName: string; AlarmArn: string });

export interface HistoryRecord {
  AlarmName: string;
  AlarmType: 'MetricAlarm' | 'CompositeAlarm';
  Timestamp: number;
  HistoryItemType: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  HistorySummary: string;
  HistoryData: string;
}

/** An anomaly detector: one metric and statistic, or metric math queries; its configuration. */
export interface DetectorRecord {
  single?: { Namespace: string; MetricName: string; Dimensions: Dimension[]; Stat: string };
  math?: MetricDataQuery[];
  config?: AnomalyDetectorConfiguration;
  characteristics?: { PeriodicSpikes?: boolean };
}

/** A metric stream as GetMetricStream answers it, with its times (epoch ms) and tags. */
export type StreamRecord = Omit<GetMetricStreamOutput, 'CreationDate' | 'LastUpdateDate'> & {
  Name: string;
  created: number;
  updated: number;
  tags: Record<string, string>;
};

export interface DashboardRecord {
  name: string;
  body: string;
  modified: number;
}

export const tsKey = (ts: number) => String(Math.max(0, Math.floor(ts))).padStart(15, '0');
export const SEP = '\u0000';

export function canonicalDims(dims: Dimension[] = []): Dimension[] {
  return [...dims].map((d) => ({ Name: d.Name, Value: d.Value })).sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}
export function metricKey(namespace: string, name: string, dims: Dimension[] = []): string {
  return [namespace, name, ...canonicalDims(dims).flatMap((d) => [d.Name, d.Value])].join(SEP);
}

export class CloudWatchStore {
  readonly metrics: Collection<MetricRecord>;
  readonly points: Collection<PointRecord>;
  readonly alarms: Collection<AlarmRecord>;
  readonly history: Collection<HistoryRecord>;
  /** `tsKey(due) SEP alarmName` → alarm name: the alarms to evaluate when the clock reaches due */
  readonly due: Collection<string>;
  readonly dashboards: Collection<DashboardRecord>;
  /** anomaly detectors by their metric and statistic (or their math queries' hash) */
  readonly detectors: Collection<DetectorRecord>;
  /** metric streams by name (configuration and state only: Firehose is not served) */
  readonly streams: Collection<StreamRecord>;
  /** Contributor Insights rules by name */
  readonly insightRules: Collection<InsightRule & { tags: Record<string, string> }>;
  /** (system scope) `account SEP region` of every store that has held alarms: evaluated after a restart */
  readonly alarmScopes: Collection<1>;
  private seq = 0;
  private readonly seqBase = Date.now().toString(36);

  constructor(readonly scope: StoreScope) {
    this.metrics = scope.collection('metrics');
    this.points = scope.collection('points');
    this.alarms = scope.collection('alarms');
    this.history = scope.collection('history');
    this.due = scope.collection('alarm-due');
    this.dashboards = scope.collection('dashboards');
    this.detectors = scope.collection('anomaly-detectors');
    this.streams = scope.collection('metric-streams');
    this.insightRules = scope.collection('insight-rules');
    this.alarmScopes = scope.collection('alarm-scopes');
  }

  metric(namespace: string, name: string, dims: Dimension[] = []): MetricRecord | undefined {
    const key = metricKey(namespace, name, dims);
    return this.metrics.get(key);
  }

  /** Records a point of a metric, creating the metric; `now` marks it recently active. */
  put(
    namespace: string,
    name: string,
    dims: Dimension[] | undefined,
    point: PointRecord,
    now: number,
    seen?: Map<string, MetricRecord>,
  ): void {
    const key = metricKey(namespace, name, dims);
    let m = seen?.get(key) ?? this.metrics.get(key);
    if (!m) {
      const id = createHash('sha1').update(key).digest('base64url').slice(0, 16);
      m = { id, namespace, name, dims: canonicalDims(dims), last: now };
      this.metrics.put(key, m);
    } else if (now - m.last > 60_000) {
      m = { ...m, last: now };
      this.metrics.put(key, m);
    }
    seen?.set(key, m);
    this.points.put(`${m.id}${SEP}${tsKey(point.t)}${SEP}${this.seqBase}${(this.seq++).toString(36)}`, point);
  }

  /** The points of a metric with start <= t < end, in time order. */
  *range(m: MetricRecord, start: number, end: number): IterableIterator<PointRecord> {
    for (const [, p] of this.points.scan({ from: `${m.id}${SEP}${tsKey(start)}`, before: `${m.id}${SEP}${tsKey(end)}` })) yield p;
  }

  /** Drops points older than `cutoff` (AWS keeps hourly data 455 days). */
  purge(cutoff: number): void {
    const all = [...this.metrics.scan()].map(([, m]) => m);
    for (const m of all) {
      const old = [...this.points.scan({ prefix: `${m.id}${SEP}`, before: `${m.id}${SEP}${tsKey(cutoff)}` })].map(([k]) => k);
      old.forEach((k) => this.points.delete(k));
    }
  }
}
