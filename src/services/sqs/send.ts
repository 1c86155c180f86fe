// Sending a message (SendMessage, each SendMessageBatch entry, other services through
// rt.integrations): validation, FIFO deduplication and sequence numbers; moving a message to
// another queue (dead-letter redrive, move tasks).
import { createHash, randomUUID } from 'node:crypto';
import type { SendMessageRequest, SendMessageResult } from '../../generated/sqs.js';
import type { Queue, Msg, StoredMessage } from './queue.js';
import type { SqsState } from './store.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import {
  checkBody,
  checkFifoId,
  checkInt,
  checkMessageAttributes,
  invalidParameter,
  missingParameter,
  normalizeAttributes,
} from './attributes.js';
import { queueMetric } from './metrics.js';

export interface Sent extends SendMessageResult {
  MessageId: string;
  MD5OfMessageBody: string;
}

/** Message keys sort by sequence number. */
export const pad = (seq: number) => String(seq).padStart(17, '0');

export function send(s: SqsState, q: Queue, e: Omit<SendMessageRequest, 'QueueUrl'>, senderId: string): Sent {
  const body = checkBody(e.MessageBody);
  const size = Buffer.byteLength(body) + checkMessageAttributes(e.MessageAttributes);
  checkMessageAttributes(e.MessageSystemAttributes, true);
  if (size > q.maxMessageSize)
    throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${q.maxMessageSize} bytes.`);
  checkInt(e.DelaySeconds, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900.');
  checkFifoId(e.MessageGroupId, 'MessageGroupId');
  checkFifoId(e.MessageDeduplicationId, 'MessageDeduplicationId');
  const now = s.rt.clock.nowMs();
  const attributes = normalizeAttributes(e.MessageAttributes);
  const systemAttributes = normalizeAttributes(e.MessageSystemAttributes);
  const result = {
    MD5OfMessageBody: md5Hex(body),
    MD5OfMessageAttributes: md5OfAttributes(attributes),
    MD5OfMessageSystemAttributes: md5OfAttributes(systemAttributes),
  };
  let dedupKey: string | undefined;
  let dedupId: string | undefined;
  if (q.fifo) {
    if (e.DelaySeconds) {
      throw invalidParameter(
        `Value ${e.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    }
    if (!e.MessageGroupId) throw missingParameter('MessageGroupId');
    dedupId = e.MessageDeduplicationId;
    if (!dedupId) {
      if (q.rec.attributes.ContentBasedDeduplication !== 'true') {
        throw invalidParameter(
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      dedupId = createHash('sha256').update(body).digest('hex');
    }
    dedupKey = q.rec.attributes.DeduplicationScope === 'messageGroup' ? `${e.MessageGroupId}\u0000${dedupId}` : dedupId;
    const dup = q.findDuplicate(dedupKey, now);
    if (dup) return { ...result, MessageId: dup.messageId, SequenceNumber: dup.sequenceNumber };
  } else if (e.MessageDeduplicationId !== undefined) {
    throw invalidParameter(
      `Value ${e.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.`,
    );
  }
  const seq = q.nextSeq(now);
  const system: Record<string, string> = { SenderId: senderId, SentTimestamp: String(now) };
  if (e.MessageGroupId) system.MessageGroupId = e.MessageGroupId;
  if (q.fifo) {
    system.MessageDeduplicationId = dedupId!;
    system.SequenceNumber = String(10n ** 19n + BigInt(seq));
  }
  if (systemAttributes?.AWSTraceHeader?.StringValue) system.AWSTraceHeader = systemAttributes.AWSTraceHeader.StringValue;
  const id = randomUUID();
  const delay = q.fifo ? q.delaySeconds : (e.DelaySeconds ?? q.delaySeconds);
  const stored: StoredMessage = {
    id,
    body,
    md5Body: result.MD5OfMessageBody,
    attributes,
    md5Attributes: result.MD5OfMessageAttributes,
    system,
    sentMs: now,
    availableMs: now + delay * 1000,
  };
  // no savepoint needed: nothing can fail between its writes, and the engine commits them together
  q.add(pad(seq), stored, dedupKey);
  queueMetric(s, q, 'NumberOfMessagesSent', 1);
  queueMetric(s, q, 'SentMessageSize', size, 'Bytes');
  return { ...result, MessageId: id, SequenceNumber: system.SequenceNumber };
}

export function moveMessage(s: SqsState, from: Queue, m: Msg, to: Queue, extra: Record<string, string> = {}): void {
  const now = s.rt.clock.nowMs();
  const content = from.content(m);
  from.remove(m);
  to.add(pad(to.nextSeq(now)), { ...content, system: { ...content.system, ...extra }, availableMs: now });
}

/** Moves a message that was received too often to the queue's dead-letter queue, if it exists. */
export function deadLetterOf(s: SqsState, q: Queue): ((m: Msg) => void) | undefined {
  const policy = q.rec.attributes.RedrivePolicy;
  if (!policy) return undefined;
  const target = s.byArn(JSON.parse(policy).deadLetterTargetArn);
  if (!target) return undefined;
  return (m) => moveMessage(s, q, m, target, { DeadLetterQueueSourceArn: q.arn });
}
