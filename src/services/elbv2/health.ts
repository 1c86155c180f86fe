// Health checks that really probe: each registered target is checked every HealthCheckIntervalSeconds
// of virtual time (an HTTP GET of the path judged by the matcher, a TCP connect for TCP checks, an
// invocation for Lambda targets); HealthyThresholdCount consecutive passes make it healthy,
// UnhealthyThresholdCount consecutive failures unhealthy. A due index (keyed by due time) names the
// target groups with checks due; a tick, a clock advance, DescribeTargetHealth and the traffic path
// run what is due. An advance spanning many intervals runs at most as many real checks as the larger
// threshold (more could not change the outcome) and moves the schedule past the interval it ends in.
import { connect } from 'node:net';
import type { Runtime } from '../../kit.js';
import { ElbState, elbState, type TargetHealthRecord, type TargetRecord, type TgRecord, type Where } from './store.js';
import { lbArnsOf } from './target-groups.js';
import { PROXY_V2_LOCAL, failedChecks, httpProbe, judge, timedOut, type ProbeOutcome } from './probe.js';
import { invokeLambda } from './lambda-target.js';
import { reaches } from './reach.js';

export interface Instance {
  InstanceId: string;
  VpcId?: string;
  PrivateIpAddress?: string;
  State?: { Name?: string };
  Placement?: { AvailabilityZone?: string };
  Tags?: { Key?: string; Value?: string }[];
}
interface Due {
  account: string;
  region: string;
  tgArn: string;
}

const TICK_MS = 1000;
const tsKey = (ts: number) => String(Math.max(0, Math.floor(ts))).padStart(15, '0');
export const targetKey = (tgArn: string, id: string, port: number) => `${tgArn}\u0000${id}\u0000${port}`;

/** The health record after one more check. */
export function afterCheck(h: TargetHealthRecord, o: ProbeOutcome, hc: TgRecord['hc']): TargetHealthRecord {
  if (o.ok) {
    const ok = h.ok + 1;
    return {
      ...h,
      ok,
      fail: 0,
      state: h.state !== 'healthy' && ok >= hc.healthy ? 'healthy' : h.state,
      ...(ok >= hc.healthy ? { reason: undefined, description: undefined } : {}),
    };
  }
  const fail = h.fail + 1;
  const turns = h.state === 'unhealthy' || fail >= hc.unhealthy;
  return { ...h, ok: 0, fail, state: turns ? 'unhealthy' : h.state, ...(turns ? { reason: o.reason, description: o.description } : {}) };
}

/** Instances by id, as EC2 describes them. */
export async function instancesOf(rt: Runtime, w: Where, ids: string[]): Promise<Map<string, Instance>> {
  const out = new Map<string, Instance>();
  if (!ids.length) return out;
  // DescribeInstances refuses the whole list when one id is unknown, so filter instead
  const res = await rt.invoke<{ Reservations?: { Instances?: Instance[] }[] }>(
    'ec2',
    'DescribeInstances',
    { Filters: [{ Name: 'instance-id', Values: ids }] },
    w,
  );
  for (const r of res.Reservations ?? []) for (const i of r.Instances ?? []) out.set(i.InstanceId, i);
  return out;
}

/** An instance Nimbus does not run (no process): it passes its checks unless tagged nimbus:health=unhealthy. */
export const taggedUnhealthy = (inst: Instance | undefined) =>
  !!inst?.Tags?.some((x) => x.Key === 'nimbus:health' && x.Value === 'unhealthy');

function tcpProbe(host: string, port: number, timeoutMs: number, proxyProtocol: boolean): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    if (proxyProtocol) sock.write(PROXY_V2_LOCAL);
    const done = (o: ProbeOutcome) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done(timedOut()), timeoutMs);
    // the header is flushed before the connection closes
    sock.on('connect', () => (proxyProtocol ? sock.end(() => done({ ok: true })) : done({ ok: true })));
    sock.on('error', () => done(failedChecks()));
  });
}

export class Prober {
  private due;
  private dueOf;
  private chains = new Map<string, Promise<void>>();

  constructor(private s: ElbState) {
    const scope = s.rt.stores('elbv2-health', (x) => ({ due: x.collection<Due>('due'), dueOf: x.collection<string>('due-of') })).system();
    this.due = scope.due;
    this.dueOf = scope.dueOf;
  }

  /** Starts the real-time tick (virtual time moves with real time) and runs due checks on each clock advance. */
  start(): void {
    const tick = () => this.runDue().catch((e) => this.s.rt.log.error(`elbv2 health checks: ${(e as Error).stack ?? e}`));
    this.s.rt.clock.onAdvance(() => void tick());
    const timer = setInterval(() => void tick(), TICK_MS);
    timer.unref();
    this.s.rt.onClose(() => clearInterval(timer));
  }

  /** Runs every target group's due checks. */
  async runDue(): Promise<void> {
    const now = this.s.rt.clock.nowMs();
    const due = [...this.due.scan({ before: tsKey(now + 1) })].map(([, d]) => d);
    await Promise.all(due.map((d) => this.settle(d, d.tgArn)));
  }

  /** Runs a target group's due checks (after any already running for it). */
  settle(w: Where, tgArn: string): Promise<void> {
    const id = `${w.account}\u0000${w.region}\u0000${tgArn}`;
    const run = (this.chains.get(id) ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.round({ account: w.account, region: w.region }, tgArn));
    this.chains.set(id, run);
    void run
      .finally(() => {
        if (this.chains.get(id) === run) this.chains.delete(id);
      })
      .catch(() => undefined);
    return run;
  }

