// X-Ray's state per account and region: traces (their segment documents by id), an index of trace
// ids by the time in the id (what time-range queries read), sampling rules, groups, encryption.
import type { Collection, Runtime, StoreScope } from '../../kit.js';
import type { EncryptionConfig, InsightsConfiguration, SamplingRule, Tag } from '../../generated/xray.js';
import type { SegmentDoc } from './segments.js';

export interface TraceRecord {
  id: string;
  /** segment and independent subsegment documents by id */
  docs: Record<string, SegmentDoc>;
  revision: number;
}

export interface RuleRecord {
  rule: SamplingRule;
  created: number;
  modified: number;
  tags: Tag[];
}

export interface GroupRecord {
  name: string;
  arn: string;
  filter?: string;
  insights?: InsightsConfiguration;
  tags: Tag[];
}

export interface XrayStore {
  scope: StoreScope;
  traces: Collection<TraceRecord>;
  /** `<15-digit epoch ms>|<trace id>` → trace id */
  byTime: Collection<string>;
  rules: Collection<RuleRecord>;
  groups: Collection<GroupRecord>;
  settings: Collection<EncryptionConfig>;
}

export function xrayStores(rt: Runtime) {
  return rt.shared('xray/stores', () =>
    rt.stores<XrayStore>('xray', (scope) => ({
      scope,
      traces: scope.collection('traces'),
      byTime: scope.collection('by-time'),
      rules: scope.collection('rules'),
      groups: scope.collection('groups'),
      settings: scope.collection('settings'),
    })),
  );
}

export const timeKey = (ms: number, traceId: string) => `${String(Math.max(0, Math.floor(ms))).padStart(15, '0')}|${traceId}`;
export const ruleArn = (account: string, region: string, name: string) => `arn:aws:xray:${region}:${account}:sampling-rule/${name}`;
