// EC2/VPC through SDK v3: regions and zones, the default VPC, VPCs, subnets, gateways, routes,
// security groups, tags, filters and paging, dependency violations, DryRun.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig } from '../helpers.js';

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

test('regions and availability zones with zone ids', async () => {
  const regions = await ec2.send(new E.DescribeRegionsCommand({}));
  assert.ok(regions.Regions!.some((r) => r.RegionName === 'eu-west-1' && r.Endpoint === 'ec2.eu-west-1.amazonaws.com'));
  const only = await ec2.send(new E.DescribeRegionsCommand({ Filters: [{ Name: 'region-name', Values: ['us-*'] }] }));
  assert.ok(only.Regions!.length >= 4 && only.Regions!.every((r) => r.RegionName!.startsWith('us-')));
  const zones = await ec2.send(new E.DescribeAvailabilityZonesCommand({}));
  assert.deepEqual(
    zones.AvailabilityZones!.map((z) => z.ZoneName),
    ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'],
  );
  assert.equal(zones.AvailabilityZones![0].ZoneId, 'use1-az1');
  const byId = await ec2.send(new E.DescribeAvailabilityZonesCommand({ ZoneIds: ['use1-az2'] }));
  assert.equal(byId.AvailabilityZones![0].ZoneName, 'us-east-1b');
  const west = new E.EC2Client(clientConfig(nimbus.url, { region: 'eu-west-1' }));
  const wz = await west.send(new E.DescribeAvailabilityZonesCommand({}));
  assert.deepEqual(
    wz.AvailabilityZones!.map((z) => z.ZoneName),
    ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  );
});

test('every region has a default VPC with a default subnet per zone, an internet gateway and a default security group', async () => {
  const west = new E.EC2Client(clientConfig(nimbus.url, { region: 'us-west-2' }));
  const vpcs = await west.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  assert.equal(vpcs.Vpcs!.length, 1);
  const vpc = vpcs.Vpcs![0];
  assert.equal(vpc.CidrBlock, '172.31.0.0/16');
  const subnets = await west.send(
    new E.DescribeSubnetsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpc.VpcId!] },
        { Name: 'default-for-az', Values: ['true'] },
      ],
    }),
  );
  assert.deepEqual(subnets.Subnets!.map((s) => s.CidrBlock).sort(), [
    '172.31.0.0/20',
    '172.31.16.0/20',
    '172.31.32.0/20',
    '172.31.48.0/20',
  ]);
  assert.equal(subnets.Subnets![0].AvailableIpAddressCount, 4091);
  const igws = await west.send(new E.DescribeInternetGatewaysCommand({ Filters: [{ Name: 'attachment.vpc-id', Values: [vpc.VpcId!] }] }));
  assert.equal(igws.InternetGateways!.length, 1);
  const sgs = await west.send(
    new E.DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpc.VpcId!] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
  );
  assert.equal(sgs.SecurityGroups!.length, 1);
  const rtbs = await west.send(
    new E.DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpc.VpcId!] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  );
  assert.ok(
    rtbs.RouteTables![0].Routes!.some(
      (r) => r.DestinationCidrBlock === '0.0.0.0/0' && r.GatewayId === igws.InternetGateways![0].InternetGatewayId,
    ),
  );
});

