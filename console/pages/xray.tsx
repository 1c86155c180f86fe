// X-Ray: trace summaries of the last hours (virtual time) narrowed by a filter expression, and the
// service map of GetServiceGraph drawn as SVG nodes and edges.
import { useState } from 'preact/hooks';
import { XRayClient, GetTraceSummariesCommand, GetServiceGraphCommand, type Service } from '@aws-sdk/client-xray';
import { useClient } from '../lib/session.js';
import { Empty, ErrorBox, Form, Loading, Section, clockWindow, fmtDate, useLoad } from '../lib/ui.js';
import { TextField, WindowField } from '../lib/form.js';
import { ResourceTable, StateBadge } from '../lib/table.js';

const nodeName = (s: Service) => `${s.Name ?? '?'}${s.Type ? ` (${s.Type})` : ''}`;

/** Nodes in columns by their depth from the roots (clients first), edges as lines with arrowheads. */
function ServiceMap({ services }: { services: Service[] }) {
  if (!services.length) return <Empty>No services in this window.</Empty>;
  const byRef = new Map(services.map((s) => [s.ReferenceId!, s]));
  const targets = new Set(services.flatMap((s) => (s.Edges ?? []).map((e) => e.ReferenceId!)));
  const depth = new Map<number, number>();
  const visit = (ref: number, d: number, seen: Set<number>) => {
    if (seen.has(ref)) return;
    seen.add(ref);
    depth.set(ref, Math.max(depth.get(ref) ?? 0, d));
    for (const e of byRef.get(ref)?.Edges ?? []) visit(e.ReferenceId!, d + 1, new Set(seen));
  };
  const roots = services.filter((s) => !targets.has(s.ReferenceId!));
  for (const r of roots.length ? roots : services.slice(0, 1)) visit(r.ReferenceId!, 0, new Set());
  for (const s of services) if (!depth.has(s.ReferenceId!)) depth.set(s.ReferenceId!, 0);
  const columns = new Map<number, number[]>();
  for (const [ref, d] of depth) columns.set(d, [...(columns.get(d) ?? []), ref]);
  const pos = new Map<number, { x: number; y: number }>();
  const W = 200;
  const H = 70;
  for (const [d, refs] of columns) refs.forEach((ref, i) => pos.set(ref, { x: 20 + d * W, y: 20 + i * H }));
  const width = 20 + (Math.max(...columns.keys()) + 1) * W;
  const height = 20 + Math.max(...[...columns.values()].map((c) => c.length)) * H;
  const edges = services.flatMap((s) => (s.Edges ?? []).map((e) => ({ from: s, to: byRef.get(e.ReferenceId!), e })));
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      style={{ maxWidth: `${width}px` }}
      role="img"
      aria-label={`Service map: ${services.length} nodes, ${edges.length} edges`}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto">
          <path d="M0,0 L10,5 L0,10 z" fill="#556" />
        </marker>
      </defs>
      {edges.map(({ from, to, e }) => {
        if (!to) return null;
        const a = pos.get(from.ReferenceId!)!;
        const b = pos.get(to.ReferenceId!)!;
        return (
          <g key={`${from.ReferenceId}-${to.ReferenceId}`} data-edge={`${from.Name} -> ${to.Name}`}>
            <line x1={a.x + 150} y1={a.y + 20} x2={b.x} y2={b.y + 20} stroke="#556" marker-end="url(#arrow)" />
            <title>{`${from.Name} → ${to.Name}: ${e.SummaryStatistics?.TotalCount ?? 0} calls`}</title>
          </g>
        );
      })}
      {services.map((s) => {
        const p = pos.get(s.ReferenceId!)!;
        const st = s.SummaryStatistics;
        const bad = (st?.FaultStatistics?.TotalCount ?? 0) + (st?.ErrorStatistics?.TotalCount ?? 0) > 0;
        return (
          <g key={s.ReferenceId} data-node={s.Name}>
            <rect x={p.x} y={p.y} width={150} height={40} rx={8} fill={bad ? '#fdecec' : '#eef6ff'} stroke={bad ? '#d13212' : '#0972d3'} />
            <text x={p.x + 8} y={p.y + 17} font-size="12">
              {(s.Name ?? '?').slice(0, 22)}
            </text>
            <text x={p.x + 8} y={p.y + 32} font-size="10" fill="#556">
              {s.Type ?? ''} {st?.TotalCount !== undefined ? `· ${st.TotalCount} req` : ''}
            </text>
            <title>{nodeName(s)}</title>
          </g>
        );
      })}
    </svg>
  );
}

export default function XRayPage() {
  const xray = useClient(XRayClient);
  const [hours, setHours] = useState(1);
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const summaries = useLoad(
    async () => xray.send(new GetTraceSummariesCommand({ ...(await clockWindow(hours)), FilterExpression: applied || undefined })),
    [xray, hours, applied],
  );
  const graph = useLoad(async () => xray.send(new GetServiceGraphCommand(await clockWindow(hours))), [xray, hours]);
  return (
    <div>
      <h1>AWS X-Ray</h1>
      <Form onSubmit={() => setApplied(filter)} label="Filter traces">
        <TextField
          label="Filter expression"
          value={filter}
          onValue={setFilter}
          placeholder='service("api") AND responsetime > 1'
          size={40}
        />
        <WindowField hours={[1, 6, 24]} value={hours} onValue={setHours} />
        <button type="submit">Apply</button>
        <button type="button" onClick={() => (summaries.reload(), graph.reload())}>
          Refresh
        </button>
      </Form>
      <Section title="Service map">
        <ErrorBox error={graph.error} />
        {graph.loading && !graph.data ? <Loading /> : graph.data ? <ServiceMap services={graph.data.Services ?? []} /> : null}
      </Section>
      <Section title="Traces">
        <ResourceTable
          label="Traces"
          load={summaries}
          empty="No traces match in this window."
          rows={summaries.data?.TraceSummaries ?? []}
          rowKey={(t) => t.Id!}
          columns={{
            Trace: (t) => <code>{t.Id}</code>,
            Started: { class: 'small', cell: (t) => fmtDate(t.StartTime) },
            'Duration (s)': (t) => t.Duration,
            Status: (t) => (
              <>
                <StateBadge
                  state={t.HasFault ? 'fault' : t.HasThrottle ? 'throttle' : t.HasError ? 'error' : 'ok'}
                  tone={t.HasFault ? 'bad' : t.HasError || t.HasThrottle ? 'warn' : 'ok'}
                />
                {t.Http?.HttpStatus ? ` ${t.Http.HttpStatus}` : ''}
              </>
            ),
            'Method / URL': { class: 'small', cell: (t) => `${t.Http?.HttpMethod ?? ''} ${t.Http?.HttpURL ?? ''}` },
          }}
        />
      </Section>
    </div>
  );
}
