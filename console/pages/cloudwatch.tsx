// CloudWatch: metrics (namespaces, a chart of one metric's statistic over the last hours) and
// alarms with their state. Times follow the virtual clock (the server's `now`).
import { useState } from 'preact/hooks';
import {
  CloudWatchClient,
  ListMetricsCommand,
  GetMetricStatisticsCommand,
  DescribeAlarmsCommand,
  PutMetricDataCommand,
  type Metric,
  type Datapoint,
} from '@aws-sdk/client-cloudwatch';
import { useClient } from '../lib/session.js';
import { AlarmHistory, CreateAlarm, Dashboards } from '../parts/cloudwatch-alarms.js';
import { Copy, Empty, ErrorBox, Field, Form, Loading, Section, admin, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { PickLink } from '../lib/table.js';

const STATS = ['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'] as const;
type Stat = (typeof STATS)[number];
const label = (m: Metric) => `${m.Namespace} ${m.MetricName}${(m.Dimensions ?? []).map((d) => ` ${d.Name}=${d.Value}`).join('')}`;

function Chart({ points, stat }: { points: Datapoint[]; stat: Stat }) {
  const sorted = [...points].sort((a, b) => +a.Timestamp! - +b.Timestamp!);
  if (sorted.length === 0) return <Empty>No data points in this window.</Empty>;
  const W = 640;
  const H = 180;
  const xs = sorted.map((p) => +p.Timestamp!);
  const ys = sorted.map((p) => p[stat] ?? 0);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  const [y0, y1] = [Math.min(0, ...ys), Math.max(...ys, 1)];
  const px = (x: number) => (x1 === x0 ? W / 2 : ((x - x0) / (x1 - x0)) * (W - 40) + 30);
  const py = (y: number) => H - 20 - ((y - y0) / (y1 - y0 || 1)) * (H - 40);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      width="100%"
      style={{ maxWidth: `${W}px` }}
      role="img"
      aria-label={`${stat} over time, ${sorted.length} points, latest ${ys[ys.length - 1]}, all points add up to ${ys.reduce((a, b) => a + b, 0)}`}
    >
      <line x1={30} y1={H - 20} x2={W - 10} y2={H - 20} stroke="#aab" />
      <text x={2} y={py(y1) + 4} font-size="10">
        {y1}
      </text>
      <text x={2} y={H - 16} font-size="10">
        {y0}
      </text>
      <polyline fill="none" stroke="#0972d3" stroke-width="2" points={sorted.map((p, i) => `${px(xs[i])},${py(ys[i])}`).join(' ')} />
      {sorted.map((p, i) => (
        <circle key={i} cx={px(xs[i])} cy={py(ys[i])} r={3} fill="#0972d3">
          <title>{`${fmtDate(p.Timestamp)}: ${ys[i]}`}</title>
        </circle>
      ))}
    </svg>
  );
}

function MetricView({ cw, metric }: { cw: CloudWatchClient; metric: Metric }) {
  const [stat, setStat] = useState<Stat>('Average');
  const [hours, setHours] = useState(3);
  const data = useLoad(async () => {
    const { epochMs } = await admin<{ epochMs: number }>('/_nimbus/clock');
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: metric.Namespace,
        MetricName: metric.MetricName,
        Dimensions: metric.Dimensions,
        StartTime: new Date(epochMs - hours * 3600_000),
        EndTime: new Date(epochMs + 60_000),
        Period: hours > 24 ? 3600 : 60,
        Statistics: [stat],
      }),
    );
    return out.Datapoints ?? [];
  }, [cw, label(metric), stat, hours]);
  return (
    <Section title={label(metric)} actions={<button onClick={data.reload}>Refresh</button>}>
      <div class="form">
        <Field label="Statistic">
          <select value={stat} onChange={(e) => setStat((e.target as HTMLSelectElement).value as Stat)} aria-label="Statistic">
            {STATS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Window">
          <select value={String(hours)} onChange={(e) => setHours(Number((e.target as HTMLSelectElement).value))} aria-label="Window">
            <option value="1">1 hour</option>
            <option value="3">3 hours</option>
            <option value="24">1 day</option>
            <option value="168">1 week</option>
          </select>
        </Field>
      </div>
      <ErrorBox error={data.error} />
      {data.loading && !data.data ? <Loading /> : data.data ? <Chart points={data.data} stat={stat} /> : null}
    </Section>
  );
}

