// Amazon DynamoDB Streams: reads the stream records the dynamodb provider writes with each item
// change (one shard per stream), through what DynamoDB offers (rt.integrations.dynamodbStreams).
import type { DynamodbstreamsProvider } from '../../generated/dynamodbstreams.js';
import {
  ServiceError,
  type DynamoStreamInfo,
  type Integrations,
  type RequestContext,
  type Runtime,
  type ServiceDefinition,
} from '../../kit.js';

const ITERATOR_TTL_MS = 15 * 60 * 1000;
const ZERO = '0'.repeat(21);

interface Iterator {
  arn: string;
  shard: string;
  after: string;
  at: number;
}

const encodeIterator = (it: Iterator) => Buffer.from(JSON.stringify(it)).toString('base64url');

function decodeIterator(s: string): Iterator {
  try {
    const it = JSON.parse(Buffer.from(s, 'base64url').toString()) as Iterator;
    if (typeof it.arn === 'string' && typeof it.after === 'string') return it;
  } catch {
    /* refused below */
  }
  throw new ServiceError('ValidationException', 'Invalid ShardIterator');
}

const streamNotFound = (arn: string) =>
  new ServiceError('ResourceNotFoundException', `Requested resource not found: Stream: ${arn} not found`);

function create(rt: Runtime): DynamodbstreamsProvider {
  const streams = (): NonNullable<Integrations['dynamodbStreams']> => {
    const offered = rt.integrations.dynamodbStreams;
    if (!offered) throw new ServiceError('InternalFailure', 'DynamoDB is not served, so it has no streams.', 500, {}, false);
    return offered;
  };
  function stream(ctx: RequestContext, arn: string, trimAt?: number): DynamoStreamInfo {
    const m = streams().describe(ctx.account, ctx.region, arn, trimAt);
    if (!m) throw streamNotFound(arn);
    return m;
  }

  return {
    ListStreams: ({ TableName, Limit, ExclusiveStartStreamArn }, ctx) => {
      const limit = Limit ?? 100;
      const all = streams()
        .list(ctx.account, ctx.region, ExclusiveStartStreamArn)
        .filter((m) => !TableName || m.tableName === TableName);
      const page = all.slice(0, limit);
      return {
        Streams: page.map((m) => ({ StreamArn: m.arn, TableName: m.tableName, StreamLabel: m.label })),
        ...(all.length > limit ? { LastEvaluatedStreamArn: page[page.length - 1].arn } : {}),
      };
    },

    DescribeStream: ({ StreamArn }, ctx) => {
      const m = stream(ctx, StreamArn, ctx.clock.nowMs());
      return {
        StreamDescription: {
          StreamArn: m.arn,
          StreamLabel: m.label,
          StreamStatus: m.closed === undefined ? 'ENABLED' : 'DISABLED',
          StreamViewType: m.viewType,
          CreationRequestDateTime: new Date(m.created),
          TableName: m.tableName,
          KeySchema: m.keySchema,
          Shards: [
            {
              ShardId: m.shardId,
              SequenceNumberRange: {
                StartingSequenceNumber: m.oldestSeq ?? ZERO.slice(0, -1) + '1',
                ...(m.closed !== undefined && m.latestSeq ? { EndingSequenceNumber: m.latestSeq } : {}),
              },
            },
          ],
        },
      };
    },

    GetShardIterator: ({ StreamArn, ShardId, ShardIteratorType, SequenceNumber }, ctx) => {
      const m = stream(ctx, StreamArn);
      if (ShardId !== m.shardId) throw new ServiceError('ResourceNotFoundException', `Requested resource not found: Shard does not exist`);
      let after: string;
      if (ShardIteratorType === 'TRIM_HORIZON') after = '';
      else if (ShardIteratorType === 'LATEST') after = m.latestSeq ?? ZERO;
      else {
        if (!SequenceNumber || !/^\d{1,40}$/.test(SequenceNumber))
          throw new ServiceError('ValidationException', `Invalid SequenceNumber: ${SequenceNumber}`);
        const n = BigInt(SequenceNumber) - (ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? 1n : 0n);
        after = (n < 0n ? 0n : n).toString().padStart(ZERO.length, '0');
      }
      return { ShardIterator: encodeIterator({ arn: m.arn, shard: m.shardId, after, at: ctx.clock.nowMs() }) };
    },

    GetRecords: ({ ShardIterator, Limit }, ctx) => {
      const it = decodeIterator(ShardIterator);
      const now = ctx.clock.nowMs();
      if (it.at < now - ITERATOR_TTL_MS) {
        throw new ServiceError(
          'ExpiredIteratorException',
          `Iterator expired. The iterator was created at time ${new Date(it.at).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of 900000 milliseconds.`,
        );
      }
      const m = stream(ctx, it.arn);
      const { records, next, closed } = streams().read(ctx.account, ctx.region, m.arn, it.after, Math.min(Limit ?? 1000, 1000), now);
      return { Records: records, ...(closed ? {} : { NextShardIterator: encodeIterator({ ...it, after: next, at: now }) }) };
    },
  };
}

export const dynamodbstreams: ServiceDefinition = { name: 'dynamodbstreams', create };
