// Schedule expressions, shared by EventBridge rules and EventBridge Scheduler: rate(value unit),
// cron(min hour dom month dow year) and, where the service takes them, at(yyyy-mm-ddThh:mm:ss); cron
// and at() read in an IANA time zone (UTC by default). cron-parser (with its own time-zone support)
// computes the five classic fields; the year field, AWS's day-of-week numbering (1 = Sunday) and the
// nearest-weekday form (15W) are handled here. What differs per service is an option: time zones,
// at(), and the error a refused expression raises (each service has its own wording).
import { createRequire } from 'node:module';

export interface Schedule {
  /** one-time (at) or recurring */
  kind: 'at' | 'rate' | 'cron';
  /** the first firing strictly after `afterMs` (epoch ms), or undefined when there is none */
  next(afterMs: number): number | undefined;
}

export interface ScheduleOptions {
  /** the IANA time zone cron and at() expressions are read in (default UTC) */
  timeZone?: string;
  /** when a rate schedule starts counting (its start date or creation); default 0 */
  anchorMs?: number;
  /** accept at() one-time expressions (Scheduler does, EventBridge rules do not) */
  at?: boolean;
  /** the error to throw for an expression AWS refuses (the reason is for logs); default ScheduleExpressionError */
  invalid?: (reason: string) => Error;
}

/** What a refused expression throws when the caller named no error of its own. */
export class ScheduleExpressionError extends Error {}

const UNITS: Record<string, number> = {
  minute: 60_000,
  minutes: 60_000,
  hour: 3_600_000,
  hours: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};
// cron-parser is loaded with the first cron expression, not at startup
let cronParser: typeof import('cron-parser').CronExpressionParser | undefined;
const cron = () => (cronParser ??= (createRequire(import.meta.url)('cron-parser') as typeof import('cron-parser')).CronExpressionParser);

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** Thrown inside this module; turned into the caller's error at the edge. */
class Refused extends Error {}

/** Is this an IANA time-zone name the runtime knows? */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of an instant in a time zone. */
function zonedParts(ms: number, tz: string): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour) % 24, mi: Number(p.minute), s: Number(p.second) };
}

/** The instant at which a wall-clock time occurs in a time zone (the later offset across a DST gap). */
export function zonedToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(guess, tz);
    const offset = Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - guess;
    const next = wall - offset;
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

/** Parses a schedule expression; throws the caller's `invalid` error for anything AWS refuses. */
export function parseScheduleExpression(expr: string, opts: ScheduleOptions = {}): Schedule {
  try {
    return parse(expr, opts.timeZone ?? 'UTC', opts.anchorMs ?? 0, opts.at === true);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    throw opts.invalid ? opts.invalid(e.message) : new ScheduleExpressionError(e.message);
  }
}

function parse(expr: string, tz: string, anchorMs: number, allowAt: boolean): Schedule {
  if (!validTimeZone(tz)) throw new Refused(`Invalid time zone ${tz}`);
  const at = allowAt ? /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expr) : null;
  if (at) {
    const [y, mo, d, h, mi, s] = at.slice(1).map(Number);
    const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) throw new Refused('bad date');
    const when = zonedToUtc(y, mo, d, h, mi, s, tz);
    return { kind: 'at', next: (after) => (when > after ? when : undefined) };
  }
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    // "rate(1 minute)": singular for 1, plural otherwise, as AWS insists
    const singular = !rate[2].endsWith('s');
    if (n <= 0 || (n === 1) !== singular) throw new Refused('bad rate');
    const period = n * UNITS[rate[2]];
    return {
      kind: 'rate',
      next: (after) => (after < anchorMs ? anchorMs : anchorMs + (Math.floor((after - anchorMs) / period) + 1) * period),
    };
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (!cron) throw new Refused('unknown form');
  return parseCron(cron[1], tz);
}

