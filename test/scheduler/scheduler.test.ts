// EventBridge Scheduler through the SDK v3: groups, schedules, and firings on the virtual clock into
// SQS (rate, cron in a time zone, one-time at() deleted after completion), universal targets,
// retries ending in the dead-letter queue, and the validation errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SchedulerClient,
  CreateScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  CreateScheduleGroupCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  DeleteScheduleGroupCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsForResourceCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import {
  SQSClient,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { advanceClock, clientConfig, rejects, serverForFile } from '../helpers.js';

let sch: SchedulerClient;
let sqs: SQSClient;
const nimbus = serverForFile(() => {
  sch = new SchedulerClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
});
const role = 'arn:aws:iam::000000000000:role/scheduler';

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function receive(url: string) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
  );
  if (Messages.length)
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  return Messages;
}

async function virtualNow(): Promise<number> {
  return ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
}

const base = (name: string, arn: string, extra: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: name,
  ScheduleExpression: 'rate(1 hour)',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: { Arn: arn, RoleArn: role, Input: '{"n":1}' },
  ...extra,
});

test('groups: the default group exists, create/get/list/tags/delete, conflicts and missing groups', async () => {
  const d = await sch.send(new GetScheduleGroupCommand({ Name: 'default' }));
  assert.equal(d.Arn, 'arn:aws:scheduler:us-east-1:000000000000:schedule-group/default');
  assert.equal(d.State, 'ACTIVE');
  const { ScheduleGroupArn } = await sch.send(new CreateScheduleGroupCommand({ Name: 'team', Tags: [{ Key: 'env', Value: 'dev' }] }));
  await rejects(sch.send(new CreateScheduleGroupCommand({ Name: 'team' })), 'ConflictException', 409);
  const { ScheduleGroups } = await sch.send(new ListScheduleGroupsCommand({}));
  assert.deepEqual(ScheduleGroups!.map((g) => g.Name).sort(), ['default', 'team']);
  await sch.send(new TagResourceCommand({ ResourceArn: ScheduleGroupArn, Tags: [{ Key: 'owner', Value: 'me' }] }));
  await sch.send(new UntagResourceCommand({ ResourceArn: ScheduleGroupArn, TagKeys: ['env'] }));
  assert.deepEqual((await sch.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }))).Tags, [
    { Key: 'owner', Value: 'me' },
  ]);
  const q = await queue('group-q');
  await sch.send(new CreateScheduleCommand(base('in-team', q.arn, { GroupName: 'team' })));
  await sch.send(new DeleteScheduleGroupCommand({ Name: 'team' }));
  await rejects(sch.send(new GetScheduleGroupCommand({ Name: 'team' })), 'ResourceNotFoundException', 404);
  await rejects(sch.send(new GetScheduleCommand({ Name: 'in-team', GroupName: 'team' })), 'ResourceNotFoundException', 404);
  await rejects(sch.send(new DeleteScheduleGroupCommand({ Name: 'default' })), 'ValidationException', 400);
  await rejects(sch.send(new CreateScheduleCommand(base('x', q.arn, { GroupName: 'nope' }))), 'ResourceNotFoundException', 404, (e) =>
    assert.equal(e.message, 'Schedule group nope does not exist.'),
  );
});

