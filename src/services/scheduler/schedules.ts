// Schedule groups, schedules and tags: the CRUD operations. Each saved schedule keeps one pending
// firing in the due index (see fire.ts), replaced whenever the schedule changes.
import { ServiceError, parseScheduleExpression, validTimeZone, type RequestContext, type Runtime } from '../../kit.js';
import type { CreateScheduleInput, SchedulerProvider, Tag } from '../../generated/scheduler.js';
import {
  dueIndex,
  findGroup,
  groupArn,
  scheduleArn,
  scheduleKey,
  schedulerStores,
  type SchedulerStore,
  type ScheduleRecord,
} from './store.js';
import { planNext } from './fire.js';

const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message, 404);
const invalid = (message: string) => new ServiceError('ValidationException', message, 400);
const conflict = (message: string) => new ServiceError('ConflictException', message, 409);

function page<T>(items: T[], token: string | undefined, limit: number | undefined): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('Invalid NextToken.');
  const end = start + (limit ?? 100);
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

/** Checks a schedule's settings as CreateSchedule and UpdateSchedule do; throws ValidationException. */
export function checkSchedule(input: CreateScheduleInput, nowMs: number): void {
  const tz = input.ScheduleExpressionTimezone ?? 'UTC';
  if (!validTimeZone(tz)) throw invalid(`Invalid ScheduleExpressionTimezone ${tz}.`);
  parseScheduleExpression(input.ScheduleExpression, {
    timeZone: tz,
    at: true,
    invalid: () => invalid(`Invalid Schedule Expression ${input.ScheduleExpression}.`),
  });
  const w = input.FlexibleTimeWindow;
  if (w.Mode === 'FLEXIBLE' && w.MaximumWindowInMinutes === undefined)
    throw invalid('MaximumWindowInMinutes must be provided when FlexibleTimeWindow Mode is FLEXIBLE.');
  if (w.Mode === 'OFF' && w.MaximumWindowInMinutes !== undefined)
    throw invalid('MaximumWindowInMinutes must not be provided when FlexibleTimeWindow Mode is OFF.');
  if (input.StartDate && input.EndDate && input.EndDate.getTime() <= input.StartDate.getTime())
    throw invalid('The EndDate must be later than the StartDate.');
  if (input.EndDate && input.EndDate.getTime() < nowMs - 5 * 60_000)
    throw invalid('The EndDate you specify cannot be earlier than 5 minutes prior to the current time.');
  checkTarget(input.Target);
}

function checkTarget(t: CreateScheduleInput['Target']): void {
  const universal = /^arn:aws[\w-]*:scheduler:::aws-sdk:([a-z0-9-]+):([a-zA-Z0-9]+)$/.exec(t.Arn);
  if (t.Arn.startsWith('arn:aws:scheduler:::') && !universal) throw invalid(`Invalid target ${t.Arn}.`);
  if (!universal && !/^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/.test(t.Arn)) throw invalid(`Invalid target ARN ${t.Arn}.`);
  if (universal && t.Input === undefined) throw invalid('Input is required for universal targets.');
  if (universal) {
    try {
      JSON.parse(t.Input!);
    } catch {
      throw invalid('Input must be valid JSON for universal targets.');
    }
  }
  if (t.DeadLetterConfig?.Arn && !/^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:.+$/.test(t.DeadLetterConfig.Arn))
    throw invalid(`Invalid DeadLetterConfig Arn ${t.DeadLetterConfig.Arn}.`);
}

