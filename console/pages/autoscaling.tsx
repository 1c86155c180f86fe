// EC2 Auto Scaling: groups with their min/max/desired capacity, created from a launch template in
// the default VPC's subnets (optionally behind a target group); a group's instances with their
// lifecycle states, its desired capacity set, and its activity history.
import { useState } from 'preact/hooks';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  SetDesiredCapacityCommand,
  DescribeScalingActivitiesCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client, DescribeLaunchTemplatesCommand } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useClient } from '../lib/session.js';
import { AdvanceClock, Copy, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
import { Details, ResourceTable, StateBadge, PickLink } from '../lib/table.js';
import { useDefaultVpc } from '../parts/default-vpc.js';

type Asg = AutoScalingClient;

function Group({ asg, group, onChange }: { asg: Asg; group: AutoScalingGroup; onChange: () => void }) {
  const name = group.AutoScalingGroupName!;
  const activities = useLoad(
    () => asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name, MaxRecords: 50 })),
    [asg, name, group],
  );
  const [desired, setDesired] = useState(String(group.DesiredCapacity ?? 0));
  const act = useAction();
  const reload = () => (onChange(), activities.reload());
  return (
    <Section
      title={`Group ${name}`}
      refresh={reload}
      actions={<AdvanceClock by="1m" text="Advance clock 1 min" act={act} onDone={reload} />}
    >
      <Details
        rows={[
          ['ARN', <Copy value={group.AutoScalingGroupARN!} label="group ARN" />],
          [
            'Launch template',
            group.LaunchTemplate
              ? `${group.LaunchTemplate.LaunchTemplateName ?? group.LaunchTemplate.LaunchTemplateId} (version ${group.LaunchTemplate.Version ?? '$Default'})`
              : group.LaunchConfigurationName,
          ],
          ['Zones', (group.AvailabilityZones ?? []).join(', ')],
          ['Target groups', (group.TargetGroupARNs ?? []).map((a) => a.split('/')[1]).join(', ') || 'none'],
        ]}
      />
      <ActionForm
        label="Set desired capacity"
        submit="Set desired capacity"
        primary
        act={act}
        run={async () => (
          await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: name, DesiredCapacity: Number(desired) })),
          reload()
        )}
      >
        <TextField
          label={`Desired capacity (${group.MinSize}–${group.MaxSize})`}
          aria="Desired capacity"
          size={4}
          inputMode="numeric"
          value={desired}
          onValue={setDesired}
        />
      </ActionForm>
      <ActionError act={act} />
      <h3>Instances</h3>
      <ResourceTable
        label="Group instances"
        wrap={false}
        empty="No instances in the group."
        rows={group.Instances ?? []}
        rowKey={(i) => i.InstanceId!}
        rowProps={(i) => ({ 'data-instance': i.InstanceId })}
        columns={{
          Instance: (i) => i.InstanceId,
          Type: (i) => i.InstanceType,
          Zone: (i) => i.AvailabilityZone,
          Lifecycle: (i) => <StateBadge state={i.LifecycleState} testId="lifecycle-state" />,
          Health: (i) => i.HealthStatus,
        }}
      />
      <h3>Activity history</h3>
      <ResourceTable
        label="Activity history"
        load={activities}
        empty="No activities yet."
        rows={activities.data?.Activities ?? []}
        rowKey={(a) => a.ActivityId!}
        columns={{
          Status: (a) => <StateBadge state={a.StatusCode} />,
          Description: (a) => a.Description,
          Cause: { class: 'small', cell: (a) => a.Cause },
          Start: { class: 'small', cell: (a) => fmtDate(a.StartTime) },
        }}
      />
    </Section>
  );
}

