// Where an instance in process mode listens: its own loopback address, 127.x.y.z taken from the
// last three octets of its private IP (Linux routes all of 127.0.0.0/8 to the loopback interface
// with no configuration), so two instances can both listen on port 80 or 8080. When another
// instance (of another VPC, account or region, or of another Nimbus on this machine: something
// already listens on it) holds that address, the next free one of 127.254.0.0/16 is given instead.
// Other systems route only 127.0.0.1: every instance shares it.
import { readFileSync } from 'node:fs';

const RESERVED = new Set(['127.0.0.0', '127.0.0.1', '127.255.255.255']);

export function loopbackFor(privateIp: string | undefined, taken: ReadonlySet<string>, platform: string = process.platform): string {
  if (platform !== 'linux') return '127.0.0.1';
  const octets = (privateIp ?? '').split('.');
  if (octets.length === 4) {
    const derived = `127.${octets.slice(1).join('.')}`;
    if (!RESERVED.has(derived) && !taken.has(derived)) return derived;
  }
  for (let n = 1; n < 0xfffe; n++) {
    const candidate = `127.254.${n >> 8}.${n & 0xff}`;
    if (!taken.has(candidate)) return candidate;
  }
  throw new Error('no free loopback address left');
}

/** The loopback addresses with a listening TCP socket, from the text of Linux's /proc/net/tcp. */
export function listenersIn(procNetTcp: string): Set<string> {
  const found = new Set<string>();
  for (const line of procNetTcp.split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state !== '0A' || !local) continue; // 0A: LISTEN
    const hex = local.split(':')[0];
    const ip = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.'); // little-endian
    if (ip.startsWith('127.')) found.add(ip);
  }
  return found;
}

/** Loopback addresses something on this machine listens on (empty off Linux). */
export function listeningLoopbacks(): Set<string> {
  try {
    return listenersIn(readFileSync('/proc/net/tcp', 'utf8'));
  } catch {
    return new Set();
  }
}
