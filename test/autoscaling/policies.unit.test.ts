// Scaling adjustments and ELB's action and condition checks as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjusted } from '../../src/services/autoscaling/policies.js';
import { actionTargetGroups, checkActions, checkConditions } from '../../src/services/elbv2/actions.js';

test('adjustments: change, exact, percent rounded toward zero with at least one and a minimum magnitude', () => {
  assert.equal(adjusted(4, 'ChangeInCapacity', -3), 1);
  assert.equal(adjusted(4, 'ExactCapacity', 7), 7);
  assert.equal(adjusted(10, 'PercentChangeInCapacity', 25), 12);
  assert.equal(adjusted(10, 'PercentChangeInCapacity', -25), 8);
  assert.equal(adjusted(2, 'PercentChangeInCapacity', 10), 3, 'a change below one instance is one');
  assert.equal(adjusted(10, 'PercentChangeInCapacity', 10, 3), 13);
});

test('actions: forward gets its ForwardConfig; fixed-response and redirect codes are checked; unknown groups refused', () => {
  const known = (arn: string) => {
    if (arn !== 'tg-1') throw new Error(`TargetGroupNotFound ${arn}`);
  };
  const [fwd] = checkActions([{ Type: 'forward', TargetGroupArn: 'tg-1' }], known);
  assert.deepEqual(fwd.ForwardConfig, {
    TargetGroups: [{ TargetGroupArn: 'tg-1', Weight: 1 }],
    TargetGroupStickinessConfig: { Enabled: false },
  });
  assert.deepEqual(actionTargetGroups([fwd]), ['tg-1']);
  assert.throws(() => checkActions([{ Type: 'forward', TargetGroupArn: 'tg-2' }], known), /TargetGroupNotFound/);
  assert.throws(() => checkActions([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }], known), /2XX, 4XX or 5XX/);
  assert.throws(() => checkActions([{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_307' as 'HTTP_301' } }], known), /HTTP_301/);
  assert.throws(() => checkActions([], known), /At least one action/);
  const [redirect] = checkActions(
    [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    known,
  );
  assert.equal(redirect.RedirectConfig!.Host, '#{host}');
});

test('conditions: path-pattern and host-header answer both Values and their config; unknown fields refused', () => {
  const [c] = checkConditions([{ Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com'] } }]);
  assert.deepEqual(c, { Field: 'host-header', Values: ['a.example.com'], HostHeaderConfig: { Values: ['a.example.com'] } });
  assert.throws(() => checkConditions([{ Field: 'colour', Values: ['red'] }]), /Condition field 'colour' is not valid/);
  assert.throws(() => checkConditions([{ Field: 'path-pattern', Values: [] }]), /A condition value must be specified/);
});

test('target tracking: out to ceil(capacity × metric / target), counting warming instances once; in outside the warmup unless disabled', async () => {
  const { alarmTarget } = await import('../../src/services/autoscaling/policies.js');
  const g = { min: 1, max: 10, desired: 2, cooldown: 300 } as Parameters<typeof alarmTarget>[1];
  const p = { type: 'TargetTrackingScaling', targetTracking: { TargetValue: 50 }, warmup: 100 } as Parameters<typeof alarmTarget>[0];
  const high = { alarm: 'h', state: 'ALARM', value: 90 };
  assert.equal(alarmTarget(p, g, high, 0), 4);
  assert.equal(alarmTarget(p, { ...g, max: 3 }, high, 0), 3);
  assert.equal(
    alarmTarget({ ...p, last: { at: 0, from: 1, to: 2 } }, g, high, 50_000),
    undefined,
    'within the warmup the 2 came from 1: ceil(1.8) adds nothing',
  );
  assert.equal(alarmTarget({ ...p, last: { at: 0, from: 1, to: 2 } }, g, high, 100_000), 4);
  const low = { alarm: 'l', state: 'ALARM', value: 10 };
  assert.equal(alarmTarget(p, { ...g, desired: 8 }, low, 0), 2);
  assert.equal(alarmTarget(p, { ...g, desired: 8, min: 3 }, low, 0), 3);
  assert.equal(alarmTarget({ ...p, targetTracking: { TargetValue: 50, DisableScaleIn: true } }, { ...g, desired: 8 }, low, 0), undefined);
  assert.equal(alarmTarget({ ...p, last: { at: 0, from: 4, to: 8 } }, { ...g, desired: 8 }, low, 50_000), undefined);
  assert.equal(alarmTarget(p, g, { ...high, state: 'OK' }, 0), undefined);
});
