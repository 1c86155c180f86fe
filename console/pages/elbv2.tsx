// Elastic Load Balancing: load balancers with their DNS name, state, listeners and rules (an ALB is
// created in the default VPC's subnets, one per zone), and the target groups of ../parts/elbv2-targets.tsx.
import { useState } from 'preact/hooks';
import {
  ElasticLoadBalancingV2Client,
  DescribeLoadBalancersCommand,
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeListenersCommand,
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeRulesCommand,
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeTargetGroupsCommand,
  type Action,
  type LoadBalancer,
  type RuleCondition,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { useClient } from '../lib/session.js';
import { AdvanceClock, Copy, Section, Tabs, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable, StateBadge, PickLink } from '../lib/table.js';
import { useDefaultVpc } from '../parts/default-vpc.js';
import { TargetGroups } from '../parts/elbv2-targets.js';

type Elb = ElasticLoadBalancingV2Client;
const tgName = (arn?: string) => arn?.split(':targetgroup/')[1]?.split('/')[0] ?? arn ?? '';

/** An action as the console lists it: `forward to web`, `fixed 404`, `redirect to …`. */
export function actionText(a: Action): string {
  if (a.Type === 'forward') {
    const weighted = a.ForwardConfig?.TargetGroups ?? [];
    const groups =
      weighted.length > 1
        ? weighted.map((g) => `${tgName(g.TargetGroupArn)} (weight ${g.Weight ?? 1})`)
        : [tgName(a.TargetGroupArn ?? weighted[0]?.TargetGroupArn)];
    return `forward to ${groups.join(', ')}`;
  }
  if (a.Type === 'fixed-response')
    return `fixed ${a.FixedResponseConfig?.StatusCode}${a.FixedResponseConfig?.MessageBody ? `: ${a.FixedResponseConfig.MessageBody}` : ''}`;
  if (a.Type === 'redirect')
    return `redirect to ${a.RedirectConfig?.Protocol ?? '#{protocol}'}://${a.RedirectConfig?.Host ?? '#{host}'}:${a.RedirectConfig?.Port ?? '#{port}'}${a.RedirectConfig?.Path ?? '/#{path}'}`;
  return a.Type ?? '';
}

const conditionText = (c: RuleCondition) => {
  const values =
    c.PathPatternConfig?.Values ??
    c.HostHeaderConfig?.Values ??
    c.HttpHeaderConfig?.Values ??
    c.Values ??
    c.QueryStringConfig?.Values?.map((v) => `${v.Key ?? ''}=${v.Value}`) ??
    [];
  return `${c.Field}${c.HttpHeaderConfig ? ` ${c.HttpHeaderConfig.HttpHeaderName}` : ''} is ${values.join(' or ')}`;
};

function TargetGroupOptions({ groups }: { groups: TargetGroup[] }) {
  return (
    <>
      {groups.map((g) => (
        <option key={g.TargetGroupArn} value={g.TargetGroupArn}>
          {g.TargetGroupName}
        </option>
      ))}
    </>
  );
}

function Rules({ elb, listenerArn, groups, label }: { elb: Elb; listenerArn: string; groups: TargetGroup[]; label: string }) {
  const rules = useLoad(() => elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn })), [elb, listenerArn]);
  const f = useFields({ priority: '10', path: '/api/*', group: '' });
  const act = useAction();
  const add = async () => {
    const group = f.values.group || groups[0]?.TargetGroupArn;
    await elb.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: Number(f.values.priority),
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [f.values.path] } }],
        Actions: group
          ? [{ Type: 'forward', TargetGroupArn: group }]
          : [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }],
      }),
    );
    rules.reload();
  };
  return (
    <div>
      <ActionError act={act} />
      <ResourceTable
        label={label}
        wrap={false}
        load={rules}
        rows={rules.data?.Rules ?? []}
        rowKey={(r) => r.RuleArn!}
        columns={{
          Priority: (r) => r.Priority,
          'If (all match)': (r) => (r.IsDefault ? 'no other rule matches' : (r.Conditions ?? []).map(conditionText).join('; ')),
          Then: (r) => (r.Actions ?? []).map(actionText).join('; '),
          '': (r) =>
            r.IsDefault ? null : (
              <DeleteButton
                link
                act={act}
                label={`Delete rule ${r.Priority}`}
                run={async () => (await elb.send(new DeleteRuleCommand({ RuleArn: r.RuleArn! })), rules.reload())}
              />
            ),
        }}
      />
      <ActionForm label="Add a path rule" submit="Add rule" act={act} run={add}>
        <TextField label="Priority" aria="Rule priority" size={4} {...f.bind('priority')} />
        <TextField label="Path pattern" {...f.bind('path')} />
        <SelectField label="Forward to" aria="Rule target group" {...f.bind('group')}>
          <TargetGroupOptions groups={groups} />
        </SelectField>
      </ActionForm>
    </div>
  );
}

