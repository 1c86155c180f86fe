// Anomaly detection. Nimbus's model is deterministic and documented (AWS's is not published): the
// band at a time t is mean ± k·σ (population standard deviation) of the metric's own values, at the
// query's statistic and period, over the trailing TRAINING window [t − 14 days, t), leaving out the
// detector's ExcludedTimeRanges; no seasonality. With fewer than MIN_TRAINING values in the window
// there is no band at t. Detectors (Put/Describe/DeleteAnomalyDetector) hold the configuration; the
// band itself is computed from the history whenever ANOMALY_DETECTION_BAND is evaluated.
import { createHash } from 'node:crypto';
import type { Dimension, MetricDataQuery } from '../../generated/cloudwatch.js';
import { SEP, metricKey, canonicalDims, type CloudWatchStore, type DetectorRecord } from './store.js';
import type { Series } from './math-eval.js';

export const TRAINING_MS = 14 * 86_400_000;
export const MIN_TRAINING = 3;

/** The band of a series at each grid time (ascending), trained on the series' values before it. */
export function anomalyBand(
  s: Series,
  grid: number[],
  k: number,
  excluded: Array<[number, number]> = [],
): { lower: Series; upper: Series } {
  const keep = s.ts
    .map((t, i) => [t, s.vs[i]] as const)
    .filter(([t, v]) => Number.isFinite(v) && !excluded.some(([a, b]) => t >= a && t < b));
  const lower: Series = { label: `${s.label} Lower`, ts: [], vs: [] };
  const upper: Series = { label: `${s.label} Upper`, ts: [], vs: [] };
  let head = 0;
  let tail = 0;
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const t of grid) {
    for (; head < keep.length && keep[head][0] < t; head++, n++) {
      sum += keep[head][1];
      sq += keep[head][1] ** 2;
    }
    for (; tail < head && keep[tail][0] < t - TRAINING_MS; tail++, n--) {
      sum -= keep[tail][1];
      sq -= keep[tail][1] ** 2;
    }
    if (n < MIN_TRAINING) continue;
    const mean = sum / n;
    const sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
    lower.ts.push(t);
    lower.vs.push(mean - k * sd);
    upper.ts.push(t);
    upper.vs.push(mean + k * sd);
  }
  return { lower, upper };
}

export const detectorKeyOf = (single: DetectorRecord['single'], math?: MetricDataQuery[]): string =>
  single
    ? `S${SEP}${metricKey(single.Namespace, single.MetricName, single.Dimensions)}${SEP}${single.Stat}`
    : `M${SEP}${createHash('sha1').update(JSON.stringify(math)).digest('hex')}`;

/** The excluded ranges of the detector of a metric and statistic, as [start, end) epoch ms. */
export function exclusionsOf(
  store: CloudWatchStore,
  namespace: string,
  name: string,
  dims: Dimension[] | undefined,
  stat: string,
): Array<[number, number]> {
  const d = store.detectors.get(detectorKeyOf({ Namespace: namespace, MetricName: name, Dimensions: canonicalDims(dims), Stat: stat }));
  return (d?.config?.ExcludedTimeRanges ?? []).map((r) => [new Date(r.StartTime).getTime(), new Date(r.EndTime).getTime()]);
}
