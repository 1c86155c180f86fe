// Which target of a target group gets a request: a healthy one, round robin; when none is healthy,
// any registered one (ALB fails open); the one an AWSALB cookie names while its stickiness lasts.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../kit.js';
import { elbState, type TargetRecord, type TgRecord, type Where } from './store.js';
import { instancesOf, prober, type Instance } from './health.js';
import { health } from './targets.js';

const SETTLE_WAIT_MS = 1000;

export interface Chosen {
  tg: TgRecord;
  target: TargetRecord;
  /** the Set-Cookie values stickiness adds to the answer */
  cookies: string[];
  /** an instance target as EC2 describes it */
  instance?: Instance;
}

/** Reads one cookie from a Cookie header. */
export function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(/;\s*/)) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

const seal = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function unseal<T>(v: string | undefined): T | undefined {
  if (!v) return undefined;
  try {
    return JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The AWSALB (and its CORS twin) cookies for duration-based stickiness; the value names the target and when it lapses. */
function stickyCookies(name: string, t: TargetRecord, expires: number): string[] {
  const value = seal({ i: t.id, p: t.port, e: expires, n: randomBytes(4).toString('hex') });
  const when = new Date(expires).toUTCString();
  return [`${name}=${value}; Expires=${when}; Path=/`, `${name}CORS=${value}; Expires=${when}; Path=/; SameSite=None; Secure`];
}

/** The target group a sticky AWSALBTG cookie pins (weighted forwards with group stickiness). */
export function stickyGroup(cookieHeader: string | undefined, arns: string[], now: number): string | undefined {
  const v = unseal<{ g: string; e: number }>(cookie(cookieHeader, 'AWSALBTG'));
  return v && v.e > now && arns.includes(v.g) ? v.g : undefined;
}

export function groupCookies(tgArn: string, expires: number): string[] {
  const value = seal({ g: tgArn, e: expires });
  const when = new Date(expires).toUTCString();
  return [`AWSALBTG=${value}; Expires=${when}; Path=/`, `AWSALBTGCORS=${value}; Expires=${when}; Path=/; SameSite=None; Secure`];
}

/** Picks the target for a request, or undefined when the group has none to send it to (503). */
export async function chooseTarget(rt: Runtime, w: Where, tgArn: string, cookieHeader: string | undefined): Promise<Chosen | undefined> {
  const s = elbState(rt);
  // checks that became due run first, but a hanging target's checks hold a request back at most a second
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([prober(rt).settle(w, tgArn), new Promise<void>((r) => (timer = setTimeout(r, SETTLE_WAIT_MS)))]);
  clearTimeout(timer);
  const tg = s.store(w).tgs.get(tgArn);
  if (!tg) return undefined;
  const registered = [...s.store(w).targets.scan({ prefix: `${tgArn}\u0000` })].map(([, v]) => v);
  if (!registered.length) return undefined;
  const insts =
    tg.targetType === 'instance'
      ? await instancesOf(
          rt,
          w,
          registered.map((t) => t.id),
        )
      : new Map<string, Instance>();
  const states = registered.map((t) => ({ t, state: health(tg, t, insts.get(t.id), true)?.State }));
  const healthy = states.filter((x) => x.state === 'healthy').map((x) => x.t);
  // no healthy target: ALB fails open to every target it may send to
  const pool = healthy.length
    ? healthy
    : states.filter((x) => x.state === 'initial' || x.state === 'unhealthy' || x.state === 'unavailable').map((x) => x.t);
  if (!pool.length) return undefined;
  const now = rt.clock.nowMs();
  const sticky = tg.attributes['stickiness.enabled'] === 'true' && tg.attributes['stickiness.type'] === 'lb_cookie';
  // each answer renews the cookie for the stickiness duration
  const renewed = (t: TargetRecord) =>
    sticky ? stickyCookies('AWSALB', t, now + Number(tg.attributes['stickiness.lb_cookie.duration_seconds'] ?? 86400) * 1000) : [];
  if (sticky) {
    const v = unseal<{ i: string; p: number; e: number }>(cookie(cookieHeader, 'AWSALB'));
    const pinned = v && v.e > now ? pool.find((t) => t.id === v.i && t.port === v.p) : undefined;
    if (pinned) return { tg, target: pinned, cookies: renewed(pinned), instance: insts.get(pinned.id) };
  }
  const counters = rt.shared('elbv2/round-robin', () => new Map<string, number>());
  const n = counters.get(tgArn) ?? 0;
  counters.set(tgArn, n + 1);
  const target = pool[n % pool.length];
  return { tg, target, cookies: renewed(target), instance: insts.get(target.id) };
}
