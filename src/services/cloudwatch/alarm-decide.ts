// What a metric alarm's state should be, given the value of each evaluated period: the comparison,
// M out of N datapoints to alarm, and the missing-data treatment; with the StateReason text and
// StateReasonData document CloudWatch writes. Pure.

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface DecideInput {
  /** the evaluated periods, oldest first: their start (epoch ms) and value, undefined when missing; an anomaly band's lower and upper value */
  periods: Array<{ t: number; v: number | undefined; n?: number; lo?: number; hi?: number }>;
  threshold: number;
  comparison: string;
  datapointsToAlarm: number;
  treatMissingData: string;
  current: AlarmState;
}

export interface Decision {
  state: AlarmState;
  reason: string;
  breaching: number;
}

const WORDS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
  LessThanLowerOrGreaterThanUpperThreshold: 'less than the lower thresholds or greater than the upper thresholds',
  LessThanLowerThreshold: 'less than the lower thresholds',
  GreaterThanUpperThreshold: 'greater than the upper thresholds',
};
export const RANGES = ['LessThanLowerOrGreaterThanUpperThreshold', 'LessThanLowerThreshold', 'GreaterThanUpperThreshold'];

/** Does a value breach the threshold (or, for the range operators, the band at its period; none without a band)? */
export function breaches(v: number, comparison: string, threshold: number, lo?: number, hi?: number): boolean {
  switch (comparison) {
    case 'LessThanLowerOrGreaterThanUpperThreshold':
      return (lo !== undefined && v < lo) || (hi !== undefined && v > hi);
    case 'LessThanLowerThreshold':
      return lo !== undefined && v < lo;
    case 'GreaterThanUpperThreshold':
      return hi !== undefined && v > hi;
    case 'GreaterThanOrEqualToThreshold':
      return v >= threshold;
    case 'GreaterThanThreshold':
      return v > threshold;
    case 'LessThanThreshold':
      return v < threshold;
    case 'LessThanOrEqualToThreshold':
      return v <= threshold;
    default:
      return false;
  }
}

/** A number as CloudWatch prints it in reasons (Java's double: 5 → 5.0). */
export const javaDouble = (v: number) => (Number.isInteger(v) ? v.toFixed(1) : String(v));
const stamp = (t: number) => {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};

export function decide(x: DecideInput): Decision {
  const n = x.periods.length;
  const present = x.periods.filter((p) => p.v !== undefined) as Array<{ t: number; v: number; lo?: number; hi?: number }>;
  const missing = n - present.length;
  let breaching = present.filter((p) => breaches(p.v, x.comparison, x.threshold, p.lo, p.hi)).length;
  let ok = present.length - breaching;
  if (x.treatMissingData === 'breaching') breaching += missing;
  else if (x.treatMissingData === 'notBreaching') ok += missing;
  const listed = present
    .slice()
    .reverse()
    .map((p) => `${javaDouble(p.v)} (${stamp(p.t)})`)
    .join(', ');
  const word = WORDS[x.comparison] ?? x.comparison;
  const points = (k: number) => `${k} datapoint${k === 1 ? '' : 's'}`;
  const head = n === 1 ? `${points(present.length || 1)}` : `${breaching} out of the last ${n} datapoints`;
  if (RANGES.includes(x.comparison)) return rangeDecision(x, present, breaching, listed, word);
  if (breaching >= x.datapointsToAlarm) {
    const reason =
      n === 1
        ? `Threshold Crossed: ${head} [${listed || 'missing'}] was ${word} the threshold (${javaDouble(x.threshold)}).`
        : `Threshold Crossed: ${head} [${listed}] were ${word} the threshold (${javaDouble(x.threshold)}) (minimum ${x.datapointsToAlarm} datapoint${x.datapointsToAlarm === 1 ? '' : 's'} for OK -> ALARM transition).`;
    return { state: 'ALARM', reason, breaching };
  }
  if (present.length === 0 && x.treatMissingData !== 'breaching' && x.treatMissingData !== 'notBreaching') {
    if (x.treatMissingData === 'ignore')
      return { state: x.current, reason: 'Alarm state maintained: all datapoints were missing and missing data is ignored.', breaching: 0 };
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${points(n)} ${n === 1 ? 'was' : 'were'} unknown.`, breaching: 0 };
  }
  void ok;
  const reason =
    n === 1
      ? `Threshold Crossed: ${head} [${listed || 'missing'}] was not ${word} the threshold (${javaDouble(x.threshold)}).`
      : `Threshold Crossed: no datapoints were ${word} the threshold (${javaDouble(x.threshold)}). The most recent datapoints which crossed the threshold: [${listed}].`;
  return { state: 'OK', reason, breaching };
}

/** An anomaly detection alarm's decision: the band's values stand for the threshold in the reason. */
function rangeDecision(
  x: DecideInput,
  present: Array<{ t: number; v: number; lo?: number; hi?: number }>,
  breaching: number,
  listed: string,
  word: string,
): Decision {
  const n = x.periods.length;
  const bands = present
    .slice()
    .reverse()
    .map((p) =>
      x.comparison === 'LessThanLowerThreshold'
        ? p.lo
        : x.comparison === 'GreaterThanUpperThreshold'
          ? p.hi
          : `${p.lo === undefined ? '-' : javaDouble(p.lo)}/${p.hi === undefined ? '-' : javaDouble(p.hi)}`,
    );
  const shown = bands.map((b) => (typeof b === 'number' ? javaDouble(b) : (b ?? '-'))).join(', ');
  if (breaching >= x.datapointsToAlarm) {
    return {
      state: 'ALARM',
      reason: `Thresholds Crossed: ${breaching} out of the last ${n} datapoints [${listed}] ${breaching === 1 ? 'was' : 'were'} ${word} [${shown}] (minimum ${x.datapointsToAlarm} datapoint${x.datapointsToAlarm === 1 ? '' : 's'} for OK -> ALARM transition).`,
      breaching,
    };
  }
  if (present.length === 0 && x.treatMissingData !== 'breaching' && x.treatMissingData !== 'notBreaching') {
    if (x.treatMissingData === 'ignore')
      return { state: x.current, reason: 'Alarm state maintained: all datapoints were missing and missing data is ignored.', breaching: 0 };
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${n} datapoint${n === 1 ? ' was' : 's were'} unknown.`, breaching: 0 };
  }
  return {
    state: 'OK',
    reason: `Thresholds Crossed: ${n - breaching} out of the last ${n} datapoints [${listed}] ${n - breaching === 1 ? 'was' : 'were'} not ${word} [${shown}] (minimum ${x.datapointsToAlarm} datapoint${x.datapointsToAlarm === 1 ? '' : 's'} for ALARM -> OK transition).`,
    breaching,
  };
}
