// VPC endpoints: gateway endpoints (S3, DynamoDB) add a prefix-list route to their route tables;
// interface endpoints get a network interface (and a private IP) in each of their subnets.
import { createHash, randomBytes } from 'node:crypto';
import type { Ec2Provider } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { ec2Error, invalidParam, missing, notFound } from './errors.js';
import { allocateIp, parseCidr } from './cidr.js';
import { holdIps, usedIps } from './vpcs.js';
import { privateDns } from './instances.js';

const GATEWAY_SERVICES = ['s3', 'dynamodb'];
const INTERFACE_SERVICES = [
  's3',
  'sqs',
  'sns',
  'kms',
  'logs',
  'monitoring',
  'events',
  'lambda',
  'secretsmanager',
  'ssm',
  'ssmmessages',
  'ec2messages',
  'ec2',
  'sts',
  'ecr.api',
  'ecr.dkr',
  'execute-api',
  'elasticloadbalancing',
  'autoscaling',
  'states',
  'kinesis-streams',
];

const vpceFields: Fields<Rec> = {
  'vpc-endpoint-id': (e) => e.VpcEndpointId,
  'vpc-id': (e) => e.VpcId,
  'service-name': (e) => e.ServiceName,
  'vpc-endpoint-state': (e) => e.State,
  'vpc-endpoint-type': (e) => e.VpcEndpointType,
};

export const prefixListId = (region: string, service: string) =>
  'pl-' + createHash('sha256').update(`${region}/${service}`).digest('hex').slice(0, 8);

