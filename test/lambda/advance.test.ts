// A function another service invokes asynchronously during a clock advance (a Scheduler schedule, a
// scheduled EventBridge rule, a CloudWatch alarm action) has run by the time the advance answers,
// also when it is the only work Lambda has: a read right after the advance sees its effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { SchedulerClient, CreateScheduleCommand, DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand, DeleteAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

let sqs: SQSClient;
let QueueUrl: string;
let Arn: string;
const server = serverForFile(async () => {
  sqs = new SQSClient(clientConfig(server.url));
  QueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'ran' }))).QueueUrl!;
  const fn = await createFunction(lambdaClient(server.url), 'reporter', 'nodejs20.x', 'index.handler', {
    'index.js': `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (e) => {
  const from = e.from ?? e.alarmData?.alarmName ?? e.source;
  await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(QueueUrl)}, MessageBody: String(from) }));
};`,
  });
  Arn = fn.FunctionArn!;
});

/** Advances a minute and reads at once who invoked the function (a rate schedule may fire at each minute boundary it crosses). */
async function invokersAfterAdvance(): Promise<string[]> {
  await advanceClock(server.url, '61s');
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  return [...new Set((got.Messages ?? []).map((m) => m.Body!))];
}

test('a Scheduler schedule targeting a function', async () => {
  const scheduler = new SchedulerClient(clientConfig(server.url));
  await scheduler.send(
    new CreateScheduleCommand({
      Name: 'every-minute',
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn, RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: '{"from":"scheduler"}' },
    }),
  );
  assert.deepEqual(await invokersAfterAdvance(), ['scheduler']);
  await scheduler.send(new DeleteScheduleCommand({ Name: 'every-minute' }));
});

test('a scheduled EventBridge rule targeting a function', async () => {
  const eb = new EventBridgeClient(clientConfig(server.url));
  await eb.send(new PutRuleCommand({ Name: 'minutely', ScheduleExpression: 'rate(1 minute)' }));
  await eb.send(new PutTargetsCommand({ Rule: 'minutely', Targets: [{ Id: 'fn', Arn }] }));
  assert.deepEqual(await invokersAfterAdvance(), ['aws.events']);
  await eb.send(new RemoveTargetsCommand({ Rule: 'minutely', Ids: ['fn'] }));
});

test('a CloudWatch alarm whose action is a function', async () => {
  const cw = new CloudWatchClient(clientConfig(server.url));
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'queue-deep',
      Namespace: 'App',
      MetricName: 'Depth',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [Arn],
    }),
  );
  await cw.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: [{ MetricName: 'Depth', Value: 50 }] }));
  assert.deepEqual(await invokersAfterAdvance(), ['queue-deep']);
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['queue-deep'] }));
});
