// Anomaly detection through SDK v3 (CBOR): detectors for a metric and for metric math, described with
// their training state; ANOMALY_DETECTION_BAND in GetMetricData answers the lower and upper series of
// the documented model (mean ± k·σ of the trailing history); an alarm on the band goes to ALARM as the
// clock advances past a spike; CloudWatch's validation errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '@aws-sdk/client-cloudwatch';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let cw: C.CloudWatchClient;
const nimbus = serverForFile(async () => {
  cw = new C.CloudWatchClient(clientConfig(nimbus.url));
});

const MIN = 60_000;
const metric = { Namespace: 'Shop', MetricName: 'Orders', Dimensions: [{ Name: 'Site', Value: 'eu' }] };
const clockMs = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;

test('detectors are described with their state; the band is mean ± k·σ of the history; an alarm on the band fires on a spike', async () => {
  await cw.send(new C.PutAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { ...metric, Stat: 'Average' } }));
  let [d] = (await cw.send(new C.DescribeAnomalyDetectorsCommand({ Namespace: 'Shop' }))).AnomalyDetectors!;
  assert.equal(d.StateValue, 'PENDING_TRAINING');
  assert.deepEqual(d.SingleMetricAnomalyDetector, { ...metric, Stat: 'Average' });
  assert.equal(d.MetricName, 'Orders', 'the legacy fields are answered too');

  // thirty minutes alternating 95 and 105: mean 100, σ 5
  const now = Math.floor((await clockMs()) / MIN) * MIN;
  const history = Array.from({ length: 30 }, (_, i) => ({ ...metric, Value: i % 2 ? 105 : 95, Timestamp: new Date(now - (30 - i) * MIN) }));
  await cw.send(new C.PutMetricDataCommand({ Namespace: 'Shop', MetricData: history.map(({ Namespace: _n, ...m }) => m) }));
  [d] = (await cw.send(new C.DescribeAnomalyDetectorsCommand({ MetricName: 'Orders' }))).AnomalyDetectors!;
  assert.equal(d.StateValue, 'TRAINED');

  const queries = [
    { Id: 'm1', MetricStat: { Metric: metric, Period: 60, Stat: 'Average' } },
    { Id: 'ad1', Expression: 'ANOMALY_DETECTION_BAND(m1, 2)' },
  ];
  const data = await cw.send(
    new C.GetMetricDataCommand({
      MetricDataQueries: queries,
      StartTime: new Date(now),
      EndTime: new Date(now + MIN),
      ScanBy: 'TimestampAscending',
    }),
  );
  const bands = data.MetricDataResults!.filter((r) => r.Id === 'ad1');
  assert.equal(bands.length, 2);
  assert.match(bands[0].Label!, /Lower$/);
  assert.match(bands[1].Label!, /Upper$/);
  assert.equal(bands[0].Timestamps![0].getTime(), now, 'the band is there at a time without data');
  assert.ok(
    Math.abs(bands[0].Values![0] - 90) < 1e-6 && Math.abs(bands[1].Values![0] - 110) < 1e-6,
    `${bands[0].Values} ${bands[1].Values}`,
  );

  await cw.send(
    new C.PutMetricAlarmCommand({
      AlarmName: 'orders-anomaly',
      Metrics: [
        { ...queries[0], ReturnData: true },
        { ...queries[1], ReturnData: true },
      ],
      ThresholdMetricId: 'ad1',
      ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'ignore',
    }),
  );
  await cw.send(
    new C.PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [{ MetricName: 'Orders', Dimensions: metric.Dimensions, Value: 100, Timestamp: new Date(now) }],
    }),
  );
  await advanceClock(nimbus.url, '90s');
  let alarm = (await cw.send(new C.DescribeAlarmsCommand({ AlarmNames: ['orders-anomaly'] }))).MetricAlarms![0];
  assert.equal(alarm.StateValue, 'OK', alarm.StateReason);
  assert.equal(alarm.ThresholdMetricId, 'ad1');
  await cw.send(
    new C.PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [{ MetricName: 'Orders', Dimensions: metric.Dimensions, Value: 300, Timestamp: new Date(now + 2 * MIN) }],
    }),
  );
  await advanceClock(nimbus.url, '2m');
  alarm = (await cw.send(new C.DescribeAlarmsCommand({ AlarmNames: ['orders-anomaly'] }))).MetricAlarms![0];
  assert.equal(alarm.StateValue, 'ALARM', alarm.StateReason);
  assert.match(
    alarm.StateReason!,
    /^Thresholds Crossed: 1 out of the last 1 datapoints \[300\.0 .*\] was less than the lower thresholds or greater than the upper thresholds/,
  );

  await cw.send(new C.DeleteAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { ...metric, Stat: 'Average' } }));
  assert.equal((await cw.send(new C.DescribeAnomalyDetectorsCommand({ Namespace: 'Shop' }))).AnomalyDetectors!.length, 0);
});

