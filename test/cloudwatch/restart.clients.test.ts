// CloudWatch state survives a kill -9: metrics and their points, alarms, and their evaluation on the
// clock after the restart (the alarm's account and region are remembered without a request).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  PutMetricDataCommand,
  PutMetricAlarmCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
} from '@aws-sdk/client-cloudwatch';
import { spawnServer, clientConfig, advanceClock } from '../helpers.js';

test('cloudwatch: points and alarms survive kill -9, and the alarm is evaluated when the clock moves after the restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-cw-'));
  const start = () => spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  let s = await start();
  try {
    let c = new CloudWatchClient(clientConfig(s.url, { region: 'eu-west-1' }));
    const t = Math.floor(Date.now() / 60_000) * 60_000;
    await c.send(new PutMetricDataCommand({ Namespace: 'Persist', MetricData: [{ MetricName: 'n', Value: 5, Timestamp: new Date(t) }] }));
    await c.send(
      new PutMetricAlarmCommand({
        AlarmName: 'persisted',
        Namespace: 'Persist',
        MetricName: 'n',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    await s.kill9();
    s = await start();
    await advanceClock(s.url, '60s');
    c = new CloudWatchClient(clientConfig(s.url, { region: 'eu-west-1' }));
    const alarm = (await c.send(new DescribeAlarmsCommand({ AlarmNames: ['persisted'] }))).MetricAlarms![0];
    assert.equal(alarm.StateValue, 'ALARM', alarm.StateReason);
    const stats = await c.send(
      new GetMetricStatisticsCommand({
        Namespace: 'Persist',
        MetricName: 'n',
        StartTime: new Date(t - 60_000),
        EndTime: new Date(t + 120_000),
        Period: 60,
        Statistics: ['Sum'],
      }),
    );
    assert.equal(stats.Datapoints![0].Sum, 5);
  } finally {
    await s.stop();
  }
});
