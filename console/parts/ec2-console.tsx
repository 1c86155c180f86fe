// The EC2 and VPC console: instances (launch from the AMI catalogue with a type, subnet and key pair;
// the state as the virtual clock moves it; stop, start, terminate; the on-demand price per hour from
// /_nimbus/ec2/prices), the network tabs of ./ec2-network.tsx, the address tabs of ./ec2-addresses.tsx
// and the volume and launch template tabs of ./ec2-storage.tsx.
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import {
  EC2Client,
  DescribeInstancesCommand,
  DescribeImagesCommand,
  DescribeSubnetsCommand,
  DescribeKeyPairsCommand,
  RunInstancesCommand,
  StopInstancesCommand,
  StartInstancesCommand,
  TerminateInstancesCommand,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { useClient, useSession } from '../lib/session.js';
import { AdvanceClock, Copy, ErrorBox, Section, Tabs, admin, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable, StateBadge } from '../lib/table.js';
import { KeyPairsTab, SecurityGroupsTab, VpcsTab, nameSpec, nameTag } from './ec2-network.js';
import { ImageSelect, TypeSelect, money, sortedImages, type Price } from './ec2-shared.js';
import { AddressesTab, NatGatewaysTab } from './ec2-addresses.js';
import { LaunchTemplatesTab, VolumesTab } from './ec2-storage.js';

function Launch({ ec2, prices, onDone }: { ec2: EC2Client; prices: Price[]; onDone: () => void }) {
  const images = useLoad(() => ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] })), [ec2]);
  const subnets = useLoad(() => ec2.send(new DescribeSubnetsCommand({})), [ec2]);
  const keys = useLoad(() => ec2.send(new DescribeKeyPairsCommand({})), [ec2]);
  const f = useFields({ image: '', type: 't3.micro', subnet: '', key: '', name: '', count: '1' });
  const { image, type, subnet, key, name, count } = f.values;
  const act = useAction();
  const imageList = sortedImages(images.data?.Images);
  const defaultImage = imageList.find((i) => i.Architecture === 'x86_64')?.ImageId;
  const price = prices.find((p) => p.instanceType === type);
  const launch = async () => {
    const n = Number(count) || 1;
    await ec2.send(
      new RunInstancesCommand({
        ImageId: image || defaultImage || imageList[0]?.ImageId,
        InstanceType: type as _InstanceType,
        SubnetId: subnet || undefined,
        KeyName: key || undefined,
        MinCount: n,
        MaxCount: n,
        TagSpecifications: nameSpec('instance', name),
      }),
    );
    onDone();
  };
  return (
    <Section title="Launch an instance">
      <ErrorBox error={images.error ?? subnets.error} />
      <ActionForm label="Launch an instance" submit="Launch" act={act} run={launch} disabled={images.loading}>
        <TextField label="Name" aria="Instance name" {...f.bind('name')} />
        <ImageSelect images={imageList} value={image || defaultImage || ''} onValue={(v) => f.set('image', v)} />
        <TypeSelect prices={prices} {...f.bind('type')} />
        <SelectField label="Subnet" {...f.bind('subnet')}>
          <option value="">Default subnet</option>
          {(subnets.data?.Subnets ?? []).map((s) => (
            <option key={s.SubnetId} value={s.SubnetId}>
              {s.SubnetId} {nameTag(s.Tags)} ({s.CidrBlock}, {s.AvailabilityZone})
            </option>
          ))}
        </SelectField>
        <SelectField label="Key pair" {...f.bind('key')}>
          <option value="">None</option>
          {(keys.data?.KeyPairs ?? []).map((k) => (
            <option key={k.KeyName}>{k.KeyName}</option>
          ))}
        </SelectField>
        <TextField label="Count" size={3} inputMode="numeric" {...f.bind('count')} />
        <p class="muted" data-testid="launch-price">
          On demand: {money(price?.onDemandPerHour)}
          {Number(count) > 1 && price?.onDemandPerHour !== undefined ? ` × ${count} = ${money(price.onDemandPerHour * Number(count))}` : ''}
        </p>
      </ActionForm>
      <ActionError act={act} />
    </Section>
  );
}

