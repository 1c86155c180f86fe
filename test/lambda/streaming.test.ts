// InvokeWithResponseStream: chunks of an awslambda.streamifyResponse handler reach the SDK's
// EventStream while the function still runs, in order, closed by InvokeComplete; failures mid-stream,
// buffered functions, errors before the stream, and a buffered Invoke of a streaming function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, InvokeWithResponseStreamCommand, type InvokeWithResponseStreamResponseEvent } from '@aws-sdk/client-lambda';
import { serverForFile, rejects } from '../helpers.js';
import { lambdaClient, createFunction, decode } from '../lambda-helpers.js';

const server = serverForFile();
const client = () => lambdaClient(server.url);

// writes one chunk per element of event.parts; before each later chunk waits for a file named after it
const STREAMER = {
  'index.mjs': `import { existsSync } from 'node:fs';
const until = async (f) => { while (!existsSync(f)) await new Promise((r) => setTimeout(r, 5)); };
export const handler = awslambda.streamifyResponse(async (event, stream, context) => {
  stream.setContentType('text/plain');
  for (const [i, part] of event.parts.entries()) {
    if (event.gate && i > 0) await until(event.gate + '.' + i);
    stream.write(part);
  }
  if (event.fail) throw new Error(event.fail);
  stream.end();
});`,
};

async function collect(events: AsyncIterable<InvokeWithResponseStreamResponseEvent> | undefined) {
  const chunks: string[] = [];
  let complete: InvokeWithResponseStreamResponseEvent['InvokeComplete'];
  for await (const e of events!) {
    if (e.PayloadChunk) chunks.push(decode(e.PayloadChunk.Payload));
    if (e.InvokeComplete) complete = e.InvokeComplete;
  }
  return { chunks, complete };
}

test('chunks reach the caller while the function still writes, in order, then InvokeComplete', async () => {
  const c = client();
  await createFunction(c, 'streamer', 'nodejs20.x', 'index.handler', STREAMER);
  const gate = join(mkdtempSync(join(tmpdir(), 'nimbus-stream-')), 'gate');
  const r = await c.send(
    new InvokeWithResponseStreamCommand({
      FunctionName: 'streamer',
      Payload: Buffer.from(JSON.stringify({ parts: ['one ', 'two ', 'three'], gate })),
      LogType: 'Tail',
    }),
  );
  assert.equal(r.StatusCode, 200);
  assert.equal(r.ExecutedVersion, '$LATEST');
  const seen: string[] = [];
  let complete: InvokeWithResponseStreamResponseEvent['InvokeComplete'];
  for await (const e of r.EventStream!) {
    if (e.PayloadChunk) {
      seen.push(decode(e.PayloadChunk.Payload));
      // the function waits for this gate before its next chunk: this chunk came while it ran
      writeFileSync(`${gate}.${seen.length}`, '');
    }
    if (e.InvokeComplete) complete = e.InvokeComplete;
  }
  assert.deepEqual(seen, ['one ', 'two ', 'three']);
  assert.equal(complete?.ErrorCode, undefined);
  assert.match(Buffer.from(complete!.LogResult!, 'base64').toString(), /REPORT RequestId: /);
});

test('a failure mid-stream keeps the chunks written and reports the error in InvokeComplete', async () => {
  const c = client();
  const r = await c.send(
    new InvokeWithResponseStreamCommand({
      FunctionName: 'streamer',
      Payload: Buffer.from(JSON.stringify({ parts: ['a', 'b'], fail: 'broken pipe dream' })),
    }),
  );
  const { chunks, complete } = await collect(r.EventStream);
  assert.equal(chunks.join(''), 'ab');
  assert.equal(complete?.ErrorCode, 'Error');
  assert.equal(complete?.ErrorDetails, 'broken pipe dream');
});

