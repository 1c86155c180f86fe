// The kit's schedule expressions: at(), rate() and cron() in IANA time zones, and what AWS refuses,
// as Scheduler reads them (with at() and a time zone) and as EventBridge rules do (UTC, no at()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScheduleExpression, ScheduleExpressionError as ExpressionError, zonedToUtc } from '../../src/kit/schedule.js';

/** Scheduler's reading: at() accepted, in the schedule's time zone. */
const parseExpression = (expr: string, timeZone = 'UTC', anchorMs = 0) => parseScheduleExpression(expr, { timeZone, anchorMs, at: true });

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const at = (s: string) => Date.parse(s);

test("at() is a wall-clock time in the schedule's time zone, fired once", () => {
  const s = parseExpression('at(2027-01-15T09:30:00)', 'Europe/Paris');
  assert.equal(iso(s.next(at('2027-01-01T00:00:00Z'))), '2027-01-15T08:30:00.000Z');
  assert.equal(s.next(at('2027-01-15T08:30:00Z')), undefined);
  assert.equal(iso(parseExpression('at(2027-07-15T09:30:00)', 'America/New_York').next(0)), '2027-07-15T13:30:00.000Z');
  assert.equal(iso(parseExpression('at(2027-07-15T09:30:00)').next(0)), '2027-07-15T09:30:00.000Z');
});

test('rate() counts from its anchor; 1 takes the singular unit', () => {
  const anchor = at('2027-01-01T00:00:00Z');
  const s = parseExpression('rate(5 minutes)', 'UTC', anchor);
  assert.equal(iso(s.next(anchor - 1)), '2027-01-01T00:00:00.000Z');
  assert.equal(iso(s.next(anchor)), '2027-01-01T00:05:00.000Z');
  assert.equal(iso(s.next(anchor + 7 * 60_000)), '2027-01-01T00:10:00.000Z');
  assert.ok(parseExpression('rate(1 hour)'));
  assert.throws(() => parseExpression('rate(1 hours)'), ExpressionError);
  assert.throws(() => parseExpression('rate(5 minute)'), ExpressionError);
  assert.throws(() => parseExpression('rate(0 minutes)'), ExpressionError);
  assert.throws(() => parseExpression('rate(5 seconds)'), ExpressionError);
});

test('cron() in a time zone follows its daylight-saving changes', () => {
  const s = parseExpression('cron(0 9 * * ? *)', 'America/New_York');
  assert.equal(iso(s.next(at('2027-03-01T00:00:00Z'))), '2027-03-01T14:00:00.000Z'); // EST
  assert.equal(iso(s.next(at('2027-03-20T00:00:00Z'))), '2027-03-20T13:00:00.000Z'); // EDT
});

test('cron(): AWS day numbers (1 = Sunday), names, L, #, W and years', () => {
  const from = at('2027-01-01T00:00:00Z'); // a Friday
  assert.equal(iso(parseExpression('cron(0 12 ? * 1 *)').next(from)), '2027-01-03T12:00:00.000Z'); // Sunday
  assert.equal(iso(parseExpression('cron(0 12 ? * MON-FRI *)').next(from)), '2027-01-01T12:00:00.000Z');
  assert.equal(iso(parseExpression('cron(0 0 L * ? *)').next(from)), '2027-01-31T00:00:00.000Z');
  assert.equal(iso(parseExpression('cron(0 0 ? * 2#1 *)').next(from)), '2027-01-04T00:00:00.000Z'); // first Monday
  assert.equal(iso(parseExpression('cron(0 0 16W * ? *)').next(from)), '2027-01-15T00:00:00.000Z'); // 16th is a Saturday
  assert.equal(iso(parseExpression('cron(0 0 1 1 ? 2029)').next(from)), '2029-01-01T00:00:00.000Z');
  assert.equal(parseExpression('cron(0 0 1 1 ? 2020)').next(from), undefined);
});

test('cron() refusals: field counts, both or neither ?, ranges, bad names', () => {
  for (const bad of [
    'cron(0 12 * * ?)',
    'cron(0 12 * * * *)',
    'cron(0 12 ? * ? *)',
    'cron(60 12 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 12 32 * ? *)',
    'cron(0 12 ? * 8 *)',
    'cron(0 12 ? FOO * *)',
    'cron(0 12 * * ? 1969)',
    'at(2027-02-30T00:00:00)',
    'at(2027-01-01 00:00:00)',
    'every 5 minutes',
    '',
  ]) {
    assert.throws(() => parseExpression(bad), ExpressionError, bad);
  }
  assert.throws(() => parseExpression('rate(5 minutes)', 'Mars/Olympus'), ExpressionError);
});

test('zonedToUtc maps wall-clock times both sides of an offset change', () => {
  assert.equal(new Date(zonedToUtc(2027, 11, 7, 12, 0, 0, 'America/New_York')).toISOString(), '2027-11-07T17:00:00.000Z');
  assert.equal(new Date(zonedToUtc(2027, 1, 1, 0, 0, 0, 'Asia/Kolkata')).toISOString(), '2026-12-31T18:30:00.000Z');
});

test("EventBridge rules' reading: no at(), UTC; a refusal throws the caller's own error", () => {
  class RuleError extends Error {}
  const invalid = () => new RuleError('Parameter ScheduleExpression is not valid.');
  assert.throws(
    () => parseScheduleExpression('at(2027-01-15T09:30:00)', { invalid }),
    (e: Error) => e instanceof RuleError && e.message === 'Parameter ScheduleExpression is not valid.',
  );
  assert.throws(() => parseScheduleExpression('at(2027-01-15T09:30:00)'), ExpressionError);
  assert.throws(() => parseScheduleExpression('cron(0 12 * * * *)', { invalid }), RuleError);
  const from = at('2027-01-01T00:00:00Z');
  assert.equal(iso(parseScheduleExpression('cron(0 9 * * ? *)').next(from)), '2027-01-01T09:00:00.000Z');
  assert.equal(parseScheduleExpression('cron(0 9 * * ? *)').kind, 'cron');
  // a rule's rate counts from when it was put
  assert.equal(iso(parseScheduleExpression('rate(1 hour)', { anchorMs: from }).next(from + 1)), '2027-01-01T01:00:00.000Z');
});

test("a refusal of the caller's own kind leaves other errors alone; an unknown time zone is refused", () => {
  assert.throws(
    () => parseScheduleExpression('rate(5 minutes)', { timeZone: 'Mars/Olympus', invalid: (why) => new Error(`refused: ${why}`) }),
    /refused: Invalid time zone Mars\/Olympus/,
  );
});
