// Sampling rules (the Default rule exists in every account and region) and GetSamplingTargets.
import { ServiceError, type RequestContext, type Runtime } from '../../kit.js';
import type { SamplingRule, SamplingRuleRecord, XrayProvider } from '../../generated/xray.js';
import { ruleArn, xrayStores, type RuleRecord, type XrayStore } from './store.js';

const invalid = (message: string) => new ServiceError('InvalidRequestException', message, 400);
/** seconds between a client's GetSamplingTargets calls, as X-Ray answers */
const INTERVAL_S = 10;
const MAX_RULES = 25;
/** a client counts toward a rule's reservoir while it reported within this long */
const ACTIVE_MS = 3 * INTERVAL_S * 1000;

function defaultRule(account: string, region: string): SamplingRule {
  return {
    RuleName: 'Default',
    RuleARN: ruleArn(account, region, 'Default'),
    ResourceARN: '*',
    Priority: 10000,
    FixedRate: 0.05,
    ReservoirSize: 1,
    ServiceName: '*',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    Version: 1,
    Attributes: {},
  };
}

/** The rules of an account and region, the Default rule made on first use. */
export function rulesOf(store: XrayStore, now: number): RuleRecord[] {
  if (!store.rules.has('Default'))
    store.rules.put('Default', { rule: defaultRule(store.scope.account, store.scope.region), created: now, modified: now, tags: [] });
  return [...store.rules.scan({})].map(([, r]) => r);
}

const record = (r: RuleRecord): SamplingRuleRecord => ({
  SamplingRule: r.rule,
  CreatedAt: new Date(r.created),
  ModifiedAt: new Date(r.modified),
});

function checkRule(r: Partial<SamplingRule>): void {
  if (r.FixedRate !== undefined && !(r.FixedRate >= 0 && r.FixedRate <= 1)) throw invalid('FixedRate must be between 0 and 1.');
  if (r.ReservoirSize !== undefined && !(r.ReservoirSize >= 0)) throw invalid('ReservoirSize must be 0 or more.');
  if (r.Priority !== undefined && !(r.Priority >= 1 && r.Priority <= 9999)) throw invalid('Priority must be between 1 and 9999.');
  if (r.Version !== undefined && r.Version !== 1) throw invalid('Version must be 1.');
}

export function samplingHandlers(rt: Runtime): XrayProvider {
  const stores = xrayStores(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  /** rule → client id → when it last reported (virtual ms) */
  const clients = rt.shared('xray/sampling-clients', () => new Map<string, Map<string, number>>());
  const find = (store: XrayStore, name?: string, arn?: string, now = 0) => {
    rulesOf(store, now);
    const key = name ?? arn?.split('sampling-rule/')[1];
    if (!key && !arn) throw invalid('Either RuleName or RuleARN must be specified.');
    const r = key ? store.rules.get(key) : undefined;
    if (!r) throw invalid('Sampling rule does not exist.');
    return r;
  };
  return {
    GetSamplingRules: ({ NextToken }, ctx) => {
      void NextToken;
      return { SamplingRuleRecords: rulesOf(storeOf(ctx), ctx.clock.nowMs()).map(record) };
    },
    CreateSamplingRule: ({ SamplingRule: rule, Tags }, ctx) => {
      const store = storeOf(ctx);
      const now = ctx.clock.nowMs();
      const existing = rulesOf(store, now);
      if (!rule.RuleName) throw invalid('RuleName is required.');
      if (store.rules.has(rule.RuleName)) throw invalid(`Sampling rule ${rule.RuleName} already exists.`);
      if (existing.length > MAX_RULES)
        throw new ServiceError('RuleLimitExceededException', 'The maximum number of sampling rules has been reached.', 400);
      checkRule(rule);
      const r: RuleRecord = {
        rule: { ...rule, RuleARN: ruleArn(ctx.account, ctx.region, rule.RuleName), Attributes: rule.Attributes ?? {} },
        created: now,
        modified: now,
        tags: Tags ?? [],
      };
      store.rules.put(rule.RuleName, r);
      return { SamplingRuleRecord: record(r) };
    },
    UpdateSamplingRule: ({ SamplingRuleUpdate: u }, ctx) => {
      const store = storeOf(ctx);
      const now = ctx.clock.nowMs();
      const r = find(store, u.RuleName, u.RuleARN, now);
      const defined = Object.fromEntries(Object.entries(u).filter(([k, v]) => v !== undefined && k !== 'RuleName' && k !== 'RuleARN'));
      checkRule(defined);
      if (r.rule.RuleName === 'Default' && Object.keys(defined).some((k) => !['FixedRate', 'ReservoirSize'].includes(k))) {
        throw invalid('Only FixedRate and ReservoirSize can be updated on the default rule.');
      }
      const next: RuleRecord = { ...r, rule: { ...r.rule, ...defined }, modified: now };
      store.rules.put(r.rule.RuleName!, next);
      return { SamplingRuleRecord: record(next) };
    },
    DeleteSamplingRule: ({ RuleName, RuleARN }, ctx) => {
      const store = storeOf(ctx);
      const r = find(store, RuleName, RuleARN, ctx.clock.nowMs());
      if (r.rule.RuleName === 'Default') throw invalid('Cannot delete the default sampling rule.');
      store.rules.delete(r.rule.RuleName!);
      return { SamplingRuleRecord: record(r) };
    },
    GetSamplingTargets: ({ SamplingStatisticsDocuments }, ctx) => {
      const store = storeOf(ctx);
      const now = ctx.clock.nowMs();
      const rules = new Map(rulesOf(store, now).map((r) => [r.rule.RuleName!, r]));
      const targets = [];
      const unprocessed = [];
      for (const d of SamplingStatisticsDocuments) {
        const r = rules.get(d.RuleName);
        if (!r) {
          unprocessed.push({ RuleName: d.RuleName, ErrorCode: '400', Message: 'Unknown rule' });
          continue;
        }
        // the reservoir is shared among the clients that reported for the rule lately
        const seen = clients.get(`${ctx.account}|${ctx.region}|${d.RuleName}`) ?? new Map<string, number>();
        clients.set(`${ctx.account}|${ctx.region}|${d.RuleName}`, seen);
        seen.set(d.ClientID, now);
        for (const [id, at] of seen) if (at < now - ACTIVE_MS) seen.delete(id);
        const quota = Math.floor(r.rule.ReservoirSize / seen.size);
        targets.push({
          RuleName: d.RuleName,
          FixedRate: r.rule.FixedRate,
          ReservoirQuota: quota,
          ReservoirQuotaTTL: new Date(now + INTERVAL_S * 1000),
          Interval: INTERVAL_S,
        });
      }
      const last = Math.max(...[...rules.values()].map((r) => r.modified));
      return { SamplingTargetDocuments: targets, LastRuleModification: new Date(last), UnprocessedStatistics: unprocessed };
    },
  };
}