/** A field of numbers, names, ranges, steps and lists within [lo, hi] (what AWS accepts), or a throw. */
function checkField(field: string, lo: number, hi: number, names: string[] = [], extra?: RegExp): void {
  if (field === '*' || field === '?') return;
  for (const part of field.split(',')) {
    if (extra?.test(part)) continue;
    const m = /^(\*|[A-Z0-9]+)(?:-([A-Z0-9]+))?(?:\/(\d+))?$/i.exec(part);
    if (!m) throw new Refused(`bad field ${field}`);
    const value = (v: string) => {
      const i = names.indexOf(v.toUpperCase());
      const n = i >= 0 ? i + lo : /^\d+$/.test(v) ? Number(v) : NaN;
      if (!(n >= lo && n <= hi)) throw new Refused(`bad value ${v}`);
      return n;
    };
    if (m[1] !== '*') value(m[1]);
    else if (m[2]) throw new Refused('bad range');
    if (m[2]) value(m[2]);
    if (m[3] !== undefined && Number(m[3]) < 1) throw new Refused('bad step');
  }
}

function parseCron(text: string, tz: string): Schedule {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 6) throw new Refused('six fields');
  const [min, hour, dom, month, dow, year] = fields;
  if ((dom === '?') === (dow === '?')) throw new Refused('one of day-of-month and day-of-week is ?');
  checkField(min, 0, 59);
  checkField(hour, 0, 23);
  checkField(dom, 1, 31, [], /^(L|L-\d{1,2}|\d{1,2}W|LW)$/);
  checkField(month, 1, 12, MONTHS);
  checkField(dow, 1, 7, DAYS, /^([1-7]|[A-Z]{3})(L|#[1-5])$/i);
  const weekday = /^(\d{1,2})W$/.exec(dom);
  if (weekday && (Number(weekday[1]) < 1 || Number(weekday[1]) > 31)) throw new Refused('bad W');
  const classic = [min, hour, dom === '?' || weekday ? '*' : dom, month, dow === '?' ? '*' : awsDow(dow)].join(' ');
  const years = yearFilter(year);
  const keep = weekday ? nearestWeekday(Number(weekday[1]), tz) : () => true;
  // probe once so that a bad expression fails when it is set, not when it is due
  try {
    cron()
      .parse(classic, { currentDate: new Date(0), tz })
      .next();
  } catch {
    throw new Refused('cron-parser refused');
  }
  return {
    kind: 'cron',
    next(after) {
      const it = cron().parse(classic, { currentDate: new Date(after), tz });
      for (let i = 0; i < 5000; i++) {
        let ms: number;
        try {
          ms = it.next().toDate().getTime();
        } catch {
          return undefined;
        }
        const y = zonedParts(ms, tz).y;
        if (y > 2199) return undefined;
        if (years(y) && keep(ms) && ms > after) return ms;
      }
      return undefined;
    },
  };
}

/** `15W`: the weekday nearest the 15th within the same month. */
function nearestWeekday(day: number, tz: string): (ms: number) => boolean {
  return (ms) => {
    const p = zonedParts(ms, tz);
    const last = new Date(Date.UTC(p.y, p.mo, 0)).getUTCDate();
    let target = Math.min(day, last);
    const wd = new Date(Date.UTC(p.y, p.mo - 1, target)).getUTCDay();
    if (wd === 6) target = target === 1 ? 3 : target - 1;
    else if (wd === 0) target = target === last ? target - 2 : target + 1;
    return p.d === target;
  };
}

/** AWS numbers days 1-7 from Sunday; classic cron 0-6. Names and L/# keep their meaning. */
function awsDow(field: string): string {
  return field.replace(/\d+/g, (n, offset: number, whole: string) => (whole[offset - 1] === '#' ? n : String(Number(n) - 1)));
}

function yearFilter(field: string): (y: number) => boolean {
  if (field === '*' || field === '?') return () => true;
  const parts = field.split(',').map((p) => {
    const m = /^(\d{4})(?:-(\d{4}))?(?:\/(\d+))?$/.exec(p);
    if (!m) throw new Refused('bad year');
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : m[3] ? 2199 : lo;
    const step = m[3] ? Number(m[3]) : 1;
    if (lo < 1970 || hi > 2199 || lo > hi || step < 1) throw new Refused('bad year');
    return (y: number) => y >= lo && y <= hi && (y - lo) % step === 0;
  });
  return (y) => parts.some((p) => p(y));
}
