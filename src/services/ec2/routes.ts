// Route tables, routes and subnet associations; network ACLs (described, with their entries).
import type { Ec2Provider } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { dependency, ec2Error, invalidParam, missing, notFound } from './errors.js';
import { DONE } from './errors.js';
import { cidrText, parseCidr } from './cidr.js';

const rtbFields: Fields<Rec> = {
  'route-table-id': (r) => r.RouteTableId,
  'vpc-id': (r) => r.VpcId,
  'owner-id': (r) => r.OwnerId,
  'association.main': (r) => r.Associations.map((a: Rec) => a.Main),
  'association.subnet-id': (r) => r.Associations.map((a: Rec) => a.SubnetId),
  'association.route-table-association-id': (r) => r.Associations.map((a: Rec) => a.RouteTableAssociationId),
  'association.route-table-id': (r) => r.Associations.map((a: Rec) => a.RouteTableId),
  'association.gateway-id': (r) => r.Associations.map((a: Rec) => a.GatewayId),
  'route.destination-cidr-block': (r) => r.Routes.map((x: Rec) => x.DestinationCidrBlock),
  'route.gateway-id': (r) => r.Routes.map((x: Rec) => x.GatewayId),
  'route.nat-gateway-id': (r) => r.Routes.map((x: Rec) => x.NatGatewayId),
  'route.instance-id': (r) => r.Routes.map((x: Rec) => x.InstanceId),
  'route.vpc-peering-connection-id': (r) => r.Routes.map((x: Rec) => x.VpcPeeringConnectionId),
  'route.state': (r) => r.Routes.map((x: Rec) => x.State),
  'route.origin': (r) => r.Routes.map((x: Rec) => x.Origin),
};

const aclFields: Fields<Rec> = {
  'network-acl-id': (r) => r.NetworkAclId,
  'vpc-id': (r) => r.VpcId,
  default: (r) => r.IsDefault,
  'owner-id': (r) => r.OwnerId,
  'association.subnet-id': (r) => r.Associations.map((a: Rec) => a.SubnetId),
  'association.network-acl-id': (r) => r.Associations.map((a: Rec) => a.NetworkAclId),
  'association.association-id': (r) => r.Associations.map((a: Rec) => a.NetworkAclAssociationId),
  'entry.rule-number': (r) => r.Entries.map((e: Rec) => e.RuleNumber),
  'entry.cidr': (r) => r.Entries.map((e: Rec) => e.CidrBlock),
  'entry.rule-action': (r) => r.Entries.map((e: Rec) => e.RuleAction),
  'entry.egress': (r) => r.Entries.map((e: Rec) => e.Egress),
};

const TARGETS = [
  'GatewayId',
  'NatGatewayId',
  'InstanceId',
  'NetworkInterfaceId',
  'VpcPeeringConnectionId',
  'TransitGatewayId',
  'EgressOnlyInternetGatewayId',
  'LocalGatewayId',
  'CarrierGatewayId',
  'VpcEndpointId',
] as const;

