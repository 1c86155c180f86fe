// The service health dashboard: status per region, availability zone and service, active faults,
// and the history of status changes (GET /_nimbus/health/dashboard), refreshed every few seconds.
import { useState } from 'preact/hooks';
import { useSession } from '../lib/session.js';
import { Empty, ErrorBox, Loading, Section, admin, fmtDate, useInterval, useLoad } from '../lib/ui.js';

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

const badge: Record<Status, string> = { operational: 'ok', degraded: 'warn', disrupted: 'bad' };
export const StatusBadge = ({ status }: { status: Status }) => <span class={`badge ${badge[status] ?? ''}`}>{status}</span>;

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
              <div class="table-wrap">
                <table aria-label={`Services in ${r.region}`}>
                  <thead>
                    <tr>
                      <th>Service</th>
                      <th>Status</th>
                      <th>Faults</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.services.map((s) => (
                      <tr key={s.service} data-service={s.service} data-status={s.status}>
                        <td>{s.service}</td>
                        <td>
                          <StatusBadge status={s.status} />
                        </td>
                        <td>{s.faults.join(', ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <h3>Availability zones</h3>
              <div class="actions">
                {r.availabilityZones.map((z) => (
                  <span
                    key={z.zoneName}
                    class={`badge ${badge[z.status]}`}
                    title={`${z.zoneId}${z.faults.length ? `: ${z.faults.join(', ')}` : ''}`}
                  >
                    {z.zoneName} {z.status}
                  </span>
                ))}
              </div>
            </Section>
          ))}
          <Section title="History">
            {d.history.length === 0 ? (
              <Empty>No status changes yet.</Empty>
            ) : (
              <table aria-label="History">
                <thead>
                  <tr>
                    <th>Time</th>
                    <th>Where</th>
                    <th>Service</th>
                    <th>Change</th>
                    <th>Fault</th>
                  </tr>
                </thead>
                <tbody>
                  {d.history.map((h, i) => (
                    <tr key={i}>
                      <td>{fmtDate(h.time)}</td>
                      <td>{h.availabilityZone ?? h.region}</td>
                      <td>{h.service}</td>
                      <td>
                        {h.previous} → <StatusBadge status={h.status} />
                      </td>
                      <td>
                        {h.event} {h.faultId} ({h.effect}){h.description ? `: ${h.description}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </>
      )}
    </div>
  );
}
