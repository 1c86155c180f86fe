// Lambda through the AWS CLI v1 and v2 (create, wait, invoke with a log tail, errors) and boto3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';
import { zip, ROLE } from '../lambda-helpers.js';

const server = serverForFile();
const dir = mkdtempSync(join(tmpdir(), 'nimbus-lambda-cli-'));
const zipFile = join(dir, 'fn.zip');
writeFileSync(
  zipFile,
  zip({
    'index.js':
      'exports.handler = async (e) => { console.log("cli says", e.who); if (e.fail) throw new TypeError("nope"); return { hello: e.who }; };',
  }),
);

for (const [label, cli, extra] of [
  ['v1', AWS_CLI_V1, []],
  ['v2', AWS_CLI_V2, ['--cli-binary-format', 'raw-in-base64-out']],
] as const) {
  test(`aws lambda create-function, wait, invoke (CLI ${label})`, async () => {
    const name = `cli-${label}`;
    const aws = (...args: string[]) => runCli(cli, ['--endpoint-url', server.url, ...args]);
    const created = await aws(
      'lambda',
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
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).FunctionName, name);
    const waited = await aws('lambda', 'wait', 'function-active-v2', '--function-name', name);
    assert.equal(waited.code, 0, waited.stderr);
    const out = join(dir, `${label}.json`);
    const r = await aws('lambda', 'invoke', '--function-name', name, '--payload', '{"who":"cli"}', '--log-type', 'Tail', ...extra, out);
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(r.stdout);
    assert.equal(meta.StatusCode, 200);
    assert.match(Buffer.from(meta.LogResult, 'base64').toString(), /INFO\tcli says cli/);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { hello: 'cli' });
    const e = await aws('lambda', 'invoke', '--function-name', name, '--payload', '{"fail":true}', ...extra, out);
    assert.equal(e.code, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).FunctionError, 'Unhandled');
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).errorType, 'TypeError');
    const missing = await aws('lambda', 'get-function', '--function-name', 'nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
  });
}

test('boto3: create a python function, invoke it, read its configuration', async () => {
  const pyZip = join(dir, 'py.zip');
  writeFileSync(
    pyZip,
    zip({ 'app.py': 'def handler(event, context):\n    return {"n": event["n"] + 1, "v": context.function_version}\n' }),
  );
  const script = `
import boto3, json, sys
c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1')
c.create_function(FunctionName='boto', Runtime='python3.12', Role='${ROLE}', Handler='app.handler', Code={'ZipFile': open(sys.argv[2], 'rb').read()}, MemorySize=256)
c.get_waiter('function_active_v2').wait(FunctionName='boto')
r = c.invoke(FunctionName='boto', Payload=json.dumps({'n': 41}))
cfg = c.get_function_configuration(FunctionName='boto')
print(json.dumps({'status': r['StatusCode'], 'payload': json.loads(r['Payload'].read()), 'memory': cfg['MemorySize'], 'state': cfg['State']}))
`;
  const r = await runCli('python3', ['-c', script, server.url, pyZip]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { status: 200, payload: { n: 42, v: '$LATEST' }, memory: 256, state: 'Active' });
});

test('boto3: another account invokes a function by its ARN once the owner adds a permission for it', async () => {
  const fnZip = join(dir, 'xacct.zip');
  writeFileSync(fnZip, zip({ 'app.py': 'def handler(event, context):\n    return {"arn": context.invoked_function_arn}\n' }));
  const script = `
import boto3, json, sys
from botocore.exceptions import ClientError
mk = lambda acct: boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id=acct, aws_secret_access_key='test')
owner, caller = mk('333333333333'), mk('444444444444')
owner.create_function(FunctionName='xacct', Runtime='python3.12', Role='arn:aws:iam::333333333333:role/r', Handler='app.handler', Code={'ZipFile': open(sys.argv[2], 'rb').read()})
owner.get_waiter('function_active_v2').wait(FunctionName='xacct')
arn = 'arn:aws:lambda:us-east-1:333333333333:function:xacct'
out = {}
try:
    caller.invoke(FunctionName=arn)
except ClientError as e:
    out['denied'] = [e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Message']]
owner.add_permission(FunctionName='xacct', StatementId='x', Action='lambda:InvokeFunction', Principal='444444444444')
out['payload'] = json.loads(caller.invoke(FunctionName=arn)['Payload'].read())
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, server.url, fnZip]);
  assert.equal(r.code, 0, r.stderr);
  const arn = 'arn:aws:lambda:us-east-1:333333333333:function:xacct';
  assert.deepEqual(JSON.parse(r.stdout), {
    denied: [
      'AccessDeniedException',
      403,
      `User: arn:aws:iam::444444444444:root is not authorized to perform: lambda:InvokeFunction on resource: ${arn} because no resource-based policy allows the lambda:InvokeFunction action`,
    ],
    payload: { arn },
  });
});