test('schedules: create, get, update, list with filters and paging, delete', async () => {
  const q = await queue('crud-q');
  const { ScheduleArn } = await sch.send(new CreateScheduleCommand(base('crud-1', q.arn, { Description: 'one' })));
  assert.equal(ScheduleArn, 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/crud-1');
  await rejects(sch.send(new CreateScheduleCommand(base('crud-1', q.arn))), 'ConflictException', 409);
  for (const n of ['crud-2', 'crud-3']) await sch.send(new CreateScheduleCommand(base(n, q.arn, { State: 'DISABLED' })));
  const g = await sch.send(new GetScheduleCommand({ Name: 'crud-1' }));
  assert.equal(g.GroupName, 'default');
  assert.equal(g.State, 'ENABLED');
  assert.equal(g.Target!.Arn, q.arn);
  assert.equal(g.Description, 'one');
  assert.ok(g.CreationDate instanceof Date);
  await sch.send(
    new UpdateScheduleCommand({
      ...base('crud-1', q.arn),
      ScheduleExpression: 'cron(0 8 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
    }),
  );
  const u = await sch.send(new GetScheduleCommand({ Name: 'crud-1' }));
  assert.equal(u.ScheduleExpression, 'cron(0 8 * * ? *)');
  assert.equal(u.ScheduleExpressionTimezone, 'Europe/Berlin');
  assert.equal(u.Description, undefined);
  const disabled = await sch.send(new ListSchedulesCommand({ NamePrefix: 'crud-', State: 'DISABLED' }));
  assert.deepEqual(
    disabled.Schedules!.map((s) => s.Name),
    ['crud-2', 'crud-3'],
  );
  const p1 = await sch.send(new ListSchedulesCommand({ NamePrefix: 'crud-', MaxResults: 2 }));
  assert.equal(p1.Schedules!.length, 2);
  assert.ok(p1.NextToken);
  const p2 = await sch.send(new ListSchedulesCommand({ NamePrefix: 'crud-', MaxResults: 2, NextToken: p1.NextToken }));
  assert.deepEqual(
    p2.Schedules!.map((s) => s.Name),
    ['crud-3'],
  );
  assert.equal(p2.NextToken, undefined);
  for (const n of ['crud-1', 'crud-2', 'crud-3']) await sch.send(new DeleteScheduleCommand({ Name: n }));
  await rejects(sch.send(new GetScheduleCommand({ Name: 'crud-1' })), 'ResourceNotFoundException', 404, (e) =>
    assert.equal(e.message, 'Schedule crud-1 does not exist.'),
  );
});

test('bad input: expressions, time zones, flexible windows, dates, targets', async () => {
  const q = await queue('bad-q');
  for (const expr of ['rate(1 minutes)', 'cron(0 12 * * * *)', 'cron(0 12 * *)', 'at(2027-13-01T00:00:00)', 'every day']) {
    await rejects(sch.send(new CreateScheduleCommand(base('bad', q.arn, { ScheduleExpression: expr }))), 'ValidationException', 400, (e) =>
      assert.equal(e.message, `Invalid Schedule Expression ${expr}.`),
    );
  }
  await rejects(
    sch.send(new CreateScheduleCommand(base('bad', q.arn, { ScheduleExpressionTimezone: 'Nowhere/City' }))),
    'ValidationException',
    400,
  );
  await rejects(
    sch.send(new CreateScheduleCommand(base('bad', q.arn, { FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }))),
    'ValidationException',
    400,
  );
  await rejects(
    sch.send(new CreateScheduleCommand(base('bad', q.arn, { FlexibleTimeWindow: { Mode: 'OFF', MaximumWindowInMinutes: 5 } }))),
    'ValidationException',
    400,
  );
  await rejects(
    sch.send(new CreateScheduleCommand(base('bad', q.arn, { FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5000 } }))),
    'ValidationException',
    400,
  );
  const now = await virtualNow();
  await rejects(
    sch.send(new CreateScheduleCommand(base('bad', q.arn, { StartDate: new Date(now + 7200_000), EndDate: new Date(now + 3600_000) }))),
    'ValidationException',
    400,
  );
  await rejects(
    sch.send(
      new CreateScheduleCommand(
        base('bad', 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage', {
          Target: { Arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage', RoleArn: role, Input: 'not json' },
        }),
      ),
    ),
    'ValidationException',
    400,
  );
  await rejects(sch.send(new CreateScheduleCommand(base('bad', 'not-an-arn'))), 'ValidationException', 400);
  assert.equal((await sch.send(new ListSchedulesCommand({ NamePrefix: 'bad' }))).Schedules!.length, 0);
});

