// Lambda functions: create/read/update/delete, the state lifecycle, and invocations of real node and
// python code (results, errors, timeouts, crashes, the log tail), through the SDK v3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  UpdateFunctionConfigurationCommand,
  UpdateFunctionCodeCommand,
  DeleteFunctionCommand,
  CreateFunctionCommand,
  GetAccountSettingsCommand,
  TagResourceCommand,
  ListTagsCommand,
  waitUntilFunctionUpdatedV2,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { serverForFile, rejects } from '../helpers.js';
import { ROLE, zip, lambdaClient, createFunction, decode } from '../lambda-helpers.js';
import { createHash } from 'node:crypto';

const server = serverForFile();
const client = () => lambdaClient(server.url);

const NODE_ECHO = {
  'index.js': `exports.handler = async (event, context) => {
    console.log('got', JSON.stringify(event));
    return { echo: event, fn: context.functionName, arn: context.invokedFunctionArn, mem: context.memoryLimitInMB,
      remaining: context.getRemainingTimeInMillis() > 0, id: context.awsRequestId, group: context.logGroupName,
      env: { name: process.env.AWS_LAMBDA_FUNCTION_NAME, region: process.env.AWS_REGION, exec: process.env.AWS_EXECUTION_ENV,
        handler: process.env._HANDLER, key: !!process.env.AWS_ACCESS_KEY_ID, endpoint: process.env.AWS_ENDPOINT_URL, custom: process.env.CUSTOM,
        tmp: process.env.TMPDIR } };
  };`,
};

test('a node function is created Pending, becomes Active, and echoes its event with the context AWS gives', async () => {
  const c = client();
  const z = zip(NODE_ECHO);
  const created = await c.send(
    new CreateFunctionCommand({
      FunctionName: 'echo',
      Runtime: 'nodejs20.x',
      Role: ROLE,
      Handler: 'index.handler',
      Code: { ZipFile: z },
      Environment: { Variables: { CUSTOM: 'yes' } },
      Tags: { team: 'a' },
    }),
  );
  assert.equal(created.State, 'Pending');
  assert.equal(created.CodeSha256, createHash('sha256').update(z).digest('base64'));
  assert.equal(created.Timeout, 3);
  assert.equal(created.MemorySize, 128);
  const { waitUntilFunctionActiveV2 } = await import('@aws-sdk/client-lambda');
  await waitUntilFunctionActiveV2({ client: c, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'echo' });
  const got = await c.send(new GetFunctionCommand({ FunctionName: 'echo' }));
  assert.equal(got.Configuration?.State, 'Active');
  assert.deepEqual(got.Tags, { team: 'a' });
  const code = await fetch(got.Code!.Location!);
  assert.deepEqual(Buffer.from(await code.arrayBuffer()), z);

  const r = await c.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"a":1}'), LogType: 'Tail' }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, undefined);
  assert.equal(r.ExecutedVersion, '$LATEST');
  const out = JSON.parse(decode(r.Payload));
  assert.deepEqual(out.echo, { a: 1 });
  assert.equal(out.fn, 'echo');
  assert.equal(out.arn, 'arn:aws:lambda:us-east-1:000000000000:function:echo');
  assert.equal(out.mem, '128');
  assert.equal(out.remaining, true);
  assert.equal(out.group, '/aws/lambda/echo');
  assert.deepEqual(
    { ...out.env, tmp: undefined },
    {
      name: 'echo',
      region: 'us-east-1',
      exec: 'AWS_Lambda_nodejs20.x',
      handler: 'index.handler',
      key: true,
      endpoint: server.url,
      custom: 'yes',
      tmp: undefined,
    },
  );
  const log = Buffer.from(r.LogResult!, 'base64').toString();
  assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
  assert.match(log, /\tINFO\tgot \{"a":1\}\n/);
  assert.match(log, /END RequestId: /);
  assert.match(log, /REPORT RequestId: .*\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/);
});

