// Standard metrics of SNS, DynamoDB, Lambda concurrency, EventBridge rules and S3's daily storage,
// read back through CloudWatch with the dimensions AWS uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import {
  DynamoDBClient,
  CreateTableCommand,
  PutItemCommand,
  GetItemCommand,
  QueryCommand,
  BatchWriteItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, CreateEventBusCommand, PutRuleCommand, PutTargetsCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

let cw: CloudWatchClient;
let sqs: SQSClient;
const nimbus = serverForFile(() => {
  cw = new CloudWatchClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
});
const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
type Dims = Array<{ Name: string; Value: string }>;
async function stats(ns: string, name: string, dims: Dims, period = 3 * 3600) {
  const t = await now();
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: ns,
      MetricName: name,
      Dimensions: dims,
      StartTime: new Date(t - 3 * 86_400_000),
      EndTime: new Date(t + 60_000),
      Period: period,
      Statistics: ['Sum', 'SampleCount', 'Maximum'],
    }),
  );
  const points = out.Datapoints ?? [];
  return {
    Sum: points.reduce((s, p) => s + (p.Sum ?? 0), 0),
    Maximum: Math.max(-1, ...points.map((p) => p.Maximum ?? -1)),
    Unit: points[0]?.Unit,
    n: points.length,
  };
}
const queueArn = async (name: string) => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
};

test('SNS publishes NumberOfMessagesPublished, PublishSize and NumberOfNotificationsDelivered / Failed per topic', async () => {
  const sns = new SNSClient(clientConfig(nimbus.url));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'metered' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: await queueArn('metered-sub') }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:no-such-queue' }));
  await sns.send(new PublishCommand({ TopicArn, Message: 'hello' }));
  await sns.send(new PublishCommand({ TopicArn, Message: 'hello again' }));
  const dims = [{ Name: 'TopicName', Value: 'metered' }];
  assert.equal((await stats('AWS/SNS', 'NumberOfMessagesPublished', dims)).Sum, 2);
  const size = await stats('AWS/SNS', 'PublishSize', dims);
  assert.equal(size.Sum, 16);
  assert.equal(size.Unit, 'Bytes');
  assert.equal((await stats('AWS/SNS', 'NumberOfNotificationsDelivered', dims)).Sum, 2);
  assert.equal((await stats('AWS/SNS', 'NumberOfNotificationsFailed', dims)).Sum, 2);
});

test('DynamoDB publishes consumed capacity per table and latency per table and operation, without changing answers', async () => {
  const ddb = new DynamoDBClient(clientConfig(nimbus.url));
  await ddb.send(
    new CreateTableCommand({
      TableName: 'metered',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    }),
  );
  const put = await ddb.send(new PutItemCommand({ TableName: 'metered', Item: { pk: { S: 'a' }, big: { S: 'x'.repeat(1500) } } }));
  assert.equal(put.ConsumedCapacity, undefined, 'not asked for, not returned');
  await ddb.send(new BatchWriteItemCommand({ RequestItems: { metered: [{ PutRequest: { Item: { pk: { S: 'b' } } } }] } }));
  const got = await ddb.send(new GetItemCommand({ TableName: 'metered', Key: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL' }));
  assert.equal(got.ConsumedCapacity?.CapacityUnits, 0.5);
  await ddb.send(
    new QueryCommand({
      TableName: 'metered',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'a' } },
      ConsistentRead: true,
    }),
  );
  const table = [{ Name: 'TableName', Value: 'metered' }];
  assert.equal((await stats('AWS/DynamoDB', 'ConsumedWriteCapacityUnits', table)).Sum, 3);
  assert.equal((await stats('AWS/DynamoDB', 'ConsumedReadCapacityUnits', table)).Sum, 1.5);
  const latency = await stats('AWS/DynamoDB', 'SuccessfulRequestLatency', [...table, { Name: 'Operation', Value: 'GetItem' }]);
  assert.equal(latency.n, 1);
  assert.equal(latency.Unit, 'Milliseconds');
  const listed = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/DynamoDB', MetricName: 'SuccessfulRequestLatency' }));
  const ops = listed.Metrics!.map((m) => m.Dimensions!.find((d) => d.Name === 'Operation')!.Value).sort();
  assert.deepEqual(ops, ['BatchWriteItem', 'GetItem', 'PutItem', 'Query']);
});

test('Lambda publishes ConcurrentExecutions per function and for the account', async () => {
  const lambda = lambdaClient(nimbus.url);
  await createFunction(lambda, 'busy', 'nodejs20.x', 'index.handler', {
    'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 200)); return 1; };',
  });
  await Promise.all([1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: 'busy', Payload: Buffer.from('{}') }))));
  const fn = await stats('AWS/Lambda', 'ConcurrentExecutions', [{ Name: 'FunctionName', Value: 'busy' }]);
  assert.ok(fn.Maximum >= 1 && fn.Maximum <= 2, String(fn.Maximum));
  assert.ok((await stats('AWS/Lambda', 'ConcurrentExecutions', [])).Maximum >= fn.Maximum);
});

