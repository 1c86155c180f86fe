// Security groups: ingress and egress rules with rule ids, described both as IpPermissions and as
// SecurityGroupRules; the default group of every VPC.
import type { Ec2Provider, IpPermission } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { dependency, ec2Error, invalidParam, missing, notFound } from './errors.js';
import { parseCidr } from './cidr.js';

const PROTOCOLS: Record<string, string> = {
  tcp: 'tcp',
  '6': 'tcp',
  udp: 'udp',
  '17': 'udp',
  icmp: 'icmp',
  '1': 'icmp',
  icmpv6: 'icmpv6',
  '58': 'icmpv6',
  '-1': '-1',
  all: '-1',
};

/** A group's rules as IpPermissions: one per protocol and port range, its peers gathered. */
export function permissions(rules: Rec[], egress: boolean): IpPermission[] {
  const byKey = new Map<string, Rec>();
  for (const r of rules.filter((x) => !!x.IsEgress === egress)) {
    const key = `${r.IpProtocol}/${r.FromPort}/${r.ToPort}`;
    let p = byKey.get(key);
    if (!p) {
      p = { IpProtocol: r.IpProtocol, IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] };
      if (r.IpProtocol !== '-1') Object.assign(p, { FromPort: r.FromPort, ToPort: r.ToPort });
      byKey.set(key, p);
    }
    const d = r.Description !== undefined ? { Description: r.Description } : {};
    if (r.CidrIpv4) p.IpRanges.push({ CidrIp: r.CidrIpv4, ...d });
    if (r.CidrIpv6) p.Ipv6Ranges.push({ CidrIpv6: r.CidrIpv6, ...d });
    if (r.PrefixListId) p.PrefixListIds.push({ PrefixListId: r.PrefixListId, ...d });
    if (r.ReferencedGroupInfo)
      p.UserIdGroupPairs.push({ GroupId: r.ReferencedGroupInfo.GroupId, UserId: r.ReferencedGroupInfo.UserId, ...d });
  }
  return [...byKey.values()] as IpPermission[];
}

const sgFields: Fields<Rec> = {
  'group-id': (g) => g.GroupId,
  'group-name': (g) => g.GroupName,
  'vpc-id': (g) => g.VpcId,
  description: (g) => g.Description,
  'owner-id': (g) => g.OwnerId,
  'ip-permission.protocol': (g) => ing(g).map((r) => r.IpProtocol),
  'ip-permission.from-port': (g) => ing(g).map((r) => r.FromPort),
  'ip-permission.to-port': (g) => ing(g).map((r) => r.ToPort),
  'ip-permission.cidr': (g) => ing(g).map((r) => r.CidrIpv4),
  'ip-permission.ipv6-cidr': (g) => ing(g).map((r) => r.CidrIpv6),
  'ip-permission.group-id': (g) => ing(g).map((r) => r.ReferencedGroupInfo?.GroupId),
  'egress.ip-permission.protocol': (g) => egr(g).map((r) => r.IpProtocol),
  'egress.ip-permission.cidr': (g) => egr(g).map((r) => r.CidrIpv4),
  'egress.ip-permission.from-port': (g) => egr(g).map((r) => r.FromPort),
  'egress.ip-permission.to-port': (g) => egr(g).map((r) => r.ToPort),
};
const ing = (g: Rec): Rec[] => g._rules.filter((r: Rec) => !r.IsEgress);
const egr = (g: Rec): Rec[] => g._rules.filter((r: Rec) => r.IsEgress);

const ruleFields: Fields<Rec> = {
  'group-id': (r) => r.GroupId,
  'security-group-rule-id': (r) => r.SecurityGroupRuleId,
  'is-egress': (r) => r.IsEgress,
  'ip-protocol': (r) => r.IpProtocol,
};

const groupOut = (g: Rec) =>
  out<Rec>({ ...g, IpPermissions: permissions(g._rules, false), IpPermissionsEgress: permissions(g._rules, true) });

