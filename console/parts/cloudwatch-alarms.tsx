// The CloudWatch page's alarm tools: create a metric alarm (metric, statistic, threshold, an SNS
// topic as its action), an alarm's state history, and the account's dashboards.
import { useState } from 'preact/hooks';
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  DescribeAlarmHistoryCommand,
  ListDashboardsCommand,
  type ComparisonOperator,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import { SNSClient, ListTopicsCommand } from '@aws-sdk/client-sns';
import { useClient } from '../lib/session.js';
import { Empty, ErrorBox, Field, Form, Loading, Section, fmtBytes, fmtDate, useAction, useLoad } from '../lib/ui.js';

const val = (e: Event) => (e.target as HTMLInputElement).value;
const OPS: [ComparisonOperator, string][] = [
  ['GreaterThanThreshold', '>'],
  ['GreaterThanOrEqualToThreshold', '>='],
  ['LessThanThreshold', '<'],
  ['LessThanOrEqualToThreshold', '<='],
];

export function CreateAlarm({ cw, onDone }: { cw: CloudWatchClient; onDone: (name: string) => void }) {
  const sns = useClient(SNSClient);
  const topics = useLoad(() => sns.send(new ListTopicsCommand({})), [sns]);
  const [f, setF] = useState({
    name: '',
    ns: 'MyApp',
    metric: 'Orders',
    stat: 'Average',
    period: '60',
    evals: '1',
    op: 'GreaterThanThreshold',
    threshold: '10',
    topic: '',
  });
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: val(e) });
  const act = useAction();
  return (
    <Section title="Create an alarm">
      <Form
        label="Create an alarm"
        onSubmit={() =>
          act.run(async () => {
            await cw.send(
              new PutMetricAlarmCommand({
                AlarmName: f.name,
                Namespace: f.ns,
                MetricName: f.metric,
                Statistic: f.stat as Statistic,
                Period: Number(f.period),
                EvaluationPeriods: Number(f.evals),
                ComparisonOperator: f.op as ComparisonOperator,
                Threshold: Number(f.threshold),
                AlarmActions: f.topic ? [f.topic] : undefined,
              }),
            );
            onDone(f.name);
          })
        }
      >
        <Field label="Alarm name">
          <input value={f.name} onInput={set('name')} aria-label="Alarm name" />
        </Field>
        <Field label="Namespace">
          <input value={f.ns} onInput={set('ns')} aria-label="Alarm namespace" />
        </Field>
        <Field label="Metric">
          <input value={f.metric} onInput={set('metric')} aria-label="Alarm metric" />
        </Field>
        <Field label="Statistic">
          <select value={f.stat} onChange={set('stat')} aria-label="Alarm statistic">
            {['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </Field>
        <Field label="Period (s)">
          <input value={f.period} onInput={set('period')} aria-label="Period" size={5} />
        </Field>
        <Field label="Evaluation periods">
          <input value={f.evals} onInput={set('evals')} aria-label="Evaluation periods" size={3} />
        </Field>
        <Field label="Condition">
          <select value={f.op} onChange={set('op')} aria-label="Condition">
            {OPS.map(([v, s]) => (
              <option key={v} value={v}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Threshold">
          <input value={f.threshold} onInput={set('threshold')} aria-label="Threshold" size={6} />
        </Field>
        <Field label="Notify (SNS topic)">
          <select value={f.topic} onChange={set('topic')} aria-label="SNS topic">
            <option value="">No action</option>
            {(topics.data?.Topics ?? []).map((t) => (
              <option key={t.TopicArn} value={t.TopicArn}>
                {t.TopicArn!.split(':').pop()}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" disabled={act.busy}>
          Create alarm
        </button>
      </Form>
      <ErrorBox error={act.error ?? topics.error} onDismiss={act.clear} />
    </Section>
  );
}

export function AlarmHistory({ cw, name }: { cw: CloudWatchClient; name: string }) {
  const h = useLoad(() => cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, ScanBy: 'TimestampDescending' })), [cw, name]);
  const items = h.data?.AlarmHistoryItems ?? [];
  return (
    <Section title={`History of ${name}`} actions={<button onClick={h.reload}>Refresh history</button>}>
      <ErrorBox error={h.error} />
      {h.loading && !h.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>No history yet.</Empty>
      ) : (
        <table aria-label="Alarm history">
          <thead>
            <tr>
              <th>Time</th>
              <th>Type</th>
              <th>Summary</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i, n) => (
              <tr key={n}>
                <td class="small">{fmtDate(i.Timestamp)}</td>
                <td>{i.HistoryItemType}</td>
                <td>{i.HistorySummary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function Dashboards({ cw }: { cw: CloudWatchClient }) {
  const d = useLoad(() => cw.send(new ListDashboardsCommand({})), [cw]);
  const list = d.data?.DashboardEntries ?? [];
  return (
    <Section title="Dashboards" actions={<button onClick={d.reload}>Refresh</button>}>
      <ErrorBox error={d.error} />
      {d.loading && !d.data ? (
        <Loading />
      ) : list.length === 0 ? (
        d.error ? null : (
          <Empty>No dashboards in this account.</Empty>
        )
      ) : (
        <table aria-label="Dashboards">
          <thead>
            <tr>
              <th>Dashboard</th>
              <th>Modified</th>
              <th>Size</th>
            </tr>
          </thead>
          <tbody>
            {list.map((x) => (
              <tr key={x.DashboardName}>
                <td>{x.DashboardName}</td>
                <td class="small">{fmtDate(x.LastModified)}</td>
                <td>{fmtBytes(x.Size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}
