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
import { Copy, Empty, Section, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, NameForm, SelectField, TextField } from '../lib/form.js';
import { ResourceTable, PickLink } from '../lib/table.js';

type Query = { stream: string; pattern: string };

function Viewer({ logs, group }: { logs: CloudWatchLogsClient; group: string }) {
  const streams = useLoad(
    () => logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: 'LastEventTime', descending: true, limit: 50 })),
    [logs, group],
  );
  const [stream, setStream] = useState('');
  const [pattern, setPattern] = useState('');
  // the events shown and the search they answer: Load more continues that search, not the form's
  const [events, setEvents] = useState<{ query: Query; list: FilteredLogEvent[]; next?: string }>();
  const act = useAction();
  const search = (query: Query, nextToken?: string) =>
    act.run(async () => {
      // a new search that fails leaves no earlier search's events on screen
      if (!nextToken) setEvents(undefined);
      const out = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          logStreamNames: query.stream ? [query.stream] : undefined,
          filterPattern: query.pattern || undefined,
          limit: 100,
          nextToken,
        }),
      );
      const more = out.events ?? [];
      setEvents((shown) => ({ query, list: nextToken ? [...(shown?.list ?? []), ...more] : more, next: out.nextToken }));
    });
  return (
    <Section title={`Log group ${group}`}>
      <ActionForm label="Filter log events" submit="Search" primary act={act} run={() => search({ stream, pattern })}>
        <SelectField label="Stream" aria="Log stream" value={stream} onValue={setStream}>
          <option value="">all streams</option>
          {(streams.data?.logStreams ?? []).map((s) => (
            <option key={s.logStreamName}>{s.logStreamName}</option>
          ))}
        </SelectField>
        <TextField
          label='Filter pattern (e.g. ERROR, "timed out", { $.level = "error" })'
          aria="Filter pattern"
          value={pattern}
          onValue={setPattern}
          size={40}
        />
      </ActionForm>
      <ActionError act={act} also={[streams.error]} />
      {events === undefined ? (
        <Empty>Search to see events (a blank pattern matches everything).</Empty>
      ) : (
        <ResourceTable
          label="Log events"
          wrap={false}
          empty="No events match."
          rows={events.list}
          rowKey={(e) => e.eventId!}
          columns={{
            Time: (e) => fmtDate(e.timestamp),
            Stream: { class: 'small', cell: (e) => e.logStreamName },
            Message: (e) => <pre>{e.message}</pre>,
          }}
        />
      )}
      {events?.next ? <button onClick={() => search(events.query, events.next)}>Load more</button> : null}
    </Section>
  );
}

export default function LogsPage() {
  const logs = useClient(CloudWatchLogsClient);
  const groups = useLoad(() => logs.send(new DescribeLogGroupsCommand({})), [logs]);
  const [selected, setSelected] = useState<string>();
  const act = useAction();
  return (
    <div>
      <h1>CloudWatch Logs</h1>
      <Section title="Log groups" refresh={groups.reload}>
        <NameForm
          label="Create log group"
          submit="Create log group"
          primary
          act={act}
          run={async (logGroupName) => (await logs.send(new CreateLogGroupCommand({ logGroupName })), groups.reload())}
          field="Log group name"
        />
        <ActionError act={act} />
        <ResourceTable
          label="Log groups"
          wrap={false}
          load={groups}
          empty="No log groups in this region yet."
          rows={groups.data?.logGroups ?? []}
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
