// Pure logic of the LocalStack drop-in: configuration, hostnames, URL strategies, service selection,
// the awslocal invocation, init script order, JSON request lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { serviceOfLocalStackHost } from '../../src/localstack/hosts.js';
import { s3BucketUrl, sqsQueueUrl } from '../../src/localstack/urls.js';
import { selectServices } from '../../src/localstack/services.js';
import { awsInvocation, cliEndpoint } from '../../src/localstack/awslocal.js';
import { findScripts } from '../../src/localstack/init.js';
import { requestFields } from '../../src/log.js';

const cfg = (env: Record<string, string>, argv: string[] = []) => {
  const c = loadConfig(argv, env);
  assert.ok(c !== 'help');
  return c as Config;
};

test('config: LocalStack variables SERVICES, DEFAULT_REGION, LOCALSTACK_HOST, SQS_ENDPOINT_STRATEGY', () => {
  const c = cfg({
    SERVICES: 'S3, sqs,',
    DEFAULT_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'ap-south-1',
    LOCALSTACK_HOST: 'localstack:4566',
  });
  assert.deepEqual(c.services, ['s3', 'sqs']);
  assert.equal(c.defaultRegion, 'eu-west-1');
  assert.equal(c.localstackHost, 'localstack:4566');
  assert.equal(c.sqsEndpointStrategy, 'standard', 'standard is the default once LOCALSTACK_HOST is set');
  assert.equal(cfg({ AWS_DEFAULT_REGION: 'ap-south-1' }).defaultRegion, 'ap-south-1');
  assert.equal(cfg({ NIMBUS_DEFAULT_REGION: 'us-west-2', DEFAULT_REGION: 'eu-west-1' }).defaultRegion, 'us-west-2');
  assert.equal(cfg({}).sqsEndpointStrategy, 'off');
  assert.equal(cfg({}).services, undefined);
  assert.deepEqual(cfg({ SERVICES: 'sqs' }, ['--services', 'dynamodb']).services, ['dynamodb']);
  assert.equal(cfg({ SQS_ENDPOINT_STRATEGY: 'path' }).sqsEndpointStrategy, 'path');
  assert.equal(cfg({}, ['--log-format', 'json']).logFormat, 'json');
  assert.throws(() => loadConfig([], { SQS_ENDPOINT_STRATEGY: 'dynamic' }), /invalid SQS_ENDPOINT_STRATEGY: dynamic/);
  assert.throws(() => loadConfig(['--log-format', 'xml'], {}), /invalid log format/);
  assert.throws(() => loadConfig([], { DEFAULT_REGION: 'moon' }), /invalid region: moon/);
});

test('LocalStack hostnames name their service', () => {
  assert.equal(serviceOfLocalStackHost('mybucket.s3.localhost.localstack.cloud:4566'), 's3');
  assert.equal(serviceOfLocalStackHost('s3.localhost.localstack.cloud'), 's3');
  assert.equal(serviceOfLocalStackHost('sqs.s3.localhost.localstack.cloud'), 's3', 'a bucket named sqs is S3');
  assert.equal(serviceOfLocalStackHost('sqs.eu-west-1.localhost.localstack.cloud:4566'), 'sqs');
  assert.equal(serviceOfLocalStackHost('eu-west-1.queue.localhost.localstack.cloud'), 'sqs');
  assert.equal(serviceOfLocalStackHost('queue.localhost.localstack.cloud:4566'), 'sqs');
  assert.equal(serviceOfLocalStackHost('localhost.localstack.cloud:4566'), undefined);
  assert.equal(serviceOfLocalStackHost('sqs.us-east-1.amazonaws.com'), undefined);
  assert.equal(serviceOfLocalStackHost(undefined), undefined);
});

