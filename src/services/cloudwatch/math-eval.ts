// Evaluates a parsed metric math expression over time series. Values are scalars, single time series
// or arrays of them (METRICS(), SEARCH(), [a, b]); arithmetic and comparisons apply point by point
// on shared timestamps, and to each member of an array. Pure: the caller supplies the ids' series,
// the request's time grid, METRICS() and SEARCH().
import { MathError, type Node } from './math-parse.js';

export interface Series {
  label: string;
  /** ascending epoch ms */
  ts: number[];
  vs: number[];
}
export type Value = { k: 'scalar'; v: number } | { k: 'series'; s: Series } | { k: 'array'; a: Series[] };

export interface MathContext {
  /** the value of another query by id (throws for an unknown id) */
  resolve(id: string): Value;
  /** every period-aligned timestamp of the request (for FILL) */
  grid: number[];
  /** the request's period in seconds (PERIOD()) */
  period: number;
  /** the MetricStat queries of the request, optionally those whose id contains a string */
  metrics(filter?: string): Series[];
  search(expression: string, stat: string, period: number): Series[];
  /** ANOMALY_DETECTION_BAND: the lower and upper series of the band of `s` (the series of `arg`), k standard deviations wide */
  band(arg: Node, s: Series, k: number): Series[];
}

const KEYWORDS = new Set(['REPEAT', 'LINEAR']);

export function evaluate(n: Node, ctx: MathContext): Value {
  switch (n.t) {
    case 'num':
      return { k: 'scalar', v: n.v };
    case 'str':
      throw new MathError(`Unexpected string '${n.v}'`);
    case 'id':
      if (KEYWORDS.has(n.name)) throw new MathError(`${n.name} is only valid as the second argument of FILL`);
      return ctx.resolve(n.name);
    case 'neg':
      return map(evaluate(n.e, ctx), (v) => -v);
    case 'bin':
      return binary(n.op, evaluate(n.l, ctx), evaluate(n.r, ctx));
    case 'arr': {
      const a: Series[] = [];
      for (const item of n.items) {
        const v = evaluate(item, ctx);
        if (v.k === 'series') a.push(v.s);
        else if (v.k === 'array') a.push(...v.a);
        else throw new MathError('An array may only contain time series');
      }
      return { k: 'array', a };
    }
    case 'call':
      return call(n.fn, n.args, ctx);
  }
}

const OPS: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
  '==': (a, b) => +(a === b),
  '!=': (a, b) => +(a !== b),
  '<': (a, b) => +(a < b),
  '<=': (a, b) => +(a <= b),
  '>': (a, b) => +(a > b),
  '>=': (a, b) => +(a >= b),
  AND: (a, b) => +(a !== 0 && b !== 0),
  OR: (a, b) => +(a !== 0 || b !== 0),
};

function map(v: Value, f: (x: number) => number): Value {
  if (v.k === 'scalar') return { k: 'scalar', v: f(v.v) };
  if (v.k === 'series') return { k: 'series', s: mapSeries(v.s, f) };
  return { k: 'array', a: v.a.map((s) => mapSeries(s, f)) };
}
const mapSeries = (s: Series, f: (x: number) => number): Series => ({ label: s.label, ts: s.ts, vs: s.vs.map(f) });

/** Two series on the timestamps both have. */
function zip(a: Series, b: Series, f: (x: number, y: number) => number, label: string): Series {
  const at = new Map(b.ts.map((t, i) => [t, b.vs[i]]));
  const out: Series = { label, ts: [], vs: [] };
  a.ts.forEach((t, i) => {
    const y = at.get(t);
    if (y !== undefined) {
      out.ts.push(t);
      out.vs.push(f(a.vs[i], y));
    }
  });
  return out;
}

export function binary(op: string, l: Value, r: Value): Value {
  const f = OPS[op];
  if (!f) throw new MathError(`Unknown operator ${op}`);
  if (l.k === 'scalar' && r.k === 'scalar') return { k: 'scalar', v: f(l.v, r.v) };
  if (l.k === 'scalar') return map(r, (y) => f(l.v, y));
  if (r.k === 'scalar') return map(l, (x) => f(x, r.v));
  if (l.k === 'series' && r.k === 'series') return { k: 'series', s: zip(l.s, r.s, f, l.s.label) };
  if (l.k === 'array' && r.k === 'series') return { k: 'array', a: l.a.map((s) => zip(s, r.s, f, s.label)) };
  if (l.k === 'series' && r.k === 'array') return { k: 'array', a: r.a.map((s) => zip(l.s, s, f, s.label)) };
  throw new MathError('Operations between two arrays of time series are not supported');
}

