// Elastic Load Balancing v2 state, per account and region: load balancers, target groups, listeners,
// rules and registered targets. Tags and attributes live on each record.
import { randomBytes } from 'node:crypto';
import { ServiceError, type Collection, type RequestContext, type Runtime } from '../../kit.js';
import type { Action, RuleCondition } from '../../generated/elbv2.js';

export type Tags = Record<string, string>;

export interface LbRecord {
  arn: string;
  name: string;
  type: 'application' | 'network' | 'gateway';
  scheme: 'internet-facing' | 'internal';
  dnsId: string;
  vpcId: string;
  subnets: { SubnetId: string; ZoneName: string }[];
  securityGroups: string[];
  ipAddressType: string;
  created: number;
  tags: Tags;
  attributes: Record<string, string>;
}

export interface TgRecord {
  arn: string;
  name: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  targetType: string;
  hc: {
    protocol?: string;
    port: string;
    enabled: boolean;
    path?: string;
    interval: number;
    timeout: number;
    healthy: number;
    unhealthy: number;
    matcher?: { HttpCode?: string; GrpcCode?: string };
  };
  ipAddressType: string;
  tags: Tags;
  attributes: Record<string, string>;
}

export interface ListenerRecord {
  arn: string;
  lbArn: string;
  port: number;
  protocol: string;
  defaultActions: Action[];
  certificates?: { CertificateArn?: string }[];
  sslPolicy?: string;
  alpn?: string[];
  tags: Tags;
  attributes: Record<string, string>;
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
  tags: Tags;
}

export interface TargetRecord {
  tgArn: string;
  id: string;
  port: number;
  az?: string;
  registered: number;
  /** what the health checks found so far (health.ts); absent until the first check */
  health?: TargetHealthRecord;
  /** when the next health check is due (virtual ms) */
  next?: number;
}

export interface TargetHealthRecord {
  state: 'initial' | 'healthy' | 'unhealthy';
  /** consecutive passed and failed checks */
  ok: number;
  fail: number;
  reason?: string;
  description?: string;
}

/** An account and region, as the clock and the traffic path know them (no request context). */
export type Where = { account: string; region: string };

export interface ElbStore {
  lbs: Collection<LbRecord>;
  tgs: Collection<TgRecord>;
  listeners: Collection<ListenerRecord>;
  rules: Collection<RuleRecord>;
  targets: Collection<TargetRecord>;
}

/** The one ElbState of a runtime (the API handlers, the traffic path and the health checks share it). */
export const elbState = (rt: Runtime) => rt.shared('elbv2/state', () => new ElbState(rt));

/** Where a load balancer lives, by its DNS label (`d|name-id`) and by its name (`n|name|account|region`). */
export interface LbRef {
  account: string;
  region: string;
  arn: string;
}

export class ElbState {
  private stores;
  /** the load balancers' names and DNS labels across accounts and regions (the traffic path's lookup) */
  readonly names: Collection<LbRef>;
  constructor(readonly rt: Runtime) {
    this.names = rt.stores('elbv2-names', (scope) => scope.collection<LbRef>('names')).system();
    this.stores = rt.stores<ElbStore>('elbv2', (scope) => ({
      lbs: scope.collection('lbs'),
      tgs: scope.collection('tgs'),
      listeners: scope.collection('listeners'),
      rules: scope.collection('rules'),
      targets: scope.collection('targets'),
    }));
  }
  store(ctx: Where): ElbStore {
    return this.stores.get(ctx.account, ctx.region);
  }
  arn(ctx: RequestContext, rest: string): string {
    return `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.account}:${rest}`;
  }
  /** invokes an EC2 operation in the caller's account and region */
  ec2<O = Record<string, unknown>>(ctx: RequestContext, op: string, input: Record<string, unknown>): Promise<O> {
    return this.rt.invoke<O>('ec2', op, input, { account: ctx.account, region: ctx.region });
  }
  lb(ctx: RequestContext, arn: string): LbRecord {
    const lb = this.store(ctx).lbs.get(arn);
    if (!lb) throw new ServiceError('LoadBalancerNotFound', `Load balancer '${arn}' not found`, 400);
    return lb;
  }
  tg(ctx: RequestContext, arn: string): TgRecord {
    const tg = this.store(ctx).tgs.get(arn);
    if (!tg) throw new ServiceError('TargetGroupNotFound', `Target groups '${arn}' not found`, 400);
    return tg;
  }
  listener(ctx: RequestContext, arn: string): ListenerRecord {
    const l = this.store(ctx).listeners.get(arn);
    if (!l) throw new ServiceError('ListenerNotFound', `Listener '${arn}' not found`, 400);
    return l;
  }
  all<T>(c: Collection<T>): T[] {
    return [...c.scan()].map(([, v]) => v);
  }
}

/** A load balancer's DNS label (the part before the region), lowercased. */
export const dnsLabel = (lb: { name: string; dnsId: string }) => `${lb.name}-${lb.dnsId}`.toLowerCase();

export const hexId = () => randomBytes(8).toString('hex');
export const validation = (message: string) => new ServiceError('ValidationError', message, 400);
export const kind = (type: string) => (type === 'network' ? 'net' : type === 'gateway' ? 'gwy' : 'app');

/** Names: 1–32 letters, digits and hyphens, not starting or ending with a hyphen. */
export function checkName(name: string | undefined, what: string): string {
  if (!name) throw validation(`${what} name cannot be empty`);
  if (name.length > 32) throw validation(`${what} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name))
    throw validation(`${what} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  if (name.startsWith('-') || name.endsWith('-')) throw validation(`${what} name '${name}' cannot begin or end with '-' character`);
  return name;
}

export const tagList = (tags: Tags) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
export function tagsOf(list: { Key?: string; Value?: string }[] | undefined): Tags {
  const out: Tags = {};
  for (const t of list ?? []) {
    if (!t.Key) throw validation('A tag key must be specified');
    out[t.Key] = t.Value ?? '';
  }
  return out;
}

/** Marker/PageSize paging over a list (the marker is the next index). */
export function page<T>(items: T[], marker?: string, size?: number): { items: T[]; next?: string } {
  if (size !== undefined && (size < 1 || size > 400)) throw validation('Page size must be between 1 and 400');
  const start = marker ? Number.parseInt(marker, 10) : 0;
  if (!Number.isFinite(start) || start < 0) throw validation('The marker is not valid');
  const end = start + (size ?? 400);
  return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}