test('queue URLs follow SQS_ENDPOINT_STRATEGY; S3 URLs LOCALSTACK_HOST', () => {
  const q = { region: 'eu-west-1', account: '000000000000', name: 'jobs' };
  const ls = { localstackHost: 'localhost.localstack.cloud:4566', port: 4566 };
  assert.equal(
    sqsQueueUrl({ ...ls, sqsEndpointStrategy: 'standard' }, '127.0.0.1:4566', q),
    'http://sqs.eu-west-1.localhost.localstack.cloud:4566/000000000000/jobs',
  );
  assert.equal(
    sqsQueueUrl({ ...ls, sqsEndpointStrategy: 'domain' }, '127.0.0.1:4566', q),
    'http://eu-west-1.queue.localhost.localstack.cloud:4566/000000000000/jobs',
  );
  assert.equal(
    sqsQueueUrl({ ...ls, sqsEndpointStrategy: 'domain' }, undefined, { ...q, region: 'us-east-1' }),
    'http://queue.localhost.localstack.cloud:4566/000000000000/jobs',
  );
  assert.equal(
    sqsQueueUrl({ ...ls, sqsEndpointStrategy: 'path' }, '127.0.0.1:4566', q),
    'http://localhost.localstack.cloud:4566/queue/eu-west-1/000000000000/jobs',
  );
  assert.equal(sqsQueueUrl({ ...ls, sqsEndpointStrategy: 'off' }, '127.0.0.1:9', q), 'http://127.0.0.1:9/000000000000/jobs');
  assert.equal(sqsQueueUrl({ port: 5000 }, undefined, q), 'http://localhost:5000/000000000000/jobs');
  assert.equal(
    sqsQueueUrl({ localstackHost: 'localstack', port: 4566, sqsEndpointStrategy: 'standard' }, undefined, q),
    'http://sqs.eu-west-1.localstack:4566/000000000000/jobs',
    'the port defaults to the listening one',
  );
  assert.equal(s3BucketUrl(ls, 'b1'), 'http://b1.s3.localhost.localstack.cloud:4566');
  assert.equal(s3BucketUrl({ port: 4566 }, 'b1'), 'http://b1.s3.amazonaws.com');
});

test('SERVICES: served names kept, AWS names Nimbus lacks reported, unknown names refused', () => {
  const all = [{ name: 's3' }, { name: 'sqs' }, { name: 'dynamodb' }, { name: 'dynamodbstreams' }];
  const aws = (n: string) => ['lambda', 's3', 'sqs', 'dynamodb', 'dynamodbstreams'].includes(n);
  assert.deepEqual(selectServices(all, undefined, aws).selected, all);
  const sel = selectServices(all, ['sqs', 'dynamodb', 'lambda'], aws);
  assert.deepEqual(
    sel.selected.map((s) => s.name),
    ['sqs', 'dynamodb', 'dynamodbstreams'],
  );
  assert.deepEqual(sel.unserved, ['lambda']);
  assert.throws(
    () => selectServices(all, ['s3', 'sqss', 'bogus'], aws),
    /unknown services in SERVICES: sqss, bogus \(Nimbus serves: s3, sqs, dynamodb, dynamodbstreams\)/,
  );
});

test('awslocal invocation: endpoint, test credentials and region only where the environment says nothing', () => {
  const a = awsInvocation(['s3', 'ls'], { AWS_ENDPOINT_URL: 'http://127.0.0.1:9999' });
  assert.deepEqual(a.args, ['--endpoint-url', 'http://127.0.0.1:9999', 's3', 'ls']);
  assert.equal(a.cmd, 'aws');
  assert.deepEqual([a.env.AWS_ACCESS_KEY_ID, a.env.AWS_SECRET_ACCESS_KEY, a.env.AWS_DEFAULT_REGION], ['test', 'test', 'us-east-1']);
  const b = awsInvocation(['--endpoint-url=http://x:1', 'sqs', 'list-queues'], {
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 's',
    AWS_REGION: 'eu-west-1',
    NIMBUS_AWS_CLI: '/usr/bin/aws',
  });
  assert.deepEqual(b.args, ['--endpoint-url=http://x:1', 'sqs', 'list-queues']);
  assert.deepEqual([b.cmd, b.env.AWS_ACCESS_KEY_ID, b.env.AWS_DEFAULT_REGION], ['/usr/bin/aws', 'AKID', 'eu-west-1']);
  assert.equal(awsInvocation([], { AWS_PROFILE: 'dev' }).env.AWS_ACCESS_KEY_ID, undefined, 'a profile keeps its own credentials');
  assert.equal(cliEndpoint({ LOCALSTACK_HOST: 'localstack' }), 'http://localstack:4566');
  assert.equal(cliEndpoint({}), 'http://localhost:4566');
  assert.equal(cliEndpoint({ NIMBUS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL: 'http://b:2' }), 'http://a:1');
});

test('init scripts run in name order, parent files before subdirectories, only .sh and .py', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-init-'));
  mkdirSync(join(dir, 'a-sub'));
  for (const f of ['02-b.sh', '01-a.py', '10-c.sh', 'notes.txt', 'a-sub/00-first.sh']) writeFileSync(join(dir, f), '');
  assert.deepEqual(
    findScripts(dir).map((p) => basename(p)),
    ['01-a.py', '02-b.sh', '10-c.sh', '00-first.sh'],
  );
  assert.deepEqual(findScripts(join(dir, 'missing')), []);
});

test('request log lines become JSON fields', () => {
  assert.deepEqual(requestFields('sqs.SendMessage 200 3.2ms 0f3e'), {
    service: 'sqs',
    operation: 'SendMessage',
    status: 200,
    ms: 3.2,
    requestId: '0f3e',
  });
  assert.equal(requestFields('state reset'), undefined);
});
