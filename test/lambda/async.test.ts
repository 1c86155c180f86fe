// Lambda's asynchronous side: Event invocations retried on the virtual clock, then to a DLQ or the
// OnFailure destination; OnSuccess destinations; S3 notifications invoking a function; a function
// that calls S3 and DynamoDB through the SDK as its execution role.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvokeCommand,
  InvokeAsyncCommand,
  PutFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, GetQueueAttributesCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import {
  S3Client,
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  GetObjectCommand,
} from '@aws-sdk/client-s3';
import { DynamoDBClient, CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand } from '@aws-sdk/client-sns';
import { serverForFile, clientConfig } from '../helpers.js';
import { lambdaClient, createFunction, decode } from '../lambda-helpers.js';

const server = serverForFile();
const sqs = () => new SQSClient(clientConfig(server.url));
const advance = (by: string) => fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });

async function queue(name: string) {
  const url = (await sqs().send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

/** Receives and deletes (a message left in flight would come back when the clock moves). */
async function receive(url: string, wait = 10) {
  const msgs =
    (await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: wait, MessageAttributeNames: ['All'] }))).Messages ?? [];
  for (const m of msgs) await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
  return msgs;
}

test('an Event invocation that keeps failing is tried 3 times (1 and 2 minutes apart) and then lands in the DLQ', async () => {
  const c = lambdaClient(server.url);
  const dlq = await queue('dlq');
  const seen = await queue('attempts');
  await createFunction(
    c,
    'failing',
    'nodejs20.x',
    'index.handler',
    {
      'index.js': `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (e) => { await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(seen.url)}, MessageBody: 'try' })); throw new Error('always ' + e.n); };`,
    },
    { DeadLetterConfig: { TargetArn: dlq.arn }, Timeout: 30 },
  );
  const r = await c.send(new InvokeCommand({ FunctionName: 'failing', InvocationType: 'Event', Payload: Buffer.from('{"n":7}') }));
  assert.equal(r.StatusCode, 202);
  assert.equal((await receive(seen.url)).length, 1);
  assert.equal((await receive(dlq.url, 1)).length, 0);
  await advance('61s');
  assert.equal((await receive(seen.url)).length, 1);
  await advance('121s');
  assert.equal((await receive(seen.url)).length, 1);
  const [m] = await receive(dlq.url);
  assert.equal(m.Body, '{"n":7}');
  assert.equal(m.MessageAttributes?.ErrorMessage?.StringValue, 'always 7');
  assert.equal(m.MessageAttributes?.ErrorCode?.StringValue, '200');
});

test('OnSuccess and OnFailure destinations get the invocation record; MaximumRetryAttempts 0 fails at once', async () => {
  const c = lambdaClient(server.url);
  const ok = await queue('ok-dest');
  const bad = await queue('bad-dest');
  await createFunction(c, 'maybe', 'python3.12', 'app.handler', {
    'app.py': 'def handler(e, c):\n    if e.get("fail"):\n        raise RuntimeError("nope")\n    return {"ok": e["v"]}\n',
  });
  await c.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'maybe',
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnSuccess: { Destination: ok.arn }, OnFailure: { Destination: bad.arn } },
    }),
  );
  const cfg = await c.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'maybe' }));
  assert.equal(cfg.MaximumRetryAttempts, 0);
  await c.send(new InvokeCommand({ FunctionName: 'maybe', InvocationType: 'Event', Payload: Buffer.from('{"v":1}') }));
  const [s] = await receive(ok.url);
  const rec = JSON.parse(s.Body!);
  // the deprecated InvokeAsync takes the same path
  assert.equal((await c.send(new InvokeAsyncCommand({ FunctionName: 'maybe', InvokeArgs: '{"v":2}' }))).Status, 202);
  assert.deepEqual(JSON.parse((await receive(ok.url))[0].Body!).responsePayload, { ok: 2 });
  assert.equal(rec.requestContext.condition, 'Success');
  assert.deepEqual(rec.requestPayload, { v: 1 });
  assert.deepEqual(rec.responsePayload, { ok: 1 });
  await c.send(new InvokeCommand({ FunctionName: 'maybe', InvocationType: 'Event', Payload: Buffer.from('{"fail":true}') }));
  const [f] = await receive(bad.url);
  const frec = JSON.parse(f.Body!);
  assert.equal(frec.requestContext.condition, 'RetriesExhausted');
  assert.equal(frec.requestContext.approximateInvokeCount, 1);
  assert.equal(frec.responseContext.functionError, 'Unhandled');
  assert.equal(frec.responsePayload.errorMessage, 'nope');
});

