// Metric filters (published by metric-filters.ts as events arrive), subscription filters (delivered to
// Lambda as the gzip+base64 `awslogs.data` payload AWS sends; other destinations stored), and
// TestMetricFilter, all on the filter pattern matcher.
import { gzipSync } from 'node:zlib';
import { ServiceError, type Runtime, type Stores, type RequestContext } from '../../kit.js';
import type { LogsProvider, MetricFilter, SubscriptionFilter, MetricFilterMatchRecord } from '../../generated/logs.js';
import { SEP, type GroupRecord, type LogsStore, type MetricFilterRecord, type SubscriptionRecord } from './store.js';
import { checkLimit, decodeToken, encodeToken, group, invalidParameter } from './common.js';
import { patternOf, type StoredEvent } from './events.js';

const MAX_SUBSCRIPTIONS = 2;
const MAX_METRIC_FILTERS = 100;
const limitExceeded = () => new ServiceError('LimitExceededException', 'Resource limit exceeded.', 400);

/** Pages of a group-keyed collection (`group SEP filter`), optionally one group and a name prefix. */
function page<T, O>(
  coll: { scan(o: object): IterableIterator<[string, T]> },
  prefix: string,
  limit: number,
  token: string | undefined,
  keep: (v: T) => boolean,
  show: (v: T) => O,
): { items: O[]; nextToken?: string } {
  const after = decodeToken<string>(token);
  const items: O[] = [];
  let last: string | undefined;
  for (const [k, v] of coll.scan({ prefix, ...(after ? { after } : {}) })) {
    if (!keep(v)) continue;
    if (items.length === limit) return { items, nextToken: encodeToken(last) };
    items.push(show(v));
    last = k;
  }
  return { items };
}

export class Subscriptions {
  constructor(
    private readonly rt: Runtime,
    private readonly stores: Stores<LogsStore>,
  ) {}

  /** Sends newly stored events that match a group's subscription filters to their destinations. */
  deliver(ctx: { account: string; region: string }, g: GroupRecord, stream: string, events: StoredEvent[]): void {
    const store = this.stores.get(ctx.account, ctx.region);
    const lambda = this.rt.integrations.lambda;
    // read whole before delivering: a destination may write to the store while this runs
    for (const [, sub] of [...store.subscriptions.scan({ prefix: g.name + SEP })]) {
      if (!lambda || !/^arn:aws[a-z-]*:lambda:/.test(sub.destinationArn)) continue;
      const match = patternOf(sub.filterPattern);
      const hits = events.filter((e) => match(e.message));
      if (!hits.length) continue;
      const payload = {
        messageType: 'DATA_MESSAGE',
        owner: ctx.account,
        logGroup: g.name,
        logStream: stream,
        subscriptionFilters: [sub.filterName],
        logEvents: hits.map((e) => ({ id: e.key.replace(SEP, ''), timestamp: e.timestamp, message: e.message })),
      };
      const data = gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64');
      lambda.invoke(sub.destinationArn, Buffer.from(JSON.stringify({ awslogs: { data } })), 'Event').catch((e: unknown) => {
        this.rt.log.warn?.(`logs: delivery to ${sub.destinationArn} failed: ${String(e)}`);
      });
    }
  }
}

