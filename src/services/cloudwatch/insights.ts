// Contributor Insights rules over CloudWatch Logs: Put/Describe/Delete/Enable/DisableInsightRules and
// GetInsightRuleReport, which reads the rule's log groups through rt.integrations.logs and answers the
// top contributors (by their total, all events of the range) with their value per period, and each
// period's metrics (unique contributors, the top contributor's value, sample count, sum, average,
// minimum and maximum of the events' values).
import { ServiceError, type RequestContext, type Runtime, type Stores } from '../../kit.js';
import type { CloudwatchProvider, InsightRuleMetricDatapoint, PartialFailure } from '../../generated/cloudwatch.js';
import type { CloudWatchStore } from './store.js';
import { contribution, parseRule, RuleError } from './insight-rule.js';

const NAME = /^[\x20-\x7E]{1,128}$/;
const invalid = (m: string) => new ServiceError('InvalidParameterValue', m, 400);
const notFound = (name: string) =>
  new ServiceError('ResourceNotFoundException', `Rule ${name} does not exist.`, 404, { ResourceType: 'InsightRule', ResourceId: name });

export function insightHandlers(rt: Runtime, stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);

  /** Applies `fn` to each named rule; unknown names are answered as failures. */
  const each = (ctx: RequestContext, names: string[], fn: (name: string) => void): { Failures: PartialFailure[] } => {
    const store = storeOf(ctx);
    const Failures: PartialFailure[] = [];
    for (const name of names) {
      if (!store.insightRules.has(name))
        Failures.push({
          FailureResource: name,
          ExceptionType: 'ResourceNotFoundException',
          FailureCode: '404',
          FailureDescription: `Rule ${name} does not exist.`,
        });
      else fn(name);
    }
    return { Failures };
  };
  const setState = (ctx: RequestContext, names: string[], State: string) =>
    each(ctx, names, (name) => {
      const store = storeOf(ctx);
      store.insightRules.put(name, { ...store.insightRules.get(name)!, State });
    });

  return {
    PutInsightRule: (input, ctx) => {
      if (!NAME.test(input.RuleName)) throw invalid(`The value ${input.RuleName} for parameter RuleName is invalid.`);
      const state = input.RuleState ?? 'ENABLED';
      if (state !== 'ENABLED' && state !== 'DISABLED') throw invalid(`The value ${state} for parameter RuleState is invalid.`);
      try {
        parseRule(input.RuleDefinition);
      } catch (e) {
        if (e instanceof RuleError) throw invalid(`The value for parameter RuleDefinition is invalid: ${e.message}`);
        throw e;
      }
      const prev = storeOf(ctx).insightRules.get(input.RuleName);
      const tags = prev?.tags ?? Object.fromEntries((input.Tags ?? []).map((t) => [t.Key, t.Value]));
      storeOf(ctx).insightRules.put(input.RuleName, {
        Name: input.RuleName,
        State: state,
        Schema: 'CloudWatchLogRule/1',
        Definition: input.RuleDefinition,
        ManagedRule: false,
        tags,
      });
      return {};
    },

    DescribeInsightRules: (input, ctx) => {
      const max = input.MaxResults ?? 500;
      if (max < 1 || max > 500) throw invalid(`The value ${max} for parameter MaxResults is invalid.`);
      const all = [...storeOf(ctx).insightRules.scan()].map(([, { tags: _tags, ...r }]) => r);
      const start = input.NextToken ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
      if (!Number.isInteger(start) || start < 0)
        throw new ServiceError('InvalidNextToken', "The service couldn't process the NextToken.", 400);
      return {
        InsightRules: all.slice(start, start + max),
        ...(start + max < all.length ? { NextToken: Buffer.from(String(start + max)).toString('base64url') } : {}),
      };
    },

    DeleteInsightRules: (input, ctx) => each(ctx, input.RuleNames ?? [], (name) => storeOf(ctx).insightRules.delete(name)),
    EnableInsightRules: (input, ctx) => setState(ctx, input.RuleNames ?? [], 'ENABLED'),
    DisableInsightRules: (input, ctx) => setState(ctx, input.RuleNames ?? [], 'DISABLED'),

    GetInsightRuleReport: (input, ctx) => {
      const r = storeOf(ctx).insightRules.get(input.RuleName);
      if (!r) throw notFound(input.RuleName);
      const start = new Date(input.StartTime).getTime();
      const end = new Date(input.EndTime).getTime();
      if (!(start < end)) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
      if (!(input.Period >= 60 && input.Period % 60 === 0)) throw invalid(`The value ${input.Period} for parameter Period is invalid.`);
      const max = input.MaxContributorCount ?? 10;
      if (max < 1 || max > 100) throw invalid(`The value ${max} for parameter MaxContributorCount is invalid.`);
      const rule = parseRule(r.Definition);
      const p = input.Period * 1000;
      const byKey = new Map<string, { keys: string[]; total: number; per: Map<number, number> }>();
      const periods = new Map<number, { n: number; sum: number; min: number; max: number; keys: Set<string> }>();
      for (const group of rule.groups) {
        for (const e of rt.integrations.logs?.readEvents?.(ctx.account, ctx.region, group, start, end) ?? []) {
          const c = contribution(rule, e.message);
          if (!c) continue;
          const t = Math.floor(e.timestamp / p) * p;
          const id = JSON.stringify(c.keys);
          const k = byKey.get(id) ?? byKey.set(id, { keys: c.keys, total: 0, per: new Map() }).get(id)!;
          k.total += c.value;
          k.per.set(t, (k.per.get(t) ?? 0) + c.value);
          const s = periods.get(t) ?? periods.set(t, { n: 0, sum: 0, min: Infinity, max: -Infinity, keys: new Set() }).get(t)!;
          Object.assign(s, { n: s.n + 1, sum: s.sum + c.value, min: Math.min(s.min, c.value), max: Math.max(s.max, c.value) });
          s.keys.add(id);
        }
      }
      const ranked = [...byKey.values()].sort((a, b) => b.total - a.total || a.keys.join().localeCompare(b.keys.join()));
      const times = [...periods.keys()].sort((a, b) => a - b);
      const MetricDatapoints: InsightRuleMetricDatapoint[] = times.map((t) => {
        const s = periods.get(t)!;
        const all: InsightRuleMetricDatapoint = {
          Timestamp: new Date(t),
          UniqueContributors: s.keys.size,
          MaxContributorValue: Math.max(...[...s.keys].map((id) => byKey.get(id)!.per.get(t) ?? 0)),
          SampleCount: s.n,
          Average: s.sum / s.n,
          Sum: s.sum,
          Minimum: s.min,
          Maximum: s.max,
        };
        return input.Metrics?.length
          ? (Object.fromEntries(
              Object.entries(all).filter(([k]) => k === 'Timestamp' || input.Metrics!.includes(k)),
            ) as InsightRuleMetricDatapoint)
          : all;
      });
      return {
        KeyLabels: rule.keys,
        AggregationStatistic: rule.aggregate,
        AggregateValue: ranked.reduce((n, k) => n + k.total, 0),
        ApproximateUniqueCount: ranked.length,
        Contributors: ranked.slice(0, max).map((k) => ({
          Keys: k.keys,
          ApproximateAggregateValue: k.total,
          Datapoints: [...k.per].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ Timestamp: new Date(t), ApproximateValue: v })),
        })),
        MetricDatapoints,
      };
    },
  };
}
