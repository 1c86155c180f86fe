// Event source mappings: SQS → Lambda with batches, partial batch failures and filters; a DynamoDB
// stream → Lambda from TRIM_HORIZON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  DeleteEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBClient, CreateTableCommand, PutItemCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig, rejects } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

const server = serverForFile();
const sqs = () => new SQSClient(clientConfig(server.url));

async function queue(name: string, attrs: Record<string, string> = {}) {
  const url = (await sqs().send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }))).QueueUrl!;
  const arn = (await sqs().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return { url, arn };
}

async function until<T>(f: () => Promise<T | undefined>, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached');
}

test('SQS → Lambda: batches delivered, failures reported by id stay on the queue, the rest are deleted', async () => {
  const c = lambdaClient(server.url);
  const q = await queue('work', { VisibilityTimeout: '300' });
  const seen = await queue('seen');
  await createFunction(
    c,
    'worker',
    'nodejs20.x',
    'index.handler',
    {
      'index.js': `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  const failures = [];
  for (const r of event.Records) {
    if (r.eventSource !== 'aws:sqs') throw new Error('bad record');
    if (r.body.startsWith('bad')) failures.push({ itemIdentifier: r.messageId });
    else await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(seen.url)}, MessageBody: r.body }));
  }
  return { batchItemFailures: failures };
};`,
    },
    { Timeout: 30 },
  );
  const m = await c.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'worker',
      EventSourceArn: q.arn,
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    }),
  );
  assert.equal(m.State, 'Creating');
  assert.equal(m.BatchSize, 5);
  await sqs().send(
    new SendMessageBatchCommand({
      QueueUrl: q.url,
      Entries: ['ok1', 'bad1', 'ok2', 'ok3', 'bad2'].map((b, i) => ({ Id: String(i), MessageBody: b })),
    }),
  );
  const bodies = new Set<string>();
  await until(async () => {
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: seen.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const msg of r.Messages ?? []) bodies.add(msg.Body!);
    return bodies.size >= 3 ? true : undefined;
  });
  assert.deepEqual([...bodies].sort(), ['ok1', 'ok2', 'ok3']);
  await c.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
  // the failed two are in flight (visibility 300 s), not deleted: they come back once it expires
  const attrs = await sqs().send(
    new GetQueueAttributesCommand({
      QueueUrl: q.url,
      AttributeNames: ['ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessages'],
    }),
  );
  assert.equal(Number(attrs.Attributes!.ApproximateNumberOfMessagesNotVisible) + Number(attrs.Attributes!.ApproximateNumberOfMessages), 2);
  await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '301s' }) });
  const back = await sqs().send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  assert.deepEqual(back.Messages!.map((x) => x.Body).sort(), ['bad1', 'bad2']);
});

test('filter criteria: only matching messages reach the function; mappings are listed and validated', async () => {
  const c = lambdaClient(server.url);
  const q = await queue('filtered');
  const seen = await queue('filtered-seen');
  await createFunction(
    c,
    'picky',
    'python3.12',
    'f.handler',
    {
      'f.py': `import boto3, os
sqs = boto3.client('sqs', endpoint_url=os.environ['AWS_ENDPOINT_URL'])
def handler(event, context):
    for r in event['Records']:
        sqs.send_message(QueueUrl=${JSON.stringify(seen.url)}, MessageBody=r['body'])
`,
    },
    { Timeout: 30 },
  );
  const m = await c.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'picky',
      EventSourceArn: q.arn,
      FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] },
    }),
  );
  await sqs().send(
    new SendMessageBatchCommand({
      QueueUrl: q.url,
      Entries: ['{"kind":"order","n":1}', '{"kind":"noise"}', 'plain', '{"kind":"order","n":2}'].map((b, i) => ({
        Id: String(i),
        MessageBody: b,
      })),
    }),
  );
  const bodies: string[] = [];
  await until(async () => {
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: seen.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(r.Messages ?? []).map((x) => x.Body!));
    return bodies.length >= 2 ? true : undefined;
  });
  assert.deepEqual(bodies.map((b) => JSON.parse(b).n).sort(), [1, 2]);
  assert.equal(
    (await c.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).FilterCriteria?.Filters?.[0].Pattern,
    '{"body":{"kind":["order"]}}',
  );
  assert.equal((await c.send(new ListEventSourceMappingsCommand({ FunctionName: 'picky' }))).EventSourceMappings!.length, 1);
  await rejects(
    c.send(new CreateEventSourceMappingCommand({ FunctionName: 'picky', EventSourceArn: q.arn })),
    'ResourceConflictException',
    409,
  );
  await rejects(
    c.send(new GetEventSourceMappingCommand({ UUID: '00000000-0000-0000-0000-000000000000' })),
    'ResourceNotFoundException',
    404,
  );
  await c.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
});

test('DynamoDB stream → Lambda from TRIM_HORIZON', async () => {
  const c = lambdaClient(server.url);
  const ddb = new DynamoDBClient(clientConfig(server.url));
  const seen = await queue('stream-seen');
  await ddb.send(
    new CreateTableCommand({
      TableName: 'events',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  const streamArn = (await ddb.send(new DescribeTableCommand({ TableName: 'events' }))).Table!.LatestStreamArn!;
  await ddb.send(new PutItemCommand({ TableName: 'events', Item: { id: { S: 'a' } } }));
  await createFunction(
    c,
    'onstream',
    'nodejs20.x',
    'index.handler',
    {
      'index.js': `const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');
const sqs = new SQSClient({});
exports.handler = async (event) => {
  for (const r of event.Records) await sqs.send(new SendMessageCommand({ QueueUrl: ${JSON.stringify(seen.url)}, MessageBody: r.eventName + ':' + r.dynamodb.Keys.id.S + ':' + (r.eventSourceARN === ${JSON.stringify(streamArn)}) }));
};`,
    },
    { Timeout: 30 },
  );
  await c.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'onstream',
      EventSourceArn: streamArn,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: 'events', Item: { id: { S: 'b' } } }));
  const bodies: string[] = [];
  await until(async () => {
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: seen.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(r.Messages ?? []).map((x) => x.Body!));
    return bodies.length >= 2 ? true : undefined;
  });
  assert.deepEqual(bodies.sort(), ['INSERT:a:true', 'INSERT:b:true']);
  await rejects(
    c.send(new CreateEventSourceMappingCommand({ FunctionName: 'onstream', EventSourceArn: streamArn })),
    'InvalidParameterValueException',
    400,
  );
});
