// X-Ray through the SDK v3: segments put and read back, summaries filtered by expressions, trace and
// service graphs, sampling rules and targets, groups, encryption, the daemon's UDP endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import {
  XRayClient,
  PutTraceSegmentsCommand,
  BatchGetTracesCommand,
  GetTraceSummariesCommand,
  GetServiceGraphCommand,
  GetTraceGraphCommand,
  GetSamplingRulesCommand,
  CreateSamplingRuleCommand,
  UpdateSamplingRuleCommand,
  DeleteSamplingRuleCommand,
  GetSamplingTargetsCommand,
  CreateGroupCommand,
  GetGroupCommand,
  GetGroupsCommand,
  UpdateGroupCommand,
  DeleteGroupCommand,
  PutEncryptionConfigCommand,
  GetEncryptionConfigCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-xray';
import { KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { advanceClock, clientConfig, rejects, serverForFile } from '../helpers.js';

let xray: XRayClient;
const nimbus = serverForFile(() => {
  xray = new XRayClient(clientConfig(nimbus.url));
});

const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const nowS = () => Date.now() / 1000;
const traceId = (t = nowS()) => `1-${Math.floor(t).toString(16)}-${hex(24)}`;

/** A request through `api` (EC2) calling DynamoDB and a Lambda-hosted `worker`. */
function trace(opts: { status?: number; fault?: boolean; tier?: string; response?: number } = {}) {
  const id = traceId();
  const t0 = nowS();
  const call = hex(16);
  const api = {
    id: hex(16),
    trace_id: id,
    name: 'api',
    origin: 'AWS::EC2::Instance',
    start_time: t0,
    end_time: t0 + (opts.response ?? 0.5),
    http: { request: { method: 'GET', url: 'http://shop/items' }, response: { status: opts.status ?? 200 } },
    fault: opts.fault ?? false,
    annotations: { tier: opts.tier ?? 'free' },
    subsegments: [
      {
        id: hex(16),
        name: 'DynamoDB',
        namespace: 'aws',
        start_time: t0 + 0.01,
        end_time: t0 + 0.05,
        aws: { operation: 'GetItem', table_name: 'items' },
      },
      { id: call, name: 'worker', namespace: 'remote', start_time: t0 + 0.1, end_time: t0 + 0.3 },
    ],
  };
  const worker = {
    id: hex(16),
    trace_id: id,
    parent_id: call,
    name: 'worker',
    origin: 'AWS::Lambda::Function',
    start_time: t0 + 0.12,
    end_time: t0 + 0.28,
  };
  return { id, docs: [JSON.stringify(api), JSON.stringify(worker)] };
}

const range = () => ({ StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 600_000) });

test('segments are stored and read back whole; bad ones come back unprocessed with their codes', async () => {
  const t = trace();
  const bad = JSON.stringify({ id: hex(16), trace_id: t.id, name: 'bad?', start_time: nowS(), end_time: nowS() });
  const { UnprocessedTraceSegments } = await xray.send(
    new PutTraceSegmentsCommand({ TraceSegmentDocuments: [...t.docs, bad, '{"trace_id":"x"}'] }),
  );
  assert.deepEqual(
    UnprocessedTraceSegments!.map((u) => u.ErrorCode),
    ['InvalidName', 'MissingId'],
  );
  assert.equal(UnprocessedTraceSegments![0].Message, 'Invalid segment. ErrorCode: InvalidName');
  const got = await xray.send(new BatchGetTracesCommand({ TraceIds: [t.id, traceId()] }));
  assert.equal(got.Traces!.length, 1);
  assert.equal(got.UnprocessedTraceIds!.length, 1);
  const docs = got.Traces![0].Segments!.map((s) => JSON.parse(s.Document!));
  assert.deepEqual(docs.map((d) => d.name).sort(), ['api', 'worker']);
  assert.ok(got.Traces![0].Duration! >= 0.5);
  // an independent subsegment joins its parent
  const api = JSON.parse(t.docs[0]);
  await xray.send(
    new PutTraceSegmentsCommand({
      TraceSegmentDocuments: [
        JSON.stringify({
          id: hex(16),
          trace_id: t.id,
          parent_id: api.id,
          type: 'subsegment',
          name: 'render',
          start_time: api.start_time,
          end_time: api.start_time + 0.01,
        }),
      ],
    }),
  );
  const again = await xray.send(new BatchGetTracesCommand({ TraceIds: [t.id] }));
  const whole = again.Traces![0].Segments!.map((s) => JSON.parse(s.Document!)).find((d) => d.name === 'api');
  assert.ok(whole.subsegments.some((s: { name: string }) => s.name === 'render'));
});

