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
import { Copy, Empty, ErrorBox, Loading, Section, clockWindow, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { PickLink, PickList, ResourceTable, StateBadge } from '../lib/table.js';
import { ActionError, ActionForm, SelectField, TextField, WindowField, useFields } from '../lib/form.js';

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
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: metric.Namespace,
        MetricName: metric.MetricName,
        Dimensions: metric.Dimensions,
        ...(await clockWindow(hours)),
        Period: hours > 24 ? 3600 : 60,
        Statistics: [stat],
      }),
    );
    return out.Datapoints ?? [];
  }, [cw, label(metric), stat, hours]);
  return (
    <Section title={label(metric)} refresh={data.reload}>
      <div class="form">
        <SelectField label="Statistic" value={stat} onValue={(v) => setStat(v as Stat)}>
          {STATS.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </SelectField>
        <WindowField hours={[1, 3, 24, 168]} value={hours} onValue={setHours} />
      </div>
      <ErrorBox error={data.error} />
      {data.loading && !data.data ? <Loading /> : data.data ? <Chart points={data.data} stat={stat} /> : null}
    </Section>
  );
}

function PutData({ cw, onDone }: { cw: CloudWatchClient; onDone: () => void }) {
  const { values: f, bind } = useFields({ ns: 'MyApp', name: 'Orders', value: '1' });
  const act = useAction();
  const put = async () => {
    await cw.send(new PutMetricDataCommand({ Namespace: f.ns, MetricData: [{ MetricName: f.name, Value: Number(f.value) }] }));
    onDone();
  };
  return (
    <>
      <ActionForm label="Put a data point" submit="Put data point" act={act} run={put}>
        <TextField label="Namespace" {...bind('ns')} />
        <TextField label="Metric name" {...bind('name')} />
        <TextField label="Value" {...bind('value')} />
      </ActionForm>
      <ActionError act={act} />
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
      <Section title="Alarms" refresh={alarms.reload}>
        <ResourceTable
          label="Alarms"
          load={alarms}
          empty="No alarms in this region."
          rows={all}
          rowKey={(a) => a.AlarmName!}
          columns={{
            Alarm: (a) => (
              <>
                <PickLink href="#/cloudwatch" onPick={() => setAlarm(a.AlarmName)}>
                  {a.AlarmName}
                </PickLink>
                <div>
                  <Copy value={a.AlarmArn!} label="alarm ARN" />
                </div>
              </>
            ),
            State: (a) => <StateBadge state={a.StateValue} />,
            Reason: { class: 'small', cell: (a) => a.StateReason },
            Updated: (a) => fmtDate(a.StateUpdatedTimestamp),
          }}
        />
      </Section>
      {alarm ? <AlarmHistory key={alarm} cw={cw} name={alarm} /> : null}
      <CreateAlarm cw={cw} onDone={(n) => (alarms.reload(), setAlarm(n))} />
      <Dashboards cw={cw} />
      <Section title="Metrics" refresh={metrics.reload}>
        <PutData cw={cw} onDone={metrics.reload} />
        <PickList
          href="#/cloudwatch"
          load={metrics}
          empty="No metrics yet."
          items={list}
          id={label}
          selected={selected && label(selected)}
          onPick={(id) => setSelected(list.find((m) => label(m) === id))}
        />
      </Section>
      {selected ? <MetricView key={label(selected)} cw={cw} metric={selected} /> : null}
    </div>
  );
}
