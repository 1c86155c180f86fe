// Load balancer listeners on their own ports of 127.0.0.1 (where a load balancer's `*.elb.localhost`
// DNS name resolves). An ALB's HTTP listener answers HTTP there as on the gateway's port (alb-port.ts).
// A Network Load Balancer's TCP listener forwards TCP: each connection is piped to a target of the
// listener's forward action, chosen as the ALB chooses (a healthy one round robin; all of them when none
// is healthy), after a PROXY protocol v2 header when the target group enables
// `proxy_protocol_v2.enabled`. No target to send to: the connection is reset. A port Nimbus cannot
// bind (in use, privileged) is logged and left unserved. The open listeners follow the stores: they
// are brought in line after every listener or load balancer change and at start.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import type { Runtime } from '../../kit.js';
import { elbState, type LbRef } from './store.js';
import { pickWeighted } from './routing.js';
import { chooseTarget } from './select.js';
import { nodeAddress, recordPair } from './flows.js';
import { reaches } from './reach.js';
import { albPortServer } from './alb-port.js';

interface Open {
  port: number;
  server: Server;
  sockets: Set<Socket>;
}

export const listenerPorts = (rt: Runtime) => rt.shared('elbv2/listener-ports', () => new ListenerPorts(rt));

export class ListenerPorts {
  private readonly open = new Map<string, Open>();
  private closed = false;

  constructor(private readonly rt: Runtime) {
    rt.onClose(() => {
      this.closed = true;
      for (const arn of [...this.open.keys()]) this.stop(arn);
    });
  }

  /** The TCP listeners of every network load balancer and the HTTP listeners of every ALB, by ARN. */
  private wanted(): Map<string, { ref: LbRef; port: number }> {
    const s = elbState(this.rt);
    const want = new Map<string, { ref: LbRef; port: number }>();
    const refs = [...s.names.scan({ prefix: 'd|' })].map(([, ref]) => ref);
    for (const place of new Set(refs.map((r) => `${r.account}/${r.region}`))) {
      const [account, region] = place.split('/');
      const store = s.store({ account, region });
      for (const l of s.all(store.listeners)) {
        const lb = store.lbs.get(l.lbArn);
        const served = (lb?.type === 'network' && l.protocol === 'TCP') || (lb?.type === 'application' && l.protocol === 'HTTP');
        if (lb && served) want.set(l.arn, { ref: { account, region, arn: lb.arn }, port: l.port });
      }
    }
    return want;
  }

  /** Opens the listeners the stores hold and closes the others. */
  async sync(): Promise<void> {
    if (this.closed) return;
    const want = this.wanted();
    for (const [arn, o] of this.open) if (want.get(arn)?.port !== o.port) this.stop(arn);
    await Promise.all([...want].filter(([arn]) => !this.open.has(arn)).map(([arn, w]) => this.listen(arn, w.ref, w.port)));
  }

  private stop(arn: string): void {
    const o = this.open.get(arn);
    if (!o) return;
    this.open.delete(arn);
    o.server.close();
    for (const sock of o.sockets) sock.destroy();
  }

  private listen(arn: string, ref: LbRef, port: number): Promise<void> {
    const sockets = new Set<Socket>();
    const alb = elbState(this.rt).store(ref).lbs.get(ref.arn)?.type === 'application';
    const server = alb ? albPortServer(this.rt, ref, arn) : createServer((sock) => void this.connection(sock, ref, arn));
    server.on('connection', (sock: Socket) => {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
    });
    this.open.set(arn, { port, server, sockets });
    return new Promise((resolve) => {
      server.once('listening', () => resolve());
      server.once('error', (e) => {
        if (this.open.get(arn)?.server === server) this.open.delete(arn);
        this.rt.log.warn(
          `elbv2: the ${alb ? 'HTTP' : 'TCP'} listener ${arn} cannot listen on 127.0.0.1:${port} (${(e as Error).message}); it is not served`,
        );
        resolve();
      });
      server.listen(port, '127.0.0.1');
    });
  }

