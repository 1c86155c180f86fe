// The filter pattern language as a pure module, cases after the AWS "Filter pattern syntax" docs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePattern, splitFields, PatternError } from '../../src/services/logs/pattern.js';

const hits = (pattern: string, messages: string[]) => messages.filter((m) => compilePattern(pattern)(m) !== null);

test('terms: all must appear, case-sensitive substrings; empty pattern matches all', () => {
  const msgs = ['[ERROR] A fatal exception has occurred', 'Exiting with ERRORCODE: -1', '[WARN] low disk', 'error lower case', '[INFO] ok'];
  assert.deepEqual(hits('ERROR', msgs), msgs.slice(0, 2));
  assert.deepEqual(hits('ERROR exception', msgs), [msgs[0]]);
  assert.deepEqual(hits('', msgs), msgs);
  assert.deepEqual(hits('  ', msgs), msgs);
});

test('quoted phrases, - exclusions and ? alternatives', () => {
  const msgs = ['[ERROR] Unknown exception', 'ERROR: invalid request', '[WARN] retry', '[INFO] fine'];
  assert.deepEqual(hits('"Unknown exception"', msgs), [msgs[0]]);
  assert.deepEqual(hits('ERROR -exception', msgs), [msgs[1]]);
  assert.deepEqual(hits('?WARN ?INFO', msgs), msgs.slice(2));
  assert.deepEqual(hits('?"invalid request" ?retry', msgs), [msgs[1], msgs[2]]);
  assert.deepEqual(hits('-"[ERROR]"', msgs), msgs.slice(1));
  assert.deepEqual(hits('%ERR.R:%', msgs), [msgs[1]]);
});

test('JSON patterns: =, !=, <, >, wildcards, &&, ||, parentheses', () => {
  const msgs = [
    '{"eventType":"UpdateTrail","latency":50,"user":{"id":1,"name":"alice"},"level":"error"}',
    '{"eventType":"CreateTrail","latency":150,"user":{"id":2,"name":"bob"},"level":"info"}',
    '{"eventType":"DeleteTrail","latency":250,"level":"error","tags":["a","b"]}',
    'not json at all',
  ];
  assert.deepEqual(hits('{ $.eventType = "UpdateTrail" }', msgs), [msgs[0]]);
  assert.deepEqual(hits('{ $.eventType = UpdateTrail }', msgs), [msgs[0]]);
  assert.deepEqual(hits('{ $.eventType != "UpdateTrail" }', msgs), [msgs[1], msgs[2]]);
  assert.deepEqual(hits('{ $.latency > 100 }', msgs), [msgs[1], msgs[2]]);
  assert.deepEqual(hits('{ $.latency <= 150 }', msgs), [msgs[0], msgs[1]]);
  assert.deepEqual(hits('{ $.level = "error" && $.latency > 100 }', msgs), [msgs[2]]);
  assert.deepEqual(hits('{ ($.user.id = 2) || ($.latency < 60) }', msgs), [msgs[0], msgs[1]]);
  assert.deepEqual(hits('{ $.eventType = "*Trail" && $.user.name = "a*" }', msgs), [msgs[0]]);
  assert.deepEqual(hits('{ $.tags[1] = "b" }', msgs), [msgs[2]]);
  assert.deepEqual(hits('{ $.user NOT EXISTS }', msgs), [msgs[2]]);
});

test('JSON patterns: IS NULL, IS TRUE/FALSE, and missing fields never compare', () => {
  const msgs = ['{"a":null,"ok":true}', '{"a":1,"ok":false}', '{"b":2}'];
  assert.deepEqual(hits('{ $.a IS NULL }', msgs), [msgs[0]]);
  assert.deepEqual(hits('{ $.ok IS TRUE }', msgs), [msgs[0]]);
  assert.deepEqual(hits('{ $.ok IS FALSE }', msgs), [msgs[1]]);
  assert.deepEqual(hits('{ $.a != 5 }', msgs), [msgs[1]]);
  assert.deepEqual(hits('{ $.a NOT EXISTS }', msgs), [msgs[2]]);
});

test('space-delimited: fields, quoted and bracketed runs, conditions, wildcards, ellipsis, extracted values', () => {
  const line = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534';
  assert.deepEqual(splitFields(line), [
    '127.0.0.1',
    '-',
    'frank',
    '10/Oct/2000:13:25:15 -0700',
    'GET /apache_pb.gif HTTP/1.0',
    '404',
    '1534',
  ]);
  const m = compilePattern('[ip, user, username, timestamp, request = "*gif*", status_code = 4*, bytes > 1000]')(line);
  assert.deepEqual(m, {
    $ip: '127.0.0.1',
    $user: '-',
    $username: 'frank',
    $timestamp: '10/Oct/2000:13:25:15 -0700',
    $request: 'GET /apache_pb.gif HTTP/1.0',
    $status_code: '404',
    $bytes: '1534',
  });
  assert.equal(compilePattern('[ip, user, username, timestamp, request, status_code = 5*, bytes]')(line), null);
  assert.equal(compilePattern('[ip, user]')(line), null, 'the field count must match without an ellipsis');
  assert.ok(compilePattern('[..., status = 404, size]')(line));
  assert.ok(compilePattern('[ip = 127.0.0.*, ...]')(line));
  assert.ok(compilePattern('[ip, ..., status = 404 || status = 200, size]')(line));
  assert.equal(compilePattern('[ip, ..., status != 404, size]')(line), null);
});

test('bad patterns throw PatternError', () => {
  for (const p of [
    '{ $.level = ',
    '{ $.a = 1',
    '[a, b',
    '{ level = 1 }',
    '"unterminated',
    '{ $.a > "x" }',
    '[a, , b]',
    '{ $.a IS MAYBE }',
  ]) {
    assert.throws(() => compilePattern(p), PatternError, p);
  }
});
