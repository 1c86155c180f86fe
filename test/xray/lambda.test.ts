// Lambda with TracingConfig Active: each invocation puts its AWS::Lambda and AWS::Lambda::Function
// segments; the function sees _X_AMZN_TRACE_ID and AWS_XRAY_DAEMON_ADDRESS, and a subsegment it
// sends to the daemon joins its function segment in the trace and the service graph.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvokeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { XRayClient, BatchGetTracesCommand, GetTraceSummariesCommand, GetServiceGraphCommand } from '@aws-sdk/client-xray';
import { clientConfig, serverForFile } from '../helpers.js';
import { createFunction, decode, lambdaClient } from '../lambda-helpers.js';

let xray: XRayClient;
const nimbus = serverForFile(() => {
  xray = new XRayClient(clientConfig(nimbus.url));
});

const handler = `
const dgram = require('node:dgram');
exports.handler = async (event) => {
  const header = process.env._X_AMZN_TRACE_ID;
  const daemon = process.env.AWS_XRAY_DAEMON_ADDRESS;
  const root = /Root=([^;]+)/.exec(header)?.[1];
  const parent = /Parent=([^;]+)/.exec(header)?.[1];
  if (root && parent && event.send) {
    const now = Date.now() / 1000;
    const sub = { id: '0123456789abcdef', trace_id: root, parent_id: parent, type: 'subsegment', name: 'DynamoDB', namespace: 'aws', start_time: now, end_time: now + 0.01, aws: { operation: 'PutItem' } };
    const [host, port] = daemon.split(':');
    const sock = dgram.createSocket('udp4');
    await new Promise((resolve) => sock.send('{"format":"json","version":1}\\n' + JSON.stringify(sub), Number(port), host, resolve));
    sock.close();
  }
  if (event.fail) throw new Error('boom');
  return { header, daemon };
};`;

const range = () => ({ StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 600_000) });

test("an Active-traced invocation produces a trace with the function's own subsegment; PassThrough does not", async () => {
  const lambda = lambdaClient(nimbus.url);
  await createFunction(lambda, 'traced', 'nodejs20.x', 'index.handler', { 'index.js': handler }, { TracingConfig: { Mode: 'Active' } });
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'traced', Payload: Buffer.from(JSON.stringify({ send: true })) }));
  const { header, daemon } = JSON.parse(decode(out.Payload));
  const daemonInfo = (await (await fetch(`${nimbus.url}/_nimbus/xray/daemon`)).json()) as { address: string };
  assert.equal(daemon, daemonInfo.address);
  const m = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=1$/.exec(header);
  assert.ok(m, header);
  const traceId = m[1];
  let trace;
  for (let i = 0; i < 100; i++) {
    trace = (await xray.send(new BatchGetTracesCommand({ TraceIds: [traceId] }))).Traces![0];
    const docs = trace?.Segments?.map((s) => JSON.parse(s.Document!)) ?? [];
    if (docs.some((d) => d.subsegments?.length)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const docs = trace!.Segments!.map((s) => JSON.parse(s.Document!));
  const service = docs.find((d) => d.origin === 'AWS::Lambda')!;
  const fn = docs.find((d) => d.origin === 'AWS::Lambda::Function')!;
  assert.equal(fn.id, m[2]);
  assert.equal(fn.parent_id, service.id);
  assert.equal(fn.name, 'traced');
  assert.equal(fn.subsegments[0].name, 'DynamoDB');
  const { Services } = await xray.send(new GetServiceGraphCommand(range()));
  const fnNode = Services!.find((s) => s.Type === 'AWS::Lambda::Function' && s.Name === 'traced')!;
  const ddb = Services!.find((s) => s.Name === 'DynamoDB')!;
  assert.ok(
    fnNode.Edges!.some((e) => e.ReferenceId === ddb.ReferenceId),
    'function → DynamoDB',
  );
  const svcNode = Services!.find((s) => s.Type === 'AWS::Lambda' && s.Name === 'traced')!;
  assert.equal(svcNode.Root, true);
  assert.ok(
    svcNode.Edges!.some((e) => e.ReferenceId === fnNode.ReferenceId),
    'service → function',
  );

  // a failing invocation's trace has a fault
  const failed = await lambda.send(new InvokeCommand({ FunctionName: 'traced', Payload: Buffer.from(JSON.stringify({ fail: true })) }));
  assert.equal(failed.FunctionError, 'Unhandled');
  const { TraceSummaries } = await xray.send(new GetTraceSummariesCommand({ ...range(), FilterExpression: 'service("traced") AND fault' }));
  assert.equal(TraceSummaries!.length, 1);

  // PassThrough: no segments
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'traced', TracingConfig: { Mode: 'PassThrough' } }));
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'traced' });
  const plain = await lambda.send(new InvokeCommand({ FunctionName: 'traced', Payload: Buffer.from('{}') }));
  const plainHeader = JSON.parse(decode(plain.Payload)).header as string;
  assert.match(plainHeader, /Sampled=0/);
  const plainId = /Root=([^;]+)/.exec(plainHeader)![1];
  assert.equal((await xray.send(new BatchGetTracesCommand({ TraceIds: [plainId] }))).Traces!.length, 0);
});

