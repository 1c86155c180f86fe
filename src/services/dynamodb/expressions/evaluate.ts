// Evaluating parsed expressions against items: conditions, operands, projections.
import type { Condition, Operand, Path } from './ast.js';
import { compareValues, equalValues, invalid, setHas, typeOf, TYPES, type Item, type Value } from '../values.js';

export function resolvePath(item: Item | undefined, path: Path): Value | undefined {
  let cur: Value | undefined = item ? { M: item } : undefined;
  for (const el of path) {
    if (!cur) return undefined;
    if (typeof el === 'number') cur = cur.L ? cur.L[el] : undefined;
    else cur = cur.M ? cur.M[el] : undefined;
  }
  return cur;
}

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

export function sizeOf(v: Value | undefined): number | undefined {
  if (!v) return undefined;
  if (v.S !== undefined) return utf8Length(v.S);
  if (v.B !== undefined) return v.B.length;
  const many = v.SS ?? v.NS ?? v.BS ?? v.L;
  if (many) return many.length;
  if (v.M) return Object.keys(v.M).length;
  return undefined;
}

/** An operand's value in a condition (no arithmetic there). */
export function operandValue(item: Item | undefined, o: Operand): Value | undefined {
  switch (o.k) {
    case 'path':
      return resolvePath(item, o.path);
    case 'value':
      return o.value;
    case 'size': {
      const n = sizeOf(resolvePath(item, o.path));
      return n === undefined ? undefined : { N: String(n) };
    }
    default:
      return undefined;
  }
}

function compare(op: string, a: Value | undefined, b: Value | undefined): boolean {
  if (op === '<>') return !a || !b || !equalValues(a, b);
  if (!a || !b) return false;
  if (op === '=') return equalValues(a, b);
  const c = compareValues(a, b);
  if (c === undefined) return false;
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

const shownValue = (v: Value) => `AttributeValue: {${typeOf(v)}:${JSON.stringify(Object.values(v)[0]).replace(/"/g, '')}}`;

export function evaluate(item: Item | undefined, c: Condition, kind = 'ConditionExpression'): boolean {
  switch (c.k) {
    case 'and':
      return evaluate(item, c.a, kind) && evaluate(item, c.b, kind);
    case 'or':
      return evaluate(item, c.a, kind) || evaluate(item, c.b, kind);
    case 'not':
      return !evaluate(item, c.a, kind);
    case 'cmp':
      return compare(c.op, operandValue(item, c.a), operandValue(item, c.b));
    case 'between': {
      const v = operandValue(item, c.a),
        lo = operandValue(item, c.lo),
        hi = operandValue(item, c.hi);
      if (lo && hi && compareValues(lo, hi)! > 0) {
        throw invalid(
          `Invalid ${kind}: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: ${shownValue(lo)}, upper bound operand: ${shownValue(hi)}`,
        );
      }
      return compare('>=', v, lo) && compare('<=', v, hi);
    }
    case 'in': {
      const v = operandValue(item, c.a);
      return !!v && c.list.some((o) => compare('=', v, operandValue(item, o)));
    }
    case 'fn': {
      const [x, y] = c.args;
      const v = operandValue(item, x);
      switch (c.name) {
        case 'attribute_exists':
          return v !== undefined;
        case 'attribute_not_exists':
          return v === undefined;
        case 'attribute_type': {
          const t = operandValue(item, y);
          if (!t || t.S === undefined || !(TYPES as readonly string[]).includes(t.S)) {
            throw invalid(
              `Invalid ${kind}: Invalid attribute type name found; type: ${t?.S ?? typeOf(t ?? {})}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`,
            );
          }
          return !!v && typeOf(v) === t.S;
        }
        case 'begins_with': {
          const p = operandValue(item, y);
          if (y.k === 'value' && p!.S === undefined && p!.B === undefined) {
            throw invalid(
              `Invalid ${kind}: Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${typeOf(p!)}`,
            );
          }
          if (!v || !p) return false;
          if (v.S !== undefined && p.S !== undefined) return v.S.startsWith(p.S);
          if (v.B !== undefined && p.B !== undefined) return v.B.subarray(0, p.B.length).equals(p.B);
          return false;
        }
        case 'contains': {
          const p = operandValue(item, y);
          if (!v || !p) return false;
          if (v.S !== undefined && p.S !== undefined) return v.S.includes(p.S);
          if (v.B !== undefined && p.B !== undefined) return v.B.includes(p.B);
          if (v.L) return v.L.some((e) => equalValues(e, p));
          return setHas(v, p);
        }
      }
    }
  }
}

/** The item cut down to the given paths (list elements kept in order, compacted). */
export function project(item: Item, paths: Path[]): Item {
  const out: Value = { M: {} };
  for (const path of paths) {
    const v = resolvePath(item, path);
    if (v === undefined) continue;
    let dst = out;
    let src: Value = { M: item };
    for (let i = 0; i < path.length; i++) {
      const el = path[i];
      const last = i === path.length - 1;
      src = typeof el === 'number' ? src.L![el] : src.M![el];
      if (typeof el === 'number') {
        // list elements keep their relative order: index into a sparse record, compacted at the end
        const sparse = (dst as { _idx?: Map<number, Value> })._idx ?? new Map<number, Value>();
        (dst as { _idx?: Map<number, Value> })._idx = sparse;
        if (last) sparse.set(el, src);
        else if (!sparse.has(el)) sparse.set(el, src.M ? { M: {} } : { L: [] });
        if (!last) dst = sparse.get(el)!;
      } else {
        if (last) dst.M![el] = src;
        else {
          dst.M![el] ??= src.M ? { M: {} } : { L: [] };
          dst = dst.M![el];
        }
      }
    }
  }
  return compact(out).M!;
}

function compact(v: Value): Value {
  const sparse = (v as { _idx?: Map<number, Value> })._idx;
  if (sparse) return { L: [...sparse.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => compact(e)) };
  if (v.M) return { M: Object.fromEntries(Object.entries(v.M).map(([k, e]) => [k, compact(e)])) };
  return v;
}
