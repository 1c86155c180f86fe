// Asynchronous invocations: queued durably (a collection keyed by due time), run as they fall due,
// retried after a function error (by default twice: 1 minute, then 2 minutes later, on the virtual
// clock), then sent to the OnFailure destination or the dead-letter queue; OnSuccess destinations get
// the result. An invocation leaves the queue only once it finished, so a restart runs it again.
import { randomUUID } from 'node:crypto';
import type { Runtime, Stores } from '../../kit.js';
import { InFlight, ServiceError } from '../../kit.js';
import { functionArn, LATEST, type LambdaStore, type QueuedInvocation } from './model.js';
import { resolveTarget, runNow, type AsyncQueue } from './invoke.js';

const RETRY_DELAYS_MS = [60_000, 120_000];
const THROTTLE_RETRY_MS = 1000;
const DEFAULT_MAX_AGE_S = 6 * 3600;
const key = (dueAt: number, id: string) => `${String(dueAt).padStart(15, '0')}\0${id}`;

type Outcome = {
  condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';
  payload?: Buffer;
  functionError?: string;
  version: string;
};

export class AsyncInvocations implements AsyncQueue {
  private readonly queue;
  private readonly running = new Set<string>();
  /** invocations running: a clock advance that started them waits for them */
  private readonly inFlight = new InFlight();
  /** what waits for the next attempt of a queued invocation (another service that handed it over), by queue key */
  private readonly waiting = new Map<string, () => void>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly rt: Runtime,
    private readonly stores: Stores<LambdaStore>,
  ) {
    this.queue = stores.system().queue;
    rt.clock.onAdvance(() => {
      this.kick();
      return this.inFlight.settled();
    });
    rt.onClose(() => {
      this.closed = true;
      clearTimeout(this.timer);
      for (const done of this.waiting.values()) done();
      this.waiting.clear();
    });
    // what a previous run left queued
    setImmediate(() => this.kick());
  }

  enqueue(store: LambdaStore, name: string, qualifier: string | undefined, payload: Buffer): string {
    return this.put(store, name, qualifier, payload).id;
  }

  /**
   * Queues an invocation another service hands over (an S3 notification, a rule's or schedule's
   * target, an alarm action): resolves once its first attempt has run (or gone back to the queue), so
   * the service's own delivery promise, which a clock advance waits for, covers the function's run.
   * Lambda's own clock listener cannot: it may have settled before the handover, later in the advance.
   */
  handOver(store: LambdaStore, name: string, qualifier: string | undefined, payload: Buffer): Promise<void> {
    const { key: k } = this.put(store, name, qualifier, payload);
    return new Promise((resolve) => this.waiting.set(k, resolve));
  }

  private put(store: LambdaStore, name: string, qualifier: string | undefined, payload: Buffer): { id: string; key: string } {
    const id = randomUUID();
    const now = this.rt.clock.nowMs();
    const item: QueuedInvocation = {
      id,
      account: store.account,
      region: store.region,
      name,
      qualifier,
      payload,
      attempts: 0,
      dueAt: now,
      firstAt: now,
    };
    const k = key(now, id);
    this.queue.put(k, item);
    setImmediate(() => this.kick());
    return { id, key: k };
  }

  /** Starts every due invocation not already running; arms a timer for the next one. */
  kick(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    const now = this.rt.clock.nowMs();
    for (const [k, item] of this.queue.scan()) {
      if (item.dueAt > now) {
        this.timer = setTimeout(() => this.kick(), Math.min(item.dueAt - now, 2 ** 31 - 1));
        this.timer.unref();
        break;
      }
      if (this.running.has(k)) continue;
      this.rt.log.debug(`lambda: async ${item.id} of ${item.name} due, attempt ${item.attempts + 1}`);
      this.running.add(k);
      void this.inFlight.track(
        this.run(k, item).finally(() => {
          this.running.delete(k);
          this.waiting.get(k)?.();
          this.waiting.delete(k);
        }),
      );
    }
  }

  private async run(k: string, item: QueuedInvocation): Promise<void> {
    const store = this.stores.get(item.account, item.region);
    const cfg = store.invokeConfigs.get(`${item.name}\0${item.qualifier ?? LATEST}`);
    const maxRetries = cfg?.maxRetries ?? 2;
    const maxAgeMs = (cfg?.maxAgeSeconds ?? DEFAULT_MAX_AGE_S) * 1000;
    let target;
    try {
      target = resolveTarget(store, item.name, item.qualifier);
    } catch {
      this.queue.delete(k); // the function is gone
      return;
    }
    const now = this.rt.clock.nowMs();
    if (now - item.firstAt > maxAgeMs) {
      return this.finish(k, item, store, { condition: 'EventAgeExceeded', version: target.fn.version });
    }
    let outcome: Outcome;
    try {
      const run = await runNow(this.rt, store, target, item.payload);
      if (this.closed) return;
      const attempts = item.attempts + 1;
      if (!run.functionError) {
        outcome = { condition: 'Success', payload: run.payload, version: target.fn.version };
      } else if (attempts <= maxRetries) {
        this.reschedule(k, { ...item, attempts }, RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)]);
        return;
      } else {
        outcome = { condition: 'RetriesExhausted', payload: run.payload, functionError: run.functionError, version: target.fn.version };
      }
      item = { ...item, attempts };
    } catch (e) {
      if (this.closed) return;
      this.rt.log.debug(`lambda: async ${item.id} not run: ${(e as Error).message}`);
      // throttled or the environment could not start: try again shortly, as Lambda does
      if (e instanceof ServiceError && e.code !== 'TooManyRequestsException')
        this.rt.log.warn?.(`lambda: async invoke of ${item.name}: ${e.message}`);
      this.reschedule(k, item, THROTTLE_RETRY_MS);
      return;
    }
    return this.finish(k, item, store, outcome);
  }

  private reschedule(k: string, item: QueuedInvocation, delayMs: number): void {
    const dueAt = this.rt.clock.nowMs() + delayMs;
    this.rt.engine.transaction(() => {
      this.queue.delete(k);
      this.queue.put(key(dueAt, item.id), { ...item, dueAt });
    });
    setImmediate(() => this.kick());
  }

  /** Takes a finished invocation off the queue; the delivery to its destination or DLQ is part of its run. */
  private finish(k: string, item: QueuedInvocation, store: LambdaStore, o: Outcome): Promise<void> | undefined {
    this.queue.delete(k);
    const cfg = store.invokeConfigs.get(`${item.name}\0${item.qualifier ?? LATEST}`);
    const destination = o.condition === 'Success' ? cfg?.onSuccess : cfg?.onFailure;
    const fnArn = functionArn(store.region, store.account, item.name, o.version);
    if (destination) {
      const record = {
        version: '1.0',
        timestamp: this.rt.clock.now().toISOString(),
        requestContext: { requestId: item.id, functionArn: fnArn, condition: o.condition, approximateInvokeCount: item.attempts },
        requestPayload: parseOr(item.payload),
        responseContext: { statusCode: 200, executedVersion: o.version, ...(o.functionError ? { functionError: o.functionError } : {}) },
        responsePayload: o.payload ? parseOr(o.payload) : null,
      };
      return this.deliver(destination, JSON.stringify(record), store);
    }
    if (o.condition === 'Success') return undefined;
    const dlq = resolveTarget(store, item.name, item.qualifier).fn.deadLetterArn;
    if (dlq) {
      const error = o.payload ? parseOr(o.payload) : {};
      const message =
        typeof error === 'object' && error && 'errorMessage' in error
          ? String((error as { errorMessage: unknown }).errorMessage)
          : o.condition;
      const attributes = {
        RequestID: { DataType: 'String', StringValue: item.id },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: message.slice(0, 1000) },
      };
      return this.deliver(dlq, item.payload.toString(), store, attributes);
    }
    return undefined;
  }

  private async deliver(
    arn: string,
    body: string,
    store: LambdaStore,
    attributes?: Record<string, { DataType: string; StringValue: string }>,
  ): Promise<void> {
    const i = this.rt.integrations;
    try {
      const service = arn.split(':')[2];
      if (service === 'sqs') i.sqs?.sendMessage(arn, body, { attributes });
      else if (service === 'sns') await i.sns?.publish(arn, body, { attributes });
      else if (service === 'lambda') await i.lambda?.invoke(arn, Buffer.from(body), 'Event');
      else if (service === 'events') {
        const detail = JSON.parse(body) as { requestContext: { condition: string } };
        i.events?.putEvent(store.account, store.region, {
          source: 'lambda',
          detailType:
            detail.requestContext.condition === 'Success'
              ? 'Lambda Function Invocation Result - Success'
              : 'Lambda Function Invocation Result - Failure',
          detail,
          eventBusName: arn,
        });
      }
    } catch (e) {
      this.rt.log.warn?.(`lambda: delivery to ${arn} failed: ${(e as Error).message}`);
    }
  }
}

function parseOr(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString());
  } catch {
    return b.toString();
  }
}