test('trace summaries in a time range, filtered by expressions', async () => {
  const ok = trace({ tier: 'gold' });
  const slow = trace({ response: 3, tier: 'free' });
  const broken = trace({ status: 503, fault: true, tier: 'gold' });
  await xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: [...ok.docs, ...slow.docs, ...broken.docs] }));
  const ids = async (FilterExpression?: string) => {
    const { TraceSummaries } = await xray.send(new GetTraceSummariesCommand({ ...range(), FilterExpression }));
    return new Set(TraceSummaries!.map((s) => s.Id));
  };
  const all = await ids();
  for (const t of [ok, slow, broken]) assert.ok(all.has(t.id));
  const faults = await ids('fault');
  assert.ok(faults.has(broken.id) && !faults.has(ok.id));
  const slowOnes = await ids('responsetime > 2');
  assert.ok(slowOnes.has(slow.id) && !slowOnes.has(ok.id));
  const gold = await ids('annotation.tier = "gold" AND http.status = 200');
  assert.ok(gold.has(ok.id) && !gold.has(broken.id) && !gold.has(slow.id));
  const viaWorker = await ids('service("worker") AND NOT fault');
  assert.ok(viaWorker.has(ok.id) && viaWorker.has(slow.id) && !viaWorker.has(broken.id));
  const { TraceSummaries } = await xray.send(new GetTraceSummariesCommand({ ...range(), FilterExpression: 'fault' }));
  const s = TraceSummaries!.find((x) => x.Id === broken.id)!;
  assert.equal(s.HasFault, true);
  assert.equal(s.Http!.HttpStatus, 503);
  assert.equal(s.EntryPoint!.Name, 'api');
  assert.ok(s.ServiceIds!.some((x) => x.Name === 'DynamoDB'));
  const past = await xray.send(
    new GetTraceSummariesCommand({ StartTime: new Date(Date.now() - 7200_000), EndTime: new Date(Date.now() - 3600_000) }),
  );
  assert.ok(!past.TraceSummaries!.some((x) => x.Id === ok.id));
  await rejects(
    xray.send(new GetTraceSummariesCommand({ ...range(), FilterExpression: 'responsetime >' })),
    'InvalidRequestException',
    400,
  );
  await rejects(
    xray.send(new GetTraceSummariesCommand({ StartTime: new Date(), EndTime: new Date(Date.now() - 1000) })),
    'InvalidRequestException',
    400,
  );
  await rejects(
    xray.send(new GetTraceSummariesCommand({ StartTime: new Date(Date.now() - 3 * 86_400_000), EndTime: new Date() })),
    'InvalidRequestException',
    400,
  );
});

test('the service graph and a trace graph: nodes for services and downstream calls, edges between them', async () => {
  const t = trace();
  await xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: t.docs }));
  const { Services } = await xray.send(new GetServiceGraphCommand(range()));
  const byName = new Map(Services!.map((s) => [s.Name, s]));
  const api = byName.get('api')!;
  assert.equal(api.Root, true);
  assert.equal(byName.get('DynamoDB')!.Type, 'AWS::DynamoDB::Table');
  assert.equal(byName.get('worker')!.Type, 'AWS::Lambda::Function');
  const targets = api.Edges!.map((e) => Services!.find((s) => s.ReferenceId === e.ReferenceId)!.Name).sort();
  assert.deepEqual(targets, ['DynamoDB', 'worker']);
  assert.ok(api.SummaryStatistics!.TotalCount! >= 1);
  const graph = await xray.send(new GetTraceGraphCommand({ TraceIds: [t.id] }));
  assert.deepEqual(graph.Services!.map((s) => s.Name).sort(), ['DynamoDB', 'api', 'worker']);
});

