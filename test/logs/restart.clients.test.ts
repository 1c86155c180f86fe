// CloudWatch Logs state survives a kill -9: groups, streams, events (both indexes), retention,
// subscription filters, and a query started before the kill.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  GetLogEventsCommand,
  FilterLogEventsCommand,
  PutRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  StartQueryCommand,
  GetQueryResultsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { spawnServer, clientConfig } from '../helpers.js';

test('logs: acknowledged events, streams and queries survive kill -9', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-logs-'));
  const start = () => spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  let s = await start();
  try {
    let c = new CloudWatchLogsClient(clientConfig(s.url));
    await c.send(new CreateLogGroupCommand({ logGroupName: '/persist' }));
    await c.send(new PutRetentionPolicyCommand({ logGroupName: '/persist', retentionInDays: 7 }));
    await c.send(new CreateLogStreamCommand({ logGroupName: '/persist', logStreamName: 'a' }));
    const t = Date.now() - 1000;
    await c.send(
      new PutLogEventsCommand({
        logGroupName: '/persist',
        logStreamName: 'a',
        logEvents: [
          { timestamp: t, message: 'one' },
          { timestamp: t + 1, message: 'two' },
        ],
      }),
    );
    const { queryId } = await c.send(
      new StartQueryCommand({
        logGroupName: '/persist',
        startTime: Math.floor(t / 1000) - 1,
        endTime: Math.floor(t / 1000) + 10,
        queryString: 'stats count(*) as n',
      }),
    );
    await s.kill9();
    s = await start();
    c = new CloudWatchLogsClient(clientConfig(s.url));
    const g = (await c.send(new DescribeLogGroupsCommand({}))).logGroups!;
    assert.equal(g[0].retentionInDays, 7);
    assert.equal(g[0].storedBytes, 3 + 3 + 2 * 26);
    const st = (await c.send(new DescribeLogStreamsCommand({ logGroupName: '/persist' }))).logStreams!;
    assert.equal(st[0].lastEventTimestamp, t + 1);
    const ev = await c.send(new GetLogEventsCommand({ logGroupName: '/persist', logStreamName: 'a', startFromHead: true }));
    assert.deepEqual(
      ev.events?.map((e) => e.message),
      ['one', 'two'],
    );
    await c.send(
      new PutLogEventsCommand({ logGroupName: '/persist', logStreamName: 'a', logEvents: [{ timestamp: t + 2, message: 'three' }] }),
    );
    const f = await c.send(new FilterLogEventsCommand({ logGroupName: '/persist' }));
    assert.deepEqual(
      f.events?.map((e) => e.message),
      ['one', 'two', 'three'],
    );
    assert.equal(new Set(f.events?.map((e) => e.eventId)).size, 3, 'event ids stay unique after the restart');
    const r = await c.send(new GetQueryResultsCommand({ queryId }));
    assert.equal(r.status, 'Complete');
    assert.deepEqual(r.results, [[{ field: 'n', value: '3' }]]);
  } finally {
    await s.stop();
  }
});
