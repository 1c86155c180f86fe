// CloudWatch Logs through SDK v3: groups, streams, retention on the virtual clock, tags, PutLogEvents
// batch rules, GetLogEvents tokens, FilterLogEvents paging and patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutRetentionPolicyCommand,
  DeleteRetentionPolicyCommand,
  TagLogGroupCommand,
  ListTagsLogGroupCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
  UntagResourceCommand,
  PutLogEventsCommand,
  GetLogEventsCommand,
  FilterLogEventsCommand,
  TestMetricFilterCommand,
  PutMetricFilterCommand,
  DescribeMetricFiltersCommand,
  DeleteMetricFilterCommand,
  PutSubscriptionFilterCommand,
  DescribeSubscriptionFiltersCommand,
  DeleteSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let c: CloudWatchLogsClient;
const nimbus = serverForFile(() => {
  c = new CloudWatchLogsClient(clientConfig(nimbus.url));
});
const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
const advance = async (d: string) =>
  assert.equal((await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: d }) })).status, 200);

async function groupWithStream(group: string, stream = 's1') {
  await c.send(new CreateLogGroupCommand({ logGroupName: group }));
  await c.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
}

test('log groups: create, duplicate, describe by prefix and pattern with paging, delete', async () => {
  for (const n of ['/app/a', '/app/b', '/app/c', '/other/Alpha'])
    await c.send(new CreateLogGroupCommand({ logGroupName: n, logGroupClass: n === '/app/c' ? 'INFREQUENT_ACCESS' : undefined }));
  await rejects(c.send(new CreateLogGroupCommand({ logGroupName: '/app/a' })), 'ResourceAlreadyExistsException');
  const p1 = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 2 }));
  assert.deepEqual(
    p1.logGroups?.map((g) => g.logGroupName),
    ['/app/a', '/app/b'],
  );
  assert.ok(p1.nextToken);
  const p2 = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/app/', limit: 2, nextToken: p1.nextToken }));
  assert.deepEqual(
    p2.logGroups?.map((g) => g.logGroupName),
    ['/app/c'],
  );
  assert.equal(p2.nextToken, undefined);
  assert.equal(p2.logGroups?.[0].logGroupClass, 'INFREQUENT_ACCESS');
  const g = p1.logGroups![0];
  assert.match(g.arn!, /^arn:aws:logs:us-east-1:\d{12}:log-group:\/app\/a:\*$/);
  assert.equal(g.logGroupArn, g.arn!.slice(0, -2));
  assert.equal(g.storedBytes, 0);
  assert.equal(g.metricFilterCount, 0);
  const pat = await c.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'alph' }));
  assert.deepEqual(
    pat.logGroups?.map((x) => x.logGroupName),
    ['/other/Alpha'],
  );
  await rejects(c.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'a', logGroupNamePrefix: '/' })), 'InvalidParameterException');
  await c.send(new DeleteLogGroupCommand({ logGroupName: '/app/b' }));
  await rejects(c.send(new DeleteLogGroupCommand({ logGroupName: '/app/b' })), 'ResourceNotFoundException', 400, (e) =>
    assert.equal(e.message, 'The specified log group does not exist.'),
  );
});

