// Load balancers: create (subnets and security groups checked against EC2), describe, delete,
// attributes and the subnets/security groups they sit in.
import { ServiceError, type RequestContext } from '../../kit.js';
import type { Elbv2Provider, LoadBalancer } from '../../generated/elbv2.js';
import { ElbState, checkName, dnsLabel, hexId, kind, page, tagsOf, validation, type LbRecord } from './store.js';
import { listenerPorts } from './listener-ports.js';

const ALB_ATTRIBUTES: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'routing.http2.enabled': 'true',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http.desync_mitigation_mode': 'defensive',
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
  'routing.http.xff_client_port.enabled': 'false',
  'routing.http.xff_header_processing.mode': 'append',
  'routing.http.preserve_host_header.enabled': 'false',
  'waf.fail_open.enabled': 'false',
  'load_balancing.cross_zone.enabled': 'true',
  'client_keep_alive.seconds': '3600',
};
const NLB_ATTRIBUTES: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'access_logs.s3.bucket': '',
  'access_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false',
  'load_balancing.cross_zone.enabled': 'false',
  'dns_record.client_routing_policy': 'any_availability_zone',
};

interface Subnet {
  SubnetId: string;
  VpcId: string;
  AvailabilityZone: string;
  AvailabilityZoneId?: string;
}

export function lbView(lb: LbRecord, region: string): LoadBalancer {
  const internal = lb.scheme === 'internal' ? 'internal-' : '';
  return {
    LoadBalancerArn: lb.arn,
    DNSName: `${internal}${lb.name}-${lb.dnsId}.${region}.elb.localhost`,
    CanonicalHostedZoneId: lb.type === 'network' ? 'Z26RNL4JYFTOTI' : 'Z35SXDOTRQ7X7K',
    CreatedTime: new Date(lb.created),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: 'active' },
    Type: lb.type,
    AvailabilityZones: lb.subnets.map((s) => ({ ZoneName: s.ZoneName, SubnetId: s.SubnetId, LoadBalancerAddresses: [] })),
    ...(lb.type === 'application' || lb.securityGroups.length ? { SecurityGroups: lb.securityGroups } : {}),
    IpAddressType: lb.ipAddressType as LoadBalancer['IpAddressType'],
  };
}

async function subnetsOf(s: ElbState, ctx: RequestContext, ids: string[]): Promise<Subnet[]> {
  try {
    const out = await s.ec2<{ Subnets?: Subnet[] }>(ctx, 'DescribeSubnets', { SubnetIds: ids });
    return out.Subnets ?? [];
  } catch (e) {
    if (e instanceof ServiceError && /NotFound|Malformed/.test(e.code))
      throw new ServiceError('SubnetNotFound', `The subnet ID '${ids.join(', ')}' is not valid`, 400);
    throw e;
  }
}

async function groupsOf(s: ElbState, ctx: RequestContext, ids: string[] | undefined, vpcId: string, type: string): Promise<string[]> {
  if (ids === undefined || ids.length === 0) {
    if (type !== 'application') return [];
    const out = await s.ec2<{ SecurityGroups?: { GroupId: string }[] }>(ctx, 'DescribeSecurityGroups', {
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: ['default'] },
      ],
    });
    return (out.SecurityGroups ?? []).map((g) => g.GroupId);
  }
  let found: { GroupId: string; VpcId?: string }[];
  try {
    found =
      (await s.ec2<{ SecurityGroups?: { GroupId: string; VpcId?: string }[] }>(ctx, 'DescribeSecurityGroups', { GroupIds: ids }))
        .SecurityGroups ?? [];
  } catch (e) {
    if (e instanceof ServiceError && /NotFound|Malformed/.test(e.code))
      throw new ServiceError('InvalidSecurityGroup', `One or more security groups are invalid`, 400);
    throw e;
  }
  const foreign = found.find((g) => g.VpcId !== vpcId);
  if (foreign) throw new ServiceError('InvalidSecurityGroup', `Security group '${foreign.GroupId}' does not belong to VPC '${vpcId}'`, 400);
  return ids;
}

