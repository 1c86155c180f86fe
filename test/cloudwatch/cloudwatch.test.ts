// CloudWatch metrics through SDK v3 (Smithy RPC v2 CBOR): PutMetricData in all its forms, ListMetrics,
// GetMetricStatistics with percentiles, GetMetricData with metric math and search, paging, AWS's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  PutMetricDataCommand,
  ListMetricsCommand,
  GetMetricStatisticsCommand,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { serverForFile, clientConfig } from '../helpers.js';

let cw: CloudWatchClient;
const nimbus = serverForFile(() => {
  cw = new CloudWatchClient(clientConfig(nimbus.url));
});

/** The server's virtual now, floored to the minute. */
async function now(): Promise<number> {
  const state = (await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { now: string };
  return Math.floor(new Date(state.now).getTime() / 60_000) * 60_000;
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string; $metadata: { httpStatusCode: number } };
  }
  assert.fail('expected an error');
};

test('PutMetricData values, Values/Counts and statistic sets add up in GetMetricStatistics, percentiles too', async () => {
  const t = (await now()) - 10 * 60_000;
  const Dimensions = [{ Name: 'Service', Value: 'api' }];
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'App/Stats',
      MetricData: [
        { MetricName: 'Latency', Dimensions, Timestamp: new Date(t), Value: 10, Unit: 'Milliseconds' },
        {
          MetricName: 'Latency',
          Dimensions,
          Timestamp: new Date(t + 1000),
          Values: [20, 30, 100],
          Counts: [1, 2, 1],
          Unit: 'Milliseconds',
        },
        {
          MetricName: 'Latency',
          Dimensions,
          Timestamp: new Date(t + 60_000),
          StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 15 },
          Unit: 'Milliseconds',
        },
      ],
    }),
  );
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'App/Stats',
      MetricName: 'Latency',
      Dimensions,
      StartTime: new Date(t),
      EndTime: new Date(t + 120_000),
      Period: 60,
      Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
    }),
  );
  assert.equal(out.Label, 'Latency');
  const dps = out.Datapoints!.sort((a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime());
  assert.equal(dps.length, 2);
  assert.deepEqual(
    { ...dps[0], Timestamp: dps[0].Timestamp!.getTime() },
    { Timestamp: t, SampleCount: 5, Sum: 190, Average: 38, Minimum: 10, Maximum: 100, Unit: 'Milliseconds' },
  );
  assert.equal(dps[1].Sum, 40);
  assert.equal(dps[1].SampleCount, 4);
  const pct = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'App/Stats',
      MetricName: 'Latency',
      Dimensions,
      StartTime: new Date(t),
      EndTime: new Date(t + 60_000),
      Period: 60,
      ExtendedStatistics: ['p0', 'p50', 'p99', 'p100', 'tm80'],
    }),
  );
  assert.deepEqual(pct.Datapoints![0].ExtendedStatistics, { p0: 10, p50: 30, p99: 100, p100: 100, tm80: 22.5 });
  // a statistic set has no percentiles: the period has none
  const setPct = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'App/Stats',
      MetricName: 'Latency',
      Dimensions,
      StartTime: new Date(t + 60_000),
      EndTime: new Date(t + 120_000),
      Period: 60,
      ExtendedStatistics: ['p50'],
    }),
  );
  assert.deepEqual(setPct.Datapoints![0].ExtendedStatistics, {});
  // a unit filter that matches nothing
  const none = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'App/Stats',
      MetricName: 'Latency',
      Dimensions,
      StartTime: new Date(t),
      EndTime: new Date(t + 120_000),
      Period: 60,
      Statistics: ['Sum'],
      Unit: 'Seconds',
    }),
  );
  assert.deepEqual(none.Datapoints, []);
});

