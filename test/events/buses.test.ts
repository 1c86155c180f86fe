// EventBridge buses across accounts and time through the SDK v3: resource policies
// (PutPermission / RemovePermission / DescribeEventBus Policy), PutEvents from another account,
// a rule on one account's bus targeting another account's bus, PutEvents' limits, archives with
// patterns and retention on the virtual clock, replays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EventBridgeClient,
  CreateEventBusCommand,
  DescribeEventBusCommand,
  PutPermissionCommand,
  RemovePermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  PutEventsCommand,
  UpdateEventBusCommand,
  CreateArchiveCommand,
  DescribeArchiveCommand,
  ListArchivesCommand,
  UpdateArchiveCommand,
  DeleteArchiveCommand,
  StartReplayCommand,
  DescribeReplayCommand,
  ListReplaysCommand,
  CancelReplayCommand,
} from '@aws-sdk/client-eventbridge';
import {
  SQSClient,
  CreateQueueCommand,
  ReceiveMessageCommand,
  GetQueueAttributesCommand,
  DeleteMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { advanceClock, clientConfig, rejects, serverForFile } from '../helpers.js';

const B = '111122223333';
let eb: EventBridgeClient;
let ebB: EventBridgeClient;
let sqs: SQSClient;
const nimbus = serverForFile(() => {
  eb = new EventBridgeClient(clientConfig(nimbus.url));
  ebB = new EventBridgeClient(clientConfig(nimbus.url, { credentials: { accessKeyId: B, secretAccessKey: 'x' } }));
  sqs = new SQSClient(clientConfig(nimbus.url));
});

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}
async function receive(url: string): Promise<Record<string, unknown>[]> {
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  if (Messages.length)
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  return Messages.map((m) => JSON.parse(m.Body!));
}

