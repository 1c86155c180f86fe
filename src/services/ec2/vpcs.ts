// VPCs (CIDR blocks, secondary CIDRs, DNS attributes), subnets and internet gateways.
import type { Ec2Provider } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { dependency, ec2Error, invalidParam, missing, notFound } from './errors.js';
import { DONE } from './errors.js';
import { cidrText, contains, overlaps, parseCidr, usableCount, vpcCidrProblem } from './cidr.js';
import { buildSubnet, buildVpc } from './network.js';
import { zonesOf } from './regions.js';

const vpcFields: Fields<Rec> = {
  'vpc-id': (v) => v.VpcId,
  cidr: (v) => v.CidrBlock,
  'cidr-block': (v) => v.CidrBlock,
  state: (v) => v.State,
  'is-default': (v) => v.IsDefault,
  'owner-id': (v) => v.OwnerId,
  'dhcp-options-id': (v) => v.DhcpOptionsId,
  'cidr-block-association.cidr-block': (v) => v.CidrBlockAssociationSet.map((a: Rec) => a.CidrBlock),
  'cidr-block-association.association-id': (v) => v.CidrBlockAssociationSet.map((a: Rec) => a.AssociationId),
  'cidr-block-association.state': (v) => v.CidrBlockAssociationSet.map((a: Rec) => a.CidrBlockState.State),
};

const subnetFields: Fields<Rec> = {
  'subnet-id': (r) => r.SubnetId,
  'vpc-id': (r) => r.VpcId,
  'cidr-block': (r) => r.CidrBlock,
  cidr: (r) => r.CidrBlock,
  cidrBlock: (r) => r.CidrBlock,
  'availability-zone': (r) => r.AvailabilityZone,
  availabilityZone: (r) => r.AvailabilityZone,
  'availability-zone-id': (r) => r.AvailabilityZoneId,
  'default-for-az': (r) => r.DefaultForAz,
  defaultForAz: (r) => r.DefaultForAz,
  state: (r) => r.State,
  'owner-id': (r) => r.OwnerId,
  'map-public-ip-on-launch': (r) => r.MapPublicIpOnLaunch,
  'available-ip-address-count': (r) => r.AvailableIpAddressCount,
  'subnet-arn': (r) => r.SubnetArn,
};

const igwFields: Fields<Rec> = {
  'internet-gateway-id': (r) => r.InternetGatewayId,
  'owner-id': (r) => r.OwnerId,
  'attachment.vpc-id': (r) => r.Attachments.map((a: Rec) => a.VpcId),
  'attachment.state': (r) => r.Attachments.map((a: Rec) => a.State),
};

/** The private IPs in use in a subnet (an index kept beside the network interfaces). */
export function usedIps(s: Ec2State, ctx: RequestContext, subnetId: string): Set<string> {
  const used = new Set<string>();
  for (const [key] of s.store(ctx).ips.scan({ prefix: subnetId + '/' })) used.add(key.slice(subnetId.length + 1));
  return used;
}

export const usedIpCount = (s: Ec2State, ctx: RequestContext, subnetId: string) => s.store(ctx).ips.count({ prefix: subnetId + '/' });

/** Records a network interface's addresses as taken (or frees them). */
export function holdIps(s: Ec2State, ctx: RequestContext, eni: Rec, hold: boolean): void {
  const ips = s.store(ctx).ips;
  for (const a of eni.PrivateIpAddresses ?? []) {
    const key = `${eni.SubnetId}/${a.PrivateIpAddress}`;
    if (hold) ips.put(key, eni.NetworkInterfaceId);
    else ips.delete(key);
  }
}