test('warm invocations reuse the environment; an update of the configuration starts a new one', async () => {
  const c = client();
  await createFunction(c, 'counter', 'nodejs20.x', 'index.handler', {
    'index.js': 'let n = 0; exports.handler = async () => ({ n: ++n, v: process.env.VV ?? null });',
  });
  const n = async () => JSON.parse(decode((await c.send(new InvokeCommand({ FunctionName: 'counter' }))).Payload));
  assert.deepEqual(await n(), { n: 1, v: null });
  assert.deepEqual(await n(), { n: 2, v: null });
  const upd = await c.send(
    new UpdateFunctionConfigurationCommand({ FunctionName: 'counter', Environment: { Variables: { VV: 'x' } }, Timeout: 10 }),
  );
  assert.equal(upd.LastUpdateStatus, 'InProgress');
  await waitUntilFunctionUpdatedV2({ client: c, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'counter' });
  assert.equal((await c.send(new GetFunctionConfigurationCommand({ FunctionName: 'counter' }))).LastUpdateStatus, 'Successful');
  assert.deepEqual(await n(), { n: 1, v: 'x' });
  await c.send(
    new UpdateFunctionCodeCommand({ FunctionName: 'counter', ZipFile: zip({ 'index.js': 'exports.handler = async () => "v2";' }) }),
  );
  assert.equal(decode((await c.send(new InvokeCommand({ FunctionName: 'counter' }))).Payload), '"v2"');
});

test('ESM and callback-style handlers', async () => {
  const c = client();
  await createFunction(c, 'esm', 'nodejs22.x', 'app.handler', {
    'app.mjs': 'export const handler = async (e) => ({ esm: true, x: e.x });',
  });
  assert.deepEqual(
    JSON.parse(decode((await c.send(new InvokeCommand({ FunctionName: 'esm', Payload: Buffer.from('{"x":2}') }))).Payload)),
    { esm: true, x: 2 },
  );
  await createFunction(c, 'cb', 'nodejs18.x', 'lib/h.run', {
    'lib/h.js': 'exports.run = (e, ctx, cb) => setTimeout(() => cb(null, { cb: ctx.awsRequestId.length }), 5);',
  });
  assert.deepEqual(JSON.parse(decode((await c.send(new InvokeCommand({ FunctionName: 'cb' }))).Payload)), { cb: 36 });
});