function Instances({ ec2, prices }: { ec2: EC2Client; prices: Price[] }) {
  const data = useLoad(() => ec2.send(new DescribeInstancesCommand({})), [ec2]);
  const act = useAction();
  const instances = (data.data?.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const priceOf = (t?: string) => prices.find((p) => p.instanceType === t)?.onDemandPerHour;
  const perHour = instances.filter((i) => i.State?.Name === 'running').reduce((s, i) => s + (priceOf(i.InstanceType) ?? 0), 0);
  const run = (fn: () => Promise<unknown>) => act.run(async () => (await fn(), data.reload()));
  return (
    <>
      <Launch ec2={ec2} prices={prices} onDone={data.reload} />
      <Section
        title="Instances"
        refresh={data.reload}
        actions={<AdvanceClock by="30s" text="Advance clock 30 s" act={act} onDone={data.reload} />}
      >
        <ActionError act={act} />
        {instances.length ? (
          <p class="muted" data-testid="running-cost">
            Running instances cost {money(perHour)} on demand.
          </p>
        ) : null}
        <ResourceTable
          label="Instances"
          load={data}
          empty="No instances in this region. Launch one above."
          rows={instances}
          rowKey={(i) => i.InstanceId!}
          rowProps={(i) => ({ 'data-instance': i.InstanceId })}
          columns={{
            Instance: (i) => <Copy value={i.InstanceId!} label="instance id" />,
            Name: (i) => nameTag(i.Tags),
            State: (i) => <StateBadge state={i.State?.Name} testId="instance-state" />,
            Type: (i) => i.InstanceType,
            Price: { class: 'small', cell: (i) => money(priceOf(i.InstanceType)) },
            'Zone / subnet': {
              class: 'small',
              cell: (i) => (
                <>
                  {i.Placement?.AvailabilityZone}
                  <br />
                  {i.SubnetId}
                </>
              ),
            },
            'Private IP': (i) => i.PrivateIpAddress,
            Key: (i) => i.KeyName,
            Launched: { class: 'small', cell: (i) => fmtDate(i.LaunchTime) },
            Actions: (i) => {
              const state = i.State?.Name ?? '';
              const ids = [i.InstanceId!];
              return (
                <>
                  <button
                    disabled={state !== 'running'}
                    onClick={() => run(() => ec2.send(new StopInstancesCommand({ InstanceIds: ids })))}
                  >
                    Stop
                  </button>{' '}
                  <button
                    disabled={state !== 'stopped'}
                    onClick={() => run(() => ec2.send(new StartInstancesCommand({ InstanceIds: ids })))}
                  >
                    Start
                  </button>{' '}
                  <button
                    disabled={state === 'terminated' || state === 'shutting-down'}
                    onClick={() => run(() => ec2.send(new TerminateInstancesCommand({ InstanceIds: ids })))}
                  >
                    Terminate
                  </button>
                </>
              );
            },
          }}
        />
      </Section>
    </>
  );
}

const TABS = [
  { id: 'instances', name: 'Instances' },
  { id: 'vpcs', name: 'VPCs and subnets' },
  { id: 'groups', name: 'Security groups' },
  { id: 'keys', name: 'Key pairs' },
  { id: 'templates', name: 'Launch templates' },
  { id: 'volumes', name: 'Volumes' },
  { id: 'addresses', name: 'Elastic IPs' },
  { id: 'nat', name: 'NAT gateways' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function Ec2Console({ initial, title }: { initial: Tab; title: string }) {
  const ec2 = useClient(EC2Client);
  const { region } = useSession();
  const [tab, setTab] = useState<Tab>(initial);
  const prices = useLoad(() => admin<Price[]>(`/_nimbus/ec2/prices?region=${encodeURIComponent(region)}`), [region]);
  const tabs: Record<Tab, () => JSX.Element> = {
    instances: () => <Instances ec2={ec2} prices={prices.data ?? []} />,
    vpcs: () => <VpcsTab ec2={ec2} />,
    groups: () => <SecurityGroupsTab ec2={ec2} />,
    keys: () => <KeyPairsTab ec2={ec2} />,
    templates: () => <LaunchTemplatesTab ec2={ec2} prices={prices.data ?? []} />,
    volumes: () => <VolumesTab ec2={ec2} />,
    addresses: () => <AddressesTab ec2={ec2} />,
    nat: () => <NatGatewaysTab ec2={ec2} />,
  };
  return (
    <div>
      <h1>{title}</h1>
      <Tabs label="EC2" value={tab} onChange={setTab} tabs={[...TABS]} />
      <ErrorBox error={prices.error} />
      {tabs[tab]()}
    </div>
  );
}
