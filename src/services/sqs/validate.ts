// SQS request rules that need no state: queue names, redrive policies, batch entries, receipt
// handles. Pure functions, each throwing the ServiceError SQS answers with.
import { ServiceError } from '../../kit.js';
import type { MessageAttributeValue } from '../../generated/sqs.js';
import { invalidParameter, MAX_MESSAGE_SIZE } from './attributes.js';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const RECEIPT = /^([0-9a-f]{16}):(\d{17}):([A-Za-z0-9_-]{16})$/;
export const MAX_BATCH = 10;

export const token = (v: string) => Buffer.from(v).toString('base64');
export const untoken = (v: string | undefined) => (v ? Buffer.from(v, 'base64').toString() : undefined);

/** CreateQueue's name rules; returns whether the queue is FIFO (its name ends in .fifo). */
export function checkQueueName(name: string, attributes: Record<string, string>): boolean {
  const fifo = name.endsWith('.fifo');
  if (attributes.FifoQueue === 'true' && !fifo) {
    throw invalidParameter(
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
    );
  }
  if (!QUEUE_NAME.test(fifo ? name.slice(0, -5) + '_fifo' : name) || (fifo && attributes.FifoQueue !== 'true')) {
    throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
  return fifo;
}

/** The shape of a RedrivePolicy: its target ARN and receive count (the target itself is checked by the caller). */
export function parseRedrivePolicy(value: string): { deadLetterTargetArn: unknown; maxReceiveCount: number } {
  const bad = (reason: string) => invalidParameter(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  let p: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    p = JSON.parse(value);
  } catch {
    throw bad('Redrive policy is not a valid JSON map.');
  }
  if (typeof p !== 'object' || p === null) throw bad('Redrive policy is not a valid JSON map.');
  if (p.deadLetterTargetArn === undefined) throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (p.maxReceiveCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  const count = Number(p.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw bad(`Invalid value for maxReceiveCount: ${p.maxReceiveCount}, valid values are from 1 to 1000 both inclusive.`);
  }
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: count };
}

/** Whether a dead-letter queue's RedriveAllowPolicy lets `sourceArn` redrive into it. */
export function redriveAllowed(allowPolicy: string | undefined, sourceArn: string): boolean {
  if (!allowPolicy) return true;
  const a = JSON.parse(allowPolicy) as { redrivePermission: string; sourceQueueArns?: string[] };
  return !(a.redrivePermission === 'denyAll' || (a.redrivePermission === 'byQueue' && !a.sourceQueueArns?.includes(sourceArn)));
}

export function checkRedriveAllow(value: string): void {
  const bad = (reason: string) => invalidParameter(`Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: ${reason}`);
  let a: { redrivePermission?: unknown; sourceQueueArns?: unknown };
  try {
    a = JSON.parse(value);
  } catch {
    throw bad("Amazon SQS can't parse the redrive allow policy.");
  }
  if (!['allowAll', 'denyAll', 'byQueue'].includes(String(a?.redrivePermission))) throw bad('Invalid value for redrivePermission.');
  const arns = a.sourceQueueArns;
  if (a.redrivePermission === 'byQueue' && (!Array.isArray(arns) || arns.length < 1 || arns.length > 10)) {
    throw bad('Amazon SQS requires 1 to 10 source queue ARNs when redrivePermission is byQueue.');
  }
  if (a.redrivePermission !== 'byQueue' && arns !== undefined)
    throw bad('sourceQueueArns is only allowed when redrivePermission is byQueue.');
}

export function checkPolicyJson(value: string): void {
  try {
    JSON.parse(value);
  } catch {
    throw new ServiceError('InvalidAttributeValue', 'Invalid value for the parameter Policy.');
  }
}

/** A batch's entry count and ids, as every SQS batch action checks them. */
export function checkBatch<E extends { Id: string }>(entries: E[] | undefined, entryName: string): E[] {
  if (!entries || entries.length === 0)
    throw new ServiceError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  if (entries.length > MAX_BATCH) {
    throw new ServiceError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (typeof e.Id !== 'string' || !BATCH_ID.test(e.Id)) {
      throw new ServiceError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (seen.has(e.Id)) throw new ServiceError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
    seen.add(e.Id);
  }
  return entries;
}

type AttributeMap = Record<string, Partial<MessageAttributeValue> | undefined> | undefined;

/** Bytes of message attributes for the batch size limit, before each entry is validated on its own. */
export function messageAttributesSize(attrs: AttributeMap): number {
  let size = 0;
  for (const [k, a] of Object.entries(attrs ?? {})) {
    size +=
      Buffer.byteLength(k) + Buffer.byteLength(a?.DataType ?? '') + (a?.BinaryValue?.length ?? Buffer.byteLength(a?.StringValue ?? ''));
  }
  return size;
}

/** A SendMessageBatch's whole payload: bodies and attributes together at most the message size limit. */
export function checkBatchSize(entries: Array<{ MessageBody?: string; MessageAttributes?: AttributeMap }>): void {
  let total = 0;
  for (const e of entries) total += Buffer.byteLength(e.MessageBody ?? '') + messageAttributesSize(e.MessageAttributes);
  if (total > MAX_MESSAGE_SIZE) {
    throw new ServiceError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`,
    );
  }
}

/**
 * SendMessageBatch to a FIFO queue: an entry without a message group id, or without a deduplication
 * id on a queue without content-based deduplication, fails the whole call (not just its entry).
 */
export function checkFifoBatch(
  entries: Array<{ MessageGroupId?: string; MessageDeduplicationId?: string }>,
  contentBasedDeduplication: boolean,
): void {
  for (const e of entries) {
    if (!e.MessageGroupId) throw invalidParameter('The request must contain the parameter MessageGroupId.');
    if (!e.MessageDeduplicationId && !contentBasedDeduplication) {
      throw invalidParameter(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
    }
  }
}

/** A receipt handle: the queue's incarnation, the message's key and the receive's token, base64. */
export const receiptHandle = (incarnation: string, key: string, tok: string) => token(`${incarnation}:${key}:${tok}`);

/** The key and token of a receipt handle issued by this incarnation of the queue, or undefined. */
export function parseReceiptHandle(handle: string, incarnation: string): { key: string; token: string } | undefined {
  const m = RECEIPT.exec(untoken(handle) ?? '');
  return m && m[1] === incarnation ? { key: m[2], token: m[3] } : undefined;
}
