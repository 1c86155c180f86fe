// Metric streams through SDK v3: put (create and update), get, list, stop and start, delete, with
// CloudWatch's checks. Firehose is not served by Nimbus: a stream is state only, nothing is delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '@aws-sdk/client-cloudwatch';
import { serverForFile, clientConfig } from '../helpers.js';

let cw: C.CloudWatchClient;
const nimbus = serverForFile(async () => {
  cw = new C.CloudWatchClient(clientConfig(nimbus.url));
});

const base = {
  FirehoseArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/metrics',
  RoleArn: 'arn:aws:iam::000000000000:role/metric-stream',
  OutputFormat: 'opentelemetry1.0' as const,
};

test('a metric stream is created running, updated, stopped and started, listed and deleted', async () => {
  const put = await cw.send(
    new C.PutMetricStreamCommand({ Name: 'all-ec2', ...base, IncludeFilters: [{ Namespace: 'AWS/EC2', MetricNames: ['CPUUtilization'] }] }),
  );
  assert.equal(put.Arn, 'arn:aws:cloudwatch:us-east-1:000000000000:metric-stream/all-ec2');
  let s = await cw.send(new C.GetMetricStreamCommand({ Name: 'all-ec2' }));
  assert.equal(s.State, 'running');
  assert.deepEqual(s.IncludeFilters, [{ Namespace: 'AWS/EC2', MetricNames: ['CPUUtilization'] }]);
  await cw.send(
    new C.PutMetricStreamCommand({
      Name: 'all-ec2',
      ...base,
      OutputFormat: 'json',
      ExcludeFilters: [{ Namespace: 'AWS/S3' }],
      StatisticsConfigurations: [
        { IncludeMetrics: [{ Namespace: 'AWS/EC2', MetricName: 'CPUUtilization' }], AdditionalStatistics: ['p99', 'TM(10%:90%)'] },
      ],
    }),
  );
  s = await cw.send(new C.GetMetricStreamCommand({ Name: 'all-ec2' }));
  assert.deepEqual([s.OutputFormat, s.IncludeFilters, s.ExcludeFilters], ['json', [], [{ Namespace: 'AWS/S3' }]]);
  await cw.send(new C.StopMetricStreamsCommand({ Names: ['all-ec2', 'unknown'] }));
  assert.equal((await cw.send(new C.GetMetricStreamCommand({ Name: 'all-ec2' }))).State, 'stopped');
  await cw.send(new C.StartMetricStreamsCommand({ Names: ['all-ec2'] }));
  await cw.send(new C.PutMetricStreamCommand({ Name: 'second', ...base }));
  const first = await cw.send(new C.ListMetricStreamsCommand({ MaxResults: 1 }));
  assert.deepEqual(
    first.Entries!.map((e) => [e.Name, e.State]),
    [['all-ec2', 'running']],
  );
  const next = await cw.send(new C.ListMetricStreamsCommand({ MaxResults: 1, NextToken: first.NextToken }));
  assert.deepEqual(
    next.Entries!.map((e) => e.Name),
    ['second'],
  );
  assert.equal(next.NextToken, undefined);
  await cw.send(new C.TagResourceCommand({ ResourceARN: put.Arn, Tags: [{ Key: 'team', Value: 'obs' }] }));
  assert.deepEqual((await cw.send(new C.ListTagsForResourceCommand({ ResourceARN: put.Arn }))).Tags, [{ Key: 'team', Value: 'obs' }]);
  await cw.send(new C.DeleteMetricStreamCommand({ Name: 'all-ec2' }));
  await cw.send(new C.DeleteMetricStreamCommand({ Name: 'second' }));
  await assert.rejects(cw.send(new C.GetMetricStreamCommand({ Name: 'all-ec2' })), { name: 'ResourceNotFoundException' });
});

test("bad metric streams answer CloudWatch's errors", async () => {
  await assert.rejects(cw.send(new C.PutMetricStreamCommand({ Name: 'x', ...base, FirehoseArn: 'arn:aws:sqs:us-east-1:000000000000:q' })), {
    name: 'InvalidParameterValueException',
    message: 'The value arn:aws:sqs:us-east-1:000000000000:q for parameter FirehoseArn is invalid.',
  });
  await assert.rejects(cw.send(new C.PutMetricStreamCommand({ Name: 'x', ...base, RoleArn: 'role' })), {
    name: 'InvalidParameterValueException',
  });
  await assert.rejects(
    cw.send(
      new C.PutMetricStreamCommand({ Name: 'x', ...base, IncludeFilters: [{ Namespace: 'A' }], ExcludeFilters: [{ Namespace: 'B' }] }),
    ),
    { name: 'InvalidParameterCombinationException' },
  );
  await assert.rejects(
    cw.send(
      new C.PutMetricStreamCommand({
        Name: 'x',
        ...base,
        StatisticsConfigurations: [{ IncludeMetrics: [{ Namespace: 'A', MetricName: 'm' }], AdditionalStatistics: ['TM(10%:90%)'] }],
      }),
    ),
    { name: 'InvalidParameterValueException' },
    'OpenTelemetry takes percentiles only',
  );
  assert.equal((await cw.send(new C.ListMetricStreamsCommand({}))).Entries!.length, 0);
});
