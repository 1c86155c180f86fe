// Amazon CloudWatch Logs: log groups and streams, events (put, get, filter with the filter pattern
// language), retention on the virtual clock, tags, metric and subscription filters, Logs Insights.
import { ServiceError, loadModel, validateInput, type Runtime, type ServiceDefinition, type Provider } from '../../kit.js';
import type { LogsProvider } from '../../generated/logs.js';
import { LogsStore } from './store.js';
import { groupHandlers } from './groups.js';
import { streamHandlers } from './streams.js';
import { eventHandlers, type IngestListener } from './events.js';
import { LiveTails } from './live-tail.js';
import { purgeExpired } from './retention.js';
import { logsIntegration } from './integration.js';
import { filterHandlers, Subscriptions } from './filters.js';
import { insightsHandlers } from './insights-handlers.js';
import { MetricFilterPublisher } from './metric-filters.js';

function create(rt: Runtime): LogsProvider {
  /** every store made in this runtime, for the retention sweep when the clock moves */
  const made = new Set<LogsStore>();
  const stores = rt.stores('logs', (scope) => {
    const s = new LogsStore(scope);
    made.add(s);
    return s;
  });
  rt.clock.onAdvance(() => made.forEach((s) => purgeExpired(rt, s, rt.clock.nowMs())));
  const subscriptions = new Subscriptions(rt, stores);
  const tails = new LiveTails(rt, stores);
  const metricFilters = new MetricFilterPublisher(rt, stores);
  const onIngest: IngestListener = (ctx, g, stream, events) => {
    subscriptions.deliver(ctx, g, stream, events);
    tails.deliver(ctx, g, stream, events);
    metricFilters.deliver(ctx, g, events);
  };
  rt.integrations.logs = logsIntegration(rt, stores, onIngest);
  return invalidParameters({
    ...groupHandlers(rt, stores),
    ...streamHandlers(rt, stores),
    ...eventHandlers(rt, stores, onIngest),
    ...filterHandlers(rt, stores),
    ...insightsHandlers(rt, stores),
    StartLiveTail: tails.handler(),
  });
}

/**
 * CloudWatch Logs answers a request that breaks the model's constraints with InvalidParameterException
 * ("1 validation error detected: …"), not the generic ValidationException: the check runs here.
 */
function invalidParameters(handlers: LogsProvider): LogsProvider {
  const wrapped: Provider = {};
  for (const [operation, handler] of Object.entries(handlers as Provider)) {
    wrapped[operation] = (input: Record<string, unknown>, ctx) => {
      try {
        // the model is read on the first call (loadModel keeps it), not at startup
        const model = loadModel('logs');
        if (model) validateInput(model, operation, input, 'json');
      } catch (e) {
        if (e instanceof ServiceError && e.code === 'ValidationException')
          throw new ServiceError('InvalidParameterException', e.message, 400);
        throw e;
      }
      return handler!(input, ctx);
    };
  }
  return wrapped as LogsProvider;
}

export const logs: ServiceDefinition = { name: 'logs', create, validateInput: false };
