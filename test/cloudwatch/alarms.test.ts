// CloudWatch alarms through SDK v3: evaluation on the virtual clock, SNS → SQS notifications with the
// message CloudWatch sends, M of N, missing data, metric math alarms, composite alarms, history,
// SetAlarmState, actions on and off, tags, dashboards, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  PutMetricDataCommand,
  PutMetricAlarmCommand,
  DescribeAlarmsCommand,
  DescribeAlarmHistoryCommand,
  SetAlarmStateCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  DeleteAlarmsCommand,
  PutCompositeAlarmCommand,
  DescribeAlarmsForMetricCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  GetDashboardCommand,
  ListDashboardsCommand,
  DeleteDashboardsCommand,
} from '@aws-sdk/client-cloudwatch';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let cw: CloudWatchClient;
let sns: SNSClient;
let sqs: SQSClient;
const nimbus = serverForFile(() => {
  cw = new CloudWatchClient(clientConfig(nimbus.url));
  sns = new SNSClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
});

async function now(): Promise<number> {
  const state = (await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number };
  return state.epochMs;
}
async function topicToQueue(name: string) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn }));
  return { topic: TopicArn!, queue: QueueUrl! };
}
async function receive(queue: string) {
  for (let i = 0; i < 50; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (out.Messages?.length) return out.Messages.map((m) => JSON.parse(m.Body!) as { Subject: string; Message: string });
    await new Promise((r) => setTimeout(r, 20));
  }
  return [];
}
const state = async (name: string, types?: Array<'MetricAlarm' | 'CompositeAlarm'>) => {
  const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: types }));
  return [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])][0];
};

test("an Errors alarm goes to ALARM when the clock passes the period, and SNS delivers CloudWatch's message to SQS", async () => {
  const { topic, queue } = await topicToQueue('alarm-topic');
  const Dimensions = [{ Name: 'FunctionName', Value: 'fn' }];
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'errors',
      AlarmDescription: 'too many errors',
      Namespace: 'App/Lambda',
      MetricName: 'Errors',
      Dimensions,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
      OKActions: [topic],
    }),
  );
  const created = await state('errors');
  assert.equal(created.StateValue, 'INSUFFICIENT_DATA');
  assert.equal(created.StateReason, 'Unchecked: Initial alarm creation');
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'App/Lambda',
      MetricData: [{ MetricName: 'Errors', Dimensions, Value: 3, Timestamp: new Date(await now()) }],
    }),
  );
  await advanceClock(nimbus.url, '60s');
  const fired = await state('errors');
  assert.equal(fired.StateValue, 'ALARM');
  assert.match(
    fired.StateReason!,
    /^Threshold Crossed: 1 datapoint \[3\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:00\)\] was greater than or equal to the threshold \(1\.0\)\.$/,
  );
  const data = JSON.parse(fired.StateReasonData!);
  assert.deepEqual(data.recentDatapoints, [3]);
  assert.equal(data.statistic, 'Sum');
  const [note] = await receive(queue);
  assert.equal(note.Subject, 'ALARM: "errors" in US East (N. Virginia)');
  const msg = JSON.parse(note.Message);
  assert.equal(msg.AlarmName, 'errors');
  assert.equal(msg.AlarmDescription, 'too many errors');
  assert.equal(msg.NewStateValue, 'ALARM');
  assert.equal(msg.OldStateValue, 'INSUFFICIENT_DATA');
  assert.equal(msg.AWSAccountId, '000000000000');
  assert.equal(msg.Region, 'US East (N. Virginia)');
  assert.match(msg.StateChangeTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  assert.deepEqual(msg.Trigger.Dimensions, [{ value: 'fn', name: 'FunctionName' }]);
  assert.equal(msg.Trigger.Statistic, 'SUM');
  assert.equal(msg.Trigger.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
  // the next minute has no data: missing data (the default) makes it INSUFFICIENT_DATA
  await advanceClock(nimbus.url, '60s');
  assert.equal((await state('errors')).StateValue, 'INSUFFICIENT_DATA');
  const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'errors' }));
  const summaries = history.AlarmHistoryItems!.map((h) => h.HistorySummary);
  assert.ok(summaries.includes('Alarm updated from INSUFFICIENT_DATA to ALARM'), summaries.join('|'));
  assert.ok(summaries.includes('Alarm "errors" created'));
  assert.ok(summaries.includes(`Successfully executed action ${topic}`));
  const updates = await cw.send(
    new DescribeAlarmHistoryCommand({ AlarmName: 'errors', HistoryItemType: 'StateUpdate', ScanBy: 'TimestampAscending' }),
  );
  assert.deepEqual(
    updates.AlarmHistoryItems!.map((h) => h.HistorySummary),
    ['Alarm updated from INSUFFICIENT_DATA to ALARM', 'Alarm updated from ALARM to INSUFFICIENT_DATA'],
  );
});