export function endpointHandlers(s: Ec2State): Ec2Provider {
  function routeTables(ctx: RequestContext, ids: string[], vpcId: string): Rec[] {
    return ids.map((id) => {
      const rtb = s.get(ctx, 'rtb', id, 'routeTableId');
      if (rtb.VpcId !== vpcId) throw invalidParam(`Route table ${id} does not belong to VPC ${vpcId}`);
      return rtb;
    });
  }

  return {
    CreateVpcEndpoint: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      if (!input.ServiceName) throw missing('ServiceName');
      const type = input.VpcEndpointType ?? 'Gateway';
      const prefix = `com.amazonaws.${ctx.region}.`;
      const short = input.ServiceName.startsWith(prefix) ? input.ServiceName.slice(prefix.length) : '';
      const known = type === 'Gateway' ? GATEWAY_SERVICES.includes(short) : INTERFACE_SERVICES.includes(short);
      if (!known) throw ec2Error('InvalidServiceName', `The Vpc Endpoint Service '${input.ServiceName}' does not exist`);
      const id = newId('vpce');
      const ep: Rec = {
        VpcEndpointId: id,
        VpcEndpointType: type,
        VpcId: vpc.VpcId,
        ServiceName: input.ServiceName,
        State: type === 'Gateway' ? 'available' : 'pending',
        PolicyDocument:
          input.PolicyDocument ??
          JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }),
        RouteTableIds: [],
        SubnetIds: [],
        Groups: [],
        NetworkInterfaceIds: [],
        DnsEntries: [],
        PrivateDnsEnabled: type === 'Interface' ? (input.PrivateDnsEnabled ?? true) : false,
        RequesterManaged: false,
        CreationTimestamp: s.now(ctx),
        OwnerId: ctx.account,
        IpAddressType: 'ipv4',
        Tags: tagsFor(input.TagSpecifications, 'vpc-endpoint'),
      };
      if (type === 'Gateway') {
        const pl = prefixListId(ctx.region, short);
        for (const rtb of routeTables(ctx, input.RouteTableIds ?? [], vpc.VpcId)) {
          rtb.Routes.push({ DestinationPrefixListId: pl, GatewayId: id, Origin: 'CreateRoute', State: 'active' });
          s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
          ep.RouteTableIds.push(rtb.RouteTableId);
        }
      } else {
        const groups = (input.SecurityGroupIds ?? []).map((g) => s.get(ctx, 'sg', g, 'securityGroupId'));
        if (!groups.length) groups.push(s.all(ctx, 'sg').find((g) => g.VpcId === vpc.VpcId && g._default)!);
        ep.Groups = groups.map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName }));
        for (const subnetId of input.SubnetIds ?? []) {
          const subnet = s.get(ctx, 'subnet', subnetId, 'subnetId');
          if (subnet.VpcId !== vpc.VpcId) throw invalidParam(`The subnet ID '${subnetId}' does not belong to VPC '${vpc.VpcId}'`);
          const ip = allocateIp(parseCidr(subnet.CidrBlock)!, usedIps(s, ctx, subnetId));
          if (!ip) throw ec2Error('InsufficientFreeAddressesInSubnet', `Subnet ${subnetId} has no free addresses`);
          const eni: Rec = {
            NetworkInterfaceId: newId('eni'),
            SubnetId: subnetId,
            VpcId: vpc.VpcId,
            AvailabilityZone: subnet.AvailabilityZone,
            AvailabilityZoneId: subnet.AvailabilityZoneId,
            Description: `VPC Endpoint Interface ${id}`,
            Groups: ep.Groups,
            InterfaceType: 'vpc_endpoint',
            MacAddress: '0e:' + randomBytes(5).toString('hex').match(/../g)!.join(':'),
            OwnerId: ctx.account,
            PrivateDnsName: privateDns(ip, ctx.region),
            PrivateIpAddress: ip,
            Ipv6Addresses: [],
            PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip, PrivateDnsName: privateDns(ip, ctx.region) }],
            RequesterId: 'amazon',
            RequesterManaged: true,
            SourceDestCheck: true,
            Status: 'in-use',
            Tags: [],
          };
          s.put(ctx, 'eni', eni.NetworkInterfaceId, eni);
          holdIps(s, ctx, eni, true);
          ep.SubnetIds.push(subnetId);
          ep.NetworkInterfaceIds.push(eni.NetworkInterfaceId);
        }
        ep.DnsEntries = [
          { DnsName: `${id}-${randomBytes(4).toString('hex')}.${short}.${ctx.region}.vpce.amazonaws.com`, HostedZoneId: 'Z7HUB22UULQXV' },
        ];
        ep._dueAt = ctx.clock.nowMs() + 60_000;
      }
      s.put(ctx, 'vpce', id, ep);
      return { VpcEndpoint: out(ep), ClientToken: input.ClientToken };
    },

    DescribeVpcEndpoints: (input, ctx) => {
      const now = ctx.clock.nowMs();
      let eps = s.all(ctx, 'vpce').map((e) => {
        if (e.State === 'pending' && e._dueAt <= now) {
          e.State = 'available';
          s.put(ctx, 'vpce', e.VpcEndpointId, e);
        }
        return e;
      });
      eps = selectIds(
        eps,
        input.VpcEndpointIds,
        (e) => e.VpcEndpointId,
        (m) => notFound('vpce', m),
      );
      const p = page(applyFilters(eps, input.Filters, vpceFields), input.MaxResults, input.NextToken);
      return { VpcEndpoints: out(p.items), NextToken: p.NextToken };
    },

    DeleteVpcEndpoints: (input, ctx) => {
      const unsuccessful: Array<{ ResourceId: string; Error: { Code: string; Message: string } }> = [];
      for (const id of input.VpcEndpointIds ?? []) {
        const ep = s.find(ctx, 'vpce', id);
        if (!ep) {
          unsuccessful.push({
            ResourceId: id,
            Error: { Code: 'InvalidVpcEndpoint.NotFound', Message: `The Vpc Endpoint Id '${id}' does not exist` },
          });
          continue;
        }
        for (const rtbId of ep.RouteTableIds) {
          const rtb = s.find(ctx, 'rtb', rtbId);
          if (!rtb) continue;
          rtb.Routes = rtb.Routes.filter((r: Rec) => r.GatewayId !== id);
          s.put(ctx, 'rtb', rtbId, rtb);
        }
        for (const eniId of ep.NetworkInterfaceIds) {
          const eni = s.find(ctx, 'eni', eniId);
          if (!eni) continue;
          s.delete(ctx, 'eni', eniId);
          holdIps(s, ctx, eni, false);
        }
        s.delete(ctx, 'vpce', id);
      }
      return { Unsuccessful: unsuccessful };
    },
  };
}
