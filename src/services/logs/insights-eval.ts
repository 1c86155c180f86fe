// Runs a parsed Logs Insights query over events: each event is a record of its system fields
// (@timestamp, @message, @logStream, @log, @ingestionTime, @ptr) and, for a JSON message, its
// fields flattened with dots; the commands then filter, parse, aggregate, sort and cut the records.
import { QueryError, type Command, type Expr, type Named } from './insights-parse.js';

export type Rec = Record<string, unknown>;
export interface QueryEvent {
  timestamp: number;
  message: string;
  stream: string;
  group: string;
  account: string;
  ingestion: number;
  id: string;
}

const AGGREGATES = new Set([
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'count_distinct',
  'earliest',
  'latest',
  'sortsfirst',
  'sortslast',
  'pct',
  'stddev',
]);
const FUNCTIONS = new Set([
  'bin',
  'strlen',
  'tolower',
  'toupper',
  'concat',
  'abs',
  'floor',
  'ceil',
  'ispresent',
  'isempty',
  'isblank',
  'trim',
  'ltrim',
  'rtrim',
  'replace',
  'substr',
  'datefloor',
  'dateceil',
  'frommillis',
  'tomillis',
  'greatest',
  'least',
  'coalesce',
  'sqrt',
  'log',
]);

/** Refuses unknown functions and aggregates outside stats before anything runs. */
export function checkQuery(commands: Command[]): void {
  const walk = (e: Expr, inStats: boolean): void => {
    if (e.k === 'call') {
      const agg = AGGREGATES.has(e.fn);
      if (!agg && !FUNCTIONS.has(e.fn)) throw new QueryError(`unknown function ${e.fn}`, 0, 0);
      if (agg && !inStats) throw new QueryError(`the aggregation ${e.fn}() is allowed only in stats`, 0, 0);
      e.args.forEach((a) => walk(a, false));
    } else if (e.k === 'bin') {
      walk(e.l, inStats);
      walk(e.r, inStats);
    } else if (e.k === 'un' || e.k === 'like' || e.k === 'in') walk(e.e, inStats);
  };
  for (const c of commands) {
    if (c.cmd === 'fields' || c.cmd === 'display') c.items.forEach((n) => walk(n.e, false));
    else if (c.cmd === 'filter') walk(c.e, false);
    else if (c.cmd === 'sort') c.keys.forEach((k) => walk(k.e, false));
    else if (c.cmd === 'stats') {
      c.aggs.forEach((n) => walk(n.e, true));
      c.by.forEach((n) => walk(n.e, false));
    }
  }
}

export function toRecord(ev: QueryEvent): Rec {
  // no prototype: a field named constructor or __proto__ is just a field
  const rec: Rec = Object.assign(Object.create(null) as Rec, {
    '@timestamp': new Date(ev.timestamp),
    '@message': ev.message,
    '@logStream': ev.stream,
    '@log': `${ev.account}:${ev.group}`,
    '@ingestionTime': new Date(ev.ingestion),
    '@ptr': ev.id,
  });
  const t = ev.message.trimStart();
  if (t.startsWith('{')) {
    try {
      flatten(JSON.parse(t), '', rec);
    } catch {
      /* not JSON: no fields */
    }
  }
  return rec;
}

function flatten(v: unknown, prefix: string, out: Rec, depth = 0): void {
  if (v !== null && typeof v === 'object' && depth < 10) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(x, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  } else if (prefix && !(prefix in out)) out[prefix] = v;
}

const num = (v: unknown): number | undefined => {
  if (typeof v === 'number') return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
};
const str = (v: unknown): string =>
  v instanceof Date ? formatTime(v) : v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
const truthy = (v: unknown) => v !== undefined && v !== null && v !== false && v !== 0 && v !== '';