test('a thrown error answers X-Amz-Function-Error Unhandled with errorType, errorMessage and trace', async () => {
  const c = client();
  await createFunction(c, 'thrower', 'nodejs20.x', 'index.handler', {
    'index.js':
      'class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } }\nexports.handler = async () => { throw new MyError("boom"); };',
  });
  const r = await c.send(new InvokeCommand({ FunctionName: 'thrower' }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, 'Unhandled');
  const body = JSON.parse(decode(r.Payload));
  assert.equal(body.errorType, 'MyError');
  assert.equal(body.errorMessage, 'boom');
  assert.ok(Array.isArray(body.trace) && body.trace[0].startsWith('MyError: boom'));
  // the environment survives a handled error
  assert.equal((await c.send(new InvokeCommand({ FunctionName: 'thrower' }))).FunctionError, 'Unhandled');
});

test('a python function gets event and context; its exception is reported as the Python runtime does', async () => {
  const c = client();
  await createFunction(c, 'py', 'python3.12', 'lambda_function.lambda_handler', {
    'lambda_function.py': `import os, logging
def lambda_handler(event, context):
    if event.get('fail'):
        raise ValueError('bad value')
    print('hello from python')
    logging.getLogger().info('logged')
    return {'sum': event['a'] + event['b'], 'fn': context.function_name, 'rid': len(context.aws_request_id), 'left': context.get_remaining_time_in_millis() > 0, 'task': os.environ['LAMBDA_TASK_ROOT'] == os.getcwd()}
`,
  });
  const r = await c.send(new InvokeCommand({ FunctionName: 'py', Payload: Buffer.from('{"a":2,"b":3}'), LogType: 'Tail' }));
  assert.deepEqual(JSON.parse(decode(r.Payload)), { sum: 5, fn: 'py', rid: 36, left: true, task: true });
  const log = Buffer.from(r.LogResult!, 'base64').toString();
  assert.match(log, /hello from python\n/);
  assert.match(log, /\[INFO\]\t\S+Z\t[0-9a-f-]{36}\tlogged\n/);
  const e = await c.send(new InvokeCommand({ FunctionName: 'py', Payload: Buffer.from('{"fail":true}') }));
  assert.equal(e.FunctionError, 'Unhandled');
  const body = JSON.parse(decode(e.Payload));
  assert.equal(body.errorType, 'ValueError');
  assert.equal(body.errorMessage, 'bad value');
  assert.ok(Array.isArray(body.stackTrace));
});

test('a function past its timeout is killed: Sandbox.Timedout, "Task timed out after 1.00 seconds"', async () => {
  const c = client();
  await createFunction(
    c,
    'slow',
    'nodejs20.x',
    'index.handler',
    { 'index.js': 'exports.handler = () => new Promise(() => {});' },
    { Timeout: 1 },
  );
  const r = await c.send(new InvokeCommand({ FunctionName: 'slow', LogType: 'Tail' }));
  assert.equal(r.FunctionError, 'Unhandled');
  const body = JSON.parse(decode(r.Payload));
  assert.equal(body.errorType, 'Sandbox.Timedout');
  assert.match(body.errorMessage, /Task timed out after 1\.00 seconds/);
  assert.match(Buffer.from(r.LogResult!, 'base64').toString(), /Task timed out after 1\.00 seconds/);
  assert.match(Buffer.from(r.LogResult!, 'base64').toString(), /REPORT RequestId: .*\tStatus: timeout\t/);
});

test("a cold start's init does not count against the timeout (AWS limits init to 10 s on its own)", async () => {
  const c = client();
  await createFunction(
    c,
    'slowinit',
    'nodejs20.x',
    'index.handler',
    {
      'index.js':
        'const end = Date.now() + 1500; while (Date.now() < end); exports.handler = async (e, ctx) => ({ left: ctx.getRemainingTimeInMillis() > 0 });',
    },
    { Timeout: 1 },
  );
  const r = await c.send(new InvokeCommand({ FunctionName: 'slowinit', LogType: 'Tail' }));
  assert.equal(r.FunctionError, undefined, decode(r.Payload));
  assert.deepEqual(JSON.parse(decode(r.Payload)), { left: true });
  const init = /Init Duration: ([\d.]+) ms/.exec(Buffer.from(r.LogResult!, 'base64').toString());
  assert.ok(init && Number(init[1]) >= 1500);
});

test('a crash is Runtime.ExitError; a heap over MemorySize is Runtime.OutOfMemory', async () => {
  const c = client();
  await createFunction(c, 'crash', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async () => { process.exit(3); };' });
  const r = await c.send(new InvokeCommand({ FunctionName: 'crash' }));
  assert.equal(r.FunctionError, 'Unhandled');
  assert.deepEqual(JSON.parse(decode(r.Payload)).errorType, 'Runtime.ExitError');
  assert.match(JSON.parse(decode(r.Payload)).errorMessage, /Runtime exited with error: exit status 3/);
  await createFunction(
    c,
    'hog',
    'nodejs20.x',
    'index.handler',
    { 'index.js': 'exports.handler = async () => { const a = []; for (;;) a.push(new Array(1e6).fill(1)); };' },
    { Timeout: 30 },
  );
  const o = await c.send(new InvokeCommand({ FunctionName: 'hog' }));
  assert.equal(JSON.parse(decode(o.Payload)).errorType, 'Runtime.OutOfMemory');
});

test('memory past MemorySize kills the environment as AWS\'s cgroup does: Runtime.OutOfMemory, "signal: killed", REPORT at the limit (python, node buffers)', async () => {
  const c = client();
  await createFunction(
    c,
    'pyhog',
    'python3.12',
    'app.handler',
    {
      'app.py':
        'held = []\ndef handler(event, context):\n    if event.get("small"):\n        return "fine"\n    while True:\n        held.append(b"x" * (4 << 20))\n',
    },
    { Timeout: 30, MemorySize: 128 },
  );
  // Buffers live outside V8's heap: only the memory watch stops them
  await createFunction(
    c,
    'bufhog',
    'nodejs20.x',
    'index.handler',
    {
      'index.js':
        'const held = []; exports.handler = async () => { for (;;) { held.push(Buffer.alloc(4 << 20, 1)); await new Promise((r) => setImmediate(r)); } };',
    },
    { Timeout: 30, MemorySize: 128 },
  );
  for (const name of ['pyhog', 'bufhog']) {
    const r = await c.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail' }));
    assert.equal(r.FunctionError, 'Unhandled');
    const body = JSON.parse(decode(r.Payload));
    assert.equal(body.errorType, 'Runtime.OutOfMemory', name);
    assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: signal: killed$/);
    assert.match(
      Buffer.from(r.LogResult!, 'base64').toString(),
      /Memory Size: 128 MB\tMax Memory Used: 128 MB\t(Init Duration: [\d.]+ ms\t)?Status: error\tError Type: Runtime\.OutOfMemory/,
    );
  }
  // the next invocation gets a fresh environment
  const again = await c.send(new InvokeCommand({ FunctionName: 'pyhog', Payload: Buffer.from('{"small":true}'), LogType: 'Tail' }));
  assert.equal(decode(again.Payload), '"fine"');
  assert.match(Buffer.from(again.LogResult!, 'base64').toString(), /Init Duration/);
});

test('a missing handler file is Runtime.ImportModuleError (node and python)', async () => {
  const c = client();
  await createFunction(c, 'nofile', 'nodejs20.x', 'missing.handler', { 'index.js': 'exports.handler = async () => 1;' });
  const r = await c.send(new InvokeCommand({ FunctionName: 'nofile' }));
  assert.equal(r.FunctionError, 'Unhandled');
  const body = JSON.parse(decode(r.Payload));
  assert.equal(body.errorType, 'Runtime.ImportModuleError');
  assert.match(body.errorMessage, /Cannot find module 'missing'/);
  await createFunction(c, 'nofilepy', 'python3.11', 'nothere.handler', { 'x.py': '' });
  const p = JSON.parse(decode((await c.send(new InvokeCommand({ FunctionName: 'nofilepy' }))).Payload));
  assert.equal(p.errorType, 'Runtime.ImportModuleError');
  assert.match(p.errorMessage, /Unable to import module 'nothere'/);
});

test('bad input: no zip, Image package, unknown runtime, oversize payload, bad JSON, unknown function, timeout over 900', async () => {
  const c = client();
  await rejects(
    c.send(
      new CreateFunctionCommand({
        FunctionName: 'nozip',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'i.h',
        Code: { ZipFile: Buffer.from('not a zip') },
      }),
    ),
    'InvalidParameterValueException',
    400,
    (e) => assert.equal(e.message, 'Could not unzip uploaded file. Please check your file, then try to upload again.'),
  );
  await rejects(
    c.send(new CreateFunctionCommand({ FunctionName: 'img', PackageType: 'Image', Role: ROLE, Code: { ImageUri: '1.dkr.ecr/x:latest' } })),
    'InvalidParameterValueException',
    400,
    (e) => assert.match(e.message as string, /Image/),
  );
  await rejects(
    c.send(
      new CreateFunctionCommand({
        FunctionName: 'java',
        Runtime: 'java21',
        Role: ROLE,
        Handler: 'a::b',
        Code: { ZipFile: zip({ a: 'b' }) },
      }),
    ),
    'InvalidParameterValueException',
    400,
  );
  await rejects(
    c.send(
      new CreateFunctionCommand({
        FunctionName: 'long',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'i.h',
        Timeout: 901,
        Code: { ZipFile: zip({ a: 'b' }) },
      }),
    ),
    'ValidationException',
    400,
  );
  await rejects(
    c.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.alloc(6 * 1024 * 1024 + 1, 32) })),
    'RequestEntityTooLargeException',
    413,
  );
  await rejects(
    c.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'Event', Payload: Buffer.alloc(1024 * 1024 + 1, 32) })),
    'RequestEntityTooLargeException',
    413,
  );
  await rejects(c.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{nope') })), 'InvalidRequestContentException', 400);
  await rejects(c.send(new InvokeCommand({ FunctionName: 'nobody' })), 'ResourceNotFoundException', 404, (e) =>
    assert.equal(e.message, 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody'),
  );
  await rejects(
    c.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'i.h',
        Code: { ZipFile: zip({ a: 'b' }) },
      }),
    ),
    'ResourceConflictException',
    409,
  );
  // the server is unharmed
  assert.equal((await c.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }))).StatusCode, 204);
});

