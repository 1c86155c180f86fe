// Elastic IPs, NAT gateways, network ACL entries and launch templates through SDK v3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let ec2: E.EC2Client;
const nimbus = serverForFile(async () => {
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

async function rejects(p: Promise<unknown>, name: string, message?: string | RegExp) {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

const ami = async () =>
  (await ec2.send(new E.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-x86_64'] }] })))
    .Images![0].ImageId!;

test('an Elastic IP follows its instance; a NAT gateway in a public subnet; a VPC torn down after them', async () => {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.60.0.0/16' }))).Vpc!.VpcId!;
  const pub = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.60.0.0/24' }))).Subnet!.SubnetId!;
  const run = await ec2.send(new E.RunInstancesCommand({ ImageId: await ami(), MinCount: 1, MaxCount: 1, SubnetId: pub }));
  const id = run.Instances![0].InstanceId!;
  assert.equal(run.Instances![0].PublicIpAddress, undefined);

  const eip = await ec2.send(new E.AllocateAddressCommand({ Domain: 'vpc' }));
  const { AssociationId } = await ec2.send(new E.AssociateAddressCommand({ AllocationId: eip.AllocationId, InstanceId: id }));
  const inst = (await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0].Instances![0];
  assert.equal(inst.PublicIpAddress, eip.PublicIp);
  const byInstance = await ec2.send(new E.DescribeAddressesCommand({ Filters: [{ Name: 'instance-id', Values: [id] }] }));
  assert.equal(byInstance.Addresses![0].AssociationId, AssociationId);
  await rejects(ec2.send(new E.ReleaseAddressCommand({ AllocationId: eip.AllocationId })), 'InvalidIPAddress.InUse');
  await ec2.send(new E.DisassociateAddressCommand({ AssociationId }));
  assert.equal(
    (await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0].Instances![0].PublicIpAddress,
    undefined,
  );

  const nat = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: pub, AllocationId: eip.AllocationId }))).NatGateway!;
  assert.equal(nat.State, 'pending');
  assert.equal(nat.NatGatewayAddresses![0].PublicIp, eip.PublicIp);
  await advanceClock(nimbus.url, '1m');
  const ready = await E.waitUntilNatGatewayAvailable(
    { client: ec2, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
    { NatGatewayIds: [nat.NatGatewayId!] },
  );
  assert.equal(ready.state, 'SUCCESS');
  const rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat.NatGatewayId }));
  const natEni = await ec2.send(
    new E.DescribeNetworkInterfacesCommand({
      Filters: [
        { Name: 'interface-type', Values: ['nat_gateway'] },
        { Name: 'vpc-id', Values: [vpcId] },
      ],
    }),
  );
  assert.equal(natEni.NetworkInterfaces![0].RequesterManaged, true);

  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
  await rejects(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation');
  await ec2.send(new E.DeleteNatGatewayCommand({ NatGatewayId: nat.NatGatewayId }));
  await ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: rtb }));
  await ec2.send(new E.ReleaseAddressCommand({ AllocationId: eip.AllocationId }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: pub }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
});

test('network ACLs: numbered entries, duplicates refused, associations moved, the default one kept', async () => {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.61.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.61.0.0/24' }))).Subnet!.SubnetId!;
  const acl = (await ec2.send(new E.CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl!.NetworkAclId!;
  await ec2.send(
    new E.CreateNetworkAclEntryCommand({
      NetworkAclId: acl,
      RuleNumber: 100,
      Protocol: 'tcp',
      RuleAction: 'allow',
      Egress: false,
      CidrBlock: '0.0.0.0/0',
      PortRange: { From: 443, To: 443 },
    }),
  );
  await rejects(
    ec2.send(
      new E.CreateNetworkAclEntryCommand({
        NetworkAclId: acl,
        RuleNumber: 100,
        Protocol: '-1',
        RuleAction: 'deny',
        Egress: false,
        CidrBlock: '0.0.0.0/0',
      }),
    ),
    'NetworkAclEntryAlreadyExists',
    'The network acl entry identified by 100 already exists.',
  );
  await rejects(
    ec2.send(
      new E.CreateNetworkAclEntryCommand({
        NetworkAclId: acl,
        RuleNumber: 40000,
        Protocol: '-1',
        RuleAction: 'deny',
        Egress: false,
        CidrBlock: '0.0.0.0/0',
      }),
    ),
    'InvalidParameterValue',
  );
  const got = (await ec2.send(new E.DescribeNetworkAclsCommand({ NetworkAclIds: [acl] }))).NetworkAcls![0];
  assert.deepEqual(
    got.Entries!.filter((e) => !e.Egress).map((e) => [e.RuleNumber, e.Protocol, e.PortRange?.From]),
    [
      [100, '6', 443],
      [32767, '-1', undefined],
    ],
  );
  const dflt = (
    await ec2.send(
      new E.DescribeNetworkAclsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'default', Values: ['true'] },
        ],
      }),
    )
  ).NetworkAcls![0];
  const assoc = dflt.Associations!.find((a) => a.SubnetId === subnet)!;
  const moved = await ec2.send(
    new E.ReplaceNetworkAclAssociationCommand({ AssociationId: assoc.NetworkAclAssociationId, NetworkAclId: acl }),
  );
  assert.match(moved.NewAssociationId!, /^aclassoc-/);
  await rejects(ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: acl })), 'DependencyViolation');
  await rejects(ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: dflt.NetworkAclId })), 'InvalidParameterValue');
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnet }));
  await ec2.send(new E.DeleteNetworkAclCommand({ NetworkAclId: acl }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
});

