// The pure parts of CloudWatch metrics: statistics and percentiles, the metric math parser and
// evaluator, search expressions, PutMetricData's checks and the retention table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStat, statValue, emptyAggregate, addPoint } from '../../src/services/cloudwatch/stats.js';
import { parseExpression, MathError } from '../../src/services/cloudwatch/math-parse.js';
import { anomalyBand, TRAINING_MS } from '../../src/services/cloudwatch/anomaly-model.js';
import { evaluate, type MathContext, type Series, type Value } from '../../src/services/cloudwatch/math-eval.js';
import { compileSearch } from '../../src/services/cloudwatch/search.js';
import { datumPoint, resolutionAt, validPeriod } from '../../src/services/cloudwatch/validate.js';

const agg = (values: number[]) => {
  const a = emptyAggregate();
  for (const v of values) addPoint(a, { n: 1, s: v, mn: v, mx: v });
  return a;
};

test('statistics: standard, percentiles p0-p100, trimmed and winsorized means, IQM; statistic sets have no percentiles', () => {
  const a = agg([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const v = (s: string) => statValue(a, parseStat(s)!);
  assert.equal(v('Sum'), 55);
  assert.equal(v('Average'), 5.5);
  assert.equal(v('SampleCount'), 10);
  assert.equal(v('p0'), 1);
  assert.equal(v('p50'), 5);
  assert.equal(v('p90'), 9);
  assert.equal(v('p99.9'), 10);
  assert.equal(v('p100'), 10);
  assert.equal(v('tm90'), 5);
  assert.equal(v('tc90'), 9);
  assert.equal(v('ts90'), 45);
  assert.equal(v('IQM'), 6); // TM(25%:75%): above p25 (3) up to p75 (8): (4+5+6+7+8)/5
  assert.equal(v('wm80'), (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 8 + 8) / 10);
  assert.equal(v('PR(:5)'), 50);
  assert.equal(parseStat('p101'), undefined);
  assert.equal(parseStat('Avg'), undefined);
  assert.deepEqual(parseStat('TM(10%:90%)'), { kind: 'tm', lo: 10, hi: 90, absolute: false });
  const set = emptyAggregate();
  addPoint(set, { n: 4, s: 40, mn: 5, mx: 15 });
  assert.equal(statValue(set, parseStat('p50')!), undefined);
  assert.equal(statValue(set, parseStat('Average')!), 10);
});

const series = (label: string, pairs: Array<[number, number]>): Series => ({
  label,
  ts: pairs.map((p) => p[0]),
  vs: pairs.map((p) => p[1]),
});
function ctx(ids: Record<string, Series>, grid = [0, 1, 2, 3, 4]): MathContext {
  return {
    resolve: (id) => {
      if (!ids[id]) throw new MathError(`Unrecognized metric id ${id}`);
      return { k: 'series', s: ids[id] };
    },
    grid,
    period: 60,
    metrics: (f) =>
      Object.entries(ids)
        .filter(([id]) => !f || id.includes(f))
        .map(([, s]) => s),
    search: () => [],
    band: (_arg, s, k) => {
      const b = anomalyBand(s, grid, k);
      return [b.lower, b.upper];
    },
  };
}
const run = (expr: string, ids: Record<string, Series>): Value => evaluate(parseExpression(expr), ctx(ids));
const vals = (v: Value) => (v.k === 'series' ? v.s.vs : v.k === 'scalar' ? v.v : v.a.map((s) => s.vs));

test('metric math: precedence, arithmetic on shared timestamps, functions, comparisons and IF', () => {
  const m1 = series('a', [
    [0, 1],
    [1, 2],
    [3, 4],
  ]);
  const m2 = series('b', [
    [0, 10],
    [1, 20],
    [2, 30],
    [3, 40],
  ]);
  assert.deepEqual(vals(run('1 + 2 * 3 ^ 2', {})), 19);
  assert.deepEqual(vals(run('-(1 + 1) * 2', {})), -4);
  assert.deepEqual(vals(run('m1 + m2', { m1, m2 })), [11, 22, 44]);
  assert.deepEqual(vals(run('m2 / 10', { m1, m2 })), [1, 2, 3, 4]);
  assert.deepEqual(vals(run('SUM([m1, m2])', { m1, m2 })), [11, 22, 30, 44]);
  assert.deepEqual(vals(run('MAX(METRICS())', { m1, m2 })), [10, 20, 30, 40]);
  assert.deepEqual(vals(run('MIN(m2)', { m1, m2 })), 10);
  assert.deepEqual(vals(run('AVG(m2)', { m1, m2 })), 25);
  assert.deepEqual(vals(run('FILL(m1, LINEAR)', { m1 })), [1, 2, 3, 4]);
  assert.deepEqual(vals(run('FILL(m1, 9)', { m1 })), [1, 2, 9, 4, 9]);
  assert.deepEqual(vals(run('IF(m2 > 15 AND m2 < 35, 1, 0)', { m2 })), [0, 1, 1, 0]);
  assert.deepEqual(vals(run('IF(m2 > 25 || m2 == 10, m2)', { m2 })), [10, 30, 40]);
  assert.deepEqual(vals(run('DIFF(m2)', { m2 })), [10, 10, 10]);
  assert.deepEqual(vals(run('RUNNING_SUM(m1)', { m1 })), [1, 3, 7]);
  assert.deepEqual(vals(run('ABS(0 - m1)', { m1 })), [1, 2, 4]);
  assert.deepEqual(vals(run('METRICS("m2")', { m1, m2 })), [[10, 20, 30, 40]]);
  assert.throws(() => parseExpression('m1 +'), MathError);
  assert.throws(() => parseExpression('SUM(m1'), /Expected '\)'/);
  assert.throws(() => parseExpression('m1 $ 2'), /Unrecognized token/);
  assert.throws(() => run('NOPE(m1)', { m1 }), /Unknown function NOPE/);
  assert.throws(() => run('m3 * 2', { m1 }), /Unrecognized metric id m3/);
});

test('search expressions: schema, exact and partial terms, OR, NOT, parentheses', () => {
  const m = (namespace: string, name: string, dims: Record<string, string>) => ({
    namespace,
    name,
    dims: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
  });
  const a = m('AWS/EC2', 'CPUUtilization', { InstanceId: 'i-1' });
  const b = m('AWS/EC2', 'NetworkIn', { InstanceId: 'i-2' });
  const c = m('AWS/EC2', 'CPUUtilization', { AutoScalingGroupName: 'g', InstanceId: 'i-3' });
  const pick = (e: string) => [a, b, c].filter(compileSearch(e)).map((x) => x.dims.find((d) => d.Name === 'InstanceId')!.Value);
  assert.deepEqual(pick('{AWS/EC2,InstanceId} MetricName="CPUUtilization"'), ['i-1']);
  assert.deepEqual(pick('MetricName="CPUUtilization"'), ['i-1', 'i-3']);
  assert.deepEqual(pick('cpu'), ['i-1', 'i-3']);
  assert.deepEqual(pick('NetworkIn OR InstanceId="i-3"'), ['i-2', 'i-3']);
  assert.deepEqual(pick('CPUUtilization NOT InstanceId=i-1'), ['i-3']);
  assert.deepEqual(pick('(i-1 OR i-2) AND Network'), ['i-2']);
});

test('PutMetricData checks and the retention table', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 30);
  assert.deepEqual(datumPoint({ MetricName: 'x', Value: 2 }, 0, now), { t: Date.UTC(2026, 0, 1, 12), n: 1, s: 2, mn: 2, mx: 2 });
  assert.equal(datumPoint({ MetricName: 'x', Value: 2, StorageResolution: 1 }, 0, now).t, now);
  assert.deepEqual(datumPoint({ MetricName: 'x', Values: [1, 3], Counts: [2, 1] }, 0, now), {
    t: Date.UTC(2026, 0, 1, 12),
    n: 3,
    s: 5,
    mn: 1,
    mx: 3,
    v: [1, 3],
    c: [2, 1],
  });
  assert.throws(
    () => datumPoint({ MetricName: 'x', Value: Infinity }, 2, now),
    /The value Infinity for parameter MetricData.member.3.Value is invalid/,
  );
  assert.throws(() => datumPoint({ MetricName: 'x' }, 0, now), /MetricData.member.1.Value is required/);
  assert.throws(
    () =>
      datumPoint(
        {
          MetricName: 'x',
          Value: 1,
          Dimensions: [
            { Name: 'a', Value: '1' },
            { Name: 'a', Value: '2' },
          ],
        },
        0,
        now,
      ),
    /duplicate dimension names/,
  );
  assert.equal(resolutionAt(60_000, true), 1);
  assert.equal(resolutionAt(60_000, false), 60);
  assert.equal(resolutionAt(4 * 3_600_000, true), 60);
  assert.equal(resolutionAt(20 * 86_400_000, false), 300);
  assert.equal(resolutionAt(100 * 86_400_000, false), 3600);
  assert.equal(resolutionAt(456 * 86_400_000, false), undefined);
  assert.ok(validPeriod(1) && validPeriod(30) && validPeriod(120));
  assert.ok(!validPeriod(45) && !validPeriod(0) && !validPeriod(90));
});

