// CloudTrail: the event history (LookupEvents) with an attribute filter, a time range and paging.
import { useState } from 'preact/hooks';
import { CloudTrailClient, LookupEventsCommand, type Event, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import { useClient } from '../lib/session.js';
import { Section, fmtDate, useAction } from '../lib/ui.js';
import { ActionError, ActionForm, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable } from '../lib/table.js';

const KEYS: LookupAttributeKey[] = [
  'EventName',
  'EventSource',
  'Username',
  'ResourceName',
  'ResourceType',
  'ReadOnly',
  'AccessKeyId',
  'EventId',
];

export default function CloudTrailPage() {
  const trail = useClient(CloudTrailClient);
  const { values: f, bind } = useFields({ key: 'EventName', value: '', start: '', end: '' });
  // the page keeps the lookup it shows: Load more continues that one, whatever the form says since
  const [page, setPage] = useState<{ events: Event[]; next?: string; query: typeof f }>();
  const [open, setOpen] = useState<string>();
  const act = useAction();
  const run = async (query: typeof f, NextToken?: string) => {
    const out = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: query.value ? [{ AttributeKey: query.key as LookupAttributeKey, AttributeValue: query.value }] : undefined,
        StartTime: query.start ? new Date(query.start) : undefined,
        EndTime: query.end ? new Date(query.end) : undefined,
        MaxResults: 50,
        NextToken,
      }),
    );
    const events = out.Events ?? [];
    setPage({ events: NextToken ? [...(page?.events ?? []), ...events] : events, next: out.NextToken, query });
  };
  return (
    <div>
      <h1>AWS CloudTrail</h1>
      <Section title="Event history">
        <ActionForm label="Look up events" submit="Look up" primary act={act} run={() => run(f)}>
          <SelectField label="Attribute" aria="Lookup attribute" {...bind('key')}>
            {KEYS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </SelectField>
          <TextField label="Value (blank: any)" aria="Lookup value" {...bind('value')} />
          <TextField label="From" aria="Start time" type="datetime-local" {...bind('start')} />
          <TextField label="To" aria="End time" type="datetime-local" {...bind('end')} />
        </ActionForm>
        <ActionError act={act} />
        <ResourceTable
          label="Events"
          empty={page ? 'No events match.' : 'Look up to see management events recorded in this region.'}
          rows={page?.events ?? []}
          rowKey={(e) => e.EventId!}
          columns={{
            Time: (e) => fmtDate(e.EventTime),
            Event: (e) => e.EventName,
            Source: (e) => e.EventSource,
            User: (e) => e.Username,
            Resources: { class: 'small', cell: (e) => (e.Resources ?? []).map((r) => r.ResourceName).join(', ') },
            '': (e) => (
              <button class="link" aria-expanded={open === e.EventId} onClick={() => setOpen(open === e.EventId ? undefined : e.EventId)}>
                {open === e.EventId ? 'Hide' : 'Record'}
              </button>
            ),
          }}
          expand={(e) => (open === e.EventId ? <pre>{JSON.stringify(JSON.parse(e.CloudTrailEvent ?? '{}'), null, 2)}</pre> : null)}
        />
        {page?.next ? <button onClick={() => act.run(() => run(page.query, page.next))}>Load more</button> : null}
      </Section>
    </div>
  );
}