test('launch templates: versions, the default version, RunInstances from a template', async () => {
  const imageId = await ami();
  const created = await ec2.send(
    new E.CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-tier',
      VersionDescription: 'first',
      LaunchTemplateData: {
        ImageId: imageId,
        InstanceType: 't3.micro',
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'from-lt' }] }],
      },
    }),
  );
  const ltId = created.LaunchTemplate!.LaunchTemplateId!;
  assert.equal(created.LaunchTemplate!.LatestVersionNumber, 1);
  await rejects(
    ec2.send(new E.CreateLaunchTemplateCommand({ LaunchTemplateName: 'web-tier', LaunchTemplateData: {} })),
    'InvalidLaunchTemplateName.AlreadyExistsException',
  );
  const v2 = await ec2.send(
    new E.CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: ltId,
      SourceVersion: '1',
      LaunchTemplateData: { InstanceType: 't3.small' },
    }),
  );
  assert.equal(v2.LaunchTemplateVersion!.VersionNumber, 2);
  assert.equal(v2.LaunchTemplateVersion!.LaunchTemplateData!.ImageId, imageId);
  const viaDefault = await ec2.send(
    new E.RunInstancesCommand({ LaunchTemplate: { LaunchTemplateName: 'web-tier' }, MinCount: 1, MaxCount: 1 }),
  );
  assert.equal(viaDefault.Instances![0].InstanceType, 't3.micro');
  assert.ok(viaDefault.Instances![0].Tags!.some((t) => t.Key === 'Name' && t.Value === 'from-lt'));
  assert.ok(viaDefault.Instances![0].Tags!.some((t) => t.Key === 'aws:ec2launchtemplate:version' && t.Value === '1'));
  await ec2.send(new E.ModifyLaunchTemplateCommand({ LaunchTemplateId: ltId, DefaultVersion: '2' }));
  const viaLatest = await ec2.send(new E.RunInstancesCommand({ LaunchTemplate: { LaunchTemplateId: ltId }, MinCount: 1, MaxCount: 1 }));
  assert.equal(viaLatest.Instances![0].InstanceType, 't3.small');
  const versions = await ec2.send(new E.DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: ltId }));
  assert.deepEqual(
    versions.LaunchTemplateVersions!.map((v) => [v.VersionNumber, v.DefaultVersion]),
    [
      [2, true],
      [1, false],
    ],
  );
  await rejects(
    ec2.send(new E.RunInstancesCommand({ LaunchTemplate: { LaunchTemplateId: ltId, Version: '9' }, MinCount: 1, MaxCount: 1 })),
    'InvalidLaunchTemplateId.VersionNotFound',
  );
  await ec2.send(new E.DeleteLaunchTemplateCommand({ LaunchTemplateId: ltId }));
  await rejects(
    ec2.send(new E.DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web-tier'] })),
    'InvalidLaunchTemplateName.NotFoundException',
  );
  await ec2.send(
    new E.TerminateInstancesCommand({ InstanceIds: [viaDefault.Instances![0].InstanceId!, viaLatest.Instances![0].InstanceId!] }),
  );
});

test("RunInstances merges the template's tags with the request's per resource type; the request wins on a shared key", async () => {
  const imageId = await ami();
  const lt = await ec2.send(
    new E.CreateLaunchTemplateCommand({
      LaunchTemplateName: 'tagged-tier',
      LaunchTemplateData: {
        ImageId: imageId,
        InstanceType: 't3.micro',
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'nimbus:run', Value: 'none' },
              { Key: 'env', Value: 'template' },
            ],
          },
          { ResourceType: 'volume', Tags: [{ Key: 'backup', Value: 'daily' }] },
        ],
      },
    }),
  );
  const run = await ec2.send(
    new E.RunInstancesCommand({
      LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId },
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [
        {
          ResourceType: 'instance',
          Tags: [
            { Key: 'env', Value: 'request' },
            { Key: 'team', Value: 'web' },
          ],
        },
        { ResourceType: 'volume', Tags: [{ Key: 'owner', Value: 'ops' }] },
      ],
    }),
  );
  const inst = run.Instances![0];
  const tags = Object.fromEntries(inst.Tags!.map((t) => [t.Key, t.Value]));
  assert.equal(tags['nimbus:run'], 'none');
  assert.equal(tags.env, 'request');
  assert.equal(tags.team, 'web');
  assert.equal(inst.Tags!.filter((t) => t.Key === 'env').length, 1);
  const vols = await ec2.send(new E.DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [inst.InstanceId!] }] }));
  assert.deepEqual(Object.fromEntries(vols.Volumes![0].Tags!.map((t) => [t.Key, t.Value])), { backup: 'daily', owner: 'ops' });
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [inst.InstanceId!] }));
  await ec2.send(new E.DeleteLaunchTemplateCommand({ LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId }));
});

