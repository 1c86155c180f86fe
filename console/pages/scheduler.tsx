// EventBridge Scheduler: schedule groups, their schedules, and a form that creates a rate, cron or
// at schedule with a target (any ARN: a queue, topic, function, or a universal aws-sdk target).
import { useState } from 'preact/hooks';
import {
  SchedulerClient,
  ListScheduleGroupsCommand,
  CreateScheduleGroupCommand,
  ListSchedulesCommand,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  UpdateScheduleCommand,
  type UpdateScheduleInput,
} from '@aws-sdk/client-scheduler';
import { useClient, useSession } from '../lib/session.js';
import { Copy, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, NameForm, SelectField, TextField, useFields } from '../lib/form.js';
import { Details, PickLink, PickList, ResourceTable, StateBadge } from '../lib/table.js';

function CreateSchedule({ client, group, onDone }: { client: SchedulerClient; group: string; onDone: (name: string) => void }) {
  const { account } = useSession();
  const form = useFields({
    name: '',
    kind: 'rate',
    rate: '5 minutes',
    cron: '0 12 * * ? *',
    at: '',
    tz: 'UTC',
    target: '',
    role: `arn:aws:iam::${account}:role/scheduler`,
    input: '{}',
  });
  const { values: f, set, bind } = form;
  const act = useAction();
  const expression = f.kind === 'rate' ? `rate(${f.rate})` : f.kind === 'cron' ? `cron(${f.cron})` : `at(${f.at})`;
  const create = async () => {
    await client.send(
      new CreateScheduleCommand({
        Name: f.name,
        GroupName: group,
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: f.tz,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: f.target, RoleArn: f.role, Input: f.input || undefined },
      }),
    );
    set('name', '');
    onDone(f.name);
  };
  return (
    <Section title={`Create a schedule in ${group}`}>
      <ActionForm label="Create a schedule" submit="Create schedule" act={act} run={create}>
        <TextField label="Schedule name" {...bind('name')} />
        <SelectField label="Kind" aria="Schedule kind" {...bind('kind')}>
          <option value="rate">rate</option>
          <option value="cron">cron</option>
          <option value="at">one time (at)</option>
        </SelectField>
        {f.kind === 'rate' ? (
          <TextField label="Rate" {...bind('rate')} placeholder="5 minutes" />
        ) : f.kind === 'cron' ? (
          <TextField label="Cron (6 fields)" aria="Cron" {...bind('cron')} />
        ) : (
          <TextField label="At (yyyy-mm-ddThh:mm:ss)" aria="At" {...bind('at')} />
        )}
        <TextField label="Time zone" {...bind('tz')} size={14} />
        <TextField label="Target ARN" {...bind('target')} size={40} />
        <TextField label="Role ARN" {...bind('role')} size={40} />
        <TextField label="Input" aria="Target input" {...bind('input')} />
        <p class="muted">
          Expression: <code>{expression}</code>
        </p>
      </ActionForm>
      <ActionError act={act} />
    </Section>
  );
}

function ScheduleDetail({ client, group, name, onChange }: { client: SchedulerClient; group: string; name: string; onChange: () => void }) {
  const s = useLoad(() => client.send(new GetScheduleCommand({ Name: name, GroupName: group })), [client, group, name]);
  const act = useAction();
  const d = s.data;
  const toggle = () =>
    act.run(async () => {
      // UpdateSchedule replaces the whole schedule: everything GetSchedule gave but what it alone reports
      const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, $metadata: _meta, ...input } = d!;
      await client.send(
        new UpdateScheduleCommand({ ...(input as UpdateScheduleInput), State: d!.State === 'ENABLED' ? 'DISABLED' : 'ENABLED' }),
      );
      s.reload();
      onChange();
    });
  return (
    <Section
      title={`Schedule ${name}`}
      actions={d ? <button onClick={toggle}>{d.State === 'ENABLED' ? 'Disable' : 'Enable'}</button> : null}
    >
      <ActionError act={act} also={[s.error]} />
      <Details
        testId="schedule-detail"
        loading={s.loading}
        rows={
          d && [
            ['ARN', <Copy value={d.Arn!} label="schedule ARN" />],
            ['Expression', `${d.ScheduleExpression} (${d.ScheduleExpressionTimezone ?? 'UTC'})`],
            ['State', <StateBadge state={d.State} />],
            ['Target', d.Target?.Arn],
            ['Input', <code>{d.Target?.Input}</code>],
            ['Created', fmtDate(d.CreationDate)],
          ]
        }
      />
    </Section>
  );
}

export default function SchedulerPage() {
  const client = useClient(SchedulerClient);
  const groups = useLoad(() => client.send(new ListScheduleGroupsCommand({})), [client]);
  const [group, setGroup] = useState('default');
  const [selected, setSelected] = useState<string>();
  const schedules = useLoad(() => client.send(new ListSchedulesCommand({ GroupName: group })), [client, group]);
  const act = useAction();
  return (
    <div>
      <h1>EventBridge Scheduler</h1>
      <Section title="Schedule groups" refresh={groups.reload}>
        <NameForm
          label="Create a schedule group"
          submit="Create group"
          act={act}
          run={async (Name) => (await client.send(new CreateScheduleGroupCommand({ Name })), groups.reload(), setGroup(Name))}
          field="Group name"
          required={false}
        />
        <ActionError act={act} />
        <PickList
          label="Schedule groups"
          href="#/scheduler"
          load={groups}
          empty="No schedule groups."
          items={groups.data?.ScheduleGroups ?? []}
          id={(g) => g.Name!}
          extra={(g) => <span class="muted small">{g.State}</span>}
          selected={group}
          onPick={(g) => (setGroup(g), setSelected(undefined))}
        />
      </Section>
      <Section title={`Schedules in ${group}`} refresh={schedules.reload}>
        <ResourceTable
          label="Schedules"
          wrap={false}
          load={schedules}
          empty="No schedules in this group."
          rows={schedules.data?.Schedules ?? []}
          rowKey={(x) => x.Name!}
          columns={{
            Schedule: (x) => (
              <PickLink href="#/scheduler" onPick={() => setSelected(x.Name)}>
                {x.Name}
              </PickLink>
            ),
            State: (x) => <StateBadge state={x.State} />,
            Target: { class: 'small', cell: (x) => x.Target?.Arn },
            '': (x) => (
              <DeleteButton
                link
                act={act}
                label={`Delete ${x.Name}`}
                run={async () => (
                  await client.send(new DeleteScheduleCommand({ Name: x.Name, GroupName: group })),
                  setSelected(undefined),
                  schedules.reload()
                )}
              />
            ),
          }}
        />
      </Section>
      {selected ? (
        <ScheduleDetail key={`${group}/${selected}`} client={client} group={group} name={selected} onChange={schedules.reload} />
      ) : null}
      <CreateSchedule key={group} client={client} group={group} onDone={(n) => (schedules.reload(), setSelected(n))} />
    </div>
  );
}
