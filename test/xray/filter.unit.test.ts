// X-Ray's filter expressions and segment checks, over traces built from segment documents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFilter, FilterError } from '../../src/services/xray/filter.js';
import { view, serviceGraph, summarize } from '../../src/services/xray/analysis.js';
import { assemble, checkSegment, type SegmentDoc } from '../../src/services/xray/segments.js';

const T = '1-5f84c7a1-0123456789abcdef01234567';
const api: SegmentDoc = {
  id: 'aaaaaaaaaaaaaaa1',
  trace_id: T,
  name: 'api',
  origin: 'AWS::EC2::Instance',
  start_time: 100,
  end_time: 101.5,
  user: 'alice',
  http: {
    request: { url: 'https://shop.example/orders', method: 'POST', user_agent: 'curl', client_ip: '10.0.0.1' },
    response: { status: 502 },
  },
  fault: true,
  annotations: { tier: 'gold', items: 3, vip: true },
  subsegments: [
    { id: 'bbbbbbbbbbbbbbb1', name: 'DynamoDB', namespace: 'aws', start_time: 100.1, end_time: 100.3, throttle: true, error: true },
    { id: 'bbbbbbbbbbbbbbb2', name: 'payments.example', namespace: 'remote', start_time: 100.4, end_time: 101.2 },
    { id: 'bbbbbbbbbbbbbbb3', name: 'worker', namespace: 'remote', start_time: 101.2, end_time: 101.4 },
  ],
};
const worker: SegmentDoc = {
  id: 'ccccccccccccccc1',
  trace_id: T,
  parent_id: 'bbbbbbbbbbbbbbb3',
  name: 'worker',
  start_time: 101.25,
  end_time: 101.35,
  annotations: { job: 'resize' },
};
const v = view([api, worker]);
const matches = (expr: string) => parseFilter(expr)(v);

test('keywords: flags, times, http, user', () => {
  for (const yes of [
    'fault',
    'error',
    'throttle',
    '!ok',
    'NOT partial',
    'responsetime > 1',
    'responsetime >= 1.5',
    'duration < 2',
    'http.status = 502',
    'http.status >= 500',
    'http.url CONTAINS "orders"',
    'http.url BEGINSWITH "https://shop"',
    'http.method = "POST"',
    'http.useragent = "curl"',
    'http.clientip = "10.0.0.1"',
    'user = "alice"',
    'fault = true',
    'ok = false',
  ])
    assert.equal(matches(yes), true, yes);
  for (const no of ['ok', 'partial', 'responsetime < 1', 'http.status = 200', 'http.url ENDSWITH "x"', 'user = "bob"', 'fault = false'])
    assert.equal(matches(no), false, no);
});

test('annotations: values of each type, bracket form, presence', () => {
  for (const yes of [
    'annotation.tier = "gold"',
    'annotation[tier] = "gold"',
    'annotation.items > 2',
    'annotation.vip = true',
    'annotation.job = "resize"',
    'annotation.tier',
  ])
    assert.equal(matches(yes), true, yes);
  for (const no of ['annotation.tier = "silver"', 'annotation.items > 3', 'annotation.missing', 'annotation.vip = false'])
    assert.equal(matches(no), false, no);
});

test('service(), id(), edge() and scoped sub-expressions', () => {
  for (const yes of [
    'service("api")',
    'service("DynamoDB")',
    'service("worker")',
    'service(id(name: "api", type: "AWS::EC2::Instance"))',
    'id(name: "DynamoDB", type: "AWS::DynamoDB::Table")',
    'service("api") { fault }',
    'service("worker") { ok }',
    'edge("api", "worker")',
    'edge("api", "DynamoDB")',
    'service("payments.example")',
  ])
    assert.equal(matches(yes), true, yes);
  for (const no of [
    'service("nope")',
    'service("worker") { fault }',
    'service(id(name: "api", type: "AWS::Lambda"))',
    'edge("worker", "api")',
  ])
    assert.equal(matches(no), false, no);
});

test('AND, OR, NOT, &&, ||, parentheses and precedence', () => {
  assert.equal(matches('fault AND responsetime > 1'), true);
  assert.equal(matches('ok OR http.status = 502'), true);
  assert.equal(matches('ok OR partial'), false);
  assert.equal(matches('fault && !(ok || partial)'), true);
  assert.equal(matches('ok AND partial OR fault'), true); // AND binds tighter
  assert.equal(matches('ok AND (partial OR fault)'), false);
  assert.equal(matches('service("api") and annotation.items = 3'), true);
});

test('malformed expressions are refused', () => {
  for (const bad of [
    '',
    'responsetime >',
    'responsetime > "x"',
    'http.url > 5',
    'bogus',
    '(fault',
    'fault)',
    'service("a"',
    'annotation.x = ',
    '"unterminated',
    'fault AND',
    'edge("a")',
    '#',
  ])
    assert.throws(() => parseFilter(bad), FilterError, bad);
});

