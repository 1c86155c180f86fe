// PutMetricData's checks, with the parameter paths (`MetricData.member.1.Value`) and texts CloudWatch
// answers with. Pure: a datum in, a ServiceError thrown or the point to store out.
import { ServiceError } from '../../kit.js';
import type { MetricDatum, Dimension } from '../../generated/cloudwatch.js';
import type { PointRecord } from './store.js';

export const MAX_METRICS_PER_CALL = 1000;
export const MAX_DIMENSIONS = 30;
export const MAX_VALUES = 150;
const TWO_WEEKS = 14 * 86_400_000;
const TWO_HOURS = 2 * 3_600_000;
// CloudWatch rejects values above 2^360 in magnitude and non-zero values below 2^-260
const HUGE = 2 ** 360;
const TINY = 2 ** -260;

const invalid = (message: string) => new ServiceError('InvalidParameterValue', message, 400);
const badValue = (value: unknown, param: string) => invalid(`The value ${String(value)} for parameter ${param} is invalid.`);

export function checkValue(v: number, param: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > HUGE || (v !== 0 && Math.abs(v) < TINY)) throw badValue(v, param);
}

export function checkDimensions(dims: Dimension[] | undefined, param: string): void {
  if (!dims) return;
  if (dims.length > MAX_DIMENSIONS) throw invalid(`The collection ${param} must not have a size greater than ${MAX_DIMENSIONS}.`);
  const seen = new Set<string>();
  dims.forEach((d, i) => {
    if (!d.Name) throw new ServiceError('MissingParameter', `The parameter ${param}.member.${i + 1}.Name is required.`, 400);
    if (d.Value === undefined || d.Value === null)
      throw new ServiceError('MissingParameter', `The parameter ${param}.member.${i + 1}.Value is required.`, 400);
    if (seen.has(d.Name))
      throw new ServiceError(
        'InvalidParameterValue',
        `No metric may have duplicate dimension names: ${param} has ${d.Name} more than once.`,
        400,
      );
    seen.add(d.Name);
  });
}

export function checkNamespace(ns: string): void {
  if (ns.startsWith('AWS/')) throw badValue(ns, 'Namespace');
  if (!/^[^:].*$/.test(ns) || /[^\x20-\x7E]/.test(ns)) throw badValue(ns, 'Namespace');
}

/** The point a datum stores, after AWS's checks; `now` is the virtual time. */
export function datumPoint(d: MetricDatum, index: number, now: number): PointRecord {
  const at = `MetricData.member.${index + 1}`;
  checkDimensions(d.Dimensions, `${at}.Dimensions`);
  if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60)
    throw badValue(d.StorageResolution, `${at}.StorageResolution`);
  const t0 = d.Timestamp ? new Date(d.Timestamp).getTime() : now;
  if (Number.isNaN(t0)) throw badValue(d.Timestamp, `${at}.Timestamp`);
  if (t0 < now - TWO_WEEKS) throw invalid(`The parameter ${at}.Timestamp must specify a time no more than two weeks in the past.`);
  if (t0 > now + TWO_HOURS) throw invalid(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
  const highRes = d.StorageResolution === 1;
  // stored at its resolution: high-resolution points to the second, others to the minute
  const t = highRes ? Math.floor(t0 / 1000) * 1000 : Math.floor(t0 / 60_000) * 60_000;
  const point: PointRecord = { t, n: 0, s: 0, mn: 0, mx: 0 };
  if (d.Unit) point.u = d.Unit;
  if (highRes) point.r = 1;
  const given = [d.Value !== undefined && 'Value', d.StatisticValues && 'StatisticValues', d.Values && 'Values'].filter(
    Boolean,
  ) as string[];
  if (given.length > 1) {
    throw new ServiceError(
      'InvalidParameterCombination',
      `The parameters ${at}.${given[0]} and ${at}.${given[1]} are mutually exclusive and you have specified both.`,
      400,
    );
  }
  if (d.Counts && !d.Values)
    throw new ServiceError('InvalidParameterCombination', `The parameter ${at}.Counts may only be specified with ${at}.Values.`, 400);
  if (d.Value !== undefined) {
    checkValue(d.Value, `${at}.Value`);
    return { ...point, n: 1, s: d.Value, mn: d.Value, mx: d.Value };
  }
  if (d.StatisticValues) {
    const s = d.StatisticValues;
    checkValue(s.SampleCount, `${at}.StatisticValues.SampleCount`);
    checkValue(s.Sum, `${at}.StatisticValues.Sum`);
    checkValue(s.Minimum, `${at}.StatisticValues.Minimum`);
    checkValue(s.Maximum, `${at}.StatisticValues.Maximum`);
    if (s.SampleCount <= 0) throw badValue(s.SampleCount, `${at}.StatisticValues.SampleCount`);
    if (s.Minimum > s.Maximum)
      throw invalid(
        `The parameter ${at}.StatisticValues.Minimum must be less than or equal to the parameter ${at}.StatisticValues.Maximum.`,
      );
    return { ...point, n: s.SampleCount, s: s.Sum, mn: s.Minimum, mx: s.Maximum };
  }
  if (d.Values) {
    if (d.Values.length === 0) throw new ServiceError('MissingParameter', `The parameter ${at}.Values is required.`, 400);
    if (d.Values.length > MAX_VALUES) throw invalid(`The collection ${at}.Values must not have a size greater than ${MAX_VALUES}.`);
    if (d.Counts && d.Counts.length !== d.Values.length)
      throw invalid(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    d.Values.forEach((v, i) => checkValue(v, `${at}.Values.member.${i + 1}`));
    const counts = d.Counts ?? d.Values.map(() => 1);
    counts.forEach((c, i) => {
      if (!Number.isFinite(c) || c < 0) throw badValue(c, `${at}.Counts.member.${i + 1}`);
    });
    let n = 0;
    let s = 0;
    d.Values.forEach((v, i) => {
      n += counts[i];
      s += v * counts[i];
    });
    if (n === 0) throw badValue(0, `${at}.Counts`);
    const p: PointRecord = { ...point, n, s, mn: Math.min(...d.Values), mx: Math.max(...d.Values), v: d.Values };
    if (d.Counts) p.c = d.Counts;
    return p;
  }
  throw new ServiceError('MissingParameter', `The parameter ${at}.Value is required.`, 400);
}

/** GetMetricStatistics / MetricStat periods: 1, 5, 10, 20, 30, 60 or a multiple of 60. */
export function validPeriod(p: number): boolean {
  return Number.isInteger(p) && p > 0 && ([1, 5, 10, 20, 30].includes(p) || p % 60 === 0);
}

/**
 * The coarsest resolution CloudWatch still keeps for a point of this age (retention and roll-up):
 * 1 s for 3 hours (high-resolution points), 60 s for 15 days, 5 min for 63 days, 1 h for 455 days.
 * Undefined past 455 days.
 */
export function resolutionAt(ageMs: number, highRes: boolean): number | undefined {
  const h = 3_600_000;
  const d = 24 * h;
  if (ageMs <= 3 * h) return highRes ? 1 : 60;
  if (ageMs <= 15 * d) return 60;
  if (ageMs <= 63 * d) return 300;
  if (ageMs <= 455 * d) return 3600;
  return undefined;
}
export const RETENTION_MS = 455 * 86_400_000;
