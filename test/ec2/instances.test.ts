// Instances through SDK v3: RunInstances in a VPC, the state machine on the virtual clock with the
// SDK's waiters, filters, attributes, status, ENIs and root volumes, EC2's errors; the catalogue,
// AMIs and key pairs they depend on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let ec2: E.EC2Client;
const nimbus = serverForFile(async () => {
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

async function rejects(p: Promise<unknown>, name: string, message?: string | RegExp, status = 400) {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

async function al2023(arch = 'x86_64'): Promise<string> {
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: [arch] },
      ],
    }),
  );
  assert.equal(images.Images!.length, 1);
  return images.Images![0].ImageId!;
}

test('instance types: catalogue with vCPUs, memory, filters; offerings per zone', async () => {
  const t = await ec2.send(new E.DescribeInstanceTypesCommand({ InstanceTypes: ['t3.micro', 'm5.large'] }));
  const byName = Object.fromEntries(t.InstanceTypes!.map((i) => [i.InstanceType, i]));
  assert.equal(byName['t3.micro'].VCpuInfo!.DefaultVCpus, 2);
  assert.equal(byName['t3.micro'].MemoryInfo!.SizeInMiB, 1024);
  assert.equal(byName['m5.large'].MemoryInfo!.SizeInMiB, 8192);
  assert.equal(byName['t3.micro'].BurstablePerformanceSupported, true);
  const arm = await ec2.send(
    new E.DescribeInstanceTypesCommand({
      Filters: [
        { Name: 'processor-info.supported-architecture', Values: ['arm64'] },
        { Name: 'vcpu-info.default-vcpus', Values: ['4'] },
      ],
    }),
  );
  assert.ok(
    arm.InstanceTypes!.length > 0 &&
      arm.InstanceTypes!.every((i) => i.ProcessorInfo!.SupportedArchitectures![0] === 'arm64' && i.VCpuInfo!.DefaultVCpus === 4),
  );
  await rejects(
    ec2.send(new E.DescribeInstanceTypesCommand({ InstanceTypes: ['t9.huge' as E._InstanceType] })),
    'InvalidInstanceType',
    /t9\.huge/,
  );
  const offers = await ec2.send(
    new E.DescribeInstanceTypeOfferingsCommand({
      LocationType: 'availability-zone',
      Filters: [{ Name: 'instance-type', Values: ['t3.micro'] }],
    }),
  );
  assert.equal(offers.InstanceTypeOfferings!.length, 6);
  const prices = (await (await fetch(`${nimbus.url}/_nimbus/ec2/prices`)).json()) as Array<{
    instanceType: string;
    onDemandPerHour: number;
  }>;
  assert.equal(prices.find((p) => p.instanceType === 't3.micro')!.onDemandPerHour, 0.0104);
  const spot = await ec2.send(new E.DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large'], AvailabilityZone: 'us-east-1a' }));
  assert.equal(spot.SpotPriceHistory!.length, 1);
  assert.ok(Number(spot.SpotPriceHistory![0].SpotPrice) > 0 && Number(spot.SpotPriceHistory![0].SpotPrice) < 0.096);
});

test('key pairs: real RSA and ED25519 keys, imported keys fingerprinted, duplicates refused', async () => {
  const rsa = await ec2.send(new E.CreateKeyPairCommand({ KeyName: 'lab-rsa' }));
  assert.match(rsa.KeyMaterial!, /^-----BEGIN RSA PRIVATE KEY-----/);
  assert.equal(createPrivateKey(rsa.KeyMaterial!).asymmetricKeyType, 'rsa');
  assert.match(rsa.KeyFingerprint!, /^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
  const ed = await ec2.send(new E.CreateKeyPairCommand({ KeyName: 'lab-ed', KeyType: 'ed25519' }));
  assert.match(ed.KeyMaterial!, /^-----BEGIN OPENSSH PRIVATE KEY-----/);
  await rejects(
    ec2.send(new E.CreateKeyPairCommand({ KeyName: 'lab-rsa' })),
    'InvalidKeyPair.Duplicate',
    "The keypair 'lab-rsa' already exists.",
  );
  const pub = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const jwk = pub.export({ format: 'jwk' });
  const str = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const mp = (b: Buffer) => str(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  const line = `ssh-rsa ${Buffer.concat([str(Buffer.from('ssh-rsa')), mp(Buffer.from(jwk.e!, 'base64url')), mp(Buffer.from(jwk.n!, 'base64url'))]).toString('base64')} me@laptop`;
  const imported = await ec2.send(new E.ImportKeyPairCommand({ KeyName: 'mine', PublicKeyMaterial: Buffer.from(line) }));
  const md5 = createHash('md5')
    .update(pub.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .match(/../g)!
    .join(':');
  assert.equal(imported.KeyFingerprint, md5);
  await rejects(
    ec2.send(new E.ImportKeyPairCommand({ KeyName: 'junk', PublicKeyMaterial: Buffer.from('not a key') })),
    'InvalidKey.Format',
  );
  const described = await ec2.send(new E.DescribeKeyPairsCommand({ KeyNames: ['lab-ed'], IncludePublicKey: true }));
  assert.equal(described.KeyPairs![0].KeyType, 'ed25519');
  assert.match(described.KeyPairs![0].PublicKey!, /^ssh-ed25519 /);
  await ec2.send(new E.DeleteKeyPairCommand({ KeyName: 'lab-ed' }));
  await rejects(
    ec2.send(new E.DescribeKeyPairsCommand({ KeyNames: ['lab-ed'] })),
    'InvalidKeyPair.NotFound',
    "The key pair 'lab-ed' does not exist",
  );
});

test('a VPC, a subnet, instances through the state machine with waiters on the virtual clock', async () => {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.10.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.10.1.0/24', AvailabilityZone: 'us-east-1c' })))
    .Subnet!;
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId }))).GroupId!;
  const imageId = await al2023();
  const userData = Buffer.from('#!/bin/bash\necho hello\n').toString('base64');
  const run = await ec2.send(
    new E.RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 2,
      MaxCount: 3,
      SubnetId: subnet.SubnetId,
      SecurityGroupIds: [sg],
      KeyName: 'lab-rsa',
      UserData: userData,
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] },
        { ResourceType: 'volume', Tags: [{ Key: 'team', Value: 'x' }] },
      ],
    }),
  );
  assert.equal(run.Instances!.length, 3);
  const ids = run.Instances!.map((i) => i.InstanceId!);
  const first = run.Instances![0];
  assert.equal(first.State!.Name, 'pending');
  assert.equal(first.State!.Code, 0);
  assert.deepEqual(
    run.Instances!.map((i) => i.PrivateIpAddress),
    ['10.10.1.4', '10.10.1.5', '10.10.1.6'],
  );
  assert.equal(first.Placement!.AvailabilityZone, 'us-east-1c');
  assert.equal(first.SecurityGroups![0].GroupId, sg);
  assert.match(first.BlockDeviceMappings![0].Ebs!.VolumeId!, /^vol-/);

  // filters: vpc-id, instance-state-name, tag:Name
  const pending = await ec2.send(
    new E.DescribeInstancesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'instance-state-name', Values: ['pending'] },
        { Name: 'tag:Name', Values: ['web'] },
      ],
    }),
  );
  assert.equal(pending.Reservations!.length, 1);
  assert.equal(pending.Reservations![0].Instances!.length, 3);

  await advanceClock(nimbus.url, '1m');
  const waited = await E.waitUntilInstanceRunning({ client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { InstanceIds: ids });
  assert.equal(waited.state, 'SUCCESS');
  const status = await ec2.send(new E.DescribeInstanceStatusCommand({ InstanceIds: ids }));
  assert.deepEqual(
    status.InstanceStatuses!.map((st) => st.InstanceStatus!.Status),
    ['ok', 'ok', 'ok'],
  );

  // ENIs and volumes exist for each instance
  const enis = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [ids[0]] }] }));
  assert.equal(enis.NetworkInterfaces![0].PrivateIpAddress, '10.10.1.4');
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] }));
  assert.equal(subnets.Subnets![0].AvailableIpAddressCount, 251 - 3);
  await rejects(ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnet.SubnetId })), 'DependencyViolation');
  await rejects(ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sg })), 'DependencyViolation');

  // attributes
  const ud = await ec2.send(new E.DescribeInstanceAttributeCommand({ InstanceId: ids[0], Attribute: 'userData' }));
  assert.equal(ud.UserData!.Value, userData);
  await rejects(
    ec2.send(new E.ModifyInstanceAttributeCommand({ InstanceId: ids[0], InstanceType: { Value: 't3.large' } })),
    'IncorrectInstanceState',
    `The instance '${ids[0]}' is not in the 'stopped' state.`,
  );
  await ec2.send(new E.ModifyInstanceAttributeCommand({ InstanceId: ids[1], DisableApiTermination: { Value: true } }));
  await rejects(ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [ids[1]] })), 'OperationNotPermitted', /may not be terminated/);
  await ec2.send(new E.ModifyInstanceAttributeCommand({ InstanceId: ids[1], DisableApiTermination: { Value: false } }));

  // stop → stopped, resize while stopped, start again
  const stop = await ec2.send(new E.StopInstancesCommand({ InstanceIds: [ids[0]] }));
  assert.deepEqual(
    [stop.StoppingInstances![0].PreviousState!.Name, stop.StoppingInstances![0].CurrentState!.Name],
    ['running', 'stopping'],
  );
  await advanceClock(nimbus.url, '1m');
  assert.equal(
    (await E.waitUntilInstanceStopped({ client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { InstanceIds: [ids[0]] })).state,
    'SUCCESS',
  );
  await ec2.send(new E.ModifyInstanceAttributeCommand({ InstanceId: ids[0], InstanceType: { Value: 't3.large' } }));
  const start = await ec2.send(new E.StartInstancesCommand({ InstanceIds: [ids[0]] }));
  assert.equal(start.StartingInstances![0].CurrentState!.Name, 'pending');
  await advanceClock(nimbus.url, '1m');
  const after = await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [ids[0]] }));
  assert.equal(after.Reservations![0].Instances![0].State!.Name, 'running');
  assert.equal(after.Reservations![0].Instances![0].InstanceType, 't3.large');

  // terminate → shutting-down → terminated; a terminated instance cannot be started
  const term = await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: ids }));
  assert.ok(term.TerminatingInstances!.every((t) => t.CurrentState!.Name === 'shutting-down'));
  await advanceClock(nimbus.url, '1m');
  assert.equal(
    (await E.waitUntilInstanceTerminated({ client: ec2, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { InstanceIds: ids })).state,
    'SUCCESS',
  );
  await rejects(
    ec2.send(new E.StartInstancesCommand({ InstanceIds: [ids[0]] })),
    'IncorrectInstanceState',
    `The instance '${ids[0]}' is not in a state from which it can be started.`,
  );
  const vols = await ec2.send(new E.DescribeVolumesCommand({ Filters: [{ Name: 'tag:team', Values: ['x'] }] })).catch(() => undefined);
  if (vols) assert.equal(vols.Volumes!.length, 0);
  // ENIs went with the instances: the subnet, group and VPC can go
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnet.SubnetId }));
  await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sg }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
  // an hour later terminated instances are gone from Describe
  await advanceClock(nimbus.url, '2h');
  await rejects(
    ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [ids[0]] })),
    'InvalidInstanceID.NotFound',
    `The instance ID '${ids[0]}' does not exist`,
  );
});