test('ListMetrics filters by namespace, name and dimensions; RecentlyActive PT3H', async () => {
  const t = await now();
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'App/List',
      MetricData: [
        {
          MetricName: 'A',
          Dimensions: [
            { Name: 'Host', Value: 'h1' },
            { Name: 'Az', Value: 'a' },
          ],
          Value: 1,
          Timestamp: new Date(t),
        },
        { MetricName: 'A', Dimensions: [{ Name: 'Host', Value: 'h2' }], Value: 1, Timestamp: new Date(t) },
        { MetricName: 'B', Value: 1, Timestamp: new Date(t) },
      ],
    }),
  );
  const all = await cw.send(new ListMetricsCommand({ Namespace: 'App/List' }));
  assert.equal(all.Metrics!.length, 3);
  const a = await cw.send(new ListMetricsCommand({ Namespace: 'App/List', MetricName: 'A' }));
  assert.equal(a.Metrics!.length, 2);
  const h1 = await cw.send(new ListMetricsCommand({ Namespace: 'App/List', Dimensions: [{ Name: 'Host', Value: 'h1' }] }));
  assert.deepEqual(h1.Metrics, [
    {
      Namespace: 'App/List',
      MetricName: 'A',
      Dimensions: [
        { Name: 'Az', Value: 'a' },
        { Name: 'Host', Value: 'h1' },
      ],
    },
  ]);
  const anyHost = await cw.send(new ListMetricsCommand({ Dimensions: [{ Name: 'Host' }] }));
  assert.equal(anyHost.Metrics!.filter((m) => m.Namespace === 'App/List').length, 2);
  const recent = await cw.send(new ListMetricsCommand({ Namespace: 'App/List', RecentlyActive: 'PT3H' }));
  assert.equal(recent.Metrics!.length, 3);
});

test('GetMetricData: MetricStat, arithmetic, SUM/MAX over METRICS(), FILL, IF, RATE, DIFF, SEARCH; ascending and descending', async () => {
  const t = (await now()) - 30 * 60_000;
  const data = [];
  for (let i = 0; i < 5; i++) {
    if (i !== 2)
      data.push({ MetricName: 'Req', Dimensions: [{ Name: 'Fn', Value: 'f1' }], Timestamp: new Date(t + i * 60_000), Value: (i + 1) * 10 });
    data.push({ MetricName: 'Req', Dimensions: [{ Name: 'Fn', Value: 'f2' }], Timestamp: new Date(t + i * 60_000), Value: i });
  }
  await cw.send(new PutMetricDataCommand({ Namespace: 'App/Math', MetricData: data }));
  const stat = (fn: string) => ({
    Metric: { Namespace: 'App/Math', MetricName: 'Req', Dimensions: [{ Name: 'Fn', Value: fn }] },
    Period: 60,
    Stat: 'Sum',
  });
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(t),
      EndTime: new Date(t + 5 * 60_000),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        { Id: 'm1', MetricStat: stat('f1') },
        { Id: 'm2', MetricStat: stat('f2'), ReturnData: false },
        { Id: 'sum', Expression: 'm1 + m2 * 2', Label: 'weighted' },
        { Id: 'total', Expression: 'SUM(METRICS())' },
        { Id: 'filled', Expression: 'FILL(m1, 0)' },
        { Id: 'rep', Expression: 'FILL(m1, REPEAT)' },
        { Id: 'big', Expression: 'IF(m2 >= 3, m2, 0)' },
        { Id: 'rate', Expression: 'RATE(m2)' },
        { Id: 'diff', Expression: 'DIFF(m1)' },
        { Id: 'avg', Expression: 'AVG(m2)' },
        { Id: 'found', Expression: `SEARCH('{App/Math,Fn} MetricName="Req"', 'Sum', 60)` },
      ],
    }),
  );
  const r = (id: string) => out.MetricDataResults!.filter((x) => x.Id === id);
  const vals = (id: string) => r(id)[0].Values;
  const ts = (id: string) => r(id)[0].Timestamps!.map((d) => (d.getTime() - t) / 60_000);
  assert.equal(r('m2').length, 0, 'ReturnData false is left out');
  assert.deepEqual(vals('m1'), [10, 20, 40, 50]);
  assert.equal(r('m1')[0].Label, 'Req');
  assert.equal(r('m1')[0].StatusCode, 'Complete');
  assert.deepEqual(vals('sum'), [10, 22, 46, 58]);
  assert.equal(r('sum')[0].Label, 'weighted');
  assert.deepEqual(vals('total'), [10, 21, 2, 43, 54]);
  assert.deepEqual(vals('filled'), [10, 20, 0, 40, 50]);
  assert.deepEqual(vals('rep'), [10, 20, 20, 40, 50]);
  assert.deepEqual(vals('big'), [0, 0, 0, 3, 4]);
  assert.deepEqual(vals('rate'), [1 / 60, 1 / 60, 1 / 60, 1 / 60]);
  assert.deepEqual(ts('diff'), [1, 3, 4]);
  assert.deepEqual(vals('diff'), [10, 20, 10]);
  assert.equal(vals('avg')!.length, 5, 'a scalar is returned at every period');
  assert.equal(vals('avg')![0], 2);
  assert.equal(r('found').length, 2);
  assert.deepEqual(
    r('found')
      .map((x) => x.Label)
      .sort(),
    ['Req f1', 'Req f2'],
  );
  // descending (the default) and paging by MaxDatapoints
  const page1 = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(t),
      EndTime: new Date(t + 5 * 60_000),
      MaxDatapoints: 3,
      MetricDataQueries: [{ Id: 'm1', MetricStat: stat('f1') }],
    }),
  );
  assert.deepEqual(page1.MetricDataResults![0].Values, [50, 40, 20]);
  assert.equal(page1.MetricDataResults![0].StatusCode, 'PartialData');
  assert.ok(page1.NextToken);
  const page2 = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(t),
      EndTime: new Date(t + 5 * 60_000),
      MaxDatapoints: 3,
      NextToken: page1.NextToken,
      MetricDataQueries: [{ Id: 'm1', MetricStat: stat('f1') }],
    }),
  );
  assert.deepEqual(page2.MetricDataResults![0].Values, [10]);
  assert.equal(page2.NextToken, undefined);
  // a division by zero drops points with a message
  const div = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(t),
      EndTime: new Date(t + 5 * 60_000),
      MetricDataQueries: [
        { Id: 'm2', MetricStat: stat('f2'), ReturnData: false },
        { Id: 'inv', Expression: '1 / m2' },
      ],
    }),
  );
  assert.equal(div.MetricDataResults![0].Values!.length, 4);
  assert.equal(div.MetricDataResults![0].Messages![0].Code, 'ArithmeticError');
});

