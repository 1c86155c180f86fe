// Parameter Store through the AWS CLI v1 and v2 and boto3, and parameters (SecureString included)
// surviving a restart of a Nimbus process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSMClient, GetParameterCommand, PutParameterCommand, GetParameterHistoryCommand } from '@aws-sdk/client-ssm';
import { serverForFile, runCli, spawnServer, clientConfig, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  const aws = (...args: string[]) => runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
  const ok = async (...args: string[]) => {
    const r = await aws(...args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout ? JSON.parse(r.stdout) : {};
  };

  test(`AWS CLI ${name}: put-parameter, get-parameter (SecureString decrypted), get-parameters-by-path, errors, run-instances with resolve:ssm:`, async () => {
    const base = `/cli/${name}`;
    assert.deepEqual(await ok('ssm', 'put-parameter', '--name', `${base}/plain`, '--value', 'hello', '--type', 'String'), {
      Version: 1,
      Tier: 'Standard',
    });
    await ok('ssm', 'put-parameter', '--name', `${base}/secret`, '--value', 'pssst', '--type', 'SecureString');
    assert.equal((await ok('ssm', 'get-parameter', '--name', `${base}/plain`)).Parameter.Value, 'hello');
    assert.notEqual((await ok('ssm', 'get-parameter', '--name', `${base}/secret`)).Parameter.Value, 'pssst');
    assert.equal((await ok('ssm', 'get-parameter', '--name', `${base}/secret`, '--with-decryption')).Parameter.Value, 'pssst');
    const byPath = await ok('ssm', 'get-parameters-by-path', '--path', base, '--with-decryption');
    assert.deepEqual(byPath.Parameters.map((p: { Value: string }) => p.Value).sort(), ['hello', 'pssst']);
    const again = await aws('ssm', 'put-parameter', '--name', `${base}/plain`, '--value', 'x', '--type', 'String');
    assert.notEqual(again.code, 0);
    assert.match(
      again.stderr,
      /ParameterAlreadyExists.*The parameter already exists\. To overwrite this value, set the overwrite option in the request to true\./,
    );
    const missing = await aws('ssm', 'get-parameter', '--name', `${base}/none`);
    assert.match(missing.stderr, /ParameterNotFound/);
    const ami = await ok('ssm', 'get-parameter', '--name', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64');
    assert.match(ami.Parameter.Value, /^ami-/);
    const run = await ok(
      'ec2',
      'run-instances',
      '--image-id',
      'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
      '--count',
      '1',
      '--instance-type',
      't3.micro',
    );
    assert.equal(run.Instances[0].ImageId, ami.Parameter.Value);
  });
}

test('boto3: put_parameter, get_parameter with a label selector, SecureString round trip, ParameterNotFound', async () => {
  const script = `
import sys, json, boto3
ssm = boto3.client('ssm', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
ssm.put_parameter(Name='/py/p', Value='one', Type='String')
ssm.put_parameter(Name='/py/p', Value='two', Type='String', Overwrite=True)
ssm.label_parameter_version(Name='/py/p', ParameterVersion=1, Labels=['old'])
ssm.put_parameter(Name='/py/s', Value='top secret', Type='SecureString')
try:
    ssm.get_parameter(Name='/py/none')
    err = None
except ssm.exceptions.ParameterNotFound as e:
    err = e.response['Error']['Code']
print(json.dumps({
  'old': ssm.get_parameter(Name='/py/p:old')['Parameter']['Value'],
  'latest': ssm.get_parameter(Name='/py/p')['Parameter']['Version'],
  'secret': ssm.get_parameter(Name='/py/s', WithDecryption=True)['Parameter']['Value'],
  'names': sorted(p['Name'] for p in ssm.describe_parameters()['Parameters'] if p['Name'].startswith('/py/')),
  'err': err,
}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    old: 'one',
    latest: 2,
    secret: 'top secret',
    names: ['/py/p', '/py/s'],
    err: 'ParameterNotFound',
  });
});

test('parameters and their versions survive a restart; a SecureString still decrypts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ssm-persist-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const c = new SSMClient(clientConfig(first.url));
    await c.send(new PutParameterCommand({ Name: '/kept/a', Value: 'v1', Type: 'String' }));
    await c.send(new PutParameterCommand({ Name: '/kept/a', Value: 'v2', Type: 'String', Overwrite: true }));
    await c.send(new PutParameterCommand({ Name: '/kept/s', Value: 'hidden', Type: 'SecureString' }));
  } finally {
    await first.stop();
  }
  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const c = new SSMClient(clientConfig(second.url));
    assert.equal((await c.send(new GetParameterCommand({ Name: '/kept/a' }))).Parameter!.Value, 'v2');
    assert.equal((await c.send(new GetParameterHistoryCommand({ Name: '/kept/a' }))).Parameters!.length, 2);
    assert.equal((await c.send(new GetParameterCommand({ Name: '/kept/s', WithDecryption: true }))).Parameter!.Value, 'hidden');
  } finally {
    await second.stop();
  }
});
