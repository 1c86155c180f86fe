// The fully qualified JSON error types (`com.amazonaws.dynamodb.v20120810#…`, `com.amazon.coral.validate#…`,
// `com.amazonaws.sqs#…`) still parse into the bare codes in boto3 and both AWS CLIs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

test('boto3: qualified DynamoDB and SQS error types parse into modelled exceptions and bare codes', async () => {
  const script = `
import boto3, json, sys
from botocore.config import Config
cfg = Config(parameter_validation=False, retries={'max_attempts': 0})
d = boto3.client('dynamodb', endpoint_url=sys.argv[1], region_name='us-east-1', config=cfg)
q = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1', config=cfg)
out = []
try:
    d.describe_table(TableName='wire-none')
except d.exceptions.ResourceNotFoundException as e:
    out.append([e.response['Error']['Code'], len(e.response['ResponseMetadata']['RequestId'])])
try:
    d.describe_table(TableName='a;')
except d.exceptions.ClientError as e:
    out.append([e.response['Error']['Code']])
try:
    q.get_queue_url(QueueName='wire-none')
except q.exceptions.QueueDoesNotExist as e:
    out.append([e.response['Error']['Code'], e.response['Error'].get('QueryErrorCode')])
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    ['ResourceNotFoundException', 52],
    ['ValidationException'],
    ['AWS.SimpleQueueService.NonExistentQueue', 'QueueDoesNotExist'],
  ]);
});

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`CLI ${name}: qualified DynamoDB and SQS error types print their bare codes`, async () => {
    const ddb = await runCli(cli, ['--endpoint-url', nimbus.url, 'dynamodb', 'describe-table', '--table-name', 'wire-none']);
    assert.notEqual(ddb.code, 0);
    assert.match(ddb.stderr, /An error occurred \(ResourceNotFoundException\) when calling the DescribeTable operation/);
    const val = await runCli(cli, ['--endpoint-url', nimbus.url, 'dynamodb', 'describe-table', '--table-name', 'abc;']);
    assert.match(val.stderr, /An error occurred \(ValidationException\) when calling the DescribeTable operation/);
    const sqs = await runCli(cli, ['--endpoint-url', nimbus.url, 'sqs', 'get-queue-url', '--queue-name', 'wire-none']);
    assert.match(sqs.stderr, /An error occurred \(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation/);
  });
}
