// SNS state: each account and region's topics, subscriptions, tokens, deduplication records,
// platform applications and SMS settings; finding a topic or subscription by ARN; the delivery
// machinery every publish goes through.
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { type SnsStore, type TopicRecord, type SubRecord, parseTopicArn, parseSubArn } from './model.js';
import { Delivery } from './delivery.js';
import { invalid, subNotFound, topicNotFound } from './validate.js';

/** The Host the caller reached Nimbus by: SubscribeURL and UnsubscribeURL point back there. */
export function baseUrlOf(ctx: RequestContext): string {
  const host = ctx.headers.host;
  return `http://${typeof host === 'string' && host ? host : '127.0.0.1:4566'}`;
}

export class SnsState {
  readonly stores: Stores<SnsStore>;
  readonly delivery: Delivery;

  constructor(readonly rt: Runtime) {
    this.stores = rt.stores<SnsStore>('sns', (scope) => ({
      topics: scope.collection('topics'),
      subs: scope.collection('subs'),
      tokens: scope.collection('tokens'),
      dedup: scope.collection('dedup'),
      apps: scope.collection('apps'),
      endpoints: scope.collection('endpoints'),
      sms: scope.collection('sms'),
      sandbox: scope.collection('sandbox'),
    }));
    this.delivery = new Delivery(
      rt,
      (arn) => this.topicByArn(arn),
      (s) => {
        const ref = parseSubArn(s.arn)!;
        return this.stores.get(ref.account, ref.region).subs.has(ref.key);
      },
    );
  }

  store(account: string, region: string): SnsStore {
    return this.stores.get(account, region);
  }

  topicByArn(arn: string): TopicRecord | undefined {
    try {
      const ref = parseTopicArn(arn);
      return this.store(ref.account, ref.region).topics.get(ref.name);
    } catch {
      return undefined;
    }
  }

  /** The topic an ARN names, in the caller's region (cross-account ARNs are followed). */
  getTopic(arn: string | undefined, ctx: RequestContext, param = 'TopicArn'): { store: SnsStore; topic: TopicRecord } {
    const ref = parseTopicArn(arn, param);
    if (ref.region !== ctx.region) throw invalid(param);
    const store = this.store(ref.account, ref.region);
    const topic = store.topics.get(ref.name);
    if (!topic) throw topicNotFound();
    return { store, topic };
  }

  getSub(arn: string): { store: SnsStore; sub: SubRecord; key: string } {
    const ref = parseSubArn(arn);
    if (!ref) throw subNotFound();
    const store = this.store(ref.account, ref.region);
    const sub = store.subs.get(ref.key);
    if (!sub) throw subNotFound();
    return { store, sub, key: ref.key };
  }

  subsOf(store: SnsStore, topic: TopicRecord): SubRecord[] {
    return [...store.subs.scan({ prefix: topic.name + '/' })].map(([, s]) => s);
  }
}
