// Schedule expressions of EventBridge rules: rate(value unit) and cron(min hour dom month dow year),
// in UTC. cron-parser computes the five classic fields; the year field and AWS's day-of-week
// numbering (1 = Sunday) are handled here.
import { CronExpressionParser } from 'cron-parser';

export interface Schedule {
  /** the first firing strictly after `afterMs` (epoch ms), or undefined when there is none */
  next(afterMs: number): number | undefined;
}

export class ScheduleError extends Error {
  constructor() {
    super('Parameter ScheduleExpression is not valid.');
  }
}

const UNITS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** Parses `rate(5 minutes)` or `cron(0 12 * * ? *)`; `anchorMs` is when a rate schedule starts counting. */
export function parseSchedule(expr: string, anchorMs: number): Schedule {
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    // "rate(1 minute)" singular for 1, plural otherwise, as EventBridge insists
    const singular = !rate[2].endsWith('s');
    if (n <= 0 || (n === 1) !== singular) throw new ScheduleError();
    const period = n * UNITS[rate[2]];
    return { next: (after) => anchorMs + (Math.floor((after - anchorMs) / period) + 1) * period };
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (!cron) throw new ScheduleError();
  return parseCron(cron[1]);
}

function parseCron(text: string): Schedule {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleError();
  const [min, hour, dom, month, dow, year] = fields;
  // exactly one of day-of-month and day-of-week is '?'
  if ((dom === '?') === (dow === '?')) throw new ScheduleError();
  if (/W/.test(dom)) throw new ScheduleError(); // nearest-weekday is not supported by Nimbus yet
  const classic = [min, hour, dom === '?' ? '*' : dom, month, dow === '?' ? '*' : awsDow(dow)].join(' ');
  const years = yearFilter(year);
  // probe once so that a bad expression fails at PutRule
  let probe;
  try {
    probe = CronExpressionParser.parse(classic, { currentDate: new Date(0), tz: 'UTC' });
    probe.next();
  } catch {
    throw new ScheduleError();
  }
  return {
    next(after) {
      const it = CronExpressionParser.parse(classic, { currentDate: new Date(after), tz: 'UTC' });
      for (let i = 0; i < 1000; i++) {
        let d: Date;
        try {
          d = it.next().toDate();
        } catch {
          return undefined;
        }
        const y = d.getUTCFullYear();
        if (years(y)) return d.getTime() > after ? d.getTime() : undefined;
        if (y > 2199) return undefined;
      }
      return undefined;
    },
  };
}

/** AWS numbers days 1-7 from Sunday; classic cron 0-6. Names (MON-FRI) and L/# keep their meaning. */
function awsDow(field: string): string {
  return field.replace(/\d+/g, (n, offset: number, whole: string) => {
    // the number after '#' is the nth week, not a day
    if (whole[offset - 1] === '#') return n;
    const d = Number(n);
    if (d < 1 || d > 7) throw new ScheduleError();
    return String(d - 1);
  });
}

function yearFilter(field: string): (y: number) => boolean {
  if (field === '*' || field === '?') return () => true;
  const parts = field.split(',').map((p) => {
    const m = /^(\d{4})(?:-(\d{4}))?(?:\/(\d+))?$/.exec(p);
    if (!m) throw new ScheduleError();
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : m[3] ? 2199 : lo;
    const step = m[3] ? Number(m[3]) : 1;
    if (lo < 1970 || hi > 2199 || lo > hi || step < 1) throw new ScheduleError();
    return (y: number) => y >= lo && y <= hi && (y - lo) % step === 0;
  });
  return (y) => parts.some((p) => p(y));
}