test('a summary and a service graph from segments', () => {
  const s = summarize(T, [api, worker], 2);
  assert.equal(s.ResponseTime, 1.5);
  assert.equal(s.Duration, 1.5);
  assert.equal(s.HasFault, true);
  assert.equal(s.Http?.HttpStatus, 502);
  assert.deepEqual(s.EntryPoint, { Name: 'api', Names: ['api'], Type: 'AWS::EC2::Instance' });
  assert.deepEqual(s.Annotations!.tier, [
    { AnnotationValue: { StringValue: 'gold' }, ServiceIds: [{ Name: 'api', Names: ['api'], Type: 'AWS::EC2::Instance' }] },
  ]);
  const graph = serviceGraph([[api, worker]], '000000000000');
  const names = graph.map((n) => n.Name).sort();
  assert.deepEqual(names, ['DynamoDB', 'api', 'payments.example', 'worker']);
  const root = graph.find((n) => n.Name === 'api')!;
  assert.equal(root.Root, true);
  assert.equal(root.Edges!.length, 3);
  const ddb = graph.find((n) => n.Name === 'DynamoDB')!;
  assert.equal(ddb.Type, 'AWS::DynamoDB::Table');
  assert.equal(ddb.SummaryStatistics!.ErrorStatistics!.ThrottleCount, 1);
  const toWorker = root.Edges!.find((e) => e.ReferenceId === graph.find((n) => n.Name === 'worker')!.ReferenceId)!;
  assert.equal(toWorker.SummaryStatistics!.TotalCount, 1);
});

test("segment checks answer X-Ray's error codes", () => {
  const ok = { id: 'aaaaaaaaaaaaaaa1', trace_id: T, name: 'x', start_time: 1, end_time: 2 };
  const code = (d: unknown) => {
    const c = checkSegment(typeof d === 'string' ? d : JSON.stringify(d));
    return c.ok ? 'ok' : c.code;
  };
  assert.equal(code(ok), 'ok');
  assert.equal(code({ ...ok, end_time: undefined, in_progress: true }), 'ok');
  assert.equal(code({ ...ok, id: undefined }), 'MissingId');
  assert.equal(code({ ...ok, id: 'xyz' }), 'InvalidId');
  assert.equal(code({ ...ok, trace_id: 'nope' }), 'InvalidTraceId');
  assert.equal(code({ ...ok, name: 'bad?name' }), 'InvalidName');
  assert.equal(code({ ...ok, start_time: undefined }), 'MissingStartTime');
  assert.equal(code({ ...ok, end_time: undefined }), 'MissingEndTime');
  assert.equal(code({ ...ok, type: 'subsegment' }), 'MissingParentId');
  assert.equal(code('{not json'), 'InvalidSegment');
  assert.equal(code([]), 'MissingId');
  const c = checkSegment(JSON.stringify({ ...ok, name: 'a?' }));
  assert.ok(!c.ok && c.message === 'Invalid segment. ErrorCode: InvalidName' && c.id === 'aaaaaaaaaaaaaaa1');
});

test('independent subsegments are placed under their parents', () => {
  const seg: SegmentDoc = { id: 'aaaaaaaaaaaaaaa1', trace_id: T, name: 'svc', start_time: 1, end_time: 2 };
  const sub: SegmentDoc = {
    id: 'ddddddddddddddd1',
    trace_id: T,
    type: 'subsegment',
    parent_id: 'aaaaaaaaaaaaaaa1',
    name: 'query',
    start_time: 1.1,
    end_time: 1.2,
  };
  const subsub: SegmentDoc = {
    id: 'ddddddddddddddd2',
    trace_id: T,
    type: 'subsegment',
    parent_id: 'ddddddddddddddd1',
    name: 'SQS',
    namespace: 'aws',
    start_time: 1.1,
    end_time: 1.15,
  };
  const [whole] = assemble([subsub, seg, sub]);
  assert.equal(whole.subsegments![0].name, 'query');
  assert.equal(whole.subsegments![0].subsegments![0].name, 'SQS');
  assert.equal(whole.subsegments![0].type, undefined);
});

test('a call under a sampled trace header becomes an aws subsegment; others are not recorded', async () => {
  const { callSubsegment } = await import('../../src/services/xray/calls.js');
  const call = (header: string | undefined, status = 200, service = 'dynamodb') => ({
    requestId: 'r',
    service,
    operation: 'GetItem',
    protocol: 'json',
    account: '000000000000',
    region: 'us-east-1',
    principal: { kind: 'root' as const, account: '000000000000', arn: 'arn:aws:iam::000000000000:root', userId: '000000000000' },
    input: { TableName: 'items' },
    headers: header ? { 'x-amzn-trace-id': header } : {},
    sourceIp: '127.0.0.1',
    secure: false,
    time: new Date(1_700_000_000_000),
    status,
    durationMs: 12,
  });
  const h = `Root=${T};Parent=aaaaaaaaaaaaaaa1;Sampled=1`;
  const doc = JSON.parse(callSubsegment(call(h))!);
  assert.equal(doc.name, 'DynamoDB');
  assert.equal(doc.parent_id, 'aaaaaaaaaaaaaaa1');
  assert.equal(doc.type, 'subsegment');
  assert.equal(doc.aws.table_name, 'items');
  assert.ok(Math.abs(doc.end_time - doc.start_time - 0.012) < 1e-6);
  assert.equal(JSON.parse(callSubsegment(call(h, 429))!).throttle, true);
  assert.equal(JSON.parse(callSubsegment(call(h, 400))!).error, true);
  assert.equal(JSON.parse(callSubsegment(call(h, 500))!).fault, true);
  assert.equal(callSubsegment(call(`Root=${T};Parent=aaaaaaaaaaaaaaa1;Sampled=0`)), undefined);
  assert.equal(callSubsegment(call(`Root=${T};Sampled=1`)), undefined);
  assert.equal(callSubsegment(call(undefined)), undefined);
  assert.equal(callSubsegment(call(h, 200, 'xray')), undefined);
});
