// Amazon SNS: topics (standard and FIFO), subscriptions, Publish/PublishBatch with filter policies,
// fan-out to SQS, HTTP/S, Lambda and recorded endpoints (GET /_nimbus/sns/outbox), mobile push and
// SMS. Each concern lives in its own module.
import type { Runtime, ServiceDefinition } from '../../kit.js';
import type { SnsProvider } from '../../generated/sns.js';
import { SnsState } from './store.js';
import { topicHandlers } from './topics.js';
import { subscriptionHandlers } from './subscriptions.js';
import { Publisher, publishHandlers, snsIntegration } from './publish.js';
import { smsHandlers } from './sms.js';
import { platformHandlers } from './platform.js';
import { adminRoutes } from './admin.js';

function create(rt: Runtime): SnsProvider {
  const s = new SnsState(rt);
  const publisher = new Publisher(s);
  snsIntegration(s, publisher);
  adminRoutes(s);
  return {
    ...platformHandlers(s.stores),
    ...topicHandlers(s),
    ...subscriptionHandlers(s),
    ...publishHandlers(s, publisher),
    ...smsHandlers(s, publisher),
  };
}

// SubscribeURL and UnsubscribeURL are plain GETs anyone holding the token or ARN may follow
export const sns: ServiceDefinition = { name: 'sns', create, anonymous: ['ConfirmSubscription', 'Unsubscribe'] };
