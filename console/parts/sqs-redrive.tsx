// SQS dead-letter queues: set a queue's redrive policy, and for a dead-letter queue, move its
// messages back to their sources (StartMessageMoveTask) and follow the move tasks.
import { useState } from 'preact/hooks';
import {
  SQSClient,
  SetQueueAttributesCommand,
  ListDeadLetterSourceQueuesCommand,
  StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
} from '@aws-sdk/client-sqs';
import { ErrorBox, Field, Form, fmtDate, useAction, useLoad } from '../lib/ui.js';

export function Redrive({
  sqs,
  url,
  arn,
  redrivePolicy,
  onChange,
}: {
  sqs: SQSClient;
  url: string;
  arn: string;
  redrivePolicy?: string;
  onChange: () => void;
}) {
  const current = redrivePolicy
    ? (JSON.parse(redrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string })
    : undefined;
  const [target, setTarget] = useState(current?.deadLetterTargetArn ?? '');
  const [max, setMax] = useState(String(current?.maxReceiveCount ?? '3'));
  const sources = useLoad(() => sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: url })), [sqs, url]);
  const tasks = useLoad(() => sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arn })), [sqs, arn]);
  const act = useAction();
  const isDlq = (sources.data?.queueUrls ?? []).length > 0;
  return (
    <div>
      <h3>Dead-letter queue</h3>
      <Form
        onSubmit={() =>
          act.run(async () => {
            const RedrivePolicy = target ? JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: Number(max) }) : '';
            await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy } }));
            onChange();
          })
        }
        label="Redrive policy"
      >
        <Field label="Dead-letter queue ARN (blank: none)">
          <input
            value={target}
            onInput={(e) => setTarget((e.target as HTMLInputElement).value)}
            aria-label="Dead-letter queue ARN"
            size={50}
          />
        </Field>
        <Field label="Maximum receives">
          <input type="number" value={max} onInput={(e) => setMax((e.target as HTMLInputElement).value)} aria-label="Maximum receives" />
        </Field>
        <button type="submit" disabled={act.busy}>
          Save redrive policy
        </button>
      </Form>
      {isDlq ? (
        <div>
          <p>
            This is the dead-letter queue of {(sources.data?.queueUrls ?? []).map((u) => u.split('/').pop()).join(', ')}.{' '}
            <button
              onClick={() =>
                act.run(async () => {
                  await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn }));
                  tasks.reload();
                  onChange();
                })
              }
            >
              Redrive messages to their sources
            </button>
          </p>
          {(tasks.data?.Results ?? []).map((t) => (
            <p key={t.TaskHandle ?? t.StartedTimestamp} class="small" data-testid="move-task">
              Move task {t.Status}: {t.ApproximateNumberOfMessagesMoved} moved of {t.ApproximateNumberOfMessagesToMove ?? '?'}, started{' '}
              {fmtDate(t.StartedTimestamp)}
              {t.FailureReason ? ` (${t.FailureReason})` : ''}
            </p>
          ))}
        </div>
      ) : null}
      <ErrorBox error={act.error ?? sources.error} onDismiss={act.error ? act.clear : undefined} />
    </div>
  );
}
