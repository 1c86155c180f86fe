// Scheduler through the AWS CLI v1 and v2 and boto3: a schedule firing into SQS when the clock is
// advanced, a cron schedule in a time zone, a bad expression's error as each client prints it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AWS_CLI_V1, AWS_CLI_V2, advanceClock, runCli, serverForFile } from '../helpers.js';

const nimbus = serverForFile();
const ROLE = 'arn:aws:iam::000000000000:role/scheduler';

for (const [label, cli] of [
  ['CLI v1', AWS_CLI_V1],
  ['CLI v2', AWS_CLI_V2],
] as const) {
  const aws = async (...args: string[]) => {
    const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
    return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
  };

  test(`${label}: create-schedule fires into SQS after an advance; get/list; a bad expression fails`, async () => {
    const name = `cli-${label.replace(/\W/g, '')}`;
    const url = (await aws('sqs', 'create-queue', '--queue-name', name)).json.QueueUrl as string;
    const arn = (await aws('sqs', 'get-queue-attributes', '--queue-url', url, '--attribute-names', 'QueueArn')).json.Attributes
      .QueueArn as string;
    const created = await aws(
      'scheduler',
      'create-schedule',
      '--name',
      name,
      '--schedule-expression',
      'rate(1 hour)',
      '--flexible-time-window',
      'Mode=OFF',
      '--target',
      JSON.stringify({ Arn: arn, RoleArn: ROLE, Input: '{"from":"cli"}' }),
    );
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.ScheduleArn, `arn:aws:scheduler:us-east-1:000000000000:schedule/default/${name}`);
    const got = await aws('scheduler', 'get-schedule', '--name', name);
    assert.equal(got.json.ScheduleExpression, 'rate(1 hour)');
    const listed = await aws('scheduler', 'list-schedules', '--name-prefix', name);
    assert.deepEqual(
      listed.json.Schedules.map((s: { Name: string }) => s.Name),
      [name],
    );
    await advanceClock(nimbus.url, '30m');
    // the firing is delivered as the advance runs; a long poll waits for it should it still be on its way
    const msgs = await aws('sqs', 'receive-message', '--queue-url', url, '--max-number-of-messages', '10', '--wait-time-seconds', '10');
    assert.equal(msgs.json.Messages[0].Body, '{"from":"cli"}');
    await aws('scheduler', 'delete-schedule', '--name', name);

    const bad = await aws(
      'scheduler',
      'create-schedule',
      '--name',
      'bad',
      '--schedule-expression',
      'cron(0 12 * * * *)',
      '--flexible-time-window',
      'Mode=OFF',
      '--target',
      JSON.stringify({ Arn: arn, RoleArn: ROLE }),
    );
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /ValidationException.*Invalid Schedule Expression cron\(0 12 \* \* \* \*\)/);
  });
}

test('boto3: a cron schedule in a time zone fires; a schedule in another group is not found in the default one', async () => {
  const script = `
import boto3, json, sys, urllib.request
kw = dict(endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
sch = boto3.client("scheduler", **kw); sqs = boto3.client("sqs", **kw)
url = sqs.create_queue(QueueName="boto-sched")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sch.create_schedule_group(Name="boto")
sch.create_schedule(Name="noon-paris", GroupName="boto", ScheduleExpression="cron(0 12 * * ? *)", ScheduleExpressionTimezone="Europe/Paris",
    FlexibleTimeWindow={"Mode": "OFF"}, Target={"Arn": arn, "RoleArn": "${ROLE}", "Input": "<aws.scheduler.scheduled-time>"})
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_nimbus/clock", data=json.dumps({"advance": "1d"}).encode(), method="POST"))
msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=10).get("Messages", [])
try:
    sch.get_schedule(Name="noon-paris")
    missing = None
except sch.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]["Code"]
print(json.dumps({"bodies": [m["Body"] for m in msgs], "missing": missing}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.bodies.length, 1);
  assert.match(out.bodies[0], /T1[01]:00:00Z$/); // noon in Paris is 11:00 or 10:00 UTC
  assert.equal(out.missing, 'ResourceNotFoundException'); // it lives in the "boto" group
});
