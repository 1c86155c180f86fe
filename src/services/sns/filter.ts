// Subscription filter policies: validation with SNS's error texts, and matching against message
// attributes (FilterPolicyScope=MessageAttributes) or the JSON message body (MessageBody).
import { BlockList, isIP } from 'node:net';
import { ServiceError } from '../../kit.js';
import type { MessageAttributeValue } from '../../kit.js';

export type FilterScope = 'MessageAttributes' | 'MessageBody';
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Policy = { [k: string]: Json };
/** one alternative of a policy after expanding `$or`: dotted key path → its conditions */
type Flat = Map<string, Json[]>;

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const MAX_POLICY_BYTES = 256 * 1024;

const isObject = (v: unknown): v is Policy => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and checks a FilterPolicy attribute value; returns undefined for an empty policy.
 * @param prefix `Invalid parameter: ` (SetSubscriptionAttributes) or `Invalid parameter: Attributes Reason: ` (Subscribe)
 */
export function parseFilterPolicy(text: string, scope: FilterScope, prefix: string): Policy | undefined {
  const fail = (msg: string) => new ServiceError('InvalidParameter', `${prefix}FilterPolicy: ${msg}`);
  if (text.trim() === '') return undefined;
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES)
    throw new ServiceError('InvalidParameter', `${prefix}FilterPolicy: Filter policy is too large`);
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw fail('failed to parse JSON.');
  }
  if (!isObject(policy)) throw fail('failed to parse JSON.');
  if (Object.keys(policy).length === 0) return undefined;
  if (Object.keys(policy).length > MAX_KEYS) throw fail(`Filter policy can not have more than ${MAX_KEYS} keys`);

  // the number of combinations: each leaf array counts its values times its depth; $or adds its branches
  const walk = (obj: Policy, depth: number): number => {
    let combos = 1;
    for (const [key, value] of Object.entries(obj)) {
      if (key === '$or') {
        if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) throw fail('$or must be an array of at least two objects');
        combos *= value.reduce<number>((sum, branch) => sum + walk(branch as Policy, depth), 0);
      } else if (Array.isArray(value)) {
        if (value.length === 0) throw fail('Empty arrays are not allowed');
        for (const rule of value) checkRule(rule, fail);
        combos *= value.length * depth;
      } else if (isObject(value)) {
        if (scope === 'MessageAttributes') {
          throw new ServiceError(
            'InvalidParameter',
            `${prefix}Filter policy scope MessageAttributes does not support nested filter policy`,
          );
        }
        combos *= walk(value, depth + 1);
      } else {
        throw fail(`"${key}" must be an object or an array`);
      }
    }
    return combos;
  };
  if (walk(policy, 1) > MAX_COMBINATIONS) throw fail('Filter policy is too complex');
  return policy;
}

function checkRule(rule: Json, fail: (m: string) => ServiceError): void {
  if (rule === null || typeof rule === 'string' || typeof rule === 'boolean' || typeof rule === 'number') return;
  if (!isObject(rule)) throw fail('Match value must be String, number, true, false, or null');
  const keys = Object.keys(rule);
  if (keys.length !== 1) throw fail('Only one key allowed in match expression');
  const op = keys[0];
  const value = rule[op];
  switch (op) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof value !== 'string') throw fail(`${op} match pattern must be a string`);
      return;
    case 'exists':
      if (typeof value !== 'boolean') throw fail('exists match pattern must be either true or false.');
      return;
    case 'anything-but':
      if (Array.isArray(value)) {
        if (value.length === 0) throw fail('Empty arrays are not allowed');
        for (const v of value)
          if (typeof v !== 'string' && typeof v !== 'number') throw fail('Inside anything but list, start|null|boolean is not supported.');
        return;
      }
      if (isObject(value)) {
        const inner = Object.keys(value);
        if (inner.length !== 1) throw fail('Only one key allowed in match expression');
        if (!['prefix', 'suffix', 'equals-ignore-case'].includes(inner[0])) throw fail(`Unsupported anything-but pattern: ${inner[0]}`);
        const iv = value[inner[0]];
        if (typeof iv !== 'string' && !(inner[0] === 'equals-ignore-case' && Array.isArray(iv) && iv.every((x) => typeof x === 'string'))) {
          throw fail(`${inner[0]} match pattern must be a string`);
        }
        return;
      }
      if (typeof value === 'string' || typeof value === 'number') return;
      throw fail('Inside anything but list, start|null|boolean is not supported.');
    case 'numeric':
      return checkNumeric(value, fail);
    case 'cidr':
      return checkCidr(value, fail);
    default:
      throw fail(`Unrecognized match type ${op}`);
  }
}

