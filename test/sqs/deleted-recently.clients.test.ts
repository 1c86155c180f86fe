// SQS: a deleted queue's name cannot be used again for 60 seconds (QueueDeletedRecently), on the
// virtual clock, over JSON (SDK v3, boto3) and over query (a signed query request, the AWS CLI v2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SQSClient, CreateQueueCommand, DeleteQueueCommand, GetQueueUrlCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { serverForFile, spawnServer, clientConfig, rejects, runCli, AWS_CLI_V2 } from '../helpers.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let sqs: SQSClient;
const nimbus = serverForFile(async () => {
  sqs = new SQSClient(clientConfig(nimbus.url));
});

const MESSAGE = 'You must wait 60 seconds after deleting a queue before you can create another with the same name.';
const advance = (url: string, by: string) => fetch(`${url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });

async function createAndDelete(client: SQSClient, QueueName: string, Attributes?: Record<string, string>): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName, Attributes }));
  await client.send(new DeleteQueueCommand({ QueueUrl }));
  return QueueUrl!;
}

test('CreateQueue within 60 s of DeleteQueue: QueueDeletedRecently, 400, with the query code in x-amzn-query-error', async () => {
  await createAndDelete(sqs, 'recent');
  await rejects(sqs.send(new CreateQueueCommand({ QueueName: 'recent' })), 'QueueDeletedRecently', 400, (e) => {
    assert.equal(e.message, MESSAGE);
    assert.equal(e.Code, 'AWS.SimpleQueueService.QueueDeletedRecently');
    assert.equal(e.Type, 'Sender');
  });
  // the name stays free of a queue meanwhile, and other names are not affected
  await rejects(sqs.send(new GetQueueUrlCommand({ QueueName: 'recent' })), 'QueueDoesNotExist', 400);
  assert.equal((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'recent' }))).QueueUrls, undefined);
  await sqs.send(new CreateQueueCommand({ QueueName: 'recent-other' }));
});

test('the name is usable again once 60 s have passed on the virtual clock, FIFO names too', async () => {
  const url = await createAndDelete(sqs, 'reuse.fifo', { FifoQueue: 'true' });
  await advance(nimbus.url, '59s');
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: 'reuse.fifo', Attributes: { FifoQueue: 'true' } })),
    'QueueDeletedRecently',
    400,
  );
  await advance(nimbus.url, '1s');
  const again = await sqs.send(new CreateQueueCommand({ QueueName: 'reuse.fifo', Attributes: { FifoQueue: 'true' } }));
  assert.equal(again.QueueUrl, url);
  // and a queue deleted again starts a new 60 s
  await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await rejects(
    sqs.send(new CreateQueueCommand({ QueueName: 'reuse.fifo', Attributes: { FifoQueue: 'true' } })),
    'QueueDeletedRecently',
    400,
  );
});

test('the 60 s survive a restart of a persistent server', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-sqs-deleted-'));
  let server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    await createAndDelete(new SQSClient(clientConfig(server.url)), 'durable-name');
    await server.kill9();
    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    const client = new SQSClient(clientConfig(server.url));
    await rejects(client.send(new CreateQueueCommand({ QueueName: 'durable-name' })), 'QueueDeletedRecently', 400);
    await advance(server.url, '61s');
    await client.send(new CreateQueueCommand({ QueueName: 'durable-name' }));
  } finally {
    await server.stop();
  }
});

test('boto3 (JSON, query-compatible): ClientError with the query code, the message and status 400', async () => {
  const script = `
import boto3, json, sys
sqs = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
url = sqs.create_queue(QueueName='boto-recent')['QueueUrl']
sqs.delete_queue(QueueUrl=url)
try:
    sqs.create_queue(QueueName='boto-recent')
    print(json.dumps({'created': True}))
except sqs.exceptions.QueueDeletedRecently as e:
    print(json.dumps({'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'], 'status': e.response['ResponseMetadata']['HTTPStatusCode']}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { code: 'AWS.SimpleQueueService.QueueDeletedRecently', message: MESSAGE, status: 400 });
});

test('query protocol: a signed Action=CreateQueue gets the XML error with the query code, Sender, status 400', async () => {
  // botocore signs a hand-made query request, as older SDKs send it
  const script = `
import sys, json, urllib.request
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
def call(params):
    body = urllib.parse.urlencode({**params, 'Version': '2012-11-05'})
    req = AWSRequest(method='POST', url=sys.argv[1] + '/', data=body, headers={'Content-Type': 'application/x-www-form-urlencoded'})
    SigV4Auth(Credentials('test', 'test'), 'sqs', 'us-east-1').add_auth(req)
    try:
        with urllib.request.urlopen(urllib.request.Request(req.url, data=body.encode(), headers=dict(req.headers), method='POST')) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
call({'Action': 'CreateQueue', 'QueueName': 'query-recent'})
status, xml = call({'Action': 'GetQueueUrl', 'QueueName': 'query-recent'})
url = xml.split('<QueueUrl>')[1].split('</QueueUrl>')[0]
call({'Action': 'DeleteQueue', 'QueueUrl': url})
status, xml = call({'Action': 'CreateQueue', 'QueueName': 'query-recent'})
print(json.dumps({'status': status, 'xml': xml}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  const { status, xml } = JSON.parse(r.stdout);
  assert.equal(status, 400);
  assert.match(
    xml,
    /<ErrorResponse[^>]*>\s*<Error>\s*<Type>Sender<\/Type>\s*<Code>AWS\.SimpleQueueService\.QueueDeletedRecently<\/Code>\s*<Message>You must wait 60 seconds after deleting a queue before you can create another with the same name\.<\/Message>/,
  );
});

test('AWS CLI v2 (query protocol) prints the query code and message', async () => {
  const cli = (...args: string[]) => runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, '--output', 'json', 'sqs', ...args]);
  const created = await cli('create-queue', '--queue-name', 'cli-recent');
  assert.equal(created.code, 0, created.stderr);
  assert.equal((await cli('delete-queue', '--queue-url', JSON.parse(created.stdout).QueueUrl)).code, 0);
  const again = await cli('create-queue', '--queue-name', 'cli-recent');
  assert.notEqual(again.code, 0);
  assert.match(
    again.stderr,
    new RegExp(
      `An error occurred \\(AWS\\.SimpleQueueService\\.QueueDeletedRecently\\) when calling the CreateQueue operation: ${MESSAGE.replace(/\./g, '\\.')}`,
    ),
  );
});
