// Logs Insights parser and evaluator as pure modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, QueryError } from '../../src/services/logs/insights-parse.js';
import { checkQuery, runQuery, sortCompare, type QueryEvent } from '../../src/services/logs/insights-eval.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const ev = (i: number, message: string, stream = 's1'): QueryEvent => ({
  timestamp: T0 + i * 60_000,
  message,
  stream,
  group: '/g',
  account: '000000000000',
  ingestion: T0 + i * 60_000,
  id: `p${i}`,
});
const events = [
  ev(0, '{"level":"error","ms":120,"path":"/a"}'),
  ev(1, '{"level":"info","ms":20,"path":"/a"}'),
  ev(2, '{"level":"error","ms":300,"path":"/b"}', 's2'),
  ev(7, 'user=alice action=login took 15ms'),
  ev(8, 'user=bob action=logout took 7ms', 's2'),
];
function q(query: string) {
  const cmds = parseQuery(query);
  checkQuery(cmds);
  return runQuery(cmds, events).rows.map((r) => Object.fromEntries(r.map((f) => [f.field, f.value])));
}

test('fields, filter with comparisons and and/or/not, sort and limit', () => {
  assert.deepEqual(q('fields @timestamp, ms | filter level = "error" and ms > 100 | sort ms desc'), [
    { '@timestamp': '2024-01-01 12:02:00.000', ms: '300', '@ptr': 'p2' },
    { '@timestamp': '2024-01-01 12:00:00.000', ms: '120', '@ptr': 'p0' },
  ]);
  assert.deepEqual(
    q('fields path | filter not (level = "info") and ispresent(path) | limit 1').map((r) => r.path),
    ['/a'],
  );
  assert.deepEqual(
    q('filter level = "info" or ms >= 300 | fields ms').map((r) => r.ms),
    ['20', '300'],
  );
  assert.deepEqual(q('fields @logStream | filter @logStream in ["s2"]').length, 2);
});

test('like with substrings and regexes, =~', () => {
  assert.equal(q('filter @message like /action=log(in|out)/').length, 2);
  assert.equal(q('filter @message like "alice"').length, 1);
  assert.equal(q('filter @message not like /error/').length, 3);
  assert.equal(q('filter @message =~ /bob/').length, 1);
});

test('parse with a glob and with named regex groups', () => {
  assert.deepEqual(
    q(
      'parse @message "user=* action=* took *ms" as user, action, took | filter ispresent(user) | fields user, action, took | sort took asc',
    ),
    [
      { user: 'bob', action: 'logout', took: '7', '@ptr': 'p8' },
      { user: 'alice', action: 'login', took: '15', '@ptr': 'p7' },
    ],
  );
  assert.deepEqual(
    q('parse @message /user=(?<who>\\w+)/ | filter ispresent(who) | display who').map((r) => r.who),
    ['alice', 'bob'],
  );
});

test('stats count/sum/avg/min/max by field and by bin(5m)', () => {
  assert.deepEqual(q('filter ispresent(level) | stats count(*) as n, sum(ms) as total, avg(ms), min(ms), max(ms) by level | sort level'), [
    { level: 'error', n: '2', total: '420', 'avg(ms)': '210', 'min(ms)': '120', 'max(ms)': '300' },
    { level: 'info', n: '1', total: '20', 'avg(ms)': '20', 'min(ms)': '20', 'max(ms)': '20' },
  ]);
  assert.deepEqual(q('stats count(*) by bin(5m)'), [
    { 'bin(5m)': '2024-01-01 12:05:00.000', 'count(*)': '2' },
    { 'bin(5m)': '2024-01-01 12:00:00.000', 'count(*)': '3' },
  ]);
  assert.deepEqual(q('filter level = "nope" | stats count(*) as n'), [{ n: '0' }]);
});

test('default fields are @timestamp, @message, @logStream and @log; JSON fields are found by dotted name', () => {
  const rows = q('limit 1');
  assert.deepEqual(Object.keys(rows[0]), ['@timestamp', '@message', '@logStream', '@log', '@ptr']);
  assert.equal(rows[0]['@log'], '000000000000:/g');
  const nested = runQuery(parseQuery('fields a.b, constructor, __proto__'), [ev(0, '{"a":{"b":[1,2]},"constructor":"c"}')]).rows[0];
  assert.deepEqual(nested, [
    { field: 'constructor', value: 'c' },
    { field: '@ptr', value: 'p0' },
  ]);
  const arr = runQuery(parseQuery('fields a.b.1'), [ev(0, '{"a":{"b":[1,2]}}')]).rows[0];
  assert.deepEqual(arr[0], { field: 'a.b.1', value: '2' });
});

test('malformed queries throw QueryError with a position', () => {
  for (const bad of [
    'fields',
    'filter',
    'filter x = ',
    'sort by',
    'stats count(*) by',
    'limit 0',
    'limit x',
    'frobnicate x',
    'fields a |',
    'filter (a = 1',
    'parse @message "a * b *" as x',
    'filter x like',
    'fields nosuch(x)',
    'fields count(*)',
    'filter x like /[/',
  ]) {
    assert.throws(() => checkQuery(parseQuery(bad)), QueryError, bad);
  }
  try {
    parseQuery('fields a | bogus');
  } catch (e) {
    assert.ok(e instanceof QueryError);
    assert.equal(e.start, 11);
  }
});

test('sort order is the documented natural sort: non-numbers first, digit runs by length, numbers last', () => {
  const documented = ['!:', '#', '*%04', '0#', '5A', '111A', '2345_', '@', '@_', 'A', 'A9876fghj', 'a12345hfh', '0', '2', '3'];
  const shuffled = [...documented].reverse().sort(() => 0);
  for (let i = 0; i < shuffled.length; i += 2)
    [shuffled[i], shuffled[shuffled.length - 1 - i]] = [shuffled[shuffled.length - 1 - i], shuffled[i]];
  assert.deepEqual([...shuffled].sort(sortCompare), documented);
});
