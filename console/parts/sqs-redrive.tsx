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
import { fmtDate, useAction, useLoad } from '../lib/ui.js';
import { ActionError, ActionForm, TextField } from '../lib/form.js';

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
  const save = async () => {
    const RedrivePolicy = target ? JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: Number(max) }) : '';
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { RedrivePolicy } }));
    onChange();
  };
  const redrive = async () => {
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arn }));
    tasks.reload();
    onChange();
  };
  return (
    <div>
      <h3>Dead-letter queue</h3>
      <ActionForm label="Redrive policy" submit="Save redrive policy" act={act} run={save}>
        <TextField label="Dead-letter queue ARN (blank: none)" aria="Dead-letter queue ARN" size={50} value={target} onValue={setTarget} />
        <TextField label="Maximum receives" type="number" value={max} onValue={setMax} />
      </ActionForm>
      {isDlq ? (
        <div>
          <p>
            This is the dead-letter queue of {(sources.data?.queueUrls ?? []).map((u) => u.split('/').pop()).join(', ')}.{' '}
            <button disabled={act.busy} onClick={() => act.run(redrive)}>
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
      <ActionError act={act} also={[sources.error, isDlq ? tasks.error : undefined]} />
    </div>
  );
}
