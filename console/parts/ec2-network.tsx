// The EC2 page's network tabs: VPCs and subnets, security groups with their rules, key pairs
// (created here, the private key offered once as a download, as the AWS console does).
import { useState } from 'preact/hooks';
import {
  EC2Client,
  DescribeVpcsCommand,
  CreateVpcCommand,
  DeleteVpcCommand,
  DescribeSubnetsCommand,
  CreateSubnetCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSecurityGroupsCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  AuthorizeSecurityGroupIngressCommand,
  RevokeSecurityGroupIngressCommand,
  DescribeKeyPairsCommand,
  CreateKeyPairCommand,
  DeleteKeyPairCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { Copy, Section, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable, PickLink } from '../lib/table.js';

export const nameTag = (tags?: Tag[]) => tags?.find((t) => t.Key === 'Name')?.Value ?? '';
/** Tags a created resource with its Name, when one is given. */
export const nameSpec = <R extends string>(type: R, name: string) =>
  name ? [{ ResourceType: type, Tags: [{ Key: 'Name', Value: name }] }] : undefined;

export function VpcsTab({ ec2 }: { ec2: EC2Client }) {
  const vpcs = useLoad(() => ec2.send(new DescribeVpcsCommand({})), [ec2]);
  const subnets = useLoad(() => ec2.send(new DescribeSubnetsCommand({})), [ec2]);
  const zones = useLoad(() => ec2.send(new DescribeAvailabilityZonesCommand({})), [ec2]);
  const f = useFields({ cidr: '10.0.0.0/16', vpcName: '', subVpc: '', subCidr: '10.0.1.0/24', zone: '' });
  const v = f.values;
  const act = useAction();
  const vpcList = vpcs.data?.Vpcs ?? [];
  const reload = () => (vpcs.reload(), subnets.reload());
  return (
    <>
      <Section title="VPCs" refresh={reload}>
        <ActionForm
          label="Create a VPC"
          submit="Create VPC"
          act={act}
          run={async () => (
            await ec2.send(new CreateVpcCommand({ CidrBlock: v.cidr, TagSpecifications: nameSpec('vpc', v.vpcName) })),
            reload()
          )}
        >
          <TextField label="IPv4 CIDR" aria="VPC CIDR" {...f.bind('cidr')} />
          <TextField label="Name" aria="VPC name" {...f.bind('vpcName')} />
        </ActionForm>
        <ActionError act={act} />
        <ResourceTable
          label="VPCs"
          wrap={false}
          load={vpcs}
          rows={vpcList}
          rowKey={(x) => x.VpcId!}
          columns={{
            VPC: (x) => <Copy value={x.VpcId!} label="VPC id" />,
            Name: (x) => nameTag(x.Tags),
            CIDR: (x) => x.CidrBlock,
            State: (x) => x.State,
            Default: (x) => (x.IsDefault ? 'yes' : 'no'),
            '': (x) => (
              <DeleteButton
                link
                act={act}
                label={`Delete ${x.VpcId}`}
                run={async () => (await ec2.send(new DeleteVpcCommand({ VpcId: x.VpcId })), reload())}
              />
            ),
          }}
        />
      </Section>
      <Section title="Subnets">
        <ActionForm
          label="Create a subnet"
          submit="Create subnet"
          act={act}
          run={async () => (
            await ec2.send(
              new CreateSubnetCommand({
                VpcId: v.subVpc || vpcList[0]?.VpcId,
                CidrBlock: v.subCidr,
                AvailabilityZone: v.zone || undefined,
              }),
            ),
            subnets.reload()
          )}
        >
          <SelectField label="VPC" aria="Subnet VPC" {...f.bind('subVpc')}>
            {vpcList.map((x) => (
              <option key={x.VpcId} value={x.VpcId}>
                {x.VpcId} {nameTag(x.Tags)} ({x.CidrBlock})
              </option>
            ))}
          </SelectField>
          <TextField label="IPv4 CIDR" aria="Subnet CIDR" {...f.bind('subCidr')} />
          <SelectField label="Availability zone" {...f.bind('zone')}>
            <option value="">Any</option>
            {(zones.data?.AvailabilityZones ?? []).map((z) => (
              <option key={z.ZoneName}>{z.ZoneName}</option>
            ))}
          </SelectField>
        </ActionForm>
        <ResourceTable
          label="Subnets"
          wrap={false}
          load={subnets}
          rows={subnets.data?.Subnets ?? []}
          rowKey={(s) => s.SubnetId!}
          columns={{
            Subnet: (s) => <Copy value={s.SubnetId!} label="subnet id" />,
            VPC: (s) => s.VpcId,
            CIDR: (s) => s.CidrBlock,
            Zone: (s) => s.AvailabilityZone,
            'Free addresses': (s) => s.AvailableIpAddressCount,
          }}
        />
      </Section>
    </>
  );
}

export function SecurityGroupsTab({ ec2 }: { ec2: EC2Client }) {
  const groups = useLoad(() => ec2.send(new DescribeSecurityGroupsCommand({})), [ec2]);
  const vpcs = useLoad(() => ec2.send(new DescribeVpcsCommand({})), [ec2]);
  const [selected, setSelected] = useState<string>();
  const f = useFields({ name: '', desc: '', vpc: '' });
  const act = useAction();
  return (
    <>
      <Section title="Security groups" refresh={groups.reload}>
        <ActionForm
          label="Create a security group"
          submit="Create security group"
          act={act}
          run={async () => {
            const out = await ec2.send(
              new CreateSecurityGroupCommand({ GroupName: f.values.name, Description: f.values.desc, VpcId: f.values.vpc || undefined }),
            );
            setSelected(out.GroupId);
            groups.reload();
          }}
        >
          <TextField label="Group name" {...f.bind('name')} />
          <TextField label="Description" aria="Group description" {...f.bind('desc')} />
          <SelectField label="VPC" aria="Group VPC" {...f.bind('vpc')}>
            <option value="">Default VPC</option>
            {(vpcs.data?.Vpcs ?? []).map((x) => (
              <option key={x.VpcId} value={x.VpcId}>
                {x.VpcId} {nameTag(x.Tags)}
              </option>
            ))}
          </SelectField>
        </ActionForm>
        <ActionError act={act} />
        <ResourceTable
          label="Security groups"
          wrap={false}
          load={groups}
          rows={groups.data?.SecurityGroups ?? []}
          rowKey={(g) => g.GroupId!}
          rowProps={(g) => ({ 'aria-selected': g.GroupId === selected })}
          columns={{
            Group: (g) => (
              <PickLink href="#/ec2" onPick={() => setSelected(g.GroupId)}>
                {g.GroupId}
              </PickLink>
            ),
            Name: (g) => g.GroupName,
            VPC: (g) => g.VpcId,
            Description: (g) => g.Description,
          }}
        />
      </Section>
      {selected ? <Rules key={selected} ec2={ec2} groupId={selected} /> : null}
    </>
  );
}

function Rules({ ec2, groupId }: { ec2: EC2Client; groupId: string }) {
  const rules = useLoad(
    () => ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] })),
    [ec2, groupId],
  );
  const f = useFields({ proto: 'tcp', port: '22', cidr: '0.0.0.0/0' });
  const { proto, port, cidr } = f.values;
  const act = useAction();
  const range = () => {
    const [from, to] = port.split('-').map((p) => Number(p.trim()));
    return { FromPort: proto === '-1' ? undefined : from, ToPort: proto === '-1' ? undefined : (to ?? from) };
  };
  return (
    <Section title={`Rules of ${groupId}`} refresh={rules.reload}>
      <ActionForm
        label="Add an inbound rule"
        submit="Add inbound rule"
        act={act}
        run={async () => (
          await ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: groupId,
              IpPermissions: [{ IpProtocol: proto, ...range(), IpRanges: [{ CidrIp: cidr }] }],
            }),
          ),
          rules.reload()
        )}
      >
        <SelectField label="Protocol" aria="Rule protocol" {...f.bind('proto')}>
          <option value="tcp">TCP</option>
          <option value="udp">UDP</option>
          <option value="icmp">ICMP</option>
          <option value="-1">All</option>
        </SelectField>
        <TextField label="Port or range" aria="Port range" size={10} {...f.bind('port')} />
        <TextField label="Source CIDR" {...f.bind('cidr')} />
      </ActionForm>
      <ActionError act={act} />
      <ResourceTable
        label="Security group rules"
        wrap={false}
        load={rules}
        rows={rules.data?.SecurityGroupRules ?? []}
        rowKey={(r) => r.SecurityGroupRuleId!}
        columns={{
          Rule: (r) => r.SecurityGroupRuleId,
          Direction: (r) => (r.IsEgress ? 'outbound' : 'inbound'),
          Protocol: (r) => (r.IpProtocol === '-1' ? 'all' : r.IpProtocol),
          Ports: (r) =>
            r.FromPort === undefined || r.FromPort === -1 ? 'all' : r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`,
          Peer: (r) => r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId ?? r.PrefixListId,
          '': (r) =>
            r.IsEgress ? null : (
              <DeleteButton
                link
                text="Revoke"
                label={`Revoke ${r.SecurityGroupRuleId}`}
                act={act}
                run={async () => (
                  await ec2.send(
                    new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [r.SecurityGroupRuleId!] }),
                  ),
                  rules.reload()
                )}
              />
            ),
        }}
      />
    </Section>
  );
}

export function KeyPairsTab({ ec2 }: { ec2: EC2Client }) {
  const keys = useLoad(() => ec2.send(new DescribeKeyPairsCommand({})), [ec2]);
  const f = useFields({ name: '', type: 'rsa' });
  const [created, setCreated] = useState<{ name: string; url: string; fingerprint?: string }>();
  const act = useAction();
  return (
    <Section title="Key pairs" refresh={keys.reload}>
      <ActionForm
        label="Create a key pair"
        submit="Create key pair"
        act={act}
        run={async () => {
          const out = await ec2.send(
            new CreateKeyPairCommand({ KeyName: f.values.name, KeyType: f.values.type as 'rsa' | 'ed25519', KeyFormat: 'pem' }),
          );
          if (created) URL.revokeObjectURL(created.url);
          setCreated({
            name: out.KeyName!,
            fingerprint: out.KeyFingerprint,
            url: URL.createObjectURL(new Blob([out.KeyMaterial ?? ''], { type: 'application/x-pem-file' })),
          });
          keys.reload();
        }}
      >
        <TextField label="Key pair name" {...f.bind('name')} />
        <SelectField label="Type" aria="Key type" {...f.bind('type')}>
          <option value="rsa">RSA</option>
          <option value="ed25519">ED25519</option>
        </SelectField>
      </ActionForm>
      <ActionError act={act} />
      {created ? (
        <p class="notice" role="status">
          Key pair {created.name} created. The private key is shown only now:{' '}
          <a href={created.url} download={`${created.name}.pem`}>
            Download {created.name}.pem
          </a>
        </p>
      ) : null}
      <ResourceTable
        label="Key pairs"
        wrap={false}
        load={keys}
        empty="No key pairs in this region."
        rows={keys.data?.KeyPairs ?? []}
        rowKey={(k) => k.KeyPairId!}
        columns={{
          Name: (k) => k.KeyName,
          Id: (k) => k.KeyPairId,
          Type: (k) => k.KeyType,
          Fingerprint: { class: 'small', cell: (k) => <code>{k.KeyFingerprint}</code> },
          '': (k) => (
            <DeleteButton
              link
              act={act}
              label={`Delete key ${k.KeyName}`}
              run={async () => (await ec2.send(new DeleteKeyPairCommand({ KeyName: k.KeyName })), keys.reload())}
            />
          ),
        }}
      />
    </Section>
  );
}