function Listeners({ elb, lb }: { elb: Elb; lb: LoadBalancer }) {
  const listeners = useLoad(
    () => elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })),
    [elb, lb.LoadBalancerArn],
  );
  const groups = useLoad(() => elb.send(new DescribeTargetGroupsCommand({})), [elb]);
  const f = useFields({ port: '80', group: '' });
  const act = useAction();
  const tgs = groups.data?.TargetGroups ?? [];
  const create = async () => {
    const group = f.values.group || tgs[0]?.TargetGroupArn;
    const action: Action = group
      ? { Type: 'forward', TargetGroupArn: group }
      : { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'ok' } };
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: Number(f.values.port),
        DefaultActions: [action],
      }),
    );
    listeners.reload();
  };
  const list = listeners.data?.Listeners ?? [];
  return (
    <Section title={`Listeners of ${lb.LoadBalancerName}`} refresh={listeners.reload}>
      <ActionForm label="Add an HTTP listener" submit="Add listener" act={act} run={create}>
        <TextField label="Port" aria="Listener port" size={5} inputMode="numeric" {...f.bind('port')} />
        <SelectField label="Default action" aria="Listener target group" {...f.bind('group')}>
          <TargetGroupOptions groups={tgs} />
          {tgs.length ? null : <option value="">fixed response 200 (no target group yet)</option>}
        </SelectField>
      </ActionForm>
      <ActionError act={act} also={[groups.error]} />
      <ResourceTable
        label="Listeners"
        wrap={false}
        load={listeners}
        empty="No listeners: the load balancer accepts no traffic yet."
        rows={list}
        rowKey={(l) => l.ListenerArn!}
        columns={{
          Listener: (l) => `${l.Protocol}:${l.Port}`,
          'Default action': (l) => (l.DefaultActions ?? []).map(actionText).join('; '),
          ARN: (l) => <Copy value={l.ListenerArn!} label={`ARN of listener ${l.Port}`} />,
          '': (l) => (
            <DeleteButton
              link
              act={act}
              label={`Delete listener ${l.Port}`}
              run={async () => (await elb.send(new DeleteListenerCommand({ ListenerArn: l.ListenerArn! })), listeners.reload())}
            />
          ),
        }}
      />
      {list.map((l) => (
        <div key={l.ListenerArn}>
          <h3>{`Rules of ${l.Protocol}:${l.Port}`}</h3>
          <Rules elb={elb} listenerArn={l.ListenerArn!} groups={tgs} label={`Rules of ${l.Protocol}:${l.Port}`} />
        </div>
      ))}
    </Section>
  );
}

function LoadBalancers({ elb, ec2 }: { elb: Elb; ec2: EC2Client }) {
  const lbs = useLoad(() => elb.send(new DescribeLoadBalancersCommand({})), [elb]);
  const vpc = useDefaultVpc(ec2);
  const [selected, setSelected] = useState<string>();
  const f = useFields({ name: '', scheme: 'internet-facing' });
  const act = useAction();
  const subnets = vpc.data?.subnets ?? [];
  const create = async () => {
    const out = await elb.send(
      new CreateLoadBalancerCommand({
        Name: f.values.name,
        Type: 'application',
        Scheme: f.values.scheme as 'internet-facing' | 'internal',
        Subnets: subnets.map((s) => s.SubnetId!),
      }),
    );
    setSelected(out.LoadBalancers?.[0]?.LoadBalancerArn);
    lbs.reload();
  };
  const list = lbs.data?.LoadBalancers ?? [];
  const chosen = list.find((l) => l.LoadBalancerArn === selected);
  return (
    <>
      <Section
        title="Load balancers"
        refresh={lbs.reload}
        actions={<AdvanceClock by="5m" text="Advance clock 5 min" act={act} onDone={lbs.reload} />}
      >
        <ActionForm
          label="Create an Application Load Balancer"
          submit="Create load balancer"
          primary
          act={act}
          run={create}
          disabled={!subnets.length}
        >
          <TextField label="Name" aria="Load balancer name" required {...f.bind('name')} />
          <SelectField label="Scheme" {...f.bind('scheme')}>
            <option value="internet-facing">internet-facing</option>
            <option value="internal">internal</option>
          </SelectField>
        </ActionForm>
        <p class="muted small" data-testid="lb-subnets">
          In the default VPC {vpc.data?.vpcId ?? '…'}, subnets{' '}
          {subnets.map((s) => `${s.SubnetId} (${s.AvailabilityZone})`).join(', ') || '…'}
        </p>
        <ActionError act={act} also={[vpc.error]} />
        <ResourceTable
          label="Load balancers"
          load={lbs}
          empty="No load balancers in this region. Create one above."
          rows={list}
          rowKey={(l) => l.LoadBalancerArn!}
          rowProps={(l) => ({ 'aria-selected': l.LoadBalancerArn === selected })}
          columns={{
            Name: (l) => (
              <PickLink href="#/elbv2" onPick={() => setSelected(l.LoadBalancerArn)}>
                {l.LoadBalancerName}
              </PickLink>
            ),
            'DNS name': (l) => <Copy value={l.DNSName!} label={`DNS name of ${l.LoadBalancerName}`} />,
            State: (l) => <StateBadge state={l.State?.Code} testId="lb-state" />,
            Type: (l) => l.Type,
            Scheme: (l) => l.Scheme,
            Zones: { class: 'small', cell: (l) => (l.AvailabilityZones ?? []).map((z) => z.ZoneName).join(', ') },
            '': (l) => (
              <DeleteButton
                act={act}
                label={`Delete ${l.LoadBalancerName}`}
                confirm={`Delete load balancer ${l.LoadBalancerName} and its listeners?`}
                run={async () => (
                  await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: l.LoadBalancerArn! })),
                  setSelected(undefined),
                  lbs.reload()
                )}
              />
            ),
          }}
        />
      </Section>
      {chosen ? <Listeners key={chosen.LoadBalancerArn} elb={elb} lb={chosen} /> : null}
    </>
  );
}

export default function ElbPage() {
  const elb = useClient(ElasticLoadBalancingV2Client);
  const ec2 = useClient(EC2Client);
  const [tab, setTab] = useState<'lbs' | 'tgs'>('lbs');
  return (
    <div>
      <h1>Elastic Load Balancing</h1>
      <Tabs
        label="Elastic Load Balancing"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'lbs', name: 'Load balancers' },
          { id: 'tgs', name: 'Target groups' },
        ]}
      />
      {tab === 'lbs' ? <LoadBalancers elb={elb} ec2={ec2} /> : <TargetGroups elb={elb} ec2={ec2} />}
    </div>
  );
}