test('sampling rules: the Default rule, create, update, delete, targets', async () => {
  const { SamplingRuleRecords } = await xray.send(new GetSamplingRulesCommand({}));
  const def = SamplingRuleRecords!.find((r) => r.SamplingRule!.RuleName === 'Default')!.SamplingRule!;
  assert.equal(def.FixedRate, 0.05);
  assert.equal(def.ReservoirSize, 1);
  assert.equal(def.Priority, 10000);
  const rule = {
    RuleName: 'orders',
    ResourceARN: '*',
    Priority: 100,
    FixedRate: 0.5,
    ReservoirSize: 5,
    ServiceName: 'api',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: 'GET',
    URLPath: '/orders/*',
    Version: 1,
  };
  const created = await xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule, Tags: [{ Key: 'team', Value: 'shop' }] }));
  assert.equal(created.SamplingRuleRecord!.SamplingRule!.RuleARN, 'arn:aws:xray:us-east-1:000000000000:sampling-rule/orders');
  await rejects(xray.send(new CreateSamplingRuleCommand({ SamplingRule: rule })), 'InvalidRequestException', 400);
  await rejects(
    xray.send(new CreateSamplingRuleCommand({ SamplingRule: { ...rule, RuleName: 'bad', FixedRate: 2 } })),
    'ValidationException',
    400,
  );
  const updated = await xray.send(new UpdateSamplingRuleCommand({ SamplingRuleUpdate: { RuleName: 'orders', FixedRate: 0.25 } }));
  assert.equal(updated.SamplingRuleRecord!.SamplingRule!.FixedRate, 0.25);
  assert.deepEqual(
    (await xray.send(new ListTagsForResourceCommand({ ResourceARN: created.SamplingRuleRecord!.SamplingRule!.RuleARN! }))).Tags,
    [{ Key: 'team', Value: 'shop' }],
  );
  const targets = await xray.send(
    new GetSamplingTargetsCommand({
      SamplingStatisticsDocuments: [
        { RuleName: 'orders', ClientID: hex(24), Timestamp: new Date(), RequestCount: 10, SampledCount: 3 },
        { RuleName: 'ghost', ClientID: hex(24), Timestamp: new Date(), RequestCount: 1, SampledCount: 0 },
      ],
    }),
  );
  assert.equal(targets.SamplingTargetDocuments![0].FixedRate, 0.25);
  assert.equal(targets.SamplingTargetDocuments![0].ReservoirQuota, 5);
  assert.equal(targets.UnprocessedStatistics![0].RuleName, 'ghost');
  // a second client shares the reservoir
  const shared = await xray.send(
    new GetSamplingTargetsCommand({
      SamplingStatisticsDocuments: [{ RuleName: 'orders', ClientID: hex(24), Timestamp: new Date(), RequestCount: 4, SampledCount: 1 }],
    }),
  );
  assert.equal(shared.SamplingTargetDocuments![0].ReservoirQuota, 2);
  await xray.send(new DeleteSamplingRuleCommand({ RuleName: 'orders' }));
  await rejects(xray.send(new DeleteSamplingRuleCommand({ RuleName: 'Default' })), 'InvalidRequestException', 400);
  assert.ok(!(await xray.send(new GetSamplingRulesCommand({}))).SamplingRuleRecords!.some((r) => r.SamplingRule!.RuleName === 'orders'));
});

