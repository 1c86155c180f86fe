// Fault injection: make a service, a region or an availability zone unavailable, slow or failing at
// a rate, for chosen operations, for a duration (POST/GET/DELETE /_nimbus/faults).
import { useSession } from '../lib/session.js';
import { ErrorBox, Section, admin, fmtDate, useAction, useInterval, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, DeleteButton, SelectField, TextField, useFields } from '../lib/form.js';
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
  const {
    values: v,
    set,
    bind,
  } = useFields({
    service: 's3',
    operations: '',
    region: session.region,
    zone: '',
    effect: 'unavailable',
    rate: '1',
    latency: '1000',
    duration: '10m',
    description: '',
  });
  const act = useAction();
  const slow = v.effect === 'latency' || v.effect === 'timeout';
  const inject = async () => {
    await admin('/_nimbus/faults', {
      method: 'POST',
      body: {
        service: v.service,
        operations: v.operations
          .split(/[\s,]+/)
          .map((o) => o.trim())
          .filter(Boolean),
        region: v.region || undefined,
        availabilityZone: v.zone || undefined,
        effect: v.effect,
        rate: Number(v.rate),
        latencyMs: slow ? Number(v.latency) : undefined,
        duration: v.duration || undefined,
        description: v.description || undefined,
      },
    });
    faults.reload();
  };
  const remove = async (id?: string) => {
    await admin(id ? `/_nimbus/faults/${encodeURIComponent(id)}` : '/_nimbus/faults', { method: 'DELETE' });
    faults.reload();
  };
  const services = Object.keys(health.data?.services ?? {}).sort();
  const zones = regions.data?.regions.find((r) => r.region === v.region)?.availabilityZones ?? [];
  const list = faults.data?.faults ?? [];
  return (
    <div>
      <h1>Fault injection</h1>
      <p class="muted">
        A fault answers matching AWS calls as AWS does in an outage, before their handler runs, so SDK retries and your error handling can
        be tested. It shows on the <a href="#/dashboard">service health dashboard</a>.
      </p>
      <Section title="Inject a fault">
        <ActionForm label="Inject a fault" submit="Inject fault" primary act={act} run={inject}>
          <SelectField label="Service" {...bind('service')}>
            <option value="*">every service (*)</option>
            {services.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </SelectField>
          <TextField label="Operations (blank: all)" aria="Operations" placeholder="GetObject, PutObject" {...bind('operations')} />
          <SelectField label="Region" aria="Region of the fault" value={v.region} onValue={(r) => (set('region', r), set('zone', ''))}>
            <option value="">every region</option>
            {(regions.data?.regions ?? [{ region: session.region, name: session.region, availabilityZones: [] }]).map((r) => (
              <option key={r.region} value={r.region}>
                {r.region}
              </option>
            ))}
          </SelectField>
          <SelectField label="Availability zone" disabled={!v.region} {...bind('zone')}>
            <option value="">whole region</option>
            {zones.map((z) => (
              <option key={z.zoneName} value={z.zoneName}>
                {z.zoneName} ({z.zoneId})
              </option>
            ))}
          </SelectField>
          <SelectField label="Effect" {...bind('effect')}>
            {EFFECTS.map(([value, l]) => (
              <option key={value} value={value}>
                {l}
              </option>
            ))}
          </SelectField>
          <TextField label="Rate (0–1)" aria="Rate" type="number" min={0} max={1} step="any" {...bind('rate')} />
          {slow ? <TextField label="Latency (ms)" aria="Latency" type="number" min={0} {...bind('latency')} /> : null}
          <TextField label="Duration (blank: until removed)" aria="Duration" placeholder="10m" {...bind('duration')} />
          <TextField label="Description" {...bind('description')} />
        </ActionForm>
        <ActionError act={act} />
      </Section>
      <Section title="Active faults" actions={list.length ? <DeleteButton act={act} text="Remove all" run={() => remove()} /> : null}>
        <ErrorBox error={health.error} />
        <ResourceTable
          label="Active faults"
          load={faults}
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
            '': (f) => <DeleteButton act={act} text="Remove" label={`Remove fault ${f.id}`} run={() => remove(f.id)} />,
          }}
        />
      </Section>
    </div>
  );
}
