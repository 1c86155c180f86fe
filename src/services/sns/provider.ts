// Amazon SNS: topics (standard and FIFO), subscriptions, Publish/PublishBatch with filter policies,
// fan-out to SQS, HTTP/S, Lambda and recorded endpoints (GET /_nimbus/sns/outbox).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { RequestContext } from '../types.js';
import type {
  SnsProvider, MessageAttributeValue, PublishBatchRequestEntry, Tag, Subscription, PublishBatchResultEntry,
} from '../../generated/sns.js';
import { ServiceError } from '../errors.js';
import { publicBaseUrl } from '../../kit.js';
import {
  type SnsStore, type TopicRecord, type SubRecord,
  parseTopicArn, parseSubArn, topicArn as makeTopicArn, topicAttributes, subscriptionAttributes, defaultPolicy,
} from './model.js';
import { parseFilterPolicy, matchesAttributes, matchesBody, type FilterScope } from './filter.js';
import { platformHandlers, findEndpoint } from './platform.js';
import { Delivery, contentFor, structureKey, envelopeAttributes, CERT_PATH, type Notification, type OutboxRecord } from './delivery.js';

const invalid = (msg: string) => new ServiceError('InvalidParameter', `Invalid parameter: ${msg}`);
const invalidValue = (msg: string) => new ServiceError('ParameterValueInvalid', msg);
const topicNotFound = () => new ServiceError('NotFound', 'Topic does not exist');
const subNotFound = () => new ServiceError('NotFound', 'Subscription does not exist');

const PAGE = 100;
const MAX_MESSAGE_BYTES = 256 * 1024;
const DEDUP_WINDOW_MS = 5 * 60_000;
const TOKEN_LIFETIME_MS = 3 * 86_400_000;
const PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']);
const NEEDS_CONFIRMATION = new Set(['http', 'https', 'email', 'email-json']);
const SUB_ATTRIBUTES = new Set(['DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'SubscriptionRoleArn', 'ReplayPolicy']);
const FEEDBACK = ['HTTP', 'Application', 'Firehose', 'Lambda', 'SQS'].flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]);
const TOPIC_ATTRIBUTES = new Set(['Policy', 'DisplayName', 'DeliveryPolicy', 'KmsMasterKeyId', 'TracingConfig', 'SignatureVersion', 'FifoTopic',
  'ContentBasedDeduplication', 'ArchivePolicy', 'FifoThroughputScope', 'DataProtectionPolicy', 'BeginningArchiveTime', ...FEEDBACK]);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'ArchivePolicy', 'FifoThroughputScope']);

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/;
const FIREHOSE_ARN = /^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[A-Za-z0-9_.-]+$/;
const APP_ENDPOINT_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/.+$/;
const E164 = /^\+?[1-9]\d{1,14}$/;
const ATTR_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTR_TYPE = /^(String|Number|Binary)(\..+)?$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

const encodeToken = (key: string) => Buffer.from(key).toString('base64url');
function decodeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const key = Buffer.from(token, 'base64url').toString();
  if (!key || encodeToken(key) !== token) throw invalid('NextToken');
  return key;
}

const boolAttr = (v: string) => v.toLowerCase() === 'true';

function checkJson(name: string, value: string, prefix = 'Invalid parameter: '): void {
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v !== 'object' || v === null) throw new Error();
  } catch {
    throw new ServiceError('InvalidParameter', `${prefix}${name}: failed to parse JSON.`);
  }
}

/** The Host the caller reached Nimbus by: SubscribeURL and UnsubscribeURL point back there. */
function baseUrlOf(ctx: RequestContext): string {
  const host = ctx.headers.host;
  return `http://${typeof host === 'string' && host ? host : '127.0.0.1:4566'}`;
}

interface PublishArgs {
  message: string;
  subject?: string;
  structure?: string;
  attributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  dedupId?: string;
}

