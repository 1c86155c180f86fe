// EC2 through the AWS CLI v1, the AWS CLI v2 and boto3: a VPC, a subnet, an instance run and found
// again with filters, EC2's errors as each client prints them; launch template tags merged and a flow
// log to S3 through boto3; and the state surviving a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, runCli, spawnServer, clientConfig, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

async function aws(cli: string, ...args: string[]): Promise<any> {
  const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', 'ec2', ...args]);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`AWS CLI ${name}: VPC, subnet, security group, run-instances, describe-instances with filters, terminate`, async () => {
    const second = name === 'v1' ? 20 : 21;
    const { Vpc } = await aws(
      cli,
      'create-vpc',
      '--cidr-block',
      `10.${second}.0.0/16`,
      '--tag-specifications',
      `ResourceType=vpc,Tags=[{Key=Name,Value=cli-${name}}]`,
    );
    const { Subnet } = await aws(
      cli,
      'create-subnet',
      '--vpc-id',
      Vpc.VpcId,
      '--cidr-block',
      `10.${second}.1.0/24`,
      '--availability-zone',
      'us-east-1a',
    );
    const { GroupId } = await aws(cli, 'create-security-group', '--group-name', 'ssh', '--description', 'ssh in', '--vpc-id', Vpc.VpcId);
    await aws(cli, 'authorize-security-group-ingress', '--group-id', GroupId, '--protocol', 'tcp', '--port', '22', '--cidr', '0.0.0.0/0');
    const images = await aws(cli, 'describe-images', '--owners', 'amazon', '--filters', 'Name=name,Values=al2023-ami-*-x86_64');
    const imageId = images.Images[0].ImageId;
    const run = await aws(
      cli,
      'run-instances',
      '--image-id',
      imageId,
      '--instance-type',
      't3.micro',
      '--count',
      '2',
      '--subnet-id',
      Subnet.SubnetId,
      '--security-group-ids',
      GroupId,
      '--user-data',
      '#!/bin/bash\necho hi',
      '--tag-specifications',
      `ResourceType=instance,Tags=[{Key=Name,Value=web-${name}}]`,
    );
    assert.equal(run.Instances.length, 2);
    const ids = run.Instances.map((i: { InstanceId: string }) => i.InstanceId).sort();
    const found = await aws(
      cli,
      'describe-instances',
      '--filters',
      `Name=vpc-id,Values=${Vpc.VpcId}`,
      `Name=tag:Name,Values=web-${name}`,
      'Name=instance-state-name,Values=pending,running',
    );
    assert.deepEqual(
      found.Reservations.flatMap((r: { Instances: Array<{ InstanceId: string }> }) => r.Instances.map((i) => i.InstanceId)).sort(),
      ids,
    );
    const ud = await aws(cli, 'describe-instance-attribute', '--instance-id', ids[0], '--attribute', 'userData');
    assert.equal(Buffer.from(ud.UserData.Value, 'base64').toString(), '#!/bin/bash\necho hi');
    const q = await aws(
      cli,
      'describe-instances',
      '--instance-ids',
      run.Instances[0].InstanceId,
      '--query',
      'Reservations[0].Instances[0].PrivateIpAddress',
    );
    assert.equal(q, `10.${second}.1.4`);
    const bad = await runCli(cli, [
      '--endpoint-url',
      nimbus.url,
      'ec2',
      'create-subnet',
      '--vpc-id',
      Vpc.VpcId,
      '--cidr-block',
      `10.${second}.1.0/25`,
    ]);
    assert.match(
      bad.stderr,
      new RegExp(
        `An error occurred \\(InvalidSubnet\\.Conflict\\) when calling the CreateSubnet operation: The CIDR '10\\.${second}\\.1\\.0/25' conflicts with another subnet`,
      ),
    );
    const dry = await runCli(cli, ['--endpoint-url', nimbus.url, 'ec2', 'terminate-instances', '--instance-ids', ids[0], '--dry-run']);
    assert.match(dry.stderr, /\(DryRunOperation\).*Request would have succeeded, but DryRun flag is set\./);
    const term = await aws(cli, 'terminate-instances', '--instance-ids', ...ids);
    assert.equal(term.TerminatingInstances[0].CurrentState.Name, 'shutting-down');
    const gone = await runCli(cli, ['--endpoint-url', nimbus.url, 'ec2', 'describe-instances', '--instance-ids', 'i-0123456789abcdef0']);
    assert.match(gone.stderr, /\(InvalidInstanceID\.NotFound\).*The instance ID 'i-0123456789abcdef0' does not exist/);
  });
}

