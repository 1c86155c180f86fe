// Queue and message attribute rules: defaults, ranges, names, and AWS's errors for each.
import { ServiceError } from '../../kit.js';
import type { MessageAttributeValue } from '../../generated/sqs.js';

export const MAX_MESSAGE_SIZE = 1_048_576;

export const invalidParameter = (message: string) => new ServiceError('InvalidParameterValue', message);
export const missingParameter = (name: string) => new ServiceError('MissingParameter', `The request must contain the parameter ${name}.`);

/** Integer attributes and their inclusive ranges. */
const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, MAX_MESSAGE_SIZE],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};
const ENUMS: Record<string, string[]> = {
  FifoQueue: ['true', 'false'],
  ContentBasedDeduplication: ['true', 'false'],
  SqsManagedSseEnabled: ['true', 'false'],
  DeduplicationScope: ['messageGroup', 'queue'],
  FifoThroughputLimit: ['perQueue', 'perMessageGroupId'],
};
const FIFO_ONLY = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);
const FREE_TEXT = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId']);
/** Computed by SQS: readable, never settable. */
export const READ_ONLY = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
];

/** A new queue's attributes where `attrs` does not set them: SSE-SQS unless a KMS key is given (SSE-KMS). */
export function defaultAttributes(fifo: boolean, attrs: Record<string, string> = {}): Record<string, string> {
  const kms = !!attrs.KmsMasterKeyId;
  return {
    VisibilityTimeout: '30',
    MaximumMessageSize: String(MAX_MESSAGE_SIZE),
    MessageRetentionPeriod: '345600',
    DelaySeconds: '0',
    ReceiveMessageWaitTimeSeconds: '0',
    SqsManagedSseEnabled: kms ? 'false' : 'true',
    ...(kms ? { KmsDataKeyReusePeriodSeconds: '300' } : {}),
    ...(fifo
      ? { FifoQueue: 'true', ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' }
      : {}),
  };
}

/** Checks settable attributes (CreateQueue, SetQueueAttributes); FifoQueue only at creation. */
export function checkQueueAttributes(attrs: Record<string, string>, fifo: boolean, creating: boolean): void {
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'FifoQueue' && !creating) throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    if (FIFO_ONLY.has(name) && !fifo)
      throw new ServiceError('InvalidAttributeName', `You can specify the ${name} only when FifoQueue is set to true.`);
    const range = RANGES[name];
    if (range) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range[0] || n > range[1])
        throw new ServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
    } else if (ENUMS[name]) {
      if (!ENUMS[name].includes(value)) throw new ServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
    } else if (!FREE_TEXT.has(name)) {
      throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  if (attrs.KmsMasterKeyId && attrs.SqsManagedSseEnabled === 'true') {
    throw new ServiceError(
      'InvalidAttributeName',
      'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.',
    );
  }
}

/** SetQueueAttributes switching encryption: a KMS key turns SSE-SQS off, SSE-SQS turned on drops the key. */
export function switchEncryption(current: Record<string, string>, set: Record<string, string>): void {
  if (set.KmsMasterKeyId) {
    current.SqsManagedSseEnabled = 'false';
    current.KmsDataKeyReusePeriodSeconds ??= '300';
  }
  if (set.SqsManagedSseEnabled === 'true') {
    delete current.KmsMasterKeyId;
    delete current.KmsDataKeyReusePeriodSeconds;
  }
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
// XML 1.0's characters: AWS refuses anything else in bodies and string attribute values
// eslint-disable-next-line no-control-regex -- the control characters XML allows are the point
const VALID_TEXT = /^[\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;
const INVALID_CHARS =
  'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';

export function checkBody(body: string | undefined): string {
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  if (!VALID_TEXT.test(body)) throw new ServiceError('InvalidMessageContents', INVALID_CHARS);
  return body;
}

/** Validates message attributes (user or system) and returns the bytes they count toward the size limit. */
export function checkMessageAttributes(attrs: Record<string, MessageAttributeValue> | undefined, system = false): number {
  if (!attrs) return 0;
  const names = Object.keys(attrs);
  if (names.length > 10) throw invalidParameter(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  let size = 0;
  for (const name of names) {
    const a = attrs[name];
    if (system && name !== 'AWSTraceHeader') throw invalidParameter(`Message system attribute name '${name}' is invalid.`);
    if (!system) {
      if (name.length > 256) throw invalidParameter('Message (user) attribute names must be shorter than 256 Bytes');
      if (!ATTRIBUTE_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
        throw invalidParameter(
          `Message (user) attribute name '${name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.`,
        );
      }
      if (/^(aws|amazon)\./i.test(name))
        throw invalidParameter(
          `You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. These strings are reserved for internal use.`,
        );
    }
    if (!a || !a.DataType) throw invalidParameter(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const type = DATA_TYPE.exec(a.DataType);
    if (!type || a.DataType.length > 256)
      throw invalidParameter(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    if (a.StringListValues?.length || a.BinaryListValues?.length)
      throw invalidParameter(`Message attribute list values in SendMessage operation are not supported.`);
    if (type[1] === 'Binary') {
      if (!a.BinaryValue || a.BinaryValue.length === 0)
        throw invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      size += a.BinaryValue.length;
    } else {
      if (a.StringValue === undefined || a.StringValue === '')
        throw invalidParameter(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type[1]}'.`,
        );
      if (type[1] === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a.StringValue)) {
        throw invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      if (!VALID_TEXT.test(a.StringValue)) throw invalidParameter(INVALID_CHARS);
      size += Buffer.byteLength(a.StringValue);
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
  }
  return size;
}

/** Only the members that travel: DataType and the value (clients may send empty list members). */
export function normalizeAttributes(
  attrs: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (!attrs || Object.keys(attrs).length === 0) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, a] of Object.entries(attrs)) {
    out[k] =
      a.BinaryValue !== undefined
        ? { DataType: a.DataType, BinaryValue: a.BinaryValue }
        : { DataType: a.DataType, StringValue: a.StringValue };
  }
  return out;
}

/** The attributes a receiver asked for: exact names, `All` / `.*`, or prefixes `foo.*`. */
export function selectAttributes(
  attrs: Record<string, MessageAttributeValue> | undefined,
  wanted: string[] | undefined,
): Record<string, MessageAttributeValue> | undefined {
  if (!attrs || !wanted?.length) return undefined;
  const all = wanted.some((w) => w === 'All' || w === '.*');
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (all || wanted.some((w) => (w.endsWith('.*') ? k.startsWith(w.slice(0, -1)) : w === k))) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

const FIFO_ID = /^[\x21-\x7E]{1,128}$/;
export function checkFifoId(value: string | undefined, parameter: string): void {
  if (value !== undefined && !FIFO_ID.test(value)) {
    throw invalidParameter(
      `Value ${value} for parameter ${parameter} is invalid. Reason: ${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
}

export function checkInt(value: number | undefined, name: string, min: number, max: number, reason: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw invalidParameter(`Value ${value} for parameter ${name} is invalid. Reason: ${reason}`);
  }
}
