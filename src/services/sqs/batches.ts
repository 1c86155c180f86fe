// Batch actions: SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch. A malformed
// request fails whole; otherwise each entry succeeds or fails on its own, in one transaction.
import { ServiceError } from '../../kit.js';
import type { SqsProvider, BatchResultErrorEntry } from '../../generated/sqs.js';
import type { SqsState } from './store.js';
import { checkBatch, checkBatchSize, checkFifoBatch } from './validate.js';
import { send } from './send.js';
import { changeVisibility, deleteMessage } from './messages.js';

/** Runs each entry; its ServiceError becomes a Failed entry, as SQS reports per-entry failures. */
function batch<E extends { Id: string }, R>(
  s: SqsState,
  entries: E[],
  run: (e: E) => R,
): { Successful: R[]; Failed: BatchResultErrorEntry[] } {
  const Successful: R[] = [];
  const Failed: BatchResultErrorEntry[] = [];
  s.tx(() => {
    for (const e of entries) {
      try {
        Successful.push(run(e));
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        Failed.push({ Id: e.Id, SenderFault: err.senderFault, Code: err.code, Message: err.message });
      }
    }
  });
  return { Successful, Failed };
}

type Handlers = Pick<SqsProvider, 'SendMessageBatch' | 'DeleteMessageBatch' | 'ChangeMessageVisibilityBatch'>;

export function batchHandlers(s: SqsState): Handlers {
  return {
    SendMessageBatch: ({ QueueUrl, Entries }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      const entries = checkBatch(Entries, 'SendMessageBatchRequestEntry');
      checkBatchSize(entries);
      if (q.fifo) checkFifoBatch(entries, q.rec.attributes.ContentBasedDeduplication === 'true');
      return batch(s, entries, (e) => {
        const { MessageId, MD5OfMessageBody, MD5OfMessageAttributes, MD5OfMessageSystemAttributes, SequenceNumber } = send(
          s,
          q,
          e,
          ctx.principal.userId,
        );
        return { Id: e.Id, MessageId, MD5OfMessageBody, MD5OfMessageAttributes, MD5OfMessageSystemAttributes, SequenceNumber };
      });
    },

    DeleteMessageBatch: ({ QueueUrl, Entries }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      return batch(s, checkBatch(Entries, 'DeleteMessageBatchRequestEntry'), (e) => {
        deleteMessage(s, q, e.ReceiptHandle);
        return { Id: e.Id };
      });
    },

    ChangeMessageVisibilityBatch: ({ QueueUrl, Entries }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      return batch(s, checkBatch(Entries, 'ChangeMessageVisibilityBatchRequestEntry'), (e) => {
        changeVisibility(s, q, e.ReceiptHandle, e.VisibilityTimeout);
        return { Id: e.Id };
      });
    },
  };
}