async function placement(s: ElbState, ctx: RequestContext, type: string, subnetIds: string[]): Promise<Subnet[]> {
  if (subnetIds.length === 0) throw validation('At least one subnet must be specified');
  const subnets = await subnetsOf(s, ctx, subnetIds);
  const vpcs = new Set(subnets.map((x) => x.VpcId));
  if (vpcs.size > 1) throw new ServiceError('InvalidSubnet', 'The subnets must belong to the same VPC', 400);
  const zones = new Set(subnets.map((x) => x.AvailabilityZone));
  if (zones.size < subnets.length)
    throw new ServiceError(
      'InvalidConfigurationRequest',
      'A load balancer cannot be attached to multiple subnets in the same Availability Zone',
      400,
    );
  if (type === 'application' && zones.size < 2)
    throw validation('At least two subnets in two different Availability Zones must be specified');
  return subnets;
}

export function loadBalancerHandlers(s: ElbState): Partial<Elbv2Provider> {
  return {
    CreateLoadBalancer: async (input, ctx) => {
      const name = checkName(input.Name, 'Load balancer');
      if (name.toLowerCase().startsWith('internal-')) throw validation(`Load balancer name '${name}' cannot begin with 'internal-'`);
      const type = input.Type ?? 'application';
      if (!['application', 'network', 'gateway'].includes(type)) throw validation(`Load balancer type '${type}' is not valid`);
      const scheme = input.Scheme ?? 'internet-facing';
      if (input.Subnets?.length && input.SubnetMappings?.length) throw validation('You can specify subnets or subnet mappings, not both');
      const subnetIds = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => m.SubnetId!).filter(Boolean);
      const tags = tagsOf(input.Tags);
      const store = s.store(ctx);
      const existing = s.all(store.lbs).find((l) => l.name === name);
      if (existing) {
        const same =
          existing.type === type &&
          existing.scheme === scheme &&
          existing.subnets
            .map((x) => x.SubnetId)
            .sort()
            .join() === [...subnetIds].sort().join();
        if (!same)
          throw new ServiceError(
            'DuplicateLoadBalancerName',
            'A load balancer with the same name exists, but with different settings',
            400,
          );
        return { LoadBalancers: [lbView(existing, ctx.region)] };
      }
      const subnets = await placement(s, ctx, type, subnetIds);
      if (type !== 'application' && input.SecurityGroups?.length && type === 'gateway')
        throw validation("Security groups are not supported for load balancers with type 'gateway'");
      const vpcId = subnets[0].VpcId;
      const securityGroups = await groupsOf(s, ctx, input.SecurityGroups, vpcId, type);
      const arn = s.arn(ctx, `loadbalancer/${kind(type)}/${name}/${hexId()}`);
      const lb: LbRecord = {
        arn,
        name,
        type,
        scheme,
        vpcId,
        securityGroups,
        dnsId: String(1_000_000_000 + Math.floor(Math.random() * 8_999_999_999)),
        subnets: subnets.map((x) => ({ SubnetId: x.SubnetId, ZoneName: x.AvailabilityZone })),
        ipAddressType: input.IpAddressType ?? 'ipv4',
        created: ctx.clock.now().getTime(),
        tags,
        attributes: { ...(type === 'application' ? ALB_ATTRIBUTES : NLB_ATTRIBUTES) },
      };
      store.lbs.put(arn, lb);
      const ref = { account: ctx.account, region: ctx.region, arn };
      s.names.put(`d|${dnsLabel(lb)}`, ref);
      s.names.put(`n|${name}|${ctx.account}|${ctx.region}`, ref);
      return { LoadBalancers: [lbView(lb, ctx.region)] };
    },

    DescribeLoadBalancers: (input, ctx) => {
      const store = s.store(ctx);
      if (input.LoadBalancerArns?.length && input.Names?.length)
        throw validation('Load balancer names and load balancer ARNs cannot be specified at the same time');
      let lbs = s.all(store.lbs).sort((a, b) => a.created - b.created);
      if (input.LoadBalancerArns?.length) {
        lbs = input.LoadBalancerArns.map((arn) => s.lb(ctx, arn));
      } else if (input.Names?.length) {
        lbs = input.Names.map((n) => {
          const lb = lbs.find((l) => l.name === n);
          if (!lb) throw new ServiceError('LoadBalancerNotFound', `Load balancers '[${n}]' not found`, 400);
          return lb;
        });
      }
      const { items, next } = page(lbs, input.Marker, input.PageSize);
      return { LoadBalancers: items.map((l) => lbView(l, ctx.region)), NextMarker: next };
    },

    DeleteLoadBalancer: async (input, ctx) => {
      const store = s.store(ctx);
      const lb = store.lbs.get(input.LoadBalancerArn);
      if (!lb) return {}; // deleting a load balancer that is gone succeeds
      if (lb.attributes['deletion_protection.enabled'] === 'true') {
        throw new ServiceError(
          'OperationNotPermitted',
          `Load balancer '${lb.arn}' cannot be deleted because deletion protection is enabled`,
          400,
        );
      }
      for (const l of s.all(store.listeners).filter((x) => x.lbArn === lb.arn)) {
        for (const r of s.all(store.rules).filter((x) => x.listenerArn === l.arn)) store.rules.delete(r.arn);
        store.listeners.delete(l.arn);
      }
      store.lbs.delete(lb.arn);
      s.names.delete(`d|${dnsLabel(lb)}`);
      s.names.delete(`n|${lb.name}|${ctx.account}|${ctx.region}`);
      await listenerPorts(s.rt).sync();
      return {};
    },

    DescribeLoadBalancerAttributes: (input, ctx) => {
      const lb = s.lb(ctx, input.LoadBalancerArn);
      return { Attributes: Object.entries(lb.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },

    ModifyLoadBalancerAttributes: (input, ctx) => {
      const lb = s.lb(ctx, input.LoadBalancerArn);
      for (const a of input.Attributes ?? []) {
        if (!a.Key || !(a.Key in lb.attributes)) throw validation(`Load balancer attribute key '${a.Key}' is not recognized`);
        const v = a.Value ?? '';
        if (a.Key.endsWith('.enabled') && v !== 'true' && v !== 'false')
          throw validation(`Load balancer attribute value '${v}' is not valid for key '${a.Key}'`);
        if (a.Key === 'idle_timeout.timeout_seconds' && !(Number(v) >= 1 && Number(v) <= 4000))
          throw validation(`Idle timeout must be between 1 and 4000 seconds`);
        lb.attributes[a.Key] = v;
      }
      s.store(ctx).lbs.put(lb.arn, lb);
      return { Attributes: Object.entries(lb.attributes).map(([Key, Value]) => ({ Key, Value })) };
    },

    SetSecurityGroups: async (input, ctx) => {
      const lb = s.lb(ctx, input.LoadBalancerArn);
      if (lb.type === 'gateway') throw validation("Security groups are not supported for load balancers with type 'gateway'");
      lb.securityGroups = await groupsOf(s, ctx, input.SecurityGroups, lb.vpcId, lb.type);
      s.store(ctx).lbs.put(lb.arn, lb);
      return { SecurityGroupIds: lb.securityGroups };
    },

    SetSubnets: async (input, ctx) => {
      const lb = s.lb(ctx, input.LoadBalancerArn);
      const ids = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => m.SubnetId!).filter(Boolean);
      const subnets = await placement(s, ctx, lb.type, ids);
      if (subnets[0].VpcId !== lb.vpcId) throw new ServiceError('InvalidSubnet', `The subnets must belong to VPC '${lb.vpcId}'`, 400);
      lb.subnets = subnets.map((x) => ({ SubnetId: x.SubnetId, ZoneName: x.AvailabilityZone }));
      s.store(ctx).lbs.put(lb.arn, lb);
      return { AvailabilityZones: lbView(lb, ctx.region).AvailabilityZones };
    },
  };
}
