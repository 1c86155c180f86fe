// The wording Python users see: boto3 against Nimbus for the DynamoDB and S3 errors whose exact
// code and message scripts match on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile, runCli } from '../helpers.js';

const nimbus = serverForFile();

test('boto3: DynamoDB validation before lookup, ExclusiveStartKey of the wrong type, placeholders without expressions', async () => {
  const script = `
import boto3, json, sys
from botocore.config import Config
c = boto3.client('dynamodb', endpoint_url=sys.argv[1], region_name='us-east-1', config=Config(parameter_validation=False, retries={'max_attempts': 0}))
c.create_table(TableName='boto-fid', AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}], KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}], BillingMode='PAY_PER_REQUEST')
c.get_waiter('table_exists').wait(TableName='boto-fid', WaiterConfig={'Delay': 1, 'MaxAttempts': 3})
out = []
def err(fn):
    try:
        fn()
        out.append(None)
    except c.exceptions.ClientError as e:
        out.append([e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']])
err(lambda: c.describe_table(TableName='a;'))
err(lambda: c.scan(TableName='boto-fid', ExclusiveStartKey={'pk': {'BOOL': True}}))
err(lambda: c.update_item(TableName='boto-fid', Key={'pk': {'S': 'a'}}, ExpressionAttributeValues={':v': {'S': 'x'}}))
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    [
      'ValidationException',
      "1 validation error detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
      400,
    ],
    ['ValidationException', 'The provided starting key is invalid: The provided key element does not match the schema', 400],
    [
      'ValidationException',
      'ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null',
      400,
    ],
  ]);
});

test('boto3: S3 versioning without Status, lifecycle duplicate IDs, a retried multipart completion', async () => {
  const script = `
import boto3, json, sys
c = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1')
c.create_bucket(Bucket='boto-fidelity')
out = []
def err(fn):
    try:
        fn()
        out.append(None)
    except c.exceptions.ClientError as e:
        out.append([e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']])
err(lambda: c.put_bucket_versioning(Bucket='boto-fidelity', VersioningConfiguration={}))
rule = {'ID': 'same', 'Status': 'Enabled', 'Filter': {'Prefix': ''}, 'Expiration': {'Days': 1}}
err(lambda: c.put_bucket_lifecycle_configuration(Bucket='boto-fidelity', LifecycleConfiguration={'Rules': [rule, dict(rule, Filter={'Prefix': 'a'})]}))
u = c.create_multipart_upload(Bucket='boto-fidelity', Key='m')['UploadId']
p = c.upload_part(Bucket='boto-fidelity', Key='m', UploadId=u, PartNumber=1, Body=b'only part')
parts = {'Parts': [{'PartNumber': 1, 'ETag': p['ETag']}]}
first = c.complete_multipart_upload(Bucket='boto-fidelity', Key='m', UploadId=u, MultipartUpload=parts)
second = c.complete_multipart_upload(Bucket='boto-fidelity', Key='m', UploadId=u, MultipartUpload=parts)
out.append([first['ETag'] == second['ETag'], first.get('ChecksumType'), 'ChecksumCRC64NVME' in first])
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    ['IllegalVersioningConfigurationException', 'The Versioning element must be specified', 400],
    ['InvalidArgument', 'Rule ID must be unique. Found same ID for more than one rule', 400],
    [true, 'FULL_OBJECT', true],
  ]);
});
