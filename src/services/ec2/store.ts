// EC2 state per account and region: one collection per resource kind (records kept in the shape
// Describe answers with, internal fields prefixed `_`), ids, tags, timestamps, and the default VPC
// every account finds in every region, created the first time the region is used.
import { randomBytes } from 'node:crypto';
import type { Collection, RequestContext, Runtime, Stores } from '../../kit.js';
import type { Tag, TagSpecification } from '../../generated/ec2.js';
import { notFound, malformed, invalidParam } from './errors.js';

export const KINDS = {
  vpc: 'vpc', subnet: 'subnet', igw: 'igw', rtb: 'rtb', sg: 'sg', instance: 'i', volume: 'vol', snapshot: 'snap',
  image: 'ami', keypair: 'key', eni: 'eni', eip: 'eipalloc', nat: 'nat', acl: 'acl', lt: 'lt', vpce: 'vpce', pcx: 'pcx', dopt: 'dopt',
} as const;
export type Kind = keyof typeof KINDS;

/** Tag resource types as TagSpecifications name them. */
export const RESOURCE_TYPE: Record<Kind, string> = {
  vpc: 'vpc', subnet: 'subnet', igw: 'internet-gateway', rtb: 'route-table', sg: 'security-group', instance: 'instance',
  volume: 'volume', snapshot: 'snapshot', image: 'image', keypair: 'key-pair', eni: 'network-interface', eip: 'elastic-ip',
  nat: 'natgateway', acl: 'network-acl', lt: 'launch-template', vpce: 'vpc-endpoint', pcx: 'vpc-peering-connection', dopt: 'dhcp-options',
};

export type Rec = Record<string, any> & { Tags?: Tag[] };

export interface Ec2Store {
  res: Record<Kind, Collection<Rec>>;
  meta: Collection<unknown>;
}

export const newId = (prefix: string) => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

/** Record fields that are timestamps: stored as ISO text, answered as Dates. */
const TIME_FIELDS = new Set(['LaunchTime', 'CreateTime', 'StartTime', 'AttachTime', 'UsageOperationUpdateTime', 'CreateDate', 'DeleteTime', 'CreationTime', 'ExpirationTime']);

/** A stored record as the protocol writes it: timestamps back to Dates, internal `_` fields dropped. */
export function out<T>(rec: unknown): T {
  if (Array.isArray(rec)) return rec.map((r) => out(r)) as T;
  if (rec === null || typeof rec !== 'object') return rec as T;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (k.startsWith('_')) continue;
    o[k] = TIME_FIELDS.has(k) && typeof v === 'string' ? new Date(v) : out(v);
  }
  return o as T;
}

export function kindOfId(id: string): Kind | undefined {
  const prefix = id.split('-', 1)[0];
  for (const [kind, p] of Object.entries(KINDS)) if (p === prefix) return kind as Kind;
  return undefined;
}

export class Ec2State {
  readonly stores: Stores<Ec2Store>;
  /** hooks run once when a region is first used (the default VPC) */
  private readonly initializers: Array<(store: Ec2Store, ctx: { account: string; region: string }) => void> = [];

  constructor(readonly rt: Runtime) {
    this.stores = rt.stores<Ec2Store>('ec2', (scope) => {
      const res = {} as Record<Kind, Collection<Rec>>;
      for (const k of Object.keys(KINDS) as Kind[]) res[k] = scope.collection(k);
      return { res, meta: scope.collection('meta') };
    });
  }

  onFirstUse(fn: (store: Ec2Store, ctx: { account: string; region: string }) => void): void {
    this.initializers.push(fn);
  }

  store(ctx: { account: string; region: string }): Ec2Store {
    const s = this.stores.get(ctx.account, ctx.region);
    if (!s.meta.has('initialized')) {
      s.meta.put('initialized', true);
      this.rt.engine.transaction(() => {
        for (const init of this.initializers) init(s, ctx);
      });
    }
    return s;
  }

  all(ctx: RequestContext, kind: Kind): Rec[] {
    return [...this.store(ctx).res[kind].scan()].map(([, v]) => v);
  }

  get(ctx: RequestContext, kind: Kind, id: string | undefined, param?: string): Rec {
    if (!id) throw invalidParam(`The request must contain the parameter ${param ?? kind}`);
    const rec = this.store(ctx).res[kind].get(id);
    if (!rec) {
      if (kindOfId(id) !== kind && kind !== 'keypair') throw malformed(kind, id);
      throw notFound(kind, id);
    }
    return rec;
  }

  find(ctx: RequestContext, kind: Kind, id: string): Rec | undefined {
    return this.store(ctx).res[kind].get(id);
  }

  put(ctx: { account: string; region: string }, kind: Kind, id: string, rec: Rec): void {
    this.store(ctx).res[kind].put(id, rec);
  }

  delete(ctx: RequestContext, kind: Kind, id: string): void {
    this.store(ctx).res[kind].delete(id);
  }

  now(ctx: { clock: { now(): Date } } | undefined = undefined): string {
    return (ctx?.clock ?? this.rt.clock).now().toISOString();
  }
}

/** The tags a create call's TagSpecifications give a resource of this type. */
export function tagsFor(specs: TagSpecification[] | undefined, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of specs ?? []) {
    if (spec.ResourceType && spec.ResourceType !== resourceType) continue;
    for (const t of spec.Tags ?? []) tags.push({ Key: t.Key, Value: t.Value ?? '' });
  }
  checkTags(tags);
  return tags;
}

export function checkTags(tags: Tag[]): void {
  for (const t of tags) {
    if (!t.Key) throw invalidParam('Tag keys must be between 1 and 128 characters');
    if (t.Key.length > 128) throw invalidParam(`Tag key exceeds the maximum length of 128 characters`);
    if ((t.Value ?? '').length > 256) throw invalidParam(`Tag value exceeds the maximum length of 256 characters`);
    if (t.Key.toLowerCase().startsWith('aws:')) throw invalidParam('Tag keys starting with \'aws:\' are reserved for internal use');
  }
  if (new Set(tags.map((t) => t.Key)).size > 50) throw ec2TagLimit();
}

const ec2TagLimit = () => invalidParam('The maximum number of tags per resource is 50.');
