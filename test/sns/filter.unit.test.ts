// Filter policy evaluation and validation, every operator SNS documents, without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilterPolicy, matchesAttributes, matchesBody } from '../../src/services/sns/filter.js';
import { ServiceError } from '../../src/services/errors.js';

const attrs = (o: Record<string, string | number | string[] | Buffer>) =>
  Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k,
      Buffer.isBuffer(v)
        ? { DataType: 'Binary', BinaryValue: v }
        : Array.isArray(v)
          ? { DataType: 'String.Array', StringValue: JSON.stringify(v) }
          : typeof v === 'number'
            ? { DataType: 'Number', StringValue: String(v) }
            : { DataType: 'String', StringValue: v },
    ]),
  );

const onAttrs = (policy: object, a: Record<string, string | number | string[] | Buffer>) =>
  matchesAttributes(parseFilterPolicy(JSON.stringify(policy), 'MessageAttributes', '')!, attrs(a));
const onBody = (policy: object, body: unknown) =>
  matchesBody(parseFilterPolicy(JSON.stringify(policy), 'MessageBody', '')!, typeof body === 'string' ? body : JSON.stringify(body));

function invalid(policy: unknown, message: string, scope: 'MessageAttributes' | 'MessageBody' = 'MessageAttributes') {
  assert.throws(
    () => parseFilterPolicy(typeof policy === 'string' ? policy : JSON.stringify(policy), scope, 'Invalid parameter: '),
    (e: ServiceError) => {
      assert.equal(e.code, 'InvalidParameter');
      assert.equal(e.message, message);
      return true;
    },
  );
}

test('exact string values: any listed value matches, String.Array elements count one by one', () => {
  const p = { customer_interests: ['rugby', 'tennis'] };
  assert.ok(onAttrs(p, { customer_interests: 'rugby' }));
  assert.ok(onAttrs(p, { customer_interests: ['baseball', 'tennis'] }));
  assert.ok(!onAttrs(p, { customer_interests: 'baseball' }));
  assert.ok(!onAttrs(p, { other: 'rugby' }));
  assert.ok(!onAttrs(p, { customer_interests: 'Rugby' }), 'case-sensitive');
});

test('every key of the policy must match (AND); attributes not in the policy are ignored', () => {
  const p = { store: ['example_corp'], event: ['order_placed'] };
  assert.ok(onAttrs(p, { store: 'example_corp', event: 'order_placed', extra: 'x' }));
  assert.ok(!onAttrs(p, { store: 'example_corp', event: 'order_cancelled' }));
});

test('numeric exact and ranges, on Number attributes and body numbers', () => {
  assert.ok(onAttrs({ price: [{ numeric: ['=', 301.5] }] }, { price: 301.5 }));
  assert.ok(
    onAttrs({ price: [{ numeric: ['=', 301.5] }] }, { price: '3.015e2' as never as number }) === false,
    'a String attribute is not numeric',
  );
  assert.ok(
    matchesAttributes(parseFilterPolicy('{"price":[{"numeric":["=",301.5]}]}', 'MessageAttributes', '')!, {
      price: { DataType: 'Number', StringValue: '3.015e2' },
    }),
  );
  const range = { price: [{ numeric: ['>', 0, '<=', 150] }] };
  assert.ok(onAttrs(range, { price: 150 }));
  assert.ok(!onAttrs(range, { price: 0 }));
  assert.ok(!onAttrs(range, { price: 150.1 }));
  assert.ok(onAttrs({ price: [100] }, { price: 100 }));
  assert.ok(onBody({ price: [{ numeric: ['<', 0] }] }, { price: -3 }));
  assert.ok(!onBody({ price: [{ numeric: ['<', 0] }] }, { price: '-3' }));
});