test('VPC peering: requested, accepted, routed to, deleted; overlapping CIDRs fail; another region sees it too', async () => {
  const a = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.62.0.0/16' }))).Vpc!.VpcId!;
  const b = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.63.0.0/16' }))).Vpc!.VpcId!;
  const c = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.62.128.0/17' }))).Vpc!.VpcId!;
  const pcx = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: b }))).VpcPeeringConnection!;
  assert.equal(pcx.Status!.Code, 'initiating-request');
  const id = pcx.VpcPeeringConnectionId!;
  const pending = await ec2.send(
    new E.DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: 'status-code', Values: ['pending-acceptance'] }] }),
  );
  assert.deepEqual(
    pending.VpcPeeringConnections!.map((p) => p.VpcPeeringConnectionId),
    [id],
  );
  const accepted = await ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
  assert.equal(accepted.VpcPeeringConnection!.Status!.Code, 'active');
  assert.equal(accepted.VpcPeeringConnection!.AccepterVpcInfo!.CidrBlock, '10.63.0.0/16');
  const rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: a }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '10.63.0.0/16', VpcPeeringConnectionId: id }));
  await rejects(ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id })), 'InvalidStateTransition');
  await ec2.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }));
  const overlapping = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: c }))).VpcPeeringConnection!
    .VpcPeeringConnectionId!;
  const failed = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [overlapping] })))
    .VpcPeeringConnections![0];
  assert.equal(failed.Status!.Code, 'failed');

  const west = new E.EC2Client(clientConfig(nimbus.url, { region: 'us-west-2' }));
  const far = (await west.send(new E.CreateVpcCommand({ CidrBlock: '10.64.0.0/16' }))).Vpc!.VpcId!;
  const cross = (await ec2.send(new E.CreateVpcPeeringConnectionCommand({ VpcId: a, PeerVpcId: far, PeerRegion: 'us-west-2' })))
    .VpcPeeringConnection!.VpcPeeringConnectionId!;
  await rejects(ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: cross })), 'InvalidStateTransition');
  const there = await west.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: cross }));
  assert.equal(there.VpcPeeringConnection!.RequesterVpcInfo!.Region, 'us-east-1');
  const here = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [cross] }))).VpcPeeringConnections![0];
  assert.equal(here.Status!.Code, 'active');
});

test('VPC endpoints: a gateway endpoint routes S3 by prefix list; an interface endpoint holds an address in its subnet', async () => {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.65.0.0/16' }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.65.1.0/24' }))).Subnet!.SubnetId!;
  const rtb = (await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }))).RouteTables![0]
    .RouteTableId!;
  const gw = (
    await ec2.send(new E.CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [rtb] }))
  ).VpcEndpoint!;
  assert.equal(gw.State, 'available');
  const routes = (await ec2.send(new E.DescribeRouteTablesCommand({ RouteTableIds: [rtb] }))).RouteTables![0].Routes!;
  assert.ok(routes.some((r) => r.GatewayId === gw.VpcEndpointId && /^pl-/.test(r.DestinationPrefixListId!)));
  const iface = (
    await ec2.send(
      new E.CreateVpcEndpointCommand({
        VpcId: vpcId,
        VpcEndpointType: 'Interface',
        ServiceName: 'com.amazonaws.us-east-1.sqs',
        SubnetIds: [subnet],
      }),
    )
  ).VpcEndpoint!;
  assert.equal(iface.NetworkInterfaceIds!.length, 1);
  await rejects(
    ec2.send(new E.CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.nothing' })),
    'InvalidServiceName',
  );
  await rejects(ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnet })), 'DependencyViolation');
  await rejects(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation');
  await advanceClock(nimbus.url, '2m');
  const listed = await ec2.send(
    new E.DescribeVpcEndpointsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'vpc-endpoint-state', Values: ['available'] },
      ],
    }),
  );
  assert.equal(listed.VpcEndpoints!.length, 2);
  const del = await ec2.send(
    new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [gw.VpcEndpointId!, iface.VpcEndpointId!, 'vpce-00000000000000000'] }),
  );
  assert.deepEqual(
    del.Unsuccessful!.map((u) => u.Error!.Code),
    ['InvalidVpcEndpoint.NotFound'],
  );
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: subnet }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
});