test('RunInstances refuses bad input with EC2 errors; DryRun; default subnet; ClientToken idempotency', async () => {
  const imageId = await al2023();
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: imageId, InstanceType: 't9.huge' as E._InstanceType, MinCount: 1, MaxCount: 1 })),
    'InvalidParameterValue',
    "Invalid value 't9.huge' for InstanceType.",
  );
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: 'ami-00000000000000000', MinCount: 1, MaxCount: 1 })),
    'InvalidAMIID.NotFound',
    "The image id '[ami-00000000000000000]' does not exist",
  );
  await rejects(ec2.send(new E.RunInstancesCommand({ ImageId: 'banana', MinCount: 1, MaxCount: 1 })), 'InvalidAMIID.Malformed');
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: await al2023('arm64'), InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 })),
    'InvalidParameterValue',
    /architecture 'x86_64'.*'arm64'/,
  );
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, SubnetId: 'subnet-00000000000000000' })),
    'InvalidSubnetID.NotFound',
  );
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, KeyName: 'nope' })),
    'InvalidKeyPair.NotFound',
    "The key pair 'nope' does not exist",
  );
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, SecurityGroupIds: ['sg-00000000000000000'] })),
    'InvalidGroup.NotFound',
  );
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, DryRun: true })),
    'DryRunOperation',
    'Request would have succeeded, but DryRun flag is set.',
    412,
  );
  await rejects(
    ec2.send(new E.DescribeInstancesCommand({ InstanceIds: ['i-00000000000000000', 'i-00000000000000001'] })),
    'InvalidInstanceID.NotFound',
    "The instance IDs 'i-00000000000000000, i-00000000000000001' do not exist",
  );
  await rejects(ec2.send(new E.StopInstancesCommand({ InstanceIds: ['i-xyz'] })), 'InvalidInstanceID.Malformed', 'Invalid id: "i-xyz"');
  await rejects(
    ec2.send(new E.DescribeInstancesCommand({ InstanceIds: ['i-00000000000000000'], MaxResults: 5 })),
    'InvalidParameterCombination',
    'The parameter instancesSet cannot be used with the parameter maxResults',
  );

  const a = await ec2.send(
    new E.RunInstancesCommand({
      ImageId: imageId,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'once',
      Placement: { AvailabilityZone: 'us-east-1b' },
    }),
  );
  const b = await ec2.send(new E.RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1, ClientToken: 'once' }));
  assert.equal(a.Instances![0].InstanceId, b.Instances![0].InstanceId);
  assert.equal(a.Instances![0].Placement!.AvailabilityZone, 'us-east-1b');
  assert.match(a.Instances![0].PrivateIpAddress!, /^172\.31\.16\./);
  assert.match(a.Instances![0].PublicIpAddress ?? '', /^\d+\.\d+\.\d+\.\d+$/);
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [a.Instances![0].InstanceId!] }));
});

