// What CloudWatch offers other services: putMetricData for their standard metrics. A call only adds
// to an in-memory aggregate per metric and minute (no disk write on the caller's path); the
// aggregates are written as statistic sets every few seconds, when the clock moves, and before any
// read of metrics or alarm evaluation.
import type { Runtime, Stores } from '../../kit.js';
import type { Integrations } from '../../kit.js';
import { metricKey, type CloudWatchStore } from './store.js';

interface Pending {
  account: string;
  region: string;
  namespace: string;
  name: string;
  dims?: Array<{ Name: string; Value: string }>;
  unit?: string;
  t: number;
  n: number;
  s: number;
  mn: number;
  mx: number;
}

export class MetricAggregator {
  private pending = new Map<string, Pending>();

  constructor(
    private readonly rt: Runtime,
    private readonly stores: Stores<CloudWatchStore>,
  ) {}

  add(
    account: string,
    region: string,
    namespace: string,
    data: Parameters<NonNullable<Integrations['cloudwatch']>['putMetricData']>[3],
  ): void {
    const now = this.rt.clock.nowMs();
    for (const d of data) {
      if (!Number.isFinite(d.Value)) continue;
      const t = Math.floor((d.Timestamp ?? now) / 60_000) * 60_000;
      const key = `${account}|${region}|${metricKey(namespace, d.MetricName, d.Dimensions)}|${d.Unit ?? ''}|${t}`;
      const p = this.pending.get(key);
      if (p) {
        p.n++;
        p.s += d.Value;
        p.mn = Math.min(p.mn, d.Value);
        p.mx = Math.max(p.mx, d.Value);
      } else {
        this.pending.set(key, {
          account,
          region,
          namespace,
          name: d.MetricName,
          dims: d.Dimensions,
          unit: d.Unit,
          t,
          n: 1,
          s: d.Value,
          mn: d.Value,
          mx: d.Value,
        });
      }
    }
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const now = this.rt.clock.nowMs();
    for (const p of batch) {
      const point = { t: p.t, n: p.n, s: p.s, mn: p.mn, mx: p.mx, ...(p.unit ? { u: p.unit } : {}) };
      this.stores.get(p.account, p.region).put(p.namespace, p.name, p.dims, point, now);
    }
  }
}
