// EventBridge: event buses, rules (create with a pattern or a schedule, enable, disable, delete),
// their targets, a pattern tester (TestEventPattern) and sending a test event (PutEvents).
import { useState } from 'preact/hooks';
import {
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  PutRuleCommand,
  DeleteRuleCommand,
  EnableRuleCommand,
  DisableRuleCommand,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
  PutEventsCommand,
  type Rule,
} from '@aws-sdk/client-eventbridge';
import { useClient, useSession } from '../lib/session.js';
import { Copy, Section, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextArea, TextField, parseJson } from '../lib/form.js';
import { ResourceTable, StateBadge } from '../lib/table.js';

const SAMPLE_PATTERN = JSON.stringify(
  { source: ['my.app'], 'detail-type': ['order placed'], detail: { amount: [{ numeric: ['>', 100] }] } },
  null,
  2,
);

function Tester({ events, bus }: { events: EventBridgeClient; bus: string }) {
  const { account, region } = useSession();
  const [pattern, setPattern] = useState(SAMPLE_PATTERN);
  const [event, setEvent] = useState(
    JSON.stringify(
      {
        id: '1',
        account,
        source: 'my.app',
        time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        region,
        resources: [],
        'detail-type': 'order placed',
        detail: { amount: 250 },
      },
      null,
      2,
    ),
  );
  const [result, setResult] = useState<string>();
  const act = useAction();
  // a test or send that fails leaves no earlier result on screen
  const attempt = (fn: () => Promise<string>) => act.run(async () => (setResult(undefined), setResult(await fn())));
  const test = async () =>
    (await events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event }))).Result ? 'matches' : 'does not match';
  const send = async () => {
    const e = parseJson(event, 'Sample event') as { source: string; 'detail-type': string; detail: unknown; resources?: string[] };
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: bus, Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail), Resources: e.resources },
        ],
      }),
    );
    const entry = out.Entries?.[0];
    return entry?.ErrorCode ? `not sent: ${entry.ErrorCode} ${entry.ErrorMessage}` : `sent to ${bus} as ${entry?.EventId}`;
  };
  return (
    <Section title="Pattern tester">
      <div class="form">
        <TextArea label="Event pattern" rows={9} cols={44} value={pattern} onValue={setPattern} />
        <TextArea label="Sample event" rows={9} cols={44} value={event} onValue={setEvent} />
      </div>
      <div class="actions">
        <button class="primary" onClick={() => attempt(test)}>
          Test pattern
        </button>
        <button onClick={() => attempt(send)}>Send to {bus}</button>
        {result ? (
          <strong role="status" data-testid="pattern-result">
            The event {result}
          </strong>
        ) : null}
      </div>
      <ActionError act={act} />
    </Section>
  );
}

function Targets({ events, rule, bus }: { events: EventBridgeClient; rule: Rule; bus: string }) {
  const targets = useLoad(() => events.send(new ListTargetsByRuleCommand({ Rule: rule.Name!, EventBusName: bus })), [events, rule.Name]);
  const act = useAction();
  const list = targets.data?.Targets ?? [];
  return (
    <>
      <ActionError act={act} also={[targets.error]} />
      {targets.error ? null : list.length === 0 ? (
        <span class="muted">no targets</span>
      ) : (
        list.map((t) => (
          <div key={t.Id}>
            {t.Id}: <Copy value={t.Arn!} label="target ARN" />{' '}
            <button
              class="link"
              onClick={() =>
                act.run(
                  async () => (
                    await events.send(new RemoveTargetsCommand({ Rule: rule.Name!, EventBusName: bus, Ids: [t.Id!] })),
                    targets.reload()
                  ),
                )
              }
            >
              remove
            </button>
          </div>
        ))
      )}
    </>
  );
}

export default function EventsPage() {
  const events = useClient(EventBridgeClient);
  const buses = useLoad(() => events.send(new ListEventBusesCommand({})), [events]);
  const [bus, setBus] = useState('default');
  const rules = useLoad(() => events.send(new ListRulesCommand({ EventBusName: bus })), [events, bus]);
  const [name, setName] = useState('');
  const [kind, setKind] = useState<'pattern' | 'schedule'>('pattern');
  const [pattern, setPattern] = useState(SAMPLE_PATTERN);
  const [schedule, setSchedule] = useState('rate(5 minutes)');
  const act = useAction();
  const create = async () => {
    await events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: bus,
        EventPattern: kind === 'pattern' ? pattern : undefined,
        ScheduleExpression: kind === 'schedule' ? schedule : undefined,
      }),
    );
    setName('');
    rules.reload();
  };
  const run = (fn: () => Promise<unknown>) => act.run(async () => (await fn(), rules.reload()));
  return (
    <div>
      <h1>Amazon EventBridge</h1>
      <Section title="Rules" refresh={rules.reload}>
        <div class="form">
          <SelectField label="Event bus" value={bus} onValue={setBus}>
            {(buses.data?.EventBuses ?? [{ Name: 'default' }]).map((b) => (
              <option key={b.Name}>{b.Name}</option>
            ))}
          </SelectField>
        </div>
        <ActionForm label="Create rule" submit="Create rule" primary act={act} run={create}>
          <TextField label="Rule name" value={name} onValue={setName} required />
          <SelectField label="Kind" aria="Rule kind" value={kind} onValue={(k) => setKind(k as 'pattern' | 'schedule')}>
            <option value="pattern">event pattern</option>
            <option value="schedule">schedule</option>
          </SelectField>
          {kind === 'pattern' ? (
            <TextArea label="Event pattern" aria="Rule pattern" rows={6} cols={50} value={pattern} onValue={setPattern} />
          ) : (
            <TextField label="Schedule expression" value={schedule} onValue={setSchedule} />
          )}
        </ActionForm>
        <ActionError act={act} also={[buses.error]} />
        <ResourceTable
          label="Rules"
          load={rules}
          empty="No rules on this bus."
          rows={rules.data?.Rules ?? []}
          rowKey={(r) => r.Name!}
          columns={{
            Rule: (r) => (
              <>
                {r.Name}
                <div>
                  <Copy value={r.Arn!} label="rule ARN" />
                </div>
              </>
            ),
            Matches: (r) => <code class="small">{r.ScheduleExpression ?? r.EventPattern}</code>,
            State: (r) => <StateBadge state={r.State} />,
            Targets: (r) => <Targets events={events} rule={r} bus={bus} />,
            '': {
              class: 'actions',
              cell: (r) => (
                <>
                  {r.State === 'ENABLED' ? (
                    <button onClick={() => run(() => events.send(new DisableRuleCommand({ Name: r.Name!, EventBusName: bus })))}>
                      Disable
                    </button>
                  ) : (
                    <button onClick={() => run(() => events.send(new EnableRuleCommand({ Name: r.Name!, EventBusName: bus })))}>
                      Enable
                    </button>
                  )}
                  <DeleteButton
                    act={act}
                    run={async () => (await events.send(new DeleteRuleCommand({ Name: r.Name!, EventBusName: bus })), rules.reload())}
                  />
                </>
              ),
            },
          }}
        />
      </Section>
      <Tester events={events} bus={bus} />
    </div>
  );
}
