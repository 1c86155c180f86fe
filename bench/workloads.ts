// Bench workloads: one entry per AWS operation measured. Adding a service is one more entry.
import http from 'node:http';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AttributeValue, BatchWriteItemCommand, CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { crc32 } from '@aws-crypto/crc32';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { InvokeWithResponseStreamCommand } from '@aws-sdk/client-lambda';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { zipSync, strToU8 } from 'fflate';
import { PutTraceSegmentsCommand, XRayClient } from '@aws-sdk/client-xray';
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSubnetCommand, CreateVpcCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';

// EC2: the public Amazon Linux 2023 image (its id is the same in every Nimbus), a subnet per endpoint
const EC2_AMI = 'ami-' + createHash('sha256').update('us-east-1/al2023-x86').digest('hex').slice(0, 17);
const ec2Subnets = new Map<string, string>();
function ec2Reservation(root: string, wrapped: boolean): string {
  const instance = '<item><instanceId>i-0123456789abcdef0</instanceId><imageId>ami-0123456789abcdef0</imageId><instanceState><code>0</code><name>pending</name></instanceState>' +
    '<privateIpAddress>10.99.0.4</privateIpAddress><instanceType>t3.micro</instanceType><tagSet><item><key>Name</key><value>bench</value></item></tagSet></item>';
  const reservation = `<reservationId>r-0123456789abcdef0</reservationId><ownerId>000000000000</ownerId><groupSet/><instancesSet>${instance}</instancesSet>`;
  const body = wrapped ? `<reservationSet><item>${reservation}</item></reservationSet>` : reservation;
  return `<${root} xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>${body}</${root}>`;
}

export type ServerName = 'null' | 'nimbus' | 'moto';

/** How the null server recognises a workload's request, and the fixed answer it gives. Plain data:
 *  it is handed to the null server as JSON so that process loads no SDK. */
export interface NullRoute {
  match: { target?: string; action?: string; method?: string; pathPrefix?: string };
  status: number;
  headers: Record<string, string>;
  body: string;
  /** a binary body (an event stream), instead of `body` */
  bodyBase64?: string;
}

export interface Workload {
  name: string;
  /** Servers that implement the operation; default: all. */
  supports?: ServerName[];
  setup(endpoint: string): Promise<void>;
  op(endpoint: string, i: number): Promise<unknown>;
  /** one route per request the op makes */
  nullResponse: NullRoute | NullRoute[];
}

// One keep-alive agent for the whole run, sockets capped at the concurrency, and one client per
// (service, endpoint): every server is driven by exactly the same client stack.
export const CONCURRENCY = 16;
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const clients = new Map<string, unknown>();
function client<C>(Ctor: new (config: object) => C, endpoint: string, extra: object = {}): C {
  const key = `${Ctor.name} ${endpoint}`;
  if (!clients.has(key)) {
    clients.set(key, new Ctor({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1, // a retry would hide an error and count it as a (slow) op
      requestHandler: { httpAgent: agent },
      ...extra,
    }));
  }
  return clients.get(key) as C;
}

const xml = { 'content-type': 'text/xml' };

// S3: path-style requests to one bucket; bodies of 1 KiB and 16 MiB (printable, so the null server can answer the small one)
const S3_BUCKET = 'bench-s3';
const KIB = Buffer.alloc(1024, 'x');
const MIB16 = Buffer.alloc(16 * 1024 * 1024, 'y');
const s3 = (endpoint: string) => client(S3Client, endpoint, { forcePathStyle: true });
// the null server has no CreateBucket route: its 400 is expected and ignored there
const s3Bucket = (endpoint: string) => s3(endpoint).send(new CreateBucketCommand({ Bucket: S3_BUCKET })).then(() => undefined, () => undefined);
const crc32Of = (b: Buffer) => { const n = Buffer.alloc(4); n.writeUInt32BE(crc32(b) >>> 0); return n.toString('base64'); };
/** What S3 answers a PUT of `body` with (a GET adds the content headers). */
const s3PutHeaders = (body: Buffer) => ({
  etag: `"${createHash('md5').update(body).digest('hex')}"`, 'x-amz-checksum-crc32': crc32Of(body), 'x-amz-checksum-type': 'FULL_OBJECT',
  'x-amz-server-side-encryption': 'AES256', 'x-amz-request-id': '0123456789ABCDEF',
});

