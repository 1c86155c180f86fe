// Scheduler's state: schedule groups and schedules per account and region, and one index of due
// work in the system scope keyed by due time (firings and retries), so a tick reads only what is due.
import type { Collection, Runtime, StoreScope } from '../../kit.js';
import type { FlexibleTimeWindow, Tag, Target } from '../../generated/scheduler.js';

export interface GroupRecord {
  name: string;
  arn: string;
  created: number;
  modified: number;
  tags: Tag[];
}

export interface ScheduleRecord {
  name: string;
  group: string;
  arn: string;
  expression: string;
  timezone?: string;
  /** epoch ms */
  start?: number;
  end?: number;
  flexible: FlexibleTimeWindow;
  state: 'ENABLED' | 'DISABLED';
  actionAfterCompletion: 'NONE' | 'DELETE';
  description?: string;
  kmsKeyArn?: string;
  target: Target;
  created: number;
  modified: number;
  /** when a rate schedule counts from */
  anchor: number;
  /** the key of its pending firing in the due index */
  dueKey?: string;
}

/** Work due at a time: a schedule's next firing, or a retry of a failed invocation. */
export interface DueRecord {
  kind: 'fire' | 'retry';
  account: string;
  region: string;
  group: string;
  name: string;
  /** the scheduled time of the firing (before any flexible window) */
  scheduled: number;
  /** retries: the attempt this is, the execution it belongs to, the target snapshot and body */
  attempt?: number;
  executionId?: string;
  target?: Target;
  scheduleArn?: string;
  body?: string;
}

export interface SchedulerStore {
  scope: StoreScope;
  groups: Collection<GroupRecord>;
  schedules: Collection<ScheduleRecord>;
}

export const scheduleKey = (group: string, name: string) => `${group}|${name}`;
export const groupArn = (account: string, region: string, name: string) => `arn:aws:scheduler:${region}:${account}:schedule-group/${name}`;
export const scheduleArn = (account: string, region: string, group: string, name: string) =>
  `arn:aws:scheduler:${region}:${account}:schedule/${group}/${name}`;
/** due-index keys sort by time: 15 digits of epoch ms first */
export const dueKey = (at: number, rest: string) => `${String(Math.max(0, Math.floor(at))).padStart(15, '0')}|${rest}`;

export function schedulerStores(rt: Runtime) {
  return rt.shared('scheduler/stores', () =>
    rt.stores<SchedulerStore>('scheduler', (scope) => ({
      scope,
      groups: scope.collection('groups'),
      schedules: scope.collection('schedules'),
    })),
  );
}

export function dueIndex(rt: Runtime): Collection<DueRecord> {
  return rt.shared('scheduler/due', () => rt.stores('scheduler', (scope) => scope.collection<DueRecord>('due')).system());
}

/** The group of this name (the default group exists in every account and region). */
export function findGroup(store: SchedulerStore, name: string, now: number): GroupRecord | undefined {
  const found = store.groups.get(name);
  if (found || name !== 'default') return found;
  const g: GroupRecord = { name, arn: groupArn(store.scope.account, store.scope.region, name), created: now, modified: now, tags: [] };
  store.groups.put(name, g);
  return g;
}
