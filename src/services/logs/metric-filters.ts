// Metric filters at work: the events a PutLogEvents stores that match a group's metric filters are
// published as CloudWatch metrics (metricValue a number, `$.json.field` or `$delimitedField`,
// dimensions from fields, unit; defaultValue when a batch holds no match). Groups without metric
// filters cost one field read; compiled patterns are cached by their text.
import type { Runtime, Stores } from '../../kit.js';
import { compilePattern, type Matcher } from './pattern.js';
import { SEP, type GroupRecord, type LogsStore } from './store.js';
import type { StoredEvent } from './events.js';

interface Transformation {
  metricName: string;
  metricNamespace: string;
  metricValue: string;
  defaultValue?: number;
  dimensions?: Record<string, string>;
  unit?: string;
}
type Datum = { MetricName: string; Dimensions?: Array<{ Name: string; Value: string }>; Value: number; Unit?: string; Timestamp?: number };

/** `$.a.b[0]` of a JSON message, or `$name` of a space-delimited pattern's extraction. */
function field(
  ref: string,
  message: string,
  extracted: Record<string, string>,
  json: { doc?: unknown; parsed?: boolean },
): string | undefined {
  if (!ref.startsWith('$.')) return ref.startsWith('$') ? extracted[ref] : ref;
  if (!json.parsed) {
    json.parsed = true;
    try {
      json.doc = JSON.parse(message.slice(Math.max(0, message.indexOf('{'))));
    } catch {
      json.doc = undefined;
    }
  }
  let cur: unknown = json.doc;
  for (const step of ref.slice(2).split(/\.|(?=\[)/)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const idx = /^\[(\d+)\]$/.exec(step);
    cur = idx ? (cur as unknown[])[Number(idx[1])] : (cur as Record<string, unknown>)[step];
  }
  return cur === undefined || cur === null || typeof cur === 'object' ? undefined : String(cur);
}

export class MetricFilterPublisher {
  private readonly matchers = new Map<string, Matcher>();

  constructor(
    private readonly rt: Runtime,
    private readonly stores: Stores<LogsStore>,
  ) {}

  private matcher(pattern: string): Matcher | undefined {
    let m = this.matchers.get(pattern);
    if (!m) {
      try {
        m = compilePattern(pattern);
      } catch {
        return undefined;
      }
      if (this.matchers.size > 1000) this.matchers.clear();
      this.matchers.set(pattern, m);
    }
    return m;
  }

  deliver(ctx: { account: string; region: string }, g: GroupRecord, events: StoredEvent[]): void {
    const cw = this.rt.integrations.cloudwatch;
    if (!cw || !g.metricFilterCount) return;
    const byNamespace = new Map<string, Datum[]>();
    const out = (ns: string, d: Datum) => (byNamespace.get(ns) ?? byNamespace.set(ns, []).get(ns)!).push(d);
    for (const [, f] of this.stores.get(ctx.account, ctx.region).metricFilters.scan({ prefix: g.name + SEP })) {
      const match = this.matcher(f.filterPattern);
      if (!match) continue;
      const ts = f.metricTransformations as Transformation[];
      let hits = 0;
      for (const e of events) {
        const extracted = match(e.message);
        if (!extracted) continue;
        hits++;
        const json = {};
        for (const t of ts) {
          const value = Number(field(t.metricValue, e.message, extracted, json));
          if (!Number.isFinite(value)) continue;
          const dims = Object.entries(t.dimensions ?? {}).map(([Name, ref]) => ({
            Name,
            Value: field(ref, e.message, extracted, json) ?? '',
          }));
          if (dims.some((d) => d.Value === '')) continue;
          out(t.metricNamespace, {
            MetricName: t.metricName,
            ...(dims.length ? { Dimensions: dims } : {}),
            Value: value,
            Unit: t.unit ?? 'None',
            Timestamp: e.timestamp,
          });
        }
      }
      if (hits) continue;
      const last = events[events.length - 1];
      for (const t of ts) {
        if (t.defaultValue !== undefined)
          out(t.metricNamespace, { MetricName: t.metricName, Value: t.defaultValue, Unit: t.unit ?? 'None', Timestamp: last?.timestamp });
      }
    }
    for (const [ns, data] of byNamespace) cw.putMetricData(ctx.account, ctx.region, ns, data);
  }
}
