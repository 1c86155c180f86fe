// The clock timeline: advancing the virtual clock answers what fired (S3 lifecycle, DynamoDB TTL,
// EventBridge schedules, Logs retention), and GET /_nimbus/clock/events lists it by sequence or time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { DynamoDBClient, CreateTableCommand, PutItemCommand, UpdateTimeToLiveCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig } from '../helpers.js';

const nimbus = serverForFile();

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${nimbus.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}
async function advance(by: string): Promise<any[]> {
  const r = await admin('POST', '/_nimbus/clock', { advance: by });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(Array.isArray(r.body.fired));
  return r.body.fired;
}
const virtualNow = async () => (await admin('GET', '/_nimbus/clock')).body.epochMs as number;

test('an advance answers the S3 lifecycle transitions and expirations it caused', async () => {
  const s3 = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await s3.send(new CreateBucketCommand({ Bucket: 'timeline-bucket' }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: 'timeline-bucket',
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'archive',
            Status: 'Enabled',
            Filter: { Prefix: 'logs/' },
            Transitions: [{ Days: 30, StorageClass: 'GLACIER' }],
            Expiration: { Days: 365 },
          },
        ],
      },
    }),
  );
  // 128 KiB: lifecycle transitions skip smaller objects by default
  await s3.send(new PutObjectCommand({ Bucket: 'timeline-bucket', Key: 'logs/a.txt', Body: Buffer.alloc(128 * 1024, 1) }));
  await s3.send(new PutObjectCommand({ Bucket: 'timeline-bucket', Key: 'keep.txt', Body: 'k' }));

  assert.deepEqual(
    (await advance('1d')).filter((e) => e.service === 's3'),
    [],
  );
  const fired = (await advance('31d')).filter((e) => e.service === 's3');
  assert.equal(fired.length, 1);
  const [t] = fired;
  assert.equal(t.kind, 'lifecycle-transition');
  assert.equal(t.resource, 'arn:aws:s3:::timeline-bucket/logs/a.txt');
  assert.equal(t.account, '000000000000');
  assert.equal(t.region, 'us-east-1');
  assert.equal(t.detail.storageClass, 'GLACIER');
  assert.equal(t.detail.previousStorageClass, 'STANDARD');
  assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'timeline-bucket', Key: 'logs/a.txt' }))).StorageClass, 'GLACIER');

  const expired = (await advance('400d')).filter((e) => e.service === 's3');
  assert.deepEqual(
    expired.map((e) => [e.kind, e.resource]),
    [['lifecycle-expiration', 'arn:aws:s3:::timeline-bucket/logs/a.txt']],
  );
});

test('DynamoDB TTL deletions are on the timeline with the item key', async () => {
  const ddb = new DynamoDBClient(clientConfig(nimbus.url));
  await ddb.send(
    new CreateTableCommand({
      TableName: 'timeline-ttl',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await ddb.send(
    new UpdateTimeToLiveCommand({ TableName: 'timeline-ttl', TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } }),
  );
  const nowS = Math.floor((await virtualNow()) / 1000);
  await ddb.send(new PutItemCommand({ TableName: 'timeline-ttl', Item: { id: { S: 'soon' }, exp: { N: String(nowS + 60) } } }));
  await ddb.send(new PutItemCommand({ TableName: 'timeline-ttl', Item: { id: { S: 'later' }, exp: { N: String(nowS + 86_400) } } }));

  const fired = (await advance('5m')).filter((e) => e.service === 'dynamodb');
  assert.equal(fired.length, 1);
  assert.equal(fired[0].kind, 'ttl-delete');
  assert.match(fired[0].resource, /^arn:aws:dynamodb:us-east-1:000000000000:table\/timeline-ttl$/);
  assert.deepEqual(fired[0].detail.key, { id: { S: 'soon' } });
  assert.equal((await ddb.send(new GetItemCommand({ TableName: 'timeline-ttl', Key: { id: { S: 'soon' } } }))).Item, undefined);
});

test('EventBridge schedules fire on the timeline', async () => {
  const events = new EventBridgeClient(clientConfig(nimbus.url));
  const { RuleArn } = await events.send(new PutRuleCommand({ Name: 'every-hour', ScheduleExpression: 'rate(1 hour)' }));
  const fired = (await advance('3h')).filter((e) => e.service === 'events');
  assert.ok(fired.length >= 2, JSON.stringify(fired));
  for (const e of fired) {
    assert.equal(e.kind, 'schedule');
    assert.equal(e.resource, RuleArn);
    assert.equal(e.detail.scheduleExpression, 'rate(1 hour)');
  }
});

test('Logs retention deletions are on the timeline', async () => {
  const logs = new CloudWatchLogsClient(clientConfig(nimbus.url));
  await logs.send(new CreateLogGroupCommand({ logGroupName: 'timeline-group' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: 'timeline-group', logStreamName: 's' }));
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: 'timeline-group', retentionInDays: 1 }));
  const now = await virtualNow();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: 'timeline-group',
      logStreamName: 's',
      logEvents: [
        { timestamp: now, message: 'one' },
        { timestamp: now, message: 'two' },
      ],
    }),
  );
  const fired = (await advance('3d')).filter((e) => e.service === 'logs');
  assert.equal(fired.length, 1);
  assert.equal(fired[0].kind, 'retention-delete');
  assert.equal(fired[0].resource, 'arn:aws:logs:us-east-1:000000000000:log-group:timeline-group');
  assert.equal(fired[0].detail.events, 2);
});