test("a caller's sampled X-Amzn-Trace-Id header joins the invocation to its trace, even in PassThrough mode", async () => {
  const lambda = lambdaClient(nimbus.url);
  await createFunction(lambda, 'joined', 'nodejs20.x', 'index.handler', { 'index.js': handler });
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${'0123456789abcdef01234567'}`;
  const withHeader = (value: string) => {
    lambda.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { headers: Record<string, string> }).headers['x-amzn-trace-id'] = value;
        return next(args);
      },
      { step: 'build', name: 'traceHeader', override: true },
    );
  };
  withHeader(`Root=${root};Parent=fedcba9876543210;Sampled=1`);
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'joined', Payload: Buffer.from('{}') }));
  assert.match(JSON.parse(decode(out.Payload)).header, new RegExp(`^Root=${root};Parent=[0-9a-f]{16};Sampled=1$`));
  const trace = (await xray.send(new BatchGetTracesCommand({ TraceIds: [root] }))).Traces![0];
  const service = trace.Segments!.map((s) => JSON.parse(s.Document!)).find((d) => d.origin === 'AWS::Lambda');
  assert.equal(service.parent_id, 'fedcba9876543210');
  // not sampled upstream: the header reaches the function as it is, and nothing is recorded
  const other = `1-${Math.floor(Date.now() / 1000).toString(16)}-${'a'.repeat(24)}`;
  withHeader(`Root=${other};Parent=fedcba9876543210;Sampled=0`);
  const plain = await lambda.send(new InvokeCommand({ FunctionName: 'joined', Payload: Buffer.from('{}') }));
  assert.equal(JSON.parse(decode(plain.Payload)).header, `Root=${other};Parent=fedcba9876543210;Sampled=0`);
  assert.equal((await xray.send(new BatchGetTracesCommand({ TraceIds: [other] }))).Traces!.length, 0);
});

test('an Active-traced function calling DynamoDB through the SDK (no X-Ray SDK) shows the call in its trace and the service graph', async () => {
  const lambda = lambdaClient(nimbus.url);
  await createFunction(
    lambda,
    'ddb-caller',
    'nodejs20.x',
    'index.handler',
    {
      'index.js': `const { DynamoDBClient, ListTablesCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
exports.handler = async () => { const out = await ddb.send(new ListTablesCommand({})); return { header: process.env._X_AMZN_TRACE_ID, n: out.TableNames.length }; };`,
    },
    { TracingConfig: { Mode: 'Active' } },
  );
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'ddb-caller', Payload: Buffer.from('{}') }));
  const { header } = JSON.parse(decode(out.Payload));
  const root = /Root=([^;]+)/.exec(header)![1];
  const docs = (await xray.send(new BatchGetTracesCommand({ TraceIds: [root] }))).Traces![0].Segments!.map((s) => JSON.parse(s.Document!));
  const fn = docs.find((d) => d.origin === 'AWS::Lambda::Function');
  const call = fn.subsegments?.find((s: { name: string }) => s.name === 'DynamoDB');
  assert.ok(call, JSON.stringify(fn));
  assert.equal(call.namespace, 'aws');
  assert.equal(call.aws.operation, 'ListTables');
  const { Services } = await xray.send(new GetServiceGraphCommand(range()));
  const fnNode = Services!.find((s) => s.Type === 'AWS::Lambda::Function' && s.Name === 'ddb-caller')!;
  const ddb = Services!.find((s) => s.Name === 'DynamoDB')!;
  assert.ok(
    fnNode.Edges!.some((e) => e.ReferenceId === ddb.ReferenceId),
    'ddb-caller → DynamoDB',
  );
});