test('an S3 upload invokes the function; the function writes to S3 and reads DynamoDB through the SDK as its role', async () => {
  const c = lambdaClient(server.url);
  const s3 = new S3Client(clientConfig(server.url, { forcePathStyle: true }));
  const ddb = new DynamoDBClient(clientConfig(server.url));
  await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
  await ddb.send(
    new CreateTableCommand({
      TableName: 'cfg',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: 'cfg', Item: { id: { S: 'prefix' }, v: { S: 'seen-' } } }));
  const created = await createFunction(
    c,
    'onupload',
    'nodejs20.x',
    'index.handler',
    {
      'index.js': `const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const { DynamoDBClient, GetItemCommand } = require('@aws-sdk/client-dynamodb');
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const s3 = new S3Client({ forcePathStyle: true });
const ddb = new DynamoDBClient({});
exports.handler = async (event) => {
  const key = decodeURIComponent(event.Records[0].s3.object.key.replace(/\\+/g, ' '));
  if (key.startsWith('seen-')) return;
  const item = await ddb.send(new GetItemCommand({ TableName: 'cfg', Key: { id: { S: 'prefix' } } }));
  const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  await s3.send(new PutObjectCommand({ Bucket: event.Records[0].s3.bucket.name, Key: item.Item.v.S + key, Body: me.Arn }));
};`,
    },
    { Timeout: 30 },
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'uploads',
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{ LambdaFunctionArn: created.FunctionArn, Events: ['s3:ObjectCreated:*'] }],
      },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'photo.jpg', Body: 'x' }));
  let body = '';
  for (let i = 0; i < 100 && !body; i++) {
    try {
      body = await (await s3.send(new GetObjectCommand({ Bucket: 'uploads', Key: 'seen-photo.jpg' }))).Body!.transformToString();
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.equal(body, 'arn:aws:sts::000000000000:assumed-role/lambda-role/onupload');
});

test('a synchronous invoke through the integration answers the payload (as SNS and mappings call it)', async () => {
  const c = lambdaClient(server.url);
  await createFunction(c, 'plain', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async (e) => e.x * 2;' });
  await c.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'plain', Description: 'd' }));
  await waitUntilFunctionUpdatedV2({ client: c, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'plain' });
  const r = await c.send(
    new InvokeCommand({ FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:plain', Payload: Buffer.from('{"x":21}') }),
  );
  assert.equal(decode(r.Payload), '42');
});

test('an SNS subscription of protocol lambda invokes the function with the SNS event', async () => {
  const c = lambdaClient(server.url);
  const out = await queue('from-sns');
  const fn = await createFunction(
    c,
    'onsns',
    'python3.12',
    'h.handler',
    {
      'h.py': `import boto3, os
def handler(event, context):
    r = event['Records'][0]
    boto3.client('sqs').send_message(QueueUrl=${JSON.stringify(out.url)}, MessageBody=r['EventSource'] + ':' + r['Sns']['Message'])
`,
    },
    { Timeout: 30 },
  );
  const sns = new SNSClient(clientConfig(server.url));
  const topic = (await sns.send(new CreateTopicCommand({ Name: 'to-lambda' }))).TopicArn!;
  await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: fn.FunctionArn }));
  await sns.send(new PublishCommand({ TopicArn: topic, Message: 'ping' }));
  const [m] = await receive(out.url, 20);
  assert.equal(m?.Body, 'aws:sns:ping');
});
