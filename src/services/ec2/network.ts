// Building blocks of a VPC shared by CreateVpc and the default VPC: the VPC's main route table,
// default security group and default network ACL, and subnets with their ACL association.
import type { Ec2State, Rec } from './store.js';
import { newId } from './store.js';
import { zonesOf } from './regions.js';
import { cidrText, parseCidr, size, usableCount, type Cidr } from './cidr.js';

export interface Scope {
  account: string;
  region: string;
}

export function buildVpc(
  s: Ec2State,
  scope: Scope,
  cidr: string,
  opts: { isDefault?: boolean; tenancy?: string; tags?: Rec['Tags'] } = {},
): Rec {
  const vpcId = newId('vpc');
  const vpc: Rec = {
    VpcId: vpcId,
    OwnerId: scope.account,
    State: 'available',
    CidrBlock: cidr,
    DhcpOptionsId: defaultDhcp(s, scope),
    InstanceTenancy: opts.tenancy ?? 'default',
    IsDefault: !!opts.isDefault,
    Tags: opts.tags ?? [],
    CidrBlockAssociationSet: [{ AssociationId: newId('vpc-cidr-assoc'), CidrBlock: cidr, CidrBlockState: { State: 'associated' } }],
    Ipv6CidrBlockAssociationSet: [],
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
    _dnsSupport: true,
    _dnsHostnames: !!opts.isDefault,
  };
  s.put(scope, 'vpc', vpcId, vpc);
  const rtbId = newId('rtb');
  s.put(scope, 'rtb', rtbId, {
    RouteTableId: rtbId,
    VpcId: vpcId,
    OwnerId: scope.account,
    Tags: [],
    PropagatingVgws: [],
    Associations: [
      { Main: true, RouteTableAssociationId: newId('rtbassoc'), RouteTableId: rtbId, AssociationState: { State: 'associated' } },
    ],
    Routes: [{ DestinationCidrBlock: cidr, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' }],
  });
  const sgId = newId('sg');
  s.put(scope, 'sg', sgId, {
    GroupId: sgId,
    GroupName: 'default',
    Description: opts.isDefault ? 'default VPC security group' : 'default VPC security group',
    VpcId: vpcId,
    OwnerId: scope.account,
    Tags: [],
    SecurityGroupArn: `arn:aws:ec2:${scope.region}:${scope.account}:security-group/${sgId}`,
    _default: true,
    _rules: [
      {
        SecurityGroupRuleId: newId('sgr'),
        GroupId: sgId,
        GroupOwnerId: scope.account,
        IsEgress: false,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        ReferencedGroupInfo: { GroupId: sgId, UserId: scope.account },
        Tags: [],
      },
      {
        SecurityGroupRuleId: newId('sgr'),
        GroupId: sgId,
        GroupOwnerId: scope.account,
        IsEgress: true,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        CidrIpv4: '0.0.0.0/0',
        Tags: [],
      },
    ],
  });
  const aclId = newId('acl');
  const entries = [true, false].flatMap((egress) => [
    { RuleNumber: 100, Protocol: '-1', RuleAction: 'allow', Egress: egress, CidrBlock: '0.0.0.0/0' },
    { RuleNumber: 32767, Protocol: '-1', RuleAction: 'deny', Egress: egress, CidrBlock: '0.0.0.0/0' },
  ]);
  s.put(scope, 'acl', aclId, {
    NetworkAclId: aclId,
    VpcId: vpcId,
    IsDefault: true,
    OwnerId: scope.account,
    Tags: [],
    Entries: entries,
    Associations: [],
  });
  return vpc;
}

function defaultDhcp(s: Ec2State, scope: Scope): string {
  const store = s.store(scope);
  const existing = store.meta.get('dhcp') as string | undefined;
  if (existing) return existing;
  const id = newId('dopt');
  store.meta.put('dhcp', id);
  s.put(scope, 'dopt', id, {
    DhcpOptionsId: id,
    OwnerId: scope.account,
    Tags: [],
    DhcpConfigurations: [
      { Key: 'domain-name', Values: [{ Value: scope.region === 'us-east-1' ? 'ec2.internal' : `${scope.region}.compute.internal` }] },
      { Key: 'domain-name-servers', Values: [{ Value: 'AmazonProvidedDNS' }] },
    ],
  });
  return id;
}

export function buildSubnet(
  s: Ec2State,
  scope: Scope,
  vpc: Rec,
  cidr: Cidr,
  zone: { name: string; id: string },
  opts: { isDefault?: boolean; tags?: Rec['Tags'] } = {},
): Rec {
  const subnetId = newId('subnet');
  const subnet: Rec = {
    SubnetId: subnetId,
    VpcId: vpc.VpcId,
    State: 'available',
    CidrBlock: cidrText(cidr),
    AvailabilityZone: zone.name,
    AvailabilityZoneId: zone.id,
    AvailableIpAddressCount: usableCount(cidr),
    DefaultForAz: !!opts.isDefault,
    MapPublicIpOnLaunch: !!opts.isDefault,
    OwnerId: scope.account,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    MapCustomerOwnedIpOnLaunch: false,
    EnableDns64: false,
    Ipv6Native: false,
    SubnetArn: `arn:aws:ec2:${scope.region}:${scope.account}:subnet/${subnetId}`,
    Tags: opts.tags ?? [],
    PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    BlockPublicAccessStates: { InternetGatewayBlockMode: 'off' },
  };
  s.put(scope, 'subnet', subnetId, subnet);
  // every subnet is associated with its VPC's default network ACL
  for (const acl of s.all(scope, 'acl')) {
    const id = acl.NetworkAclId;
    if (acl.VpcId !== vpc.VpcId || !acl.IsDefault) continue;
    acl.Associations.push({ NetworkAclAssociationId: newId('aclassoc'), NetworkAclId: id, SubnetId: subnetId });
    s.put(scope, 'acl', id, acl);
  }
  return subnet;
}

/** The default VPC: 172.31.0.0/16, a /20 default subnet per zone, an attached internet gateway routed from the main table. */
export function buildDefaultVpc(s: Ec2State, scope: Scope): void {
  const vpc = buildVpc(s, scope, '172.31.0.0/16', { isDefault: true });
  zonesOf(scope.region).forEach((zone, i) => {
    buildSubnet(s, scope, vpc, { base: parseCidr('172.31.0.0/16')!.base + i * size({ base: 0, prefix: 20 }), prefix: 20 }, zone, {
      isDefault: true,
    });
  });
  const igwId = newId('igw');
  s.put(scope, 'igw', igwId, {
    InternetGatewayId: igwId,
    OwnerId: scope.account,
    Tags: [],
    Attachments: [{ VpcId: vpc.VpcId, State: 'available' }],
  });
  for (const rtb of s.all(scope, 'rtb')) {
    const id = rtb.RouteTableId;
    if (rtb.VpcId !== vpc.VpcId) continue;
    rtb.Routes.push({ DestinationCidrBlock: '0.0.0.0/0', GatewayId: igwId, Origin: 'CreateRoute', State: 'active' });
    s.put(scope, 'rtb', id, rtb);
  }
}