test('reserved concurrency 0 throttles with ReservedFunctionConcurrentInvocationLimitExceeded', async () => {
  const c = client();
  await c.send(new PutFunctionConcurrencyCommand({ FunctionName: 'counter', ReservedConcurrentExecutions: 0 }));
  await rejects(c.send(new InvokeCommand({ FunctionName: 'counter' })), 'TooManyRequestsException', 429, (e) =>
    assert.equal(e.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded'),
  );
});

test('list pages, tags, account settings, delete', async () => {
  const c = client();
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await c.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
    assert.ok(page.Functions!.length <= 2);
    names.push(...page.Functions!.map((f) => f.FunctionName!));
    marker = page.NextMarker;
  } while (marker);
  assert.ok(names.includes('echo') && names.includes('py'));
  assert.equal(new Set(names).size, names.length);
  await c.send(new TagResourceCommand({ Resource: 'arn:aws:lambda:us-east-1:000000000000:function:echo', Tags: { b: '2' } }));
  assert.deepEqual((await c.send(new ListTagsCommand({ Resource: 'arn:aws:lambda:us-east-1:000000000000:function:echo' }))).Tags, {
    team: 'a',
    b: '2',
  });
  const s = await c.send(new GetAccountSettingsCommand({}));
  assert.equal(s.AccountUsage?.FunctionCount, names.length);
  assert.equal(s.AccountLimit?.ConcurrentExecutions, 1000);
  await c.send(new DeleteFunctionCommand({ FunctionName: 'echo' }));
  await rejects(c.send(new GetFunctionCommand({ FunctionName: 'echo' })), 'ResourceNotFoundException', 404);
});
