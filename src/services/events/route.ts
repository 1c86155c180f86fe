// PutEvents and routing: an event put on a bus goes to the targets of every enabled rule whose
// pattern matches it; scheduled rules put their "Scheduled Event" when the (virtual) clock reaches them.
import { randomUUID } from 'node:crypto';
import { ServiceError, parseScheduleExpression, type Runtime } from '../../kit.js';
import type { EventsProvider, PutEventsResultEntry, Target } from '../../generated/events.js';
import { busArn, busName, dueIndex, eventsStores, findBus, readOnlyTrailRules, ruleKey, type RuleRecord } from './store.js';
import { pattern } from './rules.js';
import { Delivery, type BusEvent } from './deliver.js';
import { invokeApiDestination } from './http.js';
import { mayPut } from './policy.js';
import { Archives } from './archive.js';
import { ruleMetrics } from './metrics.js';

export type { BusEvent } from './deliver.js';

/** AWS's limit on a PutEvents request's entries, counted as EventBridge sizes them. */
const MAX_REQUEST_BYTES = 256 * 1024;
/** Firings of one scheduled rule in one clock advance: a rate(1 minute) rule over an 8-day advance stops here. */
const MAX_FIRINGS_PER_TICK = 1000;

const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The size EventBridge counts for an entry: Time, Source, DetailType, Detail and Resources in UTF-8. */
function entrySize(e: { Source?: string; DetailType?: string; Detail?: string; Resources?: string[]; Time?: Date }): number {
  let n = e.Time ? 14 : 0;
  for (const s of [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])]) if (s) n += Buffer.byteLength(s);
  return n;
}

/** Where a bus named by name or ARN lives: its account, region and name. */
export function busLocation(
  nameOrArn: string | undefined,
  account: string,
  region: string,
): { account: string; region: string; name: string } {
  const m = /^arn:aws[\w-]*:events:([^:]*):(\d{12}):event-bus\/(.+)$/.exec(nameOrArn ?? '');
  return m ? { region: m[1] || region, account: m[2], name: m[3] } : { account, region, name: busName(nameOrArn) };
}

const BUS_ARN = /^arn:aws[\w-]*:events:[^:]*:\d{12}:event-bus\//;

/** How a replayed event is routed: only to the rules named, if any. */
export interface ReplayRouting {
  name: string;
  filterArns?: string[];
}

export class Router {
  private readonly stores;
  private readonly matchers = new Map<string, ReturnType<typeof pattern>>();
  readonly delivery: Delivery;
  readonly archives: Archives;

  constructor(private readonly rt: Runtime) {
    this.stores = eventsStores(rt);
    this.delivery = new Delivery(rt, (rule, t, body, event) => this.send(rule, t, body, event));
    this.archives = new Archives(
      rt,
      (text) => this.matcher(text),
      (a, r, bus, event, replay) => this.route(a, r, bus, event, replay),
    );
  }

