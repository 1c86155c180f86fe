// DynamoDB's Number: a decimal of at most 38 significant digits, magnitude 1E-130 .. 9.99…E+125.
// Held as sign, significant digits and exponent (value = 0.d1d2… × 10^exp), which gives both the
// normalised text DynamoDB returns and an order-preserving key encoding.
import { ServiceError } from '../errors.js';

export interface Decimal {
  neg: boolean;
  /** significant digits, no leading or trailing zeros; '' for zero */
  digits: string;
  exp: number;
}

const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const invalid = (message: string) => new ServiceError('ValidationException', message);

export function parseDecimal(text: string): Decimal {
  const m = NUMBER.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw invalid(`The parameter cannot be converted to a numeric value: ${text}`);
  const all = m[2] + (m[3] ?? '');
  const lead = all.length - all.replace(/^0+/, '').length;
  const digits = all.slice(lead).replace(/0+$/, '');
  if (!digits) return { neg: false, digits: '', exp: 0 };
  const exp = m[2].length - lead + Number(m[4] ?? 0);
  return check({ neg: m[1] === '-', digits, exp });
}

function check(d: Decimal): Decimal {
  if (d.digits.length > 38) throw invalid('Attempting to store more than 38 significant digits in a Number');
  if (d.exp > 126) throw invalid('Number overflow. Attempting to store a number with magnitude larger than supported range');
  if (d.exp < -129) throw invalid('Number underflow. Attempting to store a number with magnitude smaller than supported range');
  return d;
}

/** The plain (never exponential) text DynamoDB answers with: "1.50" → "1.5", "1e3" → "1000". */
export function formatDecimal(d: Decimal): string {
  if (!d.digits) return '0';
  const { digits, exp } = d;
  let s: string;
  if (exp <= 0) s = '0.' + '0'.repeat(-exp) + digits;
  else if (exp >= digits.length) s = digits + '0'.repeat(exp - digits.length);
  else s = digits.slice(0, exp) + '.' + digits.slice(exp);
  return (d.neg ? '-' : '') + s;
}

export const normaliseNumber = (text: string): string => formatDecimal(parseDecimal(text));

/** Order-preserving text: '0' negatives (exponent and digits complemented, '~' ends), '1' zero, '2' positives. */
export function encodeDecimal(d: Decimal): string {
  if (!d.digits) return '1';
  const e = String(d.exp + 200).padStart(3, '0');
  if (!d.neg) return '2' + e + d.digits;
  let comp = '';
  for (let i = 0; i < d.digits.length; i++) comp += String(9 - (d.digits.charCodeAt(i) - 48));
  return '0' + String(999 - (d.exp + 200)).padStart(3, '0') + comp + '~';
}

export const encodeNumber = (text: string): string => encodeDecimal(parseDecimal(text));

/**
 * DynamoDB's binary form of a number (what its partition hash reads): an exponent byte (base 100,
 * offset 64, the sign in the top bit, complemented for negatives), then the digits in pairs aligned
 * on the decimal point, each pair + 1 (101 − pair for negatives, which end with 102 when short).
 */
export function numberBytes(d: Decimal): Buffer {
  if (!d.digits) return Buffer.from([0x80]);
  const odd = ((d.exp % 2) + 2) % 2 === 1;
  let digits = (odd ? '0' : '') + d.digits;
  if (digits.length % 2) digits += '0';
  const pairs = digits.length / 2;
  const head = (d.exp + (odd ? 1 : 0)) / 2 - 64;
  const out = [(d.neg ? ~head : head) & 0xff];
  for (let i = 0; i < pairs; i++) {
    const pair = Number(digits.slice(2 * i, 2 * i + 2));
    out.push(d.neg ? 101 - pair : pair + 1);
  }
  if (d.neg && pairs < 20) out.push(102);
  return Buffer.from(out);
}

function toScaled(d: Decimal): { v: bigint; scale: number } {
  if (!d.digits) return { v: 0n, scale: 0 };
  const scale = d.digits.length - d.exp; // value = digits × 10^-scale
  return { v: (d.neg ? -1n : 1n) * BigInt(d.digits), scale };
}

/** Exact a ± b, refused beyond 38 digits as DynamoDB does. */
export function addNumbers(a: string, b: string, subtract = false): string {
  const x = toScaled(parseDecimal(a));
  const y = toScaled(parseDecimal(b));
  const scale = Math.max(x.scale, y.scale);
  const xv = x.v * 10n ** BigInt(scale - x.scale);
  const yv = y.v * 10n ** BigInt(scale - y.scale);
  const sum = subtract ? xv - yv : xv + yv;
  const neg = sum < 0n;
  const abs = (neg ? -sum : sum).toString();
  const trimmed = abs.replace(/0+$/, '');
  if (trimmed === '') return '0';
  return formatDecimal(check({ neg, digits: trimmed, exp: abs.length - scale }));
}
