// PutMetricData, ListMetrics and GetMetricStatistics.
import { ServiceError, type Runtime } from '../../kit.js';
import type { CloudwatchProvider, Datapoint, Metric } from '../../generated/cloudwatch.js';
import type { Stores } from '../../kit.js';
import { canonicalDims, metricKey, SEP, type CloudWatchStore, type MetricRecord } from './store.js';
import { checkDimensions, checkNamespace, datumPoint, MAX_METRICS_PER_CALL, validPeriod } from './validate.js';
import { periods } from './series.js';
import { parseStat, statValue, type ParsedStat } from './stats.js';

const LIST_PAGE = 500;
const MAX_DATAPOINTS = 1440;

export const invalidValue = (message: string) => new ServiceError('InvalidParameterValue', message, 400);

/** Stores data already checked; used by PutMetricData and the integration other services call. */
export function storeData(store: CloudWatchStore, namespace: string, data: Parameters<typeof datumPoint>[0][], now: number): void {
  const points = data.map((d, i) => datumPoint(d, i, now));
  const seen = new Map<string, MetricRecord>(); // a call often carries many points of one metric
  data.forEach((d, i) => store.put(namespace, d.MetricName, d.Dimensions, points[i], now, seen));
}

export function metricHandlers(rt: Runtime, stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  const storeOf = (ctx: { account: string; region: string }) => stores.get(ctx.account, ctx.region);
  return {
    PutMetricData: (input, ctx) => {
      const data = input.MetricData ?? [];
      checkNamespace(input.Namespace);
      if (data.length === 0 && !input.EntityMetricData?.length)
        throw new ServiceError('MissingParameter', 'The parameter MetricData is required.', 400);
      if (data.length > MAX_METRICS_PER_CALL)
        throw invalidValue(`The collection MetricData must not have a size greater than ${MAX_METRICS_PER_CALL}.`);
      const all = [...data, ...(input.EntityMetricData ?? []).flatMap((e) => e.MetricData ?? [])];
      storeData(storeOf(ctx), input.Namespace, all, ctx.clock.nowMs());
    },

    ListMetrics: (input, ctx) => {
      const store = storeOf(ctx);
      if ((input.Dimensions?.length ?? 0) > 10) throw invalidValue('The collection Dimensions must not have a size greater than 10.');
      if (input.RecentlyActive !== undefined && input.RecentlyActive !== 'PT3H')
        throw invalidValue(`The value ${input.RecentlyActive} for parameter RecentlyActive is invalid.`);
      // ListMetrics shows metrics with data in the past two weeks (RecentlyActive: three hours)
      const since = ctx.clock.nowMs() - (input.RecentlyActive ? 3 * 3_600_000 : 14 * 86_400_000);
      const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
      const prefix =
        input.Namespace !== undefined ? input.Namespace + SEP + (input.MetricName !== undefined ? input.MetricName + SEP : '') : undefined;
      const metrics: Metric[] = [];
      let last: string | undefined;
      let more = false;
      for (const [key, m] of store.metrics.scan({ prefix, after })) {
        if (input.MetricName !== undefined && m.name !== input.MetricName) continue;
        if (m.last < since) continue;
        if (!matchesFilters(m, input.Dimensions)) continue;
        if (metrics.length === LIST_PAGE) {
          more = true;
          break;
        }
        metrics.push(toMetric(m));
        last = key;
      }
      return { Metrics: metrics, ...(more && last ? { NextToken: Buffer.from(last).toString('base64url') } : {}) };
    },

    GetMetricStatistics: (input, ctx) => {
      const store = storeOf(ctx);
      checkDimensions(input.Dimensions, 'Dimensions');
      const stats = input.Statistics ?? [];
      const ext = input.ExtendedStatistics ?? [];
      if ((stats.length === 0) === (ext.length === 0)) {
        throw new ServiceError('InvalidParameterCombination', 'Must specify either Statistics or ExtendedStatistics, but not both.', 400);
      }
      const parsedExt: Array<[string, ParsedStat]> = ext.map((e, i) => {
        const p = parseStat(e);
        if (!p || p.kind === 'SampleCount' || p.kind === 'Sum' || p.kind === 'Average' || p.kind === 'Minimum' || p.kind === 'Maximum') {
          throw invalidValue(`The value ${e} for parameter ExtendedStatistics.member.${i + 1} is invalid.`);
        }
        return [e, p];
      });
      if (!validPeriod(input.Period)) throw invalidValue('The parameter Period must be 1, 5, 10, 20, 30, 60, or a multiple of 60.');
      const start = new Date(input.StartTime).getTime();
      const end = new Date(input.EndTime).getTime();
      if (!(start < end)) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
      const requested = Math.ceil((end - start) / (input.Period * 1000));
      if (requested > MAX_DATAPOINTS) {
        throw new ServiceError(
          'InvalidParameterCombination',
          `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
          400,
        );
      }
      const m = store.metric(input.Namespace, input.MetricName, input.Dimensions);
      const out: Datapoint[] = [];
      if (m) {
        for (const per of periods(store, m, start, end, input.Period, ctx.clock.nowMs(), input.Unit)) {
          const dp: Datapoint = { Timestamp: new Date(per.t) };
          for (const s of stats) (dp as Record<string, unknown>)[s] = statValue(per.agg, parseStat(s)!);
          if (parsedExt.length) {
            const e: Record<string, number> = {};
            for (const [name, p] of parsedExt) {
              const v = statValue(per.agg, p);
              if (v !== undefined) e[name] = v;
            }
            dp.ExtendedStatistics = e;
          }
          dp.Unit = per.unit as Datapoint['Unit'];
          out.push(dp);
        }
      }
      return { Label: input.MetricName, Datapoints: out };
    },
  };
}

export const toMetric = (m: MetricRecord): Metric => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: canonicalDims(m.dims) });

function matchesFilters(m: MetricRecord, filters: Array<{ Name: string; Value?: string }> | undefined): boolean {
  return (filters ?? []).every((f) => m.dims.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)));
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString();
  if (!key.includes(SEP)) throw new ServiceError('InvalidNextToken', "The service couldn't process the NextToken.", 400);
  return key;
}

export { metricKey };