test('retention: only AWS values, shown, and events older than it disappear as the virtual clock moves', async () => {
  await groupWithStream('/ret');
  await rejects(
    c.send(new PutRetentionPolicyCommand({ logGroupName: '/ret', retentionInDays: 2 })),
    'InvalidParameterException',
    400,
    (e) => assert.match(String(e.message), /Member must satisfy enum value set: \[1, 3, 5, 7, 14/),
  );
  await c.send(new PutRetentionPolicyCommand({ logGroupName: '/ret', retentionInDays: 1 }));
  const g = (await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ret' }))).logGroups![0];
  assert.equal(g.retentionInDays, 1);
  const t = await now();
  await c.send(
    new PutLogEventsCommand({ logGroupName: '/ret', logStreamName: 's1', logEvents: [{ timestamp: t - 1000, message: 'old' }] }),
  );
  await advance('12h');
  await c.send(
    new PutLogEventsCommand({ logGroupName: '/ret', logStreamName: 's1', logEvents: [{ timestamp: t + 12 * 3600_000, message: 'new' }] }),
  );
  let ev = await c.send(new GetLogEventsCommand({ logGroupName: '/ret', logStreamName: 's1', startFromHead: true }));
  assert.deepEqual(
    ev.events?.map((e) => e.message),
    ['old', 'new'],
  );
  await advance('13h');
  ev = await c.send(new GetLogEventsCommand({ logGroupName: '/ret', logStreamName: 's1', startFromHead: true }));
  assert.deepEqual(
    ev.events?.map((e) => e.message),
    ['new'],
  );
  const f = await c.send(new FilterLogEventsCommand({ logGroupName: '/ret' }));
  assert.deepEqual(
    f.events?.map((e) => e.message),
    ['new'],
  );
  // the clock advance deleted the expired event: the group no longer counts its bytes
  const after = (await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ret' }))).logGroups![0];
  assert.equal(after.storedBytes, 'new'.length + 26);
  await c.send(new DeleteRetentionPolicyCommand({ logGroupName: '/ret' }));
  const g2 = (await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/ret' }))).logGroups![0];
  assert.equal(g2.retentionInDays, undefined);
});

test('tags: TagLogGroup/ListTagsLogGroup and TagResource/ListTagsForResource by ARN see the same tags', async () => {
  await c.send(new CreateLogGroupCommand({ logGroupName: '/tags', tags: { team: 'a' } }));
  await c.send(new TagLogGroupCommand({ logGroupName: '/tags', tags: { env: 'dev' } }));
  const arn = (await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/tags' }))).logGroups![0].logGroupArn!;
  await c.send(new TagResourceCommand({ resourceArn: arn, tags: { cost: '1' } }));
  assert.deepEqual((await c.send(new ListTagsLogGroupCommand({ logGroupName: '/tags' }))).tags, { team: 'a', env: 'dev', cost: '1' });
  await c.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
  assert.deepEqual((await c.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { env: 'dev', cost: '1' });
  await rejects(c.send(new ListTagsForResourceCommand({ resourceArn: arn + 'x' })), 'ResourceNotFoundException');
});

test('streams: order by name and by last event time, descending, paging, event timestamps', async () => {
  await c.send(new CreateLogGroupCommand({ logGroupName: '/streams' }));
  const t = await now();
  for (const [i, s] of ['b', 'a', 'c'].entries()) {
    await c.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: s }));
    await c.send(
      new PutLogEventsCommand({
        logGroupName: '/streams',
        logStreamName: s,
        logEvents: [
          { timestamp: t - 10_000 + i, message: s + '1' },
          { timestamp: t - 5000 + i * 10, message: s + '2' },
        ],
      }),
    );
  }
  await rejects(c.send(new CreateLogStreamCommand({ logGroupName: '/streams', logStreamName: 'a' })), 'ResourceAlreadyExistsException');
  const byName = await c.send(new DescribeLogStreamsCommand({ logGroupName: '/streams', limit: 2 }));
  assert.deepEqual(
    byName.logStreams?.map((s) => s.logStreamName),
    ['a', 'b'],
  );
  const rest = await c.send(new DescribeLogStreamsCommand({ logGroupName: '/streams', limit: 2, nextToken: byName.nextToken }));
  assert.deepEqual(
    rest.logStreams?.map((s) => s.logStreamName),
    ['c'],
  );
  const desc = await c.send(new DescribeLogStreamsCommand({ logGroupName: '/streams', descending: true }));
  assert.deepEqual(
    desc.logStreams?.map((s) => s.logStreamName),
    ['c', 'b', 'a'],
  );
  const byTime = await c.send(new DescribeLogStreamsCommand({ logGroupName: '/streams', orderBy: 'LastEventTime', descending: true }));
  assert.deepEqual(
    byTime.logStreams?.map((s) => s.logStreamName),
    ['c', 'a', 'b'],
  );
  const a = byTime.logStreams![1];
  assert.equal(a.firstEventTimestamp, t - 10_000 + 1);
  assert.equal(a.lastEventTimestamp, t - 5000 + 10);
  assert.ok(a.lastIngestionTime! >= t);
  assert.equal(a.storedBytes, 0);
  assert.match(a.arn!, /:log-group:\/streams:log-stream:a$/);
  await rejects(
    c.send(new DescribeLogStreamsCommand({ logGroupName: '/streams', orderBy: 'LastEventTime', logStreamNamePrefix: 'a' })),
    'InvalidParameterException',
  );
  await c.send(new DeleteLogStreamCommand({ logGroupName: '/streams', logStreamName: 'a' }));
  const f = await c.send(new FilterLogEventsCommand({ logGroupName: '/streams' }));
  assert.deepEqual(
    f.events?.map((e) => e.message),
    ['b1', 'c1', 'b2', 'c2'],
  );
  await rejects(
    c.send(new DeleteLogStreamCommand({ logGroupName: '/streams', logStreamName: 'a' })),
    'ResourceNotFoundException',
    400,
    (e) => assert.equal(e.message, 'The specified log stream does not exist.'),
  );
});

test('PutLogEvents batch rules: order, size, span, too new / too old / expired, unknown group or stream', async () => {
  await groupWithStream('/put');
  const t = await now();
  const put = (logEvents: { timestamp: number; message: string }[], logStreamName = 's1', logGroupName = '/put') =>
    c.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents, sequenceToken: 'ignored' }));
  await rejects(
    put([
      { timestamp: t, message: 'b' },
      { timestamp: t - 1, message: 'a' },
    ]),
    'InvalidParameterException',
    400,
    (e) => assert.equal(e.message, 'Log events in a single PutLogEvents request must be in chronological order.'),
  );
  // 4 events of 262,144 - 26 bytes fit exactly; one byte more does not
  const big = 'x'.repeat(262_144 - 26);
  await put([0, 1, 2, 3].map((i) => ({ timestamp: t + i, message: big })));
  await rejects(
    put([0, 1, 2, 3].map((i) => ({ timestamp: t + i, message: i === 3 ? big + 'y' : big }))),
    'InvalidParameterException',
    400,
    (e) => assert.match(String(e.message), /1048577 bytes exceeds limit of 1048576/),
  );
  await rejects(
    put([
      { timestamp: t - 86_400_001, message: 'a' },
      { timestamp: t, message: 'b' },
    ]),
    'InvalidParameterException',
    400,
    (e) => assert.match(String(e.message), /span more than 24 hours/),
  );
  await rejects(put([{ timestamp: t, message: 'a' }], 'nope'), 'ResourceNotFoundException', 400, (e) =>
    assert.equal(e.message, 'The specified log stream does not exist.'),
  );
  await rejects(put([{ timestamp: t, message: 'a' }], 's1', '/nope'), 'ResourceNotFoundException', 400, (e) =>
    assert.equal(e.message, 'The specified log group does not exist.'),
  );
  // the model's constraints are Logs' InvalidParameterException, as AWS answers them
  await rejects(put(Array.from({ length: 10_001 }, () => ({ timestamp: t, message: 'm' }))), 'InvalidParameterException', 400, (e) =>
    assert.match(
      String(e.message),
      /^1 validation error detected: .* at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000/,
    ),
  );
  await rejects(put([]), 'InvalidParameterException', 400, (e) => assert.match(String(e.message), /greater than or equal to 1/));
  await rejects(
    c.send(
      new PutLogEventsCommand({
        logGroupName: '/put',
        logStreamName: undefined as unknown as string,
        logEvents: [{ timestamp: t, message: 'x' }],
      }),
    ),
    'InvalidParameterException',
    400,
    (e) => assert.match(String(e.message), /Value null at 'logStreamName' failed to satisfy constraint: Member must not be null/),
  );
  await put(Array.from({ length: 10_000 }, (_, i) => ({ timestamp: t + i, message: 'm' })));
  await c.send(new CreateLogStreamCommand({ logGroupName: '/put', logStreamName: 'ages' }));
  const day = 86_400_000;
  await rejects(
    put(
      [
        { timestamp: t - 15 * day, message: 'x' },
        { timestamp: t, message: 'y' },
      ],
      'ages',
    ),
    'InvalidParameterException',
  );
  await c.send(new CreateLogStreamCommand({ logGroupName: '/put', logStreamName: 'ages2' }));
  const r2 = await put(
    [
      { timestamp: t - 14 * day - 2000, message: 'too old' },
      { timestamp: t - 14 * day + 60_000, message: 'ok' },
      { timestamp: t - 14 * day + 61_000, message: 'ok2' },
    ],
    'ages2',
  );
  assert.deepEqual(r2.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
  const r3 = await put(
    [
      { timestamp: t, message: 'now' },
      { timestamp: t + 3 * 3600_000, message: 'too new' },
    ],
    'ages2',
  );
  assert.deepEqual(r3.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
  await c.send(new PutRetentionPolicyCommand({ logGroupName: '/put', retentionInDays: 1 }));
  const r4 = await put(
    [
      { timestamp: t - day - 60_000, message: 'expired' },
      { timestamp: t - 120_000, message: 'kept' },
    ],
    'ages2',
  );
  assert.deepEqual(r4.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
  const got = await c.send(new GetLogEventsCommand({ logGroupName: '/put', logStreamName: 'ages2', startFromHead: true }));
  assert.deepEqual(
    got.events?.map((e) => e.message),
    ['kept', 'now'],
  );
});

test('GetLogEvents: head and tail, limit, forward and backward tokens, the same token at the end', async () => {
  await groupWithStream('/get');
  const t = await now();
  await c.send(
    new PutLogEventsCommand({
      logGroupName: '/get',
      logStreamName: 's1',
      logEvents: Array.from({ length: 10 }, (_, i) => ({ timestamp: t - 100 + i, message: `m${i}` })),
    }),
  );
  const head = await c.send(new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', startFromHead: true, limit: 4 }));
  assert.deepEqual(
    head.events?.map((e) => e.message),
    ['m0', 'm1', 'm2', 'm3'],
  );
  assert.match(head.nextForwardToken!, /^f\/\d{56}$/);
  assert.match(head.nextBackwardToken!, /^b\/\d{56}$/);
  const next = await c.send(
    new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', nextToken: head.nextForwardToken, limit: 4 }),
  );
  assert.deepEqual(
    next.events?.map((e) => e.message),
    ['m4', 'm5', 'm6', 'm7'],
  );
  const back = await c.send(
    new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', nextToken: next.nextBackwardToken, limit: 2 }),
  );
  assert.deepEqual(
    back.events?.map((e) => e.message),
    ['m2', 'm3'],
  );
  const tail = await c.send(new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', limit: 3 }));
  assert.deepEqual(
    tail.events?.map((e) => e.message),
    ['m7', 'm8', 'm9'],
  );
  const end = await c.send(new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', nextToken: tail.nextForwardToken }));
  assert.deepEqual(end.events, []);
  assert.equal(end.nextForwardToken, tail.nextForwardToken);
  const range = await c.send(
    new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', startTime: t - 98, endTime: t - 95, startFromHead: true }),
  );
  assert.deepEqual(
    range.events?.map((e) => e.message),
    ['m2', 'm3', 'm4'],
  );
  assert.equal(range.events?.[0].timestamp, t - 98);
  await rejects(
    c.send(new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', nextToken: 'garbage' })),
    'InvalidParameterException',
  );
  await c.send(new PutLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', logEvents: [{ timestamp: t, message: 'later' }] }));
  const more = await c.send(new GetLogEventsCommand({ logGroupName: '/get', logStreamName: 's1', nextToken: end.nextForwardToken }));
  assert.deepEqual(
    more.events?.map((e) => e.message),
    ['later'],
  );
});

test('FilterLogEvents: patterns, stream names and prefix, paging with nextToken, bad pattern', async () => {
  await c.send(new CreateLogGroupCommand({ logGroupName: '/filter' }));
  const t = await now();
  const streams: Record<string, string[]> = {
    'web-1': ['GET /a 200', 'ERROR db timeout', '{"level":"error","ms":150}'],
    'web-2': ['WARN slow', 'GET /b 500', '{"level":"error","ms":50}'],
    'job-1': ['ERROR job failed', 'INFO done'],
  };
  let i = 0;
  for (const [s, msgs] of Object.entries(streams)) {
    await c.send(new CreateLogStreamCommand({ logGroupName: '/filter', logStreamName: s }));
    await c.send(
      new PutLogEventsCommand({
        logGroupName: '/filter',
        logStreamName: s,
        logEvents: msgs.map((m) => ({ timestamp: t - 1000 + i++, message: m })),
      }),
    );
  }
  const f = async (extra: Record<string, unknown>) =>
    (await c.send(new FilterLogEventsCommand({ logGroupName: '/filter', ...extra }))).events!.map((e) => e.message);
  assert.deepEqual(await f({ filterPattern: 'ERROR' }), ['ERROR db timeout', 'ERROR job failed']);
  assert.deepEqual(await f({ filterPattern: '?WARN ?INFO' }), ['WARN slow', 'INFO done']);
  assert.deepEqual(await f({ filterPattern: 'ERROR -job' }), ['ERROR db timeout']);
  assert.deepEqual(await f({ filterPattern: '"db timeout"' }), ['ERROR db timeout']);
  assert.deepEqual(await f({ filterPattern: '{ $.level = "error" && $.ms > 100 }' }), ['{"level":"error","ms":150}']);
  assert.deepEqual(await f({ filterPattern: '[method, path, status = 5*]' }), ['GET /b 500']);
  assert.deepEqual(await f({ filterPattern: 'ERROR', logStreamNames: ['job-1', 'web-2'] }), ['ERROR job failed']);
  assert.deepEqual(await f({ logStreamNames: ['job-1', 'web-1'] }), [...streams['web-1'], ...streams['job-1']]);
  assert.deepEqual(await f({ logStreamNamePrefix: 'web-2' }), streams['web-2']);
  const all: string[] = [];
  let token: string | undefined;
  do {
    const r = await c.send(new FilterLogEventsCommand({ logGroupName: '/filter', limit: 3, nextToken: token }));
    assert.ok(r.events!.length <= 3);
    for (const e of r.events!) {
      assert.match(e.eventId!, /^\d+$/);
      all.push(e.message!);
    }
    token = r.nextToken;
  } while (token);
  assert.equal(all.length, 8);
  await rejects(
    c.send(new FilterLogEventsCommand({ logGroupName: '/filter', filterPattern: '{ $.level = ' })),
    'InvalidParameterException',
  );
  await rejects(c.send(new FilterLogEventsCommand({ logGroupName: '/nope' })), 'ResourceNotFoundException');
});

// The merge over named streams reads one store cursor per stream: a page that stops at its limit
// must close them all, or every later write fails ("database connection is busy") and a timer's
// write ends the process.
test('FilterLogEvents over named streams stopping at its limit leaves the store writable', async () => {
  await groupWithStream('/merge', 'a');
  await c.send(new CreateLogStreamCommand({ logGroupName: '/merge', logStreamName: 'b' }));
  const t = await now();
  for (const s of ['a', 'b'])
    await c.send(
      new PutLogEventsCommand({
        logGroupName: '/merge',
        logStreamName: s,
        logEvents: [0, 1, 2].map((k) => ({ timestamp: t - 1000 + k, message: `${s} ${k}` })),
      }),
    );
  const r = await c.send(new FilterLogEventsCommand({ logGroupName: '/merge', logStreamNames: ['a', 'b'], limit: 2 }));
  assert.equal(r.events!.length, 2);
  assert.ok(r.nextToken);
  await c.send(new PutLogEventsCommand({ logGroupName: '/merge', logStreamName: 'a', logEvents: [{ timestamp: t, message: 'after' }] }));
  await c.send(new CreateLogGroupCommand({ logGroupName: '/merge-after' }));
});

test('metric filters, subscription filters and TestMetricFilter', async () => {
  await groupWithStream('/mf');
  await c.send(
    new PutMetricFilterCommand({
      logGroupName: '/mf',
      filterName: 'errors',
      filterPattern: 'ERROR',
      metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', defaultValue: 0 }],
    }),
  );
  const mf = await c.send(new DescribeMetricFiltersCommand({ logGroupName: '/mf' }));
  assert.equal(mf.metricFilters?.[0].filterName, 'errors');
  assert.equal(mf.metricFilters?.[0].metricTransformations?.[0].metricName, 'Errors');
  const byMetric = await c.send(new DescribeMetricFiltersCommand({ metricName: 'Errors', metricNamespace: 'App' }));
  assert.equal(byMetric.metricFilters?.length, 1);
  const g = (await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/mf' }))).logGroups![0];
  assert.equal(g.metricFilterCount, 1);
  await rejects(
    c.send(
      new PutMetricFilterCommand({
        logGroupName: '/mf',
        filterName: 'bad',
        filterPattern: '{ $.x = ',
        metricTransformations: [{ metricName: 'X', metricNamespace: 'App', metricValue: '1' }],
      }),
    ),
    'InvalidParameterException',
  );
  await c.send(new DeleteMetricFilterCommand({ logGroupName: '/mf', filterName: 'errors' }));
  assert.deepEqual((await c.send(new DescribeMetricFiltersCommand({ logGroupName: '/mf' }))).metricFilters, []);

  await c.send(
    new PutSubscriptionFilterCommand({
      logGroupName: '/mf',
      filterName: 'to-kinesis',
      filterPattern: '',
      destinationArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
    }),
  );
  await c.send(
    new PutSubscriptionFilterCommand({
      logGroupName: '/mf',
      filterName: 'two',
      filterPattern: 'x',
      destinationArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
    }),
  );
  await rejects(
    c.send(
      new PutSubscriptionFilterCommand({
        logGroupName: '/mf',
        filterName: 'three',
        filterPattern: 'x',
        destinationArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
      }),
    ),
    'LimitExceededException',
  );
  const subs = await c.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/mf' }));
  assert.deepEqual(
    subs.subscriptionFilters?.map((s) => s.filterName),
    ['to-kinesis', 'two'],
  );
  assert.equal(subs.subscriptionFilters?.[0].distribution, 'ByLogStream');
  await c.send(new DeleteSubscriptionFilterCommand({ logGroupName: '/mf', filterName: 'two' }));
  await rejects(c.send(new DeleteSubscriptionFilterCommand({ logGroupName: '/mf', filterName: 'two' })), 'ResourceNotFoundException');

  const tm = await c.send(
    new TestMetricFilterCommand({
      filterPattern: '[ip, user, username, timestamp, request, status_code = 4*, bytes]',
      logEventMessages: [
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534',
        '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
      ],
    }),
  );
  assert.equal(tm.matches?.length, 1);
  assert.equal(tm.matches?.[0].eventNumber, 1);
  assert.equal(tm.matches?.[0].extractedValues?.$request, 'GET /apache_pb.gif HTTP/1.0');
  assert.equal(tm.matches?.[0].extractedValues?.$timestamp, '10/Oct/2000:13:25:15 -0700');
});