test('anything-but: single value, list of strings or numbers, prefix and suffix', () => {
  assert.ok(onAttrs({ c: [{ 'anything-but': ['rugby', 'tennis'] }] }, { c: 'baseball' }));
  assert.ok(!onAttrs({ c: [{ 'anything-but': ['rugby', 'tennis'] }] }, { c: 'rugby' }));
  assert.ok(!onAttrs({ c: [{ 'anything-but': ['rugby', 'tennis'] }] }, { other: 'x' }), 'the key must exist');
  assert.ok(
    !onAttrs({ c: [{ 'anything-but': ['rugby'] }] }, { c: ['rugby', 'baseball'] }),
    'String.Array: none of the elements may be listed',
  );
  assert.ok(onAttrs({ c: [{ 'anything-but': 'rugby' }] }, { c: 'golf' }));
  assert.ok(onAttrs({ p: [{ 'anything-but': [100, 500] }] }, { p: 101 }));
  assert.ok(!onAttrs({ p: [{ 'anything-but': [100, 500] }] }, { p: 100 }));
  assert.ok(onAttrs({ c: [{ 'anything-but': { prefix: 'bas' } }] }, { c: 'rugby' }));
  assert.ok(!onAttrs({ c: [{ 'anything-but': { prefix: 'bas' } }] }, { c: 'baseball' }));
  assert.ok(!onAttrs({ c: [{ 'anything-but': { suffix: 'ball' } }] }, { c: 'baseball' }));
  assert.ok(onBody({ c: [{ 'anything-but': ['rugby'] }] }, { c: 'chess' }));
});

test('prefix, suffix, equals-ignore-case', () => {
  assert.ok(onAttrs({ c: [{ prefix: 'bas' }] }, { c: 'basketball' }));
  assert.ok(!onAttrs({ c: [{ prefix: 'bas' }] }, { c: 'rugby' }));
  assert.ok(onAttrs({ c: [{ suffix: 'ball' }] }, { c: 'baseball' }));
  assert.ok(!onAttrs({ c: [{ suffix: 'ball' }] }, { c: 'rugby' }));
  assert.ok(onAttrs({ c: [{ 'equals-ignore-case': 'TENNIS' }] }, { c: 'tennis' }));
  assert.ok(onBody({ c: [{ 'equals-ignore-case': 'TENNIS' }] }, { c: 'TeNnIs' }));
});

test('exists true and false, and anything-but combined with exists false', () => {
  assert.ok(onAttrs({ store: [{ exists: true }] }, { store: 'x' }));
  assert.ok(!onAttrs({ store: [{ exists: true }] }, { other: 'x' }));
  assert.ok(onAttrs({ store: [{ exists: false }] }, { other: 'x' }));
  assert.ok(!onAttrs({ store: [{ exists: false }] }, { store: 'x' }));
  assert.ok(onAttrs({ store: [{ exists: true }] }, { store: Buffer.from('b') }), 'a Binary attribute exists');
  const p = { c: [{ 'anything-but': 'rugby' }, { exists: false }] };
  assert.ok(onAttrs(p, {}));
  assert.ok(onAttrs(p, { c: 'golf' }));
  assert.ok(!onAttrs(p, { c: 'rugby' }));
  assert.ok(onBody({ a: { b: [{ exists: true }] } }, { a: { b: null } }));
});

