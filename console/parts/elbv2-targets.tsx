// The ELB page's target groups: create one in the default VPC, its registered targets and their
// health (as the health checks find them on the virtual clock), register and deregister instances.
import { useState } from 'preact/hooks';
import {
  ElasticLoadBalancingV2Client,
  DescribeTargetGroupsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
  DeregisterTargetsCommand,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EC2Client, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { AdvanceClock, Copy, Section, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable, StateBadge, PickLink } from '../lib/table.js';
import { useDefaultVpc } from './default-vpc.js';
import { nameTag } from './ec2-network.js';

type Elb = ElasticLoadBalancingV2Client;

function Targets({ elb, ec2, group }: { elb: Elb; ec2: EC2Client; group: TargetGroup }) {
  const arn = group.TargetGroupArn!;
  const health = useLoad(() => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })), [elb, arn]);
  const instances = useLoad(
    () =>
      ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: 'instance-state-name', Values: ['pending', 'running', 'stopped'] },
            ...(group.VpcId ? [{ Name: 'vpc-id', Values: [group.VpcId] }] : []),
          ],
        }),
      ),
    [ec2, group.VpcId],
  );
  const f = useFields({ instance: '', port: String(group.Port ?? 80) });
  const act = useAction();
  const choices = (instances.data?.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const register = async () => {
    const id = f.values.instance || choices[0]?.InstanceId;
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: id, Port: Number(f.values.port) || undefined }] }));
    health.reload();
  };
  return (
    <Section
      title={`Targets of ${group.TargetGroupName}`}
      refresh={health.reload}
      actions={<AdvanceClock by="1m" text="Advance clock 1 min" act={act} onDone={health.reload} />}
    >
      <p class="muted small">
        Health check: {group.HealthCheckProtocol} {group.HealthCheckPath ?? ''} on port {group.HealthCheckPort}, every{' '}
        {group.HealthCheckIntervalSeconds} s; healthy after {group.HealthyThresholdCount}, unhealthy after {group.UnhealthyThresholdCount}.
      </p>
      {group.TargetType === 'instance' ? (
        <ActionForm label="Register a target" submit="Register" act={act} run={register} disabled={!choices.length}>
          <SelectField label="Instance" aria="Target instance" {...f.bind('instance')}>
            {choices.map((i) => (
              <option key={i.InstanceId} value={i.InstanceId}>
                {i.InstanceId} {nameTag(i.Tags)} ({i.State?.Name}, {i.Placement?.AvailabilityZone})
              </option>
            ))}
          </SelectField>
          <TextField label="Port" aria="Target port" size={5} inputMode="numeric" {...f.bind('port')} />
        </ActionForm>
      ) : null}
      <ActionError act={act} also={[instances.error]} />
      <ResourceTable
        label="Registered targets"
        wrap={false}
        load={health}
        empty="No targets registered."
        rows={health.data?.TargetHealthDescriptions ?? []}
        rowKey={(t) => `${t.Target?.Id}:${t.Target?.Port}`}
        rowProps={(t) => ({ 'data-target': t.Target?.Id })}
        columns={{
          Target: (t) => t.Target?.Id,
          Port: (t) => t.Target?.Port,
          Zone: (t) => t.Target?.AvailabilityZone,
          Health: (t) => <StateBadge state={t.TargetHealth?.State} testId="target-health" />,
          Reason: { class: 'small', cell: (t) => [t.TargetHealth?.Reason, t.TargetHealth?.Description].filter(Boolean).join(': ') },
          '': (t) => (
            <DeleteButton
              act={act}
              text="Deregister"
              label={`Deregister ${t.Target?.Id}`}
              run={async () => (
                await elb.send(
                  new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: t.Target!.Id, Port: t.Target!.Port }] }),
                ),
                health.reload()
              )}
            />
          ),
        }}
      />
    </Section>
  );
}

export function TargetGroups({ elb, ec2 }: { elb: Elb; ec2: EC2Client }) {
  const groups = useLoad(() => elb.send(new DescribeTargetGroupsCommand({})), [elb]);
  const vpc = useDefaultVpc(ec2);
  const [selected, setSelected] = useState<string>();
  const f = useFields({ name: '', port: '80', path: '/' });
  const act = useAction();
  const create = async () => {
    const out = await elb.send(
      new CreateTargetGroupCommand({
        Name: f.values.name,
        Protocol: 'HTTP',
        Port: Number(f.values.port),
        VpcId: vpc.data?.vpcId,
        TargetType: 'instance',
        HealthCheckPath: f.values.path,
      }),
    );
    setSelected(out.TargetGroups?.[0]?.TargetGroupArn);
    groups.reload();
  };
  const list = groups.data?.TargetGroups ?? [];
  const chosen = list.find((g) => g.TargetGroupArn === selected);
  return (
    <>
      <Section title="Target groups" refresh={groups.reload}>
        <ActionForm label="Create a target group" submit="Create target group" primary act={act} run={create} disabled={!vpc.data?.vpcId}>
          <TextField label="Name" aria="Target group name" required {...f.bind('name')} />
          <TextField label="Port (HTTP)" aria="Target group port" size={5} inputMode="numeric" {...f.bind('port')} />
          <TextField label="Health check path" {...f.bind('path')} />
        </ActionForm>
        <ActionError act={act} also={[vpc.error]} />
        <ResourceTable
          label="Target groups"
          load={groups}
          empty="No target groups in this region."
          rows={list}
          rowKey={(g) => g.TargetGroupArn!}
          rowProps={(g) => ({ 'aria-selected': g.TargetGroupArn === selected })}
          columns={{
            Name: (g) => (
              <PickLink href="#/elbv2" onPick={() => setSelected(g.TargetGroupArn)}>
                {g.TargetGroupName}
              </PickLink>
            ),
            ARN: (g) => <Copy value={g.TargetGroupArn!} label={`ARN of ${g.TargetGroupName}`} />,
            Protocol: (g) => `${g.Protocol}:${g.Port}`,
            'Target type': (g) => g.TargetType,
            VPC: (g) => g.VpcId,
            'Load balancers': (g) => (g.LoadBalancerArns ?? []).map((a) => a.split('/')[2]).join(', ') || '—',
            '': (g) => (
              <DeleteButton
                link
                act={act}
                label={`Delete ${g.TargetGroupName}`}
                run={async () => (
                  await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: g.TargetGroupArn! })),
                  setSelected(undefined),
                  groups.reload()
                )}
              />
            ),
          }}
        />
      </Section>
      {chosen ? <Targets key={chosen.TargetGroupArn} elb={elb} ec2={ec2} group={chosen} /> : null}
    </>
  );
}