test('boto3: VPC, subnet, key pair, run an instance, describe with filters, paginator, waiter', async () => {
  const script = `
import boto3, sys
ec2 = boto3.client('ec2', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
vpc = ec2.create_vpc(CidrBlock='10.30.0.0/16')['Vpc']['VpcId']
subnet = ec2.create_subnet(VpcId=vpc, CidrBlock='10.30.0.0/24')['Subnet']['SubnetId']
key = ec2.create_key_pair(KeyName='boto-key')
assert key['KeyMaterial'].startswith('-----BEGIN RSA PRIVATE KEY-----')
ami = ec2.describe_images(Owners=['amazon'], Filters=[{'Name': 'name', 'Values': ['al2023-ami-*-x86_64']}])['Images'][0]['ImageId']
r = ec2.run_instances(ImageId=ami, InstanceType='t3.small', MinCount=1, MaxCount=1, SubnetId=subnet, KeyName='boto-key',
                      TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'boto'}]}])
iid = r['Instances'][0]['InstanceId']
found = ec2.describe_instances(Filters=[{'Name': 'tag:Name', 'Values': ['boto']}, {'Name': 'subnet-id', 'Values': [subnet]}])
assert [i['InstanceId'] for res in found['Reservations'] for i in res['Instances']] == [iid]
assert found['Reservations'][0]['Instances'][0]['KeyName'] == 'boto-key'
pages = list(ec2.get_paginator('describe_subnets').paginate(PaginationConfig={'PageSize': 5}))
assert sum(len(p['Subnets']) for p in pages) >= 7 and len(pages) >= 2
try:
    ec2.delete_vpc(VpcId=vpc)
    raise SystemExit('DeleteVpc should fail')
except ec2.exceptions.ClientError as e:
    assert e.response['Error']['Code'] == 'DependencyViolation', e.response
    assert e.response['ResponseMetadata']['HTTPStatusCode'] == 400
ec2.terminate_instances(InstanceIds=[iid])
print('ok')
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ok');
});

test("boto3: a launch template's tags merge with run_instances' own; a flow log to S3 keeps its destination options", async () => {
  const script = `
import boto3, sys
ec2 = boto3.client('ec2', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
ami = ec2.describe_images(Owners=['amazon'], Filters=[{'Name': 'name', 'Values': ['al2023-ami-*-x86_64']}])['Images'][0]['ImageId']
lt = ec2.create_launch_template(LaunchTemplateName='boto-tags', LaunchTemplateData={'ImageId': ami, 'InstanceType': 't3.micro',
    'TagSpecifications': [{'ResourceType': 'instance', 'Tags': [{'Key': 'stack', 'Value': 'blue'}, {'Key': 'env', 'Value': 'lt'}]}]})
r = ec2.run_instances(LaunchTemplate={'LaunchTemplateName': 'boto-tags'}, MinCount=1, MaxCount=1,
                      TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'env', 'Value': 'run'}]}])
tags = {t['Key']: t['Value'] for t in r['Instances'][0]['Tags']}
assert tags['stack'] == 'blue' and tags['env'] == 'run', tags
vpc = r['Instances'][0]['VpcId']
s3.create_bucket(Bucket='boto-flows')
fl = ec2.create_flow_logs(ResourceType='VPC', ResourceIds=[vpc], TrafficType='ALL', LogDestinationType='s3',
                          LogDestination='arn:aws:s3:::boto-flows/logs/', DestinationOptions={'FileFormat': 'plain-text', 'PerHourPartition': True})
d = ec2.describe_flow_logs(FlowLogIds=fl['FlowLogIds'])['FlowLogs'][0]
assert d['LogDestinationType'] == 's3' and d['LogDestination'] == 'arn:aws:s3:::boto-flows/logs/', d
assert d['DestinationOptions'] == {'FileFormat': 'plain-text', 'HiveCompatiblePartitions': False, 'PerHourPartition': True}, d
ec2.delete_flow_logs(FlowLogIds=fl['FlowLogIds'])
ec2.terminate_instances(InstanceIds=[r['Instances'][0]['InstanceId']])
print('ok')
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ok');
});

test('VPCs, subnets, key pairs and instances survive a restart; the state machine continues on the clock', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ec2-restart-'));
  let server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    let ec2 = new E.EC2Client(clientConfig(server.url));
    const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
    const subnetId = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.1.0/24' }))).Subnet!.SubnetId!;
    const defaultVpc = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0].VpcId;
    const image = (
      await ec2.send(new E.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-x86_64'] }] }))
    ).Images![0].ImageId;
    const run = await ec2.send(new E.RunInstancesCommand({ ImageId: image, MinCount: 1, MaxCount: 1, SubnetId: subnetId }));
    const id = run.Instances![0].InstanceId!;
    await server.stop();

    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    ec2 = new E.EC2Client(clientConfig(server.url));
    const again = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs!;
    assert.deepEqual(
      again.map((v) => v.VpcId),
      [defaultVpc],
      'the default VPC is not created twice',
    );
    assert.equal((await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0].VpcId, vpcId);
    await fetch(`${server.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1m' }) });
    const inst = (await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0].Instances![0];
    assert.equal(inst.State!.Name, 'running');
    assert.equal(inst.PrivateIpAddress, '10.40.1.4');
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
