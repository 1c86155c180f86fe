// CloudWatch Logs through the clients people use: Insights via SDK v3, `aws logs tail` (CLI v2),
// `aws logs get-log-events` (CLI v1), boto3; subscription delivery to Lambda; the integration
// other services write through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  GetQueryResultsCommand,
  StopQueryCommand,
  DescribeQueriesCommand,
  PutSubscriptionFilterCommand,
  GetLogEventsCommand,
  DescribeLogStreamsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { serverForFile, clientConfig, rejects, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

let c: CloudWatchLogsClient;
const nimbus = serverForFile(() => {
  c = new CloudWatchLogsClient(clientConfig(nimbus.url));
});
const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;

async function seed(group: string, stream: string, messages: string[], t0?: number) {
  await c.send(new CreateLogGroupCommand({ logGroupName: group }));
  await c.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  const t = t0 ?? (await now()) - 60_000;
  await c.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message, i) => ({ timestamp: t + i, message })),
    }),
  );
  return t;
}

test('Insights through SDK v3: StartQuery, GetQueryResults completes, DescribeQueries, StopQuery, MalformedQueryException', async () => {
  const t = await seed('/insights', 'api', ['{"status":200,"ms":10}', '{"status":500,"ms":900}', '{"status":500,"ms":700}', 'plain line']);
  const { queryId } = await c.send(
    new StartQueryCommand({
      logGroupName: '/insights',
      startTime: Math.floor(t / 1000) - 1,
      endTime: Math.floor(t / 1000) + 60,
      queryString: 'filter status = 500 | stats count(*) as errors, avg(ms) as avgMs by status',
    }),
  );
  assert.ok(queryId);
  const described = await c.send(new DescribeQueriesCommand({ logGroupName: '/insights' }));
  assert.equal(described.queries?.[0].status, 'Running');
  const r = await c.send(new GetQueryResultsCommand({ queryId }));
  assert.equal(r.status, 'Complete');
  assert.deepEqual(r.results, [
    [
      { field: 'status', value: '500' },
      { field: 'errors', value: '2' },
      { field: 'avgMs', value: '800' },
    ],
  ]);
  assert.equal(r.statistics?.recordsScanned, 4);
  assert.equal((await c.send(new StopQueryCommand({ queryId }))).success, false);
  const q2 = await c.send(
    new StartQueryCommand({
      logGroupNames: ['/insights'],
      startTime: 0,
      endTime: Math.floor(t / 1000) + 60,
      queryString: 'fields @message | filter @message like /plain/',
    }),
  );
  assert.equal((await c.send(new StopQueryCommand({ queryId: q2.queryId }))).success, true);
  assert.equal((await c.send(new DescribeQueriesCommand({ status: 'Cancelled' }))).queries?.[0].queryId, q2.queryId);
  await rejects(
    c.send(new StartQueryCommand({ logGroupName: '/insights', startTime: 0, endTime: 1, queryString: 'fields | nonsense' })),
    'MalformedQueryException',
    400,
    (e) => assert.ok((e as { queryCompileError?: unknown }).queryCompileError),
  );
  await rejects(
    c.send(new StartQueryCommand({ logGroupName: '/nope', startTime: 0, endTime: 1, queryString: 'fields @message' })),
    'ResourceNotFoundException',
  );
  await rejects(c.send(new GetQueryResultsCommand({ queryId: 'nope' })), 'ResourceNotFoundException');
});

