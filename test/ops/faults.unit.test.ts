// Fault matching, rates, expiry and status history (Faults with a fake clock and dice); the request
// log's ring and filters; the timeline; the region list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInputError, matches, namesZone, parseFault, serviceStatus, severity, zoneStatus, type Fault } from '../../src/ops/faults.js';
import { Faults } from '../../src/ops/fault-store.js';
import { faultError } from '../../src/ops/fault-errors.js';
import { RequestLog, statusTest } from '../../src/ops/requests.js';
import { Timeline } from '../../src/ops/timeline.js';
import { REGIONS, availabilityZone, availabilityZones, regionInfo } from '../../src/ops/regions.js';
import { ServiceError } from '../../src/services/errors.js';
import type { CallRecord } from '../../src/pipeline.js';

const served = new Map<string, string[]>([
  ['s3', ['GetObject', 'PutObject', 'ListBuckets']],
  ['sqs', ['SendMessage', 'ReceiveMessage']],
]);
const fault = (body: Record<string, unknown>, now = 1000) => parseFault(body, served, 'f1', now);
const call = (over: Partial<{ service: string; operation: string; region: string; input: unknown }> = {}) => ({
  service: 's3',
  operation: 'GetObject',
  region: 'us-east-1',
  input: {},
  ...over,
});

test('a fault matches by service, operation, region; * matches every service', () => {
  const f = fault({ service: 's3', operations: ['GetObject'], region: 'us-east-1', effect: 'error' });
  assert.equal(matches(f, call()), true);
  assert.equal(matches(f, call({ operation: 'PutObject' })), false);
  assert.equal(matches(f, call({ region: 'eu-west-1' })), false);
  assert.equal(matches(f, call({ service: 'sqs', operation: 'GetObject' })), false);
  const any = fault({ service: '*', effect: 'error' });
  assert.equal(matches(any, call({ service: 'sqs', operation: 'SendMessage', region: 'ap-south-1' })), true);
});

test('a zone fault matches calls whose input names the zone by name or id, at depth', () => {
  const f = fault({ service: 's3', availabilityZone: 'us-east-1b', effect: 'unavailable' });
  assert.equal(f.region, 'us-east-1');
  assert.equal(f.zone!.zoneId, 'use1-az2');
  assert.equal(matches(f, call({ input: { Placement: { AvailabilityZone: 'us-east-1b' } } })), true);
  assert.equal(matches(f, call({ input: { Subnets: [{ AvailabilityZoneId: 'use1-az2' }] } })), true);
  assert.equal(matches(f, call({ input: { Placement: { AvailabilityZone: 'us-east-1a' } } })), false);
  assert.equal(matches(f, call({ input: {} })), false);
  assert.equal(namesZone(Buffer.from('us-east-1b'), f.zone!), false);
  assert.equal(namesZone({ a: { b: { c: { d: { e: { f: { g: 'us-east-1b' } } } } } } }, f.zone!), false, 'too deep');
});

test('parseFault refuses what it cannot honour', () => {
  const bad: Record<string, unknown>[] = [
    {},
    { service: 's3' },
    { service: 'ec9', effect: 'error' },
    { service: 's3', effect: 'error', operations: 'GetObject' },
    { service: 's3', effect: 'error', operations: ['SendMessage'] },
    { service: '*', effect: 'error', operations: ['Nope'] },
    { service: 's3', effect: 'error', rate: -0.1 },
    { service: 's3', effect: 'error', rate: '1' },
    { service: 's3', effect: 'error', duration: 0 },
    { service: 's3', effect: 'timeout', latencyMs: 600_001 },
    { service: 's3', effect: 'error', availabilityZone: 'us-east-1z' },
    { service: 's3', effect: 'error', description: 5 },
  ];
  for (const b of bad) assert.throws(() => fault(b), FaultInputError, JSON.stringify(b));
  assert.throws(() => parseFault([], served, 'x', 0), FaultInputError);
  const ok = fault({ service: '*', effect: 'latency', operations: ['SendMessage'], duration: '2m' }, 5000);
  assert.deepEqual([ok.latencyMs, ok.rate, ok.end], [1000, 1, 5000 + 120_000]);
  assert.equal(fault({ service: 's3', effect: 'timeout' }).latencyMs, 30_000);
  assert.equal(fault({ service: 's3', effect: 'error', duration: 90 }).end, 1000 + 90_000);
});

