// Instances that serve (process mode) through SDK v3: user data really runs on the instance's own
// loopback address once the instance is running, stops with it, starts and reboots with it; IMDSv2
// serves its metadata and its instance profile's role credentials; GetConsoleOutput has its output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import * as E from '@aws-sdk/client-ec2';
import { IAMClient, CreateRoleCommand, CreateInstanceProfileCommand, AddRoleToInstanceProfileCommand } from '@aws-sdk/client-iam';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { serverForFile, clientConfig, advanceClock, region } from '../helpers.js';

let ec2: E.EC2Client;
let iam: IAMClient;
/** a VPC of this file's own, so its instances' loopback addresses are not those of other files' servers running at the same time */
const subnets: string[] = [];
const nimbus = serverForFile(async () => {
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  iam = new IAMClient(clientConfig(nimbus.url));
  const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.201.0.0/16' }))).Vpc!.VpcId!;
  for (const [n, zone] of [
    [1, 'us-east-1a'],
    [2, 'us-east-1b'],
  ]) {
    subnets.push(
      (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.201.${n}.0/24`, AvailabilityZone: zone as string }))).Subnet!
        .SubnetId!,
    );
  }
});
const ACCOUNT = '000000000000';
const RUN = { ResourceType: 'instance' as const, Tags: [{ Key: 'nimbus:run', Value: 'process' }] };
const b64 = (s: string) => Buffer.from(s).toString('base64');

const SERVER = `#!/bin/sh
echo "serving $NIMBUS_INSTANCE_ID from $PWD"
echo boot >> boots
echo "hello from $NIMBUS_INSTANCE_ID" > index.html
exec python3 -m http.server 8080 --bind "$NIMBUS_BIND_ADDRESS"
`;

/** Polls until `fn` answers something (a bounded wait for a process to come up or go away). */
async function until<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; body: string } | 'refused'> {
  try {
    const res = await fetch(url, { method, headers });
    return { status: res.status, body: await res.text() };
  } catch {
    return 'refused';
  }
}

const served = (url: string) =>
  until(`${url} to answer`, async () => {
    const r = await get(url);
    return r !== 'refused' && r.status === 200 ? r.body : undefined;
  });
const refused = (url: string) => until(`${url} to refuse`, async () => ((await get(url)) === 'refused' ? true : undefined));
const consoleOf = async (id: string) =>
  Buffer.from((await ec2.send(new E.GetConsoleOutputCommand({ InstanceId: id }))).Output ?? '', 'base64').toString();
const consoleLine = (id: string, re: RegExp) => until(`${re} on the console of ${id}`, async () => re.exec(await consoleOf(id))?.[1]);
const endpoint = (id: string, port: number) => nimbus.runtime.integrations.ec2!.endpoint!(ACCOUNT, region, id, port);

async function launch(userData: string, extra: Partial<E.RunInstancesCommandInput> = {}, count = 1): Promise<E.Instance[]> {
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  const out = await ec2.send(
    new E.RunInstancesCommand({
      ImageId: images.Images![0].ImageId,
      InstanceType: 't3.micro',
      MinCount: count,
      MaxCount: count,
      SubnetId: subnets[0],
      UserData: b64(userData),
      TagSpecifications: [RUN],
      ...extra,
    }),
  );
  return out.Instances!;
}

test('a process instance runs its user data once running: two instances serve port 8080, each on its own address', async () => {
  const [a, b] = await launch(SERVER, {}, 2);
  const [plain] = await launch(SERVER, { TagSpecifications: [] });
  assert.equal(endpoint(a.InstanceId!, 8080), undefined, 'pending: nothing serves yet');
  await advanceClock(nimbus.url, '20s');
  for (const i of [a, b]) {
    const ep = endpoint(i.InstanceId!, 8080)!;
    assert.deepEqual(ep, { host: `127.${i.PrivateIpAddress!.split('.').slice(1).join('.')}`, port: 8080 });
    assert.equal(await served(`http://${ep.host}:${ep.port}/index.html`), `hello from ${i.InstanceId}\n`);
  }
  assert.match(await consoleOf(a.InstanceId!), /running the user data with \/bin\/sh[\s\S]*serving i-/);
  assert.equal(endpoint(plain.InstanceId!, 8080), undefined, 'an instance without the tag runs nothing');
  const quiet = await ec2.send(new E.GetConsoleOutputCommand({ InstanceId: plain.InstanceId }));
  assert.equal(quiet.InstanceId, plain.InstanceId);
  assert.equal(quiet.Output, undefined);
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [a.InstanceId!, b.InstanceId!, plain.InstanceId!] }));
});

