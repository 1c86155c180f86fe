// What SQS offers other services (S3 and SNS notifications, EventBridge targets): rt.integrations.sqs.
import { ServiceError } from '../../kit.js';
import type { Integrations } from '../../kit.js';
import type { SqsState } from './store.js';
import { send } from './send.js';

export function sqsIntegration(s: SqsState): NonNullable<Integrations['sqs']> {
  return {
    sendMessage(queueArn, body, opts = {}) {
      const q = s.byArn(queueArn);
      if (!q) throw new ServiceError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      const sent = send(
        s,
        q,
        {
          MessageBody: body,
          MessageAttributes: opts.attributes,
          MessageGroupId: opts.messageGroupId,
          MessageDeduplicationId: opts.deduplicationId,
          DelaySeconds: opts.delaySeconds,
        },
        q.rec.account,
      );
      return { messageId: sent.MessageId };
    },
    queueExists: (queueArn) => s.byArn(queueArn) !== undefined,
  };
}