test('bus policies: PutPermission builds statements, DescribeEventBus shows them, RemovePermission takes them out', async () => {
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'shared' }));
  await eb.send(new PutPermissionCommand({ EventBusName: 'shared', Action: 'events:PutEvents', Principal: B, StatementId: 'from-b' }));
  await eb.send(
    new PutPermissionCommand({
      EventBusName: 'shared',
      Action: 'events:PutEvents',
      Principal: '*',
      StatementId: 'org',
      Condition: { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-1234567890' },
    }),
  );
  const policy = JSON.parse((await eb.send(new DescribeEventBusCommand({ Name: 'shared' }))).Policy!);
  assert.equal(policy.Version, '2012-10-17');
  assert.deepEqual(policy.Statement[0], {
    Sid: 'from-b',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${B}:root` },
    Action: 'events:PutEvents',
    Resource: EventBusArn,
  });
  assert.deepEqual(policy.Statement[1].Condition, { StringEquals: { 'aws:PrincipalOrgID': 'o-1234567890' } });
  await eb.send(new RemovePermissionCommand({ EventBusName: 'shared', StatementId: 'org' }));
  assert.equal(JSON.parse((await eb.send(new DescribeEventBusCommand({ Name: 'shared' }))).Policy!).Statement.length, 1);
  await rejects(
    eb.send(new RemovePermissionCommand({ EventBusName: 'shared', StatementId: 'nope' })),
    'ResourceNotFoundException',
    400,
    (e) => assert.equal(e.message, 'Statement with the provided id does not exist.'),
  );
  await rejects(
    eb.send(new PutPermissionCommand({ EventBusName: 'shared', Action: 'events:PutRule', Principal: B, StatementId: 'x' })),
    'ValidationException',
    400,
  );
  await rejects(
    eb.send(new PutPermissionCommand({ EventBusName: 'missing', Action: 'events:PutEvents', Principal: B, StatementId: 'x' })),
    'ResourceNotFoundException',
    400,
  );
  const updated = await eb.send(new UpdateEventBusCommand({ Name: 'shared', Description: 'orders from B' }));
  assert.equal(updated.Description, 'orders from B');
});

test('another account puts events on a bus whose policy allows it, and a rule on its own bus can target that bus', async () => {
  const q = await queue('eb-shared-in');
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'central' }));
  await eb.send(new PutRuleCommand({ Name: 'from-b', EventBusName: 'central', EventPattern: JSON.stringify({ account: [B] }) }));
  await eb.send(new PutTargetsCommand({ Rule: 'from-b', EventBusName: 'central', Targets: [{ Id: 'q', Arn: q.arn }] }));

  // no policy yet: refused per entry
  const refused = await ebB.send(
    new PutEventsCommand({ Entries: [{ Source: 'b.app', DetailType: 'x', Detail: '{}', EventBusName: EventBusArn }] }),
  );
  assert.equal(refused.FailedEntryCount, 1);
  assert.equal(refused.Entries![0].ErrorCode, 'AccessDeniedException');
  assert.deepEqual(await receive(q.url), []);

  await eb.send(new PutPermissionCommand({ EventBusName: 'central', Action: 'events:PutEvents', Principal: B, StatementId: 'b' }));
  const ok = await ebB.send(
    new PutEventsCommand({ Entries: [{ Source: 'b.app', DetailType: 'direct', Detail: '{"n":1}', EventBusName: EventBusArn }] }),
  );
  assert.equal(ok.FailedEntryCount, 0);
  const [direct] = await receive(q.url);
  assert.equal(direct.account, B);
  assert.equal(direct['detail-type'], 'direct');

  // a rule on B's default bus forwards to A's bus
  await ebB.send(new PutRuleCommand({ Name: 'forward', EventPattern: JSON.stringify({ source: ['b.app'] }) }));
  await ebB.send(new PutTargetsCommand({ Rule: 'forward', Targets: [{ Id: 'central', Arn: EventBusArn }] }));
  await ebB.send(new PutEventsCommand({ Entries: [{ Source: 'b.app', DetailType: 'forwarded', Detail: '{"n":2}' }] }));
  const [fwd] = await receive(q.url);
  assert.equal(fwd['detail-type'], 'forwarded');
  assert.equal(fwd.account, B);
  assert.deepEqual(fwd.detail, { n: 2 });
});

test('PutEvents limits: at most 10 entries, 256 KB as EventBridge counts them', async () => {
  const eleven = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
  await rejects(eb.send(new PutEventsCommand({ Entries: eleven })), 'ValidationException', 400);
  // 10 entries just under the limit together pass; one byte more fails the whole request
  const detail = (n: number) => JSON.stringify({ p: 'x'.repeat(n - 8) });
  const per = Math.floor((256 * 1024) / 10) - 2;
  const under = Array.from({ length: 10 }, () => ({ Source: 's', DetailType: 'd', Detail: detail(per) }));
  assert.equal((await eb.send(new PutEventsCommand({ Entries: under }))).FailedEntryCount, 0);
  const over = [...under.slice(0, 9), { Source: 's', DetailType: 'd', Detail: detail(per + 30) }];
  await rejects(eb.send(new PutEventsCommand({ Entries: over })), 'ValidationException', 400, (e) =>
    assert.equal(e.message, 'Total size of the entries in the request is over the limit.'),
  );
  const missing = await eb.send(
    new PutEventsCommand({
      Entries: [
        { Source: 's', Detail: '{}' },
        { Source: 's', DetailType: 'd' },
        { Source: 's', DetailType: 'd', Detail: '[1]' },
      ],
    }),
  );
  assert.deepEqual(
    missing.Entries!.map((e) => e.ErrorCode),
    ['InvalidArgument', 'InvalidArgument', 'MalformedDetail'],
  );
  assert.equal(missing.Entries![0].ErrorMessage, 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
});

test('archives keep matching events for their retention; a replay puts them back with replay-name, STARTING → COMPLETED', async () => {
  const q = await queue('eb-replayed');
  const { EventBusArn } = await eb.send(new CreateEventBusCommand({ Name: 'history' }));
  const { ArchiveArn, State } = await eb.send(
    new CreateArchiveCommand({
      ArchiveName: 'orders',
      EventSourceArn: EventBusArn,
      EventPattern: JSON.stringify({ source: ['orders'] }),
      RetentionDays: 2,
    }),
  );
  assert.equal(ArchiveArn, 'arn:aws:events:us-east-1:000000000000:archive/orders');
  assert.equal(State, 'ENABLED');
  await rejects(
    eb.send(new CreateArchiveCommand({ ArchiveName: 'orders', EventSourceArn: EventBusArn })),
    'ResourceAlreadyExistsException',
    400,
  );
  await rejects(
    eb.send(new CreateArchiveCommand({ ArchiveName: 'x', EventSourceArn: 'arn:aws:events:us-east-1:000000000000:event-bus/none' })),
    'ResourceNotFoundException',
    400,
  );
  await rejects(
    eb.send(new CreateArchiveCommand({ ArchiveName: 'y', EventSourceArn: EventBusArn, EventPattern: '{"source":"x"}' })),
    'InvalidEventPatternException',
    400,
  );

  const start = new Date(Date.now() - 60_000);
  await eb.send(
    new PutEventsCommand({
      Entries: [
        { Source: 'orders', DetailType: 'Created', Detail: '{"id":1}', EventBusName: 'history' },
        { Source: 'orders', DetailType: 'Created', Detail: '{"id":2}', EventBusName: 'history' },
        { Source: 'other', DetailType: 'Created', Detail: '{"id":3}', EventBusName: 'history' },
      ],
    }),
  );
  const described = await eb.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }));
  assert.equal(described.EventCount, 2);
  assert.ok(described.SizeBytes! > 0);
  assert.equal(described.RetentionDays, 2);
  assert.deepEqual(
    (await eb.send(new ListArchivesCommand({ EventSourceArn: EventBusArn }))).Archives!.map((a) => a.ArchiveName),
    ['orders'],
  );

  // the rule exists only now: a replay reaches it
  await eb.send(new PutRuleCommand({ Name: 'late', EventBusName: 'history', EventPattern: JSON.stringify({ source: ['orders'] }) }));
  await eb.send(new PutTargetsCommand({ Rule: 'late', EventBusName: 'history', Targets: [{ Id: 'q', Arn: q.arn }] }));
  const end = new Date();
  await rejects(
    eb.send(
      new StartReplayCommand({
        ReplayName: 'bad',
        EventSourceArn: ArchiveArn,
        EventStartTime: end,
        EventEndTime: start,
        Destination: { Arn: EventBusArn },
      }),
    ),
    'ValidationException',
    400,
  );
  await rejects(
    eb.send(
      new StartReplayCommand({
        ReplayName: 'bad',
        EventSourceArn: ArchiveArn,
        EventStartTime: start,
        EventEndTime: end,
        Destination: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
      }),
    ),
    'ValidationException',
    400,
  );
  const started = await eb.send(
    new StartReplayCommand({
      ReplayName: 'r1',
      EventSourceArn: ArchiveArn,
      EventStartTime: start,
      EventEndTime: end,
      Destination: { Arn: EventBusArn },
    }),
  );
  assert.equal(started.State, 'STARTING');
  assert.equal(started.ReplayArn, 'arn:aws:events:us-east-1:000000000000:replay/r1');
  assert.equal((await eb.send(new DescribeReplayCommand({ ReplayName: 'r1' }))).State, 'STARTING');
  await advanceClock(nimbus.url, '2m');
  const done = await eb.send(new DescribeReplayCommand({ ReplayName: 'r1' }));
  assert.equal(done.State, 'COMPLETED');
  assert.ok(done.ReplayEndTime && done.EventLastReplayedTime);
  const replayed = await receive(q.url);
  assert.deepEqual(replayed.map((e) => (e.detail as { id: number }).id).sort(), [1, 2]);
  assert.ok(replayed.every((e) => e['replay-name'] === 'r1'));
  // replayed events are not archived again
  assert.equal((await eb.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }))).EventCount, 2);
  assert.deepEqual(
    (await eb.send(new ListReplaysCommand({ State: 'COMPLETED' }))).Replays!.map((r) => r.ReplayName),
    ['r1'],
  );
  await rejects(eb.send(new CancelReplayCommand({ ReplayName: 'r1' })), 'IllegalStatusException', 400);

  const r2 = await eb.send(
    new StartReplayCommand({
      ReplayName: 'r2',
      EventSourceArn: ArchiveArn,
      EventStartTime: start,
      EventEndTime: end,
      Destination: { Arn: EventBusArn },
    }),
  );
  assert.equal(r2.State, 'STARTING');
  assert.equal((await eb.send(new CancelReplayCommand({ ReplayName: 'r2' }))).State, 'CANCELLING');
  await advanceClock(nimbus.url, '2m');
  assert.equal((await eb.send(new DescribeReplayCommand({ ReplayName: 'r2' }))).State, 'CANCELLED');
  assert.deepEqual(await receive(q.url), []);

  // retention: two days later the archive is empty
  await eb.send(new UpdateArchiveCommand({ ArchiveName: 'orders', Description: 'kept two days' }));
  await advanceClock(nimbus.url, '3d');
  const aged = await eb.send(new DescribeArchiveCommand({ ArchiveName: 'orders' }));
  assert.equal(aged.EventCount, 0);
  assert.equal(aged.Description, 'kept two days');
  await eb.send(new DeleteArchiveCommand({ ArchiveName: 'orders' }));
  await rejects(eb.send(new DescribeArchiveCommand({ ArchiveName: 'orders' })), 'ResourceNotFoundException', 400);
});

test('a bus-to-bus target forwards one hop: two buses targeting each other do not loop; a rule cannot target its own bus', async () => {
  const q = await queue('eb-pong');
  const { EventBusArn: ping } = await eb.send(new CreateEventBusCommand({ Name: 'ping' }));
  const { EventBusArn: pong } = await eb.send(new CreateEventBusCommand({ Name: 'pong' }));
  const all = JSON.stringify({ source: ['loop'] });
  await eb.send(new PutRuleCommand({ Name: 'to-pong', EventBusName: 'ping', EventPattern: all }));
  await eb.send(new PutTargetsCommand({ Rule: 'to-pong', EventBusName: 'ping', Targets: [{ Id: 'pong', Arn: pong }] }));
  await eb.send(new PutRuleCommand({ Name: 'to-ping', EventBusName: 'pong', EventPattern: all }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'to-ping',
      EventBusName: 'pong',
      Targets: [
        { Id: 'ping', Arn: ping },
        { Id: 'q', Arn: q.arn },
      ],
    }),
  );
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'loop', DetailType: 'x', Detail: '{}', EventBusName: 'ping' }] }));
  assert.equal((await receive(q.url)).length, 1);
  await rejects(
    eb.send(new PutTargetsCommand({ Rule: 'to-ping', EventBusName: 'pong', Targets: [{ Id: 'self', Arn: pong }] })),
    'ValidationException',
    400,
  );
});