const json10 = { 'content-type': 'application/x-amz-json-1.0' };
const ddbItem = (pk: string, i: number) => ({ pk: { S: pk }, sk: { N: String(i) }, name: { S: `name ${i}` }, score: { N: String(i * 7) }, tags: { SS: ['a', 'b'] } });
// Query pages hold small items: the null server's fixed page travels in an environment variable (max 128 KiB)
const ddbSmall = (pk: string, i: number) => ({ pk: { S: pk }, sk: { N: String(i) }, v: { N: String(i * 7) } });

/** A table keyed (pk S, sk N); on the null server (no such route) the 400 is ignored. */
async function ddbTable(endpoint: string, name: string): Promise<boolean> {
  const ddb = client(DynamoDBClient, endpoint);
  return ddb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
  })).then(() => true, (e: Error) => e.name === 'ResourceInUseException');
}

/** n items in one partition, 25 per BatchWriteItem, 16 batches in flight; skipped where there is no table. */
async function ddbLoad(endpoint: string, table: string, pk: string, n: number, make: (pk: string, i: number) => Record<string, AttributeValue> = ddbItem): Promise<void> {
  if (!(await ddbTable(endpoint, table))) return;
  const ddb = client(DynamoDBClient, endpoint);
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) {
      const from = next;
      next += 25;
      const items = Array.from({ length: Math.min(25, n - from) }, (_, k) => ({ PutRequest: { Item: make(pk, from + k) } }));
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: items } }));
    }
  }));
}
const benchTopics = new Map<string, string>();

// SQS: fixed bodies (the SDK verifies the MD5 a server answers); queue URLs as each server returns them
const SQS_BODY = JSON.stringify({ event: 'order.created', id: 'ord-0001', amount: 4200, currency: 'EUR' });
const SQS_PREFILL = 100_000; // more than Nimbus takes in a 3 s run and its warm-up
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sqsUrls = new Map<string, string>();
/** The queue's URL; undefined on the null server (no CreateQueue route: its 400 is expected and ignored). */
async function sqsQueue(endpoint: string, name: string): Promise<string | undefined> {
  const out = await client(SQSClient, endpoint).send(new CreateQueueCommand({ QueueName: name })).catch(() => undefined);
  if (out?.QueueUrl) sqsUrls.set(`${endpoint} ${name}`, out.QueueUrl);
  return out?.QueueUrl;
}

// CloudWatch Logs: one group, a stream per workload; the null server's 400 for the setup is ignored
const json11 = { 'content-type': 'application/x-amz-json-1.1' };
const LOGS_GROUP = '/bench/logs';
const logsLine = (i: number) => `${i % 10 === 0 ? 'ERROR' : 'INFO'} 2026-12-05T08:00:00Z request ${i} handled in ${i % 97} ms by worker-${i % 16}`;
const logsBatch = (i: number, t: number) => Array.from({ length: 10 }, (_, k) => ({ timestamp: t, message: logsLine(i * 10 + k) }));
async function logsStream(endpoint: string, stream: string): Promise<boolean> {
  const logs = client(CloudWatchLogsClient, endpoint);
  await logs.send(new CreateLogGroupCommand({ logGroupName: LOGS_GROUP })).catch(() => undefined);
  return logs.send(new CreateLogStreamCommand({ logGroupName: LOGS_GROUP, logStreamName: stream })).then(() => true, () => false);
}

