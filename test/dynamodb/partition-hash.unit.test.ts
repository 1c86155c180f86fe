// Partition placement: DynamoDB's binary number form (what the hash reads), the hash prefix every
// stored key starts with, and the slices of the hash space parallel Scan segments cover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { numberBytes, parseDecimal } from '../../src/services/dynamodb/numbers.js';
import { itemKey, partitionHash, partitionPrefix } from '../../src/services/dynamodb/keys.js';
import { segmentRange } from '../../src/services/dynamodb/query.js';

const hex = (n: string) => numberBytes(parseDecimal(n)).toString('hex');

test("numbers in DynamoDB's binary form: base-100 pairs after an exponent byte, negatives complemented", () => {
  assert.equal(hex('0'), '80');
  assert.equal(hex('1'), 'c102');
  assert.equal(hex('100'), 'c202');
  assert.equal(hex('123.4'), 'c2021829');
  assert.equal(hex('0.05'), 'c006');
  assert.equal(hex('-5'), '3e6066');
  assert.equal(hex('-123.4'), '3d644e3d66');
  // the same number however written: the same bytes, so the same partition
  assert.equal(hex('1.50'), hex('15e-1'));
});

test("a stored key starts with its partition's hash; one partition shares one prefix", () => {
  const def = { hash: 'pk', hashType: 'S' as const, range: 'sk', rangeType: 'N' as const };
  const h = partitionHash({ S: 'user-1' });
  assert.match(h, /^[0-9a-f]{8}$/);
  assert.ok(itemKey(def, { pk: { S: 'user-1' }, sk: { N: '5' } }).startsWith(partitionPrefix({ S: 'user-1' })));
  assert.ok(partitionPrefix({ S: 'user-1' }).startsWith(h));
  assert.notEqual(partitionHash({ S: 'user-2' }), h);
  assert.equal(partitionHash({ N: '10' }), partitionHash({ N: '1e1' }));
  assert.equal(partitionHash({ B: Buffer.from('user-1') }), h, 'the bytes are hashed, whatever their type');
});

test('segments are equal slices of the hash space, together the whole of it', () => {
  assert.deepEqual(segmentRange(0, 1), {});
  assert.deepEqual(segmentRange(0, 4), { before: '40000000' });
  assert.deepEqual(segmentRange(1, 4), { from: '40000000', before: '80000000' });
  assert.deepEqual(segmentRange(3, 4), { from: 'c0000000' });
  for (const n of [3, 7, 1000]) {
    for (let s = 1; s < n; s++) assert.equal(segmentRange(s - 1, n).before, segmentRange(s, n).from);
  }
});
