// The EC2 and VPC console: instances (launch from the AMI catalogue with a type, subnet and key pair;
// the state as the virtual clock moves it; stop, start, terminate; the on-demand price per hour from
// /_nimbus/ec2/prices), and the network tabs of ./ec2-network.tsx.
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
import { Copy, Empty, ErrorBox, Field, Form, Loading, Section, Tabs, admin, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { KeyPairsTab, SecurityGroupsTab, VpcsTab, nameTag } from './ec2-network.js';

interface Price {
  instanceType: string;
  vcpus?: number;
  memoryMiB?: number;
  onDemandPerHour?: number;
  currency: string;
}

const val = (e: Event) => (e.target as HTMLInputElement).value;
const STATE_BADGE: Record<string, string> = { running: 'ok', stopped: 'warn', terminated: 'bad', pending: 'warn', stopping: 'warn', 'shutting-down': 'bad' };
const money = (p?: number) => (p === undefined ? '—' : `$${p.toFixed(4)}/hour`);

function Launch({ ec2, prices, onDone }: { ec2: EC2Client; prices: Price[]; onDone: () => void }) {
  const images = useLoad(() => ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] })), [ec2]);
  const subnets = useLoad(() => ec2.send(new DescribeSubnetsCommand({})), [ec2]);
  const keys = useLoad(() => ec2.send(new DescribeKeyPairsCommand({})), [ec2]);
  const [image, setImage] = useState('');
  const [type, setType] = useState('t3.micro');
  const [subnet, setSubnet] = useState('');
  const [key, setKey] = useState('');
  const [name, setName] = useState('');
  const [count, setCount] = useState('1');
  const act = useAction();
  const imageList = (images.data?.Images ?? []).slice().sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));
  const price = prices.find((p) => p.instanceType === type);
  return (
    <Section title="Launch an instance">
      <ErrorBox error={images.error ?? subnets.error} />
      <Form
        label="Launch an instance"
        onSubmit={() =>
          act.run(async () => {
            const n = Number(count) || 1;
            await ec2.send(
              new RunInstancesCommand({
                ImageId: image || (imageList.find((i) => i.Architecture === 'x86_64') ?? imageList[0])?.ImageId,
                InstanceType: type as _InstanceType,
                SubnetId: subnet || undefined,
                KeyName: key || undefined,
                MinCount: n,
                MaxCount: n,
                TagSpecifications: name ? [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }] }] : undefined,
              }),
            );
            onDone();
          })
        }
      >
        <Field label="Name">
          <input value={name} onInput={(e) => setName(val(e))} aria-label="Instance name" />
        </Field>
        <Field label="Image (AMI)">
          <select value={image || imageList.find((i) => i.Architecture === 'x86_64')?.ImageId} onChange={(e) => setImage(val(e))} aria-label="Image">
            {imageList.map((i) => (
              <option key={i.ImageId} value={i.ImageId}>
                {i.Name} ({i.ImageId}, {i.Architecture})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Instance type">
          <select value={type} onChange={(e) => setType(val(e))} aria-label="Instance type">
            {prices.map((p) => (
              <option key={p.instanceType} value={p.instanceType}>
                {p.instanceType} ({p.vcpus} vCPU, {((p.memoryMiB ?? 0) / 1024).toFixed(1)} GiB)
              </option>
            ))}
          </select>
        </Field>
        <Field label="Subnet">
          <select value={subnet} onChange={(e) => setSubnet(val(e))} aria-label="Subnet">
            <option value="">Default subnet</option>
            {(subnets.data?.Subnets ?? []).map((s) => (
              <option key={s.SubnetId} value={s.SubnetId}>
                {s.SubnetId} {nameTag(s.Tags)} ({s.CidrBlock}, {s.AvailabilityZone})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Key pair">
          <select value={key} onChange={(e) => setKey(val(e))} aria-label="Key pair">
            <option value="">None</option>
            {(keys.data?.KeyPairs ?? []).map((k) => (
              <option key={k.KeyName}>{k.KeyName}</option>
            ))}
          </select>
        </Field>
        <Field label="Count">
          <input value={count} onInput={(e) => setCount(val(e))} aria-label="Count" size={3} inputMode="numeric" />
        </Field>
        <p class="muted" data-testid="launch-price">
          On demand: {money(price?.onDemandPerHour)}
          {Number(count) > 1 && price?.onDemandPerHour !== undefined ? ` × ${count} = ${money(price.onDemandPerHour * Number(count))}` : ''}
        </p>
        <button type="submit" disabled={act.busy || images.loading}>
          Launch
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </Section>
  );
}

function Instances({ ec2, prices }: { ec2: EC2Client; prices: Price[] }) {
  const data = useLoad(() => ec2.send(new DescribeInstancesCommand({})), [ec2]);
  const act = useAction();
  const instances = (data.data?.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const priceOf = (t?: string) => prices.find((p) => p.instanceType === t)?.onDemandPerHour;
  const advance = () =>
    act.run(async () => {
      await admin('/_nimbus/clock', { method: 'POST', body: { advance: '30s' } });
      data.reload();
    });
  const perHour = instances.filter((i) => i.State?.Name === 'running').reduce((s, i) => s + (priceOf(i.InstanceType) ?? 0), 0);
  return (
    <>
      <Launch ec2={ec2} prices={prices} onDone={data.reload} />
      <Section
        title="Instances"
        actions={
          <>
            <button onClick={data.reload}>Refresh</button>
            <button onClick={advance} title="Advance the virtual clock by 30 seconds">
              Advance clock 30 s
            </button>
          </>
        }
      >
        <ErrorBox error={act.error ?? data.error} onDismiss={act.clear} />
        {instances.length ? <p class="muted" data-testid="running-cost">Running instances cost {money(perHour)} on demand.</p> : null}
        {data.loading && !data.data ? (
          <Loading />
        ) : instances.length === 0 ? (
          data.error ? null : <Empty>No instances in this region. Launch one above.</Empty>
        ) : (
          <div class="table-wrap">
            <table aria-label="Instances">
              <thead>
                <tr>
                  <th>Instance</th>
                  <th>Name</th>
                  <th>State</th>
                  <th>Type</th>
                  <th>Price</th>
                  <th>Zone / subnet</th>
                  <th>Private IP</th>
                  <th>Key</th>
                  <th>Launched</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {instances.map((i) => {
                  const state = i.State?.Name ?? '';
                  const ids = [i.InstanceId!];
                  return (
                    <tr key={i.InstanceId} data-instance={i.InstanceId}>
                      <td>
                        <Copy value={i.InstanceId!} label="instance id" />
                      </td>
                      <td>{nameTag(i.Tags)}</td>
                      <td>
                        <span class={`badge ${STATE_BADGE[state] ?? ''}`} data-testid="instance-state">
                          {state}
                        </span>
                      </td>
                      <td>{i.InstanceType}</td>
                      <td class="small">{money(priceOf(i.InstanceType))}</td>
                      <td class="small">
                        {i.Placement?.AvailabilityZone}
                        <br />
                        {i.SubnetId}
                      </td>
                      <td>{i.PrivateIpAddress}</td>
                      <td>{i.KeyName}</td>
                      <td class="small">{fmtDate(i.LaunchTime)}</td>
                      <td>
                        <button disabled={state !== 'running'} onClick={() => act.run(async () => (await ec2.send(new StopInstancesCommand({ InstanceIds: ids })), data.reload()))}>
                          Stop
                        </button>{' '}
                        <button disabled={state !== 'stopped'} onClick={() => act.run(async () => (await ec2.send(new StartInstancesCommand({ InstanceIds: ids })), data.reload()))}>
                          Start
                        </button>{' '}
                        <button
                          disabled={state === 'terminated' || state === 'shutting-down'}
                          onClick={() => act.run(async () => (await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids })), data.reload()))}
                        >
                          Terminate
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

type Tab = 'instances' | 'vpcs' | 'groups' | 'keys';

export function Ec2Console({ initial, title }: { initial: Tab; title: string }) {
  const ec2 = useClient(EC2Client);
  const { region } = useSession();
  const [tab, setTab] = useState<Tab>(initial);
  const prices = useLoad(() => admin<Price[]>(`/_nimbus/ec2/prices?region=${encodeURIComponent(region)}`), [region]);
  return (
    <div>
      <h1>{title}</h1>
      <Tabs
        label="EC2"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'instances', name: 'Instances' },
          { id: 'vpcs', name: 'VPCs and subnets' },
          { id: 'groups', name: 'Security groups' },
          { id: 'keys', name: 'Key pairs' },
        ]}
      />
      <ErrorBox error={prices.error} />
      {tab === 'instances' ? <Instances ec2={ec2} prices={prices.data ?? []} /> : tab === 'vpcs' ? <VpcsTab ec2={ec2} /> : tab === 'groups' ? <SecurityGroupsTab ec2={ec2} /> : <KeyPairsTab ec2={ec2} />}
    </div>
  );
}
