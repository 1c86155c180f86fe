// The virtual clock: its current time, advancing it, and what fired (lifecycle transitions, TTL
// deletions, expired visibility, schedules, …) from GET /_nimbus/clock/events.
import { useState } from 'preact/hooks';
import type { timelineView } from '../../src/ops/timeline.js';
import { Empty, ErrorBox, Section, admin, fmtDate, useAction, useInterval, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, TextField } from '../lib/form.js';
import { Details, ResourceTable, type Columns } from '../lib/table.js';

interface Clock {
  now: string;
  offsetSeconds: number;
  real: string;
  fired?: TimelineEvent[];
}
/** What fired, as the admin API lists it (the server's own view, imported as a type only). */
type TimelineEvent = ReturnType<typeof timelineView>;

const PRESETS = ['1h', '1d', '8d', '31d', '366d'];

function fmtOffset(s: number): string {
  if (!s) return 'none (virtual time is real time)';
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `+${d ? `${d}d ` : ''}${h}h ${m}m`;
}

const EVENT_COLUMNS: Columns<TimelineEvent> = {
  'Virtual time': (e) => fmtDate(e.time),
  Service: (e) => e.service,
  What: (e) => e.kind,
  Resource: (e) => <code class="small">{e.resource}</code>,
  Detail: (e) => <code class="small">{e.detail ? JSON.stringify(e.detail) : ''}</code>,
};

export default function ClockPage() {
  const clock = useLoad(() => admin<Clock>('/_nimbus/clock'), []);
  const events = useLoad(() => admin<{ events: TimelineEvent[]; last: number }>('/_nimbus/clock/events?limit=200'), []);
  useInterval(clock.reload, 5000);
  const [by, setBy] = useState('1d');
  const [fired, setFired] = useState<TimelineEvent[]>();
  const act = useAction();
  const advance = async (amount: string) => {
    // an advance that fails leaves no earlier advance's events on screen
    setFired(undefined);
    const out = await admin<Clock>('/_nimbus/clock', { method: 'POST', body: { advance: amount } });
    setFired(out.fired ?? []);
    clock.reload();
    events.reload();
  };
  const c = clock.data;
  const timeline = [...(events.data?.events ?? [])].reverse();
  return (
    <div>
      <h1>Virtual clock</h1>
      <p class="muted">
        Time-based behaviour (lifecycle rules, TTL, visibility timeouts, schedules, retention) runs on this clock. Advance it to see what
        fires.
      </p>
      <Section title="Now">
        <ErrorBox error={clock.error} />
        <Details
          loading={!clock.error}
          rows={
            c && [
              ['Virtual time', <span data-testid="virtual-now">{fmtDate(c.now)}</span>],
              ['Real time', fmtDate(c.real)],
              ['Offset', <span data-testid="offset">{fmtOffset(c.offsetSeconds)}</span>],
            ]
          }
        />
        <ActionForm
          label="Advance the clock"
          submit="Advance"
          primary
          act={act}
          run={() => advance(by)}
          extra={PRESETS.map((p) => (
            <button key={p} type="button" onClick={() => act.run(() => advance(p))} disabled={act.busy}>
              +{p}
            </button>
          ))}
        >
          <TextField label="Advance by (90s, 15m, 2h, 8d)" aria="Advance by" value={by} onValue={setBy} />
        </ActionForm>
        <ActionError act={act} />
        {fired === undefined ? null : fired.length === 0 ? (
          <Empty>Nothing fired during that advance.</Empty>
        ) : (
          <>
            <h3>Fired during the last advance</h3>
            <ResourceTable label="Fired" rows={fired} rowKey={(e) => e.seq} columns={EVENT_COLUMNS} />
          </>
        )}
      </Section>
      <Section title="Timeline" refresh={events.reload}>
        <ResourceTable
          label="Timeline"
          load={events}
          empty="Nothing has fired on the virtual clock yet."
          rows={timeline}
          rowKey={(e) => e.seq}
          columns={EVENT_COLUMNS}
        />
      </Section>
    </div>
  );
}