export function scheduleHandlers(rt: Runtime): SchedulerProvider {
  const stores = schedulerStores(rt);
  const due = dueIndex(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const group = (store: SchedulerStore, name: string | undefined, ctx: RequestContext) => {
    const g = findGroup(store, name ?? 'default', ctx.clock.nowMs());
    if (!g) throw notFound(`Schedule group ${name} does not exist.`);
    return g;
  };
  const schedule = (store: SchedulerStore, groupName: string | undefined, name: string) => {
    const s = store.schedules.get(scheduleKey(groupName ?? 'default', name));
    if (!s) throw notFound(`Schedule ${name} does not exist.`);
    return s;
  };
  /** Saves a schedule with its next firing planned (the old one dropped). */
  const save = (ctx: RequestContext, store: SchedulerStore, rec: ScheduleRecord) => {
    if (rec.dueKey) due.delete(rec.dueKey);
    rec.dueKey = undefined;
    // planned from the instant the record was made, not a fresh read of the clock: a rate schedule
    // anchored at that instant fires then, even when a millisecond has passed since
    if (rec.state === 'ENABLED') rec.dueKey = planNext(due, ctx.account, ctx.region, rec, rec.modified - 1);
    store.schedules.put(scheduleKey(rec.group, rec.name), rec);
  };
  const remove = (store: SchedulerStore, rec: ScheduleRecord) => {
    if (rec.dueKey) due.delete(rec.dueKey);
    store.schedules.delete(scheduleKey(rec.group, rec.name));
  };
  const record = (input: CreateScheduleInput, ctx: RequestContext, now: number, created = now): ScheduleRecord => {
    const g = input.GroupName ?? 'default';
    return {
      name: input.Name,
      group: g,
      arn: scheduleArn(ctx.account, ctx.region, g, input.Name),
      expression: input.ScheduleExpression,
      timezone: input.ScheduleExpressionTimezone,
      start: input.StartDate?.getTime(),
      end: input.EndDate?.getTime(),
      flexible: input.FlexibleTimeWindow,
      state: input.State ?? 'ENABLED',
      actionAfterCompletion: input.ActionAfterCompletion ?? 'NONE',
      description: input.Description,
      kmsKeyArn: input.KmsKeyArn,
      target: input.Target,
      created,
      modified: now,
      anchor: input.StartDate?.getTime() ?? now,
    };
  };
  const tagged = (ctx: RequestContext, arn: string) => {
    const m = /^arn:aws[\w-]*:scheduler:[^:]*:\d{12}:schedule-group\/(.+)$/.exec(arn);
    if (!m) throw notFound(`Resource ${arn} does not exist.`);
    const store = storeOf(ctx);
    const g = group(store, m[1], ctx);
    return { tags: g.tags, save: (tags: Tag[]) => store.groups.put(g.name, { ...g, tags }) };
  };

  return {
    CreateScheduleGroup: ({ Name, Tags }, ctx) => {
      const store = storeOf(ctx);
      if (findGroup(store, Name, ctx.clock.nowMs())) throw conflict(`Schedule group ${Name} already exists.`);
      const now = ctx.clock.nowMs();
      const arn = groupArn(ctx.account, ctx.region, Name);
      store.groups.put(Name, { name: Name, arn, created: now, modified: now, tags: Tags ?? [] });
      return { ScheduleGroupArn: arn };
    },
    GetScheduleGroup: ({ Name }, ctx) => {
      const g = group(storeOf(ctx), Name, ctx);
      return { Arn: g.arn, Name: g.name, State: 'ACTIVE', CreationDate: new Date(g.created), LastModificationDate: new Date(g.modified) };
    },
    ListScheduleGroups: ({ NamePrefix, NextToken, MaxResults }, ctx) => {
      const store = storeOf(ctx);
      findGroup(store, 'default', ctx.clock.nowMs());
      const all = [...store.groups.scan({ prefix: NamePrefix ?? '' })].map(([, g]) => g);
      const { items, next } = page(all, NextToken, MaxResults);
      return {
        ScheduleGroups: items.map((g) => ({
          Arn: g.arn,
          Name: g.name,
          State: 'ACTIVE' as const,
          CreationDate: new Date(g.created),
          LastModificationDate: new Date(g.modified),
        })),
        NextToken: next,
      };
    },
    DeleteScheduleGroup: ({ Name }, ctx) => {
      if (Name === 'default') throw invalid('You cannot delete the default schedule group.');
      const store = storeOf(ctx);
      group(store, Name, ctx);
      for (const [, s] of [...store.schedules.scan({ prefix: scheduleKey(Name, '') })]) remove(store, s);
      store.groups.delete(Name);
      return {};
    },
    CreateSchedule: (input, ctx) => {
      const store = storeOf(ctx);
      group(store, input.GroupName, ctx);
      checkSchedule(input, ctx.clock.nowMs());
      if (store.schedules.has(scheduleKey(input.GroupName ?? 'default', input.Name)))
        throw conflict(`Schedule ${input.Name} already exists.`);
      const rec = record(input, ctx, ctx.clock.nowMs());
      save(ctx, store, rec);
      return { ScheduleArn: rec.arn };
    },
    UpdateSchedule: (input, ctx) => {
      const store = storeOf(ctx);
      group(store, input.GroupName, ctx);
      const old = schedule(store, input.GroupName, input.Name);
      checkSchedule(input, ctx.clock.nowMs());
      const rec = record(input, ctx, ctx.clock.nowMs(), old.created);
      rec.dueKey = old.dueKey;
      save(ctx, store, rec);
      return { ScheduleArn: rec.arn };
    },
    GetSchedule: ({ GroupName, Name }, ctx) => {
      const store = storeOf(ctx);
      group(store, GroupName, ctx);
      const s = schedule(store, GroupName, Name);
      return {
        Arn: s.arn,
        Name: s.name,
        GroupName: s.group,
        ScheduleExpression: s.expression,
        ScheduleExpressionTimezone: s.timezone,
        StartDate: s.start !== undefined ? new Date(s.start) : undefined,
        EndDate: s.end !== undefined ? new Date(s.end) : undefined,
        FlexibleTimeWindow: s.flexible,
        State: s.state,
        ActionAfterCompletion: s.actionAfterCompletion,
        Description: s.description,
        KmsKeyArn: s.kmsKeyArn,
        Target: s.target,
        CreationDate: new Date(s.created),
        LastModificationDate: new Date(s.modified),
      };
    },
    DeleteSchedule: ({ GroupName, Name }, ctx) => {
      const store = storeOf(ctx);
      group(store, GroupName, ctx);
      remove(store, schedule(store, GroupName, Name));
      return {};
    },
    ListSchedules: ({ GroupName, NamePrefix, State, NextToken, MaxResults }, ctx) => {
      const store = storeOf(ctx);
      if (GroupName) group(store, GroupName, ctx);
      const all = [...store.schedules.scan({ prefix: GroupName ? scheduleKey(GroupName, '') : '' })]
        .map(([, s]) => s)
        .filter((s) => (!NamePrefix || s.name.startsWith(NamePrefix)) && (!State || s.state === State));
      const { items, next } = page(all, NextToken, MaxResults);
      return {
        Schedules: items.map((s) => ({
          Arn: s.arn,
          Name: s.name,
          GroupName: s.group,
          State: s.state,
          CreationDate: new Date(s.created),
          LastModificationDate: new Date(s.modified),
          Target: { Arn: s.target.Arn },
        })),
        NextToken: next,
      };
    },
    TagResource: ({ ResourceArn, Tags }, ctx) => {
      const r = tagged(ctx, ResourceArn);
      const merged = new Map(r.tags.map((t) => [t.Key, t.Value]));
      for (const t of Tags) merged.set(t.Key, t.Value);
      r.save([...merged].map(([Key, Value]) => ({ Key, Value })));
      return {};
    },
    UntagResource: ({ ResourceArn, TagKeys }, ctx) => {
      const r = tagged(ctx, ResourceArn);
      r.save(r.tags.filter((t) => !TagKeys.includes(t.Key)));
      return {};
    },
    ListTagsForResource: ({ ResourceArn }, ctx) => ({ Tags: tagged(ctx, ResourceArn).tags }),
  };
}
