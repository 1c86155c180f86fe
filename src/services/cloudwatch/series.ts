// Reading stored points back as periods: the aggregate of each period of one metric over a time
// range, with the roll-up AWS applies to old data (a point older than 3 hours is only returned for a
// period that is a multiple of the resolution kept at its age) and the 455-day retention.
import type { StandardUnit } from '../../generated/cloudwatch.js';
import { addPoint, emptyAggregate, statValue, type Aggregate, type ParsedStat } from './stats.js';
import type { CloudWatchStore, MetricRecord } from './store.js';
import { resolutionAt } from './validate.js';
import type { Series } from './math-eval.js';

export interface Period {
  /** period start, epoch ms */
  t: number;
  agg: Aggregate;
  unit: string;
}

/** The periods (start aligned to the period from the epoch) of a metric with start <= t < end, in time order. */
export function periods(
  store: CloudWatchStore,
  m: MetricRecord,
  startMs: number,
  endMs: number,
  periodS: number,
  now: number,
  unit?: StandardUnit,
): Period[] {
  const p = periodS * 1000;
  const first = Math.floor(startMs / p) * p;
  const by = new Map<number, Period>();
  for (const pt of store.range(m, first, endMs)) {
    const age = now - pt.t;
    const res = resolutionAt(age, pt.r === 1);
    if (res === undefined) continue;
    if (age > 3 * 3_600_000 && periodS % res !== 0) continue;
    const u = pt.u ?? 'None';
    if (unit && unit !== u) continue;
    const t = Math.floor(pt.t / p) * p;
    let bucket = by.get(t);
    if (!bucket) by.set(t, (bucket = { t, agg: emptyAggregate(), unit: u }));
    addPoint(bucket.agg, pt);
  }
  return [...by.values()].sort((a, b) => a.t - b.t);
}

/** One statistic of a metric as a time series (periods where it has no value are left out). */
export function statSeries(
  store: CloudWatchStore,
  m: MetricRecord | undefined,
  label: string,
  startMs: number,
  endMs: number,
  periodS: number,
  stat: ParsedStat,
  now: number,
  unit?: StandardUnit,
  memo?: Map<string, Period[]>,
): Series {
  const out: Series = { label, ts: [], vs: [] };
  if (!m) return out;
  // several statistics of one metric over one range read its points once
  const key = `${m.id}|${startMs}|${endMs}|${periodS}|${unit ?? ''}`;
  let pers = memo?.get(key);
  if (!pers) {
    pers = periods(store, m, startMs, endMs, periodS, now, unit);
    memo?.set(key, pers);
  }
  for (const per of pers) {
    const v = statValue(per.agg, stat);
    if (v !== undefined) {
      out.ts.push(per.t);
      out.vs.push(v);
    }
  }
  return out;
}
