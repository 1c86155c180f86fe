// Contributor Insights through SDK v3: rules over CloudWatch Logs groups (JSON and CLF), described,
// disabled and enabled, deleted with partial failures; GetInsightRuleReport answers the top
// contributors per period with Count and Sum, Filters applied; CloudWatch's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as C from '@aws-sdk/client-cloudwatch';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { serverForFile, clientConfig } from '../helpers.js';

let cw: C.CloudWatchClient;
let logs: L.CloudWatchLogsClient;
const nimbus = serverForFile(async () => {
  cw = new C.CloudWatchClient(clientConfig(nimbus.url));
  logs = new L.CloudWatchLogsClient(clientConfig(nimbus.url));
});

const MIN = 60_000;
const clockMs = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;

async function group(name: string, messages: Array<[number, string]>) {
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: name }));
  await logs.send(new L.CreateLogStreamCommand({ logGroupName: name, logStreamName: 's' }));
  await logs.send(
    new L.PutLogEventsCommand({
      logGroupName: name,
      logStreamName: 's',
      logEvents: messages.map(([timestamp, message]) => ({ timestamp, message })),
    }),
  );
}

test('a JSON rule reports the top contributors per period, Count and Sum, with filters', async () => {
  const t0 = Math.floor((await clockMs()) / MIN) * MIN - 10 * MIN;
  const ev = (ip: string, bytes: number, status: number) => JSON.stringify({ ip, bytes, status });
  await group('/app/access', [
    [t0, ev('10.0.0.1', 100, 200)],
    [t0 + 1000, ev('10.0.0.1', 50, 200)],
    [t0 + 2000, ev('10.0.0.2', 500, 200)],
    [t0 + MIN, ev('10.0.0.1', 10, 200)],
    [t0 + MIN + 1, ev('10.0.0.3', 5, 500)],
    [t0 + MIN + 2, 'not json'],
  ]);
  const rule = (aggregate: string, extra: object = {}) =>
    JSON.stringify({
      Schema: { Name: 'CloudWatchLogRule', Version: 1 },
      LogGroupNames: ['/app/access'],
      LogFormat: 'JSON',
      Contribution: { Keys: ['$.ip'], ...(aggregate === 'Sum' ? { ValueOf: '$.bytes' } : {}), ...extra },
      AggregateOn: aggregate,
    });
  await cw.send(new C.PutInsightRuleCommand({ RuleName: 'by-ip', RuleDefinition: rule('Count'), Tags: [{ Key: 'k', Value: 'v' }] }));
  assert.deepEqual(
    (await cw.send(new C.ListTagsForResourceCommand({ ResourceARN: 'arn:aws:cloudwatch:us-east-1:000000000000:insight-rule/by-ip' }))).Tags,
    [{ Key: 'k', Value: 'v' }],
  );
  await cw.send(
    new C.PutInsightRuleCommand({
      RuleName: 'bytes-ok',
      RuleDefinition: rule('Sum', { Filters: [{ Match: '$.status', In: [200] }] }),
      RuleState: 'DISABLED',
    }),
  );
  const rules = (await cw.send(new C.DescribeInsightRulesCommand({}))).InsightRules!;
  assert.deepEqual(
    rules.map((r) => [r.Name, r.State, r.Schema]),
    [
      ['by-ip', 'ENABLED', 'CloudWatchLogRule/1'],
      ['bytes-ok', 'DISABLED', 'CloudWatchLogRule/1'],
    ],
  );

  const range = { StartTime: new Date(t0), EndTime: new Date(t0 + 2 * MIN), Period: 60 };
  const count = await cw.send(new C.GetInsightRuleReportCommand({ RuleName: 'by-ip', ...range }));
  assert.deepEqual(count.KeyLabels, ['$.ip']);
  assert.equal(count.AggregationStatistic, 'Count');
  assert.equal(count.AggregateValue, 5);
  assert.equal(count.ApproximateUniqueCount, 3);
  assert.deepEqual(count.Contributors![0].Keys, ['10.0.0.1']);
  assert.deepEqual(
    count.Contributors![0].Datapoints!.map((d) => [d.Timestamp!.getTime() - t0, d.ApproximateValue]),
    [
      [0, 2],
      [MIN, 1],
    ],
  );
  assert.deepEqual(
    count.MetricDatapoints!.map((d) => [d.UniqueContributors, d.MaxContributorValue, d.SampleCount]),
    [
      [2, 2, 3],
      [2, 1, 2],
    ],
  );

  const sum = await cw.send(
    new C.GetInsightRuleReportCommand({ RuleName: 'bytes-ok', ...range, MaxContributorCount: 1, Metrics: ['Sum'] }),
  );
  assert.equal(sum.AggregateValue, 660, 'the 500 status is filtered out');
  assert.deepEqual(
    sum.Contributors!.map((c) => [c.Keys, c.ApproximateAggregateValue]),
    [[['10.0.0.2'], 500]],
  );
  assert.deepEqual(
    sum.MetricDatapoints!.map((d) => [d.Sum, d.SampleCount]),
    [
      [650, undefined],
      [10, undefined],
    ],
  );

  await cw.send(new C.EnableInsightRulesCommand({ RuleNames: ['bytes-ok'] }));
  const del = await cw.send(new C.DeleteInsightRulesCommand({ RuleNames: ['by-ip', 'bytes-ok', 'ghost'] }));
  assert.deepEqual(
    del.Failures!.map((f) => [f.FailureResource, f.ExceptionType]),
    [['ghost', 'ResourceNotFoundException']],
  );
  assert.equal((await cw.send(new C.DescribeInsightRulesCommand({}))).InsightRules!.length, 0);
});