  /** Delivers an event on a bus to the targets of the rules it matches (and to the bus's archives). */
  route(
    account: string,
    region: string,
    bus: string,
    event: BusEvent,
    replay?: ReplayRouting,
    forwarded = false,
    readOnlyTrail = false,
  ): void {
    const store = this.stores.get(account, region);
    if (!replay) {
      const arn = busArn(account, region, bus);
      this.archives.record(account, region, arn, event);
      this.rt.integrations.schemas?.observe(account, region, arn, event);
    }
    // read the rules first: a delivery writes, and SQLite refuses writes while a scan is open
    for (const [, rule] of [...store.rules.scan({ prefix: ruleKey(bus, '') })]) {
      if (rule.state === 'DISABLED' || !rule.eventPattern) continue;
      if (readOnlyTrail && rule.state !== 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS') continue;
      if (replay?.filterArns?.length && !replay.filterArns.includes(rule.arn)) continue;
      if (!this.matcher(rule.eventPattern).matches(event)) continue;
      ruleMetrics(this.rt, rule, ['MatchedEvents', 'TriggeredRules']);
      for (const t of rule.targets) {
        // an event that came from another bus goes no further bus (EventBridge forwards one hop)
        if (forwarded && BUS_ARN.test(t.Arn)) continue;
        this.delivery.deliver(rule, t, event);
      }
    }
  }

  /** Has the default bus of this account and region a rule for all management events (read-only ones too)? */
  wantsReadOnlyTrail(account: string, region: string): boolean {
    const index = readOnlyTrailRules(this.rt);
    const key = `${account}|${region}`;
    let wants = index.get(key);
    if (wants === undefined) {
      wants = [...this.stores.get(account, region).rules.scan({ prefix: ruleKey('default', '') })].some(
        ([, r]) => r.state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      );
      index.set(key, wants);
    }
    return wants;
  }

  matcher(text: string) {
    let m = this.matchers.get(text);
    if (!m) {
      if (this.matchers.size > 10_000) this.matchers.clear();
      this.matchers.set(text, (m = pattern(text)));
    }
    return m;
  }

  /** Puts an event on a bus that may be another account's, if that bus's policy lets `sender` do it. */
  putOnBus(sender: string, loc: { account: string; region: string; name: string }, event: BusEvent, forwarded = false): void {
    const bus = findBus(this.rt, this.stores.get(loc.account, loc.region), loc.name);
    if (!bus) throw new ServiceError('ResourceNotFoundException', `Event bus ${loc.name} does not exist.`);
    if (loc.account !== sender && !mayPut(bus.policy, sender, bus.arn)) {
      throw new ServiceError(
        'AccessDeniedException',
        `User: arn:aws:iam::${sender}:root is not authorized to perform: events:PutEvents on resource: ${bus.arn} because no resource-based policy allows the events:PutEvents action`,
      );
    }
    this.route(loc.account, loc.region, loc.name, event, undefined, forwarded);
  }

  /** Sends to the target's service; a promise for the asynchronous ones. */
  private send(rule: RuleRecord, t: Target, body: string, event: BusEvent): Promise<unknown> | void {
    const arn = t.Arn;
    const [, , service, region, account, resource] = arn.split(':');
    const { sqs, sns, lambda, logs } = this.rt.integrations;
    switch (service) {
      case 'sqs':
        if (!sqs) throw new ServiceError('NotImplemented', 'SQS is not served');
        // a FIFO queue deduplicates by the event's id, as EventBridge sends it
        sqs.sendMessage(
          arn,
          body,
          arn.endsWith('.fifo') ? { messageGroupId: t.SqsParameters?.MessageGroupId, deduplicationId: event.id } : {},
        );
        return;
      case 'sns':
        if (!sns) throw new ServiceError('NotImplemented', 'SNS is not served');
        return sns.publish(arn, body);
      case 'lambda':
        if (!lambda) throw new ServiceError('NotImplemented', 'Lambda is not served');
        return lambda.invoke(arn, Buffer.from(body), 'Event');
      case 'events': {
        if (resource?.startsWith('api-destination/')) {
          const d = this.stores.get(account, region).apiDestinations.get(resource.split('/')[1]);
          if (!d) throw new ServiceError('ResourceNotFoundException', `ApiDestination ${resource.split('/')[1]} does not exist.`);
          return invokeApiDestination(this.rt, account, region, d, body, t.HttpParameters);
        }
        // another bus, perhaps another account's: the event as it is (input settings do not apply between buses)
        this.putOnBus(rule.arn.split(':')[4], busLocation(arn, account, region), event, true);
        return;
      }
      case 'logs': {
        if (!logs) throw new ServiceError('NotImplemented', 'CloudWatch Logs is not served');
        const group = /^log-group:([^:]+)/.exec(arn.split(':').slice(5).join(':'))?.[1];
        if (!group) throw new ServiceError('ValidationException', `Invalid log group ARN ${arn}`);
        logs.putLogEvents(account, region, group, event.id, [{ timestamp: Date.parse(event.time), message: body }]);
        return;
      }
      default:
        throw new ServiceError('NotImplemented', `Targets of ${service}:${resource ?? ''} are not served by Nimbus yet.`);
    }
  }

  /** Fires the scheduled rules that are due by now (virtual time). */
  fireDue(): void {
    const now = this.rt.clock.nowMs();
    const due = dueIndex(this.rt);
    for (const [key, d] of [...due.scan({})]) {
      if (d.next > now) continue;
      const store = this.stores.get(d.account, d.region);
      const rule = store.rules.get(ruleKey('default', d.rule));
      if (!rule?.scheduleExpression || rule.state === 'DISABLED') {
        due.delete(key);
        continue;
      }
      const schedule = parseScheduleExpression(rule.scheduleExpression, { anchorMs: d.anchor });
      let at: number | undefined = d.next;
      for (let n = 0; at !== undefined && at <= now && n < MAX_FIRINGS_PER_TICK; n++) {
        const event: BusEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: d.account,
          time: isoSeconds(at),
          region: d.region,
          resources: [rule.arn],
          detail: {},
        };
        ruleMetrics(this.rt, rule, ['TriggeredRules']);
        for (const t of rule.targets) this.delivery.deliver(rule, t, event);
        this.rt.timeline.record({
          service: 'events',
          kind: 'schedule',
          resource: rule.arn,
          account: d.account,
          region: d.region,
          detail: { rule: rule.name, scheduleExpression: rule.scheduleExpression, scheduledTime: event.time, targets: rule.targets.length },
        });
        at = schedule.next(at);
      }
      // a long advance skips the firings past the cap rather than replaying them all
      while (at !== undefined && at <= now) at = schedule.next(now);
      if (at === undefined) due.delete(key);
      else due.put(key, { ...d, next: at });
    }
  }

  handlers(): EventsProvider {
    return {
      PutEvents: ({ Entries, EndpointId }, ctx) => {
        if (EndpointId !== undefined) throw new ServiceError('ValidationException', 'Global endpoints are not served by Nimbus.');
        const total = Entries.reduce((n, e) => n + entrySize(e), 0);
        if (total > MAX_REQUEST_BYTES)
          throw new ServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
        const results: PutEventsResultEntry[] = Entries.map((e) => {
          const invalid = (name: string) => ({
            ErrorCode: 'InvalidArgument',
            ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
          });
          if (!e.Source) return invalid('Source');
          if (!e.DetailType) return invalid('DetailType');
          if (!e.Detail) return invalid('Detail');
          let detail: unknown;
          try {
            detail = JSON.parse(e.Detail);
          } catch {
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
          }
          if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
          const loc = busLocation(e.EventBusName, ctx.account, ctx.region);
          const event: BusEvent = {
            version: '0',
            id: randomUUID(),
            'detail-type': e.DetailType,
            source: e.Source,
            account: ctx.account,
            time: isoSeconds(e.Time ? e.Time.getTime() : ctx.clock.nowMs()),
            region: loc.region,
            resources: e.Resources ?? [],
            detail,
          };
          try {
            this.putOnBus(ctx.account, loc, event);
          } catch (err) {
            if (!(err instanceof ServiceError)) throw err;
            return { ErrorCode: err.code === 'ResourceNotFoundException' ? 'NotFoundException' : err.code, ErrorMessage: err.message };
          }
          return { EventId: event.id };
        });
        return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
      },
    };
  }
}