export function routeHandlers(s: Ec2State): Ec2Provider {
  /** The route a CreateRoute/ReplaceRoute input describes, its target checked to exist. */
  function routeOf(input: Rec, ctx: RequestContext): Rec {
    const dest = input.DestinationCidrBlock ?? input.DestinationIpv6CidrBlock ?? input.DestinationPrefixListId;
    if (!dest) throw missing('destinationCidrBlock');
    if (input.DestinationCidrBlock && !parseCidr(input.DestinationCidrBlock)) {
      throw invalidParam(
        `Value (${input.DestinationCidrBlock}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`,
      );
    }
    const given = TARGETS.filter((t) => input[t] !== undefined);
    if (given.length === 0) throw ec2Error('InvalidParameterCombination', 'No route target specified.');
    if (given.length > 1) throw ec2Error('InvalidParameterCombination', 'More than one target specified.');
    const route: Rec = { Origin: 'CreateRoute', State: 'active' };
    if (input.DestinationCidrBlock) route.DestinationCidrBlock = cidrText(parseCidr(input.DestinationCidrBlock)!);
    if (input.DestinationIpv6CidrBlock) route.DestinationIpv6CidrBlock = input.DestinationIpv6CidrBlock;
    if (input.DestinationPrefixListId) route.DestinationPrefixListId = input.DestinationPrefixListId;
    const target = given[0];
    const id = input[target] as string;
    const kind = (
      {
        GatewayId: id.startsWith('vgw-') ? undefined : 'igw',
        NatGatewayId: 'nat',
        InstanceId: 'instance',
        NetworkInterfaceId: 'eni',
        VpcPeeringConnectionId: 'pcx',
      } as Record<string, string | undefined>
    )[target];
    if (kind) s.get(ctx, kind as 'igw', id);
    route[target] = id;
    if (target === 'InstanceId') {
      const inst = s.get(ctx, 'instance', id);
      route.InstanceOwnerId = ctx.account;
      route.NetworkInterfaceId = inst.NetworkInterfaces?.[0]?.NetworkInterfaceId;
    }
    return route;
  }

  const sameDest = (a: Rec, b: Rec) =>
    (a.DestinationCidrBlock ?? a.DestinationIpv6CidrBlock ?? a.DestinationPrefixListId) ===
    (b.DestinationCidrBlock ?? b.DestinationIpv6CidrBlock ?? b.DestinationPrefixListId);

  function findAssociation(ctx: RequestContext, associationId: string | undefined): { rtb: Rec; assoc: Rec } {
    if (!associationId) throw missing('associationId');
    for (const rtb of s.all(ctx, 'rtb')) {
      const assoc = rtb.Associations.find((a: Rec) => a.RouteTableAssociationId === associationId);
      if (assoc) return { rtb, assoc };
    }
    throw notFound('rtbassoc', associationId);
  }

  return {
    CreateRouteTable: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      const id = newId('rtb');
      const routes = vpc.CidrBlockAssociationSet.filter((a: Rec) => a.CidrBlockState.State === 'associated').map((a: Rec) => ({
        DestinationCidrBlock: a.CidrBlock,
        GatewayId: 'local',
        Origin: 'CreateRouteTable',
        State: 'active',
      }));
      const rtb = {
        RouteTableId: id,
        VpcId: vpc.VpcId,
        OwnerId: ctx.account,
        Associations: [],
        PropagatingVgws: [],
        Routes: routes,
        Tags: tagsFor(input.TagSpecifications, 'route-table'),
      };
      s.put(ctx, 'rtb', id, rtb);
      return { RouteTable: out(rtb) };
    },

    DescribeRouteTables: (input, ctx) => {
      let rtbs = selectIds(
        s.all(ctx, 'rtb'),
        input.RouteTableIds,
        (r) => r.RouteTableId,
        (m) => notFound('rtb', m),
      );
      rtbs = applyFilters(rtbs, input.Filters, rtbFields);
      const p = page(rtbs, input.MaxResults, input.NextToken);
      return { RouteTables: out(p.items), NextToken: p.NextToken };
    },

    DeleteRouteTable: (input, ctx) => {
      const rtb = s.get(ctx, 'rtb', input.RouteTableId, 'routeTableId');
      if (rtb.Associations.length) throw dependency(`The routeTable '${rtb.RouteTableId}' has dependencies and cannot be deleted.`);
      s.delete(ctx, 'rtb', rtb.RouteTableId);
      return DONE;
    },

    CreateRoute: (input, ctx) => {
      const rtb = s.get(ctx, 'rtb', input.RouteTableId, 'routeTableId');
      const route = routeOf(input as Rec, ctx);
      if (rtb.Routes.some((r: Rec) => sameDest(r, route))) {
        throw ec2Error(
          'RouteAlreadyExists',
          `The route identified by ${route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock ?? route.DestinationPrefixListId} already exists.`,
        );
      }
      rtb.Routes.push(route);
      s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      return { Return: true };
    },

    ReplaceRoute: (input, ctx) => {
      const rtb = s.get(ctx, 'rtb', input.RouteTableId, 'routeTableId');
      const route = routeOf(input as Rec, ctx);
      const i = rtb.Routes.findIndex((r: Rec) => sameDest(r, route));
      if (i < 0)
        throw ec2Error(
          'InvalidRoute.NotFound',
          `There is no route defined for '${route.DestinationCidrBlock}' in the route table. Use CreateRoute instead.`,
        );
      rtb.Routes[i] = { ...route, Origin: 'CreateRoute' };
      s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      return DONE;
    },

    DeleteRoute: (input, ctx) => {
      const rtb = s.get(ctx, 'rtb', input.RouteTableId, 'routeTableId');
      const probe: Rec = {
        DestinationCidrBlock:
          input.DestinationCidrBlock && parseCidr(input.DestinationCidrBlock)
            ? cidrText(parseCidr(input.DestinationCidrBlock)!)
            : input.DestinationCidrBlock,
        DestinationIpv6CidrBlock: input.DestinationIpv6CidrBlock,
        DestinationPrefixListId: input.DestinationPrefixListId,
      };
      const i = rtb.Routes.findIndex((r: Rec) => sameDest(r, probe));
      if (i < 0) {
        throw ec2Error(
          'InvalidRoute.NotFound',
          `no route with destination-cidr-block ${input.DestinationCidrBlock ?? input.DestinationIpv6CidrBlock ?? input.DestinationPrefixListId} in route table ${rtb.RouteTableId}`,
        );
      }
      if (rtb.Routes[i].GatewayId === 'local')
        throw ec2Error(
          'InvalidParameterValue',
          `cannot remove local route ${input.DestinationCidrBlock} in route table ${rtb.RouteTableId}`,
        );
      rtb.Routes.splice(i, 1);
      s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      return DONE;
    },

    AssociateRouteTable: (input, ctx) => {
      const rtb = s.get(ctx, 'rtb', input.RouteTableId, 'routeTableId');
      if (!input.SubnetId && !input.GatewayId) throw missing('subnetId');
      const assoc: Rec = {
        Main: false,
        RouteTableAssociationId: newId('rtbassoc'),
        RouteTableId: rtb.RouteTableId,
        AssociationState: { State: 'associated' },
      };
      if (input.SubnetId) {
        const subnet = s.get(ctx, 'subnet', input.SubnetId, 'subnetId');
        if (subnet.VpcId !== rtb.VpcId)
          throw invalidParam(`Route table ${rtb.RouteTableId} and subnet ${subnet.SubnetId} belong to different networks`);
        const existing = s.all(ctx, 'rtb').find((r) => r.Associations.some((a: Rec) => a.SubnetId === subnet.SubnetId));
        if (existing)
          throw ec2Error(
            'Resource.AlreadyAssociated',
            `the specified association for route table ${existing.RouteTableId} conflicts with an existing association`,
          );
        assoc.SubnetId = subnet.SubnetId;
      } else {
        s.get(ctx, 'igw', input.GatewayId);
        assoc.GatewayId = input.GatewayId;
      }
      rtb.Associations.push(assoc);
      s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      return { AssociationId: assoc.RouteTableAssociationId, AssociationState: { State: 'associated' } };
    },

    DisassociateRouteTable: (input, ctx) => {
      const { rtb, assoc } = findAssociation(ctx, input.AssociationId);
      if (assoc.Main) throw invalidParam(`cannot disassociate the main route table association ${assoc.RouteTableAssociationId}`);
      rtb.Associations = rtb.Associations.filter((a: Rec) => a !== assoc);
      s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      return DONE;
    },

    ReplaceRouteTableAssociation: (input, ctx) => {
      const { rtb, assoc } = findAssociation(ctx, input.AssociationId);
      const target = s.get(ctx, 'rtb', input.RouteTableId, 'routeTableId');
      rtb.Associations = rtb.Associations.filter((a: Rec) => a !== assoc);
      s.put(ctx, 'rtb', rtb.RouteTableId, rtb);
      const moved = { ...assoc, RouteTableAssociationId: newId('rtbassoc'), RouteTableId: target.RouteTableId };
      const fresh = s.get(ctx, 'rtb', target.RouteTableId);
      fresh.Associations.push(moved);
      s.put(ctx, 'rtb', target.RouteTableId, fresh);
      return { NewAssociationId: moved.RouteTableAssociationId, AssociationState: { State: 'associated' } };
    },

    DescribeNetworkAcls: (input, ctx) => {
      let acls = selectIds(
        s.all(ctx, 'acl'),
        input.NetworkAclIds,
        (r) => r.NetworkAclId,
        (m) => notFound('acl', m),
      );
      acls = applyFilters(acls, input.Filters, aclFields);
      const p = page(acls, input.MaxResults, input.NextToken);
      return { NetworkAcls: out(p.items), NextToken: p.NextToken };
    },
  };
}
