// A clock advance answers once the deliveries it started have arrived: a short poll right after
// POST /_nimbus/clock sees what Scheduler and EventBridge's scheduled rules delivered, directly,
// through SNS, through rt.invoke, and through an HTTP endpoint that takes its time to forward.
import assert from 'node:assert/strict';
import { test, before, after } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SchedulerClient, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import {
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  CreateConnectionCommand,
  CreateApiDestinationCommand,
} from '@aws-sdk/client-eventbridge';
import { SNSClient, CreateTopicCommand, SubscribeCommand, ConfirmSubscriptionCommand, PublishCommand } from '@aws-sdk/client-sns';
import { advanceClock, clientConfig, serverForFile } from '../helpers.js';

let sqs: SQSClient;
let sch: SchedulerClient;
let eb: EventBridgeClient;
let sns: SNSClient;
const nimbus = serverForFile(() => {
  sqs = new SQSClient(clientConfig(nimbus.url));
  sch = new SchedulerClient(clientConfig(nimbus.url));
  eb = new EventBridgeClient(clientConfig(nimbus.url));
  sns = new SNSClient(clientConfig(nimbus.url));
});
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';

// an HTTP endpoint (an API destination's) that forwards what it is sent to a queue a while later
let slow: Server;
let slowUrl = '';
let forwardTo = '';
before(async () => {
  slow = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { detail?: { from?: string } } | string;
      setTimeout(() => {
        const text = typeof body === 'string' ? body : `via-bus-${body.detail?.from}`;
        void sqs.send(new SendMessageCommand({ QueueUrl: forwardTo, MessageBody: text })).then(
          () => res.end('{}'),
          () => res.writeHead(500).end(),
        );
      }, 300);
    });
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/hook`;
});
after(() => new Promise<void>((resolve) => slow.close(() => resolve())));

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** A short poll: what the queue holds at this moment, no waiting. */
async function bodiesNow(url: string): Promise<string[]> {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return (Messages ?? []).map((m) => m.Body!).sort();
}

test('after an advance a short poll sees what a Scheduler schedule and an EventBridge scheduled rule delivered', async () => {
  const q = await queue('settle-direct');
  const viaSns = await queue('settle-sns');
  const viaHttp = await queue('settle-http');
  forwardTo = viaHttp.url;
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'settle-topic' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: viaSns.arn, Attributes: { RawMessageDelivery: 'true' } }));
  const { ConnectionArn } = await eb.send(
    new CreateConnectionCommand({
      Name: 'settle-conn',
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k' } },
    }),
  );
  const { ApiDestinationArn } = await eb.send(
    new CreateApiDestinationCommand({ Name: 'settle-slow', ConnectionArn, InvocationEndpoint: slowUrl, HttpMethod: 'POST' }),
  );

  const start = new Date(((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs + 60_000);
  const schedule = (Name: string, Target: { Arn: string; Input: string }) =>
    sch.send(
      new CreateScheduleCommand({
        Name,
        ScheduleExpression: 'rate(1 day)',
        StartDate: start,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { ...Target, RoleArn: ROLE },
      }),
    );
  // universal targets (rt.invoke) and an SNS target: delivered asynchronously
  await schedule('settle-universal', {
    Arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage',
    Input: JSON.stringify({ QueueUrl: q.url, MessageBody: 'scheduler-universal' }),
  });
  await schedule('settle-sns', { Arn: TopicArn!, Input: 'scheduler-sns' });
  await schedule('settle-bus', {
    Arn: 'arn:aws:scheduler:::aws-sdk:eventbridge:putEvents',
    Input: JSON.stringify({ Entries: [{ Source: 'settle.test', DetailType: 'Ping', Detail: '{"from":"scheduler"}' }] }),
  });
  await eb.send(new PutRuleCommand({ Name: 'settle-pattern', EventPattern: JSON.stringify({ source: ['settle.test'] }) }));
  await eb.send(new PutTargetsCommand({ Rule: 'settle-pattern', Targets: [{ Id: 'slow', Arn: ApiDestinationArn!, RoleArn: ROLE }] }));
  await eb.send(new PutRuleCommand({ Name: 'settle-rule', ScheduleExpression: 'rate(1 hour)' }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'settle-rule',
      Targets: [
        { Id: 'q', Arn: q.arn, Input: '"rule-sqs"' },
        { Id: 't', Arn: TopicArn!, Input: '"rule-sns"' },
        { Id: 'slow', Arn: ApiDestinationArn!, RoleArn: ROLE, Input: '"rule-http"' },
      ],
    }),
  );

  await advanceClock(nimbus.url, '90m');
  assert.deepEqual(await bodiesNow(q.url), ['"rule-sqs"', 'scheduler-universal']);
  assert.deepEqual(await bodiesNow(viaSns.url), ['"rule-sns"', 'scheduler-sns']);
  assert.deepEqual(await bodiesNow(viaHttp.url), ['rule-http', 'via-bus-scheduler']);
});

test('an SNS HTTP retry that an advance makes due has been made when the advance answers', async () => {
  const seen: string[] = [];
  const statuses = [200, 503, 200];
  const ep = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(statuses[seen.length - 1] ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => ep.listen(0, '127.0.0.1', resolve));
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'settle-http' }));
    await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'http',
        Endpoint: `http://127.0.0.1:${(ep.address() as AddressInfo).port}/`,
        Attributes: { DeliveryPolicy: JSON.stringify({ healthyRetryPolicy: { numRetries: 3, minDelayTarget: 30, maxDelayTarget: 30 } }) },
      }),
    );
    const until = async (n: number) => {
      for (let i = 0; i < 250 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.length, n);
    };
    await until(1); // the confirmation request
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: JSON.parse(seen[0]).Token }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'again' }));
    await until(2); // answered 503: a retry 30 s later
    await advanceClock(nimbus.url, '31s');
    assert.equal(seen.length, 3, 'the retry was made before the advance answered');
    assert.equal(JSON.parse(seen[2]).Message, 'again');

    // a schedule publishing to the topic: its HTTP delivery has arrived when the advance answers
    const start = new Date(((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs + 60_000);
    await sch.send(
      new CreateScheduleCommand({
        Name: 'settle-http',
        ScheduleExpression: 'rate(1 day)',
        StartDate: start,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: TopicArn!, RoleArn: ROLE, Input: 'scheduled' },
      }),
    );
    await advanceClock(nimbus.url, '2m');
    assert.equal(seen.length, 4);
    assert.equal(JSON.parse(seen[3]).Message, 'scheduled');
  } finally {
    await new Promise<void>((resolve) => ep.close(() => resolve()));
  }
});
