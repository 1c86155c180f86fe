// Anomaly detectors: Put/Describe/DeleteAnomalyDetector (single metric, legacy fields, metric math),
// with their configuration (excluded time ranges, time zone). The band itself (anomaly-model.ts) is
// computed from the history whenever ANOMALY_DETECTION_BAND is evaluated.
import { ServiceError, type RequestContext, type Stores } from '../../kit.js';
import type {
  AnomalyDetector,
  AnomalyDetectorConfiguration,
  CloudwatchProvider,
  PutAnomalyDetectorInput,
} from '../../generated/cloudwatch.js';
import { canonicalDims, type CloudWatchStore, type DetectorRecord } from './store.js';
import { TRAINING_MS, MIN_TRAINING, detectorKeyOf } from './anomaly-model.js';
import { parseStat } from './stats.js';
import { checkQueries } from './metricdata.js';
import { checkDimensions } from './validate.js';

const invalid = (m: string) => new ServiceError('InvalidParameterValue', m, 400);
const missing = (p: string) => new ServiceError('MissingParameter', `The parameter ${p} is required.`, 400);

type Target = Pick<
  PutAnomalyDetectorInput,
  'Namespace' | 'MetricName' | 'Dimensions' | 'Stat' | 'SingleMetricAnomalyDetector' | 'MetricMathAnomalyDetector'
>;

/** The detector an input names (legacy top-level fields, SingleMetricAnomalyDetector or MetricMathAnomalyDetector). */
function target(input: Target): Pick<DetectorRecord, 'single' | 'math'> {
  const legacy =
    input.Namespace !== undefined || input.MetricName !== undefined || input.Stat !== undefined || input.Dimensions !== undefined;
  const given = [legacy, !!input.SingleMetricAnomalyDetector, !!input.MetricMathAnomalyDetector].filter(Boolean).length;
  if (given > 1)
    throw new ServiceError(
      'InvalidParameterCombination',
      'The parameters Namespace, MetricName, Dimensions and Stat, SingleMetricAnomalyDetector and MetricMathAnomalyDetector are mutually exclusive.',
      400,
    );
  if (input.MetricMathAnomalyDetector) {
    const q = input.MetricMathAnomalyDetector.MetricDataQueries ?? [];
    checkQueries(q, 'MetricMathAnomalyDetector.MetricDataQueries');
    if (q.filter((x) => x.ReturnData !== false).length !== 1)
      throw invalid('Exactly one element of MetricMathAnomalyDetector.MetricDataQueries should return data.');
    return { math: q };
  }
  const s = input.SingleMetricAnomalyDetector ?? input;
  if (s.Namespace === undefined) throw missing(input.SingleMetricAnomalyDetector ? 'SingleMetricAnomalyDetector.Namespace' : 'Namespace');
  if (s.MetricName === undefined)
    throw missing(input.SingleMetricAnomalyDetector ? 'SingleMetricAnomalyDetector.MetricName' : 'MetricName');
  if (s.Stat === undefined) throw missing(input.SingleMetricAnomalyDetector ? 'SingleMetricAnomalyDetector.Stat' : 'Stat');
  if (!parseStat(s.Stat)) throw invalid(`The value ${s.Stat} for parameter Stat is invalid.`);
  checkDimensions(s.Dimensions, 'Dimensions');
  return { single: { Namespace: s.Namespace, MetricName: s.MetricName, Dimensions: canonicalDims(s.Dimensions), Stat: s.Stat } };
}

function checkConfig(c: AnomalyDetectorConfiguration | undefined): void {
  for (const r of c?.ExcludedTimeRanges ?? []) {
    if (!(new Date(r.StartTime).getTime() < new Date(r.EndTime).getTime()))
      throw invalid('The start time of an excluded time range must be before its end time.');
  }
  if (c?.MetricTimezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: c.MetricTimezone });
    } catch {
      throw invalid(`The value ${c.MetricTimezone} for parameter Configuration.MetricTimezone is invalid.`);
    }
  }
}

export function anomalyHandlers(stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);

  /** PENDING_TRAINING without data in the window, TRAINED_INSUFFICIENT_DATA with less than MIN_TRAINING points, else TRAINED. */
  const stateOf = (store: CloudWatchStore, d: DetectorRecord, now: number): AnomalyDetector['StateValue'] => {
    const metrics = d.single ? [d.single] : (d.math ?? []).flatMap((q) => (q.MetricStat ? [{ ...q.MetricStat.Metric }] : []));
    let n = 0;
    for (const m of metrics) {
      const rec = store.metric(m.Namespace ?? '', m.MetricName ?? '', m.Dimensions);
      if (rec) for (const _ of store.range(rec, now - TRAINING_MS, now + 1)) if (++n >= MIN_TRAINING) return 'TRAINED';
    }
    return n === 0 ? 'PENDING_TRAINING' : 'TRAINED_INSUFFICIENT_DATA';
  };

  const view = (store: CloudWatchStore, d: DetectorRecord, now: number): AnomalyDetector => ({
    ...(d.single ? { ...d.single, SingleMetricAnomalyDetector: d.single } : { MetricMathAnomalyDetector: { MetricDataQueries: d.math } }),
    Configuration: d.config ?? { ExcludedTimeRanges: [] },
    MetricCharacteristics: d.characteristics ?? { PeriodicSpikes: false },
    StateValue: stateOf(store, d, now),
  });

  return {
    PutAnomalyDetector: (input, ctx) => {
      const t = target(input);
      checkConfig(input.Configuration);
      storeOf(ctx).detectors.put(detectorKeyOf(t.single, t.math), {
        ...t,
        config: input.Configuration,
        characteristics: input.MetricCharacteristics,
      });
      return {};
    },

    DescribeAnomalyDetectors: (input, ctx) => {
      const store = storeOf(ctx);
      const max = input.MaxResults ?? 100;
      if (max < 1 || max > 100) throw invalid(`The value ${max} for parameter MaxResults is invalid.`);
      const dims = input.Dimensions?.length ? canonicalDims(input.Dimensions) : undefined;
      const all = [...store.detectors.scan()].filter(([, d]) => {
        if (input.AnomalyDetectorTypes?.length && !input.AnomalyDetectorTypes.includes(d.single ? 'SINGLE_METRIC' : 'METRIC_MATH'))
          return false;
        if (input.Namespace === undefined && input.MetricName === undefined && !dims) return true;
        if (!d.single) return false;
        if (input.Namespace !== undefined && d.single.Namespace !== input.Namespace) return false;
        if (input.MetricName !== undefined && d.single.MetricName !== input.MetricName) return false;
        return !dims || JSON.stringify(dims) === JSON.stringify(d.single.Dimensions);
      });
      const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0)
        throw new ServiceError('InvalidNextToken', "The service couldn't process the NextToken.", 400);
      const now = ctx.clock.nowMs();
      const page = all.slice(start, start + max).map(([, d]) => view(store, d, now));
      return {
        AnomalyDetectors: page,
        ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
      };
    },

    DeleteAnomalyDetector: (input, ctx) => {
      const t = target(input);
      const store = storeOf(ctx);
      const key = detectorKeyOf(t.single, t.math);
      if (!store.detectors.has(key))
        throw new ServiceError('ResourceNotFoundException', 'The anomaly detection model does not exist.', 404);
      store.detectors.delete(key);
      return {};
    },
  };
}
