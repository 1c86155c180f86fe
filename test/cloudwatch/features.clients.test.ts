// Anomaly detection, metric streams and Contributor Insights through the AWS CLI v1 and v2 (query or
// JSON, as each botocore speaks it) and boto3: the band in get-metric-data, an anomaly alarm's
// validation, a stream's state, an insight rule's report over a log group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();
const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;

for (const [label, cli] of [
  ['CLI v1', AWS_CLI_V1],
  ['CLI v2', AWS_CLI_V2],
] as const) {
  test(`${label}: anomaly detectors, an anomaly alarm's error, metric streams, insight rules`, async () => {
    const tag = label.replace(' ', '');
    const aws = (...args: string[]) => runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
    let r = await aws('cloudwatch', 'put-anomaly-detector', '--namespace', `Cli/${tag}`, '--metric-name', 'Load', '--stat', 'Average');
    assert.equal(r.code, 0, r.stderr);
    r = await aws('cloudwatch', 'describe-anomaly-detectors', '--namespace', `Cli/${tag}`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      JSON.parse(r.stdout).AnomalyDetectors.map((d: { StateValue: string }) => d.StateValue),
      ['PENDING_TRAINING'],
    );
    r = await aws(
      'cloudwatch',
      'put-metric-alarm',
      '--alarm-name',
      'x',
      '--evaluation-periods',
      '1',
      '--comparison-operator',
      'GreaterThanUpperThreshold',
      '--metrics',
      JSON.stringify([{ Id: 'm1', MetricStat: { Metric: { Namespace: 'A', MetricName: 'B' }, Period: 60, Stat: 'Average' } }]),
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /ValidationError.*ComparisonOperators for ranges require ThresholdMetricId to be set/);
    r = await aws(
      'cloudwatch',
      'put-metric-stream',
      '--name',
      `s-${tag}`,
      '--firehose-arn',
      'arn:aws:firehose:us-east-1:000000000000:deliverystream/d',
      '--role-arn',
      'arn:aws:iam::000000000000:role/r',
      '--output-format',
      'json',
    );
    assert.equal(r.code, 0, r.stderr);
    r = await aws('cloudwatch', 'stop-metric-streams', '--names', `s-${tag}`);
    assert.equal(r.code, 0, r.stderr);
    r = await aws('cloudwatch', 'get-metric-stream', '--name', `s-${tag}`);
    assert.equal(JSON.parse(r.stdout).State, 'stopped');
    const def = JSON.stringify({
      Schema: { Name: 'CloudWatchLogRule', Version: 1 },
      LogGroupNames: ['/g'],
      LogFormat: 'JSON',
      Contribution: { Keys: ['$.ip'] },
      AggregateOn: 'Count',
    });
    r = await aws('cloudwatch', 'put-insight-rule', '--rule-name', `r-${tag}`, '--rule-definition', def);
    assert.equal(r.code, 0, r.stderr);
    r = await aws('cloudwatch', 'describe-insight-rules');
    assert.ok(JSON.parse(r.stdout).InsightRules.some((x: { Name: string }) => x.Name === `r-${tag}`));
  });
}

const PY = `
import boto3, sys, json, datetime
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
cw = boto3.client('cloudwatch', **kw)
logs = boto3.client('logs', **kw)
t0 = datetime.datetime.fromtimestamp(float(sys.argv[2]), datetime.timezone.utc)
cw.put_metric_data(Namespace='Py/Band', MetricData=[{'MetricName': 'x', 'Value': 10.0 + (i % 2) * 2, 'Timestamp': t0 + datetime.timedelta(minutes=i)} for i in range(10)])
d = cw.get_metric_data(MetricDataQueries=[{'Id': 'm1', 'MetricStat': {'Metric': {'Namespace': 'Py/Band', 'MetricName': 'x'}, 'Period': 60, 'Stat': 'Average'}}, {'Id': 'b', 'Expression': 'ANOMALY_DETECTION_BAND(m1, 1)'}],
  StartTime=t0 + datetime.timedelta(minutes=10), EndTime=t0 + datetime.timedelta(minutes=11))
logs.create_log_group(logGroupName='/py/ins')
logs.create_log_stream(logGroupName='/py/ins', logStreamName='s')
ms = int(t0.timestamp() * 1000)
logs.put_log_events(logGroupName='/py/ins', logStreamName='s', logEvents=[{'timestamp': ms + i, 'message': json.dumps({'u': 'a' if i < 3 else 'b'})} for i in range(4)])
cw.put_insight_rule(RuleName='py', RuleDefinition=json.dumps({'Schema': {'Name': 'CloudWatchLogRule', 'Version': 1}, 'LogGroupNames': ['/py/ins'], 'LogFormat': 'JSON', 'Contribution': {'Keys': ['$.u']}, 'AggregateOn': 'Count'}))
rep = cw.get_insight_rule_report(RuleName='py', StartTime=t0, EndTime=t0 + datetime.timedelta(minutes=1), Period=60)
print(json.dumps({'band': [(r['Label'], r['Values']) for r in d['MetricDataResults'] if r['Id'] == 'b'], 'top': [(c['Keys'], c['ApproximateAggregateValue']) for c in rep['Contributors']]}))
`;

test('boto3: ANOMALY_DETECTION_BAND in get_metric_data; get_insight_rule_report over a log group', async () => {
  const t = Math.floor((await now()) / 60_000) * 60_000 - 30 * 60_000;
  const { stdout } = await promisify(execFile)('python3', ['-c', PY, nimbus.url, String(t / 1000)], {
    env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
  });
  const out = JSON.parse(stdout);
  // ten values alternating 10 and 12: mean 11, σ 1
  assert.deepEqual(out.band, [
    ['x Lower', [10]],
    ['x Upper', [12]],
  ]);
  assert.deepEqual(out.top, [
    [['a'], 3],
    [['b'], 1],
  ]);
});
