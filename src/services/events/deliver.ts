// Delivering an event to one target of a rule: the target's input, a retry with exponential
// back-off and jitter on the virtual clock while the target's RetryPolicy allows (by default 185
// attempts within 24 hours), then the target's dead-letter queue with EventBridge's attributes.
// Errors that a retry cannot cure (a missing resource, a refused permission) go to the
// dead-letter queue at once, as the user guide says.
import { randomUUID } from 'node:crypto';
import { InFlight, ServiceError, type Runtime } from '../../kit.js';
import type { Target } from '../../generated/events.js';
import { targetInput } from './input.js';
import { eventsStores, ruleKey, type RuleRecord } from './store.js';
import { ruleMetrics } from './metrics.js';

export type BusEvent = Record<string, unknown> & { id: string; account: string; region: string; time: string };

/** Sends a body to a target's service; a promise for the asynchronous ones. */
export type Sender = (rule: RuleRecord, t: Target, body: string, event: BusEvent) => Promise<unknown> | void;

/** A delivery waiting for its next attempt (system scope, keyed by due time). */
interface RetryRecord {
  account: string;
  region: string;
  bus: string;
  rule: string;
  targetId: string;
  event: BusEvent;
  /** retries made so far */
  attempts: number;
  /** when the first attempt was made (virtual epoch ms) */
  first: number;
}

export const DEFAULT_MAX_ATTEMPTS = 185;
export const DEFAULT_MAX_AGE_SECONDS = 86_400;
/** first back-off and its ceiling */
const BASE_MS = 1000;
const CAP_MS = 5 * 60_000;

/** The wait before retry number `n` (0-based): exponential with "equal jitter" (half fixed, half random). */
export function backoff(n: number, random = Math.random): number {
  const ceiling = Math.min(CAP_MS, BASE_MS * 2 ** Math.min(n, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Errors EventBridge does not retry: the resource is gone, permission is refused, the request is invalid. */
export function retryable(e: ServiceError): boolean {
  if (e.fields.retryable !== undefined) return e.fields.retryable === true;
  return !/NotFound|NonExistent|NoSuch|AccessDenied|NotAuthorized|Forbidden|Validation|InvalidParameter|NotImplemented/i.test(e.code);
}

/** The ERROR_CODE EventBridge writes on a dead letter for this failure. */
function errorCode(e: ServiceError): string {
  if (typeof e.fields.deadLetterCode === 'string') return e.fields.deadLetterCode;
  if (/NotFound|NonExistent|NoSuch/i.test(e.code)) return 'RESOURCE_NOT_FOUND';
  if (/AccessDenied|NotAuthorized|Forbidden/i.test(e.code)) return 'NO_PERMISSIONS';
  if (/Throttl|TooMany|RateExceeded/i.test(e.code)) return 'THROTTLING';
  return 'SDK_CLIENT_ERROR';
}

const pad = (ms: number) => String(Math.max(0, ms)).padStart(15, '0');

export class Delivery {
  private readonly stores;
  private readonly retries;
  /** deliveries on their way (SNS, Lambda, API destinations): a clock advance waits for them */
  readonly inFlight = new InFlight();

  constructor(
    private readonly rt: Runtime,
    private readonly send: Sender,
  ) {
    this.stores = eventsStores(rt);
    this.retries = rt.shared('events/retries', () => rt.stores('events', (scope) => scope.collection<RetryRecord>('retries')).system());
  }

  /** One attempt to deliver; a failure is retried later or dead-lettered. */
  deliver(rule: RuleRecord, t: Target, event: BusEvent, attempts = 0, first = this.rt.clock.nowMs()): void {
    const failed = (e: unknown) => {
      try {
        this.failed(rule, t, event, e, attempts, first);
      } catch (e2) {
        this.rt.log.error(`events: delivery failure handling: ${(e2 as Error).stack ?? e2}`);
      }
    };
    if (attempts === 0) ruleMetrics(this.rt, rule, ['Invocations']);
    try {
      const body = targetInput(t, event, { name: rule.name, arn: rule.arn });
      const done = this.send(rule, t, body, event);
      if (done) this.inFlight.track(done.catch(failed));
    } catch (e) {
      failed(e);
    }
  }

  private failed(rule: RuleRecord, t: Target, event: BusEvent, e: unknown, attempts: number, first: number): void {
    const err = e instanceof ServiceError ? e : new ServiceError('InternalException', String((e as Error)?.message ?? e));
    if (!retryable(err)) return this.deadLetter(rule, t, event, err, attempts);
    const maxAttempts = t.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const maxAgeMs = (t.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    if (attempts >= maxAttempts) return this.deadLetter(rule, t, event, err, attempts, 'MaximumRetryAttemptsExhausted');
    const at = this.rt.clock.nowMs() + backoff(attempts);
    if (at - first > maxAgeMs) return this.deadLetter(rule, t, event, err, attempts, 'MaximumEventAgeExhausted');
    const account = rule.arn.split(':')[4];
    const region = rule.arn.split(':')[3];
    this.retries.put(`${pad(at)}|${randomUUID()}`, {
      account,
      region,
      bus: rule.bus,
      rule: rule.name,
      targetId: t.Id,
      event,
      attempts: attempts + 1,
      first,
    });
  }

  /** Makes the retries that are due by now (virtual time). */
  retryDue(): void {
    const due = [...this.retries.scan({ before: pad(this.rt.clock.nowMs() + 1) })];
    for (const [key, r] of due) {
      this.retries.delete(key);
      const rule = this.stores.get(r.account, r.region).rules.get(ruleKey(r.bus, r.rule));
      const t = rule?.targets.find((x) => x.Id === r.targetId);
      // a target removed (or a rule deleted) meanwhile takes its pending retries with it
      if (!rule || !t) continue;
      this.deliver(rule, t, r.event, r.attempts, r.first);
    }
  }

  /** Retries waiting (for the admin view and tests of the clock). */
  pending(): number {
    return this.retries.count();
  }

  /** A failed delivery goes to the target's dead-letter queue, with EventBridge's attributes, or is dropped (logged). */
  private deadLetter(rule: RuleRecord, t: Target, event: BusEvent, err: ServiceError, attempts: number, exhausted?: string): void {
    ruleMetrics(this.rt, rule, ['FailedInvocations']);
    const dlq = t.DeadLetterConfig?.Arn;
    if (!dlq || !this.rt.integrations.sqs) {
      this.rt.log.warn(`events: rule ${rule.name} dropped an event for ${t.Arn}: ${err.code} ${err.message}`);
      return;
    }
    const attr = (v: string) => ({ DataType: 'String', StringValue: v });
    try {
      this.rt.integrations.sqs.sendMessage(dlq, JSON.stringify(event), {
        attributes: {
          RULE_ARN: attr(rule.arn),
          TARGET_ARN: attr(t.Arn),
          ERROR_CODE: attr(errorCode(err)),
          ERROR_MESSAGE: attr(err.message),
          ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attr(exhausted) } : {}),
          RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(attempts) },
        },
      });
    } catch (e2) {
      this.rt.log.warn(`events: dead-letter queue ${dlq} of rule ${rule.name} refused: ${(e2 as Error).message}`);
    }
  }
}
