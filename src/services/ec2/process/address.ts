// Where an instance in process mode listens: its own loopback address, 127.x.y.z taken from the
// last three octets of its private IP (Linux routes all of 127.0.0.0/8 to the loopback interface
// with no configuration), so two instances can both listen on port 80 or 8080. When another
// instance (of another VPC, account or region) already holds that address, the next free one of
// 127.254.0.0/16 is given instead. Other systems route only 127.0.0.1: every instance shares it.

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