test('severity and status: disrupted only when every call fails; zone faults degrade their region', () => {
  const s = (b: Record<string, unknown>) => severity(fault(b));
  assert.equal(s({ service: 's3', effect: 'unavailable' }), 'disrupted');
  assert.equal(s({ service: 's3', effect: 'timeout' }), 'disrupted');
  assert.equal(s({ service: 's3', effect: 'error', rate: 0.5 }), 'degraded');
  assert.equal(s({ service: 's3', effect: 'error', operations: ['GetObject'] }), 'degraded');
  assert.equal(s({ service: 's3', effect: 'throttle' }), 'degraded');
  assert.equal(s({ service: 's3', effect: 'latency' }), 'degraded');
  assert.equal(s({ service: 's3', effect: 'unavailable', rate: 0 }), 'operational');

  const zonal = { ...fault({ service: 's3', availabilityZone: 'us-east-1a', effect: 'unavailable' }), id: 'z' };
  const regional = { ...fault({ service: 'sqs', region: 'eu-west-1', effect: 'unavailable' }), id: 'r' };
  const active: Fault[] = [zonal, regional];
  assert.deepEqual(serviceStatus(active, 's3', 'us-east-1'), { status: 'degraded', faults: ['z'] });
  assert.deepEqual(serviceStatus(active, 's3', 'eu-west-1'), { status: 'operational', faults: [] });
  assert.deepEqual(serviceStatus(active, 'sqs', 'eu-west-1'), { status: 'disrupted', faults: ['r'] });
  assert.deepEqual(zoneStatus(active, availabilityZone('use1-az1')!), { status: 'disrupted', faults: ['z'] });
  assert.deepEqual(zoneStatus(active, availabilityZone('us-east-1b')!), { status: 'operational', faults: [] });
});

function store(dice: number[] = []) {
  let now = 1_000_000;
  const faults = new Faults(
    { nowMs: () => now },
    () => served,
    () => dice.shift() ?? 0,
  );
  return { faults, advance: (ms: number) => (now += ms), now: () => now };
}

test('the rate is rolled per call; rate 0 never fires, rate 1 always', () => {
  const { faults } = store([0.2, 0.7, 0.49]);
  const f = faults.add({ service: 's3', effect: 'error', rate: 0.5 });
  assert.equal(faults.decide(call())?.fault, f);
  assert.equal(faults.decide(call()), undefined);
  assert.equal(faults.decide(call())?.fault, f);
  assert.equal(f.hits, 2);

  const never = store([0]);
  never.faults.add({ service: 's3', effect: 'error', rate: 0 });
  for (let i = 0; i < 10; i++) assert.equal(never.faults.decide(call()), undefined);
});

test('latency faults add up and let the first failing fault decide', () => {
  const { faults } = store();
  faults.add({ service: 's3', effect: 'latency', latencyMs: 30 });
  faults.add({ service: '*', effect: 'latency', latencyMs: 20 });
  assert.deepEqual(faults.decide(call()), { delayMs: 50 });
  const t = faults.add({ service: 's3', effect: 'throttle' });
  faults.add({ service: 's3', effect: 'error' });
  const hit = faults.decide(call())!;
  assert.equal(hit.delayMs, 50);
  assert.equal(hit.fault, t);
});

test('a fault ends at its end time; the history dates it there and groups every region', () => {
  const { faults, advance } = store();
  const f = faults.add({ service: 's3', effect: 'unavailable', duration: '10m' });
  assert.ok(faults.decide(call()));
  advance(10 * 60_000 - 1);
  assert.ok(faults.decide(call()));
  advance(1);
  assert.equal(faults.decide(call()), undefined);
  assert.equal(faults.none, true);
  assert.deepEqual(faults.list(), []);
  assert.deepEqual(faults.list(true), [f]);
  const h = faults.history();
  assert.deepEqual(
    h.map((c) => [c.event, c.region, c.service, c.previous, c.status, c.time - f.start]),
    [
      ['start', '*', 's3', 'operational', 'disrupted', 0],
      ['end', '*', 's3', 'disrupted', 'operational', 600_000],
    ],
  );
});

test('history names the regions a regional fault changed, and the zone of a zone fault', () => {
  const { faults } = store();
  faults.add({ service: 'sqs', region: 'eu-west-1', effect: 'throttle' });
  const z = faults.add({ service: 's3', availabilityZone: 'us-east-1a', effect: 'unavailable' });
  // a second fault on an already-disrupted zone changes nothing
  faults.add({ service: 's3', availabilityZone: 'us-east-1a', effect: 'unavailable' });
  faults.remove(z.id);
  const h = faults.history().map((c) => [c.event, c.region, c.availabilityZone ?? null, c.service, c.status]);
  assert.deepEqual(h, [
    ['start', 'eu-west-1', null, 'sqs', 'degraded'],
    ['start', 'us-east-1', null, 's3', 'degraded'],
    ['start', 'us-east-1', 'us-east-1a', 's3', 'disrupted'],
  ]);
  assert.equal(faults.clear(), 2);
  assert.equal(faults.none, true);
  assert.equal(faults.history().filter((c) => c.event === 'end').length, 3);
});

