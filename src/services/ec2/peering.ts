// VPC peering connections: requested from one VPC to another (same or other account and region),
// accepted or rejected by the peer, deleted by either side. Overlapping CIDRs make the request fail.
import type { Ec2Provider } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { ec2Error, notFound } from './errors.js';
import { overlaps, parseCidr } from './cidr.js';

const pcxFields: Fields<Rec> = {
  'vpc-peering-connection-id': (p) => p.VpcPeeringConnectionId,
  'status-code': (p) => p.Status.Code,
  'requester-vpc-info.vpc-id': (p) => p.RequesterVpcInfo.VpcId,
  'accepter-vpc-info.vpc-id': (p) => p.AccepterVpcInfo.VpcId,
  'requester-vpc-info.owner-id': (p) => p.RequesterVpcInfo.OwnerId,
  'accepter-vpc-info.owner-id': (p) => p.AccepterVpcInfo.OwnerId,
  'requester-vpc-info.cidr-block': (p) => p.RequesterVpcInfo.CidrBlock,
  'accepter-vpc-info.cidr-block': (p) => p.AccepterVpcInfo.CidrBlock,
};

const STATUS: Record<string, string> = {
  'pending-acceptance': 'Pending Acceptance by {owner}',
  active: 'Active',
  rejected: 'Rejected by {owner}',
  deleted: 'Deleted by {owner}',
  failed: 'Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range',
};

export function peeringHandlers(s: Ec2State): Ec2Provider {
  const info = (vpc: Rec, owner: string, region: string) => ({
    VpcId: vpc.VpcId,
    OwnerId: owner,
    Region: region,
    CidrBlock: vpc.CidrBlock,
    CidrBlockSet: vpc.CidrBlockAssociationSet.map((a: Rec) => ({ CidrBlock: a.CidrBlock })),
    PeeringOptions: {
      AllowDnsResolutionFromRemoteVpc: false,
      AllowEgressFromLocalClassicLinkToRemoteVpc: false,
      AllowEgressFromLocalVpcToRemoteClassicLink: false,
    },
  });
  const sides = (p: Rec) => [
    { account: p.RequesterVpcInfo.OwnerId, region: p.RequesterVpcInfo.Region },
    { account: p.AccepterVpcInfo.OwnerId, region: p.AccepterVpcInfo.Region },
  ];
  /** Writes the connection into both sides' state (once when they are the same place). */
  function save(p: Rec): void {
    const [a, b] = sides(p);
    s.put(a, 'pcx', p.VpcPeeringConnectionId, p);
    if (a.account !== b.account || a.region !== b.region) s.put(b, 'pcx', p.VpcPeeringConnectionId, p);
  }
  function setStatus(p: Rec, code: string, by: string): void {
    p.Status = { Code: code, Message: STATUS[code].replace('{owner}', by) };
    save(p);
  }
  const find = (ctx: RequestContext, id: string | undefined) => {
    const p = id ? s.find(ctx, 'pcx', id) : undefined;
    if (!p) throw notFound('pcx', id ?? '');
    return p;
  };

  return {
    CreateVpcPeeringConnection: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      const peer = { account: input.PeerOwnerId ?? ctx.account, region: input.PeerRegion ?? ctx.region };
      const peerVpc = input.PeerVpcId ? s.find(peer, 'vpc', input.PeerVpcId) : undefined;
      if (!input.PeerVpcId) throw ec2Error('MissingParameter', 'The request must contain the parameter PeerVpcId');
      const id = newId('pcx');
      const p: Rec = {
        VpcPeeringConnectionId: id,
        RequesterVpcInfo: info(vpc, ctx.account, ctx.region),
        AccepterVpcInfo: peerVpc
          ? info(peerVpc, peer.account, peer.region)
          : { VpcId: input.PeerVpcId, OwnerId: peer.account, Region: peer.region },
        ExpirationTime: new Date(ctx.clock.nowMs() + 7 * 86_400_000).toISOString(),
        Tags: tagsFor(input.TagSpecifications, 'vpc-peering-connection'),
      };
      const overlap =
        peerVpc &&
        vpc.CidrBlockAssociationSet.some((a: Rec) =>
          peerVpc.CidrBlockAssociationSet.some((b: Rec) => overlaps(parseCidr(a.CidrBlock)!, parseCidr(b.CidrBlock)!)),
        );
      setStatus(p, !peerVpc || overlap || peerVpc.VpcId === vpc.VpcId ? 'failed' : 'pending-acceptance', peer.account);
      return {
        VpcPeeringConnection: out({ ...p, Status: { Code: 'initiating-request', Message: `Initiating Request to ${peer.account}` } }),
      };
    },

    AcceptVpcPeeringConnection: (input, ctx) => {
      const p = find(ctx, input.VpcPeeringConnectionId);
      const accepter = sides(p)[1];
      if (accepter.account !== ctx.account || accepter.region !== ctx.region || p.Status.Code !== 'pending-acceptance') {
        throw ec2Error(
          'InvalidStateTransition',
          `Invalid state transition for pcx ${p.VpcPeeringConnectionId}, attempted to transition from ${p.Status.Code} to active`,
        );
      }
      delete p.ExpirationTime;
      setStatus(p, 'active', ctx.account);
      return { VpcPeeringConnection: out(p) };
    },

    RejectVpcPeeringConnection: (input, ctx) => {
      const p = find(ctx, input.VpcPeeringConnectionId);
      if (p.Status.Code !== 'pending-acceptance') {
        throw ec2Error(
          'InvalidStateTransition',
          `Invalid state transition for pcx ${p.VpcPeeringConnectionId}, attempted to transition from ${p.Status.Code} to rejected`,
        );
      }
      setStatus(p, 'rejected', ctx.account);
      return { Return: true };
    },

    DeleteVpcPeeringConnection: (input, ctx) => {
      const p = find(ctx, input.VpcPeeringConnectionId);
      if (['deleted', 'rejected', 'failed'].includes(p.Status.Code)) {
        throw ec2Error(
          'InvalidStateTransition',
          `Invalid state transition for pcx ${p.VpcPeeringConnectionId}, attempted to transition from ${p.Status.Code} to deleted`,
        );
      }
      setStatus(p, 'deleted', ctx.account);
      return { Return: true };
    },

    DescribeVpcPeeringConnections: (input, ctx) => {
      let ps = selectIds(
        s.all(ctx, 'pcx'),
        input.VpcPeeringConnectionIds,
        (p) => p.VpcPeeringConnectionId,
        (m) => notFound('pcx', m),
      );
      ps = applyFilters(ps, input.Filters, pcxFields);
      const p = page(ps, input.MaxResults, input.NextToken);
      return { VpcPeeringConnections: out(p.items), NextToken: p.NextToken };
    },
  };
}