test('stop kills the process, start runs the user data again, reboot restarts it, terminate cleans up', async () => {
  const [i] = await launch(SERVER);
  const id = i.InstanceId!;
  await advanceClock(nimbus.url, '20s');
  const { host } = endpoint(id, 8080)!;
  const url = `http://${host}:8080`;
  assert.equal(await served(`${url}/boots`), 'boot\n');
  const dir = await consoleLine(id, /serving i-\w+ from (\S+)/);

  await ec2.send(new E.StopInstancesCommand({ InstanceIds: [id] }));
  await refused(url);
  assert.equal(endpoint(id, 8080), undefined);
  await advanceClock(nimbus.url, '20s');
  await ec2.send(new E.StartInstancesCommand({ InstanceIds: [id] }));
  assert.equal(await get(url), 'refused', 'pending: not yet');
  await advanceClock(nimbus.url, '20s');
  assert.equal(await served(`${url}/boots`), 'boot\nboot\n', 'the working directory (its disk) survived the stop');

  await ec2.send(new E.RebootInstancesCommand({ InstanceIds: [id] }));
  await until('the reboot', async () => ((await get(`${url}/boots`)) as { body?: string }).body === 'boot\nboot\nboot\n' || undefined);
  assert.match(await consoleOf(id), /rebooted at/);

  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
  await refused(url);
  await advanceClock(nimbus.url, '20s');
  await until('the disk to go', async () => (existsSync(join(dir, 'boots')) ? undefined : true));
  assert.match(await consoleOf(id), /the user data exited with signal SIGTERM/, 'the console stays readable while the instance is listed');
  await advanceClock(nimbus.url, '2h');
  await until('the directory to go', async () => (existsSync(dir) ? undefined : true));
});

test('IMDSv2: a token, then the instance metadata; IMDSv1 refused once tokens are required; 403 when disabled', async () => {
  const [i] = await launch('echo "imds=$AWS_EC2_METADATA_SERVICE_ENDPOINT"\n', {
    MetadataOptions: { HttpTokens: 'optional', InstanceMetadataTags: 'enabled' },
    TagSpecifications: [{ ResourceType: 'instance', Tags: [...RUN.Tags, { Key: 'Name', Value: 'web' }] }],
  });
  const id = i.InstanceId!;
  await advanceClock(nimbus.url, '20s');
  const imds = await consoleLine(id, /imds=(\S+)/);
  assert.equal(await get(`${imds}/latest/api/token`, {}, 'PUT').then((r) => r !== 'refused' && r.status), 400, 'no TTL');
  assert.equal(
    await get(`${imds}/latest/api/token`, { 'X-aws-ec2-metadata-token-ttl-seconds': '21601' }, 'PUT').then(
      (r) => r !== 'refused' && r.status,
    ),
    400,
  );
  const token = await get(`${imds}/latest/api/token`, { 'X-aws-ec2-metadata-token-ttl-seconds': '300' }, 'PUT');
  assert.ok(token !== 'refused' && token.status === 200);
  const md = async (path: string, headers: Record<string, string> = { 'X-aws-ec2-metadata-token': token.body }) =>
    get(`${imds}/latest/${path}`, headers);
  const value = async (path: string) => {
    const r = await md(path);
    assert.ok(r !== 'refused' && r.status === 200, `${path}: ${JSON.stringify(r)}`);
    return r.body;
  };
  assert.equal(await value('meta-data/instance-id'), id);
  assert.equal(await value('meta-data/ami-id'), i.ImageId);
  assert.equal(await value('meta-data/instance-type'), 't3.micro');
  assert.equal(await value('meta-data/local-ipv4'), i.PrivateIpAddress);
  assert.equal(await value('meta-data/placement/availability-zone'), i.Placement!.AvailabilityZone);
  assert.equal(await value('meta-data/placement/region'), region);
  assert.equal(await value('meta-data/mac'), i.NetworkInterfaces![0].MacAddress);
  assert.equal(await value('meta-data/security-groups'), 'default');
  assert.equal(await value('meta-data/tags/instance/Name'), 'web');
  assert.equal(await value('user-data'), 'echo "imds=$AWS_EC2_METADATA_SERVICE_ENDPOINT"\n');
  assert.match(await value('meta-data/'), /^ami-id\n[\s\S]*\ninstance-id\n[\s\S]*placement\/\n/);
  assert.equal(JSON.parse(await value('dynamic/instance-identity/document')).instanceId, id);
  assert.equal(
    (await md('meta-data/iam/info')) !== 'refused' && ((await md('meta-data/iam/info')) as { status: number }).status,
    404,
    'no instance profile',
  );
  assert.equal(((await md('meta-data/instance-id', {})) as { body: string }).body, id, 'IMDSv1 while tokens are optional');
  assert.equal(((await md('meta-data/instance-id', { 'X-aws-ec2-metadata-token': 'forged' })) as { status: number }).status, 401);

  await ec2.send(new E.ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpTokens: 'required' }));
  assert.equal(((await md('meta-data/instance-id', {})) as { status: number }).status, 401, 'IMDSv1 refused');
  assert.equal(await value('meta-data/instance-id'), id);
  await ec2.send(new E.ModifyInstanceMetadataOptionsCommand({ InstanceId: id, InstanceMetadataTags: 'disabled' }));
  assert.equal(((await md('meta-data/tags/instance/Name')) as { status: number }).status, 404);
  await ec2.send(new E.ModifyInstanceMetadataOptionsCommand({ InstanceId: id, HttpEndpoint: 'disabled' }));
  assert.equal(((await md('meta-data/instance-id')) as { status: number }).status, 403);
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
  await refused(`${imds}/latest/meta-data/`);
});

