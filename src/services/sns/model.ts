// SNS state: topics, subscriptions, confirmation tokens and FIFO deduplication records, per
// account and region; ARN parsing; the attributes SNS reports for topics and subscriptions.
import type { Collection } from '../../kit.js';
import type { Tag } from '../../generated/sns.js';
import { ServiceError } from '../../kit.js';

export interface TopicRecord {
  arn: string;
  name: string;
  owner: string;
  fifo: boolean;
  /** attributes as the user set them (Policy, DisplayName, DeliveryPolicy, …) */
  attributes: Record<string, string>;
  tags: Tag[];
  /** SubscriptionsDeleted */
  deleted: number;
  /** last FIFO sequence number handed out */
  seq: number;
}

export interface SubRecord {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  owner: string;
  /** DeliveryPolicy, FilterPolicy, FilterPolicyScope, RawMessageDelivery, RedrivePolicy, … as set */
  attributes: Record<string, string>;
  pending: boolean;
  authenticated: boolean;
  token: string;
  /** virtual ms of Subscribe: confirmation tokens are valid for three days */
  createdAt?: number;
  /** the ARN of the identity that subscribed (older records lack it: the owner account's root) */
  principal?: string;
  /** the Nimbus URL the subscriber reached us by: SubscribeURL, UnsubscribeURL and SigningCertURL point there */
  baseUrl: string;
}

export interface DedupRecord {
  messageId: string;
  seq: string;
  at: number;
}

export interface AppRecord {
  arn: string;
  attributes: Record<string, string>;
}

export interface EndpointRecord {
  arn: string;
  appArn: string;
  /** Token, Enabled, CustomUserData */
  attributes: Record<string, string>;
}

export interface SnsStore {
  /** key: topic name */
  topics: Collection<TopicRecord>;
  /** key: `<topic name>/<subscription id>`, so a topic's subscriptions are one prefix scan */
  subs: Collection<SubRecord>;
  /** confirmation token → subscription key */
  tokens: Collection<string>;
  /** `<topic name>/<deduplication id>` → the message first published with it (FIFO topics) */
  dedup: Collection<DedupRecord>;
  /** key: `<platform>/<name>` */
  apps: Collection<AppRecord>;
  /** key: `<platform>/<application name>/<id>` */
  endpoints: Collection<EndpointRecord>;
  /** SetSMSAttributes, under the key `attributes` */
  sms: Collection<Record<string, string>>;
  /** SMS sandbox phone numbers */
  sandbox: Collection<{ status: 'Pending' | 'Verified'; code: string }>;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/;
const SUB_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256}):([0-9a-f-]{36})$/;

export interface TopicRef {
  region: string;
  account: string;
  name: string;
}
export interface SubRef extends TopicRef {
  id: string;
  key: string;
}

export function parseTopicArn(arn: string | undefined, param = 'TopicArn'): TopicRef {
  const m = arn ? TOPIC_ARN.exec(arn) : null;
  if (!m) {
    const parts = (arn ?? '').split(':').length;
    throw new ServiceError(
      'InvalidParameter',
      parts < 6 ? `Invalid parameter: ${param} Reason: An ARN must have at least 6 elements, not ${parts}` : `Invalid parameter: ${param}`,
    );
  }
  return { region: m[1], account: m[2], name: m[3] };
}

/** undefined for a well-formed ARN of another shape (Unsubscribe is then a no-op) */
export function parseSubArn(arn: string): SubRef | undefined {
  const m = SUB_ARN.exec(arn);
  if (!m) {
    const parts = arn.split(':').length;
    if (parts < 6)
      throw new ServiceError(
        'InvalidParameter',
        `Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not ${parts}`,
      );
    return undefined;
  }
  return { region: m[1], account: m[2], name: m[3], id: m[4], key: `${m[3]}/${m[4]}` };
}

export const topicArn = (region: string, account: string, name: string) => `arn:aws:sns:${region}:${account}:${name}`;

