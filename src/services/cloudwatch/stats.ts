// Statistics over data points: the aggregate of one period (sample count, sum, min, max and, when the
// points were published as raw values, the values with their counts for percentiles) and the
// statistic names CloudWatch accepts: SampleCount, Average, Sum, Minimum, Maximum, pNN(.NN),
// tmNN / tcNN / tsNN / wmNN / prNN (and their (a%:b%) ranges), IQM. Pure functions.

/** One period's aggregate. `values` holds [value, count] pairs when every point carried raw values. */
export interface Aggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  values?: Array<[number, number]>;
}

/** What a stored data point contributes (see store.ts's PointRecord). */
export interface PointLike {
  n: number;
  s: number;
  mn: number;
  mx: number;
  v?: number[];
  c?: number[];
}

export function emptyAggregate(): Aggregate {
  return { n: 0, sum: 0, min: Infinity, max: -Infinity, values: [] };
}

export function addPoint(a: Aggregate, p: PointLike): void {
  a.n += p.n;
  a.sum += p.s;
  a.min = Math.min(a.min, p.mn);
  a.max = Math.max(a.max, p.mx);
  if (a.values && p.v) p.v.forEach((v, i) => a.values!.push([v, p.c?.[i] ?? 1]));
  else if (a.values && p.n === 1 && p.mn === p.mx) a.values.push([p.mn, 1]);
  else delete a.values; // a statistic set: no percentiles for this period
}

export type StatKind = 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'p' | 'tm' | 'tc' | 'ts' | 'wm' | 'pr';
export interface ParsedStat {
  kind: StatKind;
  /** percentile / range bounds in percent (p: lo only); for pr, bounds are values */
  lo?: number;
  hi?: number;
  /** pr with absolute values, tm(a:b) with values rather than percents */
  absolute?: boolean;
}

const STANDARD = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);
const NUM = String.raw`\d+(?:\.\d+)?`;

/** A statistic name, or undefined when CloudWatch would not accept it. */
export function parseStat(stat: string): ParsedStat | undefined {
  if (STANDARD.has(stat)) return { kind: stat as StatKind };
  if (stat === 'IQM') return { kind: 'tm', lo: 25, hi: 75 };
  let m = new RegExp(`^p(${NUM})$`).exec(stat);
  if (m) {
    const p = Number(m[1]);
    return p <= 100 && decimals(m[1]) <= 10 ? { kind: 'p', lo: p } : undefined;
  }
  m = new RegExp(`^(tm|tc|ts|wm)(${NUM})$`).exec(stat);
  if (m) {
    const p = Number(m[2]);
    return p <= 100 ? { kind: m[1] as StatKind, lo: 0, hi: p } : undefined;
  }
  m = new RegExp(`^(TM|TC|TS|WM|PR)\\((${NUM})?(%?):(${NUM})?(%?)\\)$`).exec(stat);
  if (m) {
    const kind = m[1].toLowerCase() as StatKind;
    const percent = m[3] === '%' || m[5] === '%';
    const lo = m[2] !== undefined ? Number(m[2]) : percent ? 0 : -Infinity;
    const hi = m[4] !== undefined ? Number(m[4]) : percent ? 100 : Infinity;
    if (m[2] === undefined && m[4] === undefined) return undefined;
    if (percent && (lo > 100 || hi > 100)) return undefined;
    if (lo > hi) return undefined;
    if (kind === 'pr' && percent) return undefined;
    return { kind, lo, hi, absolute: !percent };
  }
  return undefined;
}

const decimals = (s: string) => (s.includes('.') ? s.split('.')[1].length : 0);

/** The value of a statistic over an aggregate, or undefined when it cannot be computed (no raw values, empty range). */
export function statValue(a: Aggregate, stat: ParsedStat): number | undefined {
  if (a.n === 0) return undefined;
  switch (stat.kind) {
    case 'SampleCount':
      return a.n;
    case 'Sum':
      return a.sum;
    case 'Average':
      return a.sum / a.n;
    case 'Minimum':
      return a.min;
    case 'Maximum':
      return a.max;
  }
  if (!a.values || a.values.length === 0) return undefined;
  const sorted = [...a.values].sort((x, y) => x[0] - y[0]);
  const total = sorted.reduce((t, [, c]) => t + c, 0);
  if (stat.kind === 'p') return percentile(sorted, total, stat.lo!);
  const lo = stat.absolute ? stat.lo! : stat.lo! === 0 ? -Infinity : percentile(sorted, total, stat.lo!);
  const hi = stat.absolute ? stat.hi! : percentile(sorted, total, stat.hi!);
  // trimmed: values v with lo < v <= hi (lower bound exclusive as AWS documents, except at 0%)
  const inRange = ([v]: [number, number]) => (stat.absolute || stat.lo! > 0 ? v > lo : v >= lo) && v <= hi;
  if (stat.kind === 'wm') {
    let s = 0;
    for (const [v, c] of sorted) s += Math.min(Math.max(v, lo === -Infinity ? v : lo), hi) * c;
    return s / total;
  }
  const kept = sorted.filter(inRange);
  const count = kept.reduce((t, [, c]) => t + c, 0);
  const sum = kept.reduce((t, [v, c]) => t + v * c, 0);
  switch (stat.kind) {
    case 'tc':
      return count;
    case 'ts':
      return sum;
    case 'pr':
      return (count / total) * 100;
    default:
      return count ? sum / count : undefined;
  }
}

/** Nearest-rank percentile over sorted [value, count] pairs: p0 is the minimum, p100 the maximum. */
export function percentile(sorted: Array<[number, number]>, total: number, p: number): number {
  if (p <= 0) return sorted[0][0];
  const rank = Math.ceil((p / 100) * total);
  let seen = 0;
  for (const [v, c] of sorted) {
    seen += c;
    if (seen >= rank) return v;
  }
  return sorted[sorted.length - 1][0];
}
