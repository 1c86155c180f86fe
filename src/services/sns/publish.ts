// Publishing: Publish and PublishBatch to a topic (FIFO deduplication and sequence numbers, filter
// policies, fan-out to every confirmed subscription), straight to a phone number or mobile endpoint,
// and for other services through rt.integrations.sns.
import { createHash, randomUUID } from 'node:crypto';
import { ServiceError } from '../../kit.js';
import type { RequestContext } from '../../kit.js';
import type { SnsProvider, PublishBatchResultEntry } from '../../generated/sns.js';
import { type SnsStore, type TopicRecord, type SubRecord, parseTopicArn } from './model.js';
import { parseFilterPolicy, matchesAttributes, matchesBody, type FilterScope } from './filter.js';
import { findEndpoint } from './platform.js';
import { contentFor, structureKey, envelopeAttributes, type Notification } from './delivery.js';
import type { SnsState } from './store.js';
import { topicMetric } from './metrics.js';
import {
  type PublishArgs,
  APP_ENDPOINT_ARN,
  DEDUP_WINDOW_MS,
  E164,
  MAX_MESSAGE_BYTES,
  boolAttr,
  checkBatchEntries,
  checkMessage,
  invalid,
  topicNotFound,
} from './validate.js';

type Handlers = Pick<SnsProvider, 'Publish' | 'PublishBatch'>;

/** Publishing, shared by the handlers, the SMS sandbox (its one-time passwords) and rt.integrations.sns. */
export class Publisher {
  private readonly policies = new Map<string, ReturnType<typeof parseFilterPolicy>>();
  private fifoPublishes = 0;

  constructor(private readonly s: SnsState) {}