export function filterHandlers(rt: Runtime, stores: Stores<LogsStore>): LogsProvider {
  const st = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const showMetric = (f: MetricFilterRecord): MetricFilter => ({
    ...f,
    metricTransformations: f.metricTransformations as MetricFilter['metricTransformations'],
  });
  const showSub = (s: SubscriptionRecord): SubscriptionFilter => ({
    ...s,
    distribution: (s.distribution ?? 'ByLogStream') as SubscriptionFilter['distribution'],
  });
  return {
    PutMetricFilter: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      patternOf(input.filterPattern);
      const key = g.name + SEP + input.filterName;
      const existing = store.metricFilters.get(key);
      if (!existing && store.metricFilters.count({ prefix: g.name + SEP }) >= MAX_METRIC_FILTERS) throw limitExceeded();
      for (const t of input.metricTransformations) {
        if (t.defaultValue !== undefined && t.dimensions && Object.keys(t.dimensions).length) {
          throw invalidParameter('You can not specify both dimensions and default value.');
        }
      }
      rt.engine.transaction(() => {
        store.metricFilters.put(key, {
          filterName: input.filterName,
          filterPattern: input.filterPattern,
          metricTransformations: input.metricTransformations,
          creationTime: existing?.creationTime ?? ctx.clock.nowMs(),
          logGroupName: g.name,
        });
        if (!existing) store.groups.put(g.name, { ...g, metricFilterCount: (g.metricFilterCount ?? 0) + 1 });
      });
      return undefined;
    },

    DeleteMetricFilter: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      const key = g.name + SEP + input.filterName;
      if (!store.metricFilters.has(key))
        throw new ServiceError('ResourceNotFoundException', 'The specified metric filter does not exist.', 400);
      rt.engine.transaction(() => {
        store.metricFilters.delete(key);
        store.groups.put(g.name, { ...g, metricFilterCount: Math.max(0, (g.metricFilterCount ?? 1) - 1) });
      });
      return undefined;
    },

    DescribeMetricFilters: (input, ctx) => {
      const store = st(ctx);
      if (input.filterNamePrefix !== undefined && input.logGroupName === undefined) {
        throw invalidParameter('If filterNamePrefix is specified, logGroupName must also be specified.');
      }
      if ((input.metricName === undefined) !== (input.metricNamespace === undefined)) {
        throw invalidParameter('If metricName or metricNamespace is specified, both must be specified.');
      }
      if (input.logGroupName !== undefined) group(store, input.logGroupName);
      const prefix = input.logGroupName !== undefined ? input.logGroupName + SEP + (input.filterNamePrefix ?? '') : '';
      const keep = (f: MetricFilterRecord) =>
        input.metricName === undefined ||
        (f.metricTransformations as { metricName: string; metricNamespace: string }[]).some(
          (t) => t.metricName === input.metricName && t.metricNamespace === input.metricNamespace,
        );
      const { items, nextToken } = page(store.metricFilters, prefix, checkLimit(input.limit, 50, 50), input.nextToken, keep, showMetric);
      return { metricFilters: items, nextToken };
    },

    TestMetricFilter: (input) => {
      const match = patternOf(input.filterPattern);
      const matches: MetricFilterMatchRecord[] = [];
      input.logEventMessages.forEach((m, i) => {
        const extracted = match(m);
        if (extracted) matches.push({ eventNumber: i + 1, eventMessage: m, extractedValues: extracted });
      });
      return { matches };
    },

    PutSubscriptionFilter: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      patternOf(input.filterPattern);
      const key = g.name + SEP + input.filterName;
      const existing = store.subscriptions.get(key);
      if (!existing && store.subscriptions.count({ prefix: g.name + SEP }) >= MAX_SUBSCRIPTIONS) throw limitExceeded();
      const lambda = rt.integrations.lambda;
      if (lambda && /^arn:aws[a-z-]*:lambda:/.test(input.destinationArn) && !lambda.functionExists(input.destinationArn)) {
        throw invalidParameter(
          'Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.',
        );
      }
      store.subscriptions.put(key, {
        filterName: input.filterName,
        logGroupName: g.name,
        filterPattern: input.filterPattern,
        destinationArn: input.destinationArn,
        roleArn: input.roleArn,
        distribution: input.distribution,
        creationTime: existing?.creationTime ?? ctx.clock.nowMs(),
      });
      return undefined;
    },

    DeleteSubscriptionFilter: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      const key = g.name + SEP + input.filterName;
      if (!store.subscriptions.delete(key))
        throw new ServiceError('ResourceNotFoundException', 'The specified subscription filter does not exist.', 400);
      return undefined;
    },

    DescribeSubscriptionFilters: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      const { items, nextToken } = page(
        store.subscriptions,
        g.name + SEP + (input.filterNamePrefix ?? ''),
        checkLimit(input.limit, 50, 50),
        input.nextToken,
        () => true,
        showSub,
      );
      return { subscriptionFilters: items, nextToken };
    },
  };
}
