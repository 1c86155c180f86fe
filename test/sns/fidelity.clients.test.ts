// SNS answers as AWS does: Publish to a malformed TopicArn (SDK v3 and boto3: code, message,
// status), SubscriptionPrincipal as the subscribing identity's ARN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SNSClient, CreateTopicCommand, PublishCommand, SubscribeCommand, GetSubscriptionAttributesCommand } from '@aws-sdk/client-sns';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, runCli } from '../helpers.js';

let sns: SNSClient;
const nimbus = serverForFile(async () => {
  sns = new SNSClient(clientConfig(nimbus.url));
});

const SIX = 'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1';

test('SDK v3: Publish with a malformed TopicArn is InvalidParameter, "An ARN must have at least 6 elements, not 1", 400', async () => {
  await assert.rejects(
    sns.send(new PublishCommand({ TopicArn: 'not-an-arn', Message: 'x' })),
    (e: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'InvalidParameterException');
      assert.equal(e.message, SIX);
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    },
  );
});

test('boto3: Publish with a malformed TopicArn has the same code, message and status', async () => {
  const script = `
import boto3, json, sys
sns = boto3.client('sns', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
try:
    sns.publish(TopicArn='not-an-arn', Message='x')
    print(json.dumps({'ok': True}))
except sns.exceptions.InvalidParameterException as e:
    print(json.dumps({'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { code: 'InvalidParameter', message: SIX, status: 400 });
});

test('SubscriptionPrincipal is the ARN of the identity that subscribed: the root, or an assumed role', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'principal' }));
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'principal-q' }));
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

  const byRoot = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn }));
  const rootAttrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: byRoot.SubscriptionArn }))).Attributes!;
  assert.equal(rootAttrs.SubscriptionPrincipal, 'arn:aws:iam::000000000000:root');

  const sts = new STSClient(clientConfig(nimbus.url));
  const { Credentials: c, AssumedRoleUser } = await sts.send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/subscriber', RoleSessionName: 'sess' }),
  );
  const asRole = new SNSClient(
    clientConfig(nimbus.url, {
      credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! },
    }),
  );
  const { QueueUrl: url2 } = await sqs.send(new CreateQueueCommand({ QueueName: 'principal-q2' }));
  const arn2 = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url2, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const byRole = await asRole.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn2 }));
  const roleAttrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: byRole.SubscriptionArn }))).Attributes!;
  assert.equal(AssumedRoleUser?.Arn, 'arn:aws:sts::000000000000:assumed-role/subscriber/sess');
  assert.equal(roleAttrs.SubscriptionPrincipal, AssumedRoleUser?.Arn);
  assert.equal(roleAttrs.Owner, '000000000000');
});