export function securityGroupHandlers(s: Ec2State): Ec2Provider {
  const defaultVpcId = (ctx: RequestContext) => s.all(ctx, 'vpc').find((v) => v.IsDefault)?.VpcId;

  function groupOf(ctx: RequestContext, id: string | undefined, name: string | undefined): Rec {
    if (id) return s.get(ctx, 'sg', id, 'groupId');
    if (!name) throw missing('groupId');
    const vpcId = defaultVpcId(ctx);
    const g = s.all(ctx, 'sg').find((x) => x.GroupName === name && x.VpcId === vpcId);
    if (!g) throw ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpcId ?? 'none'}'`);
    return g;
  }

  /** The rules an Authorize/Revoke input names, one per peer. */
  function rulesOf(ctx: RequestContext, g: Rec, input: Rec, egress: boolean): Rec[] {
    const perms: Rec[] = input.IpPermissions?.length ? input.IpPermissions : [];
    if (!perms.length && (input.IpProtocol || input.CidrIp || input.SourceSecurityGroupName || input.SourceSecurityGroupOwnerId)) {
      perms.push({
        IpProtocol: input.IpProtocol ?? '-1',
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : [],
        UserIdGroupPairs: input.SourceSecurityGroupName ? [{ GroupName: input.SourceSecurityGroupName }] : [],
      });
    }
    const rules: Rec[] = [];
    for (const p of perms) {
      const proto =
        PROTOCOLS[String(p.IpProtocol ?? '').toLowerCase()] ??
        (/^\d+$/.test(String(p.IpProtocol)) && Number(p.IpProtocol) <= 255 ? String(p.IpProtocol) : undefined);
      if (!proto) throw invalidParam(`Invalid value '${p.IpProtocol}' for IP protocol. Unknown protocol.`);
      let from = p.FromPort ?? -1;
      let to = p.ToPort ?? -1;
      if (proto === 'tcp' || proto === 'udp') {
        if (p.FromPort === undefined || p.ToPort === undefined) throw ec2Error('MissingParameter', 'Missing source port range');
        if (from < 0 || to > 65535 || from > to) throw invalidParam(`Invalid port range (${from}, ${to})`);
      } else if (proto === '-1') {
        from = -1;
        to = -1;
      }
      const base = {
        GroupId: g.GroupId,
        GroupOwnerId: g.OwnerId,
        IsEgress: egress,
        IpProtocol: proto,
        FromPort: from,
        ToPort: to,
        Tags: [] as Rec['Tags'],
      };
      const peers: Rec[] = [];
      for (const r of p.IpRanges ?? []) {
        if (!parseCidr(r.CidrIp)) throw invalidParam(`CIDR block ${r.CidrIp} is malformed`);
        peers.push({ CidrIpv4: r.CidrIp, Description: r.Description });
      }
      for (const r of p.Ipv6Ranges ?? []) peers.push({ CidrIpv6: r.CidrIpv6, Description: r.Description });
      for (const r of p.PrefixListIds ?? []) peers.push({ PrefixListId: r.PrefixListId, Description: r.Description });
      for (const r of p.UserIdGroupPairs ?? []) {
        const ref = r.GroupId ? s.get(ctx, 'sg', r.GroupId) : groupOf(ctx, undefined, r.GroupName);
        peers.push({ ReferencedGroupInfo: { GroupId: ref.GroupId, UserId: r.UserId ?? ctx.account }, Description: r.Description });
      }
      if (!peers.length)
        throw ec2Error(
          'InvalidParameterValue',
          'The request must contain at least one source (IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs).',
        );
      for (const peer of peers) {
        if (peer.Description === undefined) delete peer.Description;
        rules.push({ ...base, ...peer });
      }
    }
    return rules;
  }

  const sameRule = (a: Rec, b: Rec) =>
    a.IsEgress === b.IsEgress &&
    a.IpProtocol === b.IpProtocol &&
    a.FromPort === b.FromPort &&
    a.ToPort === b.ToPort &&
    a.CidrIpv4 === b.CidrIpv4 &&
    a.CidrIpv6 === b.CidrIpv6 &&
    a.PrefixListId === b.PrefixListId &&
    a.ReferencedGroupInfo?.GroupId === b.ReferencedGroupInfo?.GroupId;

  const peerText = (r: Rec) => r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId;
  const portText = (r: Rec) =>
    r.IpProtocol === '-1' ? 'ALL' : `${r.IpProtocol.toUpperCase()}, from port: ${r.FromPort}, to port: ${r.ToPort}`;

  function authorize(egress: boolean) {
    return (input: Rec, ctx: RequestContext) => {
      const g = groupOf(ctx, input.GroupId, input.GroupName);
      const rules = rulesOf(ctx, g, input, egress);
      for (const r of rules) {
        if (g._rules.some((x: Rec) => sameRule(x, r))) {
          throw ec2Error('InvalidPermission.Duplicate', `the specified rule "peer: ${peerText(r)}, ${portText(r)}, ALLOW" already exists`);
        }
        r.SecurityGroupRuleId = newId('sgr');
        r.Tags = tagsFor(input.TagSpecifications, 'security-group-rule');
      }
      g._rules.push(...rules);
      s.put(ctx, 'sg', g.GroupId, g);
      return { Return: true, SecurityGroupRules: out<Rec[]>(rules) };
    };
  }

  function revoke(egress: boolean) {
    return (input: Rec, ctx: RequestContext) => {
      const g = groupOf(ctx, input.GroupId, input.GroupName);
      let gone: Rec[];
      if (input.SecurityGroupRuleIds?.length) {
        gone = input.SecurityGroupRuleIds.map((id: string) => {
          const r = g._rules.find((x: Rec) => x.SecurityGroupRuleId === id && !!x.IsEgress === egress);
          if (!r) throw notFound('sgr', id);
          return r;
        });
      } else {
        gone = rulesOf(ctx, g, input, egress).map((r) => {
          const found = g._rules.find((x: Rec) => sameRule(x, r));
          if (!found) throw ec2Error('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
          return found;
        });
      }
      g._rules = g._rules.filter((x: Rec) => !gone.includes(x));
      s.put(ctx, 'sg', g.GroupId, g);
      return {
        Return: true,
        RevokedSecurityGroupRules: gone.map((r) => ({
          SecurityGroupRuleId: r.SecurityGroupRuleId,
          GroupId: r.GroupId,
          IsEgress: r.IsEgress,
          IpProtocol: r.IpProtocol,
          FromPort: r.FromPort,
          ToPort: r.ToPort,
          CidrIpv4: r.CidrIpv4,
          CidrIpv6: r.CidrIpv6,
        })),
      };
    };
  }

  return {
    CreateSecurityGroup: (input, ctx) => {
      if (!input.GroupName) throw missing('GroupName');
      if (!input.Description) throw missing('GroupDescription');
      if (input.GroupName.length > 255)
        throw invalidParam(`Value (${input.GroupName}) for parameter GroupName is invalid. Group name too long.`);
      if (input.GroupName.startsWith('sg-')) throw invalidParam(`Group names may not be in the format sg-*.`);
      const vpcId = input.VpcId ? s.get(ctx, 'vpc', input.VpcId, 'vpcId').VpcId : defaultVpcId(ctx);
      if (!vpcId) throw ec2Error('VPCIdNotSpecified', 'No default VPC for this user');
      if (s.all(ctx, 'sg').some((g) => g.VpcId === vpcId && g.GroupName === input.GroupName)) {
        throw ec2Error('InvalidGroup.Duplicate', `The security group '${input.GroupName}' already exists for VPC '${vpcId}'`);
      }
      const id = newId('sg');
      const g = {
        GroupId: id,
        GroupName: input.GroupName,
        Description: input.Description,
        VpcId: vpcId,
        OwnerId: ctx.account,
        SecurityGroupArn: `arn:aws:ec2:${ctx.region}:${ctx.account}:security-group/${id}`,
        Tags: tagsFor(input.TagSpecifications, 'security-group'),
        _rules: [
          {
            SecurityGroupRuleId: newId('sgr'),
            GroupId: id,
            GroupOwnerId: ctx.account,
            IsEgress: true,
            IpProtocol: '-1',
            FromPort: -1,
            ToPort: -1,
            CidrIpv4: '0.0.0.0/0',
            Tags: [],
          },
        ],
      };
      s.put(ctx, 'sg', id, g);
      return { GroupId: id, Tags: g.Tags, SecurityGroupArn: g.SecurityGroupArn };
    },

    DescribeSecurityGroups: (input, ctx) => {
      let groups = selectIds(
        s.all(ctx, 'sg'),
        input.GroupIds,
        (g) => g.GroupId,
        (m) => notFound('sg', m),
      );
      if (input.GroupNames?.length) {
        const vpcId = defaultVpcId(ctx);
        const missingName = input.GroupNames.find((n) => !groups.some((g) => g.GroupName === n && g.VpcId === vpcId));
        if (missingName)
          throw ec2Error('InvalidGroup.NotFound', `The security group '${missingName}' does not exist in default VPC '${vpcId ?? 'none'}'`);
        groups = groups.filter((g) => g.VpcId === vpcId && input.GroupNames!.includes(g.GroupName));
      }
      groups = applyFilters(groups, input.Filters, sgFields);
      const p = page(groups, input.MaxResults, input.NextToken);
      return { SecurityGroups: p.items.map(groupOut), NextToken: p.NextToken };
    },

    DeleteSecurityGroup: (input, ctx) => {
      const g = groupOf(ctx, input.GroupId, input.GroupName);
      if (g._default)
        throw ec2Error('CannotDelete', 'the specified group: "' + g.GroupId + '" name: "default" cannot be deleted by a user');
      const usedByEni = s.all(ctx, 'eni').some((e) => e.Groups?.some((x: Rec) => x.GroupId === g.GroupId));
      const referenced = s
        .all(ctx, 'sg')
        .some((o) => o.GroupId !== g.GroupId && o._rules.some((r: Rec) => r.ReferencedGroupInfo?.GroupId === g.GroupId));
      if (usedByEni || referenced) throw dependency(`resource ${g.GroupId} has a dependent object`);
      s.delete(ctx, 'sg', g.GroupId);
      return { Return: true, GroupId: g.GroupId };
    },

    AuthorizeSecurityGroupIngress: authorize(false),
    AuthorizeSecurityGroupEgress: authorize(true),
    RevokeSecurityGroupIngress: revoke(false),
    RevokeSecurityGroupEgress: revoke(true),

    DescribeSecurityGroupRules: (input, ctx) => {
      let rules = s.all(ctx, 'sg').flatMap((g) => g._rules as Rec[]);
      rules = selectIds(
        rules,
        input.SecurityGroupRuleIds,
        (r) => r.SecurityGroupRuleId,
        (m) => notFound('sgr', m),
      );
      rules = applyFilters(rules, input.Filters, ruleFields);
      const p = page(rules, input.MaxResults, input.NextToken);
      return { SecurityGroupRules: out(p.items), NextToken: p.NextToken };
    },

    ModifySecurityGroupRules: (input, ctx) => {
      const g = s.get(ctx, 'sg', input.GroupId, 'groupId');
      for (const u of input.SecurityGroupRules ?? []) {
        const i = g._rules.findIndex((r: Rec) => r.SecurityGroupRuleId === u.SecurityGroupRuleId);
        if (i < 0) throw notFound('sgr', u.SecurityGroupRuleId ?? '');
        const [replacement] = rulesOf(
          ctx,
          g,
          {
            IpPermissions: [
              {
                IpProtocol: u.SecurityGroupRule?.IpProtocol,
                FromPort: u.SecurityGroupRule?.FromPort,
                ToPort: u.SecurityGroupRule?.ToPort,
                IpRanges: u.SecurityGroupRule?.CidrIpv4
                  ? [{ CidrIp: u.SecurityGroupRule.CidrIpv4, Description: u.SecurityGroupRule.Description }]
                  : [],
                Ipv6Ranges: u.SecurityGroupRule?.CidrIpv6
                  ? [{ CidrIpv6: u.SecurityGroupRule.CidrIpv6, Description: u.SecurityGroupRule.Description }]
                  : [],
                UserIdGroupPairs: u.SecurityGroupRule?.ReferencedGroupId
                  ? [{ GroupId: u.SecurityGroupRule.ReferencedGroupId, Description: u.SecurityGroupRule.Description }]
                  : [],
              },
            ],
          },
          g._rules[i].IsEgress,
        );
        g._rules[i] = { ...replacement, SecurityGroupRuleId: u.SecurityGroupRuleId, Tags: g._rules[i].Tags };
      }
      s.put(ctx, 'sg', g.GroupId, g);
      return { Return: true };
    },
  };
}
