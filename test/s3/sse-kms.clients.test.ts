// SSE-KMS as boto3 and the AWS CLI v2 see it: the managed key's ARN echoed, and a disabled key's
// refusal parsed as KMS.DisabledException.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverForFile, runCli, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

test('boto3 and CLI v2: SSE-KMS upload, then GET under a disabled key is KMS.DisabledException', async () => {
  const script = `
import boto3, json, sys
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1')
kms = boto3.client('kms', endpoint_url=sys.argv[1], region_name='us-east-1')
s3.create_bucket(Bucket='sse-kms-boto')
key = kms.create_key()['KeyMetadata']
put = s3.put_object(Bucket='sse-kms-boto', Key='k', Body=b'x', ServerSideEncryption='aws:kms', SSEKMSKeyId=key['KeyId'])
out = [put['ServerSideEncryption'], put['SSEKMSKeyId'] == key['Arn']]
kms.disable_key(KeyId=key['KeyId'])
try:
    s3.get_object(Bucket='sse-kms-boto', Key='k')
    out.append(None)
except s3.exceptions.ClientError as e:
    out.append([e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode']])
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), ['aws:kms', true, ['KMS.DisabledException', 400]]);

  const file = join(mkdtempSync(join(tmpdir(), 'sse-kms-')), 'f.txt');
  writeFileSync(file, 'hello');
  const put = await runCli(AWS_CLI_V2, [
    '--endpoint-url',
    nimbus.url,
    's3api',
    'put-object',
    '--bucket',
    'sse-kms-boto',
    '--key',
    'cli',
    '--body',
    file,
    '--server-side-encryption',
    'aws:kms',
  ]);
  assert.equal(put.code, 0, put.stderr);
  const managed = await runCli(AWS_CLI_V2, [
    '--endpoint-url',
    nimbus.url,
    'kms',
    'describe-key',
    '--key-id',
    'alias/aws/s3',
    '--query',
    'KeyMetadata.Arn',
    '--output',
    'text',
  ]);
  assert.equal(JSON.parse(put.stdout).SSEKMSKeyId, managed.stdout.trim());
  const bad = await runCli(AWS_CLI_V2, [
    '--endpoint-url',
    nimbus.url,
    's3api',
    'put-object',
    '--bucket',
    'sse-kms-boto',
    '--key',
    'bad',
    '--body',
    file,
    '--server-side-encryption',
    'aws:kms',
    '--ssekms-key-id',
    'nope',
  ]);
  assert.match(bad.stderr, /An error occurred \(KMS\.NotFoundException\) when calling the PutObject operation: Invalid keyId 'nope'/);
});
