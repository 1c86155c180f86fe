// Subscriptions: Subscribe (one per topic, protocol and endpoint; HTTP/S and email confirm first),
// ConfirmSubscription, Unsubscribe, subscription attributes and the listings.
import { randomBytes, randomUUID } from 'node:crypto';
import { ServiceError, publicBaseUrl } from '../../kit.js';
import type { SnsProvider, Subscription } from '../../generated/sns.js';
import { type SnsStore, type SubRecord, parseTopicArn, parseSubArn, subscriptionAttributes } from './model.js';
import { findEndpoint } from './platform.js';
import type { Notification } from './delivery.js';
import { type SnsState, baseUrlOf } from './store.js';
import {
  NEEDS_CONFIRMATION,
  PAGE,
  PROTOCOLS,
  TOKEN_LIFETIME_MS,
  checkEndpoint,
  checkSubAttribute,
  decodeToken,
  encodeToken,
  invalid,
  topicNotFound,
} from './validate.js';

type Handlers = Pick<
  SnsProvider,
  | 'Subscribe'
  | 'ConfirmSubscription'
  | 'Unsubscribe'
  | 'GetSubscriptionAttributes'
  | 'SetSubscriptionAttributes'
  | 'ListSubscriptions'
  | 'ListSubscriptionsByTopic'
>;