/** The series of an array reduced point by point (timestamps any member has). */
function reduceArray(a: Series[], label: string, f: (xs: number[]) => number): Series {
  const by = new Map<number, number[]>();
  for (const s of a) s.ts.forEach((t, i) => (by.get(t) ?? by.set(t, []).get(t)!).push(s.vs[i]));
  const ts = [...by.keys()].sort((x, y) => x - y);
  return { label, ts, vs: ts.map((t) => f(by.get(t)!)) };
}

const REDUCERS: Record<string, (xs: number[]) => number> = {
  SUM: (xs) => xs.reduce((a, b) => a + b, 0),
  AVG: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  MIN: (xs) => Math.min(...xs),
  MAX: (xs) => Math.max(...xs),
  STDDEV: (xs) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
  },
};
const UNARY: Record<string, (x: number) => number> = {
  ABS: Math.abs,
  CEIL: Math.ceil,
  FLOOR: Math.floor,
  LOG: Math.log,
  LOG10: Math.log10,
  SQRT: Math.sqrt,
};

function series(v: Value, fn: string): Series {
  if (v.k !== 'series') throw new MathError(`${fn} expects a time series`);
  return v.s;
}
function eachSeries(v: Value, fn: string, f: (s: Series) => Series): Value {
  if (v.k === 'series') return { k: 'series', s: f(v.s) };
  if (v.k === 'array') return { k: 'array', a: v.a.map(f) };
  throw new MathError(`${fn} expects a time series or an array of time series`);
}
function arity(fn: string, args: Node[], min: number, max = min) {
  if (args.length < min || args.length > max)
    throw new MathError(`${fn} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, ${args.length} given`);
}
const str = (n: Node, fn: string) => {
  if (n.t !== 'str') throw new MathError(`${fn} expects a string argument`);
  return n.v;
};