function create(rt: Runtime): SnsProvider {
  const stores = rt.stores<SnsStore>('sns', (scope) => ({
    topics: scope.collection('topics'),
    subs: scope.collection('subs'),
    tokens: scope.collection('tokens'),
    dedup: scope.collection('dedup'),
    apps: scope.collection('apps'),
    endpoints: scope.collection('endpoints'),
    sms: scope.collection('sms'),
    sandbox: scope.collection('sandbox'),
  }));

  const topicByArn = (arn: string): TopicRecord | undefined => {
    try {
      const ref = parseTopicArn(arn);
      return stores.get(ref.account, ref.region).topics.get(ref.name);
    } catch {
      return undefined;
    }
  };
  const subKey = (s: SubRecord) => parseSubArn(s.arn)!;
  const delivery = new Delivery(rt, topicByArn, (s) => {
    const ref = subKey(s);
    return stores.get(ref.account, ref.region).subs.has(ref.key);
  });

  /** The topic an ARN names, in the caller's region (cross-account ARNs are followed). */
  function getTopic(arn: string | undefined, ctx: RequestContext, param = 'TopicArn'): { store: SnsStore; topic: TopicRecord } {
    const ref = parseTopicArn(arn, param);
    if (ref.region !== ctx.region) throw invalid(param);
    const store = stores.get(ref.account, ref.region);
    const topic = store.topics.get(ref.name);
    if (!topic) throw topicNotFound();
    return { store, topic };
  }

  function getSub(arn: string): { store: SnsStore; sub: SubRecord; key: string } {
    const ref = parseSubArn(arn);
    if (!ref) throw subNotFound();
    const store = stores.get(ref.account, ref.region);
    const sub = store.subs.get(ref.key);
    if (!sub) throw subNotFound();
    return { store, sub, key: ref.key };
  }

  const subsOf = (store: SnsStore, topic: TopicRecord) => [...store.subs.scan({ prefix: topic.name + '/' })].map(([, s]) => s);

  // ---- attribute validation ----

  function checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
    if (!TOPIC_ATTRIBUTES.has(name) || (name === 'FifoTopic' && !creating)) throw invalid('AttributeName');
    if (FIFO_ONLY.has(name) && !fifo) throw invalid(`${name} Reason: ${name} is only available for FIFO topics`);
    switch (name) {
      case 'Policy': case 'DeliveryPolicy': case 'DataProtectionPolicy': case 'ArchivePolicy':
        if (value !== '' || name === 'Policy') checkJson(name, value);
        return;
      case 'FifoTopic': case 'ContentBasedDeduplication':
        if (!/^(true|false)$/i.test(value)) throw invalid(`${name}: Invalid value [${value}]. Must be true or false.`);
        return;
      case 'SignatureVersion':
        if (value !== '1' && value !== '2') throw invalid('SignatureVersion');
        return;
      case 'TracingConfig':
        if (value !== 'PassThrough' && value !== 'Active') throw invalid('TracingConfig');
        return;
      case 'FifoThroughputScope':
        if (value !== 'Topic' && value !== 'MessageGroup') throw invalid('FifoThroughputScope');
        return;
      case 'DisplayName':
        if (value.length > 100) throw invalid('DisplayName');
        return;
    }
  }

  function checkSubAttribute(name: string, value: string, sub: { protocol: string; endpoint: string; topicArn: string; attributes: Record<string, string> }, subscribing: boolean): void {
    const prefix = subscribing ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
    const fail = (m: string) => new ServiceError('InvalidParameter', prefix + m);
    if (!SUB_ATTRIBUTES.has(name)) throw fail('AttributeName');
    switch (name) {
      case 'RawMessageDelivery':
        if (!/^(true|false)$/i.test(value)) throw fail(`RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
        if (!['sqs', 'http', 'https', 'firehose'].includes(sub.protocol)) throw fail(`Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
        return;
      case 'FilterPolicyScope':
        if (value !== 'MessageAttributes' && value !== 'MessageBody') {
          throw fail(`FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
        }
        if (sub.attributes.FilterPolicy) parseFilterPolicy(sub.attributes.FilterPolicy, value, prefix);
        return;
      case 'FilterPolicy':
        parseFilterPolicy(value, (sub.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope, prefix);
        return;
      case 'DeliveryPolicy':
        checkJson('DeliveryPolicy', value, prefix);
        return;
      case 'RedrivePolicy': {
        let dlq: unknown;
        try {
          dlq = (JSON.parse(value) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
        } catch {
          throw fail('RedrivePolicy: failed to parse JSON.');
        }
        if (typeof dlq !== 'string' || !SQS_ARN.test(dlq)) throw fail('RedrivePolicy: deadLetterTargetArn is an invalid arn');
        if (sub.topicArn.endsWith('.fifo') && sub.endpoint.endsWith('.fifo') && !dlq.endsWith('.fifo')) {
          throw fail('RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.');
        }
        return;
      }
    }
  }

  function checkMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): number {
    let size = 0;
    for (const [name, a] of Object.entries(attrs ?? {})) {
      if (Buffer.byteLength(name) > 256) throw invalidValue('Length of message attribute name must be less than 256 bytes.');
      if (!ATTR_NAME.test(name)) {
        const bad = [...name].find((c) => !/[A-Za-z0-9_.-]/.test(c));
        if (bad) throw invalidValue(`Invalid non-alphanumeric character '#x${bad.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`);
      }
      if (name.startsWith('.')) throw invalidValue("Invalid message attribute name starting with character '.' was found.");
      if (name.endsWith('.')) throw invalidValue("Invalid message attribute name ending with character '.' was found.");
      if (name.includes('..')) throw invalidValue("Message attribute name can not have successive '.' character.");
      if (/^(aws\.|amazon\.)/i.test(name)) throw invalidValue(`The message attribute name '${name}' is reserved for use by Amazon.`);
      const type = a.DataType;
      if (!ATTR_TYPE.test(type)) throw invalidValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
      const binary = type.startsWith('Binary');
      if (binary ? a.BinaryValue === undefined : a.StringValue === undefined) {
        if (binary ? a.StringValue !== undefined : a.BinaryValue !== undefined) {
          throw invalidValue(`The message attribute '${name}' with type '${type}' must use field '${binary ? 'Binary' : 'String'}'.`);
        }
        throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      }
      if (!binary && a.StringValue === '' || binary && a.BinaryValue!.length === 0) {
        throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      }
      if (type.startsWith('Number') && !/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(a.StringValue!)) {
        throw invalidValue(`Could not cast message attribute '${name}' value to number.`);
      }
      if (type === 'String.Array') {
        let ok = false;
        try {
          const v: unknown = JSON.parse(a.StringValue!);
          ok = Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
        } catch { /* not JSON */ }
        if (!ok) throw invalidValue(`The message attribute '${name}' with type 'String.Array' has an invalid value: the value must be a JSON array of strings, numbers, true, false or null.`);
      }
      size += Buffer.byteLength(name) + Buffer.byteLength(type) + (binary ? a.BinaryValue!.length : Buffer.byteLength(a.StringValue!));
    }
    return size;
  }

  /** Validates one message (Publish or a batch entry) and returns its size in bytes. */
  function checkMessage(topic: TopicRecord | undefined, m: PublishArgs): number {
    if (m.message === undefined || m.message === '') throw invalid('Empty message');
    if (m.subject !== undefined && (m.subject === '' || m.subject.length >= 100 || !/^[\x20-\x7e]+$/.test(m.subject) || /^\s/.test(m.subject))) {
      throw invalid('Subject');
    }
    if (m.structure !== undefined) {
      if (m.structure !== 'json') throw invalid('MessageStructure');
      let parsed: unknown;
      try {
        parsed = JSON.parse(m.message);
      } catch {
        throw invalid('Message Structure - JSON message body failed to parse');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('Message Structure - JSON message body failed to parse');
      if (typeof (parsed as Record<string, unknown>).default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
    }
    const size = Buffer.byteLength(m.message) + checkMessageAttributes(m.attributes);
    if (size > MAX_MESSAGE_BYTES) throw invalid('Message too long');
    if (topic?.fifo) {
      if (!m.groupId) throw invalid('The MessageGroupId parameter is required for FIFO topics');
      if (!m.dedupId && !boolAttr(topic.attributes.ContentBasedDeduplication ?? 'false')) {
        throw invalid('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
    } else if (topic && m.dedupId !== undefined) {
      throw invalid('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    for (const [v, what] of [[m.groupId, 'MessageGroupId'], [m.dedupId, 'MessageDeduplicationId']] as const) {
      if (v !== undefined && !/^[\x21-\x7e]{1,128}$/.test(v)) throw invalid(`${what} Reason: ${what} must be 1 to 128 characters of alphanumeric and punctuation`);
    }
    return size;
  }

  // ---- publishing ----

  const policies = new Map<string, ReturnType<typeof parseFilterPolicy>>();
  function accepts(sub: SubRecord, n: Notification): boolean {
    const text = sub.attributes.FilterPolicy;
    if (!text) return true;
    const scope = (sub.attributes.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
    const key = scope + text;
    let policy = policies.get(key);
    if (!policies.has(key)) {
      if (policies.size > 1000) policies.clear();
      policy = parseFilterPolicy(text, scope, '');
      policies.set(key, policy);
    }
    if (!policy) return true;
    return scope === 'MessageBody' ? matchesBody(policy, contentFor(n, sub.protocol)) : matchesAttributes(policy, n.attributes);
  }

  let fifoPublishes = 0;
  /** Publishes a validated message to a topic: FIFO deduplication and ordering, filter policies, fan-out. */
  function publishToTopic(store: SnsStore, topic: TopicRecord, m: PublishArgs): { messageId: string; seq?: string } {
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
      timestamp: rt.clock.now().toISOString(),
      fifo: topic.fifo,
      groupId: m.groupId,
    };
    return rt.engine.transaction(() => {
      if (topic.fifo) {
        const dedupId = m.dedupId ?? createHash('sha256').update(m.message).digest('hex');
        const dkey = `${topic.name}/${dedupId}`;
        const seen = store.dedup.get(dkey);
        const now = rt.clock.nowMs();
        if (seen && now - seen.at < DEDUP_WINDOW_MS) return { messageId: seen.messageId, seq: seen.seq };
        // now and then, forget the topic's deduplication ids older than the window
        if (++fifoPublishes % 1000 === 0) {
          for (const [k, d] of [...store.dedup.scan({ prefix: topic.name + '/' })]) if (now - d.at >= DEDUP_WINDOW_MS) store.dedup.delete(k);
        }
        const fresh = store.topics.get(topic.name) ?? topic;
        fresh.seq += 1;
        store.topics.put(topic.name, fresh);
        n.seq = (10n ** 19n + BigInt(fresh.seq)).toString();
        n.dedupId = dedupId;
        store.dedup.put(dkey, { messageId: n.messageId, seq: n.seq, at: now });
      }
      for (const sub of subsOf(store, topic)) {
        if (sub.pending || !accepts(sub, n)) continue;
        delivery.deliver(n, sub, ref.account, ref.region);
      }
      return { messageId: n.messageId, seq: n.seq };
    });
  }

  function sendConfirmation(sub: SubRecord, type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'): void {
    const ref = parseTopicArn(sub.topicArn);
    const text = type === 'SubscriptionConfirmation'
      ? `You have chosen to subscribe to the topic ${sub.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
      : `You have chosen to deactivate subscription ${sub.arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
    const n: Notification = {
      type, messageId: randomUUID(), topicArn: sub.topicArn, message: text, timestamp: rt.clock.now().toISOString(), fifo: false, token: sub.token,
    };
    delivery.deliver(n, sub, ref.account, ref.region);
  }

  // ---- integrations and admin routes ----

  rt.integrations.sns = {
    async publish(arn, message, opts = {}) {
      const ref = parseTopicArn(arn);
      const store = stores.get(ref.account, ref.region);
      const topic = store.topics.get(ref.name);
      if (!topic) throw topicNotFound();
      const args: PublishArgs = { message, subject: opts.subject, attributes: opts.attributes, groupId: opts.messageGroupId, dedupId: opts.deduplicationId };
      checkMessage(topic, args);
      return { messageId: publishToTopic(store, topic, args).messageId };
    },
    topicExists: (arn) => topicByArn(arn) !== undefined,
  };

  const outboxFilter = (q: URLSearchParams) => (r: OutboxRecord) =>
    ['protocol', 'endpoint', 'topicArn', 'subscriptionArn', 'account', 'region', 'type'].every((k) => !q.has(k) || q.get(k) === r[k as keyof OutboxRecord]);
  rt.admin.route('GET /_nimbus/sns/outbox', ({ query }) => ({
    body: { messages: [...delivery.outbox.scan()].map(([, r]) => r).filter(outboxFilter(query)) },
  }));
  rt.admin.route('DELETE /_nimbus/sns/outbox', ({ query }) => {
    const keep = outboxFilter(query);
    // collect first: the store cannot be written while a scan is open
    for (const [k, r] of [...delivery.outbox.scan()]) if (keep(r)) delivery.outbox.delete(k);
    return {};
  });
  rt.admin.route(`GET ${CERT_PATH}`, () => ({ body: delivery.publicKey(), contentType: 'application/x-pem-file' }));

  return {
    ...platformHandlers(stores),

    // ---- topics ----

    CreateTopic: ({ Name, Attributes = {}, Tags, DataProtectionPolicy }, ctx) => {
      const fifo = boolAttr(Attributes.FifoTopic ?? 'false');
      if (fifo && !/^[A-Za-z0-9_-]{1,251}\.fifo$/.test(Name)) {
        throw invalid('Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.');
      }
      if (!fifo && !/^[A-Za-z0-9_-]{1,256}$/.test(Name)) throw invalid('Topic Name');
      for (const [k, v] of Object.entries(Attributes)) checkTopicAttribute(k, v, fifo, true);
      checkTags(Tags ?? []);
      const attributes = { ...Attributes };
      delete attributes.FifoTopic;
      if (DataProtectionPolicy !== undefined) attributes.DataProtectionPolicy = DataProtectionPolicy;
      const store = stores.get(ctx.account, ctx.region);
      const arn = makeTopicArn(ctx.region, ctx.account, Name);
      return rt.engine.transaction(() => {
        const existing = store.topics.get(Name);
        if (existing) {
          // CreateTopic is idempotent for the same name and settings
          const differs = Object.entries(attributes).some(([k, v]) => (existing.attributes[k] ?? (k === 'Policy' ? defaultPolicy(existing) : undefined)) !== v);
          if (differs) throw invalid('Attributes Reason: Topic already exists with different attributes');
          const tagsDiffer = (Tags ?? []).some((t) => !existing.tags.some((e) => e.Key === t.Key && e.Value === t.Value));
          if (tagsDiffer) throw invalid('Tags Reason: Topic already exists with different tags');
          return { TopicArn: existing.arn };
        }
        store.topics.put(Name, { arn, name: Name, owner: ctx.account, fifo, attributes, tags: dedupeTags([], Tags ?? []), deleted: 0, seq: 0 });
        return { TopicArn: arn };
      });
    },

    GetTopicAttributes: ({ TopicArn }, ctx) => {
      const { store, topic } = getTopic(TopicArn, ctx);
      return { Attributes: topicAttributes(topic, subsOf(store, topic)) };
    },

    SetTopicAttributes: ({ TopicArn, AttributeName, AttributeValue = '' }, ctx) => {
      const { store, topic } = getTopic(TopicArn, ctx);
      checkTopicAttribute(AttributeName, AttributeValue, topic.fifo, false);
      if (AttributeValue === '' && AttributeName !== 'DisplayName') delete topic.attributes[AttributeName];
      else topic.attributes[AttributeName] = AttributeValue;
      store.topics.put(topic.name, topic);
    },

    ListTopics: ({ NextToken }, ctx) => {
      const store = stores.get(ctx.account, ctx.region);
      const page = [...store.topics.scan({ after: decodeToken(NextToken), limit: PAGE + 1 })];
      const more = page.length > PAGE;
      const items = page.slice(0, PAGE);
      return {
        Topics: items.map(([, t]) => ({ TopicArn: t.arn })),
        ...(more ? { NextToken: encodeToken(items[items.length - 1][0]) } : {}),
      };
    },

    DeleteTopic: ({ TopicArn }, ctx) => {
      const ref = parseTopicArn(TopicArn);
      if (ref.region !== ctx.region) throw invalid('TopicArn');
      const store = stores.get(ref.account, ref.region);
      // deleting a topic that does not exist is not an error
      rt.engine.transaction(() => {
        for (const [k, s] of [...store.subs.scan({ prefix: ref.name + '/' })]) {
          store.tokens.delete(s.token);
          store.subs.delete(k);
        }
        store.dedup.clear(ref.name + '/');
        store.topics.delete(ref.name);
      });
    },

    AddPermission: ({ TopicArn, Label, AWSAccountId, ActionName }, ctx) => {
      const { store, topic } = getTopic(TopicArn, ctx);
      const policy = JSON.parse(topic.attributes.Policy ?? defaultPolicy(topic)) as { Statement: Array<{ Sid?: string }> };
      if (policy.Statement.some((s) => s.Sid === Label)) throw invalid('Statement already exists');
      if (!ActionName.length || !AWSAccountId.length) throw invalid(!ActionName.length ? 'ActionName' : 'AWSAccountId');
      policy.Statement.push({
        Sid: Label,
        Effect: 'Allow',
        Principal: { AWS: AWSAccountId.length === 1 ? `arn:aws:iam::${AWSAccountId[0]}:root` : AWSAccountId.map((a) => `arn:aws:iam::${a}:root`) },
        Action: ActionName.length === 1 ? `SNS:${ActionName[0]}` : ActionName.map((a) => `SNS:${a}`),
        Resource: topic.arn,
      } as { Sid: string });
      topic.attributes.Policy = JSON.stringify(policy);
      store.topics.put(topic.name, topic);
    },

    RemovePermission: ({ TopicArn, Label }, ctx) => {
      const { store, topic } = getTopic(TopicArn, ctx);
      const policy = JSON.parse(topic.attributes.Policy ?? defaultPolicy(topic)) as { Statement: Array<{ Sid?: string }> };
      policy.Statement = policy.Statement.filter((s) => s.Sid !== Label);
      topic.attributes.Policy = JSON.stringify(policy);
      store.topics.put(topic.name, topic);
    },

    GetDataProtectionPolicy: ({ ResourceArn }, ctx) => {
      const { topic } = getTopic(ResourceArn, ctx, 'ResourceArn');
      return { DataProtectionPolicy: topic.attributes.DataProtectionPolicy ?? '' };
    },

    PutDataProtectionPolicy: ({ ResourceArn, DataProtectionPolicy }, ctx) => {
      const { store, topic } = getTopic(ResourceArn, ctx, 'ResourceArn');
      checkJson('DataProtectionPolicy', DataProtectionPolicy);
      topic.attributes.DataProtectionPolicy = DataProtectionPolicy;
      store.topics.put(topic.name, topic);
    },

    // ---- tags ----

    TagResource: ({ ResourceArn, Tags }, ctx) => {
      const { store, topic } = taggable(ResourceArn, ctx);
      checkTags(Tags);
      const tags = dedupeTags(topic.tags, Tags);
      if (tags.length > 50) throw new ServiceError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
      topic.tags = tags;
      store.topics.put(topic.name, topic);
      return {};
    },

    UntagResource: ({ ResourceArn, TagKeys }, ctx) => {
      const { store, topic } = taggable(ResourceArn, ctx);
      topic.tags = topic.tags.filter((t) => !TagKeys.includes(t.Key));
      store.topics.put(topic.name, topic);
      return {};
    },

    ListTagsForResource: ({ ResourceArn }, ctx) => ({ Tags: taggable(ResourceArn, ctx).topic.tags }),

    // ---- subscriptions ----

    Subscribe: ({ TopicArn, Protocol, Endpoint, Attributes = {}, ReturnSubscriptionArn }, ctx) => {
      const { store, topic } = getTopic(TopicArn, ctx);
      if (!PROTOCOLS.has(Protocol)) throw invalid(`Amazon SNS does not support this protocol string: ${Protocol}`);
      if (Endpoint === undefined || Endpoint === '') throw invalid('Endpoint');
      checkEndpoint(Protocol, Endpoint, topic);
      if (Protocol === 'application' && !findEndpoint(stores, Endpoint)) throw new ServiceError('NotFound', 'Endpoint does not exist');
      const draft = { protocol: Protocol, endpoint: Endpoint, topicArn: topic.arn, attributes: {} as Record<string, string> };
      // FilterPolicyScope first: the policy is checked against the scope it will have
      const ordered = Object.entries(Attributes).sort(([a], [b]) => (a === 'FilterPolicyScope' ? -1 : b === 'FilterPolicyScope' ? 1 : 0));
      for (const [k, v] of ordered) {
        checkSubAttribute(k, v, draft, true);
        draft.attributes[k] = k === 'RawMessageDelivery' ? v.toLowerCase() : v;
      }

      return rt.engine.transaction(() => {
        // one subscription per topic, protocol and endpoint: subscribing again returns it
        const same = subsOf(store, topic).find((s) => s.protocol === Protocol && s.endpoint === Endpoint);
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
      const store = stores.get(ref.account, ref.region);
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
      const store = stores.get(ref.account, ref.region);
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
      const { sub } = getSub(SubscriptionArn);
      return { Attributes: subscriptionAttributes(sub, topicByArn(sub.topicArn)) };
    },

    SetSubscriptionAttributes: ({ SubscriptionArn, AttributeName, AttributeValue = '' }) => {
      const { store, sub, key } = getSub(SubscriptionArn);
      if (AttributeName === 'FilterPolicy' && AttributeValue.trim() === '') {
        delete sub.attributes.FilterPolicy; // an empty policy removes filtering
      } else {
        checkSubAttribute(AttributeName, AttributeValue, sub, false);
        sub.attributes[AttributeName] = AttributeName === 'RawMessageDelivery' ? AttributeValue.toLowerCase() : AttributeValue;
      }
      store.subs.put(key, sub);
    },

    ListSubscriptions: ({ NextToken }, ctx) => listSubs(stores.get(ctx.account, ctx.region), '', NextToken),

    ListSubscriptionsByTopic: ({ TopicArn, NextToken }, ctx) => {
      const { store, topic } = getTopic(TopicArn, ctx);
      return listSubs(store, topic.name + '/', NextToken);
    },

    // ---- publishing ----

    Publish: (input, ctx) => {
      const args: PublishArgs = {
        message: input.Message, subject: input.Subject, structure: input.MessageStructure,
        attributes: input.MessageAttributes, groupId: input.MessageGroupId, dedupId: input.MessageDeduplicationId,
      };
      if (input.PhoneNumber !== undefined) {
        if (input.TopicArn || input.TargetArn) throw invalid('Only one of TopicArn, TargetArn or PhoneNumber can be specified');
        if (!E164.test(input.PhoneNumber)) throw invalid(`PhoneNumber Reason: ${input.PhoneNumber} is not valid to publish to`);
        checkMessage(undefined, args);
        return { MessageId: recordDirect(ctx, 'sms', input.PhoneNumber, args) };
      }
      const target = input.TopicArn ?? input.TargetArn;
      if (!target) throw invalid('TopicArn or TargetArn Reason: no value for required parameter');
      if (input.TopicArn && input.TargetArn) throw invalid('Only one of TopicArn, TargetArn or PhoneNumber can be specified');
      if (input.TargetArn && APP_ENDPOINT_ARN.test(input.TargetArn)) {
        const found = findEndpoint(stores, input.TargetArn);
        if (!found) throw invalid('TargetArn Reason: No endpoint found for the target arn specified');
        if (!boolAttr(found.endpoint.attributes.Enabled ?? 'true')) throw new ServiceError('EndpointDisabled', 'Endpoint is disabled');
        checkMessage(undefined, args);
        return { MessageId: recordDirect(ctx, 'application', input.TargetArn, args) };
      }
      const { store, topic } = getTopic(target, ctx, input.TopicArn ? 'TopicArn' : 'TargetArn');
      checkMessage(topic, args);
      const out = publishToTopic(store, topic, args);
      return { MessageId: out.messageId, ...(out.seq ? { SequenceNumber: out.seq } : {}) };
    },

    PublishBatch: ({ TopicArn, PublishBatchRequestEntries: entries }, ctx) => {
      const { store, topic } = getTopic(TopicArn, ctx);
      if (entries.length === 0) throw new ServiceError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
      if (entries.length > 10) throw new ServiceError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
      const ids = new Set(entries.map((e) => e.Id));
      if (ids.size !== entries.length) throw new ServiceError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      for (const e of entries) {
        if (!BATCH_ID.test(e.Id)) {
          throw new ServiceError('InvalidBatchEntryId', e.Id.length > 80
            ? `The Id of a batch entry in the batch request is too long: ${e.Id}`
            : `The Id of a batch entry in the batch request contains an impermissible character: ${e.Id}`);
        }
      }
      const args = entries.map((e: PublishBatchRequestEntry): PublishArgs => ({
        message: e.Message, subject: e.Subject, structure: e.MessageStructure, attributes: e.MessageAttributes, groupId: e.MessageGroupId, dedupId: e.MessageDeduplicationId,
      }));
      // a malformed entry fails the whole request, as AWS does
      const total = args.reduce((sum, a) => sum + checkMessage(topic, a), 0);
      if (total > MAX_MESSAGE_BYTES) throw new ServiceError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
      const Successful: PublishBatchResultEntry[] = entries.map((e, i) => {
        const out = publishToTopic(store, topic, args[i]);
        return { Id: e.Id, MessageId: out.messageId, ...(out.seq ? { SequenceNumber: out.seq } : {}) };
      });
      return { Successful, Failed: [] };
    },

    // ---- SMS settings and sandbox (recorded; nothing is sent) ----

    GetSMSSandboxAccountStatus: () => ({ IsInSandbox: false }),
    ListOriginationNumbers: () => ({ PhoneNumbers: [] }),
    CreateSMSSandboxPhoneNumber: ({ PhoneNumber, LanguageCode }, ctx) => {
      if (!E164.test(PhoneNumber)) throw invalid('PhoneNumber');
      // the one-time password goes out as an SMS: it is in the outbox
      const code = String(100000 + (randomBytes(4).readUInt32BE() % 900000));
      sandbox(ctx).put(PhoneNumber, { status: 'Pending', code });
      recordDirect(ctx, 'sms', PhoneNumber, { message: `Your Amazon SNS verification code is ${code}${LanguageCode && LanguageCode !== 'en-US' ? ` (${LanguageCode})` : ''}` });
      return {};
    },
    VerifySMSSandboxPhoneNumber: ({ PhoneNumber, OneTimePassword }, ctx) => {
      const rec = sandbox(ctx).get(PhoneNumber);
      if (!rec) throw new ServiceError('ResourceNotFound', 'Phone number does not exist');
      if (rec.status !== 'Verified' && rec.code !== OneTimePassword) throw new ServiceError('VerificationException', 'Invalid one-time password', undefined, { Status: 'Pending' });
      sandbox(ctx).put(PhoneNumber, { ...rec, status: 'Verified' });
      return {};
    },
    DeleteSMSSandboxPhoneNumber: ({ PhoneNumber }, ctx) => {
      if (!sandbox(ctx).delete(PhoneNumber)) throw new ServiceError('ResourceNotFound', 'Phone number does not exist');
      return {};
    },
    ListSMSSandboxPhoneNumbers: ({ NextToken, MaxResults }, ctx) => {
      const limit = MaxResults ?? 100;
      const items = [...sandbox(ctx).scan({ after: decodeToken(NextToken), limit: limit + 1 })];
      const page = items.slice(0, limit);
      return {
        PhoneNumbers: page.map(([PhoneNumber, r]) => ({ PhoneNumber, Status: r.status })),
        ...(items.length > limit ? { NextToken: encodeToken(page[page.length - 1][0]) } : {}),
      };
    },

    CheckIfPhoneNumberIsOptedOut: ({ phoneNumber }) => {
      if (!E164.test(phoneNumber)) throw invalid('PhoneNumber');
      return { isOptedOut: false };
    },
    ListPhoneNumbersOptedOut: () => ({ phoneNumbers: [] }),
    OptInPhoneNumber: () => ({}),
    GetSMSAttributes: ({ attributes }, ctx) => {
      const all = stores.get(ctx.account, ctx.region).sms.get('attributes') ?? {};
      return { attributes: attributes?.length ? Object.fromEntries(Object.entries(all).filter(([k]) => attributes.includes(k))) : all };
    },
    SetSMSAttributes: ({ attributes }, ctx) => {
      const c = stores.get(ctx.account, ctx.region).sms;
      c.put('attributes', { ...(c.get('attributes') ?? {}), ...attributes });
      return {};
    },
  };

  // ---- helpers that need the stores ----

  function sandbox(ctx: RequestContext) {
    return stores.get(ctx.account, ctx.region).sandbox;
  }

  function taggable(arn: string, ctx: RequestContext) {
    try {
      return getTopic(arn, ctx, 'ResourceArn');
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'NotFound') throw new ServiceError('ResourceNotFound', 'Resource does not exist');
      throw e;
    }
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

  /** Publish straight to a phone number or a mobile endpoint: recorded in the outbox. */
  function recordDirect(ctx: RequestContext, protocol: string, endpoint: string, m: PublishArgs): string {
    const messageId = randomUUID();
    let message = m.message;
    if (m.structure === 'json') {
      const parsed = JSON.parse(m.message) as Record<string, string>;
      message = parsed[structureKey(protocol, endpoint)] ?? parsed.default;
    }
    delivery.record({
      id: randomUUID(), at: rt.clock.now().toISOString(), account: ctx.account, region: ctx.region, protocol, endpoint,
      type: 'Notification', messageId, message, ...(m.subject !== undefined && protocol !== 'sms' ? { subject: m.subject } : {}),
      ...(envelopeAttributes(m.attributes) ? { messageAttributes: envelopeAttributes(m.attributes) } : {}),
    });
    return messageId;
  }
}

function checkEndpoint(protocol: string, endpoint: string, topic: TopicRecord): void {
  switch (protocol) {
    case 'http':
    case 'https':
      if (!endpoint.toLowerCase().startsWith(`${protocol}://`)) throw invalid('Endpoint must match the specified protocol');
      try {
        new URL(endpoint);
      } catch {
        throw invalid('Endpoint');
      }
      break;
    case 'email':
    case 'email-json':
      if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalid('Email address');
      break;
    case 'sms':
      if (!E164.test(endpoint)) throw invalid(`SMS endpoint: ${endpoint}`);
      break;
    case 'sqs':
      if (!SQS_ARN.test(endpoint)) throw invalid('SQS endpoint ARN');
      if (endpoint.endsWith('.fifo') && !topic.fifo) {
        throw invalid('Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      }
      break;
    case 'lambda':
      if (!LAMBDA_ARN.test(endpoint)) throw invalid('Lambda endpoint ARN');
      break;
    case 'firehose':
      if (!FIREHOSE_ARN.test(endpoint)) throw invalid('Firehose endpoint ARN');
      break;
    case 'application':
      if (!APP_ENDPOINT_ARN.test(endpoint)) throw invalid('Endpoint');
      break;
  }
  // FIFO topics deliver to SQS queues only
  if (topic.fifo && protocol !== 'sqs') throw invalid(`Invalid protocol type: ${protocol}`);
}

function checkTags(tags: Tag[]): void {
  const keys = new Set(tags.map((t) => t.Key));
  if (keys.size !== tags.length) throw invalid('Duplicated keys are not allowed.');
  if (tags.length > 50) throw new ServiceError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
}

function dedupeTags(existing: Tag[], added: Tag[]): Tag[] {
  const map = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) map.set(t.Key, t.Value);
  return [...map].map(([Key, Value]) => ({ Key, Value }));
}

export const sns: ServiceDefinition = { name: 'sns', create };
