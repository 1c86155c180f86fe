// Amazon SQS: standard and FIFO queues, long polling, dead-letter queues and message move tasks,
// over both its wire protocols (JSON 1.0 and query). SQS validates its own input with its own
// error codes (InvalidParameterValue, MissingParameter, …), so the model's generic validation is off.
import type { Runtime, ServiceDefinition } from '../../kit.js';
import type { SqsProvider } from '../../generated/sqs.js';
import { SqsState } from './store.js';
import { queueHandlers } from './queues.js';
import { policyHandlers } from './policies.js';
import { messageHandlers } from './messages.js';
import { batchHandlers } from './batches.js';
import { moveTaskHandlers } from './move-task-handlers.js';
import { sqsIntegration } from './integration.js';
import { sqsProfile } from './profile.js';
import { startQueueGauges } from './metrics.js';

function create(rt: Runtime): SqsProvider {
  const s = new SqsState(rt);
  rt.integrations.sqs = sqsIntegration(s);
  startQueueGauges(s);
  return {
    ...queueHandlers(s),
    ...policyHandlers(s),
    ...messageHandlers(s),
    ...batchHandlers(s),
    ...moveTaskHandlers(s),
  };
}

export const sqs: ServiceDefinition = { name: 'sqs', create, ...sqsProfile };