test('anomaly band: mean ± k·σ of the values before each time, within the trailing 14 days, excluded ranges left out', () => {
  const m = 60_000;
  const s: Series = { label: 'm1', ts: [0, m, 2 * m, 3 * m, 4 * m], vs: [10, 20, 30, 100, 20] };
  const b = anomalyBand(s, [2 * m, 3 * m, 4 * m, 5 * m], 1);
  // at 3m: 10, 20, 30 → mean 20, σ √(200/3)
  assert.deepEqual(b.lower.ts, [3 * m, 4 * m, 5 * m], 'fewer than three values before 2m: no band');
  assert.ok(Math.abs(b.upper.vs[0] - (20 + Math.sqrt(200 / 3))) < 1e-9);
  assert.ok(Math.abs(b.lower.vs[0] - (20 - Math.sqrt(200 / 3))) < 1e-9);
  const x = anomalyBand(s, [5 * m], 2, [[3 * m, 4 * m]]);
  assert.ok(Math.abs(x.upper.vs[0] - (20 + 2 * Math.sqrt(50))) < 1e-9, 'the 100 is excluded: 10, 20, 30, 20');
  const old = anomalyBand({ label: 'm', ts: [0, m, 2 * m, TRAINING_MS + 3 * m], vs: [1, 1, 1, 5] }, [TRAINING_MS + 4 * m], 2);
  assert.equal(old.lower.ts.length, 0, 'values older than 14 days leave the window');
  const v = run('ANOMALY_DETECTION_BAND(m1, 1)', { m1: s });
  assert.equal(v.k, 'array');
});
