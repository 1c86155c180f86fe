// EventBridge through the AWS CLI v1 and v2 and boto3: rules, targets, PutEvents into SQS,
// TestEventPattern, and the pattern error as each client prints it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  test(`${label}: put-rule, put-targets, put-events deliver to SQS; test-event-pattern; a bad pattern fails`, async () => {
    const name = `cli-${label.replace(/\W/g, '')}`;
    const q = await aws('sqs', 'create-queue', '--queue-name', name);
    const url = q.json.QueueUrl as string;
    const arn = (await aws('sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'QueueArn')).json.Attributes
      .QueueArn as string;
    const rule = await aws('events', 'put-rule', '--name', name, '--event-pattern', '{"source":["cli.test"]}');
    assert.equal(rule.code, 0, rule.stderr);
    assert.equal(rule.json.RuleArn, `arn:aws:events:us-east-1:000000000000:rule/${name}`);
    const targets = await aws('events', 'put-targets', '--rule', name, '--targets', `Id=q,Arn=${arn}`);
    assert.equal(targets.json.FailedEntryCount, 0);
    const put = await aws(
      'events',
      'put-events',
      '--entries',
      JSON.stringify([{ Source: 'cli.test', DetailType: 'Ping', Detail: '{"n":1}' }]),
    );
    assert.equal(put.code, 0, put.stderr);
    assert.equal(put.json.FailedEntryCount, 0);
    const got = await aws('sqs', 'receive-message', '--queue-url', url);
    const event = JSON.parse(got.json.Messages[0].Body);
    assert.equal(event['detail-type'], 'Ping');
    assert.deepEqual(event.detail, { n: 1 });

    const tested = await aws(
      'events',
      'test-event-pattern',
      '--event-pattern',
      '{"source":["a"]}',
      '--event',
      JSON.stringify({
        id: '1',
        account: '000000000000',
        source: 'a',
        time: '2024-01-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        'detail-type': 'x',
        detail: {},
      }),
    );
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

for (const [label, cli] of [
  ['CLI v1', AWS_CLI_V1],
  ['CLI v2', AWS_CLI_V2],
] as const) {
  test(`${label}: put-permission shows in describe-event-bus; create-connection and create-api-destination; create-archive`, async () => {
    // CLI v1 would fetch an http(s) parameter's URL unless told not to
    const config = join(mkdtempSync(join(tmpdir(), 'nimbus-cli-')), 'config');
    writeFileSync(config, '[default]\ncli_follow_urlparam = false\n');
    const aws = async (...args: string[]) => {
      const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args], { AWS_CONFIG_FILE: config });
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const tag = label.replace(/\W/g, '').toLowerCase();
    const bus = await aws('events', 'create-event-bus', '--name', `bus-${tag}`);
    await aws(
      'events',
      'put-permission',
      '--event-bus-name',
      `bus-${tag}`,
      '--action',
      'events:PutEvents',
      '--principal',
      '111122223333',
      '--statement-id',
      'b',
    );
    const described = await aws('events', 'describe-event-bus', '--name', `bus-${tag}`);
    assert.equal(JSON.parse(described.Policy).Statement[0].Principal.AWS, 'arn:aws:iam::111122223333:root');
    const conn = await aws(
      'events',
      'create-connection',
      '--name',
      `conn-${tag}`,
      '--authorization-type',
      'API_KEY',
      '--auth-parameters',
      JSON.stringify({ ApiKeyAuthParameters: { ApiKeyName: 'x-key', ApiKeyValue: 'v' } }),
    );
    assert.equal(conn.ConnectionState, 'AUTHORIZED');
    const dest = await aws(
      'events',
      'create-api-destination',
      '--name',
      `dest-${tag}`,
      '--connection-arn',
      conn.ConnectionArn,
      '--invocation-endpoint',
      'https://example.invalid/hook',
      '--http-method',
      'POST',
      '--invocation-rate-limit-per-second',
      '10',
    );
    assert.equal(dest.ApiDestinationState, 'ACTIVE');
    const archive = await aws(
      'events',
      'create-archive',
      '--archive-name',
      `arch-${tag}`,
      '--event-source-arn',
      bus.EventBusArn,
      '--retention-days',
      '1',
    );
    assert.equal(archive.State, 'ENABLED');
    const listed = await aws('events', 'list-archives', '--name-prefix', `arch-${tag}`);
    assert.equal(listed.Archives[0].RetentionDays, 1);
  });
}

test('boto3: archive and replay, put_permission, a retry policy and dead-letter queue on a target', async () => {
  const script = `
import boto3, json, sys, datetime
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
eb = boto3.client("events", **kw); sqs = boto3.client("sqs", **kw)
url = sqs.create_queue(QueueName="boto-replay")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
bus = eb.create_event_bus(Name="boto-hist")["EventBusArn"]
eb.put_permission(EventBusName="boto-hist", Action="events:PutEvents", Principal="111122223333", StatementId="b")
archive = eb.create_archive(ArchiveName="boto-arch", EventSourceArn=bus)["ArchiveArn"]
start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
eb.put_events(Entries=[{"Source": "s", "DetailType": "d", "Detail": "{\\"n\\": 1}", "EventBusName": "boto-hist"}])
eb.put_rule(Name="r", EventBusName="boto-hist", EventPattern=json.dumps({"source": ["s"]}))
eb.put_targets(Rule="r", EventBusName="boto-hist", Targets=[{"Id": "q", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120}, "DeadLetterConfig": {"Arn": arn}}])
target = eb.list_targets_by_rule(Rule="r", EventBusName="boto-hist")["Targets"][0]
replay = eb.start_replay(ReplayName="boto-r", EventSourceArn=archive, EventStartTime=start, EventEndTime=datetime.datetime.now(datetime.timezone.utc), Destination={"Arn": bus})
print(json.dumps({"count": eb.describe_archive(ArchiveName="boto-arch")["EventCount"], "state": replay["State"],
  "retry": target["RetryPolicy"], "policy": json.loads(eb.describe_event_bus(Name="boto-hist")["Policy"])["Statement"][0]["Sid"]}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    count: 1,
    state: 'STARTING',
    retry: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 120 },
    policy: 'b',
  });
});
