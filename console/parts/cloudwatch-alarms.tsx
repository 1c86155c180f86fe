// The CloudWatch page's alarm tools: create a metric alarm (metric, statistic, threshold, an SNS
// topic as its action), an alarm's state history, and the account's dashboards.
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
import { Section, fmtBytes, fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, SelectField, TextField, useFields } from '../lib/form.js';
import { ResourceTable } from '../lib/table.js';

const OPS: [ComparisonOperator, string][] = [
  ['GreaterThanThreshold', '>'],
  ['GreaterThanOrEqualToThreshold', '>='],
  ['LessThanThreshold', '<'],
  ['LessThanOrEqualToThreshold', '<='],
];

export function CreateAlarm({ cw, onDone }: { cw: CloudWatchClient; onDone: (name: string) => void }) {
  const sns = useClient(SNSClient);
  const topics = useLoad(() => sns.send(new ListTopicsCommand({})), [sns]);
  const {
    values: f,
    set,
    bind,
  } = useFields({
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
  const act = useAction();
  const create = async () => {
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
    // the name is cleared for the next alarm; the metric and condition stay for a similar one
    set('name', '');
    onDone(f.name);
  };
  return (
    <Section title="Create an alarm">
      <ActionForm label="Create an alarm" submit="Create alarm" act={act} run={create}>
        <TextField label="Alarm name" {...bind('name')} />
        <TextField label="Namespace" aria="Alarm namespace" {...bind('ns')} />
        <TextField label="Metric" aria="Alarm metric" {...bind('metric')} />
        <SelectField label="Statistic" aria="Alarm statistic" {...bind('stat')}>
          {['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </SelectField>
        <TextField label="Period (s)" aria="Period" size={5} {...bind('period')} />
        <TextField label="Evaluation periods" size={3} {...bind('evals')} />
        <SelectField label="Condition" {...bind('op')}>
          {OPS.map(([v, s]) => (
            <option key={v} value={v}>
              {s}
            </option>
          ))}
        </SelectField>
        <TextField label="Threshold" size={6} {...bind('threshold')} />
        <SelectField label="Notify (SNS topic)" aria="SNS topic" {...bind('topic')}>
          <option value="">No action</option>
          {(topics.data?.Topics ?? []).map((t) => (
            <option key={t.TopicArn} value={t.TopicArn}>
              {t.TopicArn!.split(':').pop()}
            </option>
          ))}
        </SelectField>
      </ActionForm>
      <ActionError act={act} also={[topics.error]} />
    </Section>
  );
}

export function AlarmHistory({ cw, name }: { cw: CloudWatchClient; name: string }) {
  const h = useLoad(() => cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, ScanBy: 'TimestampDescending' })), [cw, name]);
  return (
    <Section title={`History of ${name}`} actions={<button onClick={h.reload}>Refresh history</button>}>
      <ResourceTable
        label="Alarm history"
        load={h}
        empty="No history yet."
        rows={h.data?.AlarmHistoryItems ?? []}
        rowKey={(_i, n) => n}
        columns={{
          Time: { class: 'small', cell: (i) => fmtDate(i.Timestamp) },
          Type: (i) => i.HistoryItemType,
          Summary: (i) => i.HistorySummary,
        }}
      />
    </Section>
  );
}

export function Dashboards({ cw }: { cw: CloudWatchClient }) {
  const d = useLoad(() => cw.send(new ListDashboardsCommand({})), [cw]);
  return (
    <Section title="Dashboards" refresh={d.reload}>
      <ResourceTable
        label="Dashboards"
        load={d}
        empty="No dashboards in this account."
        rows={d.data?.DashboardEntries ?? []}
        rowKey={(x) => x.DashboardName!}
        columns={{
          Dashboard: (x) => x.DashboardName,
          Modified: { class: 'small', cell: (x) => fmtDate(x.LastModified) },
          Size: (x) => fmtBytes(x.Size),
        }}
      />
    </Section>
  );
}
