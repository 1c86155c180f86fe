// IPv4 CIDR arithmetic for VPCs and subnets: parsing, containment, overlap, address allocation.

export interface Cidr {
  base: number; // network address as an unsigned 32-bit integer
  prefix: number;
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export const intToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** A CIDR block, or undefined when the text is none (host bits set are allowed; they are masked off). */
export function parseCidr(text: string | undefined): Cidr | undefined {
  if (!text) return undefined;
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const ip = ipToInt(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 32) return undefined;
  return { base: prefix === 0 ? 0 : (ip & mask(prefix)) >>> 0, prefix };
}

const mask = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
export const cidrText = (c: Cidr) => `${intToIp(c.base)}/${c.prefix}`;
export const size = (c: Cidr) => 2 ** (32 - c.prefix);

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & mask(outer.prefix)) >>> 0 === outer.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

export function containsIp(c: Cidr, ip: number): boolean {
  return (ip & mask(c.prefix)) >>> 0 === c.base;
}

/** Usable addresses of a subnet: AWS reserves the first four and the last one. */
export const usableCount = (c: Cidr) => Math.max(0, size(c) - 5);

/** The first free usable address of a subnet from `from` on, given those in use; undefined when it is full. */
export function allocateIp(c: Cidr, used: Set<string>, from = c.base + 4): string | undefined {
  const last = c.base + size(c) - 2;
  for (let n = Math.max(from, c.base + 4); n <= last; n++) {
    const ip = intToIp(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** What is wrong with a VPC's IPv4 block (AWS allows /16 to /28), as an EC2 error code and message. */
export function vpcCidrProblem(text: string | undefined): [code: string, message: string] | undefined {
  const c = parseCidr(text);
  if (!c) return ['InvalidParameterValue', `Value (${text}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`];
  if (c.prefix < 16 || c.prefix > 28) return ['InvalidVpc.Range', `The CIDR '${text}' is invalid.`];
  return undefined;
}