function checkNumeric(value: Json, fail: (m: string) => ServiceError): void {
  if (!Array.isArray(value) || value.length === 0) throw fail('Invalid member in numeric match: ]');
  const [op1, v1, op2, v2, ...rest] = value;
  if (typeof op1 !== 'string') throw fail(`Invalid member in numeric match: ${JSON.stringify(op1)}`);
  if (!['<', '<=', '=', '>', '>='].includes(op1)) throw fail(`Unrecognized numeric range operator: ${op1}`);
  if (typeof v1 !== 'number') throw fail(`Value of ${op1 === '=' ? 'equals' : op1} must be numeric`);
  if (value.length === 2) return;
  if (op1 !== '>' && op1 !== '>=') throw fail('Too many elements in numeric expression');
  if (typeof op2 !== 'string') throw fail(`Bad value in numeric range: ${JSON.stringify(op2)}`);
  if (op2 !== '<' && op2 !== '<=') throw fail(`Bad numeric range operator: ${op2}`);
  if (typeof v2 !== 'number') throw fail(`Value of ${op2} must be numeric`);
  if (v2 <= v1) throw fail('Bottom must be less than top');
  if (rest.length) throw fail('Too many terms in numeric range expression');
}

function checkCidr(value: Json, fail: (m: string) => ServiceError): void {
  if (typeof value !== 'string') throw fail('prefix match pattern must be a string');
  const parts = value.split('/');
  if (parts.length !== 2) throw fail("Malformed CIDR, one '/' required");
  if (!/^\d+$/.test(parts[1])) throw fail('Malformed CIDR, mask bits must be an integer');
  const family = isIP(parts[0]);
  if (!family || Number(parts[1]) > (family === 4 ? 32 : 128)) throw fail(`Nonstandard IP address: ${parts[0]}`);
}

/** `{"a": {"b": [..]}, "$or": [...]}` → one flat map per alternative */
function flatten(policy: Policy): Flat[] {
  let alternatives: Flat[] = [new Map()];
  const walk = (obj: Policy, path: string, into: Flat[]): Flat[] => {
    let out = into;
    for (const [key, value] of Object.entries(obj)) {
      if (key === '$or' && Array.isArray(value)) {
        out = value.flatMap((branch) =>
          walk(
            branch as Policy,
            path,
            out.map((m) => new Map(m)),
          ),
        );
      } else {
        const p = path ? `${path}.${key}` : key;
        if (Array.isArray(value)) out = out.map((m) => new Map(m).set(p, value));
        else if (isObject(value)) out = walk(value, p, out);
      }
    }
    return out;
  };
  alternatives = walk(policy, '', alternatives);
  return alternatives;
}

// ---- matching ----

/** a value as filter policies see it */
type Val = { t: 'string'; v: string } | { t: 'number'; v: number } | { t: 'bool'; v: boolean } | { t: 'null' };

function fromJson(v: unknown): Val | undefined {
  if (v === null) return { t: 'null' };
  if (typeof v === 'string') return { t: 'string', v };
  if (typeof v === 'number') return { t: 'number', v };
  if (typeof v === 'boolean') return { t: 'bool', v };
  return undefined;
}

/** values at one key; `array` marks a String.Array attribute (anything-but then excludes if any element is listed) */
interface Field {
  values: Val[];
  array: boolean;
}

const sameNumber = (a: number, b: number) => Math.round(a * 1e5) === Math.round(b * 1e5);

function equalsLiteral(val: Val, lit: Json): boolean {
  if (lit === null) return val.t === 'null';
  if (typeof lit === 'string') return val.t === 'string' && val.v === lit;
  if (typeof lit === 'number') return val.t === 'number' && sameNumber(val.v, lit);
  if (typeof lit === 'boolean') return val.t === 'bool' && val.v === lit;
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [addr, bits] = cidr.split('/');
  const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  const type = isIP(ip);
  if (!type || (type === 6) !== (family === 'ipv6')) return false;
  const list = new BlockList();
  list.addSubnet(addr, Number(bits), family);
  return list.check(ip, family);
}