  private accepts(sub: SubRecord, n: Notification): boolean {
    const text = sub.attributes.FilterPolicy;
    if (!text) return true;
    const scope = (sub.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
    const key = scope + text;
    let policy = this.policies.get(key);
    if (!this.policies.has(key)) {
      if (this.policies.size > 1000) this.policies.clear();
      policy = parseFilterPolicy(text, scope, '');
      this.policies.set(key, policy);
    }
    if (!policy) return true;
    return scope === 'MessageBody' ? matchesBody(policy, contentFor(n, sub.protocol)) : matchesAttributes(policy, n.attributes);
  }

  /** Publishes a validated message to a topic: FIFO deduplication and ordering, filter policies, fan-out. */
  publishToTopic(store: SnsStore, topic: TopicRecord, m: PublishArgs): { messageId: string; seq?: string } {
    topicMetric(this.s.rt, topic.arn, 'NumberOfMessagesPublished');
    topicMetric(this.s.rt, topic.arn, 'PublishSize', Buffer.byteLength(m.message));
    const ref = parseTopicArn(topic.arn);
    let message: Notification['message'] = m.message;
    if (m.structure === 'json') {
      const parsed = JSON.parse(m.message) as Record<string, unknown>;
      message = Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    }
    const n: Notification = {
      type: 'Notification',
      messageId: randomUUID(),
      topicArn: topic.arn,
      message,
      subject: m.subject,
      attributes: m.attributes && Object.keys(m.attributes).length ? m.attributes : undefined,
      timestamp: this.s.rt.clock.now().toISOString(),
      fifo: topic.fifo,
      groupId: m.groupId,
    };
    return this.s.rt.engine.transaction(() => {
      if (topic.fifo) {
        const dedupId = m.dedupId ?? createHash('sha256').update(m.message).digest('hex');
        const dkey = `${topic.name}/${dedupId}`;
        const seen = store.dedup.get(dkey);
        const now = this.s.rt.clock.nowMs();
        if (seen && now - seen.at < DEDUP_WINDOW_MS) return { messageId: seen.messageId, seq: seen.seq };
        // now and then, forget the topic's deduplication ids older than the window
        if (++this.fifoPublishes % 1000 === 0) {
          for (const [k, d] of [...store.dedup.scan({ prefix: topic.name + '/' })])
            if (now - d.at >= DEDUP_WINDOW_MS) store.dedup.delete(k);
        }
        const fresh = store.topics.get(topic.name) ?? topic;
        fresh.seq += 1;
        store.topics.put(topic.name, fresh);
        n.seq = (10n ** 19n + BigInt(fresh.seq)).toString();
        n.dedupId = dedupId;
        store.dedup.put(dkey, { messageId: n.messageId, seq: n.seq, at: now });
      }
      for (const sub of this.s.subsOf(store, topic)) {
        if (sub.pending || !this.accepts(sub, n)) continue;
        this.s.delivery.deliver(n, sub, ref.account, ref.region);
      }
      return { messageId: n.messageId, seq: n.seq };
    });
  }

  /** Publish straight to a phone number or a mobile endpoint: recorded in the outbox. */
  recordDirect(ctx: RequestContext, protocol: string, endpoint: string, m: PublishArgs): string {
    const messageId = randomUUID();
    let message = m.message;
    if (m.structure === 'json') {
      const parsed = JSON.parse(m.message) as Record<string, string>;
      message = parsed[structureKey(protocol, endpoint)] ?? parsed.default;
    }
    this.s.delivery.record({
      id: randomUUID(),
      at: this.s.rt.clock.now().toISOString(),
      account: ctx.account,
      region: ctx.region,
      protocol,
      endpoint,
      type: 'Notification',
      messageId,
      message,
      ...(m.subject !== undefined && protocol !== 'sms' ? { subject: m.subject } : {}),
      ...(envelopeAttributes(m.attributes) ? { messageAttributes: envelopeAttributes(m.attributes) } : {}),
    });
    return messageId;
  }
}

export function publishHandlers(s: SnsState, p: Publisher): Handlers {
  return {
    Publish: (input, ctx) => {
      const args: PublishArgs = {
        message: input.Message,
        subject: input.Subject,
        structure: input.MessageStructure,
        attributes: input.MessageAttributes,
        groupId: input.MessageGroupId,
        dedupId: input.MessageDeduplicationId,
      };
      if (input.PhoneNumber !== undefined) {
        if (input.TopicArn || input.TargetArn) throw invalid('Only one of TopicArn, TargetArn or PhoneNumber can be specified');
        if (!E164.test(input.PhoneNumber)) throw invalid(`PhoneNumber Reason: ${input.PhoneNumber} is not valid to publish to`);
        checkMessage(undefined, args);
        return { MessageId: p.recordDirect(ctx, 'sms', input.PhoneNumber, args) };
      }
      const target = input.TopicArn ?? input.TargetArn;
      if (!target) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
      if (input.TopicArn && input.TargetArn) throw invalid('Only one of TopicArn, TargetArn or PhoneNumber can be specified');
      if (input.TargetArn && APP_ENDPOINT_ARN.test(input.TargetArn)) {
        const found = findEndpoint(s.stores, input.TargetArn);
        if (!found) throw invalid('TargetArn Reason: No endpoint found for the target arn specified');
        if (!boolAttr(found.endpoint.attributes.Enabled ?? 'true')) throw new ServiceError('EndpointDisabled', 'Endpoint is disabled');
        checkMessage(undefined, args);
        return { MessageId: p.recordDirect(ctx, 'application', input.TargetArn, args) };
      }
      const { store, topic } = s.getTopic(target, ctx, input.TopicArn ? 'TopicArn' : 'TargetArn');
      checkMessage(topic, args);
      const out = p.publishToTopic(store, topic, args);
      return { MessageId: out.messageId, ...(out.seq ? { SequenceNumber: out.seq } : {}) };
    },

    PublishBatch: ({ TopicArn, PublishBatchRequestEntries: entries }, ctx) => {
      const { store, topic } = s.getTopic(TopicArn, ctx);
      const args = checkBatchEntries(entries);
      // a malformed entry fails the whole request, as AWS does
      const total = args.reduce((sum, a) => sum + checkMessage(topic, a), 0);
      if (total > MAX_MESSAGE_BYTES)
        throw new ServiceError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
      const Successful: PublishBatchResultEntry[] = entries.map((e, i) => {
        const out = p.publishToTopic(store, topic, args[i]);
        return { Id: e.Id, MessageId: out.messageId, ...(out.seq ? { SequenceNumber: out.seq } : {}) };
      });
      return { Successful, Failed: [] };
    },
  };
}

/** What SNS offers other services (S3 notifications, EventBridge targets, …). */
export function snsIntegration(s: SnsState, p: Publisher): void {
  s.rt.integrations.sns = {
    async publish(arn, message, opts = {}) {
      const ref = parseTopicArn(arn);
      const store = s.store(ref.account, ref.region);
      const topic = store.topics.get(ref.name);
      if (!topic) throw topicNotFound();
      const args: PublishArgs = {
        message,
        subject: opts.subject,
        attributes: opts.attributes,
        groupId: opts.messageGroupId,
        dedupId: opts.deduplicationId,
      };
      checkMessage(topic, args);
      return { messageId: p.publishToTopic(store, topic, args).messageId };
    },
    topicExists: (arn) => s.topicByArn(arn) !== undefined,
  };
}