test("the instance profile's role: the SDK inside the instance acts as assumed-role/<role>/<instance-id>", async () => {
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'web-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web-profile' }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web-profile', RoleName: 'web-role' }));
  const sts = createRequire(import.meta.url).resolve('@aws-sdk/client-sts');
  const script = `const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(sts)});
new STSClient({}).send(new GetCallerIdentityCommand({})).then((r) => console.log('identity=' + r.Arn), (e) => console.log('failed=' + e));`;
  const [i] = await launch(`#!${process.execPath}\nconsole.log('imds=' + process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT);\n${script}\n`, {
    IamInstanceProfile: { Name: 'web-profile' },
  });
  const id = i.InstanceId!;
  await advanceClock(nimbus.url, '20s');
  const arn = `arn:aws:sts::${ACCOUNT}:assumed-role/web-role/${id}`;
  assert.equal(await consoleLine(id, /(?:identity|failed)=(.+)/), arn);

  const imds = await consoleLine(id, /imds=(\S+)/);
  const token = ((await get(`${imds}/latest/api/token`, { 'X-aws-ec2-metadata-token-ttl-seconds': '60' }, 'PUT')) as { body: string }).body;
  const h = { 'X-aws-ec2-metadata-token': token };
  assert.equal(((await get(`${imds}/latest/meta-data/iam/security-credentials/`, h)) as { body: string }).body, 'web-role');
  const info = JSON.parse(((await get(`${imds}/latest/meta-data/iam/info`, h)) as { body: string }).body);
  assert.equal(info.InstanceProfileArn, `arn:aws:iam::${ACCOUNT}:instance-profile/web-profile`);
  const creds = JSON.parse(((await get(`${imds}/latest/meta-data/iam/security-credentials/web-role`, h)) as { body: string }).body);
  assert.equal(creds.Code, 'Success');
  assert.equal(creds.Type, 'AWS-HMAC');
  const asRole = new STSClient(
    clientConfig(nimbus.url, {
      credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.Token },
    }),
  );
  assert.equal((await asRole.send(new GetCallerIdentityCommand({}))).Arn, arn);
  // the SDK inside ages them by its own clock: six hours from now, and a clock advance does not expire them under it
  assert.ok(Math.abs(Date.parse(creds.Expiration) - (Date.now() + 6 * 3600_000)) < 60_000, creds.Expiration);
  await advanceClock(nimbus.url, '8d');
  assert.equal((await asRole.send(new GetCallerIdentityCommand({}))).Arn, arn);
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
});

test("a launch template's tags make an Auto Scaling group's instances process instances", async () => {
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  await ec2.send(
    new E.CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-process',
      LaunchTemplateData: { ImageId: images.Images![0].ImageId, InstanceType: 't3.micro', UserData: b64(SERVER), TagSpecifications: [RUN] },
    }),
  );
  const asg = new AutoScalingClient(clientConfig(nimbus.url));
  await asg.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web',
      MinSize: 2,
      MaxSize: 2,
      DesiredCapacity: 2,
      VPCZoneIdentifier: subnets.join(','),
      LaunchTemplate: { LaunchTemplateName: 'web-process', Version: '$Latest' },
    }),
  );
  const ids = await until('the group to launch', async () => {
    const g = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups![0];
    return g.Instances?.length === 2 ? g.Instances.map((i) => i.InstanceId!) : undefined;
  });
  await advanceClock(nimbus.url, '20s');
  for (const id of ids) {
    const { host, port } = endpoint(id, 8080)!;
    assert.equal(await served(`http://${host}:${port}/index.html`), `hello from ${id}\n`);
  }
  await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web', ForceDelete: true }));
  for (const id of ids) await until(`${id} to stop serving`, async () => (endpoint(id, 8080) === undefined ? true : undefined));
});

test('a reset ends the processes of the instances it forgets (at the next clock advance or instance call)', async () => {
  const [i] = await launch(SERVER);
  await advanceClock(nimbus.url, '20s');
  const { host } = endpoint(i.InstanceId!, 8080)!;
  await served(`http://${host}:8080/`);
  const dir = await consoleLine(i.InstanceId!, /serving i-\w+ from (\S+)/);
  await nimbus.reset();
  await advanceClock(nimbus.url, '1s');
  await refused(`http://${host}:8080/`);
  await until('the directory to go', async () => (existsSync(dir) ? undefined : true));
});