function numericMatch(v: number, expr: Json[]): boolean {
  for (let i = 0; i + 1 < expr.length; i += 2) {
    const op = expr[i] as string;
    const n = expr[i + 1] as number;
    const ok = op === '=' ? sameNumber(v, n) : op === '<' ? v < n : op === '<=' ? v <= n : op === '>' ? v > n : v >= n;
    if (!ok) return false;
  }
  return true;
}

/** A positive condition against one value (exists and anything-but are handled per field). */
function matchValue(val: Val, cond: Json): boolean {
  if (!isObject(cond)) return equalsLiteral(val, cond);
  const [op] = Object.keys(cond);
  const arg = cond[op];
  switch (op) {
    case 'prefix':
      return val.t === 'string' && val.v.startsWith(arg as string);
    case 'suffix':
      return val.t === 'string' && val.v.endsWith(arg as string);
    case 'equals-ignore-case':
      return val.t === 'string' && val.v.toLowerCase() === (arg as string).toLowerCase();
    case 'numeric':
      return val.t === 'number' && numericMatch(val.v, arg as Json[]);
    case 'cidr':
      return val.t === 'string' && inCidr(val.v, arg as string);
    default:
      return false;
  }
}

/** Does the value fall in the set anything-but excludes? */
function excluded(val: Val, arg: Json): boolean {
  if (Array.isArray(arg)) return arg.some((a) => equalsLiteral(val, a));
  if (isObject(arg)) {
    const [op] = Object.keys(arg);
    const inner = arg[op];
    if (op === 'equals-ignore-case' && Array.isArray(inner)) return inner.some((x) => matchValue(val, { [op]: x }));
    return matchValue(val, { [op]: inner });
  }
  return equalsLiteral(val, arg);
}

function matchField(field: Field | undefined, conditions: Json[]): boolean {
  return conditions.some((cond) => {
    if (isObject(cond) && 'exists' in cond) return cond.exists === (field !== undefined);
    if (!field || field.values.length === 0) return false;
    if (isObject(cond) && 'anything-but' in cond) {
      const arg = cond['anything-but'];
      // a String.Array attribute matches only when none of its elements is excluded
      return field.array ? field.values.every((v) => !excluded(v, arg)) : field.values.some((v) => !excluded(v, arg));
    }
    return field.values.some((v) => matchValue(v, cond));
  });
}

function matches(policy: Policy, lookup: (key: string) => Field | undefined): boolean {
  return flatten(policy).some((alt) => [...alt].every(([key, conditions]) => matchField(lookup(key), conditions)));
}

/** Attribute scope: String, String.Array and Number attributes take part; Binary ones only exist. */
export function matchesAttributes(policy: Policy, attributes: Record<string, MessageAttributeValue> | undefined): boolean {
  return matches(policy, (key) => {
    const a = attributes?.[key];
    if (!a) return undefined;
    const type = a.DataType;
    const s = a.StringValue ?? '';
    if (type.startsWith('Number')) return { values: [{ t: 'number', v: Number(s) }], array: false };
    if (type === 'String.Array') {
      try {
        const parsed: unknown = JSON.parse(s);
        const items = Array.isArray(parsed) ? parsed : [parsed];
        return { values: items.map(fromJson).filter((v): v is Val => v !== undefined), array: true };
      } catch {
        return { values: [], array: true };
      }
    }
    if (type.startsWith('String')) return { values: [{ t: 'string', v: s }], array: false };
    return { values: [], array: false };
  });
}

/** Body scope: the message must be a JSON object; nested keys are matched by their dotted path. */
export function matchesBody(policy: Policy, body: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return false;
  }
  if (!isObject(doc)) return false;
  const fields = new Map<string, Val[]>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) for (const item of v) walk(item, path);
    else if (isObject(v)) for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
    else {
      const val = fromJson(v);
      if (val) fields.set(path, [...(fields.get(path) ?? []), val]);
    }
  };
  walk(doc, '');
  return matches(policy, (key) => {
    const values = fields.get(key);
    return values ? { values, array: false } : undefined;
  });
}