test('cidr: IPv4 and IPv6 source addresses', () => {
  assert.ok(onAttrs({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' }));
  assert.ok(!onAttrs({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' }));
  assert.ok(!onAttrs({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: 'not an ip' }));
  assert.ok(onBody({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::1' }));
});

test('$or: alternatives at the top level and inside nested body keys', () => {
  const p = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] };
  assert.ok(onAttrs(p, { source: 'aws.cloudwatch', metricName: 'CPUUtilization' }));
  assert.ok(onAttrs(p, { source: 'aws.cloudwatch', namespace: 'AWS/EC2' }));
  assert.ok(!onAttrs(p, { source: 'aws.cloudwatch', namespace: 'AWS/S3' }));
  assert.ok(!onAttrs(p, { source: 'other', namespace: 'AWS/EC2' }));
  const body = { detail: { $or: [{ state: ['running'] }, { code: [{ numeric: ['>', 10] }] }] } };
  assert.ok(onBody(body, { detail: { code: 11 } }));
  assert.ok(!onBody(body, { detail: { state: 'stopped', code: 5 } }));
});

test('body scope: nested keys, arrays of values and of objects, non-JSON bodies never match', () => {
  const p = { store: ['example_corp'], order: { items: { sku: [{ prefix: 'A-' }] } } };
  assert.ok(onBody(p, { store: 'example_corp', order: { items: [{ sku: 'B-1' }, { sku: 'A-2' }] } }));
  assert.ok(!onBody(p, { store: 'example_corp', order: { items: [{ sku: 'B-1' }] } }));
  assert.ok(onBody({ tags: ['x'] }, { tags: ['y', 'x'] }));
  assert.ok(onBody({ flag: [true] }, { flag: true }));
  assert.ok(onBody({ v: [null] }, { v: null }));
  assert.ok(!onBody({ a: ['b'] }, 'plain text'));
  assert.ok(!onBody({ a: ['b'] }, '["b"]'));
});

test('validation: the texts SNS answers with', () => {
  invalid('{"a": ', 'Invalid parameter: FilterPolicy: failed to parse JSON.');
  invalid({ a: [] }, 'Invalid parameter: FilterPolicy: Empty arrays are not allowed');
  invalid({ a: 'x' }, 'Invalid parameter: FilterPolicy: "a" must be an object or an array');
  invalid(
    { a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] },
    'Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys',
  );
  invalid({ a: { b: ['x'] } }, 'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
  invalid({ a: [{ prefix: 1 }] }, 'Invalid parameter: FilterPolicy: prefix match pattern must be a string');
  invalid({ a: [{ exists: 'yes' }] }, 'Invalid parameter: FilterPolicy: exists match pattern must be either true or false.');
  invalid({ a: [{ foo: 'x' }] }, 'Invalid parameter: FilterPolicy: Unrecognized match type foo');
  invalid({ a: [{ prefix: 'a', suffix: 'b' }] }, 'Invalid parameter: FilterPolicy: Only one key allowed in match expression');
  invalid({ a: [{ numeric: ['>', 'x'] }] }, 'Invalid parameter: FilterPolicy: Value of > must be numeric');
  invalid({ a: [{ numeric: ['!', 1] }] }, 'Invalid parameter: FilterPolicy: Unrecognized numeric range operator: !');
  invalid({ a: [{ numeric: ['>', 5, '<', 1] }] }, 'Invalid parameter: FilterPolicy: Bottom must be less than top');
  invalid({ a: [{ numeric: ['<', 5, '>', 1] }] }, 'Invalid parameter: FilterPolicy: Too many elements in numeric expression');
  invalid({ a: [{ cidr: '10.0.0.0' }] }, "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required");
  invalid({ a: [{ cidr: '10.0.0.300/8' }] }, 'Invalid parameter: FilterPolicy: Nonstandard IP address: 10.0.0.300');
  invalid({ a: [{ 'anything-but': { wildcard: 'x*' } }] }, 'Invalid parameter: FilterPolicy: Unsupported anything-but pattern: wildcard');
  invalid({ a: [['x']] }, 'Invalid parameter: FilterPolicy: Match value must be String, number, true, false, or null');
  // 151 combinations: 151 values in one key
  invalid({ a: Array.from({ length: 151 }, (_, i) => i) }, 'Invalid parameter: FilterPolicy: Filter policy is too complex');
  // nested keys count their depth: 4 values at depth 3 × 3 values at depth 2 × ... = 72, fine; × more is not
  assert.ok(
    parseFilterPolicy(JSON.stringify({ key_a: { key_b: { key_c: [1, 2, 3, 4] } }, key_d: { key_e: [1, 2, 3] } }), 'MessageBody', ''),
  );
  invalid(
    { a: { b: { c: Array.from({ length: 51 }, (_, i) => i) } } },
    'Invalid parameter: FilterPolicy: Filter policy is too complex',
    'MessageBody',
  );
  assert.equal(parseFilterPolicy('{}', 'MessageAttributes', ''), undefined);
});
