// SQS server-side encryption attributes: SSE-SQS by default, SSE-KMS with a key, never both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let sqs: SQSClient;
const nimbus = serverForFile(async () => {
  sqs = new SQSClient(clientConfig(nimbus.url));
});

const ONE_TYPE = 'You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.';
const sse = async (QueueUrl: string) => {
  const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes!;
  return {
    SqsManagedSseEnabled: a.SqsManagedSseEnabled,
    KmsMasterKeyId: a.KmsMasterKeyId,
    KmsDataKeyReusePeriodSeconds: a.KmsDataKeyReusePeriodSeconds,
  };
};

test('CreateQueue: SSE-SQS by default; a KMS key makes it SSE-KMS with a 300 s data key reuse period', async () => {
  const plain = (await sqs.send(new CreateQueueCommand({ QueueName: 'sse-default' }))).QueueUrl!;
  assert.deepEqual(await sse(plain), { SqsManagedSseEnabled: 'true', KmsMasterKeyId: undefined, KmsDataKeyReusePeriodSeconds: undefined });
  const kms = (await sqs.send(new CreateQueueCommand({ QueueName: 'sse-kms', Attributes: { KmsMasterKeyId: 'alias/aws/sqs' } }))).QueueUrl!;
  assert.deepEqual(await sse(kms), { SqsManagedSseEnabled: 'false', KmsMasterKeyId: 'alias/aws/sqs', KmsDataKeyReusePeriodSeconds: '300' });
});

test('both kinds at once: InvalidAttributeName, on CreateQueue and SetQueueAttributes', async () => {
  const Attributes = { KmsMasterKeyId: 'alias/aws/sqs', SqsManagedSseEnabled: 'true' };
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'sse-both', Attributes })), 'InvalidAttributeName', 400, (e) =>
    assert.equal(e.message, ONE_TYPE),
  );
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'sse-set-both' }))).QueueUrl!;
  await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes })), 'InvalidAttributeName', 400, (e) =>
    assert.equal(e.message, ONE_TYPE),
  );
  assert.deepEqual(await sse(url), { SqsManagedSseEnabled: 'true', KmsMasterKeyId: undefined, KmsDataKeyReusePeriodSeconds: undefined });
});

test('SetQueueAttributes switches between SSE-SQS and SSE-KMS', async () => {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: 'sse-switch' }))).QueueUrl!;
  await sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { KmsMasterKeyId: 'alias/mine', KmsDataKeyReusePeriodSeconds: '600' } }),
  );
  assert.deepEqual(await sse(url), { SqsManagedSseEnabled: 'false', KmsMasterKeyId: 'alias/mine', KmsDataKeyReusePeriodSeconds: '600' });
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { SqsManagedSseEnabled: 'true' } }));
  assert.deepEqual(await sse(url), { SqsManagedSseEnabled: 'true', KmsMasterKeyId: undefined, KmsDataKeyReusePeriodSeconds: undefined });
});
