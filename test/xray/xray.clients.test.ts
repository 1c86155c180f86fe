// X-Ray through the AWS CLI v1 and v2 and boto3: segments put, summarized with a filter expression
// and seen in the service graph; sampling rules; a bad filter expression's error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { AWS_CLI_V1, AWS_CLI_V2, runCli, serverForFile } from '../helpers.js';

const nimbus = serverForFile();

for (const [label, cli] of [
  ['CLI v1', AWS_CLI_V1],
  ['CLI v2', AWS_CLI_V2],
] as const) {
  const aws = async (...args: string[]) => {
    const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
    return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
  };

  test(`${label}: put-trace-segments, get-trace-summaries with a filter, get-service-graph; a bad segment is unprocessed`, async () => {
    const name = `cli-${label.replace(/\W/g, '')}`;
    const now = Date.now() / 1000;
    const traceId = `1-${Math.floor(now).toString(16)}-${randomBytes(12).toString('hex')}`;
    const doc = JSON.stringify({
      id: randomBytes(8).toString('hex'),
      trace_id: traceId,
      name,
      start_time: now,
      end_time: now + 2,
      fault: true,
      subsegments: [{ id: randomBytes(8).toString('hex'), name: 'S3', namespace: 'aws', start_time: now, end_time: now + 1 }],
    });
    const bad = JSON.stringify({ id: 'nothex', trace_id: traceId, name, start_time: now, end_time: now + 1 });
    const put = await aws('xray', 'put-trace-segments', '--trace-segment-documents', doc, bad);
    assert.equal(put.code, 0, put.stderr);
    assert.deepEqual(
      put.json.UnprocessedTraceSegments.map((u: { ErrorCode: string }) => u.ErrorCode),
      ['InvalidId'],
    );
    const window = ['--start-time', String(Math.floor(now - 600)), '--end-time', String(Math.ceil(now + 600))];
    const sums = await aws('xray', 'get-trace-summaries', ...window, '--filter-expression', `service("${name}") AND responsetime > 1`);
    assert.equal(sums.code, 0, sums.stderr);
    assert.deepEqual(
      sums.json.TraceSummaries.map((s: { Id: string }) => s.Id),
      [traceId],
    );
    const graph = await aws('xray', 'get-service-graph', ...window);
    const node = graph.json.Services.find((s: { Name: string }) => s.Name === name);
    const s3 = graph.json.Services.find((s: { Name: string }) => s.Name === 'S3');
    assert.equal(node.Edges[0].ReferenceId, s3.ReferenceId);
    const badFilter = await aws('xray', 'get-trace-summaries', ...window, '--filter-expression', 'responsetime >');
    assert.notEqual(badFilter.code, 0);
    assert.match(badFilter.stderr, /InvalidRequestException/);
  });
}

test('boto3: sampling rules with the Default rule, a created rule, targets; a bad group filter is InvalidRequestException', async () => {
  const script = `
import boto3, json, sys, datetime
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
xr = boto3.client("xray", **kw)
xr.create_sampling_rule(SamplingRule={"RuleName": "boto", "ResourceARN": "*", "Priority": 5, "FixedRate": 0.1, "ReservoirSize": 3,
    "ServiceName": "*", "ServiceType": "*", "Host": "*", "HTTPMethod": "*", "URLPath": "*", "Version": 1})
rules = sorted(r["SamplingRule"]["RuleName"] for r in xr.get_sampling_rules()["SamplingRuleRecords"])
targets = xr.get_sampling_targets(SamplingStatisticsDocuments=[{"RuleName": "boto", "ClientID": "a" * 24,
    "Timestamp": datetime.datetime.now(datetime.timezone.utc), "RequestCount": 5, "SampledCount": 1}])["SamplingTargetDocuments"]
try:
    xr.create_group(GroupName="g", FilterExpression="annotation.x =")
    bad = None
except xr.exceptions.InvalidRequestException as e:
    bad = e.response["Error"]["Code"]
print(json.dumps({"rules": rules, "quota": targets[0]["ReservoirQuota"], "bad": bad}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { rules: ['Default', 'boto'], quota: 3, bad: 'InvalidRequestException' });
});
