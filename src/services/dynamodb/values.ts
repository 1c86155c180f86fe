// Attribute values: validation and normalisation of what clients send, comparison, equality and size.
import type { AttributeValue } from '../../generated/dynamodb.js';
import { ServiceError } from '../errors.js';
import { normaliseNumber, encodeNumber } from './numbers.js';

export type Value = AttributeValue;
export type Item = Record<string, Value>;

export const TYPES = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'] as const;
export type TypeName = (typeof TYPES)[number];

export const invalid = (message: string) => new ServiceError('ValidationException', message);
export const invalidParam = (message: string) => invalid(`One or more parameter values were invalid: ${message}`);

export function typeOf(v: Value): TypeName {
  for (const t of TYPES) if ((v as Record<string, unknown>)[t] !== undefined) return t;
  return 'NULL';
}

const SET_NAMES: Record<string, string> = { SS: 'string', NS: 'number', BS: 'binary' };

/** Checks one value as DynamoDB does and returns it normalised (numbers canonical). */
export function normaliseValue(v: Value): Value {
  if (typeof v !== 'object' || v === null)
    throw invalid('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  const present = TYPES.filter((t) => (v as Record<string, unknown>)[t] !== undefined);
  if (present.length === 0) throw invalid('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  if (present.length > 1)
    throw invalid('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
  const t = present[0];
  switch (t) {
    case 'S':
    case 'B':
    case 'BOOL':
      return v;
    case 'NULL':
      if (v.NULL !== true)
        throw invalid('One or more parameter values were invalid: Null attribute value types must have the value of true');
      return v;
    case 'N':
      return { N: normaliseNumber(v.N!) };
    case 'SS':
    case 'NS':
    case 'BS': {
      const list = (v as Record<string, unknown[]>)[t];
      if (list.length === 0) throw invalidParam(`An ${SET_NAMES[t]} set  may not be empty`);
      const norm = t === 'NS' ? (list as string[]).map(normaliseNumber) : list;
      const seen = new Set(norm.map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x))));
      if (seen.size !== norm.length)
        throw invalidParam(
          `Input collection [${list.map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : x)).join(', ')}] contains duplicates.`,
        );
      return { [t]: norm } as Value;
    }
    case 'L':
      return { L: v.L!.map(normaliseValue) };
    case 'M':
      return { M: normaliseItem(v.M!) };
  }
}

export function normaliseItem(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) out[k] = normaliseValue(v);
  return out;
}

/** Code point order (= UTF-8 byte order) of two JS strings: surrogates sort above the rest of the BMP. */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}

/** Order of two scalar values of one type (N, S or B); undefined when not comparable. */
export function compareValues(a: Value, b: Value): number | undefined {
  if (a.N !== undefined && b.N !== undefined) {
    const x = encodeNumber(a.N),
      y = encodeNumber(b.N);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.S !== undefined && b.S !== undefined) return Math.sign(compareStrings(a.S, b.S));
  if (a.B !== undefined && b.B !== undefined) return Buffer.compare(a.B, b.B);
  return undefined;
}

const scalarKey = (x: string | Buffer) => (Buffer.isBuffer(x) ? x.toString('base64') : x);

export function equalValues(a: Value, b: Value): boolean {
  const t = typeOf(a);
  if (t !== typeOf(b)) return false;
  switch (t) {
    case 'S':
      return a.S === b.S;
    case 'N':
      return compareValues(a, b) === 0;
    case 'B':
      return a.B!.equals(b.B!);
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = (a as Record<string, (string | Buffer)[]>)[t];
      const y = (b as Record<string, (string | Buffer)[]>)[t];
      if (x.length !== y.length) return false;
      const norm = (s: string | Buffer) => (t === 'NS' ? normaliseNumber(s as string) : scalarKey(s));
      const set = new Set(x.map(norm));
      return y.every((e) => set.has(norm(e)));
    }
    case 'L':
      return a.L!.length === b.L!.length && a.L!.every((e, i) => equalValues(e, b.L![i]));
    case 'M': {
      const ka = Object.keys(a.M!),
        kb = Object.keys(b.M!);
      return ka.length === kb.length && ka.every((k) => b.M![k] !== undefined && equalValues(a.M![k], b.M![k]));
    }
  }
}

/** Whether a set value contains an element (given as a scalar value of the element type). */
export function setHas(set: Value, el: Value): boolean {
  if (set.SS && el.S !== undefined) return set.SS.includes(el.S);
  if (set.NS && el.N !== undefined) return set.NS.some((n) => compareValues({ N: n }, el) === 0);
  if (set.BS && el.B !== undefined) return set.BS.some((b) => b.equals(el.B!));
  return false;
}

const utf8Len = (s: string) => Buffer.byteLength(s, 'utf8');
/**
 * A number's stored size: its digits in pairs aligned on the decimal point (base 100), leading and
 * trailing zero pairs dropped, plus one byte of exponent. 1000 is 2 bytes, 123.4 is 4.
 */
function numberSize(n: string): number {
  const [int = '', frac = ''] = n.replace(/^-/, '').split('.');
  const digits = (int.length % 2 ? '0' : '') + int + frac + (frac.length % 2 ? '0' : '');
  const pairs = digits.match(/../g) ?? [];
  let a = 0,
    b = pairs.length;
  while (a < b && pairs[a] === '00') a++;
  while (b > a && pairs[b - 1] === '00') b--;
  return Math.max(1, b - a) + 1;
}

/** DynamoDB's size accounting (names + values), for the 400 KB limit, 1 MB pages and capacity. */
export function valueSize(v: Value): number {
  if (v.S !== undefined) return utf8Len(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.SS) return v.SS.reduce((n, s) => n + utf8Len(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS) return v.BS.reduce((n, b) => n + b.length, 0);
  if (v.L) return 3 + v.L.reduce((n, e) => n + 1 + valueSize(e), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, e]) => n + 1 + utf8Len(k) + valueSize(e), 0);
  return 1;
}

export function itemSize(item: Item): number {
  let n = 0;
  for (const k in item) n += utf8Len(k) + valueSize(item[k]);
  return n;
}

export const MAX_ITEM_SIZE = 400 * 1024;
