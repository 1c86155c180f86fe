// Nimbus services publish their standard metrics: SQS's message counts and Lambda's invocations,
// errors and duration; a Lambda Errors alarm notifies SNS → SQS once the clock passes the minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  DescribeAlarmsCommand,
  ListMetricsCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  SQSClient,
  CreateQueueCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

let cw: CloudWatchClient;
let sqs: SQSClient;
let sns: SNSClient;
const nimbus = serverForFile(() => {
  cw = new CloudWatchClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
  sns = new SNSClient(clientConfig(nimbus.url));
});
const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
const sum = async (ns: string, name: string, dims: Array<{ Name: string; Value: string }>) => {
  const t = await now();
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: ns,
      MetricName: name,
      Dimensions: dims,
      StartTime: new Date(t - 3600_000),
      EndTime: new Date(t + 60_000),
      Period: 3600,
      Statistics: ['Sum', 'SampleCount'],
    }),
  );
  return out.Datapoints?.[0]?.Sum ?? 0;
};

test('SQS publishes NumberOfMessagesSent, Received and Deleted per queue', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'counted' }));
  for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2 }));
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages![0].ReceiptHandle }));
  const dims = [{ Name: 'QueueName', Value: 'counted' }];
  assert.equal(await sum('AWS/SQS', 'NumberOfMessagesSent', dims), 3);
  assert.equal(await sum('AWS/SQS', 'NumberOfMessagesReceived', dims), 2);
  assert.equal(await sum('AWS/SQS', 'NumberOfMessagesDeleted', dims), 1);
  const listed = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/SQS', Dimensions: dims }));
  assert.ok(listed.Metrics!.some((m) => m.MetricName === 'SentMessageSize'));
});

test('Lambda publishes Invocations, Errors and Duration; an Errors alarm reaches SNS → SQS after the clock moves', async () => {
  const lambda = lambdaClient(nimbus.url);
  await createFunction(lambda, 'flaky', 'nodejs20.x', 'index.handler', {
    'index.js': 'exports.handler = async (e) => { if (e.fail) throw new Error("boom"); return "ok"; };',
  });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'lambda-alarms' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'lambda-alarms' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn }));
  const dims = [{ Name: 'FunctionName', Value: 'flaky' }];
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'flaky-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: dims,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [TopicArn!],
      TreatMissingData: 'notBreaching',
    }),
  );
  await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Payload: Buffer.from('{}') }));
  await lambda.send(new InvokeCommand({ FunctionName: 'flaky', Payload: Buffer.from('{"fail":true}') }));
  assert.equal(await sum('AWS/Lambda', 'Invocations', dims), 2);
  assert.equal(await sum('AWS/Lambda', 'Errors', dims), 1);
  assert.ok((await sum('AWS/Lambda', 'Duration', dims)) > 0);
  assert.equal(await sum('AWS/Lambda', 'Invocations', []), 2, 'the account-wide metric has no dimensions');
  await advanceClock(nimbus.url, '60s');
  const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['flaky-errors'] }))).MetricAlarms![0];
  assert.equal(alarm.StateValue, 'ALARM', alarm.StateReason);
  let body: string | undefined;
  for (let i = 0; i < 50 && !body; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    body = out.Messages?.[0]?.Body;
    if (!body) await new Promise((r) => setTimeout(r, 20));
  }
  const envelope = JSON.parse(body!);
  assert.equal(envelope.Subject, 'ALARM: "flaky-errors" in US East (N. Virginia)');
  const message = JSON.parse(envelope.Message);
  assert.equal(message.NewStateValue, 'ALARM');
  assert.equal(message.Trigger.MetricName, 'Errors');
  assert.equal(message.Trigger.Namespace, 'AWS/Lambda');
  // a Lambda alarm action: the function is invoked (asynchronously) with the alarm's event
  const fnArn = `arn:aws:lambda:us-east-1:000000000000:function:flaky`;
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'to-lambda',
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Dimensions: dims,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [fnArn],
    }),
  );
  const before = await sum('AWS/Lambda', 'Invocations', dims);
  await advanceClock(nimbus.url, '120s');
  assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['to-lambda'] }))).MetricAlarms![0].StateValue, 'ALARM');
  let after = before;
  for (let i = 0; i < 200 && after === before; i++) {
    await new Promise((r) => setTimeout(r, 50));
    after = await sum('AWS/Lambda', 'Invocations', dims);
  }
  assert.equal(after, before + 1, 'the alarm action invoked the function once');
});