test('errors are spelled by the profile, else the common ones; the store remembers which fault threw', () => {
  assert.deepEqual(pick(faultError('unavailable', {}, 'X')), ['ServiceUnavailable', 503]);
  assert.deepEqual(pick(faultError('error', {}, 'X')), ['InternalFailure', 500]);
  assert.deepEqual(pick(faultError('throttle', {}, 'X')), ['ThrottlingException', 400]);
  const profile = { errors: { throttling: (op: string) => new ServiceError(op === 'A' ? 'SlowA' : 'SlowB', 'slow', 429) } };
  assert.deepEqual(pick(faultError('throttle', profile, 'A')), ['SlowA', 429]);
  assert.equal(faultError('latency', profile, 'A'), undefined);
  const { faults } = store();
  const f = faults.add({ service: 's3', effect: 'throttle' });
  faults.profileOf = () => profile;
  const err = faults.errorFor(f, profile, 'B')!;
  assert.equal(faults.faultOf(err), f.id);
  assert.equal(faults.faultOf(new ServiceError('SlowB', 'x')), undefined);
  assert.deepEqual(faults.describeError(f), { code: 'SlowB', status: 429 });
});
const pick = (e: ServiceError | undefined) => [e?.code, e?.status];

test('the request log keeps the newest calls in a fixed ring and filters them', () => {
  const log = new RequestLog(3);
  const rec = (i: number, status: number, service = 's3'): CallRecord => ({
    requestId: `r${i}`,
    service,
    operation: 'Op',
    protocol: 'json',
    account: '1',
    region: 'us-east-1',
    principal: { kind: 'root', account: '1', arn: 'arn:aws:iam::1:root', userId: '1' },
    input: {},
    headers: {},
    sourceIp: '',
    secure: false,
    time: new Date(i * 1000),
    status,
    durationMs: 1.234,
    error: status >= 300 ? new ServiceError('Bad', 'bad') : undefined,
  });
  for (let i = 1; i <= 5; i++) log.add(rec(i, i % 2 ? 200 : 404, i === 5 ? 'sqs' : 's3'), i === 4 ? 'fault-x' : undefined);
  assert.equal(log.total, 5);
  assert.deepEqual(
    log.list({ limit: 10 }).map((c) => c.requestId),
    ['r5', 'r4', 'r3'],
  );
  assert.deepEqual(
    log.list({ limit: 10, service: 's3' }).map((c) => c.requestId),
    ['r4', 'r3'],
  );
  const [failed] = log.list({ limit: 10, status: '4xx' });
  assert.deepEqual([failed.requestId, failed.errorCode, failed.faultId, failed.latencyMs], ['r4', 'Bad', 'fault-x', 1.2]);
  assert.deepEqual(
    log.list({ limit: 10, after: 4 }).map((c) => c.seq),
    [5],
  );
  assert.deepEqual(
    log.list({ limit: 1 }).map((c) => c.seq),
    [5],
  );
  assert.equal(log.clear(), 3);
  assert.deepEqual(log.list({ limit: 10 }), []);
  log.add(rec(6, 200), undefined);
  assert.equal(log.list({ limit: 10 })[0].seq, 6, 'sequence numbers go on after a clear');
});

test('status filters: exact, class, error; anything else is refused', () => {
  assert.equal(statusTest('404')(404), true);
  assert.equal(statusTest('4xx')(429), true);
  assert.equal(statusTest('4xx')(503), false);
  assert.equal(statusTest('error')(0), true);
  assert.equal(statusTest('error')(204), false);
  assert.equal(statusTest(undefined)(200), true);
  assert.throws(() => statusTest('bad'), RangeError);
});

test('the timeline is a bounded ring read by sequence or time', () => {
  let now = 100;
  const t = new Timeline({ nowMs: () => now }, 3);
  for (let i = 1; i <= 4; i++) {
    now = i * 100;
    t.record({ service: 's3', kind: 'k', resource: `r${i}` });
  }
  assert.equal(t.last, 4);
  assert.deepEqual(
    t.after(0).map((e) => e.resource),
    ['r2', 'r3', 'r4'],
  );
  assert.deepEqual(
    t.after(3).map((e) => e.seq),
    [4],
  );
  assert.deepEqual(
    t.since(300).map((e) => e.time),
    [300, 400],
  );
  t.clear();
  assert.deepEqual(t.after(0), []);
});

test('regions: zones by name and id, one list', () => {
  assert.ok(REGIONS.length >= 25);
  assert.equal(regionInfo('eu-west-1')?.name, 'Europe (Ireland)');
  assert.equal(regionInfo('nowhere-1'), undefined);
  assert.deepEqual(
    availabilityZones('us-west-1').map((z) => [z.zoneName, z.zoneId]),
    [
      ['us-west-1a', 'usw1-az1'],
      ['us-west-1c', 'usw1-az2'],
    ],
  );
  assert.equal(availabilityZone('usw2-az2')?.zoneName, 'us-west-2b');
  const ids = REGIONS.flatMap((r) => r.availabilityZones.map((z) => z.zoneId));
  assert.equal(new Set(ids).size, ids.length, 'zone ids are unique');
  for (const r of REGIONS) for (const z of r.availabilityZones) assert.ok(z.zoneName.startsWith(r.region) && z.region === r.region);
});