function call(fn: string, args: Node[], ctx: MathContext): Value {
  if (fn in REDUCERS) {
    arity(fn, args, 1);
    const v = evaluate(args[0], ctx);
    if (v.k === 'array') return { k: 'series', s: reduceArray(v.a, fn, REDUCERS[fn]) };
    if (v.k === 'series') return { k: 'scalar', v: v.s.vs.length ? REDUCERS[fn](v.s.vs) : NaN };
    throw new MathError(`${fn} expects a time series or an array of time series`);
  }
  if (fn in UNARY) {
    arity(fn, args, 1);
    return map(evaluate(args[0], ctx), UNARY[fn]);
  }
  switch (fn) {
    case 'METRICS': {
      arity(fn, args, 0, 1);
      return { k: 'array', a: ctx.metrics(args[0] ? str(args[0], fn) : undefined) };
    }
    case 'SEARCH': {
      arity(fn, args, 3);
      const period = evaluate(args[2], ctx);
      if (period.k !== 'scalar') throw new MathError('SEARCH expects a period in seconds');
      return { k: 'array', a: ctx.search(str(args[0], fn), str(args[1], fn), period.v) };
    }
    case 'FILL': {
      arity(fn, args, 2);
      const how = args[1];
      const fill = how.t === 'id' && KEYWORDS.has(how.name) ? how.name : evaluate(how, ctx);
      return eachSeries(evaluate(args[0], ctx), fn, (s) => fillSeries(s, ctx.grid, fill));
    }
    case 'IF': {
      arity(fn, args, 2, 3);
      const cond = evaluate(args[0], ctx);
      const a = evaluate(args[1], ctx);
      const b = args[2] ? evaluate(args[2], ctx) : undefined;
      return eachSeries(cond, fn, (c) => ifSeries(c, a, b));
    }
    case 'RATE':
    case 'DIFF':
    case 'DIFF_TIME': {
      arity(fn, args, 1);
      return eachSeries(evaluate(args[0], ctx), fn, (s) => {
        const out: Series = { label: s.label, ts: [], vs: [] };
        for (let i = 1; i < s.ts.length; i++) {
          const dt = (s.ts[i] - s.ts[i - 1]) / 1000;
          out.ts.push(s.ts[i]);
          out.vs.push(fn === 'DIFF' ? s.vs[i] - s.vs[i - 1] : fn === 'RATE' ? (s.vs[i] - s.vs[i - 1]) / dt : dt);
        }
        return out;
      });
    }
    case 'RUNNING_SUM': {
      arity(fn, args, 1);
      return eachSeries(evaluate(args[0], ctx), fn, (s) => {
        let acc = 0;
        return { label: s.label, ts: s.ts, vs: s.vs.map((v) => (acc += v)) };
      });
    }
    case 'PERIOD': {
      arity(fn, args, 1);
      series(evaluate(args[0], ctx), fn);
      return { k: 'scalar', v: ctx.period };
    }
    case 'DATAPOINT_COUNT': {
      arity(fn, args, 1);
      const v = evaluate(args[0], ctx);
      if (v.k === 'series') return { k: 'scalar', v: v.s.vs.length };
      if (v.k === 'array') return { k: 'series', s: reduceArray(v.a, fn, (xs) => xs.length) };
      throw new MathError(`${fn} expects a time series`);
    }
    case 'REMOVE_EMPTY': {
      arity(fn, args, 1);
      const v = evaluate(args[0], ctx);
      if (v.k !== 'array') return v;
      return { k: 'array', a: v.a.filter((s) => s.vs.length > 0) };
    }
    case 'ANOMALY_DETECTION_BAND': {
      arity(fn, args, 1, 2);
      const k = args[1] ? evaluate(args[1], ctx) : { k: 'scalar' as const, v: 2 };
      if (k.k !== 'scalar') throw new MathError(`${fn} expects a number of standard deviations`);
      return { k: 'array', a: ctx.band(args[0], series(evaluate(args[0], ctx), fn), k.v) };
    }
    case 'TIME_SERIES': {
      arity(fn, args, 1);
      const v = evaluate(args[0], ctx);
      if (v.k !== 'scalar') throw new MathError(`${fn} expects a number`);
      return { k: 'series', s: { label: fn, ts: [...ctx.grid], vs: ctx.grid.map(() => v.v) } };
    }
    default:
      throw new MathError(`Unknown function ${fn}`);
  }
}

function fillSeries(s: Series, grid: number[], fill: string | Value): Series {
  const at = new Map(s.ts.map((t, i) => [t, s.vs[i]]));
  const out: Series = { label: s.label, ts: [], vs: [] };
  let prev: number | undefined;
  grid.forEach((t) => {
    const v = at.get(t);
    if (v !== undefined) {
      prev = v;
      out.ts.push(t);
      out.vs.push(v);
      return;
    }
    let f: number | undefined;
    if (fill === 'REPEAT') f = prev ?? s.vs[0];
    else if (fill === 'LINEAR') f = linear(s, t);
    else if (typeof fill !== 'string') {
      if (fill.k === 'scalar') f = fill.v;
      else if (fill.k === 'series') f = fill.s.vs[fill.s.ts.indexOf(t)];
    }
    if (f !== undefined && !Number.isNaN(f)) {
      out.ts.push(t);
      out.vs.push(f);
    }
  });
  return out;
}

function linear(s: Series, t: number): number | undefined {
  const i = s.ts.findIndex((x) => x > t);
  if (i <= 0) return undefined;
  const [t0, t1, v0, v1] = [s.ts[i - 1], s.ts[i], s.vs[i - 1], s.vs[i]];
  return v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
}

function ifSeries(c: Series, a: Value, b: Value | undefined): Series {
  const pick = (v: Value | undefined, t: number): number | undefined => {
    if (!v) return undefined;
    if (v.k === 'scalar') return v.v;
    if (v.k === 'series') {
      const i = v.s.ts.indexOf(t);
      return i < 0 ? undefined : v.s.vs[i];
    }
    throw new MathError('IF expects scalars or time series');
  };
  const out: Series = { label: c.label, ts: [], vs: [] };
  c.ts.forEach((t, i) => {
    const v = pick(c.vs[i] !== 0 ? a : b, t);
    if (v !== undefined) {
      out.ts.push(t);
      out.vs.push(v);
    }
  });
  return out;
}
