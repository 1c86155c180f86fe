// Elastic IPs (allocate, associate with an instance or interface, disassociate, release) and NAT
// gateways (an interface in their subnet, an Elastic IP, pending → available on the virtual clock).
import { randomBytes } from 'node:crypto';
import type { Ec2Provider } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { DONE, ec2Error, missing, notFound } from './errors.js';
import { allocateIp, parseCidr } from './cidr.js';
import { holdIps, usedIps } from './vpcs.js';
import { privateDns, publicDns } from './instances.js';

const addressFields: Fields<Rec> = {
  'allocation-id': (a) => a.AllocationId,
  'association-id': (a) => a.AssociationId,
  domain: (a) => a.Domain,
  'instance-id': (a) => a.InstanceId,
  'network-interface-id': (a) => a.NetworkInterfaceId,
  'network-interface-owner-id': (a) => a.NetworkInterfaceOwnerId,
  'private-ip-address': (a) => a.PrivateIpAddress,
  'public-ip': (a) => a.PublicIp,
  'network-border-group': (a) => a.NetworkBorderGroup,
};

const natFields: Fields<Rec> = {
  'nat-gateway-id': (n) => n.NatGatewayId,
  state: (n) => n.State,
  'subnet-id': (n) => n.SubnetId,
  'vpc-id': (n) => n.VpcId,
};

const NAT_PENDING_MS = 30_000;
const ELASTIC_IP_LIMIT = 5;

