// EventBridge through the AWS CLI v1 and v2 and boto3: rules, targets, PutEvents into SQS,
// TestEventPattern, and the pattern error as each client prints it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AWS_CLI_V1, AWS_CLI_V2, runCli, serverForFile } from '../helpers.js';

const nimbus = serverForFile();

for (const [label, cli] of [['CLI v1', AWS_CLI_V1], ['CLI v2', AWS_CLI_V2]] as const) {
  const aws = async (...args: string[]) => {
    const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
    return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
  };

  test(`${label}: put-rule, put-targets, put-events deliver to SQS; test-event-pattern; a bad pattern fails`, async () => {
    const name = `cli-${label.replace(/\W/g, '')}`;
    const q = await aws('sqs', 'create-queue', '--queue-name', name);
    const url = q.json.QueueUrl as string;
    const arn = (await aws('sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'QueueArn')).json.Attributes.QueueArn as string;
    const rule = await aws('events', 'put-rule', '--name', name, '--event-pattern', '{"source":["cli.test"]}');
    assert.equal(rule.code, 0, rule.stderr);
    assert.equal(rule.json.RuleArn, `arn:aws:events:us-east-1:000000000000:rule/${name}`);
    const targets = await aws('events', 'put-targets', '--rule', name, '--targets', `Id=q,Arn=${arn}`);
    assert.equal(targets.json.FailedEntryCount, 0);
    const put = await aws('events', 'put-events', '--entries', JSON.stringify([{ Source: 'cli.test', DetailType: 'Ping', Detail: '{"n":1}' }]));
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.json.FailedEntryCount, 0);
    const got = await aws('sqs', 'receive-message', '--queue-url', url);
    const event = JSON.parse(got.json.Messages[0].Body);
    assert.equal(event['detail-type'], 'Ping');
    assert.deepEqual(event.detail, { n: 1 });

    const tested = await aws('events', 'test-event-pattern', '--event-pattern', '{"source":["a"]}', '--event',
      JSON.stringify({ id: '1', account: '000000000000', source: 'a', time: '2024-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'x', detail: {} }));
    assert.equal(tested.json.Result, true);

    const bad = await aws('events', 'put-rule', '--name', 'bad', '--event-pattern', '{"source":"a"}');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidEventPatternException.*Event pattern is not valid\. Reason: /);
  });
}

test('boto3: a rule on a custom bus, put_events, list_targets_by_rule, and the ClientError code', async () => {
  const script = `
import boto3, json, sys
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
eb = boto3.client("events", **kw); sqs = boto3.client("sqs", **kw)
url = sqs.create_queue(QueueName="boto-eb")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
eb.create_event_bus(Name="boto-bus")
eb.put_rule(Name="r", EventBusName="boto-bus", EventPattern=json.dumps({"detail": {"kind": [{"prefix": "ord"}]}}))
eb.put_targets(Rule="r", EventBusName="boto-bus", Targets=[{"Id": "q", "Arn": arn, "InputPath": "$.detail"}])
out = eb.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": json.dumps({"kind": "order"}), "EventBusName": "boto-bus"},
                             {"Source": "s", "DetailType": "d", "Detail": json.dumps({"kind": "refund"}), "EventBusName": "boto-bus"}])
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
targets = eb.list_targets_by_rule(Rule="r", EventBusName="boto-bus")["Targets"]
try:
    eb.describe_rule(Name="nope")
    code = None
except eb.exceptions.ResourceNotFoundException as e:
    code = e.response["Error"]["Code"]
print(json.dumps({"failed": out["FailedEntryCount"], "bodies": [m["Body"] for m in msgs], "targets": [t["Id"] for t in targets], "code": code}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out, { failed: 0, bodies: ['{"kind":"order"}'], targets: ['q'], code: 'ResourceNotFoundException' });
});
