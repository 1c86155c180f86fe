// Event buses, rules and their targets, tags, and TestEventPattern.
import { ServiceError, parseScheduleExpression, type RequestContext, type Runtime } from '../../kit.js';
import type { EventsProvider, Tag } from '../../generated/events.js';
import {
  busArn,
  busName,
  dueIndex,
  eventsStores,
  findBus,
  readOnlyTrailRules,
  ruleArn,
  ruleKey,
  type EventsStore,
  type RuleRecord,
} from './store.js';
import { parsePattern, PatternError } from './pattern.js';
import { checkInput } from './input.js';
import { putPermission, removePermission } from './policy.js';

const MAX_TARGETS = 5;
const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message);

/** Parses a pattern, answering EventBridge's InvalidEventPatternException. */
export function pattern(text: string) {
  try {
    return parsePattern(text);
  } catch (e) {
    if (e instanceof PatternError) throw new ServiceError('InvalidEventPatternException', e.message);
    throw e;
  }
}

function page<T>(items: T[], token: string | undefined, limit: number | undefined): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new ServiceError('ValidationException', 'The NextToken provided is invalid.');
  const size = limit ?? 100;
  const end = start + size;
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

export function ruleHandlers(rt: Runtime): EventsProvider {
  const stores = eventsStores(rt);
  const due = dueIndex(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);

  const bus = (store: EventsStore, nameOrArn: string | undefined) => {
    const name = busName(nameOrArn);
    const found = findBus(rt, store, name);
    if (!found) throw notFound(`Event bus ${name} does not exist.`);
    return found;
  };
  const rule = (store: EventsStore, name: string, busNameOrArn: string | undefined) => {
    const b = bus(store, busNameOrArn);
    const found = store.rules.get(ruleKey(b.name, name));
    if (!found) throw notFound(`Rule ${name} does not exist on EventBus ${b.name}.`);
    return found;
  };
  const schedule = (ctx: RequestContext, r: RuleRecord) => {
    const key = `${ctx.account}|${ctx.region}|${r.name}`;
    readOnlyTrailRules(rt).delete(`${ctx.account}|${ctx.region}`);
    if (!r.scheduleExpression || r.state === 'DISABLED') return due.delete(key);
    const now = ctx.clock.nowMs();
    const next = parseScheduleExpression(r.scheduleExpression, { anchorMs: now }).next(now);
    if (next !== undefined) due.put(key, { account: ctx.account, region: ctx.region, rule: r.name, next, anchor: now });
  };
  const describe = (r: RuleRecord) => ({
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.eventPattern,
    ScheduleExpression: r.scheduleExpression,
    State: r.state,
    Description: r.description,
    RoleArn: r.roleArn,
    EventBusName: r.bus,
  });
  /** The tags of the bus or rule an ARN names. */
  const tagged = (ctx: RequestContext, arn: string): { tags: Tag[]; save(tags: Tag[]): void } => {
    const store = storeOf(ctx);
    const m = /^arn:aws[\w-]*:events:[^:]*:\d{12}:(event-bus|rule)\/(.+)$/.exec(arn);
    if (m?.[1] === 'event-bus') {
      const b = bus(store, m[2]);
      return { tags: b.tags, save: (tags) => store.buses.put(b.name, { ...b, tags }) };
    }
    if (m?.[1] === 'rule') {
      const slash = m[2].lastIndexOf('/');
      const r = rule(store, m[2].slice(slash + 1), slash < 0 ? 'default' : m[2].slice(0, slash));
      return { tags: r.tags, save: (tags) => store.rules.put(ruleKey(r.bus, r.name), { ...r, tags }) };
    }
    throw notFound(`Resource ${arn} does not exist.`);
  };

  return {
    CreateEventBus: ({ Name, Description, Tags }, ctx) => {
      const store = storeOf(ctx);
      if (Name === 'default' || store.buses.has(Name))
        throw new ServiceError('ResourceAlreadyExistsException', `Event bus ${Name} already exists.`);
      if (Name.includes('/') && !Name.startsWith('aws.partner/'))
        throw new ServiceError('ValidationException', `Event bus name must not contain '/'.`);
      const now = ctx.clock.now();
      const arn = busArn(ctx.account, ctx.region, Name);
      store.buses.put(Name, { name: Name, arn, description: Description, created: now, modified: now, tags: Tags ?? [] });
      return { EventBusArn: arn, Description };
    },
    DescribeEventBus: ({ Name }, ctx) => {
      const b = bus(storeOf(ctx), Name);
      return {
        Name: b.name,
        Arn: b.arn,
        Description: b.description,
        Policy: b.policy,
        CreationTime: b.created,
        LastModifiedTime: b.modified,
      };
    },
    DeleteEventBus: ({ Name }, ctx) => {
      if (Name === 'default') throw new ServiceError('ValidationException', 'Cannot delete event bus default.');
      const store = storeOf(ctx);
      for (const [key] of store.rules.scan({ prefix: ruleKey(Name, '') })) {
        store.rules.delete(key);
      }
      store.buses.delete(Name);
    },
    UpdateEventBus: ({ Name, Description }, ctx) => {
      const store = storeOf(ctx);
      const b = bus(store, Name);
      const next = { ...b, description: Description ?? b.description, modified: ctx.clock.now() };
      store.buses.put(b.name, next);
      return { Arn: b.arn, Name: b.name, Description: next.description };
    },
    PutPermission: (req, ctx) => {
      const store = storeOf(ctx);
      const b = bus(store, req.EventBusName);
      store.buses.put(b.name, { ...b, policy: putPermission(b.policy, b.arn, req), modified: ctx.clock.now() });
    },
    RemovePermission: ({ EventBusName, StatementId, RemoveAllPermissions }, ctx) => {
      const store = storeOf(ctx);
      const b = bus(store, EventBusName);
      store.buses.put(b.name, { ...b, policy: removePermission(b.policy, StatementId, RemoveAllPermissions), modified: ctx.clock.now() });
    },
    ListEventBuses: ({ NamePrefix, NextToken, Limit }, ctx) => {
      const store = storeOf(ctx);
      findBus(rt, store, 'default');
      const all = [...store.buses.scan({})].map(([, b]) => b).filter((b) => !NamePrefix || b.name.startsWith(NamePrefix));
      const { items, next } = page(all, NextToken, Limit);
      return {
        EventBuses: items.map((b) => ({
          Name: b.name,
          Arn: b.arn,
          Description: b.description,
          Policy: b.policy,
          CreationTime: b.created,
          LastModifiedTime: b.modified,
        })),
        NextToken: next,
      };
    },

    PutRule: ({ Name, EventPattern, ScheduleExpression, State, Description, RoleArn, Tags, EventBusName }, ctx) => {
      const store = storeOf(ctx);
      const b = bus(store, EventBusName);
      if (!EventPattern && !ScheduleExpression)
        throw new ServiceError('ValidationException', 'Parameter(s) EventPattern or ScheduleExpression must be specified.');
      if (EventPattern) pattern(EventPattern);
      if (ScheduleExpression) {
        if (b.name !== 'default')
          throw new ServiceError('ValidationException', 'ScheduleExpression is supported only on the default event bus.');
        parseScheduleExpression(ScheduleExpression, {
          invalid: () => new ServiceError('ValidationException', 'Parameter ScheduleExpression is not valid.'),
        });
      }
      const existing = store.rules.get(ruleKey(b.name, Name));
      const r: RuleRecord = {
        name: Name,
        bus: b.name,
        arn: ruleArn(ctx.account, ctx.region, b.name, Name),
        eventPattern: EventPattern,
        scheduleExpression: ScheduleExpression,
        state: State ?? existing?.state ?? 'ENABLED',
        description: Description,
        roleArn: RoleArn,
        targets: existing?.targets ?? [],
        tags: existing?.tags ?? Tags ?? [],
        created: existing?.created ?? ctx.clock.nowMs(),
      };
      store.rules.put(ruleKey(b.name, Name), r);
      schedule(ctx, r);
      return { RuleArn: r.arn };
    },
    DescribeRule: ({ Name, EventBusName }, ctx) => ({ ...describe(rule(storeOf(ctx), Name, EventBusName)), CreatedBy: ctx.account }),
    DeleteRule: ({ Name, EventBusName, Force }, ctx) => {
      const store = storeOf(ctx);
      const b = bus(store, EventBusName);
      const r = store.rules.get(ruleKey(b.name, Name));
      if (!r) return;
      if (r.targets.length > 0 && !Force) throw new ServiceError('ValidationException', "Rule can't be deleted since it has targets.");
      store.rules.delete(ruleKey(b.name, Name));
      due.delete(`${ctx.account}|${ctx.region}|${Name}`);
      readOnlyTrailRules(rt).delete(`${ctx.account}|${ctx.region}`);
    },
    EnableRule: ({ Name, EventBusName }, ctx) => {
      const store = storeOf(ctx);
      const r = { ...rule(store, Name, EventBusName), state: 'ENABLED' as const };
      store.rules.put(ruleKey(r.bus, r.name), r);
      schedule(ctx, r);
    },
    DisableRule: ({ Name, EventBusName }, ctx) => {
      const store = storeOf(ctx);
      const r = { ...rule(store, Name, EventBusName), state: 'DISABLED' as const };
      store.rules.put(ruleKey(r.bus, r.name), r);
      schedule(ctx, r);
    },
    ListRules: ({ NamePrefix, EventBusName, NextToken, Limit }, ctx) => {
      const store = storeOf(ctx);
      const b = bus(store, EventBusName);
      const all = [...store.rules.scan({ prefix: ruleKey(b.name, NamePrefix ?? '') })].map(([, r]) => describe(r));
      const { items, next } = page(all, NextToken, Limit);
      return { Rules: items, NextToken: next };
    },
    ListRuleNamesByTarget: ({ TargetArn, EventBusName, NextToken, Limit }, ctx) => {
      const store = storeOf(ctx);
      const b = bus(store, EventBusName);
      const names = [...store.rules.scan({ prefix: ruleKey(b.name, '') })]
        .filter(([, r]) => r.targets.some((t) => t.Arn === TargetArn))
        .map(([, r]) => r.name);
      const { items, next } = page(names, NextToken, Limit);
      return { RuleNames: items, NextToken: next };
    },

    PutTargets: ({ Rule, EventBusName, Targets }, ctx) => {
      const store = storeOf(ctx);
      const r = rule(store, Rule, EventBusName);
      for (const t of Targets) {
        checkInput(t);
        if (t.Arn === r.arn.replace(/:rule\/(?:(.+)\/)?[^/]+$/, (_m, b: string | undefined) => `:event-bus/${b ?? 'default'}`)) {
          throw new ServiceError(
            'ValidationException',
            `Target ${t.Id} is the rule's own event bus: a rule cannot target the bus it is on.`,
          );
        }
        if (/^arn:aws[\w-]*:sqs:.*\.fifo$/.test(t.Arn) && !t.SqsParameters?.MessageGroupId) {
          throw new ServiceError('ValidationException', `Parameter(s) SqsParameters must be specified for target: ${t.Id}.`);
        }
        if (t.DeadLetterConfig?.Arn !== undefined && !/^arn:aws[\w-]*:sqs:[^:]+:\d{12}:[\w-]+$/.test(t.DeadLetterConfig.Arn)) {
          throw new ServiceError(
            'ValidationException',
            `Parameter DeadLetterConfig.Arn is not valid for target: ${t.Id}. It must be the ARN of a standard SQS queue.`,
          );
        }
      }
      const targets = [...r.targets];
      for (const t of Targets) {
        const i = targets.findIndex((x) => x.Id === t.Id);
        if (i >= 0) targets[i] = t;
        else targets.push(t);
      }
      if (targets.length > MAX_TARGETS)
        throw new ServiceError('LimitExceededException', `The requested resource exceeds the maximum number allowed.`);
      store.rules.put(ruleKey(r.bus, r.name), { ...r, targets });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    RemoveTargets: ({ Rule, EventBusName, Ids }, ctx) => {
      const store = storeOf(ctx);
      const r = rule(store, Rule, EventBusName);
      store.rules.put(ruleKey(r.bus, r.name), { ...r, targets: r.targets.filter((t) => !Ids.includes(t.Id)) });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule: ({ Rule, EventBusName, NextToken, Limit }, ctx) => {
      const { items, next } = page(rule(storeOf(ctx), Rule, EventBusName).targets, NextToken, Limit);
      return { Targets: items, NextToken: next };
    },

    TagResource: ({ ResourceARN, Tags }, ctx) => {
      const t = tagged(ctx, ResourceARN);
      const keep = t.tags.filter((x) => !Tags.some((n) => n.Key === x.Key));
      t.save([...keep, ...Tags]);
      return {};
    },
    UntagResource: ({ ResourceARN, TagKeys }, ctx) => {
      const t = tagged(ctx, ResourceARN);
      t.save(t.tags.filter((x) => !TagKeys.includes(x.Key)));
      return {};
    },
    ListTagsForResource: ({ ResourceARN }, ctx) => ({ Tags: tagged(ctx, ResourceARN).tags }),

    TestEventPattern: ({ EventPattern, Event }) => {
      const p = pattern(EventPattern);
      let event: unknown;
      try {
        event = JSON.parse(Event);
      } catch {
        throw new ServiceError('InvalidEventPatternException', 'Parameter Event is not valid.');
      }
      const required = ['id', 'account', 'source', 'time', 'region', 'detail-type'];
      if (typeof event !== 'object' || event === null || required.some((k) => !(k in event))) {
        throw new ServiceError('ValidationException', 'Parameter Event is not valid.');
      }
      return { Result: p.matches(event) };
    },
  };
}