test('bad input: AWS errors for PutMetricData, GetMetricStatistics and GetMetricData', async () => {
  const t = await now();
  let e = await errorOf(
    cw.send(
      new PutMetricDataCommand({
        Namespace: 'App/Bad',
        MetricData: [{ MetricName: 'x', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }],
      }),
    ),
  );
  assert.equal(e.name, 'InvalidParameterCombinationException');
  assert.equal(
    e.message,
    'The parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues are mutually exclusive and you have specified both.',
  );
  e = await errorOf(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'x', Value: 1 }] })));
  assert.equal(e.name, 'InvalidParameterValueException');
  assert.equal(e.$metadata.httpStatusCode, 400);
  e = await errorOf(
    cw.send(new PutMetricDataCommand({ Namespace: 'App/Bad', MetricData: [{ MetricName: 'x', Values: [1, 2], Counts: [1] }] })),
  );
  assert.equal(e.message, 'The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.');
  e = await errorOf(
    cw.send(new PutMetricDataCommand({ Namespace: 'App/Bad', MetricData: [{ MetricName: 'x', Value: 1, StorageResolution: 5 }] })),
  );
  assert.equal(e.message, 'The value 5 for parameter MetricData.member.1.StorageResolution is invalid.');
  const dims = Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' }));
  e = await errorOf(
    cw.send(new PutMetricDataCommand({ Namespace: 'App/Bad', MetricData: [{ MetricName: 'x', Value: 1, Dimensions: dims }] })),
  );
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.match(e.name, /^Validation(Error|Exception)$/);
  assert.match(
    e.message,
    /^1 validation error detected: .* failed to satisfy constraint: Member must have length less than or equal to 30$/,
  );
  const many = Array.from({ length: 1001 }, () => ({ MetricName: 'x', Value: 1 }));
  e = await errorOf(cw.send(new PutMetricDataCommand({ Namespace: 'App/Bad', MetricData: many })));
  assert.match(e.message, /MetricData must not have a size greater than 1000/);
  e = await errorOf(
    cw.send(
      new PutMetricDataCommand({
        Namespace: 'App/Bad',
        MetricData: [{ MetricName: 'x', Value: 1, Timestamp: new Date(t - 15 * 86_400_000) }],
      }),
    ),
  );
  assert.match(e.message, /two weeks in the past/);
  e = await errorOf(
    cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'App/Bad',
        MetricName: 'x',
        StartTime: new Date(t - 86_400_000),
        EndTime: new Date(t),
        Period: 1,
        Statistics: ['Sum'],
      }),
    ),
  );
  assert.equal(e.name, 'InvalidParameterCombinationException');
  assert.equal(
    e.message,
    'You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
  );
  e = await errorOf(
    cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'App/Bad',
        MetricName: 'x',
        StartTime: new Date(t - 3600_000),
        EndTime: new Date(t),
        Period: 7,
        Statistics: ['Sum'],
      }),
    ),
  );
  assert.equal(e.name, 'InvalidParameterValueException');
  e = await errorOf(
    cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'App/Bad',
        MetricName: 'x',
        StartTime: new Date(t - 3600_000),
        EndTime: new Date(t),
        Period: 60,
      }),
    ),
  );
  assert.equal(e.name, 'InvalidParameterCombinationException');
  e = await errorOf(
    cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t - 3600_000),
        EndTime: new Date(t),
        MetricDataQueries: [{ Id: 'e1', Expression: 'm9 + 1' }],
      }),
    ),
  );
  assert.match(e.name, /^Validation(Error|Exception)$/);
  assert.match(e.message, /Unrecognized metric id m9/);
  e = await errorOf(
    cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t - 3600_000),
        EndTime: new Date(t),
        MetricDataQueries: [{ Id: 'e1', Expression: 'SUM(' }],
      }),
    ),
  );
  assert.match(e.message, /Error in expression e1/);
  e = await errorOf(
    cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t - 3600_000),
        EndTime: new Date(t),
        MetricDataQueries: [{ Id: 'M1', MetricStat: { Metric: { Namespace: 'a', MetricName: 'b' }, Period: 60, Stat: 'Sum' } }],
      }),
    ),
  );
  assert.match(e.message, /parameter MetricDataQueries.member.1.Id is invalid/);
  e = await errorOf(
    cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(t - 3600_000),
        EndTime: new Date(t),
        MetricDataQueries: [{ Id: 'm1', MetricStat: { Metric: { Namespace: 'a', MetricName: 'b' }, Period: 60, Stat: 'Bogus' } }],
      }),
    ),
  );
  assert.equal(e.message, 'The value for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.');
});

