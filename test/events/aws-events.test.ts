// Events other Nimbus services put on the default bus, as AWS does: "AWS API Call via CloudTrail"
// for write calls, S3's EventBridge notifications into SQS through an input transformer, Lambda's
// destinations on a bus.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  SQSClient,
  CreateQueueCommand,
  ReceiveMessageCommand,
  GetQueueAttributesCommand,
  DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import {
  S3Client,
  ListBucketsCommand,
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  DeleteObjectCommand,
} from '@aws-sdk/client-s3';
import { PutFunctionEventInvokeConfigCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { clientConfig, serverForFile } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

let eb: EventBridgeClient;
let sqs: SQSClient;
let s3: S3Client;
const nimbus = serverForFile(() => {
  eb = new EventBridgeClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
  s3 = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}
/** Long-polls (the events arrive after the calls answer) and deletes what it got. */
async function receive(url: string, wait = 5): Promise<string[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: wait }));
  if (Messages.length)
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  return Messages.map((m) => m.Body!);
}

test('S3 upload → EventBridge rule → SQS through an input transformer with reserved variables', async () => {
  const q = await queue('aws-s3-uploads');
  await s3.send(new CreateBucketCommand({ Bucket: 'aws-ev-photos' }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({ Bucket: 'aws-ev-photos', NotificationConfiguration: { EventBridgeConfiguration: {} } }),
  );
  await eb.send(
    new PutRuleCommand({
      Name: 'uploads',
      EventPattern: JSON.stringify({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: ['aws-ev-photos'] } },
      }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({
      Rule: 'uploads',
      Targets: [
        {
          Id: 'q',
          Arn: q.arn,
          InputTransformer: {
            InputPathsMap: { bucket: '$.detail.bucket.name', key: '$.detail.object.key', size: '$.detail.object.size' },
            InputTemplate:
              '{"file": "s3://<bucket>/<key>", "size": <size>, "rule": <aws.events.rule-name>, "envelope": <aws.events.event>}',
          },
        },
      ],
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: 'aws-ev-photos', Key: 'a/cat "1".jpg', Body: 'meow' }));
  await s3.send(new DeleteObjectCommand({ Bucket: 'aws-ev-photos', Key: 'a/cat "1".jpg' }));
  const bodies = (await receive(q.url)).map((b) => JSON.parse(b));
  assert.equal(bodies.length, 1, 'only Object Created matches');
  const [got] = bodies;
  assert.equal(got.file, 's3://aws-ev-photos/a/cat "1".jpg');
  assert.equal(got.size, 4);
  assert.equal(got.rule, 'uploads');
  assert.equal(got.envelope.source, 'aws.s3');
  assert.equal(got.envelope.detail, undefined, '<aws.events.event> is the event without its detail');
});

test('write calls reach the default bus as "AWS API Call via CloudTrail"; read calls do not', async () => {
  const q = await queue('aws-trail-calls');
  await eb.send(
    new PutRuleCommand({
      Name: 'bucket-calls',
      EventPattern: JSON.stringify({
        source: ['aws.s3'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: { eventSource: ['s3.amazonaws.com'], eventName: ['CreateBucket', 'ListBuckets'] },
      }),
    }),
  );
  await eb.send(new PutTargetsCommand({ Rule: 'bucket-calls', Targets: [{ Id: 'q', Arn: q.arn }] }));
  await s3.send(new CreateBucketCommand({ Bucket: 'aws-ev-audited' }));
  await s3.send(new ListBucketsCommand({}));
  const got = (await receive(q.url)).map((b) => JSON.parse(b));
  assert.equal(got.length, 1);
  assert.equal(got[0].detail.eventName, 'CreateBucket');
  assert.equal(got[0].detail.requestParameters.bucketName, 'aws-ev-audited');
  assert.equal(got[0].account, '000000000000');

  // a rule in the state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS receives read-only calls too
  const all = await queue('aws-trail-all');
  await eb.send(
    new PutRuleCommand({
      Name: 'all-calls',
      State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      EventPattern: JSON.stringify({ source: ['aws.s3'], detail: { eventName: ['ListBuckets'] } }),
    }),
  );
  await eb.send(new PutTargetsCommand({ Rule: 'all-calls', Targets: [{ Id: 'q', Arn: all.arn }] }));
  await s3.send(new ListBucketsCommand({}));
  const reads = (await receive(all.url)).map((b) => JSON.parse(b));
  assert.equal(reads.length, 1);
  assert.equal(reads[0].detail.readOnly, true);
  assert.deepEqual(await receive(q.url, 1), [], 'an ENABLED rule still sees no read-only call');
});

test('a Lambda OnSuccess destination on the default bus arrives as "Lambda Function Invocation Result - Success"', async () => {
  const q = await queue('aws-lambda-results');
  await eb.send(
    new PutRuleCommand({
      Name: 'lambda-results',
      EventPattern: JSON.stringify({ source: ['lambda'], 'detail-type': [{ prefix: 'Lambda Function Invocation Result' }] }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({ Rule: 'lambda-results', Targets: [{ Id: 'q', Arn: q.arn, InputPath: '$.detail.responsePayload' }] }),
  );
  const c = lambdaClient(nimbus.url);
  await createFunction(c, 'eb-dest', 'nodejs20.x', 'index.handler', {
    'index.js': 'exports.handler = async (e) => ({ doubled: e.n * 2 });',
  });
  await c.send(
    new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'eb-dest',
      DestinationConfig: { OnSuccess: { Destination: 'arn:aws:events:us-east-1:000000000000:event-bus/default' } },
    }),
  );
  await c.send(new InvokeCommand({ FunctionName: 'eb-dest', InvocationType: 'Event', Payload: Buffer.from('{"n":21}') }));
  let bodies: string[] = [];
  for (let i = 0; i < 6 && !bodies.length; i++) bodies = await receive(q.url);
  assert.deepEqual(
    bodies.map((b) => JSON.parse(b)),
    [{ doubled: 42 }],
  );
});