test('AMIs: the public catalogue by owner and name, CreateImage from an instance, RegisterImage, DeregisterImage', async () => {
  const ubuntu = await ec2.send(
    new E.DescribeImagesCommand({ Owners: ['099720109477'], Filters: [{ Name: 'name', Values: ['ubuntu/images/*24.04-amd64*'] }] }),
  );
  assert.equal(ubuntu.Images!.length, 1);
  const imageId = await al2023();
  const run = await ec2.send(new E.RunInstancesCommand({ ImageId: imageId, MinCount: 1, MaxCount: 1 }));
  const { ImageId } = await ec2.send(
    new E.CreateImageCommand({
      InstanceId: run.Instances![0].InstanceId,
      Name: 'golden-1',
      TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'stage', Value: 'gold' }] }],
    }),
  );
  const mine = await ec2.send(new E.DescribeImagesCommand({ Owners: ['self'] }));
  assert.deepEqual(
    mine.Images!.map((i) => i.ImageId),
    [ImageId],
  );
  assert.equal(mine.Images![0].Name, 'golden-1');
  assert.deepEqual(mine.Images![0].Tags, [{ Key: 'stage', Value: 'gold' }]);
  await rejects(
    ec2.send(new E.CreateImageCommand({ InstanceId: run.Instances![0].InstanceId, Name: 'golden-1' })),
    'InvalidAMIName.Duplicate',
    `AMI name golden-1 is already in use by AMI ${ImageId}`,
  );
  const reg = await ec2.send(
    new E.RegisterImageCommand({ Name: 'registered', RootDeviceName: '/dev/xvda', Architecture: 'arm64', BlockDeviceMappings: [] }),
  );
  const launched = await ec2.send(new E.RunInstancesCommand({ ImageId: reg.ImageId, InstanceType: 't4g.nano', MinCount: 1, MaxCount: 1 }));
  assert.equal(launched.Instances![0].Architecture, 'arm64');
  await ec2.send(new E.DeregisterImageCommand({ ImageId: reg.ImageId }));
  await rejects(
    ec2.send(new E.DescribeImagesCommand({ ImageIds: [reg.ImageId!] })),
    'InvalidAMIID.NotFound',
    `The image id '${reg.ImageId}' does not exist`,
  );
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [run.Instances![0].InstanceId!, launched.Instances![0].InstanceId!] }));
});
