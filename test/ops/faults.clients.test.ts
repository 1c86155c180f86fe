// Injected faults seen by the AWS CLIs v1 and v2 and boto3: their retry logic retries the AWS error
// and reports it by its code once the attempts run out.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

async function admin(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${nimbus.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  assert.ok(res.status < 300, `${method} ${path}: ${res.status}`);
  return res.json();
}

beforeEach(() => admin('DELETE', '/_nimbus/faults'));

for (const [label, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`AWS CLI ${label}: an S3 throttle is retried, then reported as SlowDown; other operations answer`, async () => {
    const env = { AWS_MAX_ATTEMPTS: '2', AWS_RETRY_MODE: 'standard' };
    const aws = (...args: string[]) => runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args], env);
    assert.equal((await aws('s3api', 'create-bucket', '--bucket', `cli-fault-${label}`)).code, 0);
    const fault = await admin('POST', '/_nimbus/faults', { service: 's3', operations: ['ListBuckets'], effect: 'throttle' });
    const r = await aws('s3api', 'list-buckets');
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /\(SlowDown\) when calling the ListBuckets operation \(reached max retries: 1\): Please reduce your request rate\./,
    );
    assert.equal((await aws('s3api', 'head-bucket', '--bucket', `cli-fault-${label}`)).code, 0);
    const [listed] = (await admin('GET', '/_nimbus/faults')).faults;
    assert.deepEqual([listed.id, listed.hits], [fault.id, 2]);
  });
}

test('boto3: DynamoDB and SQS throttles and an S3 outage surface with their AWS codes after the retries', async () => {
  await admin('POST', '/_nimbus/faults', [
    { service: 'dynamodb', operations: ['GetItem', 'ListTables'], effect: 'throttle' },
    { service: 'sqs', operations: ['ListQueues'], effect: 'throttle' },
    { service: 's3', operations: ['ListBuckets'], effect: 'unavailable' },
  ]);
  const script = `
import sys, json, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
cfg = Config(retries={'total_max_attempts': 2, 'mode': 'standard'})
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test', config=cfg)
out = {}
def attempt(name, fn):
    try:
        fn()
        out[name] = 'ok'
    except ClientError as e:
        out[name] = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'], e.response['ResponseMetadata']['RetryAttempts']]
ddb = boto3.client('dynamodb', **kw)
attempt('GetItem', lambda: ddb.get_item(TableName='t', Key={'k': {'S': '1'}}))
attempt('ListTables', lambda: ddb.list_tables())
attempt('DescribeLimits', lambda: ddb.describe_limits())
attempt('ListQueues', lambda: boto3.client('sqs', **kw).list_queues())
attempt('ListBuckets', lambda: boto3.client('s3', **kw).list_buckets())
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    GetItem: ['ProvisionedThroughputExceededException', 400, 1],
    ListTables: ['ThrottlingException', 400, 1],
    DescribeLimits: 'ok',
    ListQueues: ['RequestThrottled', 400, 1],
    ListBuckets: ['ServiceUnavailable', 503, 1],
  });
});