test('SQS visibility timeouts that run out during an advance are on the timeline, per queue', async () => {
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'timeline-queue', Attributes: { VisibilityTimeout: '60' } }));
  for (const body of ['a', 'b', 'c']) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2 }));
  assert.equal(first.Messages?.length, 2);
  assert.deepEqual(
    (await advance('30s')).filter((e) => e.service === 'sqs'),
    [],
  );
  const fired = (await advance('1m')).filter((e) => e.service === 'sqs');
  assert.deepEqual(
    fired.map((e) => [e.kind, e.resource, e.detail.messages]),
    [['visibility-timeout', 'arn:aws:sqs:us-east-1:000000000000:timeline-queue', 2]],
  );
  const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.equal(again.Messages?.length, 3);
});

test('GET /_nimbus/clock/events lists by sequence, time, service and kind', async () => {
  const clock = (await admin('GET', '/_nimbus/clock')).body;
  const all = (await admin('GET', '/_nimbus/clock/events')).body;
  assert.equal(all.last, clock.lastEvent);
  assert.ok(all.events.length >= 5);
  const seqs = all.events.map((e: any) => e.seq);
  assert.deepEqual(
    seqs,
    [...seqs].sort((a, b) => a - b),
  );
  assert.equal(seqs.at(-1), all.last);

  const mid = all.events[1].seq;
  assert.deepEqual(
    (await admin('GET', `/_nimbus/clock/events?since=${mid}`)).body.events.map((e: any) => e.seq),
    seqs.filter((s: number) => s > mid),
  );
  const s3only = (await admin('GET', '/_nimbus/clock/events?service=s3')).body.events;
  assert.deepEqual(
    s3only.map((e: any) => e.kind),
    ['lifecycle-transition', 'lifecycle-expiration'],
  );
  // the later item expired in a later advance
  const ttl = (await admin('GET', '/_nimbus/clock/events?kind=ttl-delete')).body.events;
  assert.deepEqual(
    ttl.map((e: any) => e.detail.key.id.S),
    ['soon', 'later'],
  );
  const last = all.events.at(-1);
  const byTime = (await admin('GET', `/_nimbus/clock/events?since=${encodeURIComponent(last.time)}`)).body.events;
  assert.ok(byTime.some((e: any) => e.seq === last.seq));
  assert.ok(byTime.every((e: any) => e.time >= last.time));
  assert.equal((await admin('GET', '/_nimbus/clock/events?limit=1')).body.events[0].seq, all.last);
  assert.equal((await admin('GET', '/_nimbus/clock/events?since=yesterday')).status, 400);
  assert.deepEqual(
    (await advance('1s')).filter((e) => e.seq <= all.last),
    [],
  );
});
