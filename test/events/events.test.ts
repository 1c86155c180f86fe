// EventBridge through the SDK v3: buses, rules, targets, PutEvents routing with input settings,
// S3's EventBridge notifications, scheduled rules on the virtual clock.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EventBridgeClient,
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DescribeEventBusCommand,
  ListEventBusesCommand,
  PutRuleCommand,
  DescribeRuleCommand,
  DeleteRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  ListRulesCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  TestEventPatternCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-eventbridge';
import {
  SQSClient,
  CreateQueueCommand,
  ReceiveMessageCommand,
  GetQueueAttributesCommand,
  DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { S3Client, CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { advanceClock, clientConfig, rejects, serverForFile } from '../helpers.js';

let eb: EventBridgeClient;
let sqs: SQSClient;
let s3: S3Client;
const nimbus = serverForFile(() => {
  eb = new EventBridgeClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
  s3 = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, ...(name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true' } } : {}) }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** Receives and deletes what a queue holds (so a later clock advance does not bring it back). */
async function receive(url: string, max = 10): Promise<string[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, WaitTimeSeconds: 0 }));
  if (Messages.length)
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  return Messages.map((m) => m.Body!);
}

test('buses: create, describe, list with the default bus, refuse duplicates, delete', async () => {
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'orders' }));
  assert.equal(EventBusArn, 'arn:aws:events:us-east-1:000000000000:event-bus/orders');
  const d = await eb.send(new DescribeEventBusCommand({ Name: 'orders' }));
  assert.equal(d.Arn, EventBusArn);
  const { EventBuses } = await eb.send(new ListEventBusesCommand({}));
  assert.deepEqual(EventBuses!.map((b) => b.Name).sort(), ['default', 'orders']);
  await rejects(eb.send(new CreateEventBusCommand({ Name: 'orders' })), 'ResourceAlreadyExistsException', 400);
  await rejects(eb.send(new DeleteEventBusCommand({ Name: 'default' })), 'ValidationException', 400);
  await eb.send(new DeleteEventBusCommand({ Name: 'orders' }));
  await rejects(eb.send(new DescribeEventBusCommand({ Name: 'orders' })), 'ResourceNotFoundException', 400, (e) =>
    assert.equal(e.message, 'Event bus orders does not exist.'),
  );
});

test('rules: put, describe, list, disable, tags; a bad pattern is InvalidEventPatternException', async () => {
  const pattern = JSON.stringify({ source: ['shop'] });
  const { RuleArn } = await eb.send(new PutRuleCommand({ Name: 'r1', EventPattern: pattern }));
  assert.equal(RuleArn, 'arn:aws:events:us-east-1:000000000000:rule/r1');
  const d = await eb.send(new DescribeRuleCommand({ Name: 'r1' }));
  assert.equal(d.State, 'ENABLED');
  assert.equal(d.EventPattern, pattern);
  assert.equal(d.EventBusName, 'default');
  await eb.send(new DisableRuleCommand({ Name: 'r1' }));
  assert.equal((await eb.send(new DescribeRuleCommand({ Name: 'r1' }))).State, 'DISABLED');
  await eb.send(new EnableRuleCommand({ Name: 'r1' }));
  const { Rules } = await eb.send(new ListRulesCommand({ NamePrefix: 'r' }));
  assert.deepEqual(
    Rules!.map((r) => r.Name),
    ['r1'],
  );
  await eb.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'team', Value: 'a' }] }));
  assert.deepEqual((await eb.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags, [{ Key: 'team', Value: 'a' }]);

  await rejects(
    eb.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "shop"}' })),
    'InvalidEventPatternException',
    400,
    (e) => assert.match(String(e.message), /^Event pattern is not valid\. Reason: /),
  );
  await rejects(eb.send(new PutRuleCommand({ Name: 'neither' })), 'ValidationException', 400, (e) =>
    assert.equal(e.message, 'Parameter(s) EventPattern or ScheduleExpression must be specified.'),
  );
  await rejects(eb.send(new PutRuleCommand({ Name: 'cron', ScheduleExpression: 'cron(0 12 * * * *)' })), 'ValidationException', 400, (e) =>
    assert.equal(e.message, 'Parameter ScheduleExpression is not valid.'),
  );
  await rejects(eb.send(new PutRuleCommand({ Name: 'rate', ScheduleExpression: 'rate(1 minutes)' })), 'ValidationException', 400);
  await rejects(eb.send(new DescribeRuleCommand({ Name: 'nope' })), 'ResourceNotFoundException', 400, (e) =>
    assert.equal(e.message, 'Rule nope does not exist on EventBus default.'),
  );
});

