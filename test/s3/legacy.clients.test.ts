// The deprecated PutBucketLifecycle/GetBucketLifecycle and PutBucketNotification/GetBucketNotification
// (boto3 and the CLIs still have them; the SDK v3 does not) share their method, path and XML with
// the current operations, which answer them: a rule set the old way is applied like one set the new way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3Client,
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  PutObjectCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, runCli, rejects, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

let s3: S3Client;
const nimbus = serverForFile(async () => {
  s3 = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
});

const boto3 = async (body: string) => {
  const r = await runCli('python3', [
    '-c',
    `import boto3, json, sys\ns3 = boto3.client('s3', endpoint_url=sys.argv[1])\n${body}`,
    nimbus.url,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};

test('boto3 put_bucket_lifecycle: stored as the current configuration, read back both ways, and applied on the clock', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'legacy-lc' }));
  const body = Buffer.alloc(200 * 1024, 1); // over the 128 KiB below which S3 transitions nothing by default
  await s3.send(new PutObjectCommand({ Bucket: 'legacy-lc', Key: 'logs/old.txt', Body: body }));
  await s3.send(new PutObjectCommand({ Bucket: 'legacy-lc', Key: 'keep/old.txt', Body: body }));
  const out = await boto3(`
s3.put_bucket_lifecycle(Bucket='legacy-lc', LifecycleConfiguration={'Rules': [{'ID': 'logs', 'Prefix': 'logs/', 'Status': 'Enabled',
  'Transition': {'Days': 30, 'StorageClass': 'GLACIER'}, 'Expiration': {'Days': 400}}]})
print(json.dumps(s3.get_bucket_lifecycle(Bucket='legacy-lc')['Rules']))`);
  assert.deepEqual(JSON.parse(out), [
    { ID: 'logs', Prefix: 'logs/', Status: 'Enabled', Transition: { Days: 30, StorageClass: 'GLACIER' }, Expiration: { Days: 400 } },
  ]);

  const current = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'legacy-lc' }));
  assert.equal(current.Rules?.length, 1);
  assert.equal(current.Rules![0].Prefix, 'logs/'); // the rule-level Prefix, as AWS keeps it
  assert.deepEqual(current.Rules![0].Transitions, [{ Days: 30, StorageClass: 'GLACIER' }]);

  await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '32d' }) });
  assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'legacy-lc', Key: 'logs/old.txt' }))).StorageClass, 'GLACIER');
  assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'legacy-lc', Key: 'keep/old.txt' }))).StorageClass, undefined);

  for (const cli of [AWS_CLI_V1, AWS_CLI_V2]) {
    const r = await runCli(cli, ['s3api', 'get-bucket-lifecycle', '--bucket', 'legacy-lc', '--endpoint-url', nimbus.url]);
    assert.equal(r.code, 0, `${cli}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout).Rules, [
      { ID: 'logs', Prefix: 'logs/', Status: 'Enabled', Transition: { Days: 30, StorageClass: 'GLACIER' }, Expiration: { Days: 400 } },
    ]);
  }
});

test('GetBucketLifecycle on a bucket without rules is NoSuchLifecycleConfiguration; a rule without Status is MalformedXML', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'legacy-none' }));
  const r = await runCli(AWS_CLI_V2, ['s3api', 'get-bucket-lifecycle', '--bucket', 'legacy-none', '--endpoint-url', nimbus.url]);
  assert.equal(r.code, 254);
  assert.match(r.stderr, /NoSuchLifecycleConfiguration/);
  const out = await boto3(`
try:
    s3.put_bucket_lifecycle(Bucket='legacy-none', LifecycleConfiguration={'Rules': [{'Prefix': 'a/', 'Status': 'Sometimes'}]})
    print('accepted')
except s3.exceptions.ClientError as e:
    print(e.response['Error']['Code'])`);
  assert.equal(out.trim(), 'MalformedXML');
  await rejects(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'legacy-none' })), 'NoSuchLifecycleConfiguration', 404);
});

test('boto3 put_bucket_notification (one queue): events reach the queue; get_bucket_notification and the current API agree', async () => {
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'legacy-events' }));
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await s3.send(new CreateBucketCommand({ Bucket: 'legacy-nt' }));
  const out = await boto3(`
s3.put_bucket_notification(Bucket='legacy-nt', NotificationConfiguration={'QueueConfiguration': {'Id': 'q1', 'Event': 's3:ObjectCreated:*', 'Queue': '${arn}'}})
print(json.dumps(s3.get_bucket_notification(Bucket='legacy-nt')['QueueConfiguration']))`);
  assert.deepEqual(JSON.parse(out), { Id: 'q1', Events: ['s3:ObjectCreated:*'], Event: 's3:ObjectCreated:*', Queue: arn });
  const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'legacy-nt' }));
  assert.deepEqual(current.QueueConfigurations, [{ Id: 'q1', QueueArn: arn, Events: ['s3:ObjectCreated:*'] }]);

  await s3.send(new PutObjectCommand({ Bucket: 'legacy-nt', Key: 'hello.txt', Body: 'hi' }));
  const bodies: string[] = [];
  for (let i = 0; i < 3 && !bodies.some((b) => b.includes('ObjectCreated:Put')); i++) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(got.Messages ?? []).map((m) => m.Body!));
  }
  assert.ok(
    bodies.some((b) => b.includes('s3:TestEvent')),
    'the test event on configuration',
  );
  const put = bodies.map((b) => JSON.parse(b)).find((b) => b.Records)?.Records[0];
  assert.equal(put.eventName, 'ObjectCreated:Put');
  assert.equal(put.s3.object.key, 'hello.txt');
  assert.equal(put.s3.configurationId, 'q1');

  // a destination that does not exist is refused, as by the current API
  const bad = await boto3(`
try:
    s3.put_bucket_notification(Bucket='legacy-nt', NotificationConfiguration={'QueueConfiguration': {'Event': 's3:ObjectCreated:*', 'Queue': 'arn:aws:sqs:us-east-1:000000000000:nope'}})
    print('accepted')
except s3.exceptions.ClientError as e:
    print(e.response['Error']['Code'])`);
  assert.equal(bad.trim(), 'InvalidArgument');
});