test('M out of N with notBreaching missing data; a metric math alarm; DescribeAlarmsForMetric', async () => {
  const t = Math.floor((await now()) / 60_000) * 60_000;
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'two-of-three',
      Namespace: 'App/Q',
      MetricName: 'Depth',
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    }),
  );
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'ratio',
      EvaluationPeriods: 1,
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: [
        { Id: 'e', Expression: 'bad / total', Label: 'error ratio' },
        { Id: 'bad', MetricStat: { Metric: { Namespace: 'App/Q', MetricName: 'Bad' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'total', MetricStat: { Metric: { Namespace: 'App/Q', MetricName: 'Total' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
      ],
    }),
  );
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'App/Q',
      MetricData: [
        { MetricName: 'Depth', Value: 20, Timestamp: new Date(t) },
        { MetricName: 'Bad', Value: 3, Timestamp: new Date(t) },
        { MetricName: 'Total', Value: 4, Timestamp: new Date(t) },
      ],
    }),
  );
  await advanceClock(nimbus.url, '60s');
  assert.equal((await state('two-of-three')).StateValue, 'OK', 'one breaching point of the two needed');
  assert.equal((await state('ratio')).StateValue, 'ALARM');
  await cw.send(
    new PutMetricDataCommand({ Namespace: 'App/Q', MetricData: [{ MetricName: 'Depth', Value: 30, Timestamp: new Date(t + 60_000) }] }),
  );
  await advanceClock(nimbus.url, '60s');
  const two = await state('two-of-three');
  assert.equal(two.StateValue, 'ALARM');
  assert.match(two.StateReason!, /^Threshold Crossed: 2 out of the last 3 datapoints/);
  const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: 'App/Q', MetricName: 'Bad' }));
  assert.deepEqual(
    forMetric.MetricAlarms!.map((a) => a.AlarmName),
    ['ratio'],
  );
});

test('composite alarms follow their children; SetAlarmState, actions off, filters, tags, delete', async () => {
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'child-a',
      Namespace: 'App/C',
      MetricName: 'A',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'child-b',
      Namespace: 'App/C',
      MetricName: 'B',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await cw.send(
    new PutCompositeAlarmCommand({
      AlarmName: 'parent',
      AlarmRule: 'ALARM("child-a") AND NOT OK(child-b)',
      Tags: [{ Key: 'team', Value: 'x' }],
    }),
  );
  await cw.send(new SetAlarmStateCommand({ AlarmName: 'child-a', StateValue: 'ALARM', StateReason: 'testing' }));
  assert.equal((await state('child-a')).StateReason, 'testing');
  assert.equal((await state('parent', ['CompositeAlarm'])).StateValue, 'ALARM');
  await cw.send(new SetAlarmStateCommand({ AlarmName: 'child-b', StateValue: 'OK', StateReason: 'fine' }));
  assert.equal((await state('parent', ['CompositeAlarm'])).StateValue, 'OK');
  const children = await cw.send(new DescribeAlarmsCommand({ ChildrenOfAlarmName: 'parent' }));
  assert.deepEqual(
    children.MetricAlarms!.map((a) => a.AlarmName),
    ['child-a', 'child-b'],
  );
  const parents = await cw.send(new DescribeAlarmsCommand({ ParentsOfAlarmName: 'child-a' }));
  assert.deepEqual(
    parents.CompositeAlarms!.map((a) => a.AlarmName),
    ['parent'],
  );
  const inAlarm = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'child-', StateValue: 'ALARM' }));
  assert.deepEqual(
    inAlarm.MetricAlarms!.map((a) => a.AlarmName),
    ['child-a'],
  );
  assert.equal(
    (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['parent'] }))).MetricAlarms!.length,
    0,
    'composite alarms only when asked for',
  );
  await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['child-a'] }));
  assert.equal((await state('child-a')).ActionsEnabled, false);
  await cw.send(new EnableAlarmActionsCommand({ AlarmNames: ['child-a'] }));
  assert.equal((await state('child-a')).ActionsEnabled, true);
  const arn = (await state('parent', ['CompositeAlarm'])).AlarmArn!;
  assert.equal(arn, 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:parent');
  await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'env', Value: 'dev' }] }));
  await cw.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['team'] }));
  assert.deepEqual((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags, [{ Key: 'env', Value: 'dev' }]);
  await assert.rejects(cw.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:nope' })), {
    name: 'ResourceNotFoundException',
  });
  await assert.rejects(
    cw.send(new PutCompositeAlarmCommand({ AlarmName: 'p2', AlarmRule: 'ALARM(ghost)' })),
    /Could not save the composite alarm as alarms \[ghost\] in the alarm rule do not exist/,
  );
  await assert.rejects(cw.send(new PutCompositeAlarmCommand({ AlarmName: 'p2', AlarmRule: 'ALARM(child-a) AND' })), /Invalid AlarmRule/);
  await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['parent'] }));
  assert.equal(await state('parent', ['CompositeAlarm']), undefined);
  await assert.rejects(cw.send(new SetAlarmStateCommand({ AlarmName: 'parent', StateValue: 'OK', StateReason: 'x' })), {
    name: 'ResourceNotFound',
  });
});