test('subscription filter to Lambda: matching events arrive as the gzip+base64 awslogs.data payload', async () => {
  const calls: { arn: string; payload: Buffer; type: string }[] = [];
  nimbus.runtime.integrations.lambda = {
    invoke: async (arn, payload, type) => {
      calls.push({ arn, payload, type });
      return { statusCode: 202 };
    },
    functionExists: (arn) => arn.endsWith(':function:sink'),
  };
  try {
    await c.send(new CreateLogGroupCommand({ logGroupName: '/sub' }));
    await c.send(new CreateLogStreamCommand({ logGroupName: '/sub', logStreamName: 'st' }));
    const fn = 'arn:aws:lambda:us-east-1:000000000000:function:sink';
    await rejects(
      c.send(new PutSubscriptionFilterCommand({ logGroupName: '/sub', filterName: 'f', filterPattern: 'ERROR', destinationArn: fn + 'x' })),
      'InvalidParameterException',
    );
    await c.send(
      new PutSubscriptionFilterCommand({ logGroupName: '/sub', filterName: 'errors', filterPattern: 'ERROR', destinationArn: fn }),
    );
    const t = await now();
    await c.send(
      new PutLogEventsCommand({
        logGroupName: '/sub',
        logStreamName: 'st',
        logEvents: [
          { timestamp: t, message: 'ERROR one' },
          { timestamp: t + 1, message: 'fine' },
          { timestamp: t + 2, message: 'ERROR two' },
        ],
      }),
    );
    assert.equal(calls.length, 1);
    assert.equal(calls[0].arn, fn);
    assert.equal(calls[0].type, 'Event');
    const body = JSON.parse(calls[0].payload.toString()) as { awslogs: { data: string } };
    const data = JSON.parse(gunzipSync(Buffer.from(body.awslogs.data, 'base64')).toString());
    assert.equal(data.messageType, 'DATA_MESSAGE');
    assert.equal(data.logGroup, '/sub');
    assert.equal(data.logStream, 'st');
    assert.deepEqual(data.subscriptionFilters, ['errors']);
    assert.match(data.owner, /^\d{12}$/);
    assert.deepEqual(
      data.logEvents.map((e: { message: string }) => e.message),
      ['ERROR one', 'ERROR two'],
    );
    assert.equal(data.logEvents[0].timestamp, t);
    assert.match(data.logEvents[0].id, /^\d+$/);
  } finally {
    delete nimbus.runtime.integrations.lambda;
  }
});

test('rt.integrations.logs.putLogEvents creates the group and stream and sorts what it gets', async () => {
  const logs = nimbus.runtime.integrations.logs!;
  const t = await now();
  logs.putLogEvents('000000000000', 'us-east-1', '/aws/lambda/fn', '2024/01/01/[$LATEST]abc', [
    { timestamp: t + 2, message: 'END RequestId: 1' },
    { timestamp: t, message: 'START RequestId: 1' },
    { timestamp: t + 1, message: 'hello' },
  ]);
  const streams = await c.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/fn' }));
  assert.equal(streams.logStreams?.[0].logStreamName, '2024/01/01/[$LATEST]abc');
  const ev = await c.send(
    new GetLogEventsCommand({ logGroupName: '/aws/lambda/fn', logStreamName: '2024/01/01/[$LATEST]abc', startFromHead: true }),
  );
  assert.deepEqual(
    ev.events?.map((e) => e.message),
    ['START RequestId: 1', 'hello', 'END RequestId: 1'],
  );
});

