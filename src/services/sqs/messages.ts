// Messages once sent: ReceiveMessage (long polling, FIFO receive-attempt replays, dead-letter
// redrive), DeleteMessage and ChangeMessageVisibility, and the Message a receive returns.
import { ServiceError } from '../../kit.js';
import type { SqsProvider, Message } from '../../generated/sqs.js';
import type { Queue, Msg } from './queue.js';
import type { SqsState } from './store.js';
import { md5OfAttributes } from './md5.js';
import { checkFifoId, checkInt, invalidParameter, missingParameter, selectAttributes } from './attributes.js';
import { parseReceiptHandle, receiptHandle } from './validate.js';
import { deadLetterOf, send } from './send.js';
import { queueMetric } from './metrics.js';

const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
];
const MAX_VISIBILITY_S = 43_200;

function parseReceipt(q: Queue, handle: string | undefined): { key: string; token: string } {
  if (!handle) throw missingParameter('ReceiptHandle');
  const r = parseReceiptHandle(handle, q.rec.incarnation);
  if (!r) throw new ServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
  return r;
}

export function deleteMessage(s: SqsState, q: Queue, handle: string | undefined): void {
  const r = parseReceipt(q, handle);
  const m = q.byReceipt(r.key);
  if (!m) return; // already deleted: deleting again succeeds
  if (q.fifo && (m.token !== r.token || m.visibleAt <= s.rt.clock.nowMs())) {
    throw invalidParameter(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
  }
  s.tx(() => q.remove(m));
  queueMetric(s, q, 'NumberOfMessagesDeleted', 1);
}

export function changeVisibility(s: SqsState, q: Queue, handle: string | undefined, timeout: number | undefined): void {
  const r = parseReceipt(q, handle);
  if (timeout === undefined) throw missingParameter('VisibilityTimeout');
  checkInt(timeout, 'VisibilityTimeout', 0, 43_200, 'VisibilityTimeout must be an integer between 0 and 43200');
  const m = q.byReceipt(r.key);
  if (!m || m.token !== r.token) {
    throw invalidParameter(
      `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
  }
  const now = s.rt.clock.nowMs();
  if (m.visibleAt <= now) throw new ServiceError('MessageNotInflight', 'The message referred to is not in flight.');
  // 12 hours at most from the receive that returned the handle (in whole seconds), however often it is extended
  if (Math.floor((now - (m.receivedMs ?? m.firstReceiveMs ?? now)) / 1000) + timeout > MAX_VISIBILITY_S) {
    throw invalidParameter(
      `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`,
    );
  }
  s.tx(() => q.setVisibility(m, timeout * 1000, now));
}

function toMessage(q: Queue, m: Msg, systemNames: string[], attributeNames: string[] | undefined): Message {
  const c = q.content(m);
  const all = systemNames.includes('All');
  const system: Record<string, string> = {
    ...c.system,
    ApproximateReceiveCount: String(m.receives),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveMs),
  };
  const attrs: Record<string, string> = {};
  for (const n of SYSTEM_ATTRIBUTES) if (system[n] !== undefined && (all || systemNames.includes(n))) attrs[n] = system[n];
  const selected = selectAttributes(c.attributes, attributeNames);
  return {
    MessageId: c.id,
    ReceiptHandle: receiptHandle(q.rec.incarnation, m.key, m.token!),
    MD5OfBody: c.md5Body,
    Body: c.body,
    ...(Object.keys(attrs).length ? { Attributes: attrs } : {}),
    ...(selected ? { MessageAttributes: selected, MD5OfMessageAttributes: md5OfAttributes(selected) } : {}),
  };
}

/** Waits until the queue changes (a send, a visibility change, a clock advance) or `ms` pass. */
function changed(s: SqsState, q: Queue, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      q.waiters.delete(done);
      if (q.waiters.size === 0) s.polled.delete(q);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    q.waiters.add(done);
    s.polled.add(q);
  });
}

type Handlers = Pick<SqsProvider, 'SendMessage' | 'ReceiveMessage' | 'DeleteMessage' | 'ChangeMessageVisibility'>;

export function messageHandlers(s: SqsState): Handlers {
  const { rt } = s;
  return {
    SendMessage: (input, ctx) => send(s, s.queueOf(input.QueueUrl, ctx), input, ctx.principal.userId),

    ReceiveMessage: async (input, ctx) => {
      let q = s.queueOf(input.QueueUrl, ctx);
      const max = input.MaxNumberOfMessages ?? 1;
      checkInt(max, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.');
      checkInt(input.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.');
      checkInt(input.VisibilityTimeout, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
      const attemptId = input.ReceiveRequestAttemptId;
      checkFifoId(attemptId, 'ReceiveRequestAttemptId');
      const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
      const reply = (from: Queue, msgs: Msg[]) => ({
        Messages: msgs.map((m) => toMessage(from, m, systemNames, input.MessageAttributeNames)),
      });
      // a retried FIFO receive gets what its attempt got, if nothing changed since (standard queues ignore the id)
      const dedupAttempt = q.fifo ? attemptId : undefined;
      if (dedupAttempt !== undefined) {
        const first = q;
        const again = s.tx(() => first.replay(dedupAttempt, (input.VisibilityTimeout ?? first.visibilityTimeout) * 1000, rt.clock.nowMs()));
        if (again) return reply(first, again);
      }
      // long polls wait in real time (the one real wait in Nimbus), not on the virtual clock
      const deadline = Date.now() + (input.WaitTimeSeconds ?? q.waitSeconds) * 1000;
      for (;;) {
        const now = rt.clock.nowMs();
        const visibility = (input.VisibilityTimeout ?? q.visibilityTimeout) * 1000;
        const policy = q.rec.attributes.RedrivePolicy;
        const maxReceives = policy ? Number(JSON.parse(policy).maxReceiveCount) : undefined;
        const dlq = deadLetterOf(s, q);
        const current = q;
        const got = s.tx(() => {
          const msgs = current.receive(max, visibility, now, dlq && maxReceives, dlq ?? (() => {}));
          if (msgs.length && dedupAttempt !== undefined) current.remember(dedupAttempt, msgs, now);
          return msgs;
        });
        if (got.length) {
          queueMetric(s, current, 'NumberOfMessagesReceived', got.length);
          return reply(current, got);
        }
        const left = deadline - Date.now();
        if (left <= 0) return {};
        const next = q.nextVisibleAt(now);
        await changed(s, q, next === undefined ? left : Math.min(left, next - rt.clock.nowMs()));
        // the queue may have been deleted or re-created meanwhile
        const again = s.lookup(q.rec.account, q.rec.region, q.rec.name);
        if (!again) return {};
        q = again;
      }
    },

    DeleteMessage: ({ QueueUrl, ReceiptHandle }, ctx) => deleteMessage(s, s.queueOf(QueueUrl, ctx), ReceiptHandle),

    ChangeMessageVisibility: ({ QueueUrl, ReceiptHandle, VisibilityTimeout }, ctx) =>
      changeVisibility(s, s.queueOf(QueueUrl, ctx), ReceiptHandle, VisibilityTimeout),
  };
}
