// The EC2 page's address tabs: Elastic IPs (allocate, associate with an instance, disassociate,
// release) and NAT gateways (created in a subnet with an Elastic IP; available on the virtual clock).
import {
  EC2Client,
  DescribeAddressesCommand,
  AllocateAddressCommand,
  AssociateAddressCommand,
  DisassociateAddressCommand,
  ReleaseAddressCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  CreateNatGatewayCommand,
  DeleteNatGatewayCommand,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import { AdvanceClock, Section, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable, StateBadge } from '../lib/table.js';
import { nameSpec, nameTag } from './ec2-network.js';
import { InstanceOptions, instancesOf } from './ec2-shared.js';

export function AddressesTab({ ec2 }: { ec2: EC2Client }) {
  const addresses = useLoad(() => ec2.send(new DescribeAddressesCommand({})), [ec2]);
  const instances = useLoad(() => ec2.send(new DescribeInstancesCommand({})), [ec2]);
  const f = useFields({ name: '', allocation: '', instance: '' });
  const act = useAction();
  const list = addresses.data?.Addresses ?? [];
  const free = list.filter((a) => !a.AssociationId);
  const running = instancesOf(instances.data);
  const associate = async () => {
    const allocation = f.values.allocation || free[0]?.AllocationId;
    const instance = f.values.instance || running.find((i) => i.State?.Name === 'running')?.InstanceId;
    await ec2.send(new AssociateAddressCommand({ AllocationId: allocation, InstanceId: instance }));
    addresses.reload();
  };
  return (
    <Section title="Elastic IP addresses" refresh={() => (addresses.reload(), instances.reload())}>
      <ActionForm
        label="Allocate an Elastic IP address"
        submit="Allocate address"
        act={act}
        run={async () => (
          await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: nameSpec('elastic-ip', f.values.name) })),
          addresses.reload()
        )}
      >
        <TextField label="Name" aria="Address name" {...f.bind('name')} />
      </ActionForm>
      <ActionForm label="Associate an address" submit="Associate" act={act} run={associate} disabled={!free.length}>
        <SelectField label="Address" aria="Address to associate" {...f.bind('allocation')}>
          {free.map((a) => (
            <option key={a.AllocationId} value={a.AllocationId}>
              {a.PublicIp} ({a.AllocationId})
            </option>
          ))}
        </SelectField>
        <SelectField label="Instance" aria="Instance to associate" {...f.bind('instance')}>
          <InstanceOptions instances={running} />
        </SelectField>
      </ActionForm>
      <ActionError act={act} also={[instances.error]} />
      <ResourceTable
        label="Elastic IP addresses"
        load={addresses}
        empty="No Elastic IP addresses in this region."
        rows={list}
        rowKey={(a) => a.AllocationId!}
        rowProps={(a) => ({ 'data-address': a.PublicIp })}
        columns={{
          'Public IP': (a) => a.PublicIp,
          Name: (a) => nameTag(a.Tags),
          Allocation: (a) => a.AllocationId,
          Instance: (a) => a.InstanceId ?? (a.NetworkInterfaceId ? `interface ${a.NetworkInterfaceId}` : '—'),
          'Private IP': (a) => a.PrivateIpAddress,
          Association: { class: 'small', cell: (a) => a.AssociationId },
          '': (a) => (
            <>
              {a.AssociationId ? (
                <DeleteButton
                  link
                  act={act}
                  text="Disassociate"
                  label={`Disassociate ${a.PublicIp}`}
                  run={async () => (await ec2.send(new DisassociateAddressCommand({ AssociationId: a.AssociationId })), addresses.reload())}
                />
              ) : null}{' '}
              <DeleteButton
                act={act}
                text="Release"
                label={`Release ${a.PublicIp}`}
                confirm={`Release ${a.PublicIp}? The address goes back to the pool.`}
                run={async () => (await ec2.send(new ReleaseAddressCommand({ AllocationId: a.AllocationId })), addresses.reload())}
              />
            </>
          ),
        }}
      />
    </Section>
  );
}

export function NatGatewaysTab({ ec2 }: { ec2: EC2Client }) {
  const gateways = useLoad(() => ec2.send(new DescribeNatGatewaysCommand({})), [ec2]);
  const subnets = useLoad(() => ec2.send(new DescribeSubnetsCommand({})), [ec2]);
  const addresses = useLoad(() => ec2.send(new DescribeAddressesCommand({})), [ec2]);
  const f = useFields({ name: '', subnet: '', allocation: '' });
  const act = useAction();
  const free = (addresses.data?.Addresses ?? []).filter((a) => !a.AssociationId);
  const subnetList = subnets.data?.Subnets ?? [];
  const reload = () => (gateways.reload(), addresses.reload());
  const create = async () => {
    const v = f.values;
    await ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: v.subnet || subnetList[0]?.SubnetId,
        AllocationId: v.allocation || free[0]?.AllocationId,
        TagSpecifications: nameSpec('natgateway', v.name),
      }),
    );
    reload();
  };
  return (
    <Section title="NAT gateways" refresh={reload} actions={<AdvanceClock by="5m" text="Advance clock 5 min" act={act} onDone={reload} />}>
      <ActionForm label="Create a NAT gateway" submit="Create NAT gateway" act={act} run={create} disabled={!free.length}>
        <TextField label="Name" aria="NAT gateway name" {...f.bind('name')} />
        <SelectField label="Subnet" aria="NAT gateway subnet" {...f.bind('subnet')}>
          {subnetList.map((s) => (
            <option key={s.SubnetId} value={s.SubnetId}>
              {s.SubnetId} {nameTag(s.Tags)} ({s.CidrBlock}, {s.AvailabilityZone})
            </option>
          ))}
        </SelectField>
        <SelectField label="Elastic IP" aria="NAT gateway address" {...f.bind('allocation')}>
          {free.map((a) => (
            <option key={a.AllocationId} value={a.AllocationId}>
              {a.PublicIp} ({a.AllocationId})
            </option>
          ))}
        </SelectField>
      </ActionForm>
      {addresses.data && !free.length ? (
        <p class="muted">A public NAT gateway needs an unassociated Elastic IP: allocate one in the Elastic IPs tab.</p>
      ) : null}
      <ActionError act={act} also={[subnets.error]} />
      <ResourceTable
        label="NAT gateways"
        load={gateways}
        empty="No NAT gateways in this region."
        rows={gateways.data?.NatGateways ?? []}
        rowKey={(g) => g.NatGatewayId!}
        columns={{
          'NAT gateway': (g) => g.NatGatewayId,
          Name: (g) => nameTag(g.Tags),
          State: (g) => <StateBadge state={g.State} testId="nat-state" />,
          Connectivity: (g) => g.ConnectivityType,
          'Subnet / VPC': { class: 'small', cell: (g) => `${g.SubnetId} / ${g.VpcId}` },
          Addresses: (g) => (g.NatGatewayAddresses ?? []).map((a) => `${a.PublicIp ?? ''} ${a.PrivateIp ?? ''}`.trim()).join(', '),
          '': (g) =>
            g.State === 'deleted' || g.State === 'deleting' ? null : (
              <DeleteButton
                link
                act={act}
                label={`Delete ${g.NatGatewayId}`}
                run={async () => (await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: g.NatGatewayId })), reload())}
              />
            ),
        }}
      />
    </Section>
  );
}
