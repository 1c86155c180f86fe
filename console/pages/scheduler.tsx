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
  type GetScheduleOutput,
} from '@aws-sdk/client-scheduler';
import { useClient, useSession } from '../lib/session.js';
import { Copy, ErrorBox, Field, Form, Loading, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, TextField } from '../lib/form.js';
import { ResourceTable, PickLink } from '../lib/table.js';

const val = (e: Event) => (e.target as HTMLInputElement).value;

function CreateSchedule({ client, group, onDone }: { client: SchedulerClient; group: string; onDone: (name: string) => void }) {
  const { account } = useSession();
  const [f, setF] = useState({
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
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: val(e) });
  const act = useAction();
  const expression = f.kind === 'rate' ? `rate(${f.rate})` : f.kind === 'cron' ? `cron(${f.cron})` : `at(${f.at})`;
  return (
    <Section title={`Create a schedule in ${group}`}>
      <Form
        label="Create a schedule"
        onSubmit={() =>
          act.run(async () => {
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
            onDone(f.name);
          })
        }
      >
        <Field label="Schedule name">
          <input value={f.name} onInput={set('name')} aria-label="Schedule name" />
        </Field>
        <Field label="Kind">
          <select value={f.kind} onChange={set('kind')} aria-label="Schedule kind">
            <option value="rate">rate</option>
            <option value="cron">cron</option>
            <option value="at">one time (at)</option>
          </select>
        </Field>
        {f.kind === 'rate' ? (
          <Field label="Rate">
            <input value={f.rate} onInput={set('rate')} aria-label="Rate" placeholder="5 minutes" />
          </Field>
        ) : f.kind === 'cron' ? (
          <Field label="Cron (6 fields)">
            <input value={f.cron} onInput={set('cron')} aria-label="Cron" />
          </Field>
        ) : (
          <Field label="At (yyyy-mm-ddThh:mm:ss)">
            <input value={f.at} onInput={set('at')} aria-label="At" />
          </Field>
        )}
        <Field label="Time zone">
          <input value={f.tz} onInput={set('tz')} aria-label="Time zone" size={14} />
        </Field>
        <Field label="Target ARN">
          <input value={f.target} onInput={set('target')} aria-label="Target ARN" size={40} />
        </Field>
        <Field label="Role ARN">
          <input value={f.role} onInput={set('role')} aria-label="Role ARN" size={40} />
        </Field>
        <Field label="Input">
          <input value={f.input} onInput={set('input')} aria-label="Target input" />
        </Field>
        <p class="muted">
          Expression: <code>{expression}</code>
        </p>
        <button type="submit" disabled={act.busy}>
          Create schedule
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </Section>
  );
}

function ScheduleDetail({ client, group, name, onChange }: { client: SchedulerClient; group: string; name: string; onChange: () => void }) {
  const s = useLoad(() => client.send(new GetScheduleCommand({ Name: name, GroupName: group })), [client, group, name]);
  const act = useAction();
  const d = s.data as GetScheduleOutput | undefined;
  const toggle = () =>
    act.run(async () => {
      const {
        Name,
        GroupName,
        ScheduleExpression,
        ScheduleExpressionTimezone,
        FlexibleTimeWindow,
        Target,
        StartDate,
        EndDate,
        Description,
        ActionAfterCompletion,
      } = d!;
      await client.send(
        new UpdateScheduleCommand({
          Name,
          GroupName,
          ScheduleExpression,
          ScheduleExpressionTimezone,
          FlexibleTimeWindow,
          Target,
          StartDate,
          EndDate,
          Description,
          ActionAfterCompletion,
          State: d!.State === 'ENABLED' ? 'DISABLED' : 'ENABLED',
        }),
      );
      s.reload();
      onChange();
    });
  return (
    <Section
      title={`Schedule ${name}`}
      actions={d ? <button onClick={toggle}>{d.State === 'ENABLED' ? 'Disable' : 'Enable'}</button> : null}
    >
      <ErrorBox error={act.error ?? s.error} onDismiss={act.clear} />
      {s.loading && !d ? (
        <Loading />
      ) : d ? (
        <dl class="split" data-testid="schedule-detail">
          <dt>ARN</dt>
          <dd>
            <Copy value={d.Arn!} label="schedule ARN" />
          </dd>
          <dt>Expression</dt>
          <dd>
            {d.ScheduleExpression} ({d.ScheduleExpressionTimezone ?? 'UTC'})
          </dd>
          <dt>State</dt>
          <dd>{d.State}</dd>
          <dt>Target</dt>
          <dd>{d.Target?.Arn}</dd>
          <dt>Input</dt>
          <dd>
            <code>{d.Target?.Input}</code>
          </dd>
          <dt>Created</dt>
          <dd>{fmtDate(d.CreationDate)}</dd>
        </dl>
      ) : null}
    </Section>
  );
}

export default function SchedulerPage() {
  const client = useClient(SchedulerClient);
  const groups = useLoad(() => client.send(new ListScheduleGroupsCommand({})), [client]);
  const [group, setGroup] = useState('default');
  const [newGroup, setNewGroup] = useState('');
  const [selected, setSelected] = useState<string>();
  const schedules = useLoad(() => client.send(new ListSchedulesCommand({ GroupName: group })), [client, group]);
  const act = useAction();
  const list = schedules.data?.Schedules ?? [];
  return (
    <div>
      <h1>EventBridge Scheduler</h1>
      <Section title="Schedule groups" actions={<button onClick={groups.reload}>Refresh</button>}>
        <ActionForm
          label="Create a schedule group"
          submit="Create group"
          act={act}
          run={async () => (await client.send(new CreateScheduleGroupCommand({ Name: newGroup })), groups.reload(), setGroup(newGroup))}
        >
          <TextField label="Group name" value={newGroup} onValue={setNewGroup} />
        </ActionForm>
        <ActionError act={act} also={[groups.error]} />
        {groups.loading && !groups.data ? (
          <Loading />
        ) : (
          <ul aria-label="Schedule groups">
            {(groups.data?.ScheduleGroups ?? []).map((g) => (
              <li key={g.Name}>
                <a
                  href="#/scheduler"
                  aria-current={g.Name === group ? 'true' : undefined}
                  onClick={(e) => (e.preventDefault(), setGroup(g.Name!), setSelected(undefined))}
                >
                  {g.Name}
                </a>{' '}
                <span class="muted small">{g.State}</span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title={`Schedules in ${group}`} refresh={schedules.reload}>
        <ErrorBox error={schedules.error} />
        <ResourceTable
          label="Schedules"
          wrap={false}
          loading={schedules.loading && !schedules.data}
          empty={schedules.error ? null : 'No schedules in this group.'}
          rows={list}
          rowKey={(x) => x.Name!}
          columns={{
            Schedule: (x) => (
              <PickLink href="#/scheduler" onPick={() => setSelected(x.Name)}>
                {x.Name}
              </PickLink>
            ),
            State: (x) => x.State,
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
