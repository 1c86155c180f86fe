// Firing schedules on the virtual clock: the due index (keyed by due time) holds each schedule's
// next firing and the retries of failed invocations; a tick reads only the keys due by now. Targets:
// SQS, SNS, Lambda, an EventBridge bus, and universal targets (any operation Nimbus serves).
import { createHash, randomUUID } from 'node:crypto';
import { InFlight, ServiceError, parseScheduleExpression, type Collection, type Runtime } from '../../kit.js';
import type { Target } from '../../generated/scheduler.js';
import { dueKey, dueIndex, scheduleKey, schedulerStores, type DueRecord, type ScheduleRecord } from './store.js';

/** Firings of one schedule in one pass: a rate(1 minute) schedule over an 8-day advance stops here and skips ahead. */
const MAX_FIRINGS_PER_PASS = 1000;
const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_S = 86_400;

/** Where a flexible window puts a firing: a stable offset within the window (the same each time it is planned). */
function flexOffset(rec: ScheduleRecord, scheduled: number): number {
  if (rec.flexible.Mode !== 'FLEXIBLE' || !rec.flexible.MaximumWindowInMinutes) return 0;
  const h = createHash('sha1').update(`${rec.arn}|${scheduled}`).digest().readUInt32BE(0);
  return h % (rec.flexible.MaximumWindowInMinutes * 60_000);
}

/** Plans a schedule's next firing strictly after `afterMs` within its start and end dates: its due key, or undefined when it has none. */
export function planNext(
  due: Collection<DueRecord>,
  account: string,
  region: string,
  rec: ScheduleRecord,
  afterMs: number,
): string | undefined {
  const schedule = parseScheduleExpression(rec.expression, { timeZone: rec.timezone, anchorMs: rec.anchor, at: true });
  const after = rec.start !== undefined ? Math.max(afterMs, rec.start - 1) : afterMs;
  const next = schedule.next(after);
  if (next === undefined || (rec.end !== undefined && next > rec.end)) return undefined;
  const key = dueKey(next + flexOffset(rec, next), `f|${account}|${region}|${rec.group}|${rec.name}`);
  due.put(key, { kind: 'fire', account, region, group: rec.group, name: rec.name, scheduled: next });
  return key;
}

/** The target's input with Scheduler's context attributes filled in. */
export function renderInput(
  input: string | undefined,
  ctx: { scheduleArn: string; scheduled: number; executionId: string; attempt: number },
): string {
  if (input === undefined) return '{}';
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', ctx.scheduleArn)
    .replaceAll('<aws.scheduler.scheduled-time>', new Date(ctx.scheduled).toISOString().replace(/\.\d{3}Z$/, 'Z'))
    .replaceAll('<aws.scheduler.execution-id>', ctx.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(ctx.attempt));
}

/** Universal targets name services as the SDKs do; Nimbus serves some under their model names. */
const SERVICE_ALIASES: Record<string, string> = {
  cloudwatchlogs: 'logs',
  eventbridge: 'events',
  sfn: 'stepfunctions',
  cloudwatch: 'cloudwatch',
};
const dueTime = (key: string) => Number(key.slice(0, 15));
const upperFirst = (s: string) => s[0].toUpperCase() + s.slice(1);

interface Invocation {
  account: string;
  region: string;
  scheduleArn: string;
  group: string;
  name: string;
  target: Target;
  scheduled: number;
  executionId: string;
  attempt: number;
  body: string;
  /** when this attempt was due (virtual ms): retries back off from it, so an advance covers them all */
  dueAt: number;
}

export class Firer {
  private readonly stores;
  private readonly due;
  /** invocations on their way (Lambda, SNS, universal targets): a clock advance waits for them */
  readonly inFlight = new InFlight();

  constructor(private readonly rt: Runtime) {
    this.stores = schedulerStores(rt);
    this.due = dueIndex(rt);
  }

  /** Runs everything due by now (virtual time), including retries that fall due meanwhile. */
  fireDue(): void {
    const now = this.rt.clock.nowMs();
    const counts = new Map<string, number>();
    for (let round = 0; round < 1000; round++) {
      const batch = [...this.due.scan({ before: dueKey(now + 1, ''), limit: 500 })];
      if (!batch.length) return;
      for (const [key, d] of batch) {
        this.due.delete(key);
        if (d.kind === 'fire') this.fire(key, d, now, counts);
        else this.invoke({ ...(d as Required<DueRecord>), dueAt: dueTime(key) });
      }
    }
  }

  private fire(key: string, d: DueRecord, now: number, counts: Map<string, number>): void {
    const store = this.stores.get(d.account, d.region);
    const k = scheduleKey(d.group, d.name);
    const rec = store.schedules.get(k);
    if (!rec || rec.dueKey !== key || rec.state !== 'ENABLED') return;
    const executionId = randomUUID();
    const body = renderInput(rec.target.Input, { scheduleArn: rec.arn, scheduled: d.scheduled, executionId, attempt: 1 });
    this.invoke({
      account: d.account,
      region: d.region,
      scheduleArn: rec.arn,
      group: rec.group,
      name: rec.name,
      target: rec.target,
      scheduled: d.scheduled,
      executionId,
      attempt: 1,
      body,
      dueAt: dueTime(key),
    });
    const n = (counts.get(key.slice(16)) ?? 0) + 1;
    counts.set(key.slice(16), n);
    // a long advance skips the firings past the cap rather than replaying them all
    rec.dueKey = planNext(this.due, d.account, d.region, rec, n >= MAX_FIRINGS_PER_PASS ? now : d.scheduled);
    if (!rec.dueKey && rec.actionAfterCompletion === 'DELETE') store.schedules.delete(k);
    else store.schedules.put(k, rec);
  }