  private async connection(sock: Socket, ref: LbRef, arn: string): Promise<void> {
    sock.on('error', () => sock.destroy());
    const s = elbState(this.rt);
    const store = s.store(ref);
    const l = store.listeners.get(arn);
    const lb = store.lbs.get(ref.arn);
    const action = l?.defaultActions.find((a) => a.Type === 'forward');
    const groups = action?.ForwardConfig?.TargetGroups?.length
      ? action.ForwardConfig.TargetGroups
      : [{ TargetGroupArn: action?.TargetGroupArn, Weight: 1 }];
    const tgArn = pickWeighted(groups, Math.random())?.TargetGroupArn;
    const chosen = lb && tgArn ? await chooseTarget(this.rt, ref, tgArn, undefined) : undefined;
    if (!lb || !chosen) return void sock.resetAndDestroy();
    const { target: t, instance } = chosen;
    const where =
      chosen.tg.targetType === 'instance'
        ? this.rt.integrations.ec2?.endpoint?.(ref.account, ref.region, t.id, t.port)
        : { host: t.id, port: t.port };
    if (!where || sock.destroyed) return void sock.resetAndDestroy();
    const client = sock.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
    const clientPort = sock.remotePort ?? randomInt(1024, 65536);
    // the target sees the client's own address when the group preserves it (the default for instance targets)
    const preserve = chosen.tg.attributes['preserve_client_ip.enabled'] === 'true';
    // a connection the target's security groups drop is reset at once rather than left to time out
    if (instance && !(await reaches(this.rt, ref, lb, instance, t.port, preserve ? client : undefined))) return void sock.resetAndDestroy();
    const proxy = chosen.tg.attributes['proxy_protocol_v2.enabled'] === 'true';
    const flows = !!(instance?.PrivateIpAddress && this.rt.integrations.ec2?.recordFlow);
    const node = proxy || flows ? await nodeAddress(this.rt, ref, lb, instance?.Placement?.AvailabilityZone) : undefined;
    if (sock.destroyed) return;
    const start = this.rt.clock.nowMs();
    const up = connect({ host: where.host, port: where.port });
    up.on('error', () => sock.resetAndDestroy());
    sock.on('close', () => up.destroy());
    up.on('close', () => sock.end());
    if (proxy) up.write(proxyV2(client, clientPort, node ?? '127.0.0.1', l!.port));
    sock.pipe(up);
    up.pipe(sock);
    if (flows && node) {
      const [peer, peerPort] = preserve ? [client, clientPort] : [node, randomInt(1024, 65536)];
      up.once('close', () =>
        recordPair(this.rt, {
          w: ref,
          instanceId: instance!.InstanceId,
          own: instance!.PrivateIpAddress!,
          port: t.port,
          peer,
          peerPort,
          sent: up.bytesWritten,
          received: up.bytesRead,
          start,
          end: this.rt.clock.nowMs(),
        }),
      );
    }
  }
}

const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const PROXY_V2_IPV4_BYTES = 28;

/** A PROXY protocol v2 header (PROXY command, TCP over IPv4) naming the client and the load balancer's address and port. */
export function proxyV2(src: string, srcPort: number, dst: string, dstPort: number): Buffer {
  const b = Buffer.alloc(PROXY_V2_IPV4_BYTES);
  PROXY_V2_SIGNATURE.copy(b, 0);
  b[12] = 0x21; // version 2, PROXY
  b[13] = 0x11; // AF_INET, STREAM
  b.writeUInt16BE(12, 14);
  const ip = (a: string) => (/^\d+\.\d+\.\d+\.\d+$/.test(a) ? a : '127.0.0.1').split('.').map(Number);
  Buffer.from(ip(src)).copy(b, 16);
  Buffer.from(ip(dst)).copy(b, 20);
  b.writeUInt16BE(srcPort, 24);
  b.writeUInt16BE(dstPort, 26);
  return b;
}
