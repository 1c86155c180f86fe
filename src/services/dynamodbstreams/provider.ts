// Amazon DynamoDB Streams: reads the stream records the dynamodb provider writes with each item
// change (one shard per stream), through dynamodb's shared store.
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { DynamodbstreamsProvider, Record_ } from '../../generated/dynamodbstreams.js';
import type { RequestContext } from '../types.js';
import { ServiceError } from '../errors.js';
import { dynamoStores, first, RETENTION_MS, type DynamoStore, type StreamMeta, type StreamRecordData } from '../dynamodb/store.js';

const ITERATOR_TTL_MS = 15 * 60 * 1000;
const ZERO = '0'.repeat(21);

interface Iterator { arn: string; shard: string; after: string; at: number }

const encodeIterator = (it: Iterator) => Buffer.from(JSON.stringify(it)).toString('base64url');

function decodeIterator(s: string): Iterator {
  try {
    const it = JSON.parse(Buffer.from(s, 'base64url').toString()) as Iterator;
    if (typeof it.arn === 'string' && typeof it.after === 'string') return it;
  } catch { /* refused below */ }
  throw new ServiceError('ValidationException', 'Invalid ShardIterator');
}

const streamNotFound = (arn: string) => new ServiceError('ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);

function create(rt: Runtime): DynamodbstreamsProvider {
  const stores = dynamoStores(rt);
  const store = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);

  function stream(s: DynamoStore, arn: string): StreamMeta {
    const m = s.streams.get(arn);
    if (!m) throw streamNotFound(arn);
    return m;
  }

  /** Records still within the 24-hour retention, after a sequence number. */
  function* retained(s: DynamoStore, m: StreamMeta, after: string, now: number): Generator<StreamRecordData> {
    for (const [, r] of s.records.scan({ after: `${m.id}/${after}`, prefix: `${m.id}/` })) {
      if (r.time >= now - RETENTION_MS) yield r;
    }
  }

  function toRecord(r: StreamRecordData, m: StreamMeta, region: string): Record_ {
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

  return {
    ListStreams: ({ TableName, Limit, ExclusiveStartStreamArn }, ctx) => {
      const limit = Limit ?? 100;
      const all = [...store(ctx).streams.scan({ after: ExclusiveStartStreamArn })].map(([, m]) => m).filter((m) => !TableName || m.tableName === TableName);
      const page = all.slice(0, limit);
      return {
        Streams: page.map((m) => ({ StreamArn: m.arn, TableName: m.tableName, StreamLabel: m.label })),
        ...(all.length > limit ? { LastEvaluatedStreamArn: page[page.length - 1].arn } : {}),
      };
    },

    DescribeStream: ({ StreamArn }, ctx) => {
      const s = store(ctx);
      const now = ctx.clock.nowMs();
      s.trimStreams(now);
      const m = stream(s, StreamArn);
      const oldest = first(retained(s, m, '', now));
      const last = first(s.records.scan({ prefix: `${m.id}/`, reverse: true, limit: 1 }))?.[1];
      return {
        StreamDescription: {
          StreamArn: m.arn,
          StreamLabel: m.label,
          StreamStatus: m.closed === undefined ? 'ENABLED' : 'DISABLED',
          StreamViewType: m.viewType,
          CreationRequestDateTime: new Date(m.created),
          TableName: m.tableName,
          KeySchema: m.keySchema,
          Shards: [{
            ShardId: m.shardId,
            SequenceNumberRange: {
              StartingSequenceNumber: oldest?.seq ?? ZERO.slice(0, -1) + '1',
              ...(m.closed !== undefined && last ? { EndingSequenceNumber: last.seq } : {}),
            },
          }],
        },
      };
    },

    GetShardIterator: ({ StreamArn, ShardId, ShardIteratorType, SequenceNumber }, ctx) => {
      const s = store(ctx);
      const m = stream(s, StreamArn);
      if (ShardId !== m.shardId) throw new ServiceError('ResourceNotFoundException', `Requested resource not found: Shard does not exist`);
      let after: string;
      if (ShardIteratorType === 'TRIM_HORIZON') after = '';
      else if (ShardIteratorType === 'LATEST') after = first(s.records.scan({ prefix: `${m.id}/`, reverse: true, limit: 1 }))?.[1].seq ?? ZERO;
      else {
        if (!SequenceNumber || !/^\d{1,40}$/.test(SequenceNumber)) throw new ServiceError('ValidationException', `Invalid SequenceNumber: ${SequenceNumber}`);
        const n = BigInt(SequenceNumber) - (ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? 1n : 0n);
        after = (n < 0n ? 0n : n).toString().padStart(ZERO.length, '0');
      }
      return { ShardIterator: encodeIterator({ arn: m.arn, shard: m.shardId, after, at: ctx.clock.nowMs() }) };
    },

    GetRecords: ({ ShardIterator, Limit }, ctx) => {
      const it = decodeIterator(ShardIterator);
      const now = ctx.clock.nowMs();
      if (it.at < now - ITERATOR_TTL_MS) {
        throw new ServiceError('ExpiredIteratorException', `Iterator expired. The iterator was created at time ${new Date(it.at).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of 900000 milliseconds.`);
      }
      const s = store(ctx);
      const m = stream(s, it.arn);
      const limit = Math.min(Limit ?? 1000, 1000);
      const records: StreamRecordData[] = [];
      for (const r of retained(s, m, it.after, now)) {
        records.push(r);
        if (records.length === limit) break;
      }
      const after = records.length ? records[records.length - 1].seq : it.after;
      const more = records.length === limit || m.closed === undefined;
      return {
        Records: records.map((r) => toRecord(r, m, ctx.region)),
        ...(more ? { NextShardIterator: encodeIterator({ ...it, after, at: now }) } : {}),
      };
    },
  };
}

export const dynamodbstreams: ServiceDefinition = { name: 'dynamodbstreams', create };
