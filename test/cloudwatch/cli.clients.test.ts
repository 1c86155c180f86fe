// CloudWatch through the clients people use: the AWS CLI v1 and v2 and boto3 (query or JSON, as each
// botocore speaks it) — put-metric-data, get-metric-statistics, put-metric-alarm, describe-alarms —
// and a raw Smithy RPC v2 CBOR request as current SDKs send it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { encode, decode } from 'cbor-x';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2, advanceClock } from '../helpers.js';

const nimbus = serverForFile();
const now = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
const minute = (t: number) => new Date(Math.floor(t / 60_000) * 60_000).toISOString();

for (const [label, cli] of [
  ['CLI v1', AWS_CLI_V1],
  ['CLI v2', AWS_CLI_V2],
] as const) {
  test(`${label}: put-metric-data, get-metric-statistics, put-metric-alarm, describe-alarms, errors`, async () => {
    const ns = `Cli/${label.replace(' ', '')}`;
    const aws = (...args: string[]) => runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', 'cloudwatch', ...args]);
    const t = minute((await now()) - 5 * 60_000);
    let r = await aws(
      'put-metric-data',
      '--namespace',
      ns,
      '--metric-name',
      'Latency',
      '--value',
      '12',
      '--unit',
      'Milliseconds',
      '--timestamp',
      t,
      '--dimensions',
      'Api=orders',
    );
    assert.equal(r.code, 0, r.stderr);
    r = await aws(
      'put-metric-data',
      '--namespace',
      ns,
      '--metric-name',
      'Latency',
      '--statistic-values',
      'Sum=30,Minimum=10,Maximum=20,SampleCount=2',
      '--unit',
      'Milliseconds',
      '--timestamp',
      t,
      '--dimensions',
      'Api=orders',
    );
    assert.equal(r.code, 0, r.stderr);
    r = await aws(
      'get-metric-statistics',
      '--namespace',
      ns,
      '--metric-name',
      'Latency',
      '--dimensions',
      'Name=Api,Value=orders',
      '--start-time',
      minute((await now()) - 3600_000),
      '--end-time',
      minute((await now()) + 60_000),
      '--period',
      '60',
      '--statistics',
      'Sum',
      'SampleCount',
      'Maximum',
    );
    assert.equal(r.code, 0, r.stderr);
    const stats = JSON.parse(r.stdout);
    assert.equal(stats.Label, 'Latency');
    assert.equal(stats.Datapoints.length, 1);
    assert.equal(stats.Datapoints[0].Sum, 42);
    assert.equal(stats.Datapoints[0].SampleCount, 3);
    assert.equal(stats.Datapoints[0].Maximum, 20);
    assert.equal(stats.Datapoints[0].Unit, 'Milliseconds');
    r = await aws(
      'put-metric-alarm',
      '--alarm-name',
      `${ns}-high`,
      '--namespace',
      ns,
      '--metric-name',
      'Latency',
      '--dimensions',
      'Name=Api,Value=orders',
      '--statistic',
      'Maximum',
      '--period',
      '60',
      '--evaluation-periods',
      '1',
      '--threshold',
      '15',
      '--comparison-operator',
      'GreaterThanThreshold',
    );
    assert.equal(r.code, 0, r.stderr);
    r = await aws('describe-alarms', '--alarm-name-prefix', ns);
    assert.equal(r.code, 0, r.stderr);
    const alarms = JSON.parse(r.stdout).MetricAlarms;
    assert.equal(alarms.length, 1);
    assert.equal(alarms[0].StateValue, 'INSUFFICIENT_DATA');
    assert.deepEqual(alarms[0].Dimensions, [{ Name: 'Api', Value: 'orders' }]);
    r = await aws('put-metric-data', '--namespace', 'AWS/EC2', '--metric-name', 'x', '--value', '1');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidParameterValue/);
    assert.match(r.stderr, /The value AWS\/EC2 for parameter Namespace is invalid/);
    r = await aws(
      'get-metric-statistics',
      '--namespace',
      ns,
      '--metric-name',
      'Latency',
      '--start-time',
      minute((await now()) - 86_400_000),
      '--end-time',
      minute(await now()),
      '--period',
      '1',
      '--statistics',
      'Sum',
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /InvalidParameterCombination/);
    assert.match(r.stderr, /exceeds the limit of 1440/);
  });
}