export function formatTime(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

function compare(a: unknown, b: unknown): number {
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x - y;
  const s = str(a);
  const t = str(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/**
 * sort's order (AWS: "an updated version of natural sorting"): every non-number before every number;
 * numbers by value; other values chunk by chunk, digit runs by length then value, the rest by code point.
 */
export function sortCompare(a: unknown, b: unknown): number {
  const x = typeof a === 'string' ? (/^\d+(\.\d+)?$/.test(a) ? Number(a) : undefined) : num(a);
  const y = typeof b === 'string' ? (/^\d+(\.\d+)?$/.test(b) ? Number(b) : undefined) : num(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined) return 1;
  if (y !== undefined) return -1;
  const cs = str(a).match(/\d+|\D+/g) ?? [];
  const ds = str(b).match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(cs.length, ds.length); i++) {
    const c = cs[i];
    const d = ds[i];
    if (c === d) continue;
    if (/^\d/.test(c) && /^\d/.test(d)) return c.length - d.length || (c < d ? -1 : 1);
    return c < d ? -1 : 1;
  }
  return cs.length - ds.length;
}

function evaluate(e: Expr, r: Rec): unknown {
  switch (e.k) {
    case 'num':
      return e.v;
    case 'str':
      return e.v;
    case 'regex':
      return e.v;
    case 'dur':
      return e.ms;
    case 'star':
      return 1;
    case 'field':
      return r[e.name];
    case 'un':
      return e.op === 'not' ? !truthy(evaluate(e.e, r)) : -(num(evaluate(e.e, r)) ?? NaN);
    case 'like': {
      const v = evaluate(e.e, r);
      if (v === undefined) return false;
      const hit = e.pat.k === 'regex' ? e.pat.v.test(str(v)) : str(v).includes(str(evaluate(e.pat, r)));
      return e.neg ? !hit : hit;
    }
    case 'in': {
      const v = evaluate(e.e, r);
      const hit = v !== undefined && e.list.some((x) => compare(v, evaluate(x, r)) === 0);
      return e.neg ? !hit : hit;
    }
    case 'bin': {
      if (e.op === 'and') return truthy(evaluate(e.l, r)) && truthy(evaluate(e.r, r));
      if (e.op === 'or') return truthy(evaluate(e.l, r)) || truthy(evaluate(e.r, r));
      const l = evaluate(e.l, r);
      const rv = evaluate(e.r, r);
      if (['=', '!=', '<', '>', '<=', '>='].includes(e.op)) {
        if (l === undefined || rv === undefined) return e.op === '!=' && l !== rv;
        const c = compare(l, rv);
        return e.op === '='
          ? c === 0
          : e.op === '!='
            ? c !== 0
            : e.op === '<'
              ? c < 0
              : e.op === '>'
                ? c > 0
                : e.op === '<='
                  ? c <= 0
                  : c >= 0;
      }
      const x = num(l);
      const y = num(rv);
      if (x === undefined || y === undefined) return undefined;
      return e.op === '+' ? x + y : e.op === '-' ? x - y : e.op === '*' ? x * y : e.op === '/' ? x / y : x % y;
    }
    case 'call':
      return call(e.fn, e.args, r);
  }
}

function call(fn: string, args: Expr[], r: Rec): unknown {
  const a = args.map((x) => evaluate(x, r));
  switch (fn) {
    case 'bin': {
      const ms = num(a[0]);
      const t = num(r['@timestamp']);
      return ms && t !== undefined ? new Date(Math.floor(t / ms) * ms) : undefined;
    }
    case 'datefloor':
    case 'dateceil': {
      const t = num(a[0]);
      const ms = num(a[1]);
      if (t === undefined || !ms) return undefined;
      return new Date((fn === 'datefloor' ? Math.floor : Math.ceil)(t / ms) * ms);
    }
    case 'strlen':
      return a[0] === undefined ? undefined : str(a[0]).length;
    case 'tolower':
      return a[0] === undefined ? undefined : str(a[0]).toLowerCase();
    case 'toupper':
      return a[0] === undefined ? undefined : str(a[0]).toUpperCase();
    case 'trim':
      return a[0] === undefined ? undefined : str(a[0]).trim();
    case 'ltrim':
      return a[0] === undefined ? undefined : str(a[0]).trimStart();
    case 'rtrim':
      return a[0] === undefined ? undefined : str(a[0]).trimEnd();
    case 'concat':
      return a.map(str).join('');
    case 'replace':
      return a[0] === undefined ? undefined : str(a[0]).split(str(a[1])).join(str(a[2]));
    case 'substr':
      return a[0] === undefined ? undefined : str(a[0]).substr(num(a[1]) ?? 0, a[2] === undefined ? undefined : num(a[2]));
    case 'ispresent':
      return a[0] !== undefined;
    case 'isempty':
      return a[0] === undefined || str(a[0]) === '';
    case 'isblank':
      return a[0] === undefined || str(a[0]).trim() === '';
    case 'coalesce':
      return a.find((x) => x !== undefined && x !== null);
    case 'frommillis':
      return num(a[0]) === undefined ? undefined : new Date(num(a[0])!);
    case 'tomillis':
      return num(a[0]);
    case 'greatest':
    case 'least': {
      const ns = a.map(num).filter((x): x is number => x !== undefined);
      return ns.length ? (fn === 'greatest' ? Math.max(...ns) : Math.min(...ns)) : undefined;
    }
    default: {
      const x = num(a[0]);
      if (x === undefined) return undefined;
      const m = { abs: Math.abs, floor: Math.floor, ceil: Math.ceil, sqrt: Math.sqrt, log: Math.log }[fn];
      return m ? m(x) : undefined;
    }
  }
}

function aggregate(e: Expr, group: Rec[]): unknown {
  if (e.k === 'call' && AGGREGATES.has(e.fn)) {
    const arg = e.args[0] ?? { k: 'star' };
    const vals = arg.k === 'star' ? group.map(() => 1) : group.map((r) => evaluate(arg, r)).filter((v) => v !== undefined && v !== null);
    const nums = vals.map(num).filter((v): v is number => v !== undefined);
    switch (e.fn) {
      case 'count':
        return vals.length;
      case 'count_distinct':
        return new Set(vals.map(str)).size;
      case 'sum':
        return nums.reduce((s, x) => s + x, 0);
      case 'avg':
        return nums.length ? nums.reduce((s, x) => s + x, 0) / nums.length : undefined;
      case 'min':
        return nums.length === vals.length && nums.length ? Math.min(...nums) : vals.map(str).sort()[0];
      case 'max':
        return nums.length === vals.length && nums.length ? Math.max(...nums) : vals.map(str).sort().pop();
      case 'stddev': {
        if (!nums.length) return undefined;
        const m = nums.reduce((s, x) => s + x, 0) / nums.length;
        return Math.sqrt(nums.reduce((s, x) => s + (x - m) ** 2, 0) / nums.length);
      }
      case 'pct': {
        const p = num(evaluate(e.args[1] ?? { k: 'num', v: 50 }, {})) ?? 50;
        const sorted = [...nums].sort((x, y) => x - y);
        return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : undefined;
      }
      default: {
        // earliest/latest/sortsFirst/sortsLast: by @timestamp or value
        const byTime = e.fn === 'earliest' || e.fn === 'latest';
        const withVals = group.map((r) => ({ r, v: evaluate(arg, r) })).filter((x) => x.v !== undefined);
        withVals.sort((x, y) => (byTime ? compare(x.r['@timestamp'], y.r['@timestamp']) : compare(x.v, y.v)));
        const pick = e.fn === 'earliest' || e.fn === 'sortsfirst' ? withVals[0] : withVals[withVals.length - 1];
        return pick?.v;
      }
    }
  }
  if (e.k === 'bin' && !['and', 'or'].includes(e.op)) {
    return evaluate(
      { k: 'bin', op: e.op, l: { k: 'num', v: num(aggregate(e.l, group)) ?? NaN }, r: { k: 'num', v: num(aggregate(e.r, group)) ?? NaN } },
      {},
    );
  }
  return group.length ? evaluate(e, group[0]) : undefined;
}

export interface QueryResult {
  rows: { field: string; value: string }[][];
  matched: number;
}

export function runQuery(commands: Command[], events: Iterable<QueryEvent>, limit = 10_000): QueryResult {
  let recs: Rec[] = [];
  for (const ev of events) recs.push(toRecord(ev));
  let shown: string[] | undefined;
  let stats = false;
  let cap = limit;
  for (const c of commands) {
    switch (c.cmd) {
      case 'fields':
      case 'display':
        for (const r of recs) for (const n of c.items) if (n.e.k !== 'field' || n.name !== n.e.name) r[n.name] = evaluate(n.e, r);
        shown =
          c.cmd === 'display'
            ? c.items.map((n) => n.name)
            : [...(shown ?? []), ...c.items.map((n) => n.name).filter((n) => !shown?.includes(n))];
        break;
      case 'filter':
        recs = recs.filter((r) => truthy(evaluate(c.e, r)));
        break;
      case 'parse':
        for (const r of recs) {
          const m = c.re.exec(str(evaluate(c.source, r)));
          if (!m) continue;
          c.names.forEach((n, i) => {
            r[n] = m.groups?.[n] ?? m[i + 1];
          });
        }
        break;
      case 'sort':
        recs.sort((a, b) => {
          for (const k of c.keys) {
            const x = evaluate(k.e, a);
            const y = evaluate(k.e, b);
            if (x === undefined && y === undefined) continue;
            if (x === undefined) return 1;
            if (y === undefined) return -1;
            const d = sortCompare(x, y);
            if (d) return k.desc ? -d : d;
          }
          return 0;
        });
        break;
      case 'limit':
        cap = Math.min(cap, c.n);
        recs = recs.slice(0, c.n);
        break;
      case 'dedup': {
        const seen = new Set<string>();
        recs = recs.filter((r) => {
          const k = JSON.stringify(c.fields.map((f) => str(evaluate(f, r))));
          return seen.has(k) ? false : (seen.add(k), true);
        });
        break;
      }
      case 'stats':
        recs = stat(c.aggs, c.by, recs);
        shown = [...c.by.map((n) => n.name), ...c.aggs.map((n) => n.name)];
        stats = true;
        break;
    }
  }
  const fields = shown ?? ['@timestamp', '@message', '@logStream', '@log'];
  const rows = recs.slice(0, cap).map((r) => {
    const row = fields.filter((f) => r[f] !== undefined).map((f) => ({ field: f, value: str(r[f]) }));
    if (!stats && r['@ptr'] !== undefined) row.push({ field: '@ptr', value: str(r['@ptr']) });
    return row;
  });
  return { rows, matched: recs.length };
}

function stat(aggs: Named[], by: Named[], recs: Rec[]): Rec[] {
  const groups = new Map<string, Rec[]>();
  for (const r of recs) {
    const k = JSON.stringify(by.map((b) => str(evaluate(b.e, r))));
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  if (!by.length && !groups.size) groups.set('[]', []);
  const out: Rec[] = [];
  for (const g of groups.values()) {
    const row: Rec = Object.create(null) as Rec;
    for (const b of by) row[b.name] = evaluate(b.e, g[0]);
    for (const a of aggs) row[a.name] = aggregate(a.e, g);
    out.push(row);
  }
  // with a time bin, rows come newest first as in the console
  const bin = by.find((b) => b.e.k === 'call' && b.e.fn === 'bin');
  if (bin) out.sort((x, y) => compare(y[bin.name], x[bin.name]));
  return out;
}
