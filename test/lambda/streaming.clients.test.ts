// InvokeWithResponseStream through boto3 (reading the EventStream: PayloadChunk in order, then
// InvokeComplete, an error mid-stream). Neither Debian's CLI v2 (2.9) nor the CLI v1 offers
// invoke-with-response-stream, so the CLIs are not driven here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverForFile, runCli } from '../helpers.js';
import { zip, ROLE } from '../lambda-helpers.js';

const server = serverForFile();
const dir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-stream-'));

test('boto3: invoke_with_response_stream reads the chunks in order and the completion, with an error mid-stream', async () => {
  const zipFile = join(dir, 'fn.zip');
  writeFileSync(zipFile, zip({
    'index.mjs': `export const handler = awslambda.streamifyResponse(async (e, s) => {
      for (const p of e.parts) s.write(p);
      if (e.fail) throw new RangeError(e.fail);
      s.end();
    });`,
  }));
  const script = `
import boto3, json, sys
c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1')
c.create_function(FunctionName='bstream', Runtime='nodejs20.x', Role='${ROLE}', Handler='index.handler', Code={'ZipFile': open(sys.argv[2], 'rb').read()})
c.get_waiter('function_active_v2').wait(FunctionName='bstream')
def run(payload):
    r = c.invoke_with_response_stream(FunctionName='bstream', Payload=json.dumps(payload), LogType='Tail')
    chunks, done = [], None
    for ev in r['EventStream']:
        if 'PayloadChunk' in ev: chunks.append(ev['PayloadChunk']['Payload'].decode())
        if 'InvokeComplete' in ev: done = ev['InvokeComplete']
    return {'status': r['StatusCode'], 'chunks': chunks, 'code': done.get('ErrorCode'), 'details': done.get('ErrorDetails'), 'tail': 'LogResult' in done}
print(json.dumps([run({'parts': ['a', 'b', 'c']}), run({'parts': ['x'], 'fail': 'too far'})]))
`;
  const r = await runCli('python3', ['-c', script, server.url, zipFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), [
    { status: 200, chunks: ['a', 'b', 'c'], code: null, details: null, tail: true },
    { status: 200, chunks: ['x'], code: 'RangeError', details: 'too far', tail: true },
  ]);
});
