// Network ACLs: create and delete, numbered ingress/egress entries, subnet association moves.
import type { Ec2Provider } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { DONE, dependency, ec2Error, invalidParam, missing } from './errors.js';
import { cidrText, parseCidr } from './cidr.js';

const PROTOCOLS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', all: '-1' };

export function aclHandlers(s: Ec2State): Ec2Provider {
  function entryOf(input: Rec): Rec {
    if (input.RuleNumber === undefined) throw missing('ruleNumber');
    if (input.RuleNumber < 1 || input.RuleNumber > 32766)
      throw invalidParam(`Value (${input.RuleNumber}) for parameter ruleNumber is invalid. Valid rule numbers are 1 to 32766.`);
    if (!input.Protocol) throw missing('protocol');
    const protocol = PROTOCOLS[String(input.Protocol).toLowerCase()] ?? String(input.Protocol);
    if (!/^-1$|^\d{1,3}$/.test(protocol) || Number(protocol) > 255) throw invalidParam(`Invalid value '${input.Protocol}' for protocol.`);
    if (input.RuleAction !== 'allow' && input.RuleAction !== 'deny')
      throw invalidParam(`Value (${input.RuleAction}) for parameter ruleAction is invalid.`);
    if (!input.CidrBlock && !input.Ipv6CidrBlock) throw missing('cidrBlock');
    if (input.CidrBlock && !parseCidr(input.CidrBlock))
      throw invalidParam(`Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
    if ((protocol === '6' || protocol === '17') && !input.PortRange) throw missing('portRange');
    return {
      RuleNumber: input.RuleNumber,
      Protocol: protocol,
      RuleAction: input.RuleAction,
      Egress: !!input.Egress,
      ...(input.CidrBlock ? { CidrBlock: cidrText(parseCidr(input.CidrBlock)!) } : { Ipv6CidrBlock: input.Ipv6CidrBlock }),
      ...(input.PortRange ? { PortRange: input.PortRange } : {}),
      ...(input.IcmpTypeCode ? { IcmpTypeCode: input.IcmpTypeCode } : {}),
    };
  }

  const sorted = (entries: Rec[]) => entries.sort((a, b) => Number(a.Egress) - Number(b.Egress) || a.RuleNumber - b.RuleNumber);
  const findEntry = (acl: Rec, n: number, egress: boolean) => acl.Entries.findIndex((e: Rec) => e.RuleNumber === n && e.Egress === egress);

  function aclOfAssociation(ctx: RequestContext, id: string | undefined): { acl: Rec; assoc: Rec } {
    if (!id) throw missing('associationId');
    for (const acl of s.all(ctx, 'acl')) {
      const assoc = acl.Associations.find((a: Rec) => a.NetworkAclAssociationId === id);
      if (assoc) return { acl, assoc };
    }
    throw ec2Error('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`);
  }

  return {
    CreateNetworkAcl: (input, ctx) => {
      const vpc = s.get(ctx, 'vpc', input.VpcId, 'vpcId');
      const id = newId('acl');
      const acl = {
        NetworkAclId: id,
        VpcId: vpc.VpcId,
        IsDefault: false,
        OwnerId: ctx.account,
        Associations: [],
        Tags: tagsFor(input.TagSpecifications, 'network-acl'),
        Entries: [true, false].map((egress) => ({
          RuleNumber: 32767,
          Protocol: '-1',
          RuleAction: 'deny',
          Egress: egress,
          CidrBlock: '0.0.0.0/0',
        })),
      };
      s.put(ctx, 'acl', id, acl);
      return { NetworkAcl: out(acl) };
    },

    DeleteNetworkAcl: (input, ctx) => {
      const acl = s.get(ctx, 'acl', input.NetworkAclId, 'networkAclId');
      if (acl.IsDefault) throw ec2Error('InvalidParameterValue', `cannot delete default network ACL ${acl.NetworkAclId}`);
      if (acl.Associations.length) throw dependency(`The networkAcl '${acl.NetworkAclId}' has dependencies and cannot be deleted.`);
      s.delete(ctx, 'acl', acl.NetworkAclId);
      return DONE;
    },

    CreateNetworkAclEntry: (input, ctx) => {
      const acl = s.get(ctx, 'acl', input.NetworkAclId, 'networkAclId');
      const entry = entryOf(input as Rec);
      if (findEntry(acl, entry.RuleNumber, entry.Egress) >= 0) {
        throw ec2Error('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${entry.RuleNumber} already exists.`);
      }
      acl.Entries = sorted([...acl.Entries, entry]);
      s.put(ctx, 'acl', acl.NetworkAclId, acl);
      return DONE;
    },

    ReplaceNetworkAclEntry: (input, ctx) => {
      const acl = s.get(ctx, 'acl', input.NetworkAclId, 'networkAclId');
      const entry = entryOf(input as Rec);
      const i = findEntry(acl, entry.RuleNumber, entry.Egress);
      if (i < 0)
        throw ec2Error('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${entry.RuleNumber} does not exist.`);
      acl.Entries[i] = entry;
      s.put(ctx, 'acl', acl.NetworkAclId, acl);
      return DONE;
    },

    DeleteNetworkAclEntry: (input, ctx) => {
      const acl = s.get(ctx, 'acl', input.NetworkAclId, 'networkAclId');
      const i = findEntry(acl, input.RuleNumber!, !!input.Egress);
      if (i < 0 || input.RuleNumber === 32767)
        throw ec2Error('InvalidNetworkAclEntry.NotFound', `The network acl entry identified by ${input.RuleNumber} does not exist.`);
      acl.Entries.splice(i, 1);
      s.put(ctx, 'acl', acl.NetworkAclId, acl);
      return DONE;
    },

    ReplaceNetworkAclAssociation: (input, ctx) => {
      const { acl, assoc } = aclOfAssociation(ctx, input.AssociationId);
      const target = s.get(ctx, 'acl', input.NetworkAclId, 'networkAclId');
      if (target.VpcId !== acl.VpcId)
        throw invalidParam(`Network ACL ${target.NetworkAclId} and subnet ${assoc.SubnetId} belong to different networks`);
      acl.Associations = acl.Associations.filter((a: Rec) => a !== assoc);
      s.put(ctx, 'acl', acl.NetworkAclId, acl);
      const moved = { NetworkAclAssociationId: newId('aclassoc'), NetworkAclId: target.NetworkAclId, SubnetId: assoc.SubnetId };
      const fresh = s.get(ctx, 'acl', target.NetworkAclId);
      fresh.Associations.push(moved);
      s.put(ctx, 'acl', fresh.NetworkAclId, fresh);
      return { NewAssociationId: moved.NetworkAclAssociationId };
    },
  };
}