test('retention and roll-up on the virtual clock: old points answer only coarse periods', async () => {
  const t = (await now()) - 5 * 60_000;
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'App/Age',
      MetricData: [{ MetricName: 'x', Value: 3, Timestamp: new Date(t), StorageResolution: 1 }],
    }),
  );
  const get = (period: number) =>
    cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'App/Age',
        MetricName: 'x',
        StartTime: new Date(t - 600_000),
        EndTime: new Date(t + 600_000),
        Period: period,
        Statistics: ['Sum'],
      }),
    );
  assert.equal((await get(1)).Datapoints!.length, 1, 'a high-resolution point answers a 1-second period while recent');
  const res = await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '4h' }) });
  assert.equal(res.status, 200);
  assert.equal((await get(1)).Datapoints!.length, 0, 'after 3 hours only minute periods');
  assert.equal((await get(60)).Datapoints![0].Sum, 3);
  assert.equal(
    (await cw.send(new ListMetricsCommand({ Namespace: 'App/Age', RecentlyActive: 'PT3H' }))).Metrics!.length,
    0,
    'not active in the past 3 hours',
  );
  assert.equal((await cw.send(new ListMetricsCommand({ Namespace: 'App/Age' }))).Metrics!.length, 1);
  await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '15d' }) });
  assert.equal((await cw.send(new ListMetricsCommand({ Namespace: 'App/Age' }))).Metrics!.length, 0, 'no data for two weeks: not listed');
});