test("a metric math detector is listed by type; an alarm on a band creates its metric's detector", async () => {
  const math = {
    MetricDataQueries: [
      { Id: 'a', MetricStat: { Metric: metric, Period: 300, Stat: 'Sum' }, ReturnData: false },
      { Id: 'e1', Expression: 'a * 2', ReturnData: true },
    ],
  };
  await cw.send(
    new C.PutAnomalyDetectorCommand({
      MetricMathAnomalyDetector: math,
      Configuration: { ExcludedTimeRanges: [{ StartTime: new Date(0), EndTime: new Date(60_000) }], MetricTimezone: 'Europe/Paris' },
    }),
  );
  const listed = (await cw.send(new C.DescribeAnomalyDetectorsCommand({ AnomalyDetectorTypes: ['METRIC_MATH'] }))).AnomalyDetectors!;
  assert.equal(listed.length, 1);
  assert.equal(listed[0].MetricMathAnomalyDetector!.MetricDataQueries!.length, 2);
  assert.equal(listed[0].Configuration!.MetricTimezone, 'Europe/Paris');
  await cw.send(
    new C.PutMetricAlarmCommand({
      AlarmName: 'p99-high',
      ThresholdMetricId: 'b',
      ComparisonOperator: 'GreaterThanUpperThreshold',
      EvaluationPeriods: 2,
      Metrics: [
        { Id: 'm', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Latency' }, Period: 60, Stat: 'p99' } },
        { Id: 'b', Expression: 'ANOMALY_DETECTION_BAND(m)' },
      ],
    }),
  );
  const single = (await cw.send(new C.DescribeAnomalyDetectorsCommand({ AnomalyDetectorTypes: ['SINGLE_METRIC'] }))).AnomalyDetectors!;
  assert.deepEqual(
    single.map((d) => [d.MetricName, d.Stat]),
    [['Latency', 'p99']],
  );
  await cw.send(new C.DeleteAnomalyDetectorCommand({ MetricMathAnomalyDetector: math }));
  await cw.send(new C.DeleteAlarmsCommand({ AlarmNames: ['p99-high'] }));
});

test("bad detectors and anomaly alarms answer CloudWatch's errors", async () => {
  await assert.rejects(
    cw.send(new C.PutAnomalyDetectorCommand({ ...metric, Stat: 'Average', SingleMetricAnomalyDetector: { ...metric, Stat: 'Average' } })),
    { name: 'InvalidParameterCombinationException' },
  );
  await assert.rejects(cw.send(new C.PutAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { ...metric, Stat: 'Middle' } })), {
    name: 'ValidationException',
  });
  await assert.rejects(cw.send(new C.PutAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { Namespace: 'Shop', Stat: 'Sum' } })), {
    name: 'MissingRequiredParameterException',
  });
  await assert.rejects(cw.send(new C.DeleteAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { ...metric, Stat: 'Maximum' } })), {
    name: 'ResourceNotFoundException',
  });
  const m1 = { Id: 'm1', MetricStat: { Metric: metric, Period: 60, Stat: 'Average' } };
  const base = { AlarmName: 'bad', EvaluationPeriods: 1 };
  await assert.rejects(cw.send(new C.PutMetricAlarmCommand({ ...base, Metrics: [m1], ComparisonOperator: 'GreaterThanUpperThreshold' })), {
    message: 'ComparisonOperators for ranges require ThresholdMetricId to be set',
  });
  await assert.rejects(
    cw.send(
      new C.PutMetricAlarmCommand({
        ...base,
        Metrics: [m1, { Id: 'e1', Expression: 'm1 * 2' }],
        ThresholdMetricId: 'e1',
        ComparisonOperator: 'GreaterThanUpperThreshold',
      }),
    ),
    /Threshold metric expression must use ANOMALY_DETECTION_BAND function\./,
  );
  await assert.rejects(
    cw.send(
      new C.PutMetricAlarmCommand({
        ...base,
        Metrics: [m1, { Id: 'e1', Expression: 'ANOMALY_DETECTION_BAND(m1)' }],
        ThresholdMetricId: 'e1',
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    ),
    /require a Threshold value/,
  );
});
