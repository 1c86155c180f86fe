// Scheduler's other targets: an SNS topic, an EventBridge bus (Source and DetailType from the
// target's parameters), a Lambda function (invoked asynchronously with the input as its event), and
// a universal target whose operation fails (retried, then dead-lettered).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerClient, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, CreateEventBusCommand } from '@aws-sdk/client-eventbridge';
import { PutFunctionEventInvokeConfigCommand } from '@aws-sdk/client-lambda';
import { advanceClock, clientConfig, serverForFile } from '../helpers.js';
import { createFunction, lambdaClient } from '../lambda-helpers.js';

let sch: SchedulerClient;
let sqs: SQSClient;
const nimbus = serverForFile(() => {
  sch = new SchedulerClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
});
const role = 'arn:aws:iam::000000000000:role/scheduler';

async function queue(name: string) {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

async function receive(url: string, wait = 0) {
  const msgs =
    (
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: wait, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }),
      )
    ).Messages ?? [];
  for (const m of msgs) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  return msgs;
}

const once = async () =>
  `at(${new Date(((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs + 60_000).toISOString().slice(0, 19)})`;

test('an SNS topic target publishes the input to its subscribers', async () => {
  const sns = new SNSClient(clientConfig(nimbus.url));
  const q = await queue('sns-sub');
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'sched-topic' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
  await sch.send(
    new CreateScheduleCommand({
      Name: 'to-sns',
      ScheduleExpression: await once(),
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: TopicArn!, RoleArn: role, Input: 'hello topic' },
    }),
  );
  await advanceClock(nimbus.url, '2m');
  const [m] = await receive(q.url, 5);
  assert.equal(m?.Body, 'hello topic');
});

test("an EventBridge bus target puts an event with the target's Source and DetailType", async () => {
  const eb = new EventBridgeClient(clientConfig(nimbus.url));
  const q = await queue('eb-sub');
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'sched-bus' }));
  await eb.send(
    new PutRuleCommand({ Name: 'from-scheduler', EventBusName: 'sched-bus', EventPattern: JSON.stringify({ source: ['my.scheduler'] }) }),
  );
  await eb.send(new PutTargetsCommand({ Rule: 'from-scheduler', EventBusName: 'sched-bus', Targets: [{ Id: 'q', Arn: q.arn }] }));
  await sch.send(
    new CreateScheduleCommand({
      Name: 'to-bus',
      ScheduleExpression: await once(),
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: EventBusArn!,
        RoleArn: role,
        Input: '{"job":"report"}',
        EventBridgeParameters: { Source: 'my.scheduler', DetailType: 'Report Due' },
      },
    }),
  );
  await advanceClock(nimbus.url, '2m');
  const [m] = await receive(q.url, 5);
  const event = JSON.parse(m.Body!);
  assert.equal(event['detail-type'], 'Report Due');
  assert.deepEqual(event.detail, { job: 'report' });
  assert.deepEqual(event.resources, ['arn:aws:scheduler:us-east-1:000000000000:schedule/default/to-bus']);
});

test('a Lambda target is invoked asynchronously with the input as its event', async () => {
  const lambda = lambdaClient(nimbus.url);
  const done = await queue('lambda-done');
  await createFunction(lambda, 'scheduled-fn', 'nodejs20.x', 'index.handler', {
    'index.js': 'exports.handler = async (e) => ({ got: e });',
  });
  await lambda.send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: 'scheduled-fn', DestinationConfig: { OnSuccess: { Destination: done.arn } } }),
  );
  await sch.send(
    new CreateScheduleCommand({
      Name: 'to-lambda',
      ScheduleExpression: await once(),
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:lambda:us-east-1:000000000000:function:scheduled-fn',
        RoleArn: role,
        Input: '{"task":"cleanup","id":"<aws.scheduler.execution-id>"}',
      },
    }),
  );
  await advanceClock(nimbus.url, '2m');
  const [m] = await receive(done.url, 15);
  const record = JSON.parse(m.Body!);
  assert.equal(record.responsePayload.got.task, 'cleanup');
  assert.match(record.responsePayload.got.id, /^[0-9a-f-]{36}$/);
});

test("a universal target whose operation fails is retried, then dead-lettered with the operation's error", async () => {
  const dlq = await queue('universal-dlq');
  await sch.send(
    new CreateScheduleCommand({
      Name: 'bad-universal',
      ScheduleExpression: await once(),
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage',
        RoleArn: role,
        Input: JSON.stringify({ QueueUrl: 'http://127.0.0.1/000000000000/none', MessageBody: 'x' }),
        RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: dlq.arn },
      },
    }),
  );
  await advanceClock(nimbus.url, '1h');
  let m;
  for (let i = 0; i < 50 && !m; i++) {
    [m] = await receive(dlq.url);
    if (!m) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(m, 'dead-lettered');
  assert.equal(m.MessageAttributes!.ERROR_CODE.StringValue, 'QueueDoesNotExist');
  assert.equal(m.MessageAttributes!.RETRY_ATTEMPTS.StringValue, '1');
});