test('DescribeAlarms pages by MaxRecords and NextToken', async () => {
  for (let i = 0; i < 5; i++) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: `page-${i}`,
        Namespace: 'App/P',
        MetricName: 'M',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }
  const names: string[] = [];
  let NextToken: string | undefined;
  let pages = 0;
  do {
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', MaxRecords: 2, NextToken }));
    names.push(...out.MetricAlarms!.map((a) => a.AlarmName!));
    NextToken = out.NextToken;
    pages++;
  } while (NextToken);
  assert.deepEqual(names, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
  assert.equal(pages, 3);
});

test('PutMetricAlarm bad input: AWS errors', async () => {
  const base = {
    AlarmName: 'bad',
    Namespace: 'App/B',
    MetricName: 'M',
    Statistic: 'Sum' as const,
    Period: 60,
    EvaluationPeriods: 2,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanThreshold' as const,
  };
  await assert.rejects(
    cw.send(new PutMetricAlarmCommand({ ...base, DatapointsToAlarm: 3 })),
    /DatapointsToAlarm must be less than or equal to EvaluationPeriods/,
  );
  await assert.rejects(cw.send(new PutMetricAlarmCommand({ ...base, Period: 45 })), /Period must be 10, 30 or a multiple of 60/);
  await assert.rejects(cw.send(new PutMetricAlarmCommand({ ...base, TreatMissingData: 'sometimes' })), /TreatMissingData is invalid/);
  await assert.rejects(cw.send(new PutMetricAlarmCommand({ ...base, AlarmActions: ['not-an-arn'] })), /Invalid arn syntax: not-an-arn/);
  await assert.rejects(cw.send(new PutMetricAlarmCommand({ ...base, Statistic: undefined })), {
    name: 'MissingRequiredParameterException',
  });
  await assert.rejects(
    cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'bad',
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: [
          { Id: 'a', MetricStat: { Metric: { Namespace: 'x', MetricName: 'y' }, Period: 60, Stat: 'Sum' } },
          { Id: 'b', Expression: 'a * 2' },
        ],
      }),
    ),
    /Exactly one element of the metrics list should return data/,
  );
});

test('dashboards: put, get, list by prefix, delete; bad bodies answered with DashboardValidationMessages', async () => {
  const body = JSON.stringify({ widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 3, properties: { markdown: '# hi' } }] });
  const put = await cw.send(new PutDashboardCommand({ DashboardName: 'ops-main', DashboardBody: body }));
  assert.deepEqual(put.DashboardValidationMessages, []);
  await cw.send(new PutDashboardCommand({ DashboardName: 'other', DashboardBody: body }));
  const got = await cw.send(new GetDashboardCommand({ DashboardName: 'ops-main' }));
  assert.equal(got.DashboardBody, body);
  assert.equal(got.DashboardArn, 'arn:aws:cloudwatch::000000000000:dashboard/ops-main');
  const list = await cw.send(new ListDashboardsCommand({ DashboardNamePrefix: 'ops' }));
  assert.deepEqual(
    list.DashboardEntries!.map((d) => [d.DashboardName, d.Size]),
    [['ops-main', Buffer.byteLength(body)]],
  );
  const bad = await cw
    .send(new PutDashboardCommand({ DashboardName: 'bad', DashboardBody: JSON.stringify({ widgets: [{ type: 'pie' }] }) }))
    .catch((e) => e);
  assert.equal(bad.name, 'DashboardInvalidInputError');
  assert.deepEqual(bad.dashboardValidationMessages, [
    { DataPath: '/widgets/0/type', Message: 'Should be equal to one of the allowed values [metric, text, log, alarm, explorer, custom]' },
    { DataPath: '/widgets/0', Message: "Should have required property 'properties'" },
  ]);
  await cw.send(new DeleteDashboardsCommand({ DashboardNames: ['ops-main', 'other'] }));
  // the query-compatible error code (x-amzn-query-error) names it as the SDK reports it
  await assert.rejects(cw.send(new GetDashboardCommand({ DashboardName: 'ops-main' })), {
    name: 'ResourceNotFound',
    message: 'Dashboard ops-main does not exist',
  });
});
