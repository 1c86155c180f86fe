// VPC flow logs for the traffic load balancers forward: each request an instance target answers (ALB),
// each TCP connection to one (NLB, listener-ports.ts), is reported to EC2 (rt.integrations.ec2.recordFlow) as two
// flows at the instance's network interface, in from the load balancer's node (or the client) and out
// back to it, with the bytes each carried, once the exchange is over. The node's address is one near
// the top of the load balancer's subnet in the target's zone (ELB's own network interfaces are not modelled).
import { createHash, randomInt } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { HttpResponse, Runtime } from '../../kit.js';
import type { LbRecord, Where } from './store.js';
import type { Instance } from './health.js';

/** The address a load balancer's node in a zone has in its subnet there, or undefined when EC2 does not know the subnet. */
export async function nodeAddress(rt: Runtime, w: Where, lb: LbRecord, zone: string | undefined): Promise<string | undefined> {
  const subnet = lb.subnets.find((x) => x.ZoneName === zone) ?? lb.subnets[0];
  if (!subnet) return undefined;
  const cache = rt.shared('elbv2/node-addresses', () => new Map<string, string>());
  const key = `${lb.arn}|${subnet.SubnetId}`;
  const known = cache.get(key);
  if (known) return known;
  const found = await rt
    .invoke<{ Subnets?: { CidrBlock?: string }[] }>('ec2', 'DescribeSubnets', { SubnetIds: [subnet.SubnetId] }, w)
    .catch(() => undefined);
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(found?.Subnets?.[0]?.CidrBlock ?? '');
  if (!m) return undefined;
  const base = ((+m[1] << 24) | (+m[2] << 16) | (+m[3] << 8) | +m[4]) >>> 0;
  const size = 2 ** (32 - +m[5]);
  // instances take addresses from the bottom of a subnet; nodes take one of the top ones (the last is reserved)
  const offset = createHash('sha1').update(lb.arn).digest().readUInt32BE(0) % Math.max(1, Math.min(64, size / 4));
  const n = base + size - 2 - offset;
  const address = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  cache.set(key, address);
  return address;
}

const headBytes = (first: string, headers: Record<string, string | string[] | undefined>) =>
  Buffer.byteLength(first) +
  Object.entries(headers).reduce((n, [k, v]) => n + [v ?? []].flat().reduce((m, x) => m + Buffer.byteLength(`${k}: ${x}\r\n`), 0), 0) +
  2;

export interface Carried {
  w: Where;
  lb: LbRecord;
  instance: Instance;
  /** the target's port */
  port: number;
  method: string;
  target: string;
  headers: Record<string, string>;
  body: Buffer;
  /** when the request was sent (virtual ms) */
  start: number;
}

/** One connection's two flows at an instance target's interface: in from `peer`, out back to it. */
export interface Pair {
  w: Where;
  instanceId: string;
  /** the instance's private address and port */
  own: string;
  port: number;
  /** the other end: the load balancer's node, or the client when the load balancer preserves its address */
  peer: string;
  peerPort: number;
  sent: number;
  received: number;
  start: number;
  end: number;
}

export function recordPair(rt: Runtime, p: Pair): void {
  const record = rt.integrations.ec2?.recordFlow;
  if (!record) return;
  const { account, region } = p.w;
  const flow = { instanceId: p.instanceId, start: p.start, end: p.end };
  record(account, region, { ...flow, srcAddr: p.peer, srcPort: p.peerPort, dstAddr: p.own, dstPort: p.port, bytes: p.sent });
  record(account, region, {
    ...flow,
    srcAddr: p.own,
    srcPort: p.port,
    dstAddr: p.peer,
    dstPort: p.peerPort,
    bytes: p.received,
    direction: 'egress',
  });
}

/** The address of the load balancer's node in an instance's zone, when flows can be recorded for it. */
export async function flowPeer(rt: Runtime, w: Where, lb: LbRecord, instance: Instance): Promise<string | undefined> {
  if (!rt.integrations.ec2?.recordFlow || !instance.PrivateIpAddress) return undefined;
  return nodeAddress(rt, w, lb, instance.Placement?.AvailabilityZone);
}

/** The target's answer, counted as it streams back; its two flows are recorded once it has been sent. */
export async function withFlows(rt: Runtime, c: Carried, res: HttpResponse): Promise<HttpResponse> {
  // only an answer the target gave (a stream) was carried; ELB's own pages were not
  if (!(res.body instanceof Readable)) return res;
  const node = await flowPeer(rt, c.w, c.lb, c.instance);
  if (!node) return res;
  const sent = headBytes(`${c.method} ${c.target} HTTP/1.1\r\n`, c.headers) + c.body.length;
  let received = headBytes(`HTTP/1.1 ${res.status}\r\n`, res.headers);
  const pair = { w: c.w, instanceId: c.instance.InstanceId, own: c.instance.PrivateIpAddress!, port: c.port, start: c.start };
  const peerPort = randomInt(1024, 65536);
  const source = res.body;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      recordPair(rt, { ...pair, peer: node, peerPort, sent, received, end: rt.clock.nowMs() });
      done();
    },
  });
  source.on('error', (e) => counter.destroy(e));
  return { ...res, body: source.pipe(counter) };
}
