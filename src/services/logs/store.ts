// CloudWatch Logs state, per account and region: log groups, their streams, and each group's events
// twice ordered — by time across the group (FilterLogEvents, Insights) and by stream then time
// (GetLogEvents) — so every read is a range scan of ordered keys, never a full scan.
import type { StoreScope, Collection } from '../../kit.js';

export interface GroupRecord {
  name: string;
  created: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  deletionProtection?: boolean;
  tags: Record<string, string>;
  storedBytes: number;
  metricFilterCount?: number;
  /** the last event sequence number given in this group (orders events of equal timestamps) */
  seq: number;
  /** distinguishes a group from an earlier one of the same name (its event collections) */
  incarnation: string;
}

export interface StreamRecord {
  name: string;
  created: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
}

/** One stored event: s the stream, m the message, i the ingestion time (epoch ms). */
export interface EventRecord {
  s: string;
  m: string;
  i: number;
}

export interface MetricFilterRecord {
  filterName: string;
  filterPattern: string;
  metricTransformations: unknown[];
  creationTime: number;
  logGroupName: string;
}

export interface SubscriptionRecord {
  filterName: string;
  logGroupName: string;
  filterPattern: string;
  destinationArn: string;
  roleArn?: string;
  distribution?: string;
  creationTime: number;
}

export interface QueryRecord {
  queryId: string;
  queryString: string;
  logGroupNames: string[];
  startTime: number;
  endTime: number;
  limit?: number;
  createTime: number;
  status: string;
}

/** Timestamps as fixed-width keys that sort as numbers (negative times clamp to 0). */
export const tsKey = (ts: number) => String(Math.max(0, Math.floor(ts))).padStart(15, '0');
export const seqKey = (seq: number) => String(seq).padStart(12, '0');
export const SEP = '\u0000';

export class LogsStore {
  readonly groups: Collection<GroupRecord>;
  readonly metricFilters: Collection<MetricFilterRecord>;
  readonly subscriptions: Collection<SubscriptionRecord>;
  readonly queries: Collection<QueryRecord>;

  constructor(readonly scope: StoreScope) {
    this.groups = scope.collection('groups');
    this.metricFilters = scope.collection('metric-filters');
    this.subscriptions = scope.collection('subscriptions');
    this.queries = scope.collection('queries');
  }

  /** a group's streams, by name */
  streams(g: GroupRecord): Collection<StreamRecord> {
    return this.scope.collection(`streams/${g.incarnation}`);
  }

  /** a group's events keyed `ts SEP seq` */
  byTime(g: GroupRecord): Collection<EventRecord> {
    return this.scope.collection(`t/${g.incarnation}`);
  }

  /** a group's events keyed `stream SEP ts SEP seq` */
  byStream(g: GroupRecord): Collection<EventRecord> {
    return this.scope.collection(`s/${g.incarnation}`);
  }
}
