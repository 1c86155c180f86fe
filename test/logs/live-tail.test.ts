// StartLiveTail through the SDK v3's event stream: sessionStart, then the new events of the followed
// groups as sessionUpdate (streams, prefixes and the filter pattern applied), errors before the
// stream, and SessionTimeoutException after 3 hours of virtual time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  StartLiveTailCommand,
  type StartLiveTailResponseStream,
  type LiveTailSessionLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { serverForFile, clientConfig, rejects, advanceClock } from '../helpers.js';

const server = serverForFile();
// StartLiveTail's endpoint has the host prefix `stream-`, which a local endpoint cannot carry
const logs = () => new CloudWatchLogsClient(clientConfig(server.url, { disableHostPrefix: true }));

async function put(c: CloudWatchLogsClient, group: string, stream: string, ...messages: string[]) {
  const ts = Date.now();
  await c.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: stream,
      logEvents: messages.map((message) => ({ timestamp: ts, message })),
    }),
  );
}

/** Reads updates until `want` events came (heartbeats, empty, are skipped). */
async function take(it: AsyncIterator<StartLiveTailResponseStream>, want: number): Promise<LiveTailSessionLogEvent[]> {
  const got: LiveTailSessionLogEvent[] = [];
  while (got.length < want) {
    const n = await it.next();
    assert.equal(n.done, false);
    got.push(...(n.value.sessionUpdate?.sessionResults ?? []));
  }
  return got;
}

test('a live tail session starts, then carries the new matching events of its group as they are put', async () => {
  const c = logs();
  await c.send(new CreateLogGroupCommand({ logGroupName: '/tail/app' }));
  for (const s of ['web-1', 'web-2', 'worker']) await c.send(new CreateLogStreamCommand({ logGroupName: '/tail/app', logStreamName: s }));
  await put(c, '/tail/app', 'web-1', 'ERROR before the session');
  const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/tail/app';
  const r = await c.send(
    new StartLiveTailCommand({ logGroupIdentifiers: [arn], logStreamNamePrefixes: ['web-'], logEventFilterPattern: 'ERROR' }),
  );
  const it = r.responseStream![Symbol.asyncIterator]();
  const first = await it.next();
  assert.equal(first.value.sessionStart?.logGroupIdentifiers?.[0], arn);
  assert.deepEqual(first.value.sessionStart?.logStreamNamePrefixes, ['web-']);
  assert.equal(first.value.sessionStart?.logEventFilterPattern, 'ERROR');
  assert.match(first.value.sessionStart?.sessionId ?? '', /^[0-9a-f-]{36}$/);

  await put(c, '/tail/app', 'web-1', 'ERROR one', 'INFO skipped');
  await put(c, '/tail/app', 'worker', 'ERROR other stream');
  await put(c, '/tail/app', 'web-2', 'ERROR two');
  const events = await take(it, 2);
  assert.deepEqual(
    events.map((e) => [e.logStreamName, e.message]),
    [
      ['web-1', 'ERROR one'],
      ['web-2', 'ERROR two'],
    ],
  );
  assert.equal(events[0].logGroupIdentifier, arn);
  assert.equal(typeof events[0].timestamp, 'number');
  assert.equal(typeof events[0].ingestionTime, 'number');
  await it.return?.();
});

test('a session ends with SessionTimeoutException after 3 hours', async () => {
  const c = logs();
  await c.send(new CreateLogGroupCommand({ logGroupName: '/tail/short' }));
  const r = await c.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/short'] }));
  const it = r.responseStream![Symbol.asyncIterator]();
  assert.ok((await it.next()).value.sessionStart);
  await advanceClock(server.url, '3h');
  await assert.rejects(
    async () => {
      for (let n = await it.next(); !n.done; n = await it.next()) assert.ok(n.value.sessionUpdate);
    },
    (e: Error) => e.name === 'SessionTimeoutException',
  );
});

test('StartLiveTail refuses unknown groups and mixed stream filters before streaming', async () => {
  const c = logs();
  await rejects(c.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/none'] })), 'ResourceNotFoundException');
  await rejects(
    c.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/app'], logStreamNames: ['a'], logStreamNamePrefixes: ['b'] })),
    'InvalidParameterException',
  );
  await rejects(c.send(new StartLiveTailCommand({ logGroupIdentifiers: [] })), 'InvalidParameterException');
});
