// A function another service invokes asynchronously during a clock advance (a Scheduler schedule, a
// scheduled EventBridge rule, a CloudWatch alarm action, an S3 lifecycle expiration's notification) has run by the time the advance answers,
// also when it is the only work Lambda has: a read right after the advance sees its effect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { SchedulerClient, CreateScheduleCommand, DeleteScheduleCommand } from '@aws-sdk/client-scheduler';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand, DeleteAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  S3Client,
  CreateBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';
import { InvokeCommand } from '@aws-sdk/client-lambda';
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
  const from = e.from ?? e.alarmData?.alarmName ?? e.Records?.[0]?.eventName ?? e.source;
  await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(QueueUrl)}, MessageBody: String(from) }));
};`,
  });
  Arn = fn.FunctionArn!;
});

/** Advances (a minute) and reads at once who invoked the function (a rate schedule may fire at each minute boundary it crosses). */
async function invokersAfterAdvance(by = '61s'): Promise<string[]> {
  await advanceClock(server.url, by);
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  for (const m of got.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
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

test("an S3 lifecycle expiration's notification to a function", async () => {
  const s3 = new S3Client(clientConfig(server.url, { forcePathStyle: true }));
  const Bucket = 'expiring';
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: { Rules: [{ ID: 'day', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] },
    }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket,
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: Arn, Events: ['s3:LifecycleExpiration:*'] }] },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket, Key: 'old.txt', Body: 'x' }));
  assert.deepEqual(await invokersAfterAdvance('3d'), ['LifecycleExpiration:Delete']);
});

test('an environment is not reused past its idle time or its role credentials: after a 13-hour advance the function still reaches AWS', async () => {
  const c = lambdaClient(server.url);
  const call = (from: string) => c.send(new InvokeCommand({ FunctionName: 'reporter', Payload: Buffer.from(JSON.stringify({ from })) }));
  assert.equal((await call('warm')).FunctionError, undefined);
  assert.deepEqual(await invokersAfterAdvance('13h'), ['warm']);
  const later = await call('later');
  assert.equal(later.FunctionError, undefined, Buffer.from(later.Payload ?? []).toString());
  assert.deepEqual(await invokersAfterAdvance('1s'), ['later']);
});
