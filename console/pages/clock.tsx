// The virtual clock: its current time, advancing it, and what fired (lifecycle transitions, TTL
// deletions, expired visibility, schedules, …) from GET /_nimbus/clock/events.
import { useState } from 'preact/hooks';
import type { timelineView } from '../../src/ops/timeline.js';
import { Empty, ErrorBox, Field, Form, Loading, Section, admin, fmtDate, useAction, useInterval, useLoad } from '../lib/ui.js';

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

function Events({ events, label }: { events: TimelineEvent[]; label: string }) {
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            <th>Virtual time</th>
            <th>Service</th>
            <th>What</th>
            <th>Resource</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.seq}>
              <td>{fmtDate(e.time)}</td>
              <td>{e.service}</td>
              <td>{e.kind}</td>
              <td>
                <code class="small">{e.resource}</code>
              </td>
              <td>
                <code class="small">{e.detail ? JSON.stringify(e.detail) : ''}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default function ClockPage() {
  const clock = useLoad(() => admin<Clock>('/_nimbus/clock'), []);
  const events = useLoad(() => admin<{ events: TimelineEvent[]; last: number }>('/_nimbus/clock/events?limit=200'), []);
  useInterval(clock.reload, 5000);
  const [by, setBy] = useState('1d');
  const [fired, setFired] = useState<TimelineEvent[]>();
  const act = useAction();
  const advance = (amount: string) =>
    act.run(async () => {
      const out = await admin<Clock>('/_nimbus/clock', { method: 'POST', body: { advance: amount } });
      setFired(out.fired ?? []);
      clock.reload();
      events.reload();
    });
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
        {c ? (
          <dl class="split">
            <dt>Virtual time</dt>
            <dd data-testid="virtual-now">{fmtDate(c.now)}</dd>
            <dt>Real time</dt>
            <dd>{fmtDate(c.real)}</dd>
            <dt>Offset</dt>
            <dd data-testid="offset">{fmtOffset(c.offsetSeconds)}</dd>
          </dl>
        ) : (
          <Loading />
        )}
        <Form onSubmit={() => advance(by)} label="Advance the clock">
          <Field label="Advance by (90s, 15m, 2h, 8d)">
            <input value={by} onInput={(e) => setBy((e.target as HTMLInputElement).value)} aria-label="Advance by" />
          </Field>
          <button class="primary" type="submit" disabled={act.busy}>
            Advance
          </button>
          {PRESETS.map((p) => (
            <button key={p} type="button" onClick={() => advance(p)} disabled={act.busy}>
              +{p}
            </button>
          ))}
        </Form>
        <ErrorBox error={act.error} onDismiss={act.clear} />
        {fired === undefined ? null : fired.length === 0 ? (
          <Empty>Nothing fired during that advance.</Empty>
        ) : (
          <>
            <h3>Fired during the last advance</h3>
            <Events events={fired} label="Fired" />
          </>
        )}
      </Section>
      <Section title="Timeline" actions={<button onClick={events.reload}>Refresh</button>}>
        <ErrorBox error={events.error} />
        {events.loading && !events.data ? (
          <Loading />
        ) : timeline.length === 0 ? (
          <Empty>Nothing has fired on the virtual clock yet.</Empty>
        ) : (
          <Events events={timeline} label="Timeline" />
        )}
      </Section>
    </div>
  );
}
