// Flow log record formats: the default v2 line, a custom format's version, unknown fields refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FORMAT, formatFields, formatRecord } from '../../src/services/ec2/flowlogs.js';

const values = {
  'account-id': '000000000000',
  'interface-id': 'eni-1',
  srcaddr: '10.0.0.1',
  dstaddr: '10.0.0.2',
  srcport: 4000,
  dstport: 80,
  protocol: 6,
  packets: 2,
  bytes: 100,
  start: 1,
  end: 2,
  action: 'ACCEPT',
  'log-status': 'OK',
  'vpc-id': 'vpc-1',
  region: 'us-east-1',
};

test('the default format is version 2, its fields in order', () => {
  assert.equal(formatRecord(DEFAULT_FORMAT, values), '2 000000000000 eni-1 10.0.0.1 10.0.0.2 4000 80 6 2 100 1 2 ACCEPT OK');
});

test('a custom format is the version of its newest field; fields without a value are "-"', () => {
  assert.equal(formatRecord('${version} ${vpc-id} ${srcaddr}', values), '3 vpc-1 10.0.0.1');
  assert.equal(formatRecord('${version} ${region} ${az-id}', values), '4 us-east-1 -');
  assert.deepEqual(formatFields('${srcaddr}  ${dstaddr}'), ['srcaddr', 'dstaddr']);
  assert.throws(
    () => formatFields('${version} ${nope}'),
    (e: { code: string; message: string }) => e.code === 'InvalidParameter' && /nope/.test(e.message),
  );
});
