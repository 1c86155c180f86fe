// Reading a stream's records: the internal interface behind the dynamodbstreams API, and what a
// Lambda event source mapping can poll in-process (records after a sequence number, shaped as
// GetRecords returns them).
import type { Record_ } from '../../generated/dynamodbstreams.js';
import { first, RETENTION_MS, type DynamoStore, type StreamMeta, type StreamRecordData } from './store.js';

/** Records still within the 24-hour retention, after a sequence number ('' for the oldest). */
export function* retained(s: DynamoStore, m: StreamMeta, after: string, now: number): Generator<StreamRecordData> {
  for (const [, r] of s.records.scan({ after: `${m.id}/${after}`, prefix: `${m.id}/` })) {
    if (r.time >= now - RETENTION_MS) yield r;
  }
}

export const latestRecord = (s: DynamoStore, m: StreamMeta) => first(s.records.scan({ prefix: `${m.id}/`, reverse: true, limit: 1 }))?.[1];

export function toRecord(r: StreamRecordData, m: StreamMeta, region: string): Record_ {
  return {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ApproximateCreationDateTime: new Date(Math.floor(r.time / 1000) * 1000),
      Keys: r.keys,
      ...(r.newImage ? { NewImage: r.newImage } : {}),
      ...(r.oldImage ? { OldImage: r.oldImage } : {}),
      SequenceNumber: r.seq,
      SizeBytes: r.size,
      StreamViewType: m.viewType,
    },
    ...(r.service ? { userIdentity: { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' } } : {}),
  };
}

/** Up to limit records after a sequence number; `next` is where to continue, `closed` that none will follow. */
export function readStream(
  s: DynamoStore,
  m: StreamMeta,
  after: string,
  limit: number,
  now: number,
): { records: Record_[]; next: string; closed: boolean } {
  const records: StreamRecordData[] = [];
  for (const r of retained(s, m, after, now)) {
    records.push(r);
    if (records.length === limit) break;
  }
  const next = records.length ? records[records.length - 1].seq : after;
  const closed = m.closed !== undefined && records.length < limit;
  return { records: records.map((r) => toRecord(r, m, s.region)), next, closed };
}