test('a VPC built step by step and torn down, with dependency violations on the way', async () => {
  const { Vpc } = await ec2.send(
    new E.CreateVpcCommand({
      CidrBlock: '10.0.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'lab' }] }],
    }),
  );
  const vpcId = Vpc!.VpcId!;
  assert.match(vpcId, /^vpc-[0-9a-f]{17}$/);
  assert.deepEqual(Vpc!.Tags, [{ Key: 'Name', Value: 'lab' }]);
  const named = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['la?'] }] }));
  assert.deepEqual(
    named.Vpcs!.map((v) => v.VpcId),
    [vpcId],
  );

  const pub = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' })))
    .Subnet!;
  const priv = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.2.0/24', AvailabilityZone: 'us-east-1b' })))
    .Subnet!;
  assert.equal(pub.AvailableIpAddressCount, 251);
  await rejects(
    ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.128/25' })),
    'InvalidSubnet.Conflict',
    "The CIDR '10.0.1.128/25' conflicts with another subnet",
  );
  await rejects(
    ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.0.0/24' })),
    'InvalidSubnet.Range',
    "The CIDR '10.1.0.0/24' is invalid.",
  );
  await rejects(
    ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.9.0/24', AvailabilityZone: 'us-east-1z' })),
    'InvalidParameterValue',
    /us-east-1z/,
  );

  // a secondary CIDR makes room for another subnet
  const assoc = await ec2.send(new E.AssociateVpcCidrBlockCommand({ VpcId: vpcId, CidrBlock: '10.1.0.0/16' }));
  await ec2
    .send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.1.0.0/24' }))
    .then((r) => ec2.send(new E.DeleteSubnetCommand({ SubnetId: r.Subnet!.SubnetId })));
  await ec2.send(new E.DisassociateVpcCidrBlockCommand({ AssociationId: assoc.CidrBlockAssociation!.AssociationId }));

  await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const dns = await ec2.send(new E.DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
  assert.equal(dns.EnableDnsHostnames?.Value, true);

  const igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const rtb = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new E.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
  await rejects(
    ec2.send(new E.CreateRouteCommand({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw })),
    'RouteAlreadyExists',
  );
  const { AssociationId } = await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: rtb, SubnetId: pub.SubnetId }));
  const found = await ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [pub.SubnetId!] }] }));
  assert.equal(found.RouteTables![0].RouteTableId, rtb);
  assert.deepEqual(
    found.RouteTables![0].Routes!.map((r) => [r.DestinationCidrBlock, r.GatewayId]),
    [
      ['10.0.0.0/16', 'local'],
      ['0.0.0.0/0', igw],
    ],
  );

  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }))).GroupId!;
  const auth = await ec2.send(
    new E.AuthorizeSecurityGroupIngressCommand({
      GroupId: sg,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'http' }] }],
    }),
  );
  assert.match(auth.SecurityGroupRules![0].SecurityGroupRuleId!, /^sgr-/);
  await rejects(
    ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    ),
    'InvalidPermission.Duplicate',
  );
  const rules = await ec2.send(new E.DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [sg] }] }));
  assert.deepEqual(rules.SecurityGroupRules!.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort, r.CidrIpv4]).sort(), [
    [false, 'tcp', 80, '0.0.0.0/0'],
    [true, '-1', -1, '0.0.0.0/0'],
  ]);
  const group = (await ec2.send(new E.DescribeSecurityGroupsCommand({ GroupIds: [sg] }))).SecurityGroups![0];
  assert.deepEqual(group.IpPermissions, [
    {
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'http' }],
      Ipv6Ranges: [],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    },
  ]);
  await ec2.send(
    new E.RevokeSecurityGroupIngressCommand({ GroupId: sg, SecurityGroupRuleIds: [auth.SecurityGroupRules![0].SecurityGroupRuleId!] }),
  );
  await rejects(
    ec2.send(
      new E.RevokeSecurityGroupIngressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    ),
    'InvalidPermission.NotFound',
  );

  // teardown: each step refused while something remains
  const violation = `The vpc '${vpcId}' has dependencies and cannot be deleted.`;
  await rejects(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', violation);
  await rejects(ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: rtb })), 'DependencyViolation');
  await ec2.send(new E.DisassociateRouteTableCommand({ AssociationId }));
  await ec2.send(new E.DeleteRouteTableCommand({ RouteTableId: rtb }));
  await rejects(ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igw })), 'DependencyViolation');
  await ec2.send(new E.DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  await ec2.send(new E.DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: pub.SubnetId }));
  await ec2.send(new E.DeleteSubnetCommand({ SubnetId: priv.SubnetId }));
  await rejects(ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation', violation);
  await ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: sg }));
  await ec2.send(new E.DeleteVpcCommand({ VpcId: vpcId }));
  await rejects(ec2.send(new E.DescribeVpcsCommand({ VpcIds: [vpcId] })), 'InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  const left = await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  assert.equal(left.SecurityGroups!.length, 0);
});