  /** Puts the target group in the due index at its earliest target's next check (or takes it out). */
  schedule(w: Where, tgArn: string): void {
    const id = `${w.account}\u0000${w.region}\u0000${tgArn}`;
    const old = this.dueOf.get(id);
    const tg = this.s.store(w).tgs.get(tgArn);
    const times = tg ? this.targets(w, tgArn).map((t) => this.nextOf(tg, t)) : [];
    if (old) this.due.delete(old);
    if (!times.length) {
      this.dueOf.delete(id);
      return;
    }
    const key = `${tsKey(Math.min(...times))}\u0000${id}`;
    this.due.put(key, { account: w.account, region: w.region, tgArn });
    this.dueOf.put(id, key);
  }

  private targets(w: Where, tgArn: string): TargetRecord[] {
    return [...this.s.store(w).targets.scan({ prefix: `${tgArn}\u0000` })].map(([, v]) => v);
  }

  private nextOf(tg: TgRecord, t: TargetRecord): number {
    return t.next ?? t.registered + tg.hc.interval * 1000;
  }

  private async round(w: Where, tgArn: string): Promise<void> {
    const store = this.s.store(w);
    const tg = store.tgs.get(tgArn);
    if (!tg) return this.schedule(w, tgArn);
    const now = this.s.rt.clock.nowMs();
    const iv = tg.hc.interval * 1000;
    const due = this.targets(w, tgArn).filter((t) => this.nextOf(tg, t) <= now);
    if (!due.length) return;
    const inUse = lbArnsOf(this.s, w, tgArn).length > 0;
    const insts =
      tg.targetType === 'instance'
        ? await instancesOf(
            this.s.rt,
            w,
            due.map((t) => t.id),
          )
        : new Map<string, Instance>();
    const cap = Math.max(tg.hc.healthy, tg.hc.unhealthy);
    await Promise.all(
      due.map(async (t) => {
        const first = this.nextOf(tg, t);
        const intervals = Math.floor((now - first) / iv) + 1;
        const inst = insts.get(t.id);
        const checked = inUse && tg.hc.enabled && (tg.targetType !== 'instance' || inst?.State?.Name === 'running');
        let h: TargetHealthRecord = checked ? (t.health ?? { state: 'initial', ok: 0, fail: 0 }) : { state: 'initial', ok: 0, fail: 0 };
        if (checked) for (let i = 0; i < Math.min(intervals, cap); i++) h = afterCheck(h, await this.probe(w, tg, t, inst), tg.hc);
        const k = targetKey(tgArn, t.id, t.port);
        const fresh = store.targets.get(k);
        if (!fresh) return;
        store.targets.put(k, { ...fresh, health: h, next: first + intervals * iv });
        const was = t.health?.state ?? 'initial';
        if (h.state !== was) {
          this.s.rt.timeline.record({
            service: 'elbv2',
            kind: 'target-health',
            resource: tgArn,
            account: w.account,
            region: w.region,
            detail: { target: t.id, port: t.port, from: was, to: h.state, ...(h.reason ? { reason: h.reason } : {}) },
          });
        }
      }),
    );
    this.schedule(w, tgArn);
  }

  /** One check of one target. */
  private async probe(w: Where, tg: TgRecord, t: TargetRecord, inst: Instance | undefined): Promise<ProbeOutcome> {
    const port = tg.hc.port === 'traffic-port' ? t.port : Number(tg.hc.port);
    const path = tg.hc.path ?? '/';
    const timeoutMs = tg.hc.timeout * 1000;
    if (tg.targetType === 'lambda') {
      try {
        const res = await invokeLambda(
          this.s.rt,
          t.id,
          tg.arn,
          { method: 'GET', path, rawQuery: '', headers: { 'user-agent': 'ELB-HealthChecker/2.0' }, body: Buffer.alloc(0) },
          tg.attributes['lambda.multi_value_headers.enabled'] === 'true',
        );
        return res ? judge(res.status, tg.hc.matcher?.HttpCode) : failedChecks();
      } catch {
        return failedChecks();
      }
    }
    let at: { host: string; port: number } | undefined = { host: t.id, port };
    if (tg.targetType === 'instance') {
      // an ALB's checks that the security groups drop time out; an NLB reports failed checks (AWS's Target.Timeout is ALB-only)
      const lb = lbArnsOf(this.s, w, tg.arn)
        .map((arn) => this.s.store(w).lbs.get(arn))
        .find((x) => !!x);
      if (lb && inst && !(await reaches(this.s.rt, w, lb, inst, port))) return lb.type === 'application' ? timedOut() : failedChecks();
      at = this.s.rt.integrations.ec2?.endpoint?.(w.account, w.region, t.id, port);
      if (!at) return taggedUnhealthy(inst) ? failedChecks() : { ok: true };
    }
    const proxy = tg.attributes['proxy_protocol_v2.enabled'] === 'true';
    if (tg.hc.protocol === 'HTTP' || tg.hc.protocol === 'HTTPS')
      return httpProbe(at.host, at.port, path, timeoutMs, tg.hc.matcher?.HttpCode, tg.hc.protocol === 'HTTPS', proxy);
    return tcpProbe(at.host, at.port, timeoutMs, proxy);
  }
}

/** The one Prober of a runtime. */
export const prober = (rt: Runtime) => rt.shared('elbv2/prober', () => new Prober(elbState(rt)));
