// Fault injection: make a service, a region or an availability zone unavailable, slow or failing at
// a rate, for chosen operations, for a duration (POST/GET/DELETE /_nimbus/faults).
import { useState } from 'preact/hooks';
import { useSession } from '../lib/session.js';
import { ErrorBox, Field, Form, Section, admin, fmtDate, useAction, useInterval, useLoad } from '../lib/ui.js';
import { ResourceTable } from '../lib/table.js';

interface Fault {
  id: string;
  service: string;
  operations: string[];
  region: string | null;
  availabilityZone: string | null;
  effect: string;
  rate: number;
  latencyMs: number | null;
  description?: string;
  error: { code: string; status: number } | null;
  startTime: string;
  endTime: string | null;
  active: boolean;
  hits: number;
}
interface Region {
  region: string;
  name: string;
  availabilityZones: { zoneName: string; zoneId: string }[];
}

const EFFECTS: [string, string][] = [
  ['unavailable', 'Unavailable (503 ServiceUnavailable)'],
  ['error', 'Internal error (500)'],
  ['throttle', 'Throttled'],
  ['latency', 'Slow (added latency)'],
  ['timeout', 'Timeout (no answer)'],
];

export default function FaultsPage() {
  const session = useSession();
  const health = useLoad(() => admin<{ services: Record<string, unknown> }>('/_nimbus/health'), []);
  const regions = useLoad(() => admin<{ regions: Region[] }>('/_nimbus/regions'), []);
  const faults = useLoad(() => admin<{ now: string; faults: Fault[] }>('/_nimbus/faults'), []);
  useInterval(faults.reload, 5000);
  const [service, setService] = useState('s3');
  const [operations, setOperations] = useState('');
  const [region, setRegion] = useState(session.region);
  const [zone, setZone] = useState('');
  const [effect, setEffect] = useState('unavailable');
  const [rate, setRate] = useState('1');
  const [latency, setLatency] = useState('1000');
  const [duration, setDuration] = useState('10m');
  const [description, setDescription] = useState('');
  const act = useAction();
  const inject = () =>
    act.run(async () => {
      await admin('/_nimbus/faults', {
        method: 'POST',
        body: {
          service,
          operations: operations
            .split(/[\s,]+/)
            .map((o) => o.trim())
            .filter(Boolean),
          region: region || undefined,
          availabilityZone: zone || undefined,
          effect,
          rate: Number(rate),
          latencyMs: effect === 'latency' || effect === 'timeout' ? Number(latency) : undefined,
          duration: duration || undefined,
          description: description || undefined,
        },
      });
      faults.reload();
    });
  const remove = (id?: string) =>
    act.run(async () => {
      await admin(id ? `/_nimbus/faults/${encodeURIComponent(id)}` : '/_nimbus/faults', { method: 'DELETE' });
      faults.reload();
    });
  const services = Object.keys(health.data?.services ?? {}).sort();
  const zones = regions.data?.regions.find((r) => r.region === region)?.availabilityZones ?? [];
  const list = faults.data?.faults ?? [];
  return (
    <div>
      <h1>Fault injection</h1>
      <p class="muted">
        A fault answers matching AWS calls as AWS does in an outage, before their handler runs, so SDK retries and your error handling can
        be tested. It shows on the <a href="#/dashboard">service health dashboard</a>.
      </p>
      <Section title="Inject a fault">
        <Form onSubmit={inject} label="Inject a fault">
          <Field label="Service">
            <select value={service} onChange={(e) => setService((e.target as HTMLSelectElement).value)} aria-label="Service">
              <option value="*">every service (*)</option>
              {services.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </Field>
          <Field label="Operations (blank: all)">
            <input
              value={operations}
              onInput={(e) => setOperations((e.target as HTMLInputElement).value)}
              placeholder="GetObject, PutObject"
              aria-label="Operations"
            />
          </Field>
          <Field label="Region">
            <select
              value={region}
              onChange={(e) => (setRegion((e.target as HTMLSelectElement).value), setZone(''))}
              aria-label="Region of the fault"
            >
              <option value="">every region</option>
              {(regions.data?.regions ?? [{ region: session.region, name: session.region, availabilityZones: [] }]).map((r) => (
                <option key={r.region} value={r.region}>
                  {r.region}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Availability zone">
            <select
              value={zone}
              onChange={(e) => setZone((e.target as HTMLSelectElement).value)}
              aria-label="Availability zone"
              disabled={!region}
            >
              <option value="">whole region</option>
              {zones.map((z) => (
                <option key={z.zoneName} value={z.zoneName}>
                  {z.zoneName} ({z.zoneId})
                </option>
              ))}
            </select>
          </Field>
          <Field label="Effect">
            <select value={effect} onChange={(e) => setEffect((e.target as HTMLSelectElement).value)} aria-label="Effect">
              {EFFECTS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Rate (0–1)">
            <input
              type="number"
              min={0}
              max={1}
              step="any"
              value={rate}
              onInput={(e) => setRate((e.target as HTMLInputElement).value)}
              aria-label="Rate"
            />
          </Field>
          {effect === 'latency' || effect === 'timeout' ? (
            <Field label="Latency (ms)">
              <input
                type="number"
                min={0}
                value={latency}
                onInput={(e) => setLatency((e.target as HTMLInputElement).value)}
                aria-label="Latency"
              />
            </Field>
          ) : null}
          <Field label="Duration (blank: until removed)">
            <input
              value={duration}
              onInput={(e) => setDuration((e.target as HTMLInputElement).value)}
              placeholder="10m"
              aria-label="Duration"
            />
          </Field>
          <Field label="Description">
            <input value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} aria-label="Description" />
          </Field>
          <button class="primary" type="submit" disabled={act.busy}>
            Inject fault
          </button>
        </Form>
        <ErrorBox error={act.error} onDismiss={act.clear} />
      </Section>
      <Section
        title="Active faults"
        actions={
          list.length ? (
            <button class="danger" onClick={() => remove()}>
              Remove all
            </button>
          ) : null
        }
      >
        <ErrorBox error={faults.error ?? health.error} />
        <ResourceTable
          label="Active faults"
          loading={faults.loading && !faults.data}
          empty="No active faults: every call is answered normally."
          rows={list}
          rowKey={(f) => f.id}
          rowProps={(f) => ({ 'data-fault': f.id })}
          columns={{
            Id: (f) => (
              <>
                <code>{f.id}</code>
                {f.description ? <div class="muted small">{f.description}</div> : null}
              </>
            ),
            Scope: (f) =>
              `${f.service} ${f.operations.length ? f.operations.join(', ') : '(all operations)'} in ${f.availabilityZone ?? f.region ?? 'every region'}`,
            Effect: (f) => `${f.effect}${f.rate < 1 ? ` at ${Math.round(f.rate * 100)}%` : ''}${f.latencyMs ? ` ${f.latencyMs} ms` : ''}`,
            Answers: (f) => (f.error ? `${f.error.status} ${f.error.code}` : ''),
            Until: (f) => (f.endTime ? fmtDate(f.endTime) : 'removed'),
            Hits: (f) => f.hits,
            '': (f) => (
              <button class="danger" onClick={() => remove(f.id)} aria-label={`Remove fault ${f.id}`}>
                Remove
              </button>
            ),
          }}
        />
      </Section>
    </div>
  );
}
