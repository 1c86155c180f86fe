// Logs Insights: StartQuery parses (MalformedQueryException on bad input) and records the query;
// the first GetQueryResults runs it over the groups' time indexes and answers Complete; StopQuery
// cancels a query not yet run; DescribeQueries lists them.
import { randomUUID } from 'node:crypto';
import { ServiceError, type Runtime, type Stores, type RequestContext } from '../../kit.js';
import type { LogsProvider, QueryInfo } from '../../generated/logs.js';
import { SEP, tsKey, type LogsStore, type QueryRecord } from './store.js';
import { checkLimit, cutoff, decodeToken, encodeToken, groupNameOf, invalidParameter } from './common.js';
import { scanGroup } from './events.js';
import { parseQuery, QueryError, type Command } from './insights-parse.js';
import { checkQuery, runQuery, type QueryEvent } from './insights-eval.js';

interface StoredResult {
  rows: { field: string; value: string }[][];
  matched: number;
  scanned: number;
  bytes: number;
}

function compile(query: string): Command[] {
  try {
    const commands = parseQuery(query);
    checkQuery(commands);
    return commands;
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    throw new ServiceError('MalformedQueryException', e.message, 400, {
      queryCompileError: { location: { startCharOffset: e.start, endCharOffset: e.end }, message: e.message },
    });
  }
}

export function insightsHandlers(rt: Runtime, stores: Stores<LogsStore>): LogsProvider {
  const st = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const results = (ctx: RequestContext) => st(ctx).scope.collection<StoredResult>('query-results');
  const info = (q: QueryRecord): QueryInfo => ({
    queryLanguage: 'CWLI',
    queryId: q.queryId,
    queryString: q.queryString,
    status: q.status as QueryInfo['status'],
    createTime: q.createTime,
    logGroupName: q.logGroupNames[0],
  });

  function run(ctx: RequestContext, q: QueryRecord): StoredResult {
    const store = st(ctx);
    const now = ctx.clock.nowMs();
    let scanned = 0;
    let bytes = 0;
    const events = function* (): Generator<QueryEvent> {
      for (const name of q.logGroupNames) {
        const g = store.groups.get(name);
        if (!g) continue;
        const from = tsKey(Math.max(q.startTime * 1000, cutoff(g, now)));
        const before = tsKey((q.endTime + 1) * 1000);
        for (const ev of scanGroup(store, g, { from, before })) {
          scanned++;
          bytes += Buffer.byteLength(ev.message);
          yield {
            timestamp: ev.timestamp,
            message: ev.message,
            stream: ev.stream,
            group: g.name,
            account: ctx.account,
            ingestion: ev.ingestion,
            id: Buffer.from(`${g.name}${SEP}${ev.key}`).toString('base64url'),
          };
        }
      }
    };
    const { rows, matched } = runQuery(compile(q.queryString), events(), q.limit ?? 10_000);
    return { rows, matched, scanned, bytes };
  }

  return {
    StartQuery: (input, ctx) => {
      if (input.queryLanguage !== undefined && input.queryLanguage !== 'CWLI') {
        throw invalidParameter(`Query language ${input.queryLanguage} is not supported by Nimbus; only CWLI is.`);
      }
      const sources = [input.logGroupName !== undefined, input.logGroupNames !== undefined, input.logGroupIdentifiers !== undefined].filter(
        Boolean,
      ).length;
      if (sources !== 1) throw invalidParameter('Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified.');
      if (input.endTime < input.startTime) throw invalidParameter('End time cannot be less than start time.');
      if (input.limit !== undefined) checkLimit(input.limit, 10_000, 10_000);
      compile(input.queryString);
      const store = st(ctx);
      const names =
        input.logGroupName !== undefined
          ? [input.logGroupName]
          : (input.logGroupNames ?? input.logGroupIdentifiers!.map((id) => groupNameOf({ logGroupIdentifier: id })));
      for (const n of names) {
        if (!store.groups.has(n))
          throw new ServiceError('ResourceNotFoundException', `Log group '${n}' does not exist for account ID '${ctx.account}'`, 400);
      }
      const queryId = randomUUID();
      store.queries.put(queryId, {
        queryId,
        queryString: input.queryString,
        logGroupNames: names,
        startTime: input.startTime,
        endTime: input.endTime,
        limit: input.limit,
        createTime: ctx.clock.nowMs(),
        status: 'Running',
      });
      return { queryId };
    },

    GetQueryResults: (input, ctx) => {
      const store = st(ctx);
      const q = store.queries.get(input.queryId);
      if (!q) throw new ServiceError('ResourceNotFoundException', 'Query does not exist.', 400);
      let res = results(ctx).get(q.queryId);
      if (q.status === 'Running' || (!res && q.status === 'Complete')) {
        res = run(ctx, q);
        rt.engine.transaction(() => {
          results(ctx).put(q.queryId, res!);
          store.queries.put(q.queryId, { ...q, status: 'Complete' });
        });
        q.status = 'Complete';
      }
      const statistics = {
        recordsMatched: res?.matched ?? 0,
        recordsScanned: res?.scanned ?? 0,
        bytesScanned: res?.bytes ?? 0,
        estimatedRecordsSkipped: 0,
        estimatedBytesSkipped: 0,
        logGroupsScanned: q.logGroupNames.length,
      };
      return { queryLanguage: 'CWLI', results: res?.rows ?? [], statistics, status: q.status as QueryInfo['status'] };
    },

    StopQuery: (input, ctx) => {
      const store = st(ctx);
      const q = store.queries.get(input.queryId);
      if (!q) throw new ServiceError('ResourceNotFoundException', 'Query does not exist.', 400);
      if (q.status !== 'Running' && q.status !== 'Scheduled') return { success: false };
      store.queries.put(q.queryId, { ...q, status: 'Cancelled' });
      return { success: true };
    },

    DescribeQueries: (input, ctx) => {
      const store = st(ctx);
      const limit = input.maxResults === undefined ? 1000 : checkLimit(input.maxResults, 1000, 1000);
      const all = [...store.queries.scan()]
        .map(([, q]) => q)
        .filter(
          (q) =>
            (input.status === undefined || q.status === input.status) &&
            (input.logGroupName === undefined || q.logGroupNames.includes(input.logGroupName)),
        )
        .sort((a, b) => b.createTime - a.createTime || (a.queryId < b.queryId ? -1 : 1));
      const offset = decodeToken<number>(input.nextToken, 'number') ?? 0;
      if (!Number.isInteger(offset) || offset < 0) throw invalidParameter('The specified nextToken is invalid.');
      return {
        queries: all.slice(offset, offset + limit).map(info),
        nextToken: offset + limit < all.length ? encodeToken(offset + limit) : undefined,
      };
    },
  };
}