export default function AutoScalingPage() {
  const asg = useClient(AutoScalingClient);
  const ec2 = useClient(EC2Client);
  const elb = useClient(ElasticLoadBalancingV2Client);
  const groups = useLoad(() => asg.send(new DescribeAutoScalingGroupsCommand({})), [asg]);
  const templates = useLoad(() => ec2.send(new DescribeLaunchTemplatesCommand({})), [ec2]);
  const targetGroups = useLoad(() => elb.send(new DescribeTargetGroupsCommand({})), [elb]);
  const vpc = useDefaultVpc(ec2);
  const [selected, setSelected] = useState<string>();
  const f = useFields({ name: '', template: '', min: '1', max: '3', desired: '2', targetGroup: '' });
  const act = useAction();
  const lts = templates.data?.LaunchTemplates ?? [];
  const create = async () => {
    const v = f.values;
    await asg.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: v.name,
        LaunchTemplate: { LaunchTemplateId: v.template || lts[0]?.LaunchTemplateId, Version: '$Default' },
        MinSize: Number(v.min),
        MaxSize: Number(v.max),
        DesiredCapacity: Number(v.desired),
        VPCZoneIdentifier: (vpc.data?.subnets ?? []).map((s) => s.SubnetId).join(','),
        TargetGroupARNs: v.targetGroup ? [v.targetGroup] : undefined,
      }),
    );
    setSelected(v.name);
    groups.reload();
  };
  const list = groups.data?.AutoScalingGroups ?? [];
  const chosen = list.find((g) => g.AutoScalingGroupName === selected);
  return (
    <div>
      <h1>EC2 Auto Scaling</h1>
      <Section title="Auto Scaling groups" refresh={groups.reload}>
        <ActionForm label="Create an Auto Scaling group" submit="Create group" primary act={act} run={create} disabled={!lts.length}>
          <TextField label="Name" aria="Group name" required {...f.bind('name')} />
          <SelectField label="Launch template" {...f.bind('template')}>
            {lts.map((t) => (
              <option key={t.LaunchTemplateId} value={t.LaunchTemplateId}>
                {t.LaunchTemplateName} ({t.LaunchTemplateId})
              </option>
            ))}
          </SelectField>
          <TextField label="Min" aria="Minimum size" size={3} inputMode="numeric" {...f.bind('min')} />
          <TextField label="Max" aria="Maximum size" size={3} inputMode="numeric" {...f.bind('max')} />
          <TextField label="Desired" aria="Initial desired capacity" size={3} inputMode="numeric" {...f.bind('desired')} />
          <SelectField label="Target group" {...f.bind('targetGroup')}>
            <option value="">None</option>
            {(targetGroups.data?.TargetGroups ?? []).map((g) => (
              <option key={g.TargetGroupArn} value={g.TargetGroupArn}>
                {g.TargetGroupName}
              </option>
            ))}
          </SelectField>
        </ActionForm>
        {templates.data && !lts.length ? (
          <p class="muted">No launch templates yet: create one on the EC2 page (Launch templates tab).</p>
        ) : null}
        <ActionError act={act} also={[templates.error, vpc.error]} />
        <ResourceTable
          label="Auto Scaling groups"
          load={groups}
          empty="No Auto Scaling groups in this region."
          rows={list}
          rowKey={(g) => g.AutoScalingGroupName!}
          rowProps={(g) => ({ 'aria-selected': g.AutoScalingGroupName === selected })}
          columns={{
            Name: (g) => (
              <PickLink href="#/autoscaling" onPick={() => setSelected(g.AutoScalingGroupName)}>
                {g.AutoScalingGroupName}
              </PickLink>
            ),
            Min: (g) => g.MinSize,
            Max: (g) => g.MaxSize,
            Desired: (g) => <span data-testid="desired">{g.DesiredCapacity}</span>,
            Instances: (g) => (g.Instances ?? []).length,
            'In service': (g) => (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length,
            Created: { class: 'small', cell: (g) => fmtDate(g.CreatedTime) },
            '': (g) => (
              <DeleteButton
                act={act}
                label={`Delete ${g.AutoScalingGroupName}`}
                confirm={`Delete group ${g.AutoScalingGroupName} and terminate its instances?`}
                run={async () => (
                  await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: g.AutoScalingGroupName!, ForceDelete: true })),
                  groups.reload()
                )}
              />
            ),
          }}
        />
      </Section>
      {chosen ? <Group key={chosen.AutoScalingGroupName} asg={asg} group={chosen} onChange={groups.reload} /> : null}
    </div>
  );
}