export const WORKLOADS: Workload[] = [
  {
    name: 'sts GetCallerIdentity',
    async setup() {},
    op: (endpoint) => client(STSClient, endpoint).send(new GetCallerIdentityCommand({})),
    nullResponse: {
      match: { action: 'GetCallerIdentity' },
      status: 200,
      headers: xml,
      body:
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        '<Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account>' +
        '</GetCallerIdentityResult><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>' +
        '</ResponseMetadata></GetCallerIdentityResponse>',
    },
  },
  {
    name: 'sns Publish',
    // the null server has no CreateTopic route: its 400 is expected and ignored there
    async setup(endpoint) {
      const out = await client(SNSClient, endpoint).send(new CreateTopicCommand({ Name: 'bench' })).catch(() => undefined);
      if (out?.TopicArn) benchTopics.set(endpoint, out.TopicArn); // moto's account is not Nimbus's
    },
    op: (endpoint, i) => client(SNSClient, endpoint).send(new PublishCommand({
      TopicArn: benchTopics.get(endpoint) ?? 'arn:aws:sns:us-east-1:000000000000:bench',
      Message: `message ${i}`,
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'bench' } },
    })),
    nullResponse: {
      match: { action: 'Publish' },
      status: 200,
      headers: xml,
      body:
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
        '<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata>' +
        '<RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId></ResponseMetadata></PublishResponse>',
    },
  },
  {
    name: 'sqs SendMessage',
    async setup(endpoint) {
      await sqsQueue(endpoint, 'bench-send');
    },
    op: (endpoint) => client(SQSClient, endpoint).send(new SendMessageCommand({
      QueueUrl: sqsUrls.get(`${endpoint} bench-send`) ?? `${endpoint}/000000000000/bench-send`,
      MessageBody: SQS_BODY, // fixed: the SDK checks the MD5 the null server answers
    })),
    nullResponse: {
      match: { target: 'AmazonSQS.SendMessage' },
      status: 200,
      headers: json10,
      body: JSON.stringify({ MessageId: '5fea7756-0ea4-451a-a703-a558b933e274', MD5OfMessageBody: md5(SQS_BODY) }),
    },
  },
  {
    // one op: receive 10, delete them in one batch; the queue is filled beforehand with more than a run takes
    name: 'sqs ReceiveMessage (10) + DeleteMessageBatch',
    async setup(endpoint) {
      const url = await sqsQueue(endpoint, 'bench-receive');
      if (!url) return;
      const sqs = client(SQSClient, endpoint);
      // moto (account 123456789012) scans the whole queue on each receive, ~0.4 s at 1,000 messages: a
      // queue it can serve within the run
      const prefill = url.includes('/123456789012/') ? 3_000 : SQS_PREFILL;
      let sent = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (sent < prefill) {
          sent += 10;
          await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, k) => ({ Id: `m${k}`, MessageBody: SQS_BODY })) }));
        }
      }));
    },
    async op(endpoint) {
      const QueueUrl = sqsUrls.get(`${endpoint} bench-receive`) ?? `${endpoint}/000000000000/bench-receive`;
      const sqs = client(SQSClient, endpoint);
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length < 10) throw new Error(`received ${Messages.length} messages: the queue ran dry`);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, k) => ({ Id: `m${k}`, ReceiptHandle: m.ReceiptHandle })) }));
    },
    nullResponse: [
      {
        match: { target: 'AmazonSQS.ReceiveMessage' },
        status: 200,
        headers: json10,
        body: JSON.stringify({ Messages: Array.from({ length: 10 }, (_, k) => ({
          MessageId: `5fea7756-0ea4-451a-a703-a558b933e27${k}`, ReceiptHandle: `AQEB${'x'.repeat(100)}${k}`, MD5OfBody: md5(SQS_BODY), Body: SQS_BODY,
        })) }),
      },
      {
        match: { target: 'AmazonSQS.DeleteMessageBatch' },
        status: 200,
        headers: json10,
        body: JSON.stringify({ Successful: Array.from({ length: 10 }, (_, k) => ({ Id: `m${k}` })), Failed: [] }),
      },
    ],
  },
  {
    name: 'dynamodb PutItem',
    async setup(endpoint) {
      await ddbTable(endpoint, 'bench-items');
    },
    op: (endpoint, i) => client(DynamoDBClient, endpoint).send(new PutItemCommand({
      TableName: 'bench-items',
      Item: { pk: { S: `user#${i % 10_000}` }, sk: { N: String(i) }, name: { S: `name ${i}` }, score: { N: String(i * 7) }, tags: { SS: ['a', 'b'] } },
    })),
    nullResponse: { match: { target: 'DynamoDB_20120810.PutItem' }, status: 200, headers: json10, body: '{}' },
  },
  {
    name: 'dynamodb GetItem',
    async setup(endpoint) {
      await ddbTable(endpoint, 'bench-items');
      await ddbLoad(endpoint, 'bench-items', 'user#get', 1000);
    },
    op: (endpoint, i) => client(DynamoDBClient, endpoint).send(new GetItemCommand({
      TableName: 'bench-items',
      Key: { pk: { S: 'user#get' }, sk: { N: String(i % 1000) } },
    })),
    nullResponse: {
      match: { target: 'DynamoDB_20120810.GetItem' },
      status: 200,
      headers: json10,
      body: JSON.stringify({ Item: ddbItem('user#get', 42) }),
    },
  },
  {
    // one page of 1,000 items per op, from a rotating start in a 100,000-item partition: items/s = ops/s × 1,000
    name: 'dynamodb Query (1,000-item pages, 100,000-item partition)',
    async setup(endpoint) {
      await ddbTable(endpoint, 'bench-query');
      await ddbLoad(endpoint, 'bench-query', 'big', 100_000, ddbSmall);
    },
    op: (endpoint, i) => client(DynamoDBClient, endpoint).send(new QueryCommand({
      TableName: 'bench-query',
      KeyConditionExpression: 'pk = :p AND sk >= :from',
      ExpressionAttributeValues: { ':p': { S: 'big' }, ':from': { N: String((i * 1000) % 99_000) } },
      Limit: 1000,
    })).then((out) => {
      if (out.Count !== 1000) throw new Error(`a page of ${out.Count} items`);
    }),
    nullResponse: {
      match: { target: 'DynamoDB_20120810.Query' },
      status: 200,
      headers: json10,
      body: JSON.stringify({
        Items: Array.from({ length: 1000 }, (_, i) => ddbSmall('big', i)),
        Count: 1000,
        ScannedCount: 1000,
        LastEvaluatedKey: { pk: { S: 'big' }, sk: { N: '999' } },
      }),
    },
  },
  {
    // one page of up to 1,000 items per op: segment i % 10 of a parallel Scan over 20,000 items in 2,000 partitions
    name: 'dynamodb Scan (1,000-item pages, 10 segments of 20,000 items)',
    async setup(endpoint) {
      await ddbTable(endpoint, 'bench-scan');
      await ddbLoad(endpoint, 'bench-scan', 'part', 20_000, (pk, i) => ddbSmall(`${pk}#${i % 2000}`, i));
    },
    op: (endpoint, i) => client(DynamoDBClient, endpoint).send(new ScanCommand({ TableName: 'bench-scan', Segment: i % 10, TotalSegments: 10, Limit: 1000 })).then((out) => {
      if (!out.Count) throw new Error('an empty page');
    }),
    nullResponse: {
      match: { target: 'DynamoDB_20120810.Scan' },
      status: 200,
      headers: json10,
      body: JSON.stringify({
        Items: Array.from({ length: 1000 }, (_, i) => ddbSmall(`part#${i % 2000}`, i)),
        Count: 1000,
        ScannedCount: 1000,
        LastEvaluatedKey: { pk: { S: 'part#999' }, sk: { N: '999' } },
      }),
    },
  },
  {
    name: 's3 PutObject (1 KiB)',
    setup: s3Bucket,
    op: (endpoint, i) => s3(endpoint).send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `put/${i % 1000}`, Body: KIB })),
    nullResponse: { match: { method: 'PUT', pathPrefix: `/${S3_BUCKET}/put/` }, status: 200, headers: s3PutHeaders(KIB), body: '' },
  },
  {
    name: 's3 GetObject (1 KiB)',
    async setup(endpoint) {
      await s3Bucket(endpoint);
      await Promise.all(Array.from({ length: 100 }, (_, i) => s3(endpoint).send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `get/${i}`, Body: KIB })).catch(() => undefined)));
    },
    // the body is read whole (and its CRC32 checked by the SDK, as by default)
    op: (endpoint, i) => s3(endpoint).send(new GetObjectCommand({ Bucket: S3_BUCKET, Key: `get/${i % 100}` })).then(async (out) => {
      if ((await out.Body!.transformToByteArray()).length !== KIB.length) throw new Error('short body');
    }),
    nullResponse: {
      match: { method: 'GET', pathPrefix: `/${S3_BUCKET}/get/` },
      status: 200,
      headers: { ...s3PutHeaders(KIB), 'content-type': 'application/octet-stream', 'last-modified': 'Tue, 24 Nov 2026 21:00:00 GMT', 'accept-ranges': 'bytes' },
      body: KIB.toString(),
    },
  },
  {
    // throughput: MiB/s = ops/s × 16
    name: 's3 PutObject (16 MiB)',
    setup: s3Bucket,
    op: (endpoint, i) => s3(endpoint).send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `big/${i % 8}`, Body: MIB16 })),
    nullResponse: { match: { method: 'PUT', pathPrefix: `/${S3_BUCKET}/big/` }, status: 200, headers: s3PutHeaders(MIB16), body: '' },
  },
  {
    // ten events a request, each routed by a rule's pattern to an SQS queue (moto routes too)
    name: 'events PutEvents (10 entries) → SQS target',
    async setup(endpoint) {
      const url = await sqsQueue(endpoint, 'bench-events');
      if (!url) return;
      const eb = client(EventBridgeClient, endpoint);
      const arn = `arn:aws:sqs:us-east-1:${url.split('/').at(-2)}:bench-events`;
      await eb.send(new PutRuleCommand({ Name: 'bench', EventPattern: JSON.stringify({ source: ['bench'], detail: { n: [{ numeric: ['>=', 0] }] } }) }));
      await eb.send(new PutTargetsCommand({ Rule: 'bench', Targets: [{ Id: 'q', Arn: arn }] }));
    },
    op: (endpoint, i) => client(EventBridgeClient, endpoint).send(new PutEventsCommand({
      Entries: Array.from({ length: 10 }, (_, k) => ({ Source: 'bench', DetailType: 'tick', Detail: JSON.stringify({ n: i * 10 + k }) })),
    })).then((out) => {
      if (out.FailedEntryCount) throw new Error(`${out.FailedEntryCount} entries failed`);
    }),
    nullResponse: {
      match: { target: 'AWSEvents.PutEvents' },
      status: 200,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, (_, k) => ({ EventId: `00000000-0000-0000-0000-00000000000${k}` })) }),
    },
  },
  {
    // end to end: one event put, then the rule's SQS target read back (long poll) and deleted; the op's
    // latency is PutEvents plus the delivery plus the receive (16 workers share the queue)
    name: 'events PutEvents → SQS → ReceiveMessage (end to end)',
    async setup(endpoint) {
      const url = await sqsQueue(endpoint, 'bench-events-e2e');
      if (!url) return;
      const eb = client(EventBridgeClient, endpoint);
      const arn = `arn:aws:sqs:us-east-1:${url.split('/').at(-2)}:bench-events-e2e`;
      await eb.send(new PutRuleCommand({ Name: 'bench-e2e', EventPattern: JSON.stringify({ source: ['bench.e2e'] }) }));
      await eb.send(new PutTargetsCommand({ Rule: 'bench-e2e', Targets: [{ Id: 'q', Arn: arn, InputPath: '$.detail' }] }));
    },
    async op(endpoint, i) {
      const QueueUrl = sqsUrls.get(`${endpoint} bench-events-e2e`) ?? `${endpoint}/000000000000/bench-events-e2e`;
      const out = await client(EventBridgeClient, endpoint).send(new PutEventsCommand({ Entries: [{ Source: 'bench.e2e', DetailType: 'tick', Detail: JSON.stringify({ n: i }) }] }));
      if (out.FailedEntryCount) throw new Error('the entry failed');
      const sqs = client(SQSClient, endpoint);
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (Messages.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, k) => ({ Id: `m${k}`, ReceiptHandle: m.ReceiptHandle })) }));
    },
    nullResponse: [
      {
        match: { target: 'AWSEvents.PutEvents' },
        status: 200,
        headers: { 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: '00000000-0000-0000-0000-000000000000' }] }),
      },
      {
        match: { target: 'AmazonSQS.ReceiveMessage' },
        status: 200,
        headers: json10,
        body: JSON.stringify({ Messages: [{ MessageId: '5fea7756-0ea4-451a-a703-a558b933e270', ReceiptHandle: `AQEB${'x'.repeat(100)}`, MD5OfBody: md5('{"n":0}'), Body: '{"n":0}' }] }),
      },
      {
        match: { target: 'AmazonSQS.DeleteMessageBatch' },
        status: 200,
        headers: json10,
        body: JSON.stringify({ Successful: [{ Id: 'm0' }], Failed: [] }),
      },
    ],
  },
  {
    // a batch of 10 events of ~100 bytes to one stream, as a log shipper sends them
    name: 'logs PutLogEvents (10)',
    setup: async (endpoint) => { await logsStream(endpoint, 'put'); },
    op: (endpoint, i) => client(CloudWatchLogsClient, endpoint).send(new PutLogEventsCommand({
      logGroupName: LOGS_GROUP, logStreamName: 'put', logEvents: logsBatch(i, Date.now()),
    })),
    nullResponse: { match: { target: 'Logs_20140328.PutLogEvents' }, status: 200, headers: json11, body: JSON.stringify({ nextSequenceToken: '49039859' }) },
  },
  {
    // the same batches into a group with two metric filters: each matching event becomes a CloudWatch metric point
    name: 'logs PutLogEvents (10) with metric filters',
    setup: async (endpoint) => {
      const logs = client(CloudWatchLogsClient, endpoint);
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/bench/metered' })).catch(() => undefined);
      await logs.send(new CreateLogStreamCommand({ logGroupName: '/bench/metered', logStreamName: 'metered' })).catch(() => undefined);
      for (const [filterName, filterPattern] of [['errors', 'ERROR'], ['all', '']]) {
        await logs.send(new PutMetricFilterCommand({ logGroupName: '/bench/metered', filterName, filterPattern,
          metricTransformations: [{ metricName: filterName, metricNamespace: 'Bench', metricValue: '1', defaultValue: 0 }] })).catch(() => undefined);
      }
    },
    op: (endpoint, i) => client(CloudWatchLogsClient, endpoint).send(new PutLogEventsCommand({
      logGroupName: '/bench/metered', logStreamName: 'metered', logEvents: logsBatch(i, Date.now()),
    })),
    nullResponse: { match: { target: 'Logs_20140328.PutLogEvents' }, status: 200, headers: json11, body: JSON.stringify({ nextSequenceToken: '49039859' }) },
  },
  {
    // a filter pattern over a stream of 10,000 events (one in ten matches), the first 50 matches
    name: 'logs FilterLogEvents (pattern, 50 of 10,000)',
    async setup(endpoint) {
      if (!(await logsStream(endpoint, 'filter'))) return;
      const logs = client(CloudWatchLogsClient, endpoint);
      const t = Date.now() - 3_600_000;
      for (let b = 0; b < 10; b++) {
        await logs.send(new PutLogEventsCommand({ logGroupName: LOGS_GROUP, logStreamName: 'filter',
          logEvents: Array.from({ length: 1000 }, (_, k) => ({ timestamp: t + b * 1000 + k, message: logsLine(b * 1000 + k) })) }));
      }
    },
    op: (endpoint) => client(CloudWatchLogsClient, endpoint).send(new FilterLogEventsCommand({
      logGroupName: LOGS_GROUP, logStreamNames: ['filter'], filterPattern: 'ERROR', limit: 50,
    })),
    nullResponse: {
      match: { target: 'Logs_20140328.FilterLogEvents' }, status: 200, headers: json11,
      body: JSON.stringify({ events: Array.from({ length: 50 }, (_, k) => ({ logStreamName: 'filter', timestamp: 1764900000000 + k * 10, message: logsLine(k * 10),
        ingestionTime: 1764900000000, eventId: String(k).padStart(56, '0') })), searchedLogStreams: [] }),
    },
  },
  {
    // a trivial node function; concurrency 16 scales out to 16 warm environments
    name: 'lambda Invoke (warm)',
    supports: ['null', 'nimbus'],
    async setup(endpoint) {
      const lambda = client(LambdaClient, endpoint);
      const created = await lambda.send(new CreateFunctionCommand({
        FunctionName: 'bench-echo', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/bench', Handler: 'index.handler',
        Code: { ZipFile: zipSync({ 'index.js': strToU8('exports.handler = async (e) => ({ ok: true, n: e.n });') }) },
      })).then(() => true, () => false); // the null server has no CreateFunction route
      if (created) await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'bench-echo' });
    },
    op: (endpoint, i) => client(LambdaClient, endpoint).send(new InvokeCommand({ FunctionName: 'bench-echo', Payload: Buffer.from(`{"n":${i}}`) })),
    nullResponse: {
      match: { method: 'POST', pathPrefix: '/2015-03-31/functions/bench-echo/invocations' },
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' },
      body: '{"ok":true,"n":0}',
    },
  },
  {
    // ten segments a request (one trace each, with an annotation and two subsegments), as the daemon batches them
    name: 'xray PutTraceSegments (10)',
    setup: async () => undefined,
    op: (endpoint, i) => client(XRayClient, endpoint).send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: xraySegments(i) })).then((out) => {
      if (out.UnprocessedTraceSegments?.length) throw new Error(`${out.UnprocessedTraceSegments.length} segments unprocessed`);
    }),
    nullResponse: { match: { method: 'POST', pathPrefix: '/TraceSegments' }, status: 200, headers: { 'content-type': 'application/json' }, body: '{"UnprocessedTraceSegments":[]}' },
  },
  {
    // 20 data points of 4 metrics (one dimension each) per call
    name: 'cloudwatch PutMetricData (20 points)',
    setup: async () => {},
    op: (endpoint, i) => client(CloudWatchClient, endpoint).send(new PutMetricDataCommand({
      Namespace: 'Bench/App', MetricData: Array.from({ length: 20 }, (_, k) => ({ MetricName: `m${k % 4}`, Dimensions: [{ Name: 'Host', Value: `h${k % 2}` }], Value: (i + k) % 100, Unit: 'Milliseconds' as const })),
    })),
    nullResponse: { match: { target: 'GraniteServiceVersion20100801.PutMetricData' }, status: 200, headers: json10, body: '{}' },
  },
  {
    // an hour of one-minute Sum and p99 of a metric holding 6,000 points, plus a math expression over them
    name: 'cloudwatch GetMetricData (2 stats + math, 60 periods of 6,000 points)',
    supports: ['null', 'nimbus'],
    async setup(endpoint) {
      const cw = client(CloudWatchClient, endpoint);
      const t = Date.now() - 3_600_000;
      for (let b = 0; b < 6; b++) {
        await cw.send(new PutMetricDataCommand({ Namespace: 'Bench/Read', MetricData: Array.from({ length: 1000 }, (_, k) => ({ MetricName: 'Latency', Value: k % 250, Timestamp: new Date(t + ((b * 1000 + k) % 3600) * 1000) })) })).catch(() => undefined);
      }
    },
    op: (endpoint) => {
      const end = Math.floor(Date.now() / 60_000) * 60_000;
      const stat = (Stat: string) => ({ Metric: { Namespace: 'Bench/Read', MetricName: 'Latency' }, Period: 60, Stat });
      return client(CloudWatchClient, endpoint).send(new GetMetricDataCommand({
        StartTime: new Date(end - 3_600_000), EndTime: new Date(end),
        MetricDataQueries: [{ Id: 'sum', MetricStat: stat('Sum') }, { Id: 'p99', MetricStat: stat('p99') }, { Id: 'ratio', Expression: 'p99 / (sum + 1)' }],
      }));
    },
    nullResponse: {
      match: { target: 'GraniteServiceVersion20100801.GetMetricData' }, status: 200, headers: json10,
      body: JSON.stringify({ MetricDataResults: ['sum', 'p99', 'ratio'].map((Id) => ({ Id, Label: Id, Timestamps: Array.from({ length: 60 }, (_, k) => 1764900000 - k * 60), Values: Array.from({ length: 60 }, (_, k) => k), StatusCode: 'Complete' })), Messages: [] }),
    },
  },
  {
    // the same function answering through InvokeWithResponseStream: an event stream of one PayloadChunk and InvokeComplete
    name: 'lambda InvokeWithResponseStream (warm)',
    supports: ['null', 'nimbus'],
    setup: async () => undefined, // bench-echo comes from 'lambda Invoke (warm)'
    async op(endpoint, i) {
      const r = await client(LambdaClient, endpoint).send(new InvokeWithResponseStreamCommand({ FunctionName: 'bench-echo', Payload: Buffer.from(`{"n":${i}}`) }));
      for await (const _ of r.EventStream!) void _;
    },
    nullResponse: {
      match: { method: 'POST', pathPrefix: '/2021-11-15/functions/bench-echo/response-streaming-invocations' },
      status: 200,
      headers: { 'content-type': 'application/vnd.amazon.eventstream', 'x-amz-executed-version': '$LATEST' },
      body: '',
      bodyBase64: (() => {
        const codec = new EventStreamCodec(toUtf8, fromUtf8);
        const msg = (type: string, contentType: string, body: string) => Buffer.from(codec.encode({
          headers: { ':message-type': { type: 'string', value: 'event' }, ':event-type': { type: 'string', value: type }, ':content-type': { type: 'string', value: contentType } },
          body: fromUtf8(body),
        }));
        return Buffer.concat([msg('PayloadChunk', 'application/octet-stream', '{"ok":true,"n":0}'), msg('InvokeComplete', 'application/json', '{}')]).toString('base64');
      })(),
    },
  },
  {
    // one t3.micro per op into a /16 subnet of its own VPC
    name: 'ec2 RunInstances',
    async setup(endpoint) {
      const ec2 = client(EC2Client, endpoint);
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16' })).catch(() => undefined);
      if (!vpc?.Vpc) return; // the null server has no CreateVpc route
      const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc.VpcId, CidrBlock: '10.99.0.0/16' }));
      ec2Subnets.set(endpoint, subnet.Subnet!.SubnetId!);
    },
    op: (endpoint) => client(EC2Client, endpoint).send(new RunInstancesCommand({
      ImageId: EC2_AMI, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: ec2Subnets.get(endpoint),
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'bench' }] }],
    })),
    nullResponse: { match: { action: 'RunInstances' }, status: 200, headers: xml, body: ec2Reservation('RunInstancesResponse', false) },
  },
  {
    // 1,000 instances in the region (half of them stopped), filtered by state and tag down to 10
    name: 'ec2 DescribeInstances (1,000 instances, filtered)',
    async setup(endpoint) {
      const ec2 = client(EC2Client, endpoint);
      const batch = async (n: number, name: string) => ec2.send(new RunInstancesCommand({
        ImageId: EC2_AMI, InstanceType: 't3.micro', MinCount: n, MaxCount: n, Placement: { AvailabilityZone: 'us-east-1d' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }] }],
      })).catch(() => undefined);
      for (let k = 0; k < 9; k++) await batch(110, `fleet-${k}`);
      await batch(10, 'needle');
    },
    op: (endpoint) => client(EC2Client, endpoint).send(new DescribeInstancesCommand({
      Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }, { Name: 'tag:Name', Values: ['needle'] }],
    })),
    nullResponse: { match: { action: 'DescribeInstances' }, status: 200, headers: xml, body: ec2Reservation('DescribeInstancesResponse', true) },
  },
  {
    // String parameters overwritten in turn (1,000 names, versions kept up to AWS's 100)
    name: 'ssm PutParameter',
    async setup() {},
    op: (endpoint, i) => client(SSMClient, endpoint).send(new PutParameterCommand({ Name: `/bench/put/p${i % 1000}`, Value: `value ${i}`, Type: 'String', Overwrite: true })),
    nullResponse: { match: { target: 'AmazonSSM.PutParameter' }, status: 200, headers: json11, body: '{"Version":2,"Tier":"Standard"}' },
  },
  {
    name: 'ssm GetParameter',
    async setup(endpoint) {
      const ssm = client(SSMClient, endpoint);
      for (let k = 0; k < 100; k++) await ssm.send(new PutParameterCommand({ Name: `/bench/get/p${k}`, Value: `value ${k}`, Type: 'String', Overwrite: true })).catch(() => undefined);
    },
    op: (endpoint, i) => client(SSMClient, endpoint).send(new GetParameterCommand({ Name: `/bench/get/p${i % 100}` })),
    nullResponse: {
      match: { target: 'AmazonSSM.GetParameter' }, status: 200, headers: json11,
      body: JSON.stringify({ Parameter: { Name: '/bench/get/p1', Type: 'String', Value: 'value 1', Version: 1, LastModifiedDate: 1.7e9, ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/bench/get/p1', DataType: 'text' } }),
    },
  },
  {
    // a target group of 20 registered instances in the default VPC: each call reads their EC2 states
    name: 'elbv2 DescribeTargetHealth (20 instance targets)',
    async setup(endpoint) {
      const ec2 = client(EC2Client, endpoint);
      const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] })).catch(() => undefined);
      if (!vpcs?.Vpcs?.length) return; // the null server has no DescribeVpcs route
      const elb = client(ElasticLoadBalancingV2Client, endpoint);
      const tg = await elb.send(new CreateTargetGroupCommand({ Name: 'bench-tg', Protocol: 'HTTP', Port: 80, VpcId: vpcs.Vpcs[0].VpcId }));
      const run = await ec2.send(new RunInstancesCommand({ ImageId: EC2_AMI, InstanceType: 't3.micro', MinCount: 20, MaxCount: 20 }));
      await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroups![0].TargetGroupArn, Targets: run.Instances!.map((i) => ({ Id: i.InstanceId! })) }));
      benchTargetGroups.set(endpoint, tg.TargetGroups![0].TargetGroupArn!);
    },
    op: (endpoint) => client(ElasticLoadBalancingV2Client, endpoint).send(new DescribeTargetHealthCommand({
      TargetGroupArn: benchTargetGroups.get(endpoint) ?? 'arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/bench-tg/0000000000000000',
    })),
    nullResponse: {
      match: { action: 'DescribeTargetHealth' }, status: 200, headers: xml,
      body: '<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetHealthResult><TargetHealthDescriptions>'
        + '<member><Target><Id>i-0123456789abcdef0</Id><Port>80</Port></Target><HealthCheckPort>80</HealthCheckPort><TargetHealth><State>healthy</State></TargetHealth></member>'
        + '</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</RequestId></ResponseMetadata></DescribeTargetHealthResponse>',
    },
  },
];
const benchTargetGroups = new Map<string, string>();

/** Ten segment documents of distinct traces for request i. */
function xraySegments(i: number): string[] {
  const now = Date.now() / 1000;
  const epoch = Math.floor(now).toString(16);
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0').slice(-w);
  return Array.from({ length: 10 }, (_, k) => JSON.stringify({
    id: hex(i * 10 + k, 16), trace_id: `1-${epoch}-${hex(i * 10 + k, 24)}`, name: 'bench-api', origin: 'AWS::EC2::Instance', start_time: now, end_time: now + 0.05,
    http: { request: { method: 'GET', url: '/items' }, response: { status: 200 } }, annotations: { k },
    subsegments: [
      { id: hex(i * 10 + k + 1e9, 16), name: 'DynamoDB', namespace: 'aws', start_time: now + 0.01, end_time: now + 0.02 },
      { id: hex(i * 10 + k + 2e9, 16), name: 'render', start_time: now + 0.02, end_time: now + 0.04 },
    ],
  }));
}