export const DEFAULT_HTTP_RETRY = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: 'linear',
};

export function defaultPolicy(t: TopicRecord): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: t.arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': t.owner } },
      },
    ],
  });
}

function parseJsonObject(text: string | undefined): Record<string, any> | undefined {
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : undefined;
  } catch {
    return undefined;
  }
}

/** The topic's DeliveryPolicy merged over SNS's defaults. */
export function effectiveTopicDeliveryPolicy(t: TopicRecord): Record<string, any> {
  const set = parseJsonObject(t.attributes.DeliveryPolicy)?.http ?? {};
  return {
    http: {
      defaultHealthyRetryPolicy: { ...DEFAULT_HTTP_RETRY, ...(set.defaultHealthyRetryPolicy ?? {}) },
      disableSubscriptionOverrides: set.disableSubscriptionOverrides ?? false,
      ...(set.defaultThrottlePolicy ? { defaultThrottlePolicy: set.defaultThrottlePolicy } : {}),
      defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8', ...(set.defaultRequestPolicy ?? {}) },
    },
  };
}

/** What applies to one HTTP/S subscription: its own policy unless the topic disables overrides. */
export function effectiveSubDeliveryPolicy(t: TopicRecord | undefined, s: SubRecord): Record<string, any> {
  const topic = t
    ? effectiveTopicDeliveryPolicy(t).http
    : { defaultHealthyRetryPolicy: DEFAULT_HTTP_RETRY, defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' } };
  const own = topic.disableSubscriptionOverrides ? {} : (parseJsonObject(s.attributes.DeliveryPolicy) ?? {});
  return {
    healthyRetryPolicy: { ...topic.defaultHealthyRetryPolicy, ...(own.healthyRetryPolicy ?? {}) },
    ...(own.throttlePolicy ? { throttlePolicy: own.throttlePolicy } : {}),
    requestPolicy: { ...topic.defaultRequestPolicy, ...(own.requestPolicy ?? {}) },
    guaranteed: false,
  };
}

export function topicAttributes(t: TopicRecord, subs: SubRecord[]): Record<string, string> {
  const pending = subs.filter((s) => s.pending).length;
  const { FifoTopic: _f, ContentBasedDeduplication: cbd, ...rest } = t.attributes;
  return {
    Policy: defaultPolicy(t),
    DisplayName: '',
    ...rest,
    Owner: t.owner,
    SubscriptionsPending: String(pending),
    TopicArn: t.arn,
    EffectiveDeliveryPolicy: JSON.stringify(effectiveTopicDeliveryPolicy(t)),
    SubscriptionsConfirmed: String(subs.length - pending),
    SubscriptionsDeleted: String(t.deleted),
    ...(t.fifo ? { FifoTopic: 'true', ContentBasedDeduplication: cbd ?? 'false' } : {}),
  };
}

export function subscriptionAttributes(s: SubRecord, topic: TopicRecord | undefined): Record<string, string> {
  const { FilterPolicyScope, FilterPolicy, ...rest } = s.attributes;
  return {
    ...rest,
    ConfirmationWasAuthenticated: String(s.authenticated),
    Endpoint: s.endpoint,
    Owner: s.owner,
    PendingConfirmation: String(s.pending),
    Protocol: s.protocol,
    RawMessageDelivery: s.attributes.RawMessageDelivery ?? 'false',
    SubscriptionArn: s.arn,
    SubscriptionPrincipal: s.principal ?? `arn:aws:iam::${s.owner}:root`,
    TopicArn: s.topicArn,
    ...(FilterPolicy ? { FilterPolicy, FilterPolicyScope: FilterPolicyScope ?? 'MessageAttributes' } : {}),
    ...(s.protocol === 'http' || s.protocol === 'https'
      ? { EffectiveDeliveryPolicy: JSON.stringify(effectiveSubDeliveryPolicy(topic, s)) }
      : {}),
  };
}
