// The POST policy of a browser upload: a base64 JSON document with an expiration and conditions
// every form field must meet. Malformed documents are InvalidPolicyDocument (400); a field that
// fails a condition, or that no condition covers, is AccessDenied (403), worded as S3 words it.
import { ServiceError } from '../errors.js';

export interface PolicyDocument {
  /** epoch ms */
  expiration: number;
  conditions: Condition[];
}

type Condition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; source: unknown[] }
  | { op: 'content-length-range'; min?: number; max?: number; source: unknown[] };

/** What the policy's content-length-range conditions allow (all of them apply). */
export interface SizeRange {
  min: number;
  max: number;
}

const invalidPolicy = (why: string) => new ServiceError('InvalidPolicyDocument', `Invalid Policy: ${why}`, 400);
const denied = (why: string) => new ServiceError('AccessDenied', `Invalid according to Policy: ${why}`, 403);
const INVALID_JSON = 'Invalid JSON.';

// botocore and the JS SDK write seconds, AWS's examples milliseconds; an offset or a space is refused
const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** Decodes and checks the document's shape; the conditions are judged later, against the form. */
export function parsePolicy(base64: string): PolicyDocument {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(base64)) throw invalidPolicy('invalid Base64 encoding.');
  const text = Buffer.from(base64, 'base64');
  let doc: unknown;
  try {
    doc = JSON.parse(text.toString('utf8'));
  } catch {
    throw invalidPolicy(INVALID_JSON);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidPolicy(INVALID_JSON);
  const { expiration, conditions, ...rest } = doc as Record<string, unknown>;
  const unexpected = Object.keys(rest)[0];
  if (unexpected !== undefined) throw invalidPolicy(`Unexpected: '${unexpected.toLowerCase()}'`);
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  if (typeof expiration !== 'string' || !EXPIRATION.test(expiration) || Number.isNaN(Date.parse(expiration))) {
    throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  return { expiration: Date.parse(expiration), conditions: conditions.map(condition) };
}

function condition(c: unknown): Condition {
  if (Array.isArray(c)) {
    if (c.length === 0) throw invalidPolicy('Invalid Condition: missing operation identifier.');
    if (typeof c[0] !== 'string') throw invalidPolicy(INVALID_JSON);
    const op = c[0].toLowerCase();
    if (op !== 'eq' && op !== 'starts-with' && op !== 'content-length-range')
      throw invalidPolicy(`Invalid Condition: unknown operation '${c[0]}'.`);
    if (c.length !== 3) throw invalidPolicy(`Invalid ${op}: wrong number of arguments.`);
    if (op === 'content-length-range') {
      const [min, max] = [bound(c[1]), bound(c[2])];
      return { op, min, max, source: c };
    }
    if (typeof c[1] !== 'string' || typeof c[2] !== 'string') throw invalidPolicy(INVALID_JSON);
    return { op, field: c[1], value: c[2], source: c };
  }
  if (typeof c === 'object' && c !== null) {
    const entries = Object.entries(c);
    if (entries.length !== 1) throw invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [name, value] = entries[0];
    if (value === null) throw invalidPolicy(INVALID_JSON);
    if (typeof value !== 'string') throw invalidPolicy('Invalid Simple-Condition: value must be a string.');
    // S3 reports a simple condition as the `eq` it stands for
    return { op: 'eq', field: `$${name}`, value, source: ['eq', `$${name}`, value] };
  }
  throw invalidPolicy('Invalid condition test: must be a List or Object.');
}

/** A content-length-range bound: an integer or a string of digits; anything else fails the condition (undefined). */
function bound(v: unknown): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw invalidPolicy(INVALID_JSON);
    if (v < 0) throw invalidPolicy('Invalid content-length-range: bounds must not be negative.');
    return v;
  }
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (typeof v === 'string') return undefined;
  throw invalidPolicy(INVALID_JSON);
}

/** `["eq", "$key", "a"]` as S3 prints a failed condition: JSON, items separated by ", ". */
const printed = (c: Condition) => `[${c.source.map((v) => JSON.stringify(v)).join(', ')}]`;

/** Fields no condition needs to cover. */
const exempt = (name: string, sigV2: boolean) =>
  name === 'x-amz-signature' ||
  name === 'file' ||
  name === 'policy' ||
  name.startsWith('x-ignore-') ||
  (sigV2 && (name === 'awsaccesskeyid' || name === 'signature'));

/**
 * Judges the form against the policy: every condition holds (the bucket is the one posted to),
 * every field is covered by one. Returns the size range the file must then fall in.
 * @param fields lowercased name → value (repeated fields joined by commas, as S3 does)
 * @param order the field names as sent, in form order
 */
export function checkConditions(
  policy: PolicyDocument,
  bucket: string,
  fields: Map<string, string>,
  order: string[],
  sigV2: boolean,
): SizeRange {
  const range: SizeRange = { min: 0, max: Infinity };
  const covered = new Set<string>();
  for (const c of policy.conditions) {
    if (c.op === 'content-length-range') {
      if (c.min === undefined || c.max === undefined) throw denied(`Policy Condition failed: ${printed(c)}`);
      range.min = Math.max(range.min, c.min);
      range.max = Math.min(range.max, c.max);
      continue;
    }
    const name = c.field.startsWith('$') ? c.field.slice(1).toLowerCase() : undefined;
    if (name !== undefined) covered.add(name);
    const actual = name === 'bucket' ? bucket : name === undefined ? undefined : fields.get(name);
    if (actual === undefined || !holds(c.op, name!, actual, c.value)) throw denied(`Policy Condition failed: ${printed(c)}`);
  }
  const extra = order.find((n) => !exempt(n.toLowerCase(), sigV2) && !covered.has(n.toLowerCase()));
  if (extra !== undefined) throw denied(`Extra input fields: ${extra}`);
  return range;
}

function holds(op: 'eq' | 'starts-with', name: string, actual: string, expected: string): boolean {
  if (op === 'eq') return actual === expected;
  // a Content-Type may list several types: each must start with the prefix
  if (name === 'content-type') return actual.split(',').every((t) => t.trim().startsWith(expected));
  return actual.startsWith(expected);
}

/** S3's answers for a file outside the policy's content-length-range. */
export function checkSize(size: number, range: SizeRange): void {
  if (size > range.max) {
    throw new ServiceError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
      ProposedSize: size,
      MaxSizeAllowed: range.max,
    });
  }
  if (size < range.min) {
    throw new ServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
      ProposedSize: size,
      MinSizeAllowed: range.min,
    });
  }
}

/** Whether the policy is past its expiration at virtual time `nowMs`; `shiftMs` maps the client's clock onto virtual time. */
export function checkExpiration(policy: PolicyDocument, nowMs: number, shiftMs: number): void {
  if (nowMs > policy.expiration + shiftMs) throw denied('Policy expired.');
}