  private invoke(inv: Invocation): void {
    // an asynchronous failure is known a moment later: its retry counts from when the attempt was
    // due, as a synchronous one's does, and runs at once when that is already past
    const later = (e: unknown) => {
      this.failed(inv, e);
      try {
        this.fireDue();
      } catch (err) {
        this.rt.log.error(`scheduler: ${(err as Error).stack ?? err}`);
      }
    };
    try {
      const done = this.send(inv);
      if (done)
        this.inFlight.track(
          done.then((r) => (r?.functionError ? later(new ServiceError('Lambda.FunctionError', r.functionError)) : undefined), later),
        );
    } catch (e) {
      this.failed(inv, e);
    }
  }

  /** Calls the target; a promise for the asynchronous ones. */
  private send(inv: Invocation): Promise<{ functionError?: string } | undefined | void> | void {
    const { target: t, body, account, region } = inv;
    const universal = /^arn:aws[\w-]*:scheduler:::aws-sdk:([a-z0-9-]+):([a-zA-Z0-9]+)$/.exec(t.Arn);
    if (universal) {
      const input = JSON.parse(body) as Record<string, unknown>;
      return this.rt
        .invoke(SERVICE_ALIASES[universal[1]] ?? universal[1], upperFirst(universal[2]), input, { account, region })
        .then(() => undefined);
    }
    const service = t.Arn.split(':')[2];
    const { sqs, sns, lambda, events } = this.rt.integrations;
    switch (service) {
      case 'sqs':
        if (!sqs) throw new ServiceError('NotImplemented', 'SQS is not served');
        sqs.sendMessage(
          t.Arn,
          body,
          t.Arn.endsWith('.fifo') ? { messageGroupId: t.SqsParameters?.MessageGroupId, deduplicationId: inv.executionId } : {},
        );
        return;
      case 'sns':
        if (!sns) throw new ServiceError('NotImplemented', 'SNS is not served');
        return sns.publish(t.Arn, body).then(() => undefined);
      case 'lambda':
        if (!lambda) throw new ServiceError('NotImplemented', 'Lambda is not served');
        if (!lambda.functionExists(t.Arn)) throw new ServiceError('ResourceNotFoundException', `Function not found: ${t.Arn}`);
        return lambda.invoke(t.Arn, Buffer.from(body), 'Event').then(() => undefined);
      case 'events': {
        if (!events) throw new ServiceError('NotImplemented', 'EventBridge is not served');
        let detail: unknown;
        try {
          detail = JSON.parse(body);
        } catch {
          throw new ServiceError('ValidationException', 'The target input is not valid JSON.');
        }
        const bus = t.Arn.split(':')
          .slice(5)
          .join(':')
          .replace(/^event-bus\//, '');
        events.putEvent(t.Arn.split(':')[4], t.Arn.split(':')[3], {
          source: t.EventBridgeParameters?.Source ?? 'aws.scheduler',
          detailType: t.EventBridgeParameters?.DetailType ?? 'Scheduled Event',
          detail,
          resources: [inv.scheduleArn],
          eventBusName: bus,
        });
        return;
      }
      default:
        throw new ServiceError('NotImplemented', `Targets of ${service} are not served by Nimbus yet.`);
    }
  }

  /** A failed invocation is retried on the clock with backoff, then goes to the dead-letter queue. */
  private failed(inv: Invocation, e: unknown): void {
    const err = e instanceof ServiceError ? e : new ServiceError('InternalException', String((e as Error)?.message ?? e));
    const retries = inv.target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
    const maxAge = (inv.target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
    const now = inv.dueAt;
    const delay = Math.min(60_000 * 2 ** (inv.attempt - 1), 3_600_000);
    const byCount = inv.attempt > retries;
    const byAge = now + delay - inv.scheduled > maxAge;
    if (!byCount && !byAge) {
      const attempt = inv.attempt + 1;
      this.due.put(dueKey(now + delay, `r|${inv.executionId}|${attempt}`), { kind: 'retry', ...inv, attempt });
      return;
    }
    this.deadLetter(inv, err, byCount ? 'MaximumRetryAttempts' : 'MaximumEventAgeInSeconds');
  }

  private deadLetter(inv: Invocation, err: ServiceError, condition: string): void {
    const dlq = inv.target.DeadLetterConfig?.Arn;
    if (!dlq || !this.rt.integrations.sqs) {
      this.rt.log.warn(`scheduler: ${inv.scheduleArn} could not invoke ${inv.target.Arn}: ${err.code} ${err.message}`);
      return;
    }
    const attr = (v: string) => ({ DataType: 'String', StringValue: v });
    try {
      this.rt.integrations.sqs.sendMessage(dlq, inv.body, {
        attributes: {
          ERROR_CODE: attr(err.code),
          ERROR_MESSAGE: attr(err.message),
          EXHAUSTED_RETRY_CONDITION: attr(condition),
          INVOCATION_TIME: attr(new Date(inv.scheduled).toISOString()),
          RETRY_ATTEMPTS: attr(String(inv.attempt - 1)),
          SCHEDULE_ARN: attr(inv.scheduleArn),
          TARGET_ARN: attr(inv.target.Arn),
          EXECUTION_ID: attr(inv.executionId),
        },
      });
    } catch (e2) {
      this.rt.log.warn(`scheduler: dead-letter queue ${dlq} of ${inv.scheduleArn} refused: ${(e2 as Error).message}`);
    }
  }
}
