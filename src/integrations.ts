// How services reach each other inside the process: each service provides its part of this
// interface when created (rt.integrations.sqs = …), and callers use it only if present. No service
// imports another service's internals.

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export interface Integrations {
  /** SQS as a destination (S3 notifications, SNS subscriptions, EventBridge targets, DLQs) */
  sqs?: {
    /** Throws ServiceError('AWS.SimpleQueueService.NonExistentQueue'…) when the queue is gone. */
    sendMessage(queueArn: string, body: string, opts?: {
      attributes?: Record<string, MessageAttributeValue>;
      messageGroupId?: string;
      deduplicationId?: string;
      delaySeconds?: number;
    }): { messageId: string };
    queueExists(queueArn: string): boolean;
  };
  /** SNS as a destination (S3 notifications, CloudWatch alarms, EventBridge targets) */
  sns?: {
    publish(topicArn: string, message: string, opts?: {
      subject?: string;
      attributes?: Record<string, MessageAttributeValue>;
      messageGroupId?: string;
      deduplicationId?: string;
    }): Promise<{ messageId: string }>;
    topicExists(topicArn: string): boolean;
  };
  /** Lambda as a destination (S3 notifications, SNS, event source mappings) */
  lambda?: {
    invoke(functionArn: string, payload: Buffer, invocationType: 'Event' | 'RequestResponse'): Promise<{ statusCode: number; payload?: Buffer; functionError?: string }>;
    functionExists(functionArn: string): boolean;
  };
  /** EventBridge as a destination (S3 EventBridge notifications, custom events) */
  events?: {
    putEvent(account: string, region: string, event: { source: string; detailType: string; detail: unknown; resources?: string[]; eventBusName?: string }): void;
  };
}
