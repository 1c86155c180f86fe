// Process mode through the AWS CLI, with Nimbus as a child process enforcing IAM: the CLI launches
// an instance whose user data runs the AWS CLI and boto3 inside it (the instance profile's role
// through IMDS), Nimbus's shutdown leaves no process behind, a restart boots running instances
// again, and a restart after kill -9 ends what the killed Nimbus left running first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '@aws-sdk/client-ec2';
import { runCli, spawnServer, clientConfig, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const USER_DATA = `#!/bin/bash
echo "pid=$$"
echo "who=$(aws sts get-caller-identity --query Arn --output text 2>&1)"
echo "boto3=$(python3 -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])' 2>&1)"
echo "buckets=$(aws s3api list-buckets --query 'length(Buckets)' --output text 2>&1)"
echo "topics=$(aws sns list-topics 2>&1 | tr '\\n' ' ')"
echo "up on $NIMBUS_BIND_ADDRESS" > index.html
exec python3 -m http.server 8080 --bind "$NIMBUS_BIND_ADDRESS"
`;

async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const answer = async (url: string) =>
  fetch(url).then(
    (r) => r.text(),
    () => undefined,
  );
/** Is the process alive (not gone, not a zombie waiting for init)? */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return false;
  }
}

test('the AWS CLI inside a process instance acts as its role; shutdown, restart and kill -9 leave no stray process', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ec2-process-'));
  let server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn', '--enforce-iam']);
  try {
    const aws = async (cli: string, ...args: string[]) => {
      const r = await runCli(cli, ['--endpoint-url', server.url, '--output', 'json', ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : {};
    };
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await aws(AWS_CLI_V1, 'iam', 'create-role', '--role-name', 'web', '--assume-role-policy-document', trust);
    await aws(
      AWS_CLI_V1,
      'iam',
      'put-role-policy',
      '--role-name',
      'web',
      '--policy-name',
      'list',
      '--policy-document',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] }),
    );
    await aws(AWS_CLI_V1, 'iam', 'create-instance-profile', '--instance-profile-name', 'web');
    await aws(AWS_CLI_V1, 'iam', 'add-role-to-instance-profile', '--instance-profile-name', 'web', '--role-name', 'web');
    const images = await aws(
      AWS_CLI_V2,
      'ec2',
      'describe-images',
      '--owners',
      'amazon',
      '--filters',
      'Name=name,Values=al2023-ami-*-x86_64',
    );
    // a VPC of this file's own: its instance's loopback address is not one other test files' servers use
    const { Vpc } = await aws(AWS_CLI_V2, 'ec2', 'create-vpc', '--cidr-block', '10.202.0.0/16');
    const { Subnet } = await aws(AWS_CLI_V2, 'ec2', 'create-subnet', '--vpc-id', Vpc.VpcId, '--cidr-block', '10.202.1.0/24');
    const run = await aws(
      AWS_CLI_V2,
      'ec2',
      'run-instances',
      '--image-id',
      images.Images[0].ImageId,
      '--instance-type',
      't3.micro',
      '--count',
      '1',
      '--subnet-id',
      Subnet.SubnetId,
      '--user-data',
      USER_DATA,
      '--iam-instance-profile',
      'Name=web',
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=nimbus:run,Value=process}]',
    );
    const id: string = run.Instances[0].InstanceId;
    const advance = () => fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '20s' }) });
    await advance();

    const ec2 = () => new E.EC2Client(clientConfig(server.url));
    const consoleText = async () =>
      Buffer.from((await ec2().send(new E.GetConsoleOutputCommand({ InstanceId: id }))).Output ?? '', 'base64').toString();
    const text = await until('the user data to report', async () => {
      const t = await consoleText();
      return /topics=/.test(t) ? t : undefined;
    });
    const address = /listening address (\S+)/.exec(text)![1];
    assert.equal(address, `127.${(run.Instances[0].PrivateIpAddress as string).split('.').slice(1).join('.')}`);
    const url = `http://${address}:8080/`;
    assert.match(text, new RegExp(`who=arn:aws:sts::000000000000:assumed-role/web/${id}\\n`));
    assert.match(text, new RegExp(`boto3=arn:aws:sts::000000000000:assumed-role/web/${id}\\n`));
    assert.match(text, /buckets=0\n/);
    assert.match(text, /topics=.*AccessDenied/, 'the role may not list topics');
    assert.equal(await until('the server', () => answer(url)), `up on ${new URL(url).hostname}\n`);
    const cliConsole = await aws(AWS_CLI_V1, 'ec2', 'get-console-output', '--instance-id', id);
    assert.match(cliConsole.Output, /who=arn:aws:sts::/, 'the CLI decodes the base64 output');
    const pid = Number(/pid=(\d+)/.exec(text)![1]);
    assert.ok(alive(pid));

    // a clean shutdown kills the instance's process group
    await server.stop();
    assert.equal(alive(pid), false);
    assert.equal(await answer(url), undefined);

    // the instance is still running by its state: a restart boots it again
    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn', '--enforce-iam']);
    await until('the second boot', () => answer(url));
    const second = Number([...(await consoleText()).matchAll(/pid=(\d+)/g)][1][1]);
    assert.notEqual(second, pid);

    // kill -9 leaves the process running; the next start ends it before booting the instance again
    await server.kill9();
    assert.ok(alive(second), 'nothing could end it');
    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn', '--enforce-iam']);
    await until('the leftover to end', async () => (alive(second) ? undefined : true));
    await until('the third boot', async () => ((await consoleText()).match(/pid=\d+/g)?.length === 3 ? true : undefined));
    await until('the server again', () => answer(url));
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
