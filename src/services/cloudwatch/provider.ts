// Amazon CloudWatch: metrics (PutMetricData, ListMetrics, GetMetricStatistics, GetMetricData with
// metric math), alarms evaluated on the virtual clock with SNS and Lambda actions, composite alarms,
// dashboards, tags. Served over query, JSON and Smithy RPC v2 CBOR (the gateway picks by request).
import type { CloudwatchProvider } from '../../generated/cloudwatch.js';
import type { Runtime, ServiceDefinition } from '../../kit.js';
import { CloudWatchStore } from './store.js';
import { metricHandlers } from './metrics.js';
import { metricDataHandlers } from './metricdata.js';

function create(rt: Runtime): CloudwatchProvider {
  const made = new Set<CloudWatchStore>();
  const stores = rt.stores('cloudwatch', (scope) => {
    const s = new CloudWatchStore(scope);
    made.add(s);
    return s;
  });
  return {
    ...metricHandlers(rt, stores),
    ...metricDataHandlers(stores),
  };
}

export const cloudwatch: ServiceDefinition = { name: 'cloudwatch', create };
