// EC2's filter engine, pager and CIDR arithmetic as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFilters, page, wildcard } from '../../src/services/ec2/filters.js';
import { allocateIp, contains, overlaps, parseCidr, usableCount, vpcCidrProblem } from '../../src/services/ec2/cidr.js';

test('wildcards: * any run, ? one character, backslash escapes', () => {
  assert.ok(wildcard('web-*').test('web-01'));
  assert.ok(!wildcard('web-?').test('web-01'));
  assert.ok(wildcard('a\\*b').test('a*b'));
  assert.ok(!wildcard('a\\*b').test('axb'));
});

test('filters: values of one name are ORed, names are ANDed, tag filters read Tags', () => {
  const recs = [
    { id: 'a', state: 'running', Tags: [{ Key: 'Name', Value: 'web' }] },
    { id: 'b', state: 'stopped', Tags: [{ Key: 'Name', Value: 'db' }] },
    { id: 'c', state: 'running', Tags: [] },
  ];
  const fields = { state: (r: { state: string }) => r.state };
  assert.deepEqual(
    applyFilters(recs, [{ Name: 'state', Values: ['running', 'stopped'] }], fields).map((r) => r.id),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    applyFilters(
      recs,
      [
        { Name: 'state', Values: ['running'] },
        { Name: 'tag:Name', Values: ['w*'] },
      ],
      fields,
    ).map((r) => r.id),
    ['a'],
  );
  assert.deepEqual(
    applyFilters(recs, [{ Name: 'tag-key', Values: ['Name'] }], fields).map((r) => r.id),
    ['a', 'b'],
  );
  assert.throws(() => applyFilters(recs, [{ Name: 'nope', Values: ['x'] }], fields), /The filter 'nope' is invalid/);
});

test('paging: MaxResults bounds, opaque tokens, bad tokens refused', () => {
  const items = Array.from({ length: 12 }, (_, i) => i);
  const p1 = page(items, 5, undefined);
  assert.deepEqual(p1.items, [0, 1, 2, 3, 4]);
  const p3 = page(items, 5, page(items, 5, p1.NextToken).NextToken);
  assert.deepEqual(p3.items, [10, 11]);
  assert.equal(p3.NextToken, undefined);
  assert.throws(() => page(items, 4, undefined), /between 5 and 1000/);
  assert.throws(() => page(items, 5, 'garbage!'), /token/);
});

test('CIDRs: containment, overlap, reserved addresses, VPC size limits', () => {
  const vpc = parseCidr('10.0.0.0/16')!;
  assert.ok(contains(vpc, parseCidr('10.0.3.0/24')!));
  assert.ok(!contains(vpc, parseCidr('10.1.0.0/24')!));
  assert.ok(overlaps(parseCidr('10.0.1.0/24')!, parseCidr('10.0.1.128/25')!));
  assert.ok(!overlaps(parseCidr('10.0.1.0/24')!, parseCidr('10.0.2.0/24')!));
  assert.equal(usableCount(parseCidr('10.0.1.0/24')!), 251);
  assert.equal(allocateIp(parseCidr('10.0.1.0/24')!, new Set(['10.0.1.4'])), '10.0.1.5');
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('256.0.0.0/16'), undefined);
  assert.equal(vpcCidrProblem('10.0.0.0/8')?.[0], 'InvalidVpc.Range');
  assert.equal(vpcCidrProblem('10.0.0.0/16'), undefined);
});