test('PutEvents → rule → SQS with an input transformer; unmatched events go nowhere', async () => {
  const q = await queue('eb-orders');
  await eb.send(
    new PutRuleCommand({
      Name: 'big-orders',
      EventPattern: JSON.stringify({ source: ['shop'], detail: { total: [{ numeric: ['>', 100] }] } }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({
      Rule: 'big-orders',
      Targets: [
        {
          Id: 'q',
          Arn: q.arn,
          InputTransformer: {
            InputPathsMap: { id: '$.detail.id', total: '$.detail.total' },
            InputTemplate: '{"order": <id>, "total": <total>, "text": "order <id> of <total>"}',
          },
        },
      ],
    }),
  );
  const out = await eb.send(
    new PutEventsCommand({
      Entries: [
        { Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ id: 'o-1', total: 250 }) },
        { Source: 'shop', DetailType: 'Order', Detail: JSON.stringify({ id: 'o-2', total: 5 }) },
      ],
    }),
  );
  assert.equal(out.FailedEntryCount, 0);
  assert.equal(out.Entries!.length, 2);
  assert.ok(out.Entries!.every((e) => /^[0-9a-f-]{36}$/.test(e.EventId!)));
  const bodies = await receive(q.url);
  assert.deepEqual(
    bodies.map((b) => JSON.parse(b)),
    [{ order: 'o-1', total: 250, text: 'order o-1 of 250' }],
  );
});

test('PutEvents: each bad entry fails alone with its error code', async () => {
  const out = await eb.send(
    new PutEventsCommand({
      Entries: [
        { Source: 'a', DetailType: 'b', Detail: '{}' },
        { DetailType: 'b', Detail: '{}' },
        { Source: 'a', DetailType: 'b', Detail: 'not json' },
        { Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'missing' },
      ],
    }),
  );
  assert.equal(out.FailedEntryCount, 3);
  assert.ok(out.Entries![0].EventId);
  assert.deepEqual(
    out.Entries!.slice(1).map((e) => e.ErrorCode),
    ['InvalidArgument', 'MalformedDetail', 'NotFoundException'],
  );
  assert.equal(out.Entries![1].ErrorMessage, 'Parameter Source is not valid. Reason: Source is a required argument.');
  await rejects(
    eb.send(new PutEventsCommand({ Entries: [{ Source: 'a', DetailType: 'b', Detail: JSON.stringify({ x: 'y'.repeat(300 * 1024) }) }] })),
    'ValidationException',
    400,
  );
});

test('a whole event, InputPath and constant Input reach their targets; a custom bus routes its own rules', async () => {
  await eb.send(new CreateEventBusCommand({ Name: 'app' }));
  const [whole, part, constant] = await Promise.all([queue('eb-whole'), queue('eb-part'), queue('eb-const')]);
  await eb.send(new PutRuleCommand({ Name: 'all', EventBusName: 'app', EventPattern: JSON.stringify({ source: [{ prefix: 'app.' }] }) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'all',
      EventBusName: 'app',
      Targets: [
        { Id: 'whole', Arn: whole.arn },
        { Id: 'part', Arn: part.arn, InputPath: '$.detail.user' },
        { Id: 'const', Arn: constant.arn, Input: '{"hello":"world"}' },
      ],
    }),
  );
  assert.equal((await eb.send(new ListTargetsByRuleCommand({ Rule: 'all', EventBusName: 'app' }))).Targets!.length, 3);
  // the same event on the default bus matches no rule of 'app'
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'app.users', DetailType: 'Signup', Detail: '{"user":{"name":"ada"}}' }] }));
  assert.deepEqual(await receive(whole.url), []);
  await eb.send(
    new PutEventsCommand({
      Entries: [{ Source: 'app.users', DetailType: 'Signup', Detail: '{"user":{"name":"ada"}}', EventBusName: 'app', Resources: ['r1'] }],
    }),
  );
  const [event] = (await receive(whole.url)).map((b) => JSON.parse(b));
  assert.equal(event.source, 'app.users');
  assert.equal(event['detail-type'], 'Signup');
  assert.equal(event.account, '000000000000');
  assert.equal(event.region, 'us-east-1');
  assert.deepEqual(event.resources, ['r1']);
  assert.deepEqual(event.detail, { user: { name: 'ada' } });
  assert.match(event.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(
    (await receive(part.url)).map((b) => JSON.parse(b)),
    [{ name: 'ada' }],
  );
  assert.deepEqual(await receive(constant.url), ['{"hello":"world"}']);

  await rejects(eb.send(new DeleteRuleCommand({ Name: 'all', EventBusName: 'app' })), 'ValidationException', 400, (e) =>
    assert.equal(e.message, "Rule can't be deleted since it has targets."),
  );
  await eb.send(new RemoveTargetsCommand({ Rule: 'all', EventBusName: 'app', Ids: ['whole', 'part', 'const'] }));
  await eb.send(new DeleteRuleCommand({ Name: 'all', EventBusName: 'app' }));
});

