// GetMetricData: MetricStat queries and metric math expressions over them (in dependency order),
// SEARCH over the account's metrics, labels, ScanBy, MaxDatapoints paging and per-result messages.
// `runQueries` is also what metric math alarms evaluate.
import { createHash } from 'node:crypto';
import { ServiceError } from '../../kit.js';
import type { CloudwatchProvider, MetricDataQuery, MetricDataResult, MessageData } from '../../generated/cloudwatch.js';
import type { Stores } from '../../kit.js';
import type { CloudWatchStore, MetricRecord } from './store.js';
import { parseStat } from './stats.js';
import { statSeries, type Period } from './series.js';
import { validPeriod, checkDimensions } from './validate.js';
import { parseExpression, referencedIds, MathError, type Node } from './math-parse.js';
import { evaluate, type Series, type Value } from './math-eval.js';
import { compileSearch, SearchError } from './search.js';
import { anomalyBand, exclusionsOf, TRAINING_MS } from './anomaly-model.js';

const MAX_QUERIES = 500;
const DEFAULT_MAX_DATAPOINTS = 100_800;
const ID = /^[a-z][a-zA-Z0-9_]*$/;
const NON_NUMERIC = 'One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)';

const validation = (message: string) => new ServiceError('ValidationError', message, 400);

export interface QueryResult {
  id: string;
  label: string;
  series: Series;
  returnData: boolean;
  messages: MessageData[];
}

/** Checks the queries' shape as CloudWatch does (ids, exactly one of MetricStat and Expression, stats, periods). */
export function checkQueries(queries: MetricDataQuery[], param = 'MetricDataQueries'): void {
  if (queries.length === 0) throw new ServiceError('MissingParameter', `The parameter ${param} is required.`, 400);
  if (queries.length > MAX_QUERIES) throw validation(`The collection ${param} must not have a size greater than ${MAX_QUERIES}.`);
  const ids = new Set<string>();
  queries.forEach((q, i) => {
    const at = `${param}.member.${i + 1}`;
    if (!ID.test(q.Id ?? ''))
      throw validation(
        `The value ${q.Id} for parameter ${at}.Id is invalid. It must start with a lowercase letter and contain only letters, numbers and underscores.`,
      );
    if (ids.has(q.Id)) throw validation(`The value ${q.Id} for parameter ${at}.Id is duplicated. Each Id must be unique.`);
    ids.add(q.Id);
    if (q.MetricStat && q.Expression !== undefined)
      throw validation('The parameters MetricDataQuery Expression and MetricStat are mutually exclusive and you have specified both.');
    if (!q.MetricStat && q.Expression === undefined) throw validation(`The parameter ${at} must specify either Expression or MetricStat.`);
    if (q.MetricStat) {
      if (!parseStat(q.MetricStat.Stat)) throw validation(`The value for parameter ${at}.MetricStat.Stat is not a valid statistic.`);
      if (!validPeriod(q.MetricStat.Period))
        throw validation(
          `The value ${q.MetricStat.Period} for parameter ${at}.MetricStat.Period is invalid. It must be 1, 5, 10, 20, 30, 60, or a multiple of 60.`,
        );
      checkDimensions(q.MetricStat.Metric.Dimensions, `${at}.MetricStat.Metric.Dimensions`);
    }
  });
}

