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
import { Copy, Empty, ErrorBox, Field, Form, Loading, Section, useAction, useLoad } from '../lib/ui.js';

export const nameTag = (tags?: Tag[]) => tags?.find((t) => t.Key === 'Name')?.Value ?? '';
const val = (e: Event) => (e.target as HTMLInputElement).value;

export function VpcsTab({ ec2 }: { ec2: EC2Client }) {
  const vpcs = useLoad(() => ec2.send(new DescribeVpcsCommand({})), [ec2]);
  const subnets = useLoad(() => ec2.send(new DescribeSubnetsCommand({})), [ec2]);
  const zones = useLoad(() => ec2.send(new DescribeAvailabilityZonesCommand({})), [ec2]);
  const [cidr, setCidr] = useState('10.0.0.0/16');
  const [vpcName, setVpcName] = useState('');
  const [subVpc, setSubVpc] = useState('');
  const [subCidr, setSubCidr] = useState('10.0.1.0/24');
  const [zone, setZone] = useState('');
  const act = useAction();
  const vpcList = vpcs.data?.Vpcs ?? [];
  const reload = () => (vpcs.reload(), subnets.reload());
  return (
    <>
      <Section title="VPCs" actions={<button onClick={reload}>Refresh</button>}>
        <Form
          label="Create a VPC"
          onSubmit={() =>
            act.run(async () => {
              await ec2.send(new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: vpcName ? [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: vpcName }] }] : undefined }));
              reload();
            })
          }
        >
          <Field label="IPv4 CIDR">
            <input value={cidr} onInput={(e) => setCidr(val(e))} aria-label="VPC CIDR" />
          </Field>
          <Field label="Name">
            <input value={vpcName} onInput={(e) => setVpcName(val(e))} aria-label="VPC name" />
          </Field>
          <button type="submit" disabled={act.busy}>
            Create VPC
          </button>
        </Form>
        <ErrorBox error={act.error ?? vpcs.error} onDismiss={act.clear} />
        {vpcs.loading && !vpcs.data ? (
          <Loading />
        ) : (
          <table aria-label="VPCs">
            <thead>
              <tr>
                <th>VPC</th>
                <th>Name</th>
                <th>CIDR</th>
                <th>State</th>
                <th>Default</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {vpcList.map((v) => (
                <tr key={v.VpcId}>
                  <td>
                    <Copy value={v.VpcId!} label="VPC id" />
                  </td>
                  <td>{nameTag(v.Tags)}</td>
                  <td>{v.CidrBlock}</td>
                  <td>{v.State}</td>
                  <td>{v.IsDefault ? 'yes' : 'no'}</td>
                  <td>
                    <button class="link" aria-label={`Delete ${v.VpcId}`} onClick={() => act.run(async () => (await ec2.send(new DeleteVpcCommand({ VpcId: v.VpcId })), reload()))}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Subnets">
        <Form
          label="Create a subnet"
          onSubmit={() =>
            act.run(async () => {
              await ec2.send(new CreateSubnetCommand({ VpcId: subVpc || vpcList[0]?.VpcId, CidrBlock: subCidr, AvailabilityZone: zone || undefined }));
              subnets.reload();
            })
          }
        >
          <Field label="VPC">
            <select value={subVpc} onChange={(e) => setSubVpc(val(e))} aria-label="Subnet VPC">
              {vpcList.map((v) => (
                <option key={v.VpcId} value={v.VpcId}>
                  {v.VpcId} {nameTag(v.Tags)} ({v.CidrBlock})
                </option>
              ))}
            </select>
          </Field>
          <Field label="IPv4 CIDR">
            <input value={subCidr} onInput={(e) => setSubCidr(val(e))} aria-label="Subnet CIDR" />
          </Field>
          <Field label="Availability zone">
            <select value={zone} onChange={(e) => setZone(val(e))} aria-label="Availability zone">
              <option value="">Any</option>
              {(zones.data?.AvailabilityZones ?? []).map((z) => (
                <option key={z.ZoneName}>{z.ZoneName}</option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={act.busy}>
            Create subnet
          </button>
        </Form>
        <ErrorBox error={subnets.error} />
        <table aria-label="Subnets">
          <thead>
            <tr>
              <th>Subnet</th>
              <th>VPC</th>
              <th>CIDR</th>
              <th>Zone</th>
              <th>Free addresses</th>
            </tr>
          </thead>
          <tbody>
            {(subnets.data?.Subnets ?? []).map((s) => (
              <tr key={s.SubnetId}>
                <td>
                  <Copy value={s.SubnetId!} label="subnet id" />
                </td>
                <td>{s.VpcId}</td>
                <td>{s.CidrBlock}</td>
                <td>{s.AvailabilityZone}</td>
                <td>{s.AvailableIpAddressCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

export function SecurityGroupsTab({ ec2 }: { ec2: EC2Client }) {
  const groups = useLoad(() => ec2.send(new DescribeSecurityGroupsCommand({})), [ec2]);
  const vpcs = useLoad(() => ec2.send(new DescribeVpcsCommand({})), [ec2]);
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const [desc, setDesc] = useState('');
  const [vpc, setVpc] = useState('');
  const act = useAction();
  const list = groups.data?.SecurityGroups ?? [];
  return (
    <>
      <Section title="Security groups" actions={<button onClick={groups.reload}>Refresh</button>}>
        <Form
          label="Create a security group"
          onSubmit={() =>
            act.run(async () => {
              const out = await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: desc, VpcId: vpc || undefined }));
              setSelected(out.GroupId);
              groups.reload();
            })
          }
        >
          <Field label="Group name">
            <input value={name} onInput={(e) => setName(val(e))} aria-label="Group name" />
          </Field>
          <Field label="Description">
            <input value={desc} onInput={(e) => setDesc(val(e))} aria-label="Group description" />
          </Field>
          <Field label="VPC">
            <select value={vpc} onChange={(e) => setVpc(val(e))} aria-label="Group VPC">
              <option value="">Default VPC</option>
              {(vpcs.data?.Vpcs ?? []).map((v) => (
                <option key={v.VpcId} value={v.VpcId}>
                  {v.VpcId} {nameTag(v.Tags)}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={act.busy}>
            Create security group
          </button>
        </Form>
        <ErrorBox error={act.error ?? groups.error} onDismiss={act.clear} />
        {groups.loading && !groups.data ? (
          <Loading />
        ) : (
          <table aria-label="Security groups">
            <thead>
              <tr>
                <th>Group</th>
                <th>Name</th>
                <th>VPC</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {list.map((g) => (
                <tr key={g.GroupId} aria-selected={g.GroupId === selected}>
                  <td>
                    <a href="#/ec2" onClick={(e) => (e.preventDefault(), setSelected(g.GroupId))}>
                      {g.GroupId}
                    </a>
                  </td>
                  <td>{g.GroupName}</td>
                  <td>{g.VpcId}</td>
                  <td>{g.Description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {selected ? <Rules key={selected} ec2={ec2} groupId={selected} /> : null}
    </>
  );
}

function Rules({ ec2, groupId }: { ec2: EC2Client; groupId: string }) {
  const rules = useLoad(() => ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] })), [ec2, groupId]);
  const [proto, setProto] = useState('tcp');
  const [port, setPort] = useState('22');
  const [cidr, setCidr] = useState('0.0.0.0/0');
  const act = useAction();
  const range = () => {
    const [from, to] = port.split('-').map((p) => Number(p.trim()));
    return { FromPort: proto === '-1' ? undefined : from, ToPort: proto === '-1' ? undefined : (to ?? from) };
  };
  return (
    <Section title={`Rules of ${groupId}`} actions={<button onClick={rules.reload}>Refresh</button>}>
      <Form
        label="Add an inbound rule"
        onSubmit={() =>
          act.run(async () => {
            await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [{ IpProtocol: proto, ...range(), IpRanges: [{ CidrIp: cidr }] }] }));
            rules.reload();
          })
        }
      >
        <Field label="Protocol">
          <select value={proto} onChange={(e) => setProto(val(e))} aria-label="Rule protocol">
            <option value="tcp">TCP</option>
            <option value="udp">UDP</option>
            <option value="icmp">ICMP</option>
            <option value="-1">All</option>
          </select>
        </Field>
        <Field label="Port or range">
          <input value={port} onInput={(e) => setPort(val(e))} aria-label="Port range" size={10} />
        </Field>
        <Field label="Source CIDR">
          <input value={cidr} onInput={(e) => setCidr(val(e))} aria-label="Source CIDR" />
        </Field>
        <button type="submit" disabled={act.busy}>
          Add inbound rule
        </button>
      </Form>
      <ErrorBox error={act.error ?? rules.error} onDismiss={act.clear} />
      {rules.loading && !rules.data ? (
        <Loading />
      ) : (
        <table aria-label="Security group rules">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Direction</th>
              <th>Protocol</th>
              <th>Ports</th>
              <th>Peer</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(rules.data?.SecurityGroupRules ?? []).map((r) => (
              <tr key={r.SecurityGroupRuleId}>
                <td>{r.SecurityGroupRuleId}</td>
                <td>{r.IsEgress ? 'outbound' : 'inbound'}</td>
                <td>{r.IpProtocol === '-1' ? 'all' : r.IpProtocol}</td>
                <td>{r.FromPort === undefined || r.FromPort === -1 ? 'all' : r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`}</td>
                <td>{r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId ?? r.PrefixListId}</td>
                <td>
                  {r.IsEgress ? null : (
                    <button
                      class="link"
                      aria-label={`Revoke ${r.SecurityGroupRuleId}`}
                      onClick={() => act.run(async () => (await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [r.SecurityGroupRuleId!] })), rules.reload()))}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function KeyPairsTab({ ec2 }: { ec2: EC2Client }) {
  const keys = useLoad(() => ec2.send(new DescribeKeyPairsCommand({})), [ec2]);
  const [name, setName] = useState('');
  const [type, setType] = useState<'rsa' | 'ed25519'>('rsa');
  const [created, setCreated] = useState<{ name: string; url: string; fingerprint?: string }>();
  const act = useAction();
  return (
    <Section title="Key pairs" actions={<button onClick={keys.reload}>Refresh</button>}>
      <Form
        label="Create a key pair"
        onSubmit={() =>
          act.run(async () => {
            const out = await ec2.send(new CreateKeyPairCommand({ KeyName: name, KeyType: type, KeyFormat: 'pem' }));
            if (created) URL.revokeObjectURL(created.url);
            setCreated({ name: out.KeyName!, fingerprint: out.KeyFingerprint, url: URL.createObjectURL(new Blob([out.KeyMaterial ?? ''], { type: 'application/x-pem-file' })) });
            keys.reload();
          })
        }
      >
        <Field label="Key pair name">
          <input value={name} onInput={(e) => setName(val(e))} aria-label="Key pair name" />
        </Field>
        <Field label="Type">
          <select value={type} onChange={(e) => setType(val(e) as 'rsa' | 'ed25519')} aria-label="Key type">
            <option value="rsa">RSA</option>
            <option value="ed25519">ED25519</option>
          </select>
        </Field>
        <button type="submit" disabled={act.busy}>
          Create key pair
        </button>
      </Form>
      <ErrorBox error={act.error ?? keys.error} onDismiss={act.clear} />
      {created ? (
        <p class="notice" role="status">
          Key pair {created.name} created. The private key is shown only now:{' '}
          <a href={created.url} download={`${created.name}.pem`}>
            Download {created.name}.pem
          </a>
        </p>
      ) : null}
      {keys.loading && !keys.data ? (
        <Loading />
      ) : (keys.data?.KeyPairs ?? []).length === 0 ? (
        <Empty>No key pairs in this region.</Empty>
      ) : (
        <table aria-label="Key pairs">
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>Type</th>
              <th>Fingerprint</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(keys.data?.KeyPairs ?? []).map((k) => (
              <tr key={k.KeyPairId}>
                <td>{k.KeyName}</td>
                <td>{k.KeyPairId}</td>
                <td>{k.KeyType}</td>
                <td class="small">
                  <code>{k.KeyFingerprint}</code>
                </td>
                <td>
                  <button class="link" aria-label={`Delete key ${k.KeyName}`} onClick={() => act.run(async () => (await ec2.send(new DeleteKeyPairCommand({ KeyName: k.KeyName })), keys.reload()))}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
