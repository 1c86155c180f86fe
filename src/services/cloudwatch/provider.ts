// Amazon CloudWatch: metrics (PutMetricData, ListMetrics, GetMetricStatistics, GetMetricData with
// metric math), alarms evaluated on the virtual clock with SNS and Lambda actions, composite alarms,
// dashboards, tags. Served over query, JSON and Smithy RPC v2 CBOR (the gateway picks by request).
import type { CloudwatchProvider } from '../../generated/cloudwatch.js';
import { ServiceError, loadModel, validateInput, type Provider, type Runtime, type ServiceDefinition } from '../../kit.js';
import { CloudWatchStore, SEP } from './store.js';
import { metricHandlers } from './metrics.js';
import { metricDataHandlers } from './metricdata.js';
import { alarmHandlers } from './alarms.js';
import { AlarmEngine } from './alarm-engine.js';
import { dashboardHandlers } from './dashboards.js';
import { tagHandlers } from './tags.js';
import { anomalyHandlers } from './anomaly.js';
import { streamHandlers } from './streams.js';
import { insightHandlers } from './insights.js';
import { MetricAggregator } from './integration.js';
import { RETENTION_MS } from './validate.js';

/** how often (real time) published aggregates are written and due alarms evaluated without a clock advance */
const TICK_MS = 5_000;

function create(rt: Runtime): CloudwatchProvider {
  const made = new Set<CloudWatchStore>();
  const stores = rt.stores('cloudwatch', (scope) => {
    const s = new CloudWatchStore(scope);
    made.add(s);
    return s;
  });
  const engine = new AlarmEngine(rt, made);
  // after a restart: the stores that hold alarms take part in the ticks again
  for (const [key] of [...stores.system().alarmScopes.scan()]) {
    const [account, region] = key.split(SEP);
    stores.get(account, region);
  }
  const aggregator = new MetricAggregator(rt, stores);
  rt.integrations.cloudwatch = { putMetricData: (account, region, namespace, data) => aggregator.add(account, region, namespace, data) };
  const tick = () => {
    aggregator.flush();
    engine.tick(rt.clock.nowMs());
  };
  let lastPurge = 0;
  rt.clock.onAdvance((now) => {
    tick();
    // retention: a sweep at most once a virtual day
    if (now.getTime() - lastPurge > 86_400_000) {
      lastPurge = now.getTime();
      made.forEach((s) => s.purge(now.getTime() - RETENTION_MS));
    }
    return engine.actions.settled();
  });
  const timer = setInterval(tick, TICK_MS);
  timer.unref();
  rt.onClose(() => clearInterval(timer));

  const handlers: Provider = {
    ...metricHandlers(rt, stores),
    ...metricDataHandlers(stores),
    ...alarmHandlers(rt, stores, engine),
    ...dashboardHandlers(stores),
    ...tagHandlers(stores),
    ...anomalyHandlers(stores),
    ...streamHandlers(stores),
    ...insightHandlers(rt, stores),
  };
  const reads = new Set(['ListMetrics', 'GetMetricStatistics', 'GetMetricData', 'DescribeAlarms', 'DescribeAnomalyDetectors']);
  for (const [op, h] of Object.entries(handlers)) {
    handlers[op] = (input, ctx) => {
      try {
        // the model is read on the first call (loadModel keeps it), not at startup
        const model = loadModel('cloudwatch');
        if (model) validateInput(model, op, input, 'query');
      } catch (e) {
        // CloudWatch names a broken model constraint ValidationError (the query code), not ValidationException
        if (e instanceof ServiceError && e.code === 'ValidationException') throw new ServiceError('ValidationError', e.message, 400);
        throw e;
      }
      // reads see what other services published a moment ago
      if (reads.has(op)) aggregator.flush();
      return h!(input, ctx);
    };
  }
  return handlers as CloudwatchProvider;
}

export const cloudwatch: ServiceDefinition = { name: 'cloudwatch', create, validateInput: false };
