// CloudTrail: the event history (LookupEvents) with an attribute filter, a time range and paging.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { CloudTrailClient, LookupEventsCommand, type Event, type LookupAttributeKey } from '@aws-sdk/client-cloudtrail';
import { useClient } from '../lib/session.js';
import { Empty, ErrorBox, Field, Form, Section, fmtDate, useAction } from '../lib/ui.js';

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
  const [key, setKey] = useState<LookupAttributeKey>('EventName');
  const [value, setValue] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [page, setPage] = useState<{ events: Event[]; next?: string }>();
  const [open, setOpen] = useState<string>();
  const act = useAction();
  const run = (NextToken?: string) =>
    act.run(async () => {
      const out = await trail.send(
        new LookupEventsCommand({
          LookupAttributes: value ? [{ AttributeKey: key, AttributeValue: value }] : undefined,
          StartTime: start ? new Date(start) : undefined,
          EndTime: end ? new Date(end) : undefined,
          MaxResults: 50,
          NextToken,
        }),
      );
      setPage({ events: NextToken ? [...(page?.events ?? []), ...(out.Events ?? [])] : (out.Events ?? []), next: out.NextToken });
    });
  return (
    <div>
      <h1>AWS CloudTrail</h1>
      <Section title="Event history">
        <Form onSubmit={() => run()} label="Look up events">
          <Field label="Attribute">
            <select
              value={key}
              onChange={(e) => setKey((e.target as HTMLSelectElement).value as LookupAttributeKey)}
              aria-label="Lookup attribute"
            >
              {KEYS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </Field>
          <Field label="Value (blank: any)">
            <input value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} aria-label="Lookup value" />
          </Field>
          <Field label="From">
            <input
              type="datetime-local"
              value={start}
              onInput={(e) => setStart((e.target as HTMLInputElement).value)}
              aria-label="Start time"
            />
          </Field>
          <Field label="To">
            <input type="datetime-local" value={end} onInput={(e) => setEnd((e.target as HTMLInputElement).value)} aria-label="End time" />
          </Field>
          <button class="primary" type="submit" disabled={act.busy}>
            Look up
          </button>
        </Form>
        <ErrorBox error={act.error} onDismiss={act.clear} />
        {page === undefined ? (
          <Empty>Look up to see management events recorded in this region.</Empty>
        ) : page.events.length === 0 ? (
          <Empty>No events match.</Empty>
        ) : (
          <div class="table-wrap">
            <table aria-label="Events">
              <thead>
                <tr>
                  <th>Time</th>
                  <th>Event</th>
                  <th>Source</th>
                  <th>User</th>
                  <th>Resources</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {page.events.map((e) => (
                  <Fragment key={e.EventId}>
                    <tr>
                      <td>{fmtDate(e.EventTime)}</td>
                      <td>{e.EventName}</td>
                      <td>{e.EventSource}</td>
                      <td>{e.Username}</td>
                      <td class="small">{(e.Resources ?? []).map((r) => r.ResourceName).join(', ')}</td>
                      <td>
                        <button
                          class="link"
                          aria-expanded={open === e.EventId}
                          onClick={() => setOpen(open === e.EventId ? undefined : e.EventId)}
                        >
                          {open === e.EventId ? 'Hide' : 'Record'}
                        </button>
                      </td>
                    </tr>
                    {open === e.EventId ? (
                      <tr>
                        <td colSpan={6}>
                          <pre>{JSON.stringify(JSON.parse(e.CloudTrailEvent ?? '{}'), null, 2)}</pre>
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {page?.next ? <button onClick={() => run(page.next)}>Load more</button> : null}
      </Section>
    </div>
  );
}
