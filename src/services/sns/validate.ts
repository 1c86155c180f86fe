// SNS request rules that need no state: attribute values, message attributes, messages, endpoints,
// tags, batch ids and page tokens. Pure functions, each throwing the ServiceError SNS answers with.
import { ServiceError } from '../../kit.js';
import type { MessageAttributeValue, PublishBatchRequestEntry, Tag } from '../../generated/sns.js';
import type { TopicRecord } from './model.js';
import { parseFilterPolicy, type FilterScope } from './filter.js';

/** One message to publish: Publish's, a PublishBatch entry's, or another service's. */
export interface PublishArgs {
  message: string;
  subject?: string;
  structure?: string;
  attributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  dedupId?: string;
}

export const invalid = (msg: string) => new ServiceError('InvalidParameter', `Invalid parameter: ${msg}`);
const invalidValue = (msg: string) => new ServiceError('ParameterValueInvalid', msg);
export const topicNotFound = () => new ServiceError('NotFound', 'Topic does not exist');
export const subNotFound = () => new ServiceError('NotFound', 'Subscription does not exist');

export const PAGE = 100;
export const MAX_MESSAGE_BYTES = 256 * 1024;
export const DEDUP_WINDOW_MS = 5 * 60_000;
export const TOKEN_LIFETIME_MS = 3 * 86_400_000;
export const PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose']);
export const NEEDS_CONFIRMATION = new Set(['http', 'https', 'email', 'email-json']);
const SUB_ATTRIBUTES = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);
const FEEDBACK = ['HTTP', 'Application', 'Firehose', 'Lambda', 'SQS'].flatMap((p) => [
  `${p}SuccessFeedbackRoleArn`,
  `${p}SuccessFeedbackSampleRate`,
  `${p}FailureFeedbackRoleArn`,
]);
const TOPIC_ATTRIBUTES = new Set([
  'Policy',
  'DisplayName',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'TracingConfig',
  'SignatureVersion',
  'FifoTopic',
  'ContentBasedDeduplication',
  'ArchivePolicy',
  'FifoThroughputScope',
  'DataProtectionPolicy',
  'BeginningArchiveTime',
  ...FEEDBACK,
]);
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'ArchivePolicy', 'FifoThroughputScope']);

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/;
const FIREHOSE_ARN = /^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[A-Za-z0-9_.-]+$/;
export const APP_ENDPOINT_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:endpoint\/.+$/;
export const E164 = /^\+?[1-9]\d{1,14}$/;
const ATTR_NAME = /^[A-Za-z0-9_.-]+$/;
const ATTR_TYPE = /^(String|Number|Binary)(\..+)?$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

export const encodeToken = (key: string) => Buffer.from(key).toString('base64url');
export function decodeToken(token: string | undefined): string | undefined {
  if (!token) return undefined;
  const key = Buffer.from(token, 'base64url').toString();
  if (!key || encodeToken(key) !== token) throw invalid('NextToken');
  return key;
}

export const boolAttr = (v: string) => v.toLowerCase() === 'true';

export function checkJson(name: string, value: string, prefix = 'Invalid parameter: '): void {
  try {
    const v: unknown = JSON.parse(value);
    if (typeof v !== 'object' || v === null) throw new Error();
  } catch {
    throw new ServiceError('InvalidParameter', `${prefix}${name}: failed to parse JSON.`);
  }
}