export function subscriptionHandlers(s: SnsState): Handlers {
  const { rt } = s;

  function sendConfirmation(sub: SubRecord, type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'): void {
    const ref = parseTopicArn(sub.topicArn);
    const text =
      type === 'SubscriptionConfirmation'
        ? `You have chosen to subscribe to the topic ${sub.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
        : `You have chosen to deactivate subscription ${sub.arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
    const n: Notification = {
      type,
      messageId: randomUUID(),
      topicArn: sub.topicArn,
      message: text,
      timestamp: rt.clock.now().toISOString(),
      fifo: false,
      token: sub.token,
    };
    s.delivery.deliver(n, sub, ref.account, ref.region);
  }

  function listSubs(store: SnsStore, prefix: string, nextToken: string | undefined) {
    const page = [...store.subs.scan({ prefix, after: decodeToken(nextToken), limit: PAGE + 1 })];
    const more = page.length > PAGE;
    const items = page.slice(0, PAGE);
    const Subscriptions: Subscription[] = items.map(([, s]) => ({
      SubscriptionArn: s.pending ? 'PendingConfirmation' : s.arn,
      Owner: s.owner,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      TopicArn: s.topicArn,
    }));
    return { Subscriptions, ...(more ? { NextToken: encodeToken(items[items.length - 1][0]) } : {}) };
  }

  return {
    Subscribe: ({ TopicArn, Protocol, Endpoint, Attributes = {}, ReturnSubscriptionArn }, ctx) => {
      const { store, topic } = s.getTopic(TopicArn, ctx);
      if (!PROTOCOLS.has(Protocol)) throw invalid(`Amazon SNS does not support this protocol string: ${Protocol}`);
      if (Endpoint === undefined || Endpoint === '') throw invalid('Endpoint');
      checkEndpoint(Protocol, Endpoint, topic);
      if (Protocol === 'application' && !findEndpoint(s.stores, Endpoint)) throw new ServiceError('NotFound', 'Endpoint does not exist');
      const draft = { protocol: Protocol, endpoint: Endpoint, topicArn: topic.arn, attributes: {} as Record<string, string> };
      // FilterPolicyScope first: the policy is checked against the scope it will have
      const ordered = Object.entries(Attributes).sort(([a], [b]) => (a === 'FilterPolicyScope' ? -1 : b === 'FilterPolicyScope' ? 1 : 0));
      for (const [k, v] of ordered) {
        checkSubAttribute(k, v, draft, true);
        draft.attributes[k] = k === 'RawMessageDelivery' ? v.toLowerCase() : v;
      }

      return rt.engine.transaction(() => {
        // one subscription per topic, protocol and endpoint: subscribing again returns it
        const same = s.subsOf(store, topic).find((s) => s.protocol === Protocol && s.endpoint === Endpoint);
        if (same) {
          const differs = Object.entries(draft.attributes).some(([k, v]) => same.attributes[k] !== v);
          if (differs) throw invalid('Attributes Reason: Subscription already exists with different attributes');
          return { SubscriptionArn: same.pending && !ReturnSubscriptionArn ? 'pending confirmation' : same.arn };
        }
        const id = randomUUID();
        const sub: SubRecord = {
          arn: `${topic.arn}:${id}`,
          topicArn: topic.arn,
          protocol: Protocol,
          endpoint: Endpoint,
          owner: ctx.account,
          attributes: draft.attributes,
          pending: NEEDS_CONFIRMATION.has(Protocol),
          authenticated: !NEEDS_CONFIRMATION.has(Protocol),
          token: randomBytes(144).toString('hex'),
          principal: ctx.principal.arn,
          baseUrl: publicBaseUrl(rt.config) ?? baseUrlOf(ctx),
          createdAt: rt.clock.nowMs(),
        };
        store.subs.put(`${topic.name}/${id}`, sub);
        store.tokens.put(sub.token, `${topic.name}/${id}`);
        if (sub.pending) sendConfirmation(sub, 'SubscriptionConfirmation');
        return { SubscriptionArn: sub.pending && !ReturnSubscriptionArn ? 'pending confirmation' : sub.arn };
      });
    },

    ConfirmSubscription: ({ TopicArn, Token, AuthenticateOnUnsubscribe }) => {
      // may come unsigned (a GET of the SubscribeURL): the topic ARN names account and region
      let ref;
      try {
        ref = parseTopicArn(TopicArn);
      } catch {
        throw invalid('Topic');
      }
      const store = s.store(ref.account, ref.region);
      if (!store.topics.has(ref.name)) throw topicNotFound();
      const key = store.tokens.get(Token);
      const sub = key ? store.subs.get(key) : undefined;
      if (!key || !sub || sub.topicArn !== TopicArn) throw invalid('Token');
      if (sub.pending && rt.clock.nowMs() - (sub.createdAt ?? 0) > TOKEN_LIFETIME_MS) throw invalid('Token');
      if (sub.pending) {
        sub.pending = false;
        sub.authenticated = (AuthenticateOnUnsubscribe ?? '').toLowerCase() === 'true';
        store.subs.put(key, sub);
      }
      return { SubscriptionArn: sub.arn };
    },

    Unsubscribe: ({ SubscriptionArn }) => {
      const ref = parseSubArn(SubscriptionArn);
      if (!ref) return; // not a subscription of ours: nothing to do, as AWS
      const store = s.store(ref.account, ref.region);
      const sub = store.subs.get(ref.key);
      if (!sub) return;
      rt.engine.transaction(() => {
        store.subs.delete(ref.key);
        store.tokens.delete(sub.token);
        const topic = store.topics.get(ref.name);
        if (topic) {
          topic.deleted += 1;
          store.topics.put(topic.name, topic);
        }
      });
      if (sub.protocol === 'http' || sub.protocol === 'https') sendConfirmation(sub, 'UnsubscribeConfirmation');
    },

    GetSubscriptionAttributes: ({ SubscriptionArn }) => {
      const { sub } = s.getSub(SubscriptionArn);
      return { Attributes: subscriptionAttributes(sub, s.topicByArn(sub.topicArn)) };
    },

    SetSubscriptionAttributes: ({ SubscriptionArn, AttributeName, AttributeValue = '' }) => {
      const { store, sub, key } = s.getSub(SubscriptionArn);
      if (AttributeName === 'FilterPolicy' && AttributeValue.trim() === '') {
        delete sub.attributes.FilterPolicy; // an empty policy removes filtering
      } else {
        checkSubAttribute(AttributeName, AttributeValue, sub, false);
        sub.attributes[AttributeName] = AttributeName === 'RawMessageDelivery' ? AttributeValue.toLowerCase() : AttributeValue;
      }
      store.subs.put(key, sub);
    },

    ListSubscriptions: ({ NextToken }, ctx) => listSubs(s.store(ctx.account, ctx.region), '', NextToken),

    ListSubscriptionsByTopic: ({ TopicArn, NextToken }, ctx) => {
      const { store, topic } = s.getTopic(TopicArn, ctx);
      return listSubs(store, topic.name + '/', NextToken);
    },
  };
}
