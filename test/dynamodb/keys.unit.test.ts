// The order-preserving key encodings and the decimal arithmetic, checked against reference orders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addNumbers, encodeNumber, normaliseNumber } from '../../src/services/dynamodb/numbers.js';
import { encodeValue } from '../../src/services/dynamodb/keys.js';
import { compareStrings } from '../../src/services/dynamodb/values.js';

/** A random decimal text: sign, up to 38 digits, an exponent within DynamoDB's range. */
function randomNumber(): string {
  const digits = Array.from({ length: 1 + Math.floor(Math.random() * 38) }, () => Math.floor(Math.random() * 10)).join('');
  const exp = Math.floor(Math.random() * 60) - 30;
  return `${Math.random() < 0.5 ? '-' : ''}${digits}e${exp}`;
}

/** Exact comparison through scaled BigInts. */
function exactCompare(a: string, b: string): number {
  const scaled = (s: string) => {
    const [m, e] = s.split('e');
    return BigInt(m) * 10n ** BigInt(Number(e) + 200);
  };
  const x = scaled(a),
    y = scaled(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

test('number encoding sorts as the numbers do (2,000 random decimals, 38 digits)', () => {
  const nums = Array.from({ length: 2000 }, randomNumber).concat(['0e0', '1e0', '-1e0', '10e0', '1e-1', '-10e0']);
  const byEncoding = [...nums].sort((a, b) => (encodeNumber(a) < encodeNumber(b) ? -1 : encodeNumber(a) > encodeNumber(b) ? 1 : 0));
  for (let i = 1; i < byEncoding.length; i++)
    assert.ok(exactCompare(byEncoding[i - 1], byEncoding[i]) <= 0, `${byEncoding[i - 1]} before ${byEncoding[i]}`);
  for (const n of nums.slice(0, 200)) assert.equal(encodeNumber(n), encodeNumber(normaliseNumber(n)));
});

test('number normalisation and exact arithmetic', () => {
  assert.equal(normaliseNumber('-0.000'), '0');
  assert.equal(normaliseNumber('+12.3400e2'), '1234');
  assert.equal(normaliseNumber('1E-5'), '0.00001');
  assert.equal(addNumbers('0.1', '0.2'), '0.3');
  assert.equal(addNumbers('1', '1', true), '0');
  assert.equal(addNumbers('99999999999999999999999999999999999999', '-1'), '99999999999999999999999999999999999998');
  assert.throws(() => addNumbers('99999999999999999999999999999999999999', '0.1'), /38 significant digits/);
});

test('string keys sort by UTF-8 bytes, which JS string order is not', () => {
  const cps = [0x41, 0x7f, 0xe9, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xff61, 0xffff, 0x10000, 0x1f600, 0x10ffff];
  const strs = Array.from({ length: 500 }, () =>
    String.fromCodePoint(...Array.from({ length: 1 + Math.floor(Math.random() * 4) }, () => cps[Math.floor(Math.random() * cps.length)])),
  );
  const utf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const enc = (s: string) => encodeValue({ S: s });
  const sorted = [...strs].sort(utf8);
  assert.deepEqual(
    [...strs].sort((a, b) => Math.sign(compareStrings(a, b))),
    sorted,
  );
  assert.deepEqual(
    [...strs].sort((a, b) => (enc(a) < enc(b) ? -1 : enc(a) > enc(b) ? 1 : 0)),
    sorted,
  );
  assert.ok('\uff61' > '\u{1F600}', 'JS orders UTF-16 code units');
  assert.ok(compareStrings('\uff61', '\u{1F600}') < 0, 'DynamoDB orders code points');
});

test('number sizes: base-100 digit pairs aligned on the decimal point, zero pairs at either end dropped, plus one', async () => {
  const { valueSize } = await import('../../src/services/dynamodb/values.js');
  const size = (n: string) => valueSize({ N: n });
  assert.equal(size('1'), 2);
  assert.equal(size('1000'), 2);
  assert.equal(size('1234'), 3);
  assert.equal(size('12345'), 4);
  assert.equal(size('123.4'), 4);
  assert.equal(size('0.001'), 2);
  assert.equal(size('12345678901234567890123456789012345678'), 20);
});
