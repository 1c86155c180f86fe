// Security groups as a filter (rt.integrations.ec2.admits): does an instance's primary network
// interface let in TCP on a port from a source? A source is the security groups it carries and its
// address; a source with no address is a client from outside the VPC (Nimbus sees it as loopback,
// which means nothing in the VPC), let in by a CIDR that holds the whole VPC CIDR (0.0.0.0/0 does).
// Rules are read at each call, so Authorize/Revoke and group changes apply to the next packet.
import type { Ec2State, Rec } from './store.js';
import { contains, parseCidr } from './cidr.js';

export interface Source {
  /** the security groups the traffic comes from (a load balancer's) */
  groupIds: string[];
  /** its IPv4 address; none for a client outside the VPC */
  address?: string;
}

const coversPort = (r: Rec, port: number) => r.IpProtocol === '-1' || (r.IpProtocol === 'tcp' && r.FromPort <= port && port <= r.ToPort);

/** The groups of an instance's primary interface (the interface's own record holds the latest). */
export function groupsOf(s: Ec2State, at: { account: string; region: string }, inst: Rec): string[] {
  const eniId = inst.NetworkInterfaces?.[0]?.NetworkInterfaceId;
  const eni = eniId ? s.find(at, 'eni', eniId) : undefined;
  const groups: Rec[] = eni?.Groups ?? inst.SecurityGroups ?? [];
  return groups.map((g) => g.GroupId);
}

/** Whether the instance's security groups admit TCP to `port` from `from`; an unknown instance admits (nothing to judge by). */
export function admits(s: Ec2State, account: string, region: string, instanceId: string, port: number, from: Source): boolean {
  const at = { account, region };
  const inst = s.find(at, 'instance', instanceId);
  if (!inst) return true;
  const peer = parseCidr(from.address ? `${from.address}/32` : s.find(at, 'vpc', inst.VpcId)?.CidrBlock);
  for (const id of groupsOf(s, at, inst)) {
    const rules: Rec[] = s.find(at, 'sg', id)?._rules ?? [];
    for (const r of rules) {
      if (r.IsEgress || !coversPort(r, port)) continue;
      if (r.ReferencedGroupInfo && from.groupIds.includes(r.ReferencedGroupInfo.GroupId)) return true;
      const block = parseCidr(r.CidrIpv4);
      if (block && peer && contains(block, peer)) return true;
    }
  }
  return false;
}