test('bad CIDRs, unknown ids, DryRun and unknown filters answer EC2 errors', async () => {
  await rejects(ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/8' })), 'InvalidVpc.Range', "The CIDR '10.0.0.0/8' is invalid.");
  await rejects(ec2.send(new E.CreateVpcCommand({ CidrBlock: 'banana' })), 'InvalidParameterValue', /banana/);
  await rejects(
    ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/16', DryRun: true })),
    'DryRunOperation',
    'Request would have succeeded, but DryRun flag is set.',
    412,
  );
  await rejects(ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.0.0.0/8', DryRun: true })), 'InvalidVpc.Range');
  const before = (await ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length;
  assert.equal((await ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!.length, before);
  await rejects(
    ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: ['subnet-00000000000000000'] })),
    'InvalidSubnetID.NotFound',
    "The subnet ID 'subnet-00000000000000000' does not exist",
  );
  await rejects(
    ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
    'InvalidParameterValue',
    "The filter 'colour' is invalid",
  );
  await rejects(ec2.send(new E.DeleteSecurityGroupCommand({ GroupId: 'sg-00000000000000000' })), 'InvalidGroup.NotFound');
});

test('tags: CreateTags, DeleteTags, DescribeTags with filters and paging', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await ec2.send(new E.CreateVpcCommand({ CidrBlock: `10.${50 + i}.0.0/16` }))).Vpc!.VpcId!);
  await ec2.send(
    new E.CreateTagsCommand({
      Resources: ids,
      Tags: [
        { Key: 'team', Value: 'blue' },
        { Key: 'env', Value: 'dev' },
      ],
    }),
  );
  await ec2.send(new E.DeleteTagsCommand({ Resources: [ids[0]], Tags: [{ Key: 'env' }] }));
  await ec2.send(new E.DeleteTagsCommand({ Resources: [ids[1]], Tags: [{ Key: 'team', Value: 'red' }] }));
  const tags = await ec2.send(new E.DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [ids[0], ids[1]] }] }));
  assert.deepEqual(
    tags.Tags!.filter((t) => t.ResourceId === ids[0]).map((t) => t.Key),
    ['team'],
  );
  assert.deepEqual(
    tags
      .Tags!.filter((t) => t.ResourceId === ids[1])
      .map((t) => t.Key)
      .sort(),
    ['env', 'team'],
  );
  assert.equal(tags.Tags![0].ResourceType, 'vpc');
  const keyed = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: ['team'] }] }));
  assert.equal(keyed.Vpcs!.length, 7);
  const seen: string[] = [];
  for await (const p of E.paginateDescribeVpcs({ client: ec2, pageSize: 5 }, { Filters: [{ Name: 'tag:team', Values: ['blue'] }] })) {
    assert.ok(p.Vpcs!.length <= 5);
    seen.push(...p.Vpcs!.map((v) => v.VpcId!));
  }
  assert.deepEqual(seen.sort(), [...ids].sort());
  await rejects(
    ec2.send(new E.CreateTagsCommand({ Resources: ['vpc-00000000000000000'], Tags: [{ Key: 'a', Value: 'b' }] })),
    'InvalidVpcID.NotFound',
  );
  await rejects(ec2.send(new E.DescribeVpcsCommand({ MaxResults: 2 })), 'InvalidParameterValue', /maxResults/);
  for (const id of ids) await ec2.send(new E.DeleteVpcCommand({ VpcId: id }));
});

test('after a reset the region starts over: a fresh default VPC and nothing else', async () => {
  const before = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0].VpcId;
  await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.77.0.0/16' }));
  const res = await fetch(`${nimbus.url}/_nimbus/reset`, { method: 'POST' });
  assert.equal(res.status, 200);
  const vpcs = (await ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!;
  assert.equal(vpcs.length, 1);
  assert.equal(vpcs[0].IsDefault, true);
  assert.notEqual(vpcs[0].VpcId, before);
  assert.equal((await ec2.send(new E.DescribeSubnetsCommand({}))).Subnets!.length, 6);
});
