// AWS/SQS's standard metrics, published through CloudWatch's integration (which aggregates per minute).
import type { Queue } from './queue.js';
import type { SqsState } from './store.js';

export function queueMetric(s: SqsState, q: Queue, name: 'NumberOfMessagesSent' | 'NumberOfMessagesReceived' | 'NumberOfMessagesDeleted' | 'SentMessageSize', value: number, unit = 'Count'): void {
  s.rt.integrations.cloudwatch?.putMetricData(q.rec.account, q.rec.region, 'AWS/SQS', [{ MetricName: name, Dimensions: [{ Name: 'QueueName', Value: q.rec.name }], Value: value, Unit: unit }]);
}