function PutData({ cw, onDone }: { cw: CloudWatchClient; onDone: () => void }) {
  const [ns, setNs] = useState('MyApp');
  const [name, setName] = useState('Orders');
  const [value, setValue] = useState('1');
  const act = useAction();
  return (
    <>
      <Form
        onSubmit={() =>
          act.run(async () => {
            await cw.send(new PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: name, Value: Number(value) }] }));
            onDone();
          })
        }
        label="Put a data point"
      >
        <Field label="Namespace">
          <input value={ns} onInput={(e) => setNs((e.target as HTMLInputElement).value)} aria-label="Namespace" />
        </Field>
        <Field label="Metric name">
          <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} aria-label="Metric name" />
        </Field>
        <Field label="Value">
          <input value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} aria-label="Value" />
        </Field>
        <button type="submit" disabled={act.busy}>
          Put data point
        </button>
      </Form>
      <ErrorBox error={act.error} onDismiss={act.clear} />
    </>
  );
}

export default function CloudWatchPage() {
  const cw = useClient(CloudWatchClient);
  const metrics = useLoad(() => cw.send(new ListMetricsCommand({})), [cw]);
  const alarms = useLoad(() => cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] })), [cw]);
  const [selected, setSelected] = useState<Metric>();
  const [alarm, setAlarm] = useState<string>();
  const list = metrics.data?.Metrics ?? [];
  const all = [...(alarms.data?.MetricAlarms ?? []), ...(alarms.data?.CompositeAlarms ?? [])];
  return (
    <div>
      <h1>Amazon CloudWatch</h1>
      <Section title="Alarms" actions={<button onClick={alarms.reload}>Refresh</button>}>
        <ErrorBox error={alarms.error} />
        {alarms.loading && !alarms.data ? (
          <Loading />
        ) : all.length === 0 ? (
          alarms.error ? null : (
            <Empty>No alarms in this region.</Empty>
          )
        ) : (
          <table aria-label="Alarms">
            <thead>
              <tr>
                <th>Alarm</th>
                <th>State</th>
                <th>Reason</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {all.map((a) => (
                <tr key={a.AlarmName}>
                  <td>
                    <PickLink href="#/cloudwatch" onPick={() => setAlarm(a.AlarmName)}>
                      {a.AlarmName}
                    </PickLink>
                    <div>
                      <Copy value={a.AlarmArn!} label="alarm ARN" />
                    </div>
                  </td>
                  <td>
                    <span class={`badge ${a.StateValue === 'OK' ? 'ok' : a.StateValue === 'ALARM' ? 'bad' : 'warn'}`}>{a.StateValue}</span>
                  </td>
                  <td class="small">{a.StateReason}</td>
                  <td>{fmtDate(a.StateUpdatedTimestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      {alarm ? <AlarmHistory key={alarm} cw={cw} name={alarm} /> : null}
      <CreateAlarm cw={cw} onDone={(n) => (alarms.reload(), setAlarm(n))} />
      <Dashboards cw={cw} />
      <Section title="Metrics" actions={<button onClick={metrics.reload}>Refresh</button>}>
        <PutData cw={cw} onDone={metrics.reload} />
        <ErrorBox error={metrics.error} />
        {metrics.loading && !metrics.data ? (
          <Loading />
        ) : list.length === 0 ? (
          metrics.error ? null : (
            <Empty>No metrics yet.</Empty>
          )
        ) : (
          <ul>
            {list.map((m) => (
              <li key={label(m)}>
                <PickLink href="#/cloudwatch" onPick={() => setSelected(m)}>
                  {label(m)}
                </PickLink>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {selected ? <MetricView key={label(selected)} cw={cw} metric={selected} /> : null}
    </div>
  );
}