test("a CLF rule names fields by position; bad rules and unknown rules answer CloudWatch's errors", async () => {
  const t0 = Math.floor((await clockMs()) / MIN) * MIN - 5 * MIN;
  await group('/web/clf', [
    [t0, '192.0.2.1 - alice [10/Oct/2026:13:55:36 +0000] "GET /a HTTP/1.1" 200 2326'],
    [t0 + 1, '192.0.2.1 - alice [10/Oct/2026:13:55:37 +0000] "GET /b HTTP/1.1" 404 10'],
    [t0 + 2, '192.0.2.9 - bob [10/Oct/2026:13:55:38 +0000] "GET /a HTTP/1.1" 200 7'],
  ]);
  await cw.send(
    new C.PutInsightRuleCommand({
      RuleName: 'clf',
      RuleDefinition: JSON.stringify({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: ['/web/clf'],
        LogFormat: 'CLF',
        Fields: { 1: 'client', 3: 'user', 5: 'request', 6: 'status', 7: 'size' },
        Contribution: { Keys: ['user', 'status'], ValueOf: 'size', Filters: [{ Match: 'request', StartsWith: ['GET /a'] }] },
        AggregateOn: 'Sum',
      }),
    }),
  );
  const r = await cw.send(
    new C.GetInsightRuleReportCommand({ RuleName: 'clf', StartTime: new Date(t0), EndTime: new Date(t0 + MIN), Period: 60 }),
  );
  assert.deepEqual(
    r.Contributors!.map((c) => [c.Keys, c.ApproximateAggregateValue]),
    [
      [['alice', '200'], 2326],
      [['bob', '200'], 7],
    ],
  );

  const bad = (def: object) =>
    cw.send(
      new C.PutInsightRuleCommand({
        RuleName: 'bad',
        RuleDefinition: JSON.stringify({
          Schema: { Name: 'CloudWatchLogRule', Version: 1 },
          LogGroupNames: ['/x'],
          LogFormat: 'JSON',
          Contribution: { Keys: ['$.a'] },
          AggregateOn: 'Count',
          ...def,
        }),
      }),
    );
  await assert.rejects(bad({ AggregateOn: 'Sum' }), { name: 'InvalidParameterValueException' });
  await assert.rejects(bad({ LogFormat: 'XML' }), { name: 'InvalidParameterValueException' });
  await assert.rejects(bad({ Contribution: { Keys: [] } }), { name: 'InvalidParameterValueException' });
  await assert.rejects(
    cw.send(new C.GetInsightRuleReportCommand({ RuleName: 'ghost', StartTime: new Date(t0), EndTime: new Date(t0 + MIN), Period: 60 })),
    { name: 'ResourceNotFoundException' },
  );
  await cw.send(new C.DeleteInsightRulesCommand({ RuleNames: ['clf'] }));
});