test('a buffered function streamed answers one chunk; a buffered Invoke of a streaming function gets the whole body', async () => {
  const c = client();
  await createFunction(c, 'plain', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async (e) => ({ hello: e.name });' });
  const r = await c.send(new InvokeWithResponseStreamCommand({ FunctionName: 'plain', Payload: Buffer.from('{"name":"ada"}') }));
  const { chunks, complete } = await collect(r.EventStream);
  assert.deepEqual(chunks, ['{"hello":"ada"}']);
  assert.deepEqual(complete, {});
  const b = await c.send(new InvokeCommand({ FunctionName: 'streamer', Payload: Buffer.from('{"parts":["x","y","z"]}') }));
  assert.equal(b.FunctionError, undefined);
  assert.equal(decode(b.Payload), 'xyz');
});

test('a timeout mid-stream ends the stream with Sandbox.Timedout', async () => {
  const c = client();
  await createFunction(
    c,
    'slowstream',
    'nodejs20.x',
    'index.handler',
    {
      'index.mjs':
        'export const handler = awslambda.streamifyResponse(async (e, s) => { s.write("first"); await new Promise(() => {}); });',
    },
    { Timeout: 1 },
  );
  const r = await c.send(new InvokeWithResponseStreamCommand({ FunctionName: 'slowstream' }));
  const { chunks, complete } = await collect(r.EventStream);
  assert.deepEqual(chunks, ['first']);
  assert.equal(complete?.ErrorCode, 'Sandbox.Timedout');
  assert.match(complete?.ErrorDetails ?? '', /Task timed out after 1.00 seconds/);
});

test("errors before the stream are the call's own: unknown function, bad JSON, wrong invocation type; DryRun answers 204", async () => {
  const c = client();
  await rejects(c.send(new InvokeWithResponseStreamCommand({ FunctionName: 'nope' })), 'ResourceNotFoundException', 404);
  await rejects(
    c.send(new InvokeWithResponseStreamCommand({ FunctionName: 'plain', Payload: Buffer.from('{not json') })),
    'InvalidRequestContentException',
    400,
  );
  const dry = await c.send(new InvokeWithResponseStreamCommand({ FunctionName: 'plain', InvocationType: 'DryRun' }));
  assert.equal(dry.StatusCode, 204);
});

test("a python function (no response streaming in AWS's Python runtime) answers InvokeWithResponseStream with its whole response as one chunk", async () => {
  const c = client();
  await createFunction(c, 'pystream', 'python3.12', 'app.handler', {
    'app.py':
      'def handler(event, context):\n    if event.get("fail"):\n        raise ValueError(event["fail"])\n    return {"hello": event["name"], "parts": ["a" * 1000] * 3}\n',
  });
  const r = await c.send(new InvokeWithResponseStreamCommand({ FunctionName: 'pystream', Payload: Buffer.from('{"name":"ada"}') }));
  const { chunks, complete } = await collect(r.EventStream);
  assert.equal(chunks.length, 1);
  assert.deepEqual(JSON.parse(chunks[0]), { hello: 'ada', parts: ['a'.repeat(1000), 'a'.repeat(1000), 'a'.repeat(1000)] });
  assert.deepEqual(complete, {});
  const failed = await collect(
    (await c.send(new InvokeWithResponseStreamCommand({ FunctionName: 'pystream', Payload: Buffer.from('{"fail":"no thanks"}') })))
      .EventStream,
  );
  assert.deepEqual(failed.chunks, []);
  assert.equal(failed.complete?.ErrorCode, 'ValueError');
  assert.equal(failed.complete?.ErrorDetails, 'no thanks');
});

// a custom runtime (provided.al2023) speaking the Runtime API's streaming response mode itself:
// chunked transfer encoding, a failure in the trailers
const CUSTOM_STREAMER = {
  bootstrap: `#!/usr/bin/env python3
import base64, json, os, socket, time, urllib.request
api = os.environ['AWS_LAMBDA_RUNTIME_API']
host, port = api.split(':')
while True:
    with urllib.request.urlopen(f'http://{api}/2018-06-01/runtime/invocation/next') as r:
        rid = r.headers['Lambda-Runtime-Aws-Request-Id']
        event = json.loads(r.read())
    s = socket.create_connection((host, int(port)))
    s.sendall((f'POST /2018-06-01/runtime/invocation/{rid}/response HTTP/1.1\\r\\nHost: {api}\\r\\n'
               'Lambda-Runtime-Function-Response-Mode: streaming\\r\\nTransfer-Encoding: chunked\\r\\nContent-Type: text/plain\\r\\n'
               'Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\\r\\n\\r\\n').encode())
    for i, part in enumerate(event['parts']):
        while event.get('gate') and i > 0 and not os.path.exists(f"{event['gate']}.{i}"):
            time.sleep(0.005)
        b = part.encode()
        s.sendall(b'%x\\r\\n%s\\r\\n' % (len(b), b))
    trailers = ''
    if event.get('fail'):
        body = base64.b64encode(json.dumps({'errorType': 'CustomError', 'errorMessage': event['fail']}).encode()).decode()
        trailers = f'Lambda-Runtime-Function-Error-Type: CustomError\\r\\nLambda-Runtime-Function-Error-Body: {body}\\r\\n'
    s.sendall(f'0\\r\\n{trailers}\\r\\n'.encode())
    s.recv(4096)
    s.close()
`,
};

test("a custom runtime (provided.al2023) that answers in the Runtime API's streaming mode streams: chunks as written, a failure in the trailers", async () => {
  const c = client();
  await createFunction(c, 'custom-stream', 'provided.al2023', 'unused', CUSTOM_STREAMER);
  const gate = join(mkdtempSync(join(tmpdir(), 'nimbus-stream-')), 'gate');
  const r = await c.send(
    new InvokeWithResponseStreamCommand({
      FunctionName: 'custom-stream',
      Payload: Buffer.from(JSON.stringify({ parts: ['uno ', 'dos ', 'tres'], gate })),
    }),
  );
  const seen: string[] = [];
  let complete: InvokeWithResponseStreamResponseEvent['InvokeComplete'];
  for await (const e of r.EventStream!) {
    if (e.PayloadChunk) {
      seen.push(decode(e.PayloadChunk.Payload));
      writeFileSync(`${gate}.${seen.length}`, ''); // the runtime writes its next chunk only after this one arrived
    }
    if (e.InvokeComplete) complete = e.InvokeComplete;
  }
  assert.deepEqual(seen, ['uno ', 'dos ', 'tres']);
  assert.deepEqual(complete, {});
  const failed = await collect(
    (
      await c.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: 'custom-stream',
          Payload: Buffer.from('{"parts":["x","y"],"fail":"out of tea"}'),
        }),
      )
    ).EventStream,
  );
  assert.equal(failed.chunks.join(''), 'xy');
  assert.equal(failed.complete?.ErrorCode, 'CustomError');
  assert.equal(failed.complete?.ErrorDetails, 'out of tea');
  // a buffered Invoke of the same runtime gets the whole body
  assert.equal(
    decode((await c.send(new InvokeCommand({ FunctionName: 'custom-stream', Payload: Buffer.from('{"parts":["p","q"]}') }))).Payload),
    'pq',
  );
});