export function checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  if (!TOPIC_ATTRIBUTES.has(name) || (name === 'FifoTopic' && !creating)) throw invalid('AttributeName');
  if (FIFO_ONLY.has(name) && !fifo) throw invalid(`${name} Reason: ${name} is only available for FIFO topics`);
  switch (name) {
    case 'Policy':
    case 'DeliveryPolicy':
    case 'DataProtectionPolicy':
    case 'ArchivePolicy':
      if (value !== '' || name === 'Policy') checkJson(name, value);
      return;
    case 'FifoTopic':
    case 'ContentBasedDeduplication':
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

export function checkSubAttribute(
  name: string,
  value: string,
  sub: { protocol: string; endpoint: string; topicArn: string; attributes: Record<string, string> },
  subscribing: boolean,
): void {
  const prefix = subscribing ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
  const fail = (m: string) => new ServiceError('InvalidParameter', prefix + m);
  if (!SUB_ATTRIBUTES.has(name)) throw fail('AttributeName');
  switch (name) {
    case 'RawMessageDelivery':
      if (!/^(true|false)$/i.test(value)) throw fail(`RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
      if (!['sqs', 'http', 'https', 'firehose'].includes(sub.protocol))
        throw fail(`Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
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

export function checkMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined): number {
  let size = 0;
  for (const [name, a] of Object.entries(attrs ?? {})) {
    if (Buffer.byteLength(name) > 256) throw invalidValue('Length of message attribute name must be less than 256 bytes.');
    if (!ATTR_NAME.test(name)) {
      const bad = [...name].find((c) => !/[A-Za-z0-9_.-]/.test(c));
      if (bad)
        throw invalidValue(
          `Invalid non-alphanumeric character '#x${bad.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
        );
    }
    if (name.startsWith('.')) throw invalidValue("Invalid message attribute name starting with character '.' was found.");
    if (name.endsWith('.')) throw invalidValue("Invalid message attribute name ending with character '.' was found.");
    if (name.includes('..')) throw invalidValue("Message attribute name can not have successive '.' character.");
    if (/^(aws\.|amazon\.)/i.test(name)) throw invalidValue(`The message attribute name '${name}' is reserved for use by Amazon.`);
    const type = a.DataType;
    if (!ATTR_TYPE.test(type))
      throw invalidValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    const binary = type.startsWith('Binary');
    if (binary ? a.BinaryValue === undefined : a.StringValue === undefined) {
      if (binary ? a.StringValue !== undefined : a.BinaryValue !== undefined) {
        throw invalidValue(`The message attribute '${name}' with type '${type}' must use field '${binary ? 'Binary' : 'String'}'.`);
      }
      throw invalidValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
      );
    }
    if ((!binary && a.StringValue === '') || (binary && a.BinaryValue!.length === 0)) {
      throw invalidValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
      );
    }
    if (type.startsWith('Number') && !/^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(a.StringValue!)) {
      throw invalidValue(`Could not cast message attribute '${name}' value to number.`);
    }
    if (type === 'String.Array') {
      let ok = false;
      try {
        const v: unknown = JSON.parse(a.StringValue!);
        ok = Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
      } catch {
        /* not JSON */
      }
      if (!ok)
        throw invalidValue(
          `The message attribute '${name}' with type 'String.Array' has an invalid value: the value must be a JSON array of strings, numbers, true, false or null.`,
        );
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(type) + (binary ? a.BinaryValue!.length : Buffer.byteLength(a.StringValue!));
  }
  return size;
}

/** Validates one message (Publish or a batch entry) and returns its size in bytes. */
export function checkMessage(topic: TopicRecord | undefined, m: PublishArgs): number {
  if (m.message === undefined || m.message === '') throw invalid('Empty message');
  if (
    m.subject !== undefined &&
    (m.subject === '' || m.subject.length >= 100 || !/^[\x20-\x7e]+$/.test(m.subject) || /^\s/.test(m.subject))
  ) {
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
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw invalid('Message Structure - JSON message body failed to parse');
    if (typeof (parsed as Record<string, unknown>).default !== 'string')
      throw invalid('Message Structure - No default entry in JSON message body');
  }
  const size = Buffer.byteLength(m.message) + checkMessageAttributes(m.attributes);
  if (size > MAX_MESSAGE_BYTES) throw invalid('Message too long');
  if (topic?.fifo) {
    if (!m.groupId) throw invalid('The MessageGroupId parameter is required for FIFO topics');
    if (!m.dedupId && !boolAttr(topic.attributes.ContentBasedDeduplication ?? 'false')) {
      throw invalid('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  } else if (topic && m.dedupId !== undefined) {
    throw invalid(
      'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
    );
  }
  for (const [v, what] of [
    [m.groupId, 'MessageGroupId'],
    [m.dedupId, 'MessageDeduplicationId'],
  ] as const) {
    if (v !== undefined && !/^[\x21-\x7e]{1,128}$/.test(v))
      throw invalid(`${what} Reason: ${what} must be 1 to 128 characters of alphanumeric and punctuation`);
  }
  return size;
}

export function checkEndpoint(protocol: string, endpoint: string, topic: TopicRecord): void {
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

export function checkTags(tags: Tag[]): void {
  const keys = new Set(tags.map((t) => t.Key));
  if (keys.size !== tags.length) throw invalid('Duplicated keys are not allowed.');
  if (tags.length > 50) throw new ServiceError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
}

export function dedupeTags(existing: Tag[], added: Tag[]): Tag[] {
  const map = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) map.set(t.Key, t.Value);
  return [...map].map(([Key, Value]) => ({ Key, Value }));
}

/** CreateTopic's name rules (FIFO topic names end in .fifo). */
export function checkTopicName(name: string, fifo: boolean): void {
  if (fifo && !/^[A-Za-z0-9_-]{1,251}\.fifo$/.test(name)) {
    throw invalid(
      'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
    );
  }
  if (!fifo && !/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw invalid('Topic Name');
}

/** A PublishBatch's entry count and ids; its entries become PublishArgs. */
export function checkBatchEntries(entries: PublishBatchRequestEntry[]): PublishArgs[] {
  if (entries.length === 0) throw new ServiceError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
  if (entries.length > 10)
    throw new ServiceError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
  const ids = new Set(entries.map((e) => e.Id));
  if (ids.size !== entries.length)
    throw new ServiceError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
  for (const e of entries) {
    if (!BATCH_ID.test(e.Id)) {
      throw new ServiceError(
        'InvalidBatchEntryId',
        e.Id.length > 80
          ? `The Id of a batch entry in the batch request is too long: ${e.Id}`
          : `The Id of a batch entry in the batch request contains an impermissible character: ${e.Id}`,
      );
    }
  }
  return entries.map((e): PublishArgs => ({
    message: e.Message,
    subject: e.Subject,
    structure: e.MessageStructure,
    attributes: e.MessageAttributes,
    groupId: e.MessageGroupId,
    dedupId: e.MessageDeduplicationId,
  }));
}
