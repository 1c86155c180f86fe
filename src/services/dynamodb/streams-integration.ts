// What DynamoDB offers other services of its streams (rt.integrations.dynamodbStreams): the
// dynamodbstreams API reads through it, as a Lambda event source mapping would.
import type { Integrations, DynamoStreamInfo, Stores } from '../../kit.js';
import { first, type DynamoStore, type StreamMeta } from './store.js';
import { latestRecord, readStream, retained } from './stream-reader.js';

type StreamsIntegration = NonNullable<Integrations['dynamodbStreams']>;

function info(s: DynamoStore, m: StreamMeta): DynamoStreamInfo {
  const { arn, label, tableName, viewType, keySchema, created, shardId, closed } = m;
  return { arn, label, tableName, viewType, keySchema, created, shardId, closed, latestSeq: latestRecord(s, m)?.seq } as DynamoStreamInfo;
}

export function streamsIntegration(stores: Stores<DynamoStore>): StreamsIntegration {
  return {
    list(account, region, after) {
      const s = stores.get(account, region);
      return [...s.streams.scan({ after })].map(([, m]) => info(s, m));
    },
    describe(account, region, arn, trimAt) {
      const s = stores.get(account, region);
      if (trimAt !== undefined) s.trimStreams(trimAt);
      const m = s.streams.get(arn);
      if (!m) return undefined;
      const out = info(s, m);
      if (trimAt !== undefined) out.oldestSeq = first(retained(s, m, '', trimAt))?.seq;
      return out;
    },
    read(account, region, arn, after, limit, now) {
      const s = stores.get(account, region);
      const m = s.streams.get(arn);
      if (!m) return { records: [], next: after, closed: true };
      return readStream(s, m, after, limit, now);
    },
  };
}