test('EventBridge publishes MatchedEvents, TriggeredRules, Invocations and FailedInvocations per rule', async () => {
  const eb = new EventBridgeClient(clientConfig(nimbus.url));
  await eb.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop'] }) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'orders',
      Targets: [
        { Id: 'q', Arn: await queueArn('orders-target') },
        { Id: 'gone', Arn: 'arn:aws:sqs:us-east-1:000000000000:gone', RetryPolicy: { MaximumRetryAttempts: 0 } },
      ],
    }),
  );
  await eb.send(new CreateEventBusCommand({ Name: 'custom' }));
  await eb.send(new PutRuleCommand({ Name: 'on-custom', EventBusName: 'custom', EventPattern: JSON.stringify({ source: ['shop'] }) }));
  await eb.send(
    new PutEventsCommand({
      Entries: [
        { Source: 'shop', DetailType: 'x', Detail: '{}' },
        { Source: 'shop', DetailType: 'y', Detail: '{}' },
        { Source: 'other', DetailType: 'z', Detail: '{}' },
      ],
    }),
  );
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'x', Detail: '{}', EventBusName: 'custom' }] }));
  const rule = [{ Name: 'RuleName', Value: 'orders' }];
  assert.equal((await stats('AWS/Events', 'MatchedEvents', rule)).Sum, 2);
  assert.equal((await stats('AWS/Events', 'TriggeredRules', rule)).Sum, 2);
  assert.equal((await stats('AWS/Events', 'Invocations', rule)).Sum, 4);
  assert.equal((await stats('AWS/Events', 'MatchedEvents', [])).Sum, 3, 'the account-wide metric');
  assert.equal(
    (
      await stats('AWS/Events', 'TriggeredRules', [
        { Name: 'EventBusName', Value: 'custom' },
        { Name: 'RuleName', Value: 'on-custom' },
      ])
    ).Sum,
    1,
  );
  let failed = 0;
  for (let i = 0; i < 50 && failed < 2; i++) {
    failed = (await stats('AWS/Events', 'FailedInvocations', rule)).Sum;
    if (failed < 2) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(failed, 2);
});

test('S3 publishes BucketSizeBytes and NumberOfObjects once per virtual day', async () => {
  const s3 = new S3Client({ ...clientConfig(nimbus.url), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'sized' }));
  await s3.send(new PutObjectCommand({ Bucket: 'sized', Key: 'a', Body: 'x'.repeat(100) }));
  await s3.send(new PutObjectCommand({ Bucket: 'sized', Key: 'b', Body: 'y'.repeat(50) }));
  await s3.send(new PutObjectCommand({ Bucket: 'sized', Key: 'c', Body: 'z', StorageClass: 'STANDARD_IA' }));
  const bucket = { Name: 'BucketName', Value: 'sized' };
  assert.equal(
    (await stats('AWS/S3', 'NumberOfObjects', [bucket, { Name: 'StorageType', Value: 'AllStorageTypes' }], 86400)).n,
    0,
    'not before the day ends',
  );
  await advanceClock(nimbus.url, '1d');
  const count = await stats('AWS/S3', 'NumberOfObjects', [bucket, { Name: 'StorageType', Value: 'AllStorageTypes' }], 86400);
  assert.equal(count.Maximum, 3);
  const size = await stats('AWS/S3', 'BucketSizeBytes', [bucket, { Name: 'StorageType', Value: 'StandardStorage' }], 86400);
  assert.equal(size.Maximum, 150);
  assert.equal(size.Unit, 'Bytes');
  assert.equal((await stats('AWS/S3', 'BucketSizeBytes', [bucket, { Name: 'StorageType', Value: 'StandardIAStorage' }], 86400)).Maximum, 1);
});
