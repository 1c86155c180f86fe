// EventBridge event patterns: parsed once (with EventBridge's validation), then matched against
// events. One matcher serves rules, TestEventPattern and archives. The semantics follow the
// "Event patterns" and "Content filtering" chapters of the EventBridge user guide: leaves are arrays
// of alternatives, objects nest, event arrays match when any element does, `$or` joins patterns.
import { isIP } from 'node:net';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One alternative of a leaf: a value to equal, or a content filter. */
type Matcher =
  | { kind: 'equals'; value: null | boolean | number | string }
  | { kind: 'prefix' | 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; re: RegExp }
  | { kind: 'numeric'; tests: [op: string, n: number][] }
  | { kind: 'exists'; value: boolean }
  | { kind: 'cidr'; test: (ip: string) => boolean }
  | { kind: 'anything-but'; not: Matcher[] };

/** A field's condition: a nested pattern, or the alternatives of a leaf. */
type Node = { fields: Map<string, Node | Matcher[]>; or: Node[][] };

export class PatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
  }
}

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface EventPattern {
  matches(event: unknown): boolean;
}

/** Parses a pattern's JSON text; throws PatternError with EventBridge's reason. */
export function parsePattern(text: string): EventPattern {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PatternError(`Filter is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(json)) throw new PatternError('Filter is not an object');
  const root = parseNode(json, '');
  return { matches: (event) => matchNode(root, event) };
}

function parseNode(obj: Record<string, Json>, path: string): Node {
  const keys = Object.keys(obj);
  if (keys.length === 0) throw new PatternError('Empty objects are not allowed');
  const node: Node = { fields: new Map(), or: [] };
  for (const key of keys) {
    const value = obj[key];
    const at = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new PatternError('"$or" must be an array of at least two objects');
      node.or.push(
        value.map((alt) => {
          if (!isObject(alt)) throw new PatternError('"$or" must be an array of objects');
          return parseNode(alt, path);
        }),
      );
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new PatternError('Empty arrays are not allowed');
      node.fields.set(
        key,
        value.map((v) => parseMatcher(v, at)),
      );
    } else if (isObject(value)) {
      node.fields.set(key, parseNode(value, at));
    } else {
      throw new PatternError(`"${at}" must be an object or an array`);
    }
  }
  return node;
}

function parseMatcher(v: Json, at: string): Matcher {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return { kind: 'equals', value: v };
  if (Array.isArray(v)) throw new PatternError(`Match value must be String, number, true, false, or null at "${at}"`);
  const ops = Object.keys(v);
  if (ops.length !== 1) throw new PatternError(`Only one key allowed in match expression at "${at}"`);
  const op = ops[0];
  const arg = v[op];
  switch (op) {
    case 'prefix':
    case 'suffix': {
      if (typeof arg === 'string') return { kind: op, value: arg, ignoreCase: false };
      if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
        return { kind: op, value: (arg['equals-ignore-case'] as string).toLowerCase(), ignoreCase: true };
      }
      throw new PatternError(`${op} match pattern must be a string, not ${describe(arg)}`);
    }
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new PatternError(`equals-ignore-case match pattern must be a string, not ${describe(arg)}`);
      return { kind: op, value: arg.toLowerCase() };
    case 'wildcard':
      if (typeof arg !== 'string') throw new PatternError(`wildcard match pattern must be a string, not ${describe(arg)}`);
      return { kind: op, re: wildcard(arg) };
    case 'exists':
      if (typeof arg !== 'boolean') throw new PatternError('exists match pattern must be either true or false.');
      return { kind: op, value: arg };
    case 'numeric':
      return { kind: op, tests: numeric(arg) };
    case 'cidr':
      if (typeof arg !== 'string') throw new PatternError(`cidr match pattern must be a string, not ${describe(arg)}`);
      return { kind: op, test: cidr(arg) };
    case 'anything-but':
      return { kind: op, not: anythingBut(arg, at) };
    default:
      throw new PatternError(`Unrecognized match type ${op}`);
  }
}

function describe(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;
}

function anythingBut(arg: Json, at: string): Matcher[] {
  if (typeof arg === 'string' || typeof arg === 'number') return [{ kind: 'equals', value: arg }];
  if (Array.isArray(arg)) {
    if (arg.length === 0) throw new PatternError('Empty arrays are not allowed');
    return arg.map((x) => {
      if (typeof x !== 'string' && typeof x !== 'number')
        throw new PatternError('Inside anything but list, start|null|boolean is not supported.');
      return { kind: 'equals', value: x };
    });
  }
  if (isObject(arg)) {
    const ops = Object.keys(arg);
    if (ops.length !== 1) throw new PatternError(`Only one key allowed in match expression at "${at}"`);
    const op = ops[0];
    const inner = arg[op];
    if (op === 'prefix' || op === 'suffix' || op === 'wildcard') {
      const list = Array.isArray(inner) ? inner : [inner];
      return list.map((x) => parseMatcher({ [op]: x }, at));
    }
    if (op === 'equals-ignore-case') {
      const list = Array.isArray(inner) ? inner : [inner];
      return list.map((x) => parseMatcher({ [op]: x }, at));
    }
    throw new PatternError(`Unsupported anything-but pattern: ${op}`);
  }
  throw new PatternError(`Value of anything-but must be an array or single string/number value.`);
}

const NUMERIC_OPS = new Set(['=', '<', '<=', '>', '>=']);
const NUMERIC_LIMIT = 5e9;

function numeric(arg: Json): [string, number][] {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0) throw new PatternError('Value of numeric must be an array.');
  const tests: [string, number][] = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const n = arg[i + 1];
    if (typeof op !== 'string' || !NUMERIC_OPS.has(op)) throw new PatternError(`Unrecognized numeric range operator: ${String(op)}`);
    if (typeof n !== 'number') throw new PatternError(`Value of ${op} must be numeric`);
    if (Math.abs(n) > NUMERIC_LIMIT) throw new PatternError(`Value of ${op} must be between -5.0E9 and 5.0E9 inclusive`);
    tests.push([op, n]);
  }
  if (tests.length > 2) throw new PatternError('Too many terms in numeric range expression');
  if (tests.length === 2) {
    const [lo, hi] = tests;
    if (!lo[0].startsWith('>') || !hi[0].startsWith('<')) throw new PatternError('Bad range in numeric range expression');
    if (lo[1] >= hi[1]) throw new PatternError('Bottom must be less than top');
  }
  return tests;
}

function wildcard(p: string): RegExp {
  if (p.includes('**')) throw new PatternError(`Consecutive wildcard characters at pos ${p.indexOf('**') + 1}`);
  let re = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && (p[i + 1] === '*' || p[i + 1] === '\\')) re += '\\' + p[++i];
    else if (c === '*') re += '[\\s\\S]*';
    else re += c.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function cidr(spec: string): (ip: string) => boolean {
  const slash = spec.indexOf('/');
  const base = slash < 0 ? spec : spec.slice(0, slash);
  const family = isIP(base);
  const bits = slash < 0 ? (family === 6 ? 128 : 32) : Number(spec.slice(slash + 1));
  if (
    !family ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > (family === 6 ? 128 : 32) ||
    (slash >= 0 && !/^\d+$/.test(spec.slice(slash + 1)))
  ) {
    throw new PatternError(`Nonstandard IP address: ${spec}`);
  }
  const want = ipBits(base, family);
  return (ip) => {
    if (isIP(ip) !== family) return false;
    const got = ipBits(ip, family);
    return got.slice(0, bits) === want.slice(0, bits);
  };
}

function ipBits(ip: string, family: number): string {
  if (family === 4)
    return ip
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
  // expand :: and any embedded IPv4 tail
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups
    .map((g) =>
      parseInt(g || '0', 16)
        .toString(2)
        .padStart(16, '0'),
    )
    .join('');
}

// ---- matching

function matchNode(node: Node, value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const [key, cond] of node.fields) {
    if (!matchField(cond, Object.hasOwn(value, key) ? value[key] : undefined, Object.hasOwn(value, key))) return false;
  }
  for (const alternatives of node.or) if (!alternatives.some((alt) => matchNode(alt, value))) return false;
  return true;
}

function matchField(cond: Node | Matcher[], value: Json | undefined, present: boolean): boolean {
  if (!Array.isArray(cond)) {
    // a nested pattern: the event's value is an object, or an array of which one element matches
    if (Array.isArray(value)) return value.some((v) => matchNode(cond, v));
    return matchNode(cond, value);
  }
  return cond.some((m) => matchLeaf(m, value, present));
}

function matchLeaf(m: Matcher, value: Json | undefined, present: boolean): boolean {
  if (m.kind === 'exists') {
    // exists looks at leaves: an object is no value; an empty array holds none
    const leaf = present && !isObject(value) && !(Array.isArray(value) && value.length === 0);
    return m.value ? leaf : !leaf;
  }
  if (!present) return false;
  if (Array.isArray(value)) return value.some((v) => !Array.isArray(v) && matchLeaf(m, v, true));
  if (isObject(value)) return false;
  return matchScalar(m, value as null | boolean | number | string);
}

function matchScalar(m: Matcher, v: null | boolean | number | string): boolean {
  switch (m.kind) {
    case 'equals':
      return v === m.value;
    case 'prefix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase() : v).startsWith(m.value);
    case 'suffix':
      return typeof v === 'string' && (m.ignoreCase ? v.toLowerCase() : v).endsWith(m.value);
    case 'equals-ignore-case':
      return typeof v === 'string' && v.toLowerCase() === m.value;
    case 'wildcard':
      return typeof v === 'string' && m.re.test(v);
    case 'numeric':
      return typeof v === 'number' && m.tests.every(([op, n]) => compare(op, v, n));
    case 'cidr':
      return typeof v === 'string' && m.test(v);
    case 'anything-but':
      return !m.not.some((x) => matchScalar(x, v));
    case 'exists':
      return true;
  }
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}