test('boto3: start_live_tail reads sessionStart, then the events put after it', async () => {
  await seed('/live', 'app', ['old line']);
  const script = `
import boto3, json, sys, time
from botocore.config import Config
c = boto3.client('logs', endpoint_url=sys.argv[1], region_name='us-east-1', config=Config(inject_host_prefix=False))
r = c.start_live_tail(logGroupIdentifiers=['/live'])
events = iter(r['responseStream'])
start = next(events)['sessionStart']
c.put_log_events(logGroupName='/live', logStreamName='app', logEvents=[{'timestamp': int(time.time() * 1000), 'message': 'live line'}])
for ev in events:
    results = ev.get('sessionUpdate', {}).get('sessionResults', [])
    if results:
        print(json.dumps({'groups': start['logGroupIdentifiers'], 'messages': [e['message'] for e in results], 'stream': results[0]['logStreamName']}))
        break
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { groups: ['/live'], messages: ['live line'], stream: 'app' });
});

test('CLI v2: aws logs tail prints the events of a group with their streams', async () => {
  await seed('/tail', 'web', ['first line', 'second line']);
  const r = await runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, 'logs', 'tail', '/tail', '--since', '1h', '--format', 'short']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /first line$/);
  assert.match(lines[1], /second line$/);
  const detailed = await runCli(AWS_CLI_V2, [
    '--endpoint-url',
    nimbus.url,
    'logs',
    'tail',
    '/tail',
    '--since',
    '1h',
    '--filter-pattern',
    'second',
  ]);
  assert.equal(detailed.code, 0, detailed.stderr);
  assert.match(detailed.stdout.trim(), /^\S+ web second line$/);
  const missing = await runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, 'logs', 'tail', '/nope']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /ResourceNotFoundException/);
});

test('CLI v1: aws logs get-log-events from the head, then on with the forward token, which repeats at the end', async () => {
  await seed(
    '/cli1',
    'st',
    Array.from({ length: 15 }, (_, i) => `line ${i}`),
  );
  const get = async (...extra: string[]) => {
    const r = await runCli(AWS_CLI_V1, [
      '--endpoint-url',
      nimbus.url,
      '--output',
      'json',
      'logs',
      'get-log-events',
      '--log-group-name',
      '/cli1',
      '--log-stream-name',
      'st',
      ...extra,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as { events: { message: string }[]; nextForwardToken: string; nextBackwardToken: string };
  };
  const first = await get('--start-from-head', '--limit', '10');
  assert.deepEqual(
    first.events.map((e) => e.message),
    Array.from({ length: 10 }, (_, i) => `line ${i}`),
  );
  const second = await get('--next-token', first.nextForwardToken);
  assert.deepEqual(
    second.events.map((e) => e.message),
    Array.from({ length: 5 }, (_, i) => `line ${i + 10}`),
  );
  const end = await get('--next-token', second.nextForwardToken);
  assert.deepEqual(end.events, []);
  assert.equal(end.nextForwardToken, second.nextForwardToken);
  const bad = await runCli(AWS_CLI_V1, [
    '--endpoint-url',
    nimbus.url,
    'logs',
    'put-log-events',
    '--log-group-name',
    '/cli1',
    '--log-stream-name',
    'st',
    '--log-events',
    'timestamp=2000,message=b',
    'timestamp=1000,message=a',
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /InvalidParameterException.*chronological order/);
});

test('boto3: create, put, filter with a JSON pattern, paginate describe_log_groups', async () => {
  const script = `
import sys, time, boto3
c = boto3.client('logs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
for i in range(7):
    c.create_log_group(logGroupName='/py/g%d' % i)
c.create_log_stream(logGroupName='/py/g0', logStreamName='s')
t = int(sys.argv[2])
c.put_log_events(logGroupName='/py/g0', logStreamName='s', logEvents=[{'timestamp': t, 'message': '{"level":"error","ms":150}'}, {'timestamp': t + 1, 'message': '{"level":"error","ms":50}'}])
r = c.filter_log_events(logGroupName='/py/g0', filterPattern='{ $.level = "error" && $.ms > 100 }')
print(len(r['events']), r['events'][0]['message'])
names = [g['logGroupName'] for p in c.get_paginator('describe_log_groups').paginate(logGroupNamePrefix='/py/', PaginationConfig={'PageSize': 3}) for g in p['logGroups']]
print(len(names))
try:
    c.put_retention_policy(logGroupName='/py/g0', retentionInDays=2)
except c.exceptions.InvalidParameterException as e:
    print('invalid')
`;
  const r = await runCli('python3', ['-c', script, nimbus.url, String(await now())]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), ['1 {"level":"error","ms":150}', '7', 'invalid']);
});