export function vpcHandlers(s: Ec2State): Ec2Provider {
  const vpcCidrs = (vpc: Rec) =>
    vpc.CidrBlockAssociationSet.filter((a: Rec) => a.CidrBlockState.State === 'associated').map((a: Rec) => parseCidr(a.CidrBlock)!);

  return {
    CreateVpc: (input, ctx) => {
      if (!input.CidrBlock && !input.Ipv4IpamPoolId) throw missing('cidrBlock');
      const problem = vpcCidrProblem(input.CidrBlock);
      if (problem) throw ec2Error(...problem);
      const cidr = cidrText(parseCidr(input.CidrBlock)!);
      const vpc = buildVpc(s, ctx, cidr, { tenancy: input.InstanceTenancy, tags: tagsFor(input.TagSpecifications, 'vpc') });
      return { Vpc: out({ ...vpc, State: 'pending' }) };
    },

    DescribeVpcs: (input, ctx) => {
      let vpcs = selectIds(
        s.all(ctx, 'vpc'),
        input.VpcIds,
        (v) => v.VpcId,
        (m) => notFound('vpc', m),
      );
      vpcs = applyFilters(vpcs, input.Filters, vpcFields);
      const p = page(vpcs, input.MaxResults, input.NextToken);
      return { Vpcs: out(p.items), NextToken: p.NextToken };
    },

    DeleteVpc: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      const id = vpc.VpcId;
      const inVpc = (kind: Parameters<Ec2State['all']>[1], pred: (r: Rec) => boolean = () => true) =>
        s.all(ctx, kind).filter((r) => r.VpcId === id && pred(r));
      const busy =
        inVpc('subnet').length > 0 ||
        s.all(ctx, 'igw').some((g) => g.Attachments.some((a: Rec) => a.VpcId === id)) ||
        inVpc('rtb', (r) => !r.Associations.some((a: Rec) => a.Main)).length > 0 ||
        inVpc('sg', (g) => !g._default).length > 0 ||
        inVpc('acl', (a) => !a.IsDefault).length > 0 ||
        inVpc('nat', (n) => n.State !== 'deleted').length > 0 ||
        inVpc('vpce', (e) => e.State !== 'deleted').length > 0 ||
        inVpc('eni').length > 0;
      if (busy) throw dependency(`The vpc '${id}' has dependencies and cannot be deleted.`);
      for (const kind of ['rtb', 'sg', 'acl'] as const)
        for (const r of inVpc(kind)) s.delete(ctx, kind, r.RouteTableId ?? r.GroupId ?? r.NetworkAclId);
      s.delete(ctx, 'vpc', id);
      return DONE;
    },

    AssociateVpcCidrBlock: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      if (!input.CidrBlock) throw missing('cidrBlock');
      const problem = vpcCidrProblem(input.CidrBlock);
      if (problem) throw ec2Error(...problem);
      const cidr = parseCidr(input.CidrBlock)!;
      if (vpcCidrs(vpc).some((c: ReturnType<typeof parseCidr>) => overlaps(c!, cidr))) {
        throw ec2Error('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
      }
      if (vpc.CidrBlockAssociationSet.length >= 5)
        throw ec2Error('CidrLimitExceeded', `This network '${vpc.VpcId}' has met its maximum number of allowed CIDRs: 5`);
      const assoc = { AssociationId: newId('vpc-cidr-assoc'), CidrBlock: cidrText(cidr), CidrBlockState: { State: 'associated' } };
      vpc.CidrBlockAssociationSet.push(assoc);
      s.put(ctx, 'vpc', vpc.VpcId, vpc);
      // the main route table gets a local route for the new block
      for (const rtb of s.all(ctx, 'rtb').filter((r) => r.VpcId === vpc.VpcId)) {
        rtb.Routes.push({ DestinationCidrBlock: assoc.CidrBlock, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' });
        s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      }
      return { VpcId: vpc.VpcId, CidrBlockAssociation: { ...assoc, CidrBlockState: { State: 'associating' } } };
    },

    DisassociateVpcCidrBlock: (input, ctx) => {
      if (!input.AssociationId) throw missing('associationId');
      const vpc = s.all(ctx, 'vpc').find((v) => v.CidrBlockAssociationSet.some((a: Rec) => a.AssociationId === input.AssociationId));
      if (!vpc)
        throw ec2Error(
          'InvalidVpcCidrBlockAssociationID.NotFound',
          `The vpc CIDR block association ID '${input.AssociationId}' does not exist`,
        );
      const assoc = vpc.CidrBlockAssociationSet.find((a: Rec) => a.AssociationId === input.AssociationId);
      if (assoc.CidrBlock === vpc.CidrBlock) {
        throw ec2Error(
          'OperationNotPermitted',
          `The vpc CIDR block with association ID ${input.AssociationId} may not be disassociated. It is the primary IPv4 CIDR block of the VPC`,
        );
      }
      const block = parseCidr(assoc.CidrBlock)!;
      if (s.all(ctx, 'subnet').some((sn) => sn.VpcId === vpc.VpcId && contains(block, parseCidr(sn.CidrBlock)!))) {
        throw dependency(`The vpc CIDR block '${assoc.CidrBlock}' has dependencies and cannot be disassociated.`);
      }
      vpc.CidrBlockAssociationSet = vpc.CidrBlockAssociationSet.filter((a: Rec) => a !== assoc);
      s.put(ctx, 'vpc', vpc.VpcId, vpc);
      for (const rtb of s.all(ctx, 'rtb').filter((r) => r.VpcId === vpc.VpcId)) {
        rtb.Routes = rtb.Routes.filter((r: Rec) => !(r.GatewayId === 'local' && r.DestinationCidrBlock === assoc.CidrBlock));
        s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      }
      return { VpcId: vpc.VpcId, CidrBlockAssociation: { ...assoc, CidrBlockState: { State: 'disassociating' } } };
    },

    ModifyVpcAttribute: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      const set = [input.EnableDnsSupport, input.EnableDnsHostnames, input.EnableNetworkAddressUsageMetrics].filter((v) => v !== undefined);
      if (set.length !== 1) throw invalidCombination();
      if (input.EnableDnsSupport) vpc._dnsSupport = input.EnableDnsSupport.Value;
      if (input.EnableDnsHostnames) {
        if (input.EnableDnsHostnames.Value && !vpc._dnsSupport)
          throw invalidParam('Cannot enable DNS hostnames: DNS resolution is disabled for the VPC.');
        vpc._dnsHostnames = input.EnableDnsHostnames.Value;
      }
      if (input.EnableNetworkAddressUsageMetrics) vpc._nauMetrics = input.EnableNetworkAddressUsageMetrics.Value;
      s.put(ctx, 'vpc', vpc.VpcId, vpc);
      return DONE;
    },

    DescribeVpcAttribute: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      if (!input.Attribute) throw missing('attribute');
      const value = {
        enableDnsSupport: vpc._dnsSupport,
        enableDnsHostnames: vpc._dnsHostnames,
        enableNetworkAddressUsageMetrics: !!vpc._nauMetrics,
      }[input.Attribute];
      if (value === undefined) throw invalidParam(`Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`);
      const key = input.Attribute.charAt(0).toUpperCase() + input.Attribute.slice(1);
      return { VpcId: vpc.VpcId, [key]: { Value: value } };
    },

    CreateSubnet: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      if (!input.CidrBlock) throw missing('cidrBlock');
      const cidr = parseCidr(input.CidrBlock);
      if (!cidr) throw invalidParam(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
      if (cidr.prefix < 16 || cidr.prefix > 28 || !vpcCidrs(vpc).some((c: ReturnType<typeof parseCidr>) => contains(c!, cidr))) {
        throw ec2Error('InvalidSubnet.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
      }
      if (s.all(ctx, 'subnet').some((sn) => sn.VpcId === vpc.VpcId && overlaps(parseCidr(sn.CidrBlock)!, cidr))) {
        throw ec2Error('InvalidSubnet.Conflict', `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
      }
      const zones = zonesOf(ctx.region);
      let zone = zones[0];
      if (input.AvailabilityZone || input.AvailabilityZoneId) {
        const found = zones.find((z) => z.name === input.AvailabilityZone || z.id === input.AvailabilityZoneId);
        if (!found) {
          throw invalidParam(
            `Value (${input.AvailabilityZone ?? input.AvailabilityZoneId}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.name).join(', ')}.`,
          );
        }
        zone = found;
      }
      const subnet = buildSubnet(s, ctx, vpc, cidr, zone, { tags: tagsFor(input.TagSpecifications, 'subnet') });
      return { Subnet: out({ ...subnet, State: 'available' }) };
    },

    DescribeSubnets: (input, ctx) => {
      let subnets = selectIds(
        s.all(ctx, 'subnet'),
        input.SubnetIds,
        (r) => r.SubnetId,
        (m) => notFound('subnet', m),
      );
      subnets = applyFilters(subnets, input.Filters, subnetFields);
      const p = page(subnets, input.MaxResults, input.NextToken);
      const items = p.items.map((sn) => ({
        ...sn,
        AvailableIpAddressCount: usableCount(parseCidr(sn.CidrBlock)!) - usedIpCount(s, ctx, sn.SubnetId),
      }));
      return { Subnets: out(items), NextToken: p.NextToken };
    },

    DeleteSubnet: (input, ctx) => {
      const subnet = s.get(ctx, 'subnet', input.SubnetId, 'subnetId');
      if (
        usedIpCount(s, ctx, subnet.SubnetId) > 0 ||
        s.all(ctx, 'nat').some((n) => n.SubnetId === subnet.SubnetId && n.State !== 'deleted')
      ) {
        throw dependency(`The subnet '${subnet.SubnetId}' has dependencies and cannot be deleted.`);
      }
      for (const kind of ['rtb', 'acl'] as const) {
        for (const r of s.all(ctx, kind)) {
          const before = r.Associations.length;
          r.Associations = r.Associations.filter((a: Rec) => a.SubnetId !== subnet.SubnetId);
          if (r.Associations.length !== before) s.put(ctx, kind, r.RouteTableId ?? r.NetworkAclId, r);
        }
      }
      s.delete(ctx, 'subnet', subnet.SubnetId);
      return DONE;
    },

    ModifySubnetAttribute: (input, ctx) => {
      const subnet = s.get(ctx, 'subnet', input.SubnetId, 'subnetId');
      if (input.MapPublicIpOnLaunch) subnet.MapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value;
      if (input.AssignIpv6AddressOnCreation) subnet.AssignIpv6AddressOnCreation = input.AssignIpv6AddressOnCreation.Value;
      if (input.EnableDns64) subnet.EnableDns64 = input.EnableDns64.Value;
      if (input.PrivateDnsHostnameTypeOnLaunch) subnet.PrivateDnsNameOptionsOnLaunch.HostnameType = input.PrivateDnsHostnameTypeOnLaunch;
      s.put(ctx, 'subnet', subnet.SubnetId, subnet);
      return DONE;
    },

    CreateInternetGateway: (input, ctx) => {
      const id = newId('igw');
      const igw = {
        InternetGatewayId: id,
        OwnerId: ctx.account,
        Attachments: [],
        Tags: tagsFor(input.TagSpecifications, 'internet-gateway'),
      };
      s.put(ctx, 'igw', id, igw);
      return { InternetGateway: out(igw) };
    },

    DescribeInternetGateways: (input, ctx) => {
      let igws = selectIds(
        s.all(ctx, 'igw'),
        input.InternetGatewayIds,
        (r) => r.InternetGatewayId,
        (m) => notFound('igw', m),
      );
      igws = applyFilters(igws, input.Filters, igwFields);
      const p = page(igws, input.MaxResults, input.NextToken);
      return { InternetGateways: out(p.items), NextToken: p.NextToken };
    },

    AttachInternetGateway: (input, ctx) => {
      const igw = s.get(ctx, 'igw', input.InternetGatewayId, 'internetGatewayId');
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      if (igw.Attachments.length)
        throw ec2Error(
          'Resource.AlreadyAssociated',
          `resource ${igw.InternetGatewayId} is already attached to network ${igw.Attachments[0].VpcId}`,
        );
      if (s.all(ctx, 'igw').some((g) => g.Attachments.some((a: Rec) => a.VpcId === vpc.VpcId))) {
        throw ec2Error('InvalidParameterValue', `Network ${vpc.VpcId} already has an internet gateway attached`);
      }
      igw.Attachments = [{ VpcId: vpc.VpcId, State: 'available' }];
      s.put(ctx, 'igw', igw.InternetGatewayId, igw);
      return DONE;
    },

    DetachInternetGateway: (input, ctx) => {
      const igw = s.get(ctx, 'igw', input.InternetGatewayId, 'internetGatewayId');
      if (!input.VpcId) throw missing('vpcId');
      if (!igw.Attachments.some((a: Rec) => a.VpcId === input.VpcId)) {
        throw ec2Error('Gateway.NotAttached', `resource ${igw.InternetGatewayId} is not attached to network ${input.VpcId}`);
      }
      igw.Attachments = [];
      s.put(ctx, 'igw', igw.InternetGatewayId, igw);
      return DONE;
    },

    DeleteInternetGateway: (input, ctx) => {
      const igw = s.get(ctx, 'igw', input.InternetGatewayId, 'internetGatewayId');
      if (igw.Attachments.length)
        throw dependency(`The internetGateway '${igw.InternetGatewayId}' has dependencies and cannot be deleted.`);
      s.delete(ctx, 'igw', igw.InternetGatewayId);
      return DONE;
    },
  };
}

const invalidCombination = () =>
  ec2Error('InvalidParameterCombination', 'Fields for multiple attribute types specified: enableDnsSupport, enableDnsHostnames');
