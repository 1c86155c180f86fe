// EventBridge's state: buses and rules (with their targets) per account and region, and the due
// times of scheduled rules in the system scope (one index across all accounts, read on each tick).
import type { Collection, Runtime, StoreScope } from '../../kit.js';
import type {
  ApiDestinationHttpMethod,
  ConnectionAuthorizationType,
  ConnectionState,
  CreateConnectionAuthRequestParameters,
  ReplayDestination,
  ReplayState,
  Target,
  Tag,
} from '../../generated/events.js';

export interface BusRecord {
  name: string;
  arn: string;
  description?: string;
  policy?: string;
  created: Date;
  modified: Date;
  tags: Tag[];
}

export interface RuleRecord {
  name: string;
  bus: string;
  arn: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  description?: string;
  roleArn?: string;
  targets: Target[];
  tags: Tag[];
  created: number;
}

/** A scheduled rule's next firing (virtual epoch ms). */
export interface DueRecord {
  account: string;
  region: string;
  rule: string;
  next: number;
  anchor: number;
}

export interface ConnectionRecord {
  name: string;
  arn: string;
  description?: string;
  authorizationType: ConnectionAuthorizationType;
  /** as given, secrets included (kept here: Nimbus has no Secrets Manager to hold them) */
  auth: CreateConnectionAuthRequestParameters;
  state: ConnectionState;
  stateReason?: string;
  secretArn: string;
  created: Date;
  modified: Date;
  authorized?: Date;
  /** an OAuth access token and when it expires (virtual epoch ms) */
  token?: { value: string; expires: number };
}

export interface ApiDestinationRecord {
  name: string;
  arn: string;
  description?: string;
  connectionArn: string;
  endpoint: string;
  method: ApiDestinationHttpMethod;
  rate?: number;
  created: Date;
  modified: Date;
}

export interface ArchiveRecord {
  name: string;
  arn: string;
  account: string;
  region: string;
  source: string;
  description?: string;
  eventPattern?: string;
  retentionDays: number;
  created: Date;
}

export interface ArchivedEvent {
  event: Record<string, unknown>;
  /** when it was archived (virtual epoch ms) */
  at: number;
  size: number;
}

export interface ReplayRecord {
  name: string;
  arn: string;
  account: string;
  region: string;
  description?: string;
  source: string;
  destination: ReplayDestination;
  start: number;
  end: number;
  state: ReplayState;
  stateReason?: string;
  startedAt: number;
  endedAt?: number;
  lastReplayed?: number;
}

export interface EventsStore {
  scope: StoreScope;
  buses: Collection<BusRecord>;
  rules: Collection<RuleRecord>;
  connections: Collection<ConnectionRecord>;
  apiDestinations: Collection<ApiDestinationRecord>;
}

/** Archives, their events and replays across all accounts (the clock's work finds them by key). */
export interface ArchiveStore {
  archives: Collection<ArchiveRecord>;
  events: Collection<ArchivedEvent>;
  replays: Collection<ReplayRecord>;
}

export function archiveStore(rt: Runtime): ArchiveStore {
  return rt.shared('events/archives', () =>
    rt
      .stores('events', (scope) => ({
        archives: scope.collection<ArchiveRecord>('archives'),
        events: scope.collection<ArchivedEvent>('archived'),
        replays: scope.collection<ReplayRecord>('replays'),
      }))
      .system(),
  );
}

export const ruleKey = (bus: string, name: string) => `${bus}|${name}`;

export function eventsStores(rt: Runtime) {
  return rt.shared('events/stores', () =>
    rt.stores<EventsStore>('events', (scope) => ({
      scope,
      buses: scope.collection('buses'),
      rules: scope.collection('rules'),
      connections: scope.collection('connections'),
      apiDestinations: scope.collection('api-destinations'),
    })),
  );
}

export function dueIndex(rt: Runtime): Collection<DueRecord> {
  return rt.shared('events/due', () => rt.stores('events', (scope) => scope.collection<DueRecord>('schedules')).system());
}

/** The bus of this name (the default bus exists in every account and region). */
export function findBus(rt: Runtime, store: EventsStore, name: string): BusRecord | undefined {
  const found = store.buses.get(name);
  if (found || name !== 'default') return found;
  const now = rt.clock.now();
  const bus: BusRecord = { name, arn: busArn(store.scope.account, store.scope.region, name), created: now, modified: now, tags: [] };
  store.buses.put(name, bus);
  return bus;
}

export const busArn = (account: string, region: string, name: string) => `arn:aws:events:${region}:${account}:event-bus/${name}`;
export const ruleArn = (account: string, region: string, bus: string, name: string) =>
  `arn:aws:events:${region}:${account}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;

/** A bus named by name or ARN: its name (and the account and region an ARN names). */
export function busName(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const m = /^arn:aws[\w-]*:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(nameOrArn);
  return m ? m[1] : nameOrArn;
}

/**
 * Whether an account and region has a rule on its default bus in the state
 * ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS (the only rules read-only CloudTrail events reach):
 * computed on first need, forgotten whenever a rule changes there.
 */
export function readOnlyTrailRules(rt: Runtime): Map<string, boolean> {
  return rt.shared('events/read-only-trail-rules', () => new Map<string, boolean>());
}
