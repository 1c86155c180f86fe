// PutEvents and routing: an event put on a bus goes to the targets of every enabled rule whose
// pattern matches it; scheduled rules put their "Scheduled Event" when the (virtual) clock reaches them.
import { randomUUID } from 'node:crypto';
import { ServiceError, type Runtime } from '../../kit.js';
import type { EventsProvider, PutEventsResultEntry, Target } from '../../generated/events.js';
import { busName, dueIndex, eventsStores, findBus, ruleKey, type RuleRecord } from './store.js';
import { pattern } from './rules.js';
import { parseSchedule } from './schedule.js';
import { targetInput } from './input.js';

/** AWS's limit on a PutEvents request's entries, counted as EventBridge sizes them. */
const MAX_REQUEST_BYTES = 256 * 1024;
/** Firings of one scheduled rule in one clock advance: a rate(1 minute) rule over an 8-day advance stops here. */
const MAX_FIRINGS_PER_TICK = 1000;

export type BusEvent = Record<string, unknown> & { id: string; account: string; region: string; time: string };

const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The size EventBridge counts for an entry: Time, Source, DetailType, Detail and Resources in UTF-8. */
function entrySize(e: { Source?: string; DetailType?: string; Detail?: string; Resources?: string[]; Time?: Date }): number {
  let n = e.Time ? 14 : 0;
  for (const s of [e.Source, e.DetailType, e.Detail, ...(e.Resources ?? [])]) if (s) n += Buffer.byteLength(s);
  return n;
}

export class Router {
  private readonly stores;
  private readonly matchers = new Map<string, ReturnType<typeof pattern>>();

  constructor(private readonly rt: Runtime) {
    this.stores = eventsStores(rt);
  }

  /** Delivers an event on a bus to the targets of the rules it matches. */
  route(account: string, region: string, bus: string, event: BusEvent): void {
    const store = this.stores.get(account, region);
    // read the rules first: a delivery writes, and SQLite refuses writes while a scan is open
    for (const [, rule] of [...store.rules.scan({ prefix: ruleKey(bus, '') })]) {
      if (rule.state === 'DISABLED' || !rule.eventPattern) continue;
      if (!this.matcher(rule.eventPattern).matches(event)) continue;
      for (const t of rule.targets) this.deliver(rule, t, event);
    }
  }

  private matcher(text: string) {
    let m = this.matchers.get(text);
    if (!m) {
      if (this.matchers.size > 10_000) this.matchers.clear();
      this.matchers.set(text, (m = pattern(text)));
    }
    return m;
  }

  private deliver(rule: RuleRecord, t: Target, event: BusEvent): void {
    const body = targetInput(t, event, { name: rule.name, arn: rule.arn });
    const failed = (e: unknown) => this.deadLetter(rule, t, body, e);
    try {
      const done = this.send(t, body, event);
      if (done) done.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  /** Sends to the target's service; a promise for the asynchronous ones. */
  private send(t: Target, body: string, event: BusEvent): Promise<unknown> | void {
    const arn = t.Arn;
    const [, , service, region, account, resource] = arn.split(':');
    const { sqs, sns, lambda, logs } = this.rt.integrations;
    switch (service) {
      case 'sqs':
        if (!sqs) throw new ServiceError('NotImplemented', 'SQS is not served');
        // a FIFO queue deduplicates by the event's id, as EventBridge sends it
        sqs.sendMessage(arn, body, arn.endsWith('.fifo') ? { messageGroupId: t.SqsParameters?.MessageGroupId, deduplicationId: event.id } : {});
        return;
      case 'sns':
        if (!sns) throw new ServiceError('NotImplemented', 'SNS is not served');
        return sns.publish(arn, body);
      case 'lambda':
        if (!lambda) throw new ServiceError('NotImplemented', 'Lambda is not served');
        return lambda.invoke(arn, Buffer.from(body), 'Event');
      case 'events': {
        // another bus: the event as it is (its input settings do not apply between buses)
        const name = busName(arn);
        if (!findBus(this.rt, this.stores.get(account, region), name)) throw new ServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
        this.route(account, region, name, event);
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

  /** A failed delivery goes to the target's dead-letter queue, with EventBridge's attributes, or is logged. */
  private deadLetter(rule: RuleRecord, t: Target, body: string, e: unknown): void {
    const err = e instanceof ServiceError ? e : new ServiceError('InternalException', String((e as Error)?.message ?? e));
    const dlq = t.DeadLetterConfig?.Arn;
    if (!dlq || !this.rt.integrations.sqs) {
      this.rt.log.warn(`events: rule ${rule.name} could not deliver to ${t.Arn}: ${err.code} ${err.message}`);
      return;
    }
    const attr = (v: string) => ({ DataType: 'String', StringValue: v });
    try {
      this.rt.integrations.sqs.sendMessage(dlq, body, {
        attributes: {
          RULE_ARN: attr(rule.arn),
          TARGET_ARN: attr(t.Arn),
          ERROR_CODE: attr(err.code),
          ERROR_MESSAGE: attr(err.message),
        },
      });
    } catch (e2) {
      this.rt.log.warn(`events: dead-letter queue ${dlq} of rule ${rule.name} refused: ${(e2 as Error).message}`);
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
      const schedule = parseSchedule(rule.scheduleExpression, d.anchor);
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
        for (const t of rule.targets) this.deliver(rule, t, event);
        this.rt.timeline.record({
          service: 'events', kind: 'schedule', resource: rule.arn, account: d.account, region: d.region,
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
        if (total > MAX_REQUEST_BYTES) throw new ServiceError('ValidationException', 'Total size of the entries in the request is over the limit.');
        const results: PutEventsResultEntry[] = Entries.map((e) => {
          const invalid = (name: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.` });
          if (!e.Source) return invalid('Source');
          if (!e.DetailType) return invalid('DetailType');
          if (!e.Detail) return invalid('Detail');
          let detail: unknown;
          try {
            detail = JSON.parse(e.Detail);
          } catch {
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
          }
          if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
          const bus = busName(e.EventBusName);
          if (!findBus(this.rt, this.stores.get(ctx.account, ctx.region), bus)) {
            return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
          }
          const event: BusEvent = {
            version: '0',
            id: randomUUID(),
            'detail-type': e.DetailType,
            source: e.Source,
            account: ctx.account,
            time: isoSeconds(e.Time ? e.Time.getTime() : ctx.clock.nowMs()),
            region: ctx.region,
            resources: e.Resources ?? [],
            detail,
          };
          this.route(ctx.account, ctx.region, bus, event);
          return { EventId: event.id };
        });
        return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
      },
    };
  }
}
