// Condition operators of IAM policies, compiled once per statement. A block is an AND of its
// operators and of their keys; the values listed for one key are ORed (NORed for negated operators).
import { isIP } from 'node:net';
import { compilePattern, substitute, type Keys, type Pattern } from './wildcard.js';

export type ConditionCheck = (keys: Keys) => boolean;

const BASE = new Set([
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
  'Null',
]);

export interface ParsedOperator {
  base: string;
  ifExists: boolean;
  set?: 'ForAllValues' | 'ForAnyValue';
}

/** `ForAnyValue:StringLikeIfExists` → its parts; undefined for an unknown operator. */
export function parseOperator(op: string): ParsedOperator | undefined {
  let rest = op;
  let set: ParsedOperator['set'];
  const m = /^(ForAllValues|ForAnyValue):(.*)$/.exec(op);
  if (m) {
    set = m[1] as ParsedOperator['set'];
    rest = m[2];
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  if (!BASE.has(base) || (ifExists && base === 'Null')) return undefined;
  return { base, ifExists, set };
}

const negated = (base: string) => base.includes('Not');

function toDate(v: string): number {
  if (/^\d+$/.test(v)) return Number(v) * 1000; // epoch seconds
  return Date.parse(v);
}

function ipMatcher(cidr: string): (ip: string) => boolean {
  const [addr, bitsText] = cidr.split('/');
  const v = isIP(addr);
  if (!v) return () => false;
  const width = v === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  const want = ipBits(addr, v);
  return (ip) => {
    const s = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const iv = isIP(s);
    if (iv !== v) return false;
    const got = ipBits(s, iv);
    if (bits === 0) return true;
    const shift = BigInt(width - bits);
    return got >> shift === want >> shift;
  };
}

function ipBits(addr: string, v: number): bigint {
  if (v === 4) return addr.split('.').reduce((a, p) => (a << 8n) | BigInt(Number(p)), 0n);
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

/** Does one request value satisfy one policy value, for the positive form of the operator? */
function valueTest(base: string, policyValue: string): (v: string, keys: Keys) => boolean {
  const positive = base.replace('Not', '');
  switch (positive) {
    case 'StringEquals':
    case 'StringEqualsIgnoreCase': {
      const p = compilePattern(policyValue, { glob: false, vars: true, ci: positive.endsWith('IgnoreCase') });
      return (v, k) => p.test(v, k);
    }
    case 'StringLike':
    case 'ArnLike':
    case 'ArnEquals': {
      const p: Pattern = compilePattern(policyValue, { vars: true });
      return (v, k) => p.test(v, k);
    }
    case 'NumericEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals':
    case 'DateEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals': {
      const date = positive.startsWith('Date');
      const parse = date ? toDate : Number;
      const cmp = positive.replace(/^(Numeric|Date)/, '');
      return (v, k) => {
        const pv = parse(substitute(policyValue, k, false) ?? '');
        const rv = parse(v);
        if (Number.isNaN(pv) || Number.isNaN(rv)) return false;
        switch (cmp) {
          case 'Equals':
            return rv === pv;
          case 'LessThan':
            return rv < pv;
          case 'LessThanEquals':
            return rv <= pv;
          case 'GreaterThan':
            return rv > pv;
          default:
            return rv >= pv;
        }
      };
    }
    case 'Bool':
      return (v, k) => v.toLowerCase() === (substitute(policyValue, k, false) ?? '').toLowerCase();
    case 'BinaryEquals':
      return (v) => v === policyValue;
    case 'IpAddress': {
      const m = ipMatcher(policyValue);
      return (v) => m(v);
    }
    default:
      return () => false;
  }
}

/** One operator on one key with its policy values. */
function compileKey(op: ParsedOperator, key: string, values: string[]): ConditionCheck {
  const name = key.toLowerCase();
  if (op.base === 'Null') {
    const want = values.map((v) => v.toLowerCase() === 'true');
    return (keys) => {
      const v = keys[name];
      const absent = v === undefined || (Array.isArray(v) && v.length === 0);
      return want.some((w) => w === absent);
    };
  }
  const neg = negated(op.base);
  const tests = values.map((pv) => valueTest(op.base, pv));
  // a request value "matches" the positive operator when it satisfies any policy value
  const matchesAny = (v: string, keys: Keys) => tests.some((t) => t(v, keys));
  const one = (v: string, keys: Keys) => (neg ? !matchesAny(v, keys) : matchesAny(v, keys));
  return (keys) => {
    const raw = keys[name];
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    if (op.set === 'ForAllValues') return list.every((v) => one(v, keys));
    if (op.set === 'ForAnyValue') return list.some((v) => one(v, keys));
    if (list.length === 0) return op.ifExists || neg;
    return neg ? list.every((v) => one(v, keys)) : list.some((v) => one(v, keys));
  };
}

/** Compiles a statement's Condition block (already validated). */
export function compileConditions(block: Record<string, Record<string, unknown>>): ConditionCheck | undefined {
  const checks: ConditionCheck[] = [];
  for (const [opName, body] of Object.entries(block)) {
    const op = parseOperator(opName)!;
    for (const [key, raw] of Object.entries(body)) {
      const values = (Array.isArray(raw) ? raw : [raw]).map((v) => String(v));
      checks.push(compileKey(op, key, values));
    }
  }
  if (checks.length === 0) return undefined;
  return (keys) => checks.every((c) => c(keys));
}
