// SQS state: each account and region's queues, move-task records and recently deleted names, and
// the in-memory Queue objects that index a queue's messages. Every handler module reaches queues
// through one SqsState.
import type { Runtime, RequestContext, StoreScope, Stores, Collection } from '../../kit.js';
import { ServiceError, sqsQueueUrl } from '../../kit.js';
import { Queue, type QueueRecord } from './queue.js';
import type { ActiveTask, MoveTask } from './move-tasks.js';
import { missingParameter } from './attributes.js';

export class SqsStore {
  readonly queues: Collection<QueueRecord>;
  readonly tasks: Collection<MoveTask>;
  /** queue name → when it was deleted: the name cannot be used again for 60 seconds */
  readonly deleted: Collection<number>;
  /** in the system scope only: the move tasks still running, in every account and region */
  readonly activeTasks: Collection<ActiveTask>;
  readonly cache = new Map<string, Queue>();
  constructor(readonly scope: StoreScope) {
    this.queues = scope.collection('queues');
    this.tasks = scope.collection('tasks');
    this.deleted = scope.collection('deleted');
    this.activeTasks = scope.collection('active-move-tasks');
  }
}

export const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
const QUEUE_URL = /^(?:[a-z]+:\/\/[^/]+)?\/?(?:queue\/[a-z0-9-]+\/)?(\d{12})\/([A-Za-z0-9_.-]+)\/?$/;

export const queueArn = (region: string, account: string, name: string) => `arn:aws:sqs:${region}:${account}:${name}`;

/** The account and name a queue URL names (any host, with or without the `queue/<region>/` path form). */
export function parseQueueUrl(url: string): { account: string; name: string } | undefined {
  const m = QUEUE_URL.exec(url);
  return m ? { account: m[1], name: m[2] } : undefined;
}

/** The query protocol's clients were told "for this wsdl version"; JSON clients are not. */
export const noQueue = (ctx?: RequestContext) =>
  new ServiceError(
    'QueueDoesNotExist',
    ctx && !ctx.headers['x-amz-target']
      ? 'The specified queue does not exist for this wsdl version.'
      : 'The specified queue does not exist.',
  );

export class SqsState {
  readonly stores: Stores<SqsStore>;
  /** queues with long polls waiting: a clock advance may have made messages visible */
  readonly polled = new Set<Queue>();
  /** the queues loaded in memory, by ARN: what a clock advance looks at for visibility timeouts that ran out */
  private readonly loaded = new Map<string, Queue>();

  constructor(readonly rt: Runtime) {
    this.stores = rt.stores('sqs', (scope) => new SqsStore(scope));
    let offset = rt.clock.offsetMs;
    rt.clock.onAdvance((now) => {
      this.polled.forEach((q) => q.notify());
      const to = now.getTime();
      this.noteVisibilityEnded(to - (rt.clock.offsetMs - offset), to);
      offset = rt.clock.offsetMs;
    });
  }

  /** The clock timeline: per queue, how many received messages became visible again during an advance. */
  private noteVisibilityEnded(from: number, to: number): void {
    for (const [arn, q] of this.loaded) {
      const { account, region, name, incarnation } = q.rec;
      // gone (deleted, re-created, or a reset): its messages are not the queue's any more
      if (q.deleted || this.store(account, region).queues.get(name)?.incarnation !== incarnation) {
        this.loaded.delete(arn);
        continue;
      }
      const messages = q.visibilityEnded(from, to);
      if (messages) {
        this.rt.timeline.record({
          service: 'sqs',
          kind: 'visibility-timeout',
          resource: arn,
          account,
          region,
          detail: { queue: name, messages },
        });
      }
    }
  }

  tx<R>(fn: () => R): R {
    return this.rt.engine.transaction(fn);
  }

  store(account: string, region: string): SqsStore {
    return this.stores.get(account, region);
  }

  lookup(account: string, region: string, name: string): Queue | undefined {
    const store = this.store(account, region);
    const rec = store.queues.get(name);
    const cached = store.cache.get(name);
    if (!rec) {
      if (cached) store.cache.delete(name);
      return undefined;
    }
    // the record is the truth (a reset or re-creation replaces it): the in-memory index follows it
    if (cached && cached.rec.incarnation === rec.incarnation) {
      cached.rec = rec;
      return cached;
    }
    const q = new Queue(rec, queueArn(region, account, name), {
      content: store.scope.collection(`m/${name}`),
      state: store.scope.collection(`s/${name}`),
      dedup: store.scope.collection(`d/${name}`),
      attempts: store.scope.collection(`a/${name}`),
    });
    store.cache.set(name, q);
    this.loaded.set(q.arn, q);
    return q;
  }

  byArn(arn: string): Queue | undefined {
    const m = QUEUE_ARN.exec(arn);
    return m ? this.lookup(m[2], m[1], m[3]) : undefined;
  }

  /** The queue a request's QueueUrl names, in the caller's region. */
  queueOf(url: string | undefined, ctx: RequestContext): Queue {
    if (!url) throw missingParameter('QueueUrl');
    const ref = parseQueueUrl(url);
    const q = ref ? this.lookup(ref.account, ctx.region, ref.name) : undefined;
    if (!q) throw noQueue(ctx);
    return q;
  }

  /** The URL clients reach a queue at (the one place SQS builds it): see sqsQueueUrl for LocalStack's forms. */
  urlOf(q: { account: string; name: string; region?: string }, ctx: RequestContext): string {
    return sqsQueueUrl(this.rt.config, ctx.headers.host, { region: q.region ?? ctx.region, account: q.account, name: q.name });
  }

  /** Changes a queue's record (and its LastModifiedTimestamp). */
  touch(q: Queue, change: (rec: QueueRecord) => void): void {
    const rec = structuredClone(q.rec);
    change(rec);
    rec.modifiedMs = this.rt.clock.nowMs();
    this.store(rec.account, rec.region).queues.put(rec.name, rec);
    q.rec = rec;
  }
}