/** Every query's series over [start, end), expressions evaluated after what they refer to. */
export function runQueries(store: CloudWatchStore, queries: MetricDataQuery[], start: number, end: number, now: number): QueryResult[] {
  const byId = new Map(queries.map((q) => [q.Id, q]));
  const parsed = new Map<string, Node>();
  for (const q of queries) {
    if (q.Expression === undefined) continue;
    try {
      parsed.set(q.Id, parseExpression(q.Expression));
    } catch (e) {
      if (e instanceof MathError) throw validation(`Error in expression ${q.Id}: ${e.message}`);
      throw e;
    }
  }
  const periods = queries.map((q) => q.MetricStat?.Period ?? q.Period).filter((p): p is number => p !== undefined);
  const period = periods.length ? Math.min(...periods) : 60;
  const grid: number[] = [];
  for (let t = Math.floor(start / (period * 1000)) * period * 1000; t < end && grid.length <= 100_800; t += period * 1000) grid.push(t);

  // a band is trained on the history before the range: the metrics are read from that far back
  const readFrom = queries.some((q) => q.Expression && /ANOMALY_DETECTION_BAND\s*\(/i.test(q.Expression)) ? start - TRAINING_MS : start;
  const band = (arg: Node, s: Series, k: number): Series[] => {
    const ms = arg.t === 'id' ? byId.get(arg.name)?.MetricStat : undefined;
    const excluded = ms ? exclusionsOf(store, ms.Metric.Namespace ?? '', ms.Metric.MetricName ?? '', ms.Metric.Dimensions, ms.Stat) : [];
    const b = anomalyBand(s, grid, k, excluded);
    return [b.lower, b.upper];
  };
  const values = new Map<string, Value>();
  const memo = new Map<string, Period[]>();
  const visiting = new Set<string>();
  const metricOf = (q: MetricDataQuery): MetricRecord | undefined =>
    store.metric(q.MetricStat!.Metric.Namespace ?? '', q.MetricStat!.Metric.MetricName ?? '', q.MetricStat!.Metric.Dimensions);
  const value = (id: string, from?: string): Value => {
    const known = values.get(id);
    if (known) return known;
    const q = byId.get(id);
    if (!q) throw validation(`Error in expression ${from}: Unrecognized metric id ${id}`);
    if (visiting.has(id)) throw validation(`Error in expression ${from}: Circular dependency on ${id}`);
    visiting.add(id);
    let v: Value;
    if (q.MetricStat) {
      const ms = q.MetricStat;
      v = {
        k: 'series',
        s: statSeries(
          store,
          metricOf(q),
          q.Label ?? ms.Metric.MetricName ?? id,
          readFrom,
          end,
          ms.Period,
          parseStat(ms.Stat)!,
          now,
          ms.Unit,
          memo,
        ),
      };
    } else {
      const node = parsed.get(id)!;
      for (const ref of referencedIds(node))
        if (!byId.has(ref) && ref !== 'REPEAT' && ref !== 'LINEAR')
          throw validation(`Error in expression ${id}: Unrecognized metric id ${ref}`);
      try {
        v = evaluate(node, {
          resolve: (ref) => value(ref, id),
          grid,
          period,
          metrics: (filter) =>
            queries
              .filter((x) => x.MetricStat && (!filter || x.Id.includes(filter)))
              .map((x) => {
                const s = value(x.Id, id);
                return s.k === 'series' ? s.s : { label: x.Id, ts: [], vs: [] };
              }),
          search: (expr, stat, p) => search(store, expr, stat, p, readFrom, end, now),
          band,
        });
      } catch (e) {
        if (e instanceof MathError || e instanceof SearchError) throw validation(`Error in expression ${id}: ${e.message}`);
        throw e;
      }
      if (v.k === 'series' && !q.Label) v = { k: 'series', s: { ...v.s, label: id } };
    }
    visiting.delete(id);
    values.set(id, v);
    return v;
  };
  const out: QueryResult[] = [];
  for (const q of queries) {
    const v = value(q.Id);
    const list: Series[] =
      v.k === 'series' ? [v.s] : v.k === 'array' ? v.a : [{ label: q.Label ?? q.Id, ts: grid, vs: grid.map(() => v.v) }];
    for (const s of list) {
      const messages: MessageData[] = [];
      const keep = s.vs.map((x, i) => Number.isFinite(x) && s.ts[i] >= start);
      if (s.vs.some((x, i) => !Number.isFinite(x) && s.ts[i] >= start)) messages.push({ Code: 'ArithmeticError', Value: NON_NUMERIC });
      const series = {
        label: q.Label && v.k !== 'array' ? q.Label : s.label,
        ts: s.ts.filter((_, i) => keep[i]),
        vs: s.vs.filter((_, i) => keep[i]),
      };
      out.push({ id: q.Id, label: series.label, series, returnData: q.ReturnData !== false, messages });
    }
  }
  return out;
}

function search(store: CloudWatchStore, expr: string, stat: string, period: number, start: number, end: number, now: number): Series[] {
  const parsed = parseStat(stat);
  if (!parsed) throw new SearchError(`${stat} is not a valid statistic`);
  if (!validPeriod(period)) throw new SearchError(`${period} is not a valid period`);
  const match = compileSearch(expr);
  const out: Series[] = [];
  for (const [, m] of store.metrics.scan()) {
    if (!match({ namespace: m.namespace, name: m.name, dims: m.dims })) continue;
    const label = [m.name, ...m.dims.map((d) => d.Value)].join(' ');
    out.push(statSeries(store, m, label, start, end, period, parsed, now));
    if (out.length >= 500) break;
  }
  return out;
}

export function metricDataHandlers(stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  return {
    GetMetricData: (input, ctx) => {
      const store = stores.get(ctx.account, ctx.region);
      const queries = input.MetricDataQueries ?? [];
      checkQueries(queries);
      const start = new Date(input.StartTime).getTime();
      const end = new Date(input.EndTime).getTime();
      if (!(start < end)) throw validation('The parameter StartTime must be less than the parameter EndTime.');
      const max = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
      if (max <= 0) throw validation(`The value ${max} for parameter MaxDatapoints is invalid.`);
      const descending = (input.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
      const fingerprint = createHash('sha1')
        .update(JSON.stringify({ q: queries, s: start, e: end, b: input.ScanBy }))
        .digest('hex')
        .slice(0, 12);
      let offset = 0;
      if (input.NextToken) {
        const m = /^(\d+)\.([0-9a-f]{12})$/.exec(Buffer.from(input.NextToken, 'base64url').toString());
        if (!m || m[2] !== fingerprint) throw new ServiceError('InvalidNextToken', "The service couldn't process the NextToken.", 400);
        offset = Number(m[1]);
      }
      const results = runQueries(store, queries, start, end, ctx.clock.nowMs()).filter((r) => r.returnData);
      const total = results.reduce((n, r) => n + r.series.ts.length, 0);
      let skip = offset;
      let budget = max;
      const out: MetricDataResult[] = [];
      for (const r of results) {
        const n = r.series.ts.length;
        const order = [...Array(n).keys()];
        if (descending) order.reverse();
        const from = Math.min(skip, n);
        skip -= from;
        const take = Math.min(budget, n - from);
        budget -= take;
        const picked = order.slice(from, from + take);
        const partial = from + take < n;
        if (from >= n && n > 0 && offset > 0) continue; // already fully returned on an earlier page
        out.push({
          Id: r.id,
          Label: r.label,
          Timestamps: picked.map((i) => new Date(r.series.ts[i])),
          Values: picked.map((i) => r.series.vs[i]),
          StatusCode: partial ? 'PartialData' : 'Complete',
          ...(r.messages.length ? { Messages: r.messages } : {}),
        });
      }
      const next = offset + max < total ? Buffer.from(`${offset + max}.${fingerprint}`).toString('base64url') : undefined;
      return { MetricDataResults: out, Messages: [], ...(next ? { NextToken: next } : {}) };
    },
  };
}
