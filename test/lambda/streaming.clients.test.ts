// InvokeWithResponseStream through boto3 (reading the EventStream: PayloadChunk in order, then
// InvokeComplete, an error mid-stream); neither Debian's CLI v2 (2.9) nor the CLI v1 offers
// invoke-with-response-stream. Function URL configs through both CLIs, the URL called with fetch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';
import { zip, ROLE } from '../lambda-helpers.js';

const server = serverForFile();
const dir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-stream-'));

test('boto3: invoke_with_response_stream reads the chunks in order and the completion, with an error mid-stream', async () => {
  const zipFile = join(dir, 'fn.zip');
  writeFileSync(
    zipFile,
    zip({
      'index.mjs': `export const handler = awslambda.streamifyResponse(async (e, s) => {
      for (const p of e.parts) s.write(p);
      if (e.fail) throw new RangeError(e.fail);
      s.end();
    });`,
    }),
  );
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

for (const [label, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`aws lambda create/get/list/delete-function-url-config (CLI ${label}), the URL answering fetch`, async () => {
    const name = `url-${label}`;
    const zipFile = join(dir, `${name}.zip`);
    writeFileSync(zipFile, zip({ 'index.js': 'exports.handler = async (e) => ({ statusCode: 200, body: "hi " + e.rawPath });' }));
    const aws = async (...args: string[]) => {
      const r = await runCli(cli, ['--endpoint-url', server.url, '--region', 'us-east-1', 'lambda', ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout ? JSON.parse(r.stdout) : undefined;
    };
    await aws(
      'create-function',
      '--function-name',
      name,
      '--runtime',
      'nodejs20.x',
      '--role',
      ROLE,
      '--handler',
      'index.handler',
      '--zip-file',
      `fileb://${zipFile}`,
    );
    await aws('wait', 'function-active-v2', '--function-name', name);
    const created = await aws(
      'create-function-url-config',
      '--function-name',
      name,
      '--auth-type',
      'NONE',
      '--cors',
      'AllowOrigins=https://x.example,AllowMethods=GET',
    );
    assert.match(created.FunctionUrl, /^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+\/$/);
    assert.equal((await aws('get-function-url-config', '--function-name', name)).FunctionUrl, created.FunctionUrl);
    assert.equal((await aws('list-function-url-configs', '--function-name', name)).FunctionUrlConfigs.length, 1);
    const id = new URL(created.FunctionUrl).hostname.split('.')[0];
    const res = await fetch(`${server.url}/_nimbus/lambda-url/${id}/hello`);
    assert.equal(await res.text(), 'hi /hello');
    await aws('delete-function-url-config', '--function-name', name);
    assert.equal((await fetch(`${server.url}/_nimbus/lambda-url/${id}/hello`)).status, 403);
  });
}