test('groups filter the service graph; encryption settings', async () => {
  const { Group } = await xray.send(new CreateGroupCommand({ GroupName: 'faults', FilterExpression: 'fault' }));
  assert.match(Group!.GroupARN!, /^arn:aws:xray:us-east-1:000000000000:group\/faults\//);
  await rejects(xray.send(new CreateGroupCommand({ GroupName: 'faults' })), 'InvalidRequestException', 400);
  await rejects(xray.send(new CreateGroupCommand({ GroupName: 'broken', FilterExpression: 'service(' })), 'InvalidRequestException', 400);
  const { Groups } = await xray.send(new GetGroupsCommand({}));
  assert.deepEqual(Groups!.map((g) => g.GroupName).sort(), ['Default', 'faults']);
  await xray.send(new TagResourceCommand({ ResourceARN: Group!.GroupARN!, Tags: [{ Key: 'k', Value: 'v' }] }));
  const failing = { id: traceId(), name: 'flaky' };
  const t0 = nowS();
  await xray.send(
    new PutTraceSegmentsCommand({
      TraceSegmentDocuments: [
        JSON.stringify({ id: hex(16), trace_id: failing.id, name: 'flaky', start_time: t0, end_time: t0 + 0.1, fault: true }),
        JSON.stringify({ id: hex(16), trace_id: traceId(), name: 'steady', start_time: t0, end_time: t0 + 0.1 }),
      ],
    }),
  );
  const { Services } = await xray.send(new GetServiceGraphCommand({ ...range(), GroupName: 'faults' }));
  assert.ok(Services!.some((s) => s.Name === 'flaky'));
  assert.ok(!Services!.some((s) => s.Name === 'steady'), 'traces without faults are left out');
  assert.ok((await xray.send(new GetServiceGraphCommand(range()))).Services!.some((s) => s.Name === 'steady'));
  await xray.send(new UpdateGroupCommand({ GroupName: 'faults', FilterExpression: 'error' }));
  assert.equal((await xray.send(new GetGroupCommand({ GroupARN: Group!.GroupARN }))).Group!.FilterExpression, 'error');
  await xray.send(new DeleteGroupCommand({ GroupName: 'faults' }));
  await rejects(xray.send(new GetGroupCommand({ GroupName: 'faults' })), 'InvalidRequestException', 400);
  assert.deepEqual((await xray.send(new GetEncryptionConfigCommand({}))).EncryptionConfig, { Type: 'NONE', Status: 'ACTIVE' });
  await rejects(xray.send(new PutEncryptionConfigCommand({ Type: 'KMS' })), 'InvalidRequestException', 400);
  await rejects(xray.send(new PutEncryptionConfigCommand({ Type: 'KMS', KeyId: 'alias/none' })), 'InvalidRequestException', 400);
  const { KeyMetadata } = await new KMSClient(clientConfig(nimbus.url)).send(new CreateKeyCommand({}));
  await xray.send(new PutEncryptionConfigCommand({ Type: 'KMS', KeyId: KeyMetadata!.KeyId }));
  assert.deepEqual((await xray.send(new GetEncryptionConfigCommand({}))).EncryptionConfig, {
    Type: 'KMS',
    KeyId: KeyMetadata!.Arn,
    Status: 'ACTIVE',
  });
  await xray.send(new PutEncryptionConfigCommand({ Type: 'NONE' }));
});

test("a segment sent to the daemon's UDP endpoint is stored", async () => {
  const res = await fetch(`${nimbus.url}/_nimbus/xray/daemon`);
  assert.equal(res.status, 200);
  const { port, address } = (await res.json()) as { port: number; address: string };
  assert.equal(address, `127.0.0.1:${port}`);
  const id = traceId();
  const t0 = nowS();
  const segment = JSON.stringify({ id: hex(16), trace_id: id, name: 'udp-app', start_time: t0, end_time: t0 + 0.2 });
  const sock = createSocket('udp4');
  await new Promise<void>((resolve, reject) =>
    sock.send(Buffer.from(`{"format":"json","version":1}\n${segment}`), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
  await new Promise<void>((resolve, reject) =>
    sock.send(Buffer.from(`no header ${segment}`), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
  );
  sock.close();
  let found;
  for (let i = 0; i < 100 && !found; i++) {
    found = (await xray.send(new BatchGetTracesCommand({ TraceIds: [id] }))).Traces![0];
    if (!found) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(found, 'the daemon stored the segment');
  assert.equal(JSON.parse(found.Segments![0].Document!).name, 'udp-app');
});

test('traces are kept 30 days on the virtual clock (this test advances it: it stays last)', async () => {
  const t = trace();
  await xray.send(new PutTraceSegmentsCommand({ TraceSegmentDocuments: t.docs }));
  await advanceClock(nimbus.url, '29d');
  assert.equal((await xray.send(new BatchGetTracesCommand({ TraceIds: [t.id] }))).Traces!.length, 1);
  await advanceClock(nimbus.url, '2d');
  const after = await xray.send(new BatchGetTracesCommand({ TraceIds: [t.id] }));
  assert.equal(after.Traces!.length, 0);
  assert.deepEqual(after.UnprocessedTraceIds, [t.id]);
});