test('S3 with EventBridge notifications puts "Object Created" on the default bus', async () => {
  const q = await queue('eb-s3');
  await s3.send(new CreateBucketCommand({ Bucket: 'eb-photos' }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({ Bucket: 'eb-photos', NotificationConfiguration: { EventBridgeConfiguration: {} } }),
  );
  await eb.send(
    new PutRuleCommand({
      Name: 's3-uploads',
      EventPattern: JSON.stringify({
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: ['eb-photos'] }, object: { key: [{ prefix: 'uploads/' }] } },
      }),
    }),
  );
  await eb.send(
    new PutTargetsCommand({
      Rule: 's3-uploads',
      Targets: [
        { Id: 'q', Arn: q.arn, InputTransformer: { InputPathsMap: { key: '$.detail.object.key' }, InputTemplate: '"new upload: <key>"' } },
      ],
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: 'eb-photos', Key: 'uploads/cat.jpg', Body: 'meow' }));
  await s3.send(new PutObjectCommand({ Bucket: 'eb-photos', Key: 'other/dog.jpg', Body: 'woof' }));
  assert.deepEqual(await receive(q.url), ['"new upload: uploads/cat.jpg"']);
});

test('scheduled rules fire when the virtual clock passes them, and stop when disabled', async () => {
  const q = await queue('eb-cron');
  await eb.send(new PutRuleCommand({ Name: 'every-5m', ScheduleExpression: 'rate(5 minutes)' }));
  await eb.send(new PutTargetsCommand({ Rule: 'every-5m', Targets: [{ Id: 'q', Arn: q.arn }] }));
  await rejects(
    eb.send(new PutRuleCommand({ Name: 'bus-cron', EventBusName: 'app', ScheduleExpression: 'rate(5 minutes)' })),
    'ValidationException',
    400,
  );
  await advanceClock(nimbus.url, '16m');
  const fired = (await receive(q.url)).map((b) => JSON.parse(b));
  assert.equal(fired.length, 3);
  for (const e of fired) {
    assert.equal(e.source, 'aws.events');
    assert.equal(e['detail-type'], 'Scheduled Event');
    assert.deepEqual(e.resources, ['arn:aws:events:us-east-1:000000000000:rule/every-5m']);
    assert.deepEqual(e.detail, {});
  }
  await eb.send(new DisableRuleCommand({ Name: 'every-5m' }));
  await advanceClock(nimbus.url, '20m');
  assert.deepEqual(await receive(q.url), []);

  const daily = await queue('eb-daily');
  await eb.send(new PutRuleCommand({ Name: 'weekday-noon', ScheduleExpression: 'cron(0 12 ? * MON-FRI *)' }));
  await eb.send(new PutTargetsCommand({ Rule: 'weekday-noon', Targets: [{ Id: 'q', Arn: daily.arn }] }));
  await advanceClock(nimbus.url, '7d');
  const times = (await receive(daily.url)).map((b) => JSON.parse(b).time as string);
  assert.equal(times.length, 5);
  for (const t of times) {
    const d = new Date(t);
    assert.equal(d.getUTCHours(), 12);
    assert.ok(d.getUTCDay() >= 1 && d.getUTCDay() <= 5, t);
  }
});

test('TestEventPattern answers with the same matcher; an event without its mandatory fields is refused', async () => {
  const event = JSON.stringify({
    id: '1',
    account: '111122223333',
    source: 'aws.ec2',
    time: '2024-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    'detail-type': 'x',
    detail: { state: 'running' },
  });
  assert.equal(
    (await eb.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"state":[{"anything-but":"stopped"}]}}', Event: event })))
      .Result,
    true,
  );
  assert.equal(
    (await eb.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"state":["stopped"]}}', Event: event }))).Result,
    false,
  );
  await rejects(
    eb.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"state":[{"numeric":[">","x"]}]}}', Event: event })),
    'InvalidEventPatternException',
    400,
  );
  await rejects(
    eb.send(new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' })),
    'ValidationException',
    400,
  );
});
