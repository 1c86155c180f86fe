// EC2 state per account and region: one collection per resource kind (records kept in the shape
// Describe answers with, internal fields prefixed `_`), ids, tags, timestamps, and the default VPC
// every account finds in every region, created the first time the region is used.
import { randomBytes } from 'node:crypto';
import type { Collection, RequestContext, Runtime, Stores } from '../../kit.js';
import type { Tag, TagSpecification } from '../../generated/ec2.js';
import { notFound, malformed, invalidParam } from './errors.js';

export const KINDS = {
  vpc: 'vpc',
  subnet: 'subnet',
  igw: 'igw',
  rtb: 'rtb',
  sg: 'sg',
  instance: 'i',
  volume: 'vol',
  snapshot: 'snap',
  image: 'ami',
  keypair: 'key',
  eni: 'eni',
  eip: 'eipalloc',
  nat: 'nat',
  acl: 'acl',
  lt: 'lt',
  vpce: 'vpce',
  pcx: 'pcx',
  dopt: 'dopt',
  sir: 'sir',
  ri: 'ri',
  flowlog: 'fl',
} as const;
export type Kind = keyof typeof KINDS;

/** Tag resource types as TagSpecifications name them. */
export const RESOURCE_TYPE: Record<Kind, string> = {
  vpc: 'vpc',
  subnet: 'subnet',
  igw: 'internet-gateway',
  rtb: 'route-table',
  sg: 'security-group',
  instance: 'instance',
  volume: 'volume',
  snapshot: 'snapshot',
  image: 'image',
  keypair: 'key-pair',
  eni: 'network-interface',
  eip: 'elastic-ip',
  nat: 'natgateway',
  acl: 'network-acl',
  lt: 'launch-template',
  vpce: 'vpc-endpoint',
  pcx: 'vpc-peering-connection',
  dopt: 'dhcp-options',
  sir: 'spot-instances-request',
  ri: 'reserved-instances',
  flowlog: 'vpc-flow-log',
};

export type Rec = Record<string, any> & { Tags?: Tag[] };

export interface Ec2Store {
  res: Record<Kind, Collection<Rec>>;
  meta: Collection<unknown>;
  /** private IPs in use, keyed `<subnetId>/<ip>` → the network interface holding it */
  ips: Collection<string>;
}

export const newId = (prefix: string) => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;

/** Record fields that are timestamps: stored as ISO text, answered as Dates. */
const TIME_FIELDS = new Set([
  'LaunchTime',
  'CreateTime',
  'StartTime',
  'AttachTime',
  'UsageOperationUpdateTime',
  'CreateDate',
  'DeleteTime',
  'CreationTime',
  'ExpirationTime',
  'CreationTimestamp',
  'UpdateTime',
  'ValidFrom',
  'ValidUntil',
  'Start',
  'End',
]);

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
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return 'ri'; // reserved instances have UUIDs
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
      return { res, meta: scope.collection('meta'), ips: scope.collection('ips') };
    });
  }

  onFirstUse(fn: (store: Ec2Store, ctx: { account: string; region: string }) => void): void {
    this.initializers.push(fn);
  }

  store(ctx: { account: string; region: string }): Ec2Store {
    const s = this.stores.get(ctx.account, ctx.region);
    if (!s.meta.has('initialized')) {
      // first use, or the state was reset: nothing cached for this place still holds
      for (const key of [...this.cache.keys()]) if (key.startsWith(`${ctx.account}/${ctx.region}/`)) this.cache.delete(key);
      s.meta.put('initialized', true);
      this.rt.engine.transaction(() => {
        for (const init of this.initializers) init(s, ctx);
      });
    }
    return s;
  }

  /**
   * Decoded records per account/region/kind, read through and written through: Describe calls over
   * thousands of records decode nothing. A call that fails (or a DryRun) may have changed records it
   * then rolled back, so the provider forgets the whole cache then (`forget`).
   */
  private readonly cache = new Map<string, { byId: Map<string, Rec>; sorted: boolean }>();

  forget(): void {
    this.cache.clear();
  }

  private loaded(ctx: { account: string; region: string }, kind: Kind) {
    const store = this.store(ctx);
    const key = `${ctx.account}/${ctx.region}/${kind}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = { byId: new Map([...store.res[kind].scan()]), sorted: true };
      this.cache.set(key, entry);
    }
    if (!entry.sorted) {
      entry.byId = new Map([...entry.byId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      entry.sorted = true;
    }
    return { store, entry };
  }

  all(ctx: { account: string; region: string }, kind: Kind): Rec[] {
    return [...this.loaded(ctx, kind).entry.byId.values()];
  }

  get(ctx: RequestContext, kind: Kind, id: string | undefined, param?: string): Rec {
    if (!id) throw invalidParam(`The request must contain the parameter ${param ?? kind}`);
    const rec = this.find(ctx, kind, id);
    if (!rec) {
      if (kindOfId(id) !== kind && kind !== 'keypair') throw malformed(kind, id);
      throw notFound(kind, id);
    }
    return rec;
  }

  find(ctx: { account: string; region: string }, kind: Kind, id: string | undefined): Rec | undefined {
    return id === undefined ? undefined : this.loaded(ctx, kind).entry.byId.get(id);
  }

  put(ctx: { account: string; region: string }, kind: Kind, id: string, rec: Rec): void {
    const { store, entry } = this.loaded(ctx, kind);
    store.res[kind].put(id, rec);
    if (!entry.byId.has(id)) entry.sorted = false;
    entry.byId.set(id, rec);
  }

  delete(ctx: { account: string; region: string }, kind: Kind, id: string): void {
    const { store, entry } = this.loaded(ctx, kind);
    store.res[kind].delete(id);
    entry.byId.delete(id);
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
    if (t.Key.toLowerCase().startsWith('aws:')) throw invalidParam("Tag keys starting with 'aws:' are reserved for internal use");
  }
  if (new Set(tags.map((t) => t.Key)).size > 50) throw ec2TagLimit();
}

const ec2TagLimit = () => invalidParam('The maximum number of tags per resource is 50.');
