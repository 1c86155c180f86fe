// ECDSA over a precomputed digest (KMS's MessageType DIGEST), which node:crypto cannot sign or
// verify directly: scalar multiples of the generator come from node's ECDH, the rest is BigInt
// arithmetic modulo the curve's prime and order. Signatures are DER (r, s) as KMS returns them.
import { createECDH, randomBytes } from 'node:crypto';

interface Curve {
  name: string;
  p: bigint;
  a: bigint;
  n: bigint;
  bytes: number;
}

const hex = (s: string) => BigInt('0x' + s);
export const EC_CURVES: Record<string, Curve> = {
  prime256v1: {
    name: 'prime256v1',
    p: hex('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
    a: -3n,
    n: hex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
    bytes: 32,
  },
  secp384r1: {
    name: 'secp384r1',
    p: hex('fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff'),
    a: -3n,
    n: hex('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
    bytes: 48,
  },
  secp521r1: {
    name: 'secp521r1',
    p: (1n << 521n) - 1n,
    a: -3n,
    n: hex(
      '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
    ),
    bytes: 66,
  },
  secp256k1: {
    name: 'secp256k1',
    p: hex('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f'),
    a: 0n,
    n: hex('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'),
    bytes: 32,
  },
};

type Point = { x: bigint; y: bigint } | null;
const mod = (v: bigint, m: bigint) => ((v % m) + m) % m;
function inv(v: bigint, m: bigint): bigint {
  let [a, b, x0, x1] = [mod(v, m), m, 1n, 0n];
  while (b) {
    const q = a / b;
    [a, b, x0, x1] = [b, a - q * b, x1, x0 - q * x1];
  }
  return mod(x0, m);
}
const toInt = (b: Buffer) => (b.length ? BigInt('0x' + b.toString('hex')) : 0n);
const toBuf = (v: bigint, len: number) => Buffer.from(v.toString(16).padStart(len * 2, '0'), 'hex');

function add(c: Curve, P: Point, Q: Point): Point {
  if (!P) return Q;
  if (!Q) return P;
  if (P.x === Q.x && mod(P.y + Q.y, c.p) === 0n) return null;
  const l =
    P.x === Q.x && P.y === Q.y ? mod((3n * P.x * P.x + c.a) * inv(2n * P.y, c.p), c.p) : mod((Q.y - P.y) * inv(Q.x - P.x, c.p), c.p);
  const x = mod(l * l - P.x - Q.x, c.p);
  return { x, y: mod(l * (P.x - x) - P.y, c.p) };
}

function mul(c: Curve, k: bigint, P: Point): Point {
  let R: Point = null;
  for (let Q = P; k > 0n; k >>= 1n, Q = add(c, Q, Q)) if (k & 1n) R = add(c, R, Q);
  return R;
}

/** k·G through node's ECDH (k in [1, n-1]) */
function baseMul(c: Curve, k: bigint): Point {
  const ecdh = createECDH(c.name);
  ecdh.setPrivateKey(toBuf(k, c.bytes));
  const pub = ecdh.getPublicKey();
  return { x: toInt(pub.subarray(1, 1 + c.bytes)), y: toInt(pub.subarray(1 + c.bytes)) };
}

/** the digest as an integer, cut to the bit length of the order */
function z(c: Curve, digest: Buffer): bigint {
  const nBits = c.n.toString(2).length;
  const v = toInt(digest);
  return digest.length * 8 > nBits ? v >> BigInt(digest.length * 8 - nBits) : v;
}

function derInt(v: bigint): Buffer {
  const h = v.toString(16);
  let b = Buffer.from(h.length % 2 ? '0' + h : h, 'hex');
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([0x02, b.length]), b]);
}
const derLen = (n: number) => (n < 128 ? Buffer.from([n]) : Buffer.from([0x81, n]));

export function signDigest(curve: string, d: bigint, digest: Buffer): Buffer {
  const c = EC_CURVES[curve];
  const e = z(c, digest);
  for (;;) {
    const k = mod(toInt(randomBytes(c.bytes + 8)), c.n - 1n) + 1n;
    const r = mod(baseMul(c, k)!.x, c.n);
    if (r === 0n) continue;
    const s = mod(inv(k, c.n) * (e + r * d), c.n);
    if (s === 0n) continue;
    const body = Buffer.concat([derInt(r), derInt(s)]);
    return Buffer.concat([Buffer.from([0x30]), derLen(body.length), body]);
  }
}

function parseDer(sig: Buffer): [bigint, bigint] | undefined {
  let i = 0;
  const len = () => {
    let n = sig[i++];
    if (n === 0x81) n = sig[i++];
    return n;
  };
  if (sig[i++] !== 0x30) return undefined;
  if (len() !== sig.length - i) return undefined;
  const out: bigint[] = [];
  for (let j = 0; j < 2; j++) {
    if (sig[i++] !== 0x02) return undefined;
    const n = len();
    if (!n || i + n > sig.length) return undefined;
    out.push(toInt(sig.subarray(i, i + n)));
    i += n;
  }
  return i === sig.length ? [out[0], out[1]] : undefined;
}

export function verifyDigest(curve: string, Q: { x: bigint; y: bigint }, digest: Buffer, sig: Buffer): boolean {
  const c = EC_CURVES[curve];
  const rs = parseDer(sig);
  if (!rs) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const w = inv(s, c.n);
  const u1 = mod(z(c, digest) * w, c.n);
  const u2 = mod(r * w, c.n);
  const X = add(c, u1 === 0n ? null : baseMul(c, u1), mul(c, u2, Q));
  return !!X && mod(X.x, c.n) === r;
}

export const b64uInt = (s: string) => toInt(Buffer.from(s, 'base64url'));
