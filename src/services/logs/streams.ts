// Log streams: create, delete, describe (by name or by last event time, either direction, paging).
import { ServiceError, type Runtime, type Stores, type RequestContext } from '../../kit.js';
import type { LogsProvider, LogStream } from '../../generated/logs.js';
import { SEP, type GroupRecord, type LogsStore, type StreamRecord } from './store.js';
import { checkLimit, decodeToken, encodeToken, group, groupNameOf, invalidParameter, noStream, streamArn } from './common.js';

const STREAM_NAME = /^[^:*]{1,512}$/;

export function describeStream(s: StreamRecord, g: GroupRecord, ctx: { region: string; account: string }): LogStream {
  return {
    logStreamName: s.name,
    creationTime: s.created,
    firstEventTimestamp: s.firstEventTimestamp,
    lastEventTimestamp: s.lastEventTimestamp,
    lastIngestionTime: s.lastIngestionTime,
    arn: streamArn(ctx.region, ctx.account, g.name, s.name),
    // AWS stopped reporting a stream's stored bytes in 2019: always 0
    storedBytes: 0,
  };
}

export function streamHandlers(rt: Runtime, stores: Stores<LogsStore>): LogsProvider {
  const st = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  return {
    CreateLogStream: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      if (!STREAM_NAME.test(input.logStreamName)) {
        throw invalidParameter(
          `1 validation error detected: Value '${input.logStreamName}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`,
        );
      }
      const streams = store.streams(g);
      if (streams.has(input.logStreamName))
        throw new ServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists', 400);
      streams.put(input.logStreamName, { name: input.logStreamName, created: ctx.clock.nowMs(), storedBytes: 0 });
      return undefined;
    },

    DeleteLogStream: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      const streams = store.streams(g);
      if (!streams.has(input.logStreamName)) throw noStream();
      rt.engine.transaction(() => {
        const byStream = store.byStream(g);
        const byTime = store.byTime(g);
        const prefix = input.logStreamName + SEP;
        const keys = [...byStream.scan({ prefix })].map(([key]) => key);
        for (const key of keys) byTime.delete(key.slice(prefix.length));
        byStream.clear(prefix);
        streams.delete(input.logStreamName);
      });
      return undefined;
    },

    DescribeLogStreams: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, groupNameOf(input));
      const limit = checkLimit(input.limit, 50, 50);
      const orderBy = input.orderBy ?? 'LogStreamName';
      if (orderBy === 'LastEventTime' && input.logStreamNamePrefix !== undefined) {
        throw invalidParameter('Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      const streams = store.streams(g);
      if (orderBy === 'LogStreamName') {
        const from = decodeToken<string>(input.nextToken);
        const page = [
          ...streams.scan({
            prefix: input.logStreamNamePrefix,
            ...(from === undefined ? {} : input.descending ? { before: from } : { after: from }),
            reverse: input.descending ?? false,
            limit: limit + 1,
          }),
        ].map(([, s]) => s);
        const more = page.length > limit;
        const shown = page.slice(0, limit);
        return {
          logStreams: shown.map((s) => describeStream(s, g, ctx)),
          nextToken: more ? encodeToken(shown[shown.length - 1].name) : undefined,
        };
      }
      // by last event time: streams of no event count as time 0; ties by name
      const all = [...streams.scan()].map(([, s]) => s);
      const t = (s: StreamRecord) => s.lastEventTimestamp ?? 0;
      all.sort((a, b) => t(a) - t(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (input.descending) all.reverse();
      const offset = decodeToken<number>(input.nextToken, 'number') ?? 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter('The specified nextToken is invalid.');
      const shown = all.slice(offset, offset + limit);
      return {
        logStreams: shown.map((s) => describeStream(s, g, ctx)),
        nextToken: offset + limit < all.length ? encodeToken(offset + limit) : undefined,
      };
    },
  };
}
