// The message move task actions: StartMessageMoveTask, CancelMessageMoveTask, ListMessageMoveTasks.
// The tasks themselves run in move-tasks.ts.
import { ServiceError } from '../../kit.js';
import type { SqsProvider, ListMessageMoveTasksResultEntry } from '../../generated/sqs.js';
import { type SqsState, QUEUE_ARN } from './store.js';
import { MoveTasks, type MoveTask } from './move-tasks.js';
import { checkInt, invalidParameter, missingParameter } from './attributes.js';
import { token, untoken } from './validate.js';
import { moveMessage } from './send.js';

const notFound = (param: string) =>
  new ServiceError('ResourceNotFoundException', `The resource that you specified for the ${param} parameter doesn't exist.`, 404);

function taskEntry(t: MoveTask): ListMessageMoveTasksResultEntry {
  return {
    ...(t.status === 'RUNNING' ? { TaskHandle: token(JSON.stringify({ taskId: t.id, sourceArn: t.sourceArn })) } : {}),
    Status: t.status,
    SourceArn: t.sourceArn,
    ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
    ...(t.rate !== undefined ? { MaxNumberOfMessagesPerSecond: t.rate } : {}),
    ApproximateNumberOfMessagesMoved: t.moved,
    ApproximateNumberOfMessagesToMove: t.toMove,
    ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
    StartedTimestamp: t.startedMs,
  };
}

type Handlers = Pick<SqsProvider, 'StartMessageMoveTask' | 'CancelMessageMoveTask' | 'ListMessageMoveTasks'>;

export function moveTaskHandlers(s: SqsState): Handlers {
  const moveTasks = new MoveTasks(s.rt, {
    byArn: (arn) => s.byArn(arn),
    records: (arn) => {
      const m = QUEUE_ARN.exec(arn)!;
      return s.store(m[2], m[1]).tasks;
    },
    moveMessage: (from, m, to) => moveMessage(s, from, m, to),
    active: s.stores.system().activeTasks,
  });
  moveTasks.resume();

  const isDeadLetterQueue = (arn: string) => {
    const m = QUEUE_ARN.exec(arn)!;
    for (const [name] of s.store(m[2], m[1]).queues.scan()) {
      const p = s.lookup(m[2], m[1], name)?.rec.attributes.RedrivePolicy;
      if (p && JSON.parse(p).deadLetterTargetArn === arn) return true;
    }
    return false;
  };

  return {
    StartMessageMoveTask: ({ SourceArn, DestinationArn, MaxNumberOfMessagesPerSecond }) => {
      if (!SourceArn) throw missingParameter('SourceArn');
      const source = s.byArn(SourceArn);
      if (!source) throw notFound('SourceArn');
      if (!isDeadLetterQueue(SourceArn)) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
      if (DestinationArn && !s.byArn(DestinationArn)) throw notFound('DestinationArn');
      checkInt(
        MaxNumberOfMessagesPerSecond,
        'MaxNumberOfMessagesPerSecond',
        1,
        500,
        'MaxNumberOfMessagesPerSecond must be between 1 and 500.',
      );
      if (moveTasks.runningFor(SourceArn)) {
        throw invalidParameter('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
      }
      const t = moveTasks.start(SourceArn, DestinationArn, MaxNumberOfMessagesPerSecond, source.counts(s.rt.clock.nowMs()).visible);
      return { TaskHandle: taskEntry(t).TaskHandle };
    },

    CancelMessageMoveTask: ({ TaskHandle }) => {
      let id: string | undefined;
      try {
        id = JSON.parse(untoken(TaskHandle) ?? '').taskId;
      } catch {
        throw invalidParameter('Value for parameter TaskHandle is invalid.');
      }
      const t = typeof id === 'string' ? moveTasks.cancel(id) : undefined;
      if (!t) throw new ServiceError('ResourceNotFoundException', 'Task does not exist.', 404);
      return { ApproximateNumberOfMessagesMoved: t.moved };
    },

    ListMessageMoveTasks: ({ SourceArn, MaxResults }) => {
      if (!SourceArn) throw missingParameter('SourceArn');
      if (!QUEUE_ARN.test(SourceArn)) {
        throw invalidParameter(
          'You must use this format to specify the SourceArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>',
        );
      }
      if (!s.byArn(SourceArn)) throw notFound('SourceArn');
      checkInt(MaxResults, 'MaxResults', 1, 10, 'MaxResults must be an integer between 1 and 10.');
      return { Results: moveTasks.list(SourceArn, MaxResults ?? 1).map(taskEntry) };
    },
  };
}
