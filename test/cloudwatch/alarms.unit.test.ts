// The pure parts of CloudWatch alarms: the composite AlarmRule language, the state decision (M of N,
// missing data treatments, reason texts) and dashboard body checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRule, evalRule, ruleAlarms, RuleError, alarmNameOf } from '../../src/services/cloudwatch/alarm-rule.js';
import { decide } from '../../src/services/cloudwatch/alarm-decide.js';
import { checkDashboardBody } from '../../src/services/cloudwatch/dashboards.js';

test('AlarmRule: states of alarms by name or ARN, AND/OR/NOT precedence, TRUE/FALSE, errors', () => {
  const states: Record<string, string> = { a: 'ALARM', b: 'OK', 'c d': 'INSUFFICIENT_DATA' };
  const ev = (r: string) => evalRule(parseRule(r), (x) => states[alarmNameOf(x)]);
  assert.equal(ev('ALARM(a)'), true);
  assert.equal(ev('ALARM("a") AND OK(b)'), true);
  assert.equal(ev('ALARM(b) OR OK(b) AND ALARM(b)'), false, 'AND binds tighter than OR');
  assert.equal(ev('(ALARM(b) OR OK(b)) AND ALARM(a)'), true);
  assert.equal(ev('NOT ALARM(b)'), true);
  assert.equal(ev('INSUFFICIENT_DATA("c d")'), true);
  assert.equal(ev('ALARM(arn:aws:cloudwatch:us-east-1:000000000000:alarm:a)'), true);
  assert.equal(ev('TRUE AND NOT FALSE'), true);
  assert.deepEqual([...ruleAlarms(parseRule('ALARM(a) OR (OK(b) AND NOT ALARM("c d"))'))], ['a', 'b', 'c d']);
  assert.throws(() => parseRule('ALARM(a) AND'), RuleError);
  assert.throws(() => parseRule('ALARM(a'), RuleError);
  assert.throws(() => parseRule('BROKEN(a)'), /Unexpected token BROKEN/);
  assert.throws(() => parseRule('ALARM()'), RuleError);
});

const p = (...vs: Array<number | undefined>) => vs.map((v, i) => ({ t: Date.UTC(2026, 0, 1, 0, i), v }));
const base = {
  threshold: 10,
  comparison: 'GreaterThanThreshold',
  datapointsToAlarm: 1,
  treatMissingData: 'missing',
  current: 'OK' as const,
};

test('alarm decisions: thresholds, M of N, missing data as missing, breaching, notBreaching, ignore', () => {
  assert.equal(decide({ ...base, periods: p(11) }).state, 'ALARM');
  assert.equal(decide({ ...base, periods: p(10) }).state, 'OK');
  assert.equal(decide({ ...base, comparison: 'GreaterThanOrEqualToThreshold', periods: p(10) }).state, 'ALARM');
  assert.equal(decide({ ...base, comparison: 'LessThanThreshold', periods: p(9) }).state, 'ALARM');
  assert.equal(decide({ ...base, comparison: 'LessThanOrEqualToThreshold', periods: p(11) }).state, 'OK');
  assert.equal(decide({ ...base, datapointsToAlarm: 2, periods: p(11, 5, 12) }).state, 'ALARM');
  assert.equal(decide({ ...base, datapointsToAlarm: 3, periods: p(11, 5, 12) }).state, 'OK');
  assert.equal(decide({ ...base, periods: p(undefined) }).state, 'INSUFFICIENT_DATA');
  assert.equal(decide({ ...base, periods: p(undefined) }).reason, 'Insufficient Data: 1 datapoint was unknown.');
  assert.equal(decide({ ...base, treatMissingData: 'breaching', periods: p(undefined) }).state, 'ALARM');
  assert.equal(decide({ ...base, treatMissingData: 'notBreaching', periods: p(undefined) }).state, 'OK');
  assert.equal(decide({ ...base, treatMissingData: 'ignore', current: 'ALARM', periods: p(undefined, undefined) }).state, 'ALARM');
  assert.equal(decide({ ...base, treatMissingData: 'breaching', datapointsToAlarm: 2, periods: p(11, undefined, 3) }).state, 'ALARM');
  assert.equal(
    decide({ ...base, periods: p(12.5) }).reason,
    'Threshold Crossed: 1 datapoint [12.5 (01/01/26 00:00:00)] was greater than the threshold (10.0).',
  );
  assert.match(
    decide({ ...base, datapointsToAlarm: 2, periods: p(11, 12, 1) }).reason,
    /^Threshold Crossed: 2 out of the last 3 datapoints \[1\.0 \(01\/01\/26 00:02:00\), 12\.0/,
  );
});

test('dashboard bodies: JSON, widgets, types, properties, positions', () => {
  assert.deepEqual(checkDashboardBody('{"widgets":[{"type":"metric","properties":{"metrics":[["A","B"]]}}]}'), []);
  assert.equal(checkDashboardBody('{nope').length, 1);
  assert.deepEqual(checkDashboardBody('[]'), [{ DataPath: '', Message: 'Should be object' }]);
  assert.deepEqual(checkDashboardBody('{}'), [{ DataPath: '', Message: "Should have required property 'widgets'" }]);
  assert.deepEqual(checkDashboardBody('{"widgets":[{"type":"text","properties":{},"x":-1}]}'), [
    { DataPath: '/widgets/0/properties', Message: "Should have required property 'markdown'" },
    { DataPath: '/widgets/0/x', Message: 'Should be integer >= 0' },
  ]);
});
