// Traces: PutTraceSegments (and the daemon's and Lambda's segments, through ingest), BatchGetTraces,
// GetTraceSummaries with filter expressions, GetTraceGraph and GetServiceGraph.
import { ServiceError, type RequestContext, type Runtime } from '../../kit.js';
import type { UnprocessedTraceSegment, XrayProvider } from '../../generated/xray.js';
import { timeKey, xrayStores, type TraceRecord, type XrayStore } from './store.js';
import { assemble, checkSegment, traceEpochMs, type SegmentDoc } from './segments.js';
import { serviceGraph, summarize, view } from './analysis.js';
import { filterOf, findGroup } from './groups.js';

const invalid = (message: string) => new ServiceError('InvalidRequestException', message, 400);
const PAGE = 100;
const DAY_MS = 86_400_000;
/** traces are found by the time in their id; a trace's segments may start up to this much later */
const SLACK_MS = 3_600_000;

/** Stores segment documents; what could not be stored, with X-Ray's codes. */
export function ingest(store: XrayStore, documents: string[]): UnprocessedTraceSegment[] {
  const unprocessed: UnprocessedTraceSegment[] = [];
  const touched = new Map<string, TraceRecord>();
  for (const text of documents) {
    const c = checkSegment(text);
    if (!c.ok) {
      unprocessed.push({ Id: c.id, ErrorCode: c.code, Message: c.message });
      continue;
    }
    const traceId = c.doc.trace_id!;
    let t = touched.get(traceId) ?? store.traces.get(traceId);
    if (!t) {
      t = { id: traceId, docs: {}, revision: 0 };
      store.byTime.put(timeKey(traceEpochMs(traceId), traceId), traceId);
    }
    t.docs[c.doc.id] = c.doc;
    t.revision++;
    touched.set(traceId, t);
  }
  for (const [id, t] of touched) store.traces.put(id, t);
  return unprocessed;
}

const segmentsOf = (t: TraceRecord): SegmentDoc[] => assemble(Object.values(t.docs));

function checkRange(start: Date, end: Date, maxMs?: number): void {
  if (end.getTime() <= start.getTime()) throw invalid('EndTime must be after StartTime.');
  if (maxMs && end.getTime() - start.getTime() > maxMs)
    throw invalid('The time range between StartTime and EndTime cannot be greater than 24 hours.');
}

/** Traces whose id time falls in [from, to), in time order, after a page marker. */
function* inRange(store: XrayStore, from: number, to: number, after?: string): Generator<[string, TraceRecord]> {
  const keys = [...store.byTime.scan({ from: timeKey(from, ''), before: timeKey(to, ''), ...(after ? { after } : {}) })];
  for (const [key, id] of keys) {
    const t = store.traces.get(id);
    if (t) yield [key, t];
  }
}

export function traceHandlers(
  rt: Runtime,
  put: (account: string, region: string, documents: string[]) => UnprocessedTraceSegment[],
): XrayProvider {
  const stores = xrayStores(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  return {
    PutTraceSegments: ({ TraceSegmentDocuments }, ctx) => ({
      UnprocessedTraceSegments: put(ctx.account, ctx.region, TraceSegmentDocuments),
    }),
    BatchGetTraces: ({ TraceIds }, ctx) => {
      const store = storeOf(ctx);
      const traces = [];
      const missing = [];
      for (const id of TraceIds) {
        const t = store.traces.get(id);
        if (!t) {
          missing.push(id);
          continue;
        }
        const segs = segmentsOf(t);
        const v = view(segs);
        traces.push({
          Id: id,
          Duration: Math.round(v.duration * 1000) / 1000,
          LimitExceeded: false,
          Segments: segs.map((s) => ({ Id: s.id, Document: JSON.stringify(s) })),
        });
      }
      return { Traces: traces, UnprocessedTraceIds: missing };
    },
    GetTraceSummaries: ({ StartTime, EndTime, TimeRangeType, FilterExpression, NextToken }, ctx) => {
      checkRange(StartTime, EndTime, DAY_MS);
      const store = storeOf(ctx);
      const filter = FilterExpression ? filterOf(FilterExpression) : undefined;
      const byId = (TimeRangeType ?? 'TraceId') === 'TraceId';
      const from = StartTime.getTime() - (byId ? 0 : SLACK_MS);
      const to = EndTime.getTime() + (byId ? 0 : SLACK_MS);
      let after: string | undefined;
      if (NextToken) {
        after = Buffer.from(NextToken, 'base64url').toString();
        if (!/^\d{15}\|/.test(after)) throw invalid('Invalid NextToken.');
      }
      const summaries = [];
      let processed = 0;
      let next: string | undefined;
      for (const [key, t] of inRange(store, from, to, after)) {
        if (summaries.length >= PAGE) {
          next = Buffer.from(after!).toString('base64url');
          break;
        }
        after = key;
        processed++;
        const segs = segmentsOf(t);
        if (!segs.length) continue;
        if (!byId) {
          const start = Math.min(...segs.map((s) => s.start_time)) * 1000;
          if (start < StartTime.getTime() || start >= EndTime.getTime()) continue;
        }
        if (filter && !filter(view(segs))) continue;
        summaries.push(summarize(t.id, segs, t.revision));
      }
      return { TraceSummaries: summaries, ApproximateTime: ctx.clock.now(), TracesProcessedCount: processed, NextToken: next };
    },
    GetTraceGraph: ({ TraceIds }, ctx) => {
      const store = storeOf(ctx);
      const traces = TraceIds.map((id) => store.traces.get(id))
        .filter((t): t is TraceRecord => !!t)
        .map(segmentsOf);
      return { Services: serviceGraph(traces, ctx.account) };
    },
    GetServiceGraph: ({ StartTime, EndTime, GroupName, GroupARN }, ctx) => {
      checkRange(StartTime, EndTime);
      const store = storeOf(ctx);
      const group = GroupName || GroupARN ? findGroup(store, GroupName, GroupARN) : undefined;
      const filter = group?.filter ? filterOf(group.filter) : undefined;
      const traces: SegmentDoc[][] = [];
      for (const [, t] of inRange(store, StartTime.getTime() - SLACK_MS, EndTime.getTime() + SLACK_MS)) {
        const segs = segmentsOf(t).filter(
          (s) => s.start_time * 1000 < EndTime.getTime() && (s.end_time ?? s.start_time) * 1000 >= StartTime.getTime(),
        );
        if (segs.length && (!filter || filter(view(segs)))) traces.push(segs);
      }
      return { StartTime, EndTime, Services: serviceGraph(traces, ctx.account), ContainsOldGroupVersions: false };
    },
  };
}
