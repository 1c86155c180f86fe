// More of the standard metrics services publish: CloudWatch Logs metric filters, SQS queue gauges,
// SNS, DynamoDB, Lambda concurrency, EventBridge rules and S3's daily storage metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  DescribeAlarmsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutMetricFilterCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

let cw: CloudWatchClient;
let logs: CloudWatchLogsClient;
let sqs: SQSClient;
const nimbus = serverForFile(() => {
  cw = new CloudWatchClient(clientConfig(nimbus.url));
  logs = new CloudWatchLogsClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
});
const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
type Dims = Array<{ Name: string; Value: string }>;
async function stats(ns: string, name: string, dims: Dims) {
  const t = await now();
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: ns,
      MetricName: name,
      Dimensions: dims,
      StartTime: new Date(t - 3 * 3600_000),
      EndTime: new Date(t + 60_000),
      Period: 3 * 3600,
      Statistics: ['Sum', 'SampleCount', 'Maximum'],
    }),
  );
  return out.Datapoints?.[0] ?? { Sum: 0, SampleCount: 0, Maximum: undefined, Unit: undefined };
}

test('a metric filter publishes matching events: count, a JSON value with dimensions, and its default value', async () => {
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'app' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'app', logStreamName: 's' }));
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: 'app',
      filterName: 'errors',
      filterPattern: 'ERROR',
      metricTransformations: [{ metricName: 'ErrorCount', metricNamespace: 'App', metricValue: '1', defaultValue: 0 }],
    }),
  );
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: 'app',
      filterName: 'latency',
      filterPattern: '{ $.ms > 0 }',
      metricTransformations: [
        { metricName: 'Latency', metricNamespace: 'App', metricValue: '$.ms', unit: 'Milliseconds', dimensions: { Route: '$.route' } },
      ],
    }),
  );
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: 'app',
      filterName: 'bytes',
      filterPattern: '[ip, verb, status=2*, size]',
      metricTransformations: [{ metricName: 'Bytes', metricNamespace: 'Web', metricValue: '$size', unit: 'Bytes' }],
    }),
  );
  const t = await now();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: 'app',
      logStreamName: 's',
      logEvents: [
        { timestamp: t, message: 'ERROR disk full' },
        { timestamp: t, message: 'INFO fine' },
        { timestamp: t, message: 'ERROR again' },
        { timestamp: t, message: '{"route":"/a","ms":30}' },
        { timestamp: t, message: '{"route":"/a","ms":50}' },
        { timestamp: t, message: '{"route":"/b","ms":0}' },
        { timestamp: t, message: '10.0.0.1 GET 200 512' },
        { timestamp: t, message: '10.0.0.1 GET 404 100' },
      ],
    }),
  );
  assert.equal((await stats('App', 'ErrorCount', [])).Sum, 2);
  const latency = await stats('App', 'Latency', [{ Name: 'Route', Value: '/a' }]);
  assert.equal(latency.Sum, 80);
  assert.equal(latency.Maximum, 50);
  assert.equal(latency.Unit, 'Milliseconds');
  assert.equal((await stats('App', 'Latency', [{ Name: 'Route', Value: '/b' }])).SampleCount, 0);
  assert.equal((await stats('Web', 'Bytes', [])).Sum, 512);
  // a batch without a match publishes the default value
  await logs.send(
    new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 's', logEvents: [{ timestamp: t, message: 'INFO quiet' }] }),
  );
  const errors = await stats('App', 'ErrorCount', []);
  assert.equal(errors.Sum, 2);
  assert.equal(errors.SampleCount, 3);
});

test("a Lambda function's logs feed a metric filter and an alarm on it", async () => {
  const lambda = lambdaClient(nimbus.url);
  await createFunction(lambda, 'chatty', 'nodejs20.x', 'index.handler', {
    'index.js': 'exports.handler = async () => { console.log("PAYMENT_FAILED"); return 1; };',
  });
  await lambda.send(new InvokeCommand({ FunctionName: 'chatty', Payload: Buffer.from('{}') }));
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: '/aws/lambda/chatty',
      filterName: 'pf',
      filterPattern: 'PAYMENT_FAILED',
      metricTransformations: [{ metricName: 'PaymentFailures', metricNamespace: 'Shop', metricValue: '1' }],
    }),
  );
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'payments',
      Namespace: 'Shop',
      MetricName: 'PaymentFailures',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  await lambda.send(new InvokeCommand({ FunctionName: 'chatty', Payload: Buffer.from('{}') }));
  assert.equal((await stats('Shop', 'PaymentFailures', [])).Sum, 1);
  await advanceClock(nimbus.url, '60s');
  const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['payments'] }))).MetricAlarms![0];
  assert.equal(alarm.StateValue, 'ALARM', alarm.StateReason);
});

test('SQS samples its queue gauges once the virtual minute passes', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'gauged' }));
  for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 900 }));
  await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 3600 }));
  await advanceClock(nimbus.url, '60s');
  const dims = [{ Name: 'QueueName', Value: 'gauged' }];
  assert.equal((await stats('AWS/SQS', 'ApproximateNumberOfMessagesVisible', dims)).Maximum, 2);
  assert.equal((await stats('AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', dims)).Maximum, 1);
  assert.equal((await stats('AWS/SQS', 'ApproximateNumberOfMessagesDelayed', dims)).Maximum, 1);
  const age = await stats('AWS/SQS', 'ApproximateAgeOfOldestMessage', dims);
  assert.ok(age.Maximum! >= 60, String(age.Maximum));
  assert.equal(age.Unit, 'Seconds');
  const listed = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/SQS', Dimensions: dims }));
  assert.ok(listed.Metrics!.some((m) => m.MetricName === 'ApproximateAgeOfOldestMessage'));
});
