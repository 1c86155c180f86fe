// AWS/SNS's standard metrics per topic (dimension TopicName), published through CloudWatch's
// integration, which aggregates them per minute.
import type { Runtime } from '../../kit.js';

export type SnsMetric = 'NumberOfMessagesPublished' | 'PublishSize' | 'NumberOfNotificationsDelivered' | 'NumberOfNotificationsFailed';

export function topicMetric(rt: Runtime, topicArn: string, name: SnsMetric, value = 1): void {
  const cw = rt.integrations.cloudwatch;
  if (!cw) return;
  const [, , , region, account, topic] = topicArn.split(':');
  cw.putMetricData(account, region, 'AWS/SNS', [
    { MetricName: name, Dimensions: [{ Name: 'TopicName', Value: topic }], Value: value, Unit: name === 'PublishSize' ? 'Bytes' : 'Count' },
  ]);
}