test('a rate schedule fires into SQS as the clock advances, within its end date; disabling stops it', async () => {
  const q = await queue('rate-q');
  const now = await virtualNow();
  await sch.send(
    new CreateScheduleCommand(
      base('every-hour', q.arn, {
        StartDate: new Date(now + 60_000),
        EndDate: new Date(now + 60_000 + 3 * 3600_000),
        Target: { Arn: q.arn, RoleArn: role, Input: '{"at":"<aws.scheduler.scheduled-time>","arn":"<aws.scheduler.schedule-arn>"}' },
      }),
    ),
  );
  assert.equal((await receive(q.url)).length, 0);
  await advanceClock(nimbus.url, '5h');
  const got = (await receive(q.url)).map((m) => JSON.parse(m.Body!));
  assert.equal(got.length, 4); // start, +1h, +2h, +3h (the end date)
  assert.equal(got[0].arn, 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/every-hour');
  assert.equal(Date.parse(got[1].at) - Date.parse(got[0].at), 3600_000);
  await advanceClock(nimbus.url, '5h');
  assert.equal((await receive(q.url)).length, 0);
  const q2 = await queue('rate-q2');
  await sch.send(new CreateScheduleCommand(base('off', q2.arn, { State: 'DISABLED' })));
  await advanceClock(nimbus.url, '3h');
  assert.equal((await receive(q2.url)).length, 0);
});

test('a rate schedule without a start date fires at its creation, even when the clock moves during the call', async () => {
  // a loaded machine: every read of the clock is a millisecond later than the last (CI once lost the
  // first firing this way, an hour late, when creation read the clock twice)
  const clock = nimbus.runtime.clock;
  const real = clock.nowMs.bind(clock);
  let drift = 0;
  clock.nowMs = () => real() + drift++;
  const q = await queue('at-creation');
  try {
    await sch.send(new CreateScheduleCommand(base('at-creation', q.arn)));
  } finally {
    clock.nowMs = real;
  }
  await advanceClock(nimbus.url, '1m');
  assert.deepEqual(
    (await receive(q.url)).map((m) => m.Body),
    ['{"n":1}'],
  );
  await sch.send(new DeleteScheduleCommand({ Name: 'at-creation' }));
});

test('cron in a time zone fires at the local hour', async () => {
  const q = await queue('cron-q');
  await sch.send(
    new CreateScheduleCommand(
      base('tokyo-9am', q.arn, {
        ScheduleExpression: 'cron(0 9 * * ? *)',
        ScheduleExpressionTimezone: 'Asia/Tokyo',
        Target: { Arn: q.arn, RoleArn: role, Input: '<aws.scheduler.scheduled-time>' },
      }),
    ),
  );
  await advanceClock(nimbus.url, '1d');
  const [m] = await receive(q.url);
  assert.ok(m, 'fired within a day');
  assert.match(m.Body!, /T00:00:00Z$/); // 09:00 in Tokyo is midnight UTC
  await sch.send(new DeleteScheduleCommand({ Name: 'tokyo-9am' }));
});

test('a one-time at() schedule fires once, then deletes itself (ActionAfterCompletion DELETE)', async () => {
  const q = await queue('at-q');
  const when = new Date((await virtualNow()) + 2 * 3600_000);
  const local = when.toISOString().slice(0, 19);
  await sch.send(new CreateScheduleCommand(base('once', q.arn, { ScheduleExpression: `at(${local})`, ActionAfterCompletion: 'DELETE' })));
  await sch.send(new CreateScheduleCommand(base('once-kept', q.arn, { ScheduleExpression: `at(${local})` })));
  await advanceClock(nimbus.url, '1h');
  assert.equal((await receive(q.url)).length, 0);
  await advanceClock(nimbus.url, '2h');
  assert.equal((await receive(q.url)).length, 2);
  await rejects(sch.send(new GetScheduleCommand({ Name: 'once' })), 'ResourceNotFoundException', 404);
  assert.equal((await sch.send(new GetScheduleCommand({ Name: 'once-kept' }))).ActionAfterCompletion, 'NONE');
  await advanceClock(nimbus.url, '1d');
  assert.equal((await receive(q.url)).length, 0);
});

test('a flexible window delays a firing within the window', async () => {
  const q = await queue('flex-q');
  const now = await virtualNow();
  await sch.send(
    new CreateScheduleCommand(
      base('flex', q.arn, {
        ScheduleExpression: `at(${new Date(now + 3600_000).toISOString().slice(0, 19)})`,
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 30 },
      }),
    ),
  );
  await advanceClock(nimbus.url, '1h');
  await advanceClock(nimbus.url, '31m');
  assert.equal((await receive(q.url)).length, 1);
});

test('a failing target is retried, then the input goes to the dead-letter queue with the error', async () => {
  const dlq = await queue('sched-dlq');
  const missing = 'arn:aws:sqs:us-east-1:000000000000:no-such-queue';
  await sch.send(
    new CreateScheduleCommand(
      base('failing', missing, {
        ScheduleExpression: `at(${new Date((await virtualNow()) + 60_000).toISOString().slice(0, 19)})`,
        Target: {
          Arn: missing,
          RoleArn: role,
          Input: '{"hello":"dlq"}',
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: dlq.arn },
        },
      }),
    ),
  );
  await advanceClock(nimbus.url, '2m');
  assert.equal((await receive(dlq.url)).length, 0, 'still retrying');
  await advanceClock(nimbus.url, '1h');
  const [m] = await receive(dlq.url);
  assert.equal(m.Body, '{"hello":"dlq"}');
  const a = m.MessageAttributes!;
  assert.equal(a.RETRY_ATTEMPTS.StringValue, '2');
  assert.equal(a.EXHAUSTED_RETRY_CONDITION.StringValue, 'MaximumRetryAttempts');
  assert.equal(a.TARGET_ARN.StringValue, missing);
  assert.equal(a.SCHEDULE_ARN.StringValue, 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/failing');
  assert.match(a.ERROR_CODE.StringValue!, /NonExistentQueue/);
});

test('a universal target calls a Nimbus operation (sqs:sendMessage)', async () => {
  const q = await queue('universal-q');
  await sch.send(
    new CreateScheduleCommand(
      base('universal', 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage', {
        Target: {
          Arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage',
          RoleArn: role,
          Input: JSON.stringify({ QueueUrl: q.url, MessageBody: 'from universal' }),
        },
      }),
    ),
  );
  await advanceClock(nimbus.url, '1m');
  const got = await receive(q.url);
  assert.equal(got.length, 1);
  assert.equal(got[0].Body, 'from universal');
  await sch.send(new DeleteScheduleCommand({ Name: 'universal' }));
});
