// What a user sees for an operation or service Nimbus does not serve yet, in each protocol family.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, ListBackupsCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient, GetRuntimeManagementConfigCommand } from '@aws-sdk/client-lambda';
import { S3Client, GetObjectTorrentCommand } from '@aws-sdk/client-s3';
import { EC2Client, DescribeFpgaImagesCommand } from '@aws-sdk/client-ec2';
import { CloudWatchClient, GetMetricWidgetImageCommand } from '@aws-sdk/client-cloudwatch';
import { KMSClient, DescribeCustomKeyStoresCommand } from '@aws-sdk/client-kms';
import { IAMClient, ChangePasswordCommand } from '@aws-sdk/client-iam';
import { serverForFile, clientConfig, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

// one operation per protocol family: CLI arguments, SDK call, service and operation names (json 1.0 +
// query-compatible has none left: SQS, its only modelled service, is served whole; test/sqs*.test.ts covers its errors)
const families = [
  {
    protocol: 'json 1.0',
    cli: ['dynamodb', 'list-backups'],
    service: 'dynamodb',
    op: 'ListBackups',
    sdk: (u: string) => new DynamoDBClient(clientConfig(u)).send(new ListBackupsCommand({})),
  },
  {
    protocol: 'json 1.1',
    cli: ['kms', 'describe-custom-key-stores'],
    service: 'kms',
    op: 'DescribeCustomKeyStores',
    sdk: (u: string) => new KMSClient(clientConfig(u)).send(new DescribeCustomKeyStoresCommand({})),
  },
  {
    protocol: 'rest-json',
    cli: ['lambda', 'get-runtime-management-config', '--function-name', 'f'],
    service: 'lambda',
    op: 'GetRuntimeManagementConfig',
    sdk: (u: string) => new LambdaClient(clientConfig(u)).send(new GetRuntimeManagementConfigCommand({ FunctionName: 'f' })),
  },
  {
    protocol: 'rest-xml',
    cli: ['s3api', 'get-object-torrent', '--bucket', 'bucket', '--key', 'key', '/dev/null'],
    service: 's3',
    op: 'GetObjectTorrent',
    sdk: (u: string) =>
      new S3Client(clientConfig(u, { forcePathStyle: true })).send(new GetObjectTorrentCommand({ Bucket: 'bucket', Key: 'key' })),
  },
  {
    protocol: 'query',
    cli: ['iam', 'change-password', '--old-password', 'a', '--new-password', 'b'],
    service: 'iam',
    op: 'ChangePassword',
    sdk: (u: string) => new IAMClient(clientConfig(u)).send(new ChangePasswordCommand({ OldPassword: 'a', NewPassword: 'b' })),
  },
  {
    protocol: 'ec2',
    cli: ['ec2', 'describe-fpga-images'],
    service: 'ec2',
    op: 'DescribeFpgaImages',
    sdk: (u: string) => new EC2Client(clientConfig(u)).send(new DescribeFpgaImagesCommand({})),
  },
  {
    protocol: 'smithy-rpc-v2-cbor',
    cli: ['cloudwatch', 'get-metric-widget-image', '--metric-widget', '{}'],
    service: 'cloudwatch',
    op: 'GetMetricWidgetImage',
    sdk: (u: string) => new CloudWatchClient(clientConfig(u)).send(new GetMetricWidgetImageCommand({ MetricWidget: '{}' })),
  },
];

for (const f of families) {
  test(`${f.protocol}: SDK v3 gets NotImplemented (501) naming ${f.service} ${f.op}`, async () => {
    await assert.rejects(f.sdk(nimbus.url), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'NotImplemented');
      assert.equal(e.$metadata?.httpStatusCode, 501);
      assert.equal(e.message, `The operation ${f.op} of service ${f.service} is not implemented in Nimbus yet.`);
      return true;
    });
  });

  // a service error exits 255 in the CLI v1, 254 in the v2
  for (const [name, cli, exitCode] of [
    ['v1', AWS_CLI_V1, 255],
    ['v2', AWS_CLI_V2, 254],
  ] as const) {
    test(`${f.protocol}: AWS CLI ${name} prints the NotImplemented error for ${f.cli.join(' ')}`, async () => {
      const r = await runCli(cli, ['--endpoint-url', nimbus.url, ...f.cli]);
      assert.equal(r.code, exitCode, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `An error occurred \\(NotImplemented\\) when calling the ${f.op} operation: The operation ${f.op} of service ${f.service} is not implemented in Nimbus yet\\.`,
        ),
      );
    });
  }
}

test('a service Nimbus has no model of answers NotImplemented in its own protocol', async () => {
  // Amazon MQ (rest-json) and AppConfig (rest-json) are indexed but not modelled
  for (const [svc, args, op] of [
    ['mq', ['mq', 'list-brokers'], 'ListBrokers'],
    ['appconfig', ['appconfig', 'list-applications'], 'ListApplications'],
  ] as const) {
    const r = await runCli(AWS_CLI_V1, ['--endpoint-url', nimbus.url, ...args]);
    assert.equal(r.code, 255, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `An error occurred \\(NotImplemented\\) when calling the ${op} operation: The service ${svc} is not served by Nimbus yet\\.`,
      ),
    );
  }
});

test('boto3 sees NotImplemented as a ClientError with code and status', async () => {
  const script = `
import boto3, sys, json
from botocore.exceptions import ClientError
ddb = boto3.client('dynamodb', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
try:
    ddb.list_backups()
except ClientError as e:
    print(json.dumps({'code': e.response['Error']['Code'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { code: 'NotImplemented', status: 501 });
});
