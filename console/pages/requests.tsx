// The request log: the last AWS calls with service, operation, principal, status, latency and the
// error, filtered by service and status (GET /_nimbus/requests), following new calls as they come.
import { useState } from 'preact/hooks';
import type { callView } from '../../src/ops/requests.js';
import { Section, admin, fmtDate, useAction, useInterval, useLoad } from '../lib/ui.js';
import { ActionError, DeleteButton, SelectField } from '../lib/form.js';
import { ResourceTable, StateBadge } from '../lib/table.js';

/** A logged call as `GET /_nimbus/requests` lists it (the server's own view, imported as a type only). */
type Logged = ReturnType<typeof callView>;

export default function RequestsPage() {
  const [service, setService] = useState('');
  const [status, setStatus] = useState('');
  const [follow, setFollow] = useState(true);
  const query = new URLSearchParams({ limit: '200', ...(service ? { service } : {}), ...(status ? { status } : {}) }).toString();
  const log = useLoad(() => admin<{ total: number; capacity: number; requests: Logged[] }>(`/_nimbus/requests?${query}`), [query]);
  useInterval(log.reload, follow ? 3000 : null);
  const act = useAction();
  const rows = log.data?.requests ?? [];
  const services = [
    ...new Set([
      's3',
      'sqs',
      'sns',
      'dynamodb',
      'lambda',
      'iam',
      'kms',
      'logs',
      'events',
      'cloudtrail',
      'sts',
      ...rows.map((r) => r.service),
    ]),
  ].sort();
  return (
    <div>
      <h1>Request log</h1>
      <Section
        title="Recent calls"
        actions={
          <>
            <label>
              <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} /> Follow
            </label>
            <button onClick={log.reload}>Refresh</button>
            <DeleteButton act={act} text="Clear" run={async () => (await admin('/_nimbus/requests', { method: 'DELETE' }), log.reload())} />
          </>
        }
      >
        <div class="form">
          <SelectField label="Service" aria="Filter by service" value={service} onValue={setService}>
            <option value="">all</option>
            {services.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </SelectField>
          <SelectField label="Status" aria="Filter by status" value={status} onValue={setStatus}>
            <option value="">all</option>
            <option value="2xx">2xx</option>
            <option value="4xx">4xx</option>
            <option value="5xx">5xx</option>
            <option value="error">errors</option>
          </SelectField>
          {log.data ? (
            <span class="muted">
              {log.data.total} calls logged (last {log.data.capacity} kept)
            </span>
          ) : null}
        </div>
        <ActionError act={act} />
        <ResourceTable
          label="Requests"
          load={log}
          empty="No calls match."
          rows={rows}
          rowKey={(r) => r.seq}
          rowProps={(r) => ({ 'data-status': r.status })}
          columns={{
            Time: (r) => fmtDate(r.time),
            Service: (r) => r.service,
            Operation: (r) => r.operation,
            Principal: (r) => <code class="small">{r.principal}</code>,
            Region: (r) => r.region,
            Status: (r) => <StateBadge state={String(r.status)} tone={r.status < 300 ? 'ok' : r.status < 500 ? 'warn' : 'bad'} />,
            Latency: (r) => `${r.latencyMs.toFixed(1)} ms`,
            Error: (r) => (
              <>
                {r.errorCode ? <strong>{r.errorCode}</strong> : null} {r.errorMessage}
                {r.faultId ? <div class="muted small">injected: {r.faultId}</div> : null}
              </>
            ),
          }}
        />
      </Section>
    </div>
  );
}