export function addressHandlers(s: Ec2State): Ec2Provider {
  /** Points an interface (and its instance) at an address, or clears it. */
  function bind(ctx: RequestContext, eni: Rec, assoc: Rec | undefined): void {
    if (assoc) eni.Association = assoc;
    else delete eni.Association;
    if (eni.PrivateIpAddresses?.[0]) {
      if (assoc) eni.PrivateIpAddresses[0].Association = assoc;
      else delete eni.PrivateIpAddresses[0].Association;
    }
    s.put(ctx, 'eni', eni.NetworkInterfaceId, eni);
    const instanceId = eni.Attachment?.InstanceId;
    const inst = instanceId ? s.find(ctx, 'instance', instanceId) : undefined;
    if (!inst) return;
    const n = inst.NetworkInterfaces.find((x: Rec) => x.NetworkInterfaceId === eni.NetworkInterfaceId);
    if (n) {
      n.Association = assoc;
      if (n.PrivateIpAddresses?.[0]) n.PrivateIpAddresses[0].Association = assoc;
    }
    if (assoc) {
      inst.PublicIpAddress = assoc.PublicIp;
      inst.PublicDnsName = assoc.PublicDnsName;
    } else {
      delete inst.PublicIpAddress;
      inst.PublicDnsName = '';
    }
    s.put(ctx, 'instance', inst.InstanceId, inst);
  }

  function disassociate(ctx: RequestContext, addr: Rec): void {
    const eni = addr.NetworkInterfaceId ? s.find(ctx, 'eni', addr.NetworkInterfaceId) : undefined;
    if (eni) bind(ctx, eni, undefined);
    for (const k of ['InstanceId', 'AssociationId', 'NetworkInterfaceId', 'NetworkInterfaceOwnerId', 'PrivateIpAddress']) delete addr[k];
    s.put(ctx, 'eip', addr.AllocationId, addr);
  }

  function associate(ctx: RequestContext, addr: Rec, eni: Rec): string {
    const associationId = newId('eipassoc');
    bind(ctx, eni, {
      PublicIp: addr.PublicIp,
      PublicDnsName: publicDns(addr.PublicIp, ctx.region),
      IpOwnerId: ctx.account,
      AllocationId: addr.AllocationId,
      AssociationId: associationId,
    });
    Object.assign(addr, {
      AssociationId: associationId,
      NetworkInterfaceId: eni.NetworkInterfaceId,
      NetworkInterfaceOwnerId: ctx.account,
      PrivateIpAddress: eni.PrivateIpAddress,
      ...(eni.Attachment?.InstanceId ? { InstanceId: eni.Attachment.InstanceId } : {}),
    });
    s.put(ctx, 'eip', addr.AllocationId, addr);
    return associationId;
  }

  /** NAT gateways settle to the clock: pending → available. */
  function natGateways(ctx: RequestContext): Rec[] {
    const now = ctx.clock.nowMs();
    return s.all(ctx, 'nat').map((n) => {
      if (n.State === 'pending' && n._dueAt <= now) {
        n.State = 'available';
        s.put(ctx, 'nat', n.NatGatewayId, n);
      }
      return n;
    });
  }

  return {
    AllocateAddress: (input, ctx) => {
      if (s.all(ctx, 'eip').length >= ELASTIC_IP_LIMIT)
        throw ec2Error('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
      const b = randomBytes(3);
      const ip = input.Address ?? `3.${200 + (b[0] % 50)}.${b[1]}.${(b[2] % 250) + 2}`;
      const id = newId('eipalloc');
      const addr = {
        AllocationId: id,
        PublicIp: ip,
        Domain: 'vpc',
        PublicIpv4Pool: 'amazon',
        NetworkBorderGroup: ctx.region,
        Tags: tagsFor(input.TagSpecifications, 'elastic-ip'),
      };
      s.put(ctx, 'eip', id, addr);
      return { AllocationId: id, PublicIp: ip, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: ctx.region };
    },

    DescribeAddresses: (input, ctx) => {
      let addrs = selectIds(
        s.all(ctx, 'eip'),
        input.AllocationIds,
        (a) => a.AllocationId,
        (m) => notFound('eip', m),
      );
      if (input.PublicIps?.length) {
        const lost = input.PublicIps.find((ip) => !addrs.some((a) => a.PublicIp === ip));
        if (lost) throw ec2Error('InvalidAddress.NotFound', `Address '${lost}' not found.`);
        addrs = addrs.filter((a) => input.PublicIps!.includes(a.PublicIp));
      }
      return { Addresses: out(applyFilters(addrs, input.Filters, addressFields)) };
    },

    AssociateAddress: (input, ctx) => {
      if (!input.AllocationId) throw missing('AllocationId');
      const addr = s.get(ctx, 'eip', input.AllocationId, 'allocationId');
      let eni: Rec | undefined;
      if (input.NetworkInterfaceId) eni = s.get(ctx, 'eni', input.NetworkInterfaceId, 'networkInterfaceId');
      else if (input.InstanceId) {
        const inst = s.get(ctx, 'instance', input.InstanceId, 'instanceId');
        if (!['running', 'stopped', 'pending'].includes(inst.State.Name)) {
          throw ec2Error('IncorrectInstanceState', `The instance '${inst.InstanceId}' is not in a valid state for this operation.`);
        }
        eni = s.find(ctx, 'eni', inst.NetworkInterfaces[0]?.NetworkInterfaceId);
      } else throw missing('instanceId');
      if (!eni) throw notFound('eni', input.NetworkInterfaceId ?? '');
      if (addr.AssociationId) {
        if (
          input.AllowReassociation === false ||
          (input.AllowReassociation === undefined && addr.NetworkInterfaceId !== eni.NetworkInterfaceId && !input.InstanceId)
        ) {
          throw ec2Error(
            'Resource.AlreadyAssociated',
            `resource ${addr.AllocationId} is already associated with associate-id ${addr.AssociationId}`,
          );
        }
        disassociate(ctx, addr);
      }
      for (const other of s.all(ctx, 'eip')) if (other.NetworkInterfaceId === eni.NetworkInterfaceId) disassociate(ctx, other);
      return { AssociationId: associate(ctx, addr, eni) };
    },

    DisassociateAddress: (input, ctx) => {
      const addr = s
        .all(ctx, 'eip')
        .find((a) => a.AssociationId === input.AssociationId || (input.PublicIp && a.PublicIp === input.PublicIp));
      if (!addr)
        throw ec2Error('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId ?? input.PublicIp}' does not exist`);
      if (
        s.all(ctx, 'nat').some((n) => n.State !== 'deleted' && n.NatGatewayAddresses.some((x: Rec) => x.AllocationId === addr.AllocationId))
      ) {
        throw ec2Error('AuthFailure', 'You do not have permission to access the specified resource.');
      }
      disassociate(ctx, addr);
      return DONE;
    },

    ReleaseAddress: (input, ctx) => {
      const addr = input.AllocationId
        ? s.get(ctx, 'eip', input.AllocationId, 'allocationId')
        : s.all(ctx, 'eip').find((a) => a.PublicIp === input.PublicIp);
      if (!addr) throw ec2Error('InvalidAddress.NotFound', `Address '${input.PublicIp}' not found.`);
      if (addr.AssociationId) throw ec2Error('InvalidIPAddress.InUse', `Address ${addr.PublicIp} is in use.`);
      s.delete(ctx, 'eip', addr.AllocationId);
      return DONE;
    },

    CreateNatGateway: (input, ctx) => {
      if (!input.SubnetId) throw missing('SubnetId');
      const subnet = s.get(ctx, 'subnet', input.SubnetId, 'subnetId');
      const type = input.ConnectivityType ?? 'public';
      let addr: Rec | undefined;
      if (type === 'public') {
        if (!input.AllocationId) throw missing('AllocationId');
        addr = s.get(ctx, 'eip', input.AllocationId, 'allocationId');
        if (addr.AssociationId)
          throw ec2Error('Resource.AlreadyAssociated', `Elastic IP address [${addr.AllocationId}] is already associated`);
      }
      const cidr = parseCidr(subnet.CidrBlock)!;
      const ip = input.PrivateIpAddress ?? allocateIp(cidr, usedIps(s, ctx, subnet.SubnetId));
      if (!ip) throw ec2Error('InsufficientFreeAddressesInSubnet', `Subnet ${subnet.SubnetId} has no free addresses`);
      const natId = newId('nat');
      const eni: Rec = {
        NetworkInterfaceId: newId('eni'),
        SubnetId: subnet.SubnetId,
        VpcId: subnet.VpcId,
        AvailabilityZone: subnet.AvailabilityZone,
        AvailabilityZoneId: subnet.AvailabilityZoneId,
        Description: `Interface for NAT Gateway ${natId}`,
        Groups: [],
        InterfaceType: 'nat_gateway',
        MacAddress: '0e:' + randomBytes(5).toString('hex').match(/../g)!.join(':'),
        OwnerId: ctx.account,
        PrivateDnsName: privateDns(ip, ctx.region),
        PrivateIpAddress: ip,
        PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip, PrivateDnsName: privateDns(ip, ctx.region) }],
        Ipv6Addresses: [],
        RequesterId: 'amazon',
        RequesterManaged: true,
        SourceDestCheck: false,
        Status: 'in-use',
        Tags: [],
      };
      s.put(ctx, 'eni', eni.NetworkInterfaceId, eni);
      holdIps(s, ctx, eni, true);
      const associationId = addr ? associate(ctx, addr, eni) : undefined;
      const nat = {
        NatGatewayId: natId,
        SubnetId: subnet.SubnetId,
        VpcId: subnet.VpcId,
        State: 'pending',
        CreateTime: s.now(ctx),
        ConnectivityType: type,
        NatGatewayAddresses: [
          {
            AllocationId: addr?.AllocationId,
            PublicIp: addr?.PublicIp,
            PrivateIp: ip,
            NetworkInterfaceId: eni.NetworkInterfaceId,
            IsPrimary: true,
            Status: 'succeeded',
            AssociationId: associationId,
          },
        ],
        Tags: tagsFor(input.TagSpecifications, 'natgateway'),
        _dueAt: ctx.clock.nowMs() + NAT_PENDING_MS,
      };
      s.put(ctx, 'nat', natId, nat);
      return { NatGateway: out(nat), ClientToken: input.ClientToken };
    },

    DescribeNatGateways: (input, ctx) => {
      let nats = selectIds(
        natGateways(ctx),
        input.NatGatewayIds,
        (n) => n.NatGatewayId,
        (m) => notFound('nat', m),
      );
      nats = applyFilters(nats, input.Filter, natFields);
      const p = page(nats, input.MaxResults, input.NextToken);
      return { NatGateways: out(p.items), NextToken: p.NextToken };
    },

    DeleteNatGateway: (input, ctx) => {
      const nat = natGateways(ctx).find((n) => n.NatGatewayId === input.NatGatewayId);
      if (!nat || nat.State === 'deleted') throw notFound('nat', input.NatGatewayId ?? '');
      for (const a of nat.NatGatewayAddresses) {
        const addr = a.AllocationId ? s.find(ctx, 'eip', a.AllocationId) : undefined;
        if (addr) disassociate(ctx, addr);
        const eni = s.find(ctx, 'eni', a.NetworkInterfaceId);
        if (eni) {
          s.delete(ctx, 'eni', eni.NetworkInterfaceId);
          holdIps(s, ctx, eni, false);
        }
      }
      nat.State = 'deleted';
      nat.DeleteTime = s.now(ctx);
      s.put(ctx, 'nat', nat.NatGatewayId, nat);
      return { NatGatewayId: nat.NatGatewayId };
    },
  };
}
