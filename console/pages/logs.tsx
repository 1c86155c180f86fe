// CloudWatch Logs: log groups (create, delete, retention), streams, and a viewer with filter patterns.
import { useState } from 'preact/hooks';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { useClient } from '../lib/session.js';
import { Copy, Empty, ErrorBox, Field, Form, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, TextField } from '../lib/form.js';
import { ResourceTable, PickLink } from '../lib/table.js';

function Viewer({ logs, group }: { logs: CloudWatchLogsClient; group: string }) {
  const streams = useLoad(
    () => logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 50 })),
    [logs, group],
  );
  const [stream, setStream] = useState('');
  const [pattern, setPattern] = useState('');
  const [events, setEvents] = useState<{ list: FilteredLogEvent[]; next?: string }>();
  const act = useAction();
  const run = (nextToken?: string) =>
    act.run(async () => {
      const out = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          logStreamNames: stream ? [stream] : undefined,
          filterPattern: pattern || undefined,
          limit: 100,
          nextToken,
        }),
      );
      setEvents({ list: nextToken ? [...(events?.list ?? []), ...(out.events ?? [])] : (out.events ?? []), next: out.nextToken });
    });
  return (
    <Section title={`Log group ${group}`}>
      <ErrorBox error={streams.error} />
      <Form onSubmit={() => run()} label="Filter log events">
        <Field label="Stream">
          <select value={stream} onChange={(e) => setStream((e.target as HTMLSelectElement).value)} aria-label="Log stream">
            <option value="">all streams</option>
            {(streams.data?.logStreams ?? []).map((s) => (
              <option key={s.logStreamName}>{s.logStreamName}</option>
            ))}
          </select>
        </Field>
        <Field label='Filter pattern (e.g. ERROR, "timed out", { $.level = "error" })'>
          <input value={pattern} onInput={(e) => setPattern((e.target as HTMLInputElement).value)} aria-label="Filter pattern" size={40} />
        </Field>
        <button class="primary" type="submit" disabled={act.busy}>
          Search
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
      {events === undefined ? (
        <Empty>Search to see events (a blank pattern matches everything).</Empty>
      ) : events.list.length === 0 ? (
        <Empty>No events match.</Empty>
      ) : (
        <table aria-label="Log events">
          <thead>
            <tr>
              <th>Time</th>
              <th>Stream</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {events.list.map((e) => (
              <tr key={e.eventId}>
                <td>{fmtDate(e.timestamp)}</td>
                <td class="small">{e.logStreamName}</td>
                <td>
                  <pre>{e.message}</pre>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {events?.next ? <button onClick={() => run(events.next)}>Load more</button> : null}
    </Section>
  );
}

export default function LogsPage() {
  const logs = useClient(CloudWatchLogsClient);
  const groups = useLoad(() => logs.send(new DescribeLogGroupsCommand({})), [logs]);
  const [selected, setSelected] = useState<string>();
  const [name, setName] = useState('');
  const act = useAction();
  const list = groups.data?.logGroups ?? [];
  return (
    <div>
      <h1>CloudWatch Logs</h1>
      <Section title="Log groups" refresh={groups.reload}>
        <ActionForm
          label="Create log group"
          submit="Create log group"
          primary
          act={act}
          run={async () => (await logs.send(new CreateLogGroupCommand({ logGroupName: name })), setName(''), groups.reload())}
        >
          <TextField label="Log group name" value={name} onValue={setName} required />
        </ActionForm>
        <ActionError act={act} also={[groups.error]} />
        <ResourceTable
          label="Log groups"
          wrap={false}
          loading={groups.loading && !groups.data}
          empty="No log groups in this region yet."
          rows={list}
          rowKey={(g) => g.logGroupName!}
          columns={{
            Name: (g) => (
              <PickLink href="#/logs" onPick={() => setSelected(g.logGroupName)}>
                {g.logGroupName}
              </PickLink>
            ),
            ARN: (g) => <Copy value={g.arn ?? ''} label="log group ARN" />,
            Retention: (g) => (g.retentionInDays ? `${g.retentionInDays} days` : 'never expire'),
            Stored: (g) => `${g.storedBytes ?? 0} B`,
            '': (g) => (
              <DeleteButton
                act={act}
                run={async () => (await logs.send(new DeleteLogGroupCommand({ logGroupName: g.logGroupName })), groups.reload())}
              />
            ),
          }}
        />
      </Section>
      {selected ? <Viewer key={selected} logs={logs} group={selected} /> : null}
    </div>
  );
}
