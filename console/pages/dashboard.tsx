// The service health dashboard: status per region, availability zone and service, active faults,
// and the history of status changes (GET /_nimbus/health/dashboard), refreshed every few seconds.
import { useState } from 'preact/hooks';
import { useSession } from '../lib/session.js';
import { ErrorBox, Loading, Section, admin, fmtDate, useInterval, useLoad } from '../lib/ui.js';
import { ResourceTable, StateBadge } from '../lib/table.js';

type Status = 'operational' | 'degraded' | 'disrupted';
interface Dashboard {
  now: string;
  status: Status;
  services: string[];
  regions: {
    region: string;
    name: string;
    status: Status;
    services: { service: string; status: Status; faults: string[] }[];
    availabilityZones: { zoneName: string; zoneId: string; status: Status; faults: string[] }[];
  }[];
  history: {
    time: string;
    region: string;
    availabilityZone: string | null;
    service: string;
    status: Status;
    previous: Status;
    event: string;
    faultId: string;
    effect: string;
    description?: string;
  }[];
}

const TONE = { operational: 'ok', degraded: 'warn', disrupted: 'bad' } as const;
const StatusBadge = ({ status }: { status: Status }) => <StateBadge state={status} tone={TONE[status]} />;

export default function DashboardPage() {
  const { region } = useSession();
  const [all, setAll] = useState(false);
  const dash = useLoad(() => admin<Dashboard>(`/_nimbus/health/dashboard${all ? '' : `?region=${region}`}`), [region, all]);
  useInterval(dash.reload, 3000);
  const d = dash.data;
  return (
    <div>
      <h1>Service health</h1>
      <p class="muted">
        Status of each service per region and availability zone, as the injected faults leave it. AWS publishes the same for the real cloud;
        here you make the outages (<a href="#/faults">fault injection</a>).
      </p>
      <ErrorBox error={dash.error} />
      <label>
        <input type="checkbox" checked={all} onChange={(e) => setAll((e.target as HTMLInputElement).checked)} /> All regions
      </label>
      {!d ? (
        dash.loading ? (
          <Loading what="Reading the dashboard" />
        ) : null
      ) : (
        <>
          <p>
            Overall: <StatusBadge status={d.status} /> <span class="muted">at {fmtDate(d.now)} (virtual time)</span>
          </p>
          {d.regions.map((r) => (
            <Section key={r.region} title={`${r.name} (${r.region})`} actions={<StatusBadge status={r.status} />}>
              <ResourceTable
                label={`Services in ${r.region}`}
                rows={r.services}
                rowKey={(s) => s.service}
                rowProps={(s) => ({ 'data-service': s.service, 'data-status': s.status })}
                columns={{
                  Service: (s) => s.service,
                  Status: (s) => <StatusBadge status={s.status} />,
                  Faults: (s) => s.faults.join(', '),
                }}
              />
              <h3>Availability zones</h3>
              <div class="actions">
                {r.availabilityZones.map((z) => (
                  <span
                    key={z.zoneName}
                    class={`badge ${TONE[z.status]}`}
                    title={`${z.zoneId}${z.faults.length ? `: ${z.faults.join(', ')}` : ''}`}
                  >
                    {z.zoneName} {z.status}
                  </span>
                ))}
              </div>
            </Section>
          ))}
          <Section title="History">
            <ResourceTable
              label="History"
              empty="No status changes yet."
              rows={d.history}
              rowKey={(_h, i) => i}
              columns={{
                Time: (h) => fmtDate(h.time),
                Where: (h) => h.availabilityZone ?? h.region,
                Service: (h) => h.service,
                Change: (h) => (
                  <>
                    {h.previous} → <StatusBadge status={h.status} />
                  </>
                ),
                Fault: (h) => `${h.event} ${h.faultId} (${h.effect})${h.description ? `: ${h.description}` : ''}`,
              }}
            />
          </Section>
        </>
      )}
    </div>
  );
}