const PY = String.raw`
import boto3, json, sys, datetime
url, t = sys.argv[1], float(sys.argv[2])
cw = boto3.client('cloudwatch', endpoint_url=url, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
cw.put_metric_data(Namespace='Py/App', MetricData=[{'MetricName': 'Jobs', 'Values': [1, 2, 3], 'Counts': [1, 1, 2], 'Timestamp': ts}])
s = cw.get_metric_statistics(Namespace='Py/App', MetricName='Jobs', StartTime=ts - datetime.timedelta(minutes=5), EndTime=ts + datetime.timedelta(minutes=5), Period=300, Statistics=['Sum'])
p = cw.get_metric_statistics(Namespace='Py/App', MetricName='Jobs', StartTime=ts - datetime.timedelta(minutes=5), EndTime=ts + datetime.timedelta(minutes=5), Period=300, ExtendedStatistics=['p50'])
cw.put_metric_alarm(AlarmName='py-jobs', Namespace='Py/App', MetricName='Jobs', Statistic='Sum', Period=60, EvaluationPeriods=1, Threshold=5, ComparisonOperator='GreaterThanThreshold')
a = cw.describe_alarms(AlarmNames=['py-jobs'])
d = cw.get_metric_data(MetricDataQueries=[{'Id': 'm', 'MetricStat': {'Metric': {'Namespace': 'Py/App', 'MetricName': 'Jobs'}, 'Period': 60, 'Stat': 'Sum'}}, {'Id': 'e', 'Expression': 'm * 10'}], StartTime=ts - datetime.timedelta(minutes=5), EndTime=ts + datetime.timedelta(minutes=5))
try:
    cw.put_metric_alarm(AlarmName='py-bad', Namespace='Py/App', MetricName='Jobs', Statistic='Sum', Period=60, EvaluationPeriods=1, DatapointsToAlarm=2, Threshold=5, ComparisonOperator='GreaterThanThreshold')
    err = None
except Exception as e:
    err = e.response['Error']['Code']
print(json.dumps({'dp': s['Datapoints'], 'pct': p['Datapoints'], 'alarm': a['MetricAlarms'][0]['StateValue'], 'math': {r['Id']: r['Values'] for r in d['MetricDataResults']}, 'err': err}, default=str))
`;

test('boto3: Values/Counts, statistics with a percentile, an alarm, GetMetricData with math, an error code', async () => {
  const t = Math.floor((await now()) / 60_000) * 60_000 - 120_000;
  const { stdout } = await promisify(execFile)('python3', ['-c', PY, nimbus.url, String(t / 1000)], {
    env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
  });
  const out = JSON.parse(stdout);
  assert.equal(out.dp.length, 1);
  assert.equal(out.dp[0].Sum, 9);
  assert.deepEqual(out.pct[0].ExtendedStatistics, { p50: 2 });
  assert.equal(out.alarm, 'INSUFFICIENT_DATA');
  assert.deepEqual(out.math, { m: [9], e: [90] });
  assert.match(out.err, /^Validation/);
});

test('Smithy RPC v2 CBOR: PutMetricData and GetMetricStatistics in CBOR, as current SDK v3 clients send them', async () => {
  const amz = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const headers = {
    'smithy-protocol': 'rpc-v2-cbor',
    'content-type': 'application/cbor',
    accept: 'application/cbor',
    'x-amz-date': amz,
    authorization: `AWS4-HMAC-SHA256 Credential=test/${amz.slice(0, 8)}/us-east-1/monitoring/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
  };
  const call = async (op: string, input: unknown) => {
    const res = await fetch(`${nimbus.url}/service/GraniteServiceVersion20100801/operation/${op}`, {
      method: 'POST',
      headers,
      body: new Uint8Array(encode(input)),
    });
    const buf = Buffer.from(await res.arrayBuffer());
    return { status: res.status, body: buf.length ? decode(buf) : {}, headers: res.headers };
  };
  const t = Math.floor((await now()) / 60_000) * 60_000;
  let r = await call('PutMetricData', { Namespace: 'Cbor/App', MetricData: [{ MetricName: 'n', Value: 7, Timestamp: new Date(t) }] });
  assert.equal(r.status, 200);
  r = await call('GetMetricStatistics', {
    Namespace: 'Cbor/App',
    MetricName: 'n',
    StartTime: new Date(t - 60_000),
    EndTime: new Date(t + 60_000),
    Period: 60,
    Statistics: ['Sum'],
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.Datapoints[0].Sum, 7);
  r = await call('PutMetricData', { Namespace: 'AWS/Nope', MetricData: [{ MetricName: 'n', Value: 1 }] });
  assert.equal(r.status, 400);
  assert.equal(r.headers.get('x-amzn-query-error'), 'InvalidParameterValue;Sender');
  await advanceClock(nimbus.url, '1m');
});
