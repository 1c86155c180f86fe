// Log events: PutLogEvents with AWS's batch rules, GetLogEvents with its f/ and b/ tokens, and
// FilterLogEvents over the group's time index (or the named streams' indexes, merged).
import type { Runtime, Stores, RequestContext } from '../../kit.js';
import type { LogsProvider, InputLogEvent, RejectedLogEventsInfo, OutputLogEvent, FilteredLogEvent } from '../../generated/logs.js';
import { SEP, seqKey, tsKey, type EventRecord, type GroupRecord, type LogsStore } from './store.js';
import { badToken, checkLimit, cutoff, decodeToken, encodeToken, group, groupNameOf, invalidParameter, noStream } from './common.js';
import { compilePattern, PatternError, type Matcher } from './pattern.js';

const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const DAY = 86_400_000;
const TOO_NEW_MS = 2 * 3_600_000;
const TOO_OLD_MS = 14 * DAY;
/** GetLogEvents and FilterLogEvents answer at most 1 MB */
const MAX_RESPONSE_BYTES = 1_048_576;
/** FilterLogEvents looks at no more events than this in one call */
export const MAX_SCANNED = 100_000;

/** An event as stored, with its place in the group (time key `ts SEP seq`). */
export interface StoredEvent {
  key: string;
  timestamp: number;
  stream: string;
  message: string;
  ingestion: number;
}

const timeKey = (ts: number, seq: number) => tsKey(ts) + SEP + seqKey(seq);
const parseTimeKey = (key: string) => Number(key.slice(0, 15));
/** the eventId FilterLogEvents gives: digits, unique and ordered within the group */
const eventId = (key: string) => key.replace(SEP, '');
/** GetLogEvents tokens: `f/` or `b/` and 56 digits (the event's time key, zero padded) */
const posToken = (dir: 'f' | 'b', key: string) => `${dir}/${key.replace(SEP, '').padStart(56, '0')}`;
function parsePosToken(token: string): { dir: 'f' | 'b'; key: string } {
  const m = /^([fb])\/(\d{56})$/.exec(token);
  if (!m) throw badToken();
  const digits = m[2].slice(56 - 27);
  return { dir: m[1] as 'f' | 'b', key: digits.slice(0, 15) + SEP + digits.slice(15) };
}

export function patternOf(text: string | undefined): Matcher {
  try {
    return compilePattern(text ?? '');
  } catch (e) {
    if (e instanceof PatternError) throw invalidParameter(`Invalid filter pattern: ${e.message}`);
    throw e;
  }
}

export type IngestListener = (ctx: { account: string; region: string }, g: GroupRecord, stream: string, events: StoredEvent[]) => void;

/**
 * Stores accepted events (sorted, checked) in both indexes and updates the stream and group.
 * Returns the stored events.
 */
export function ingest(rt: Runtime, store: LogsStore, g: GroupRecord, stream: string, events: InputLogEvent[], now: number): StoredEvent[] {
  return rt.engine.transaction(() => {
    const fresh = store.groups.get(g.name) ?? g;
    const streams = store.streams(fresh);
    const s = streams.get(stream)!;
    const byTime = store.byTime(fresh);
    const byStream = store.byStream(fresh);
    let seq = fresh.seq;
    let bytes = 0;
    const out: StoredEvent[] = [];
    for (const e of events) {
      const key = timeKey(e.timestamp, ++seq);
      const rec: EventRecord = { s: stream, m: e.message, i: now };
      byTime.put(key, rec);
      byStream.put(stream + SEP + key, rec);
      bytes += Buffer.byteLength(e.message) + EVENT_OVERHEAD;
      out.push({ key, timestamp: e.timestamp, stream, message: e.message, ingestion: now });
      if (s.firstEventTimestamp === undefined || e.timestamp < s.firstEventTimestamp) s.firstEventTimestamp = e.timestamp;
      if (s.lastEventTimestamp === undefined || e.timestamp > s.lastEventTimestamp) s.lastEventTimestamp = e.timestamp;
    }
    if (out.length) s.lastIngestionTime = now;
    s.storedBytes += bytes;
    streams.put(stream, s);
    store.groups.put(fresh.name, { ...fresh, seq, storedBytes: fresh.storedBytes + bytes });
    return out;
  });
}

/** Checks a PutLogEvents batch and splits off what is too new, too old or expired. */
export function checkBatch(
  g: GroupRecord,
  events: InputLogEvent[],
  now: number,
): { accepted: InputLogEvent[]; rejected?: RejectedLogEventsInfo } {
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && events[i].timestamp < events[i - 1].timestamp) {
      throw invalidParameter('Log events in a single PutLogEvents request must be in chronological order.');
    }
    bytes += Buffer.byteLength(events[i].message) + EVENT_OVERHEAD;
  }
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  if (events.length && events[events.length - 1].timestamp - events[0].timestamp > DAY) {
    throw invalidParameter('The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  const rejected: RejectedLogEventsInfo = {};
  const tooNew = events.findIndex((e) => e.timestamp > now + TOO_NEW_MS);
  if (tooNew >= 0) rejected.tooNewLogEventStartIndex = tooNew;
  // end indexes are exclusive: the index of the first event past the rejected ones
  const tooOld = events.filter((e) => e.timestamp < now - TOO_OLD_MS).length;
  if (tooOld) rejected.tooOldLogEventEndIndex = tooOld;
  const limit = cutoff(g, now);
  const expired = limit ? events.filter((e) => e.timestamp < limit).length : 0;
  if (expired) rejected.expiredLogEventEndIndex = expired;
  const start = Math.max(tooOld, expired);
  const end = tooNew >= 0 ? tooNew : events.length;
  return { accepted: events.slice(start, Math.max(start, end)), rejected: Object.keys(rejected).length ? rejected : undefined };
}

export function eventHandlers(rt: Runtime, stores: Stores<LogsStore>, onIngest: IngestListener): LogsProvider {
  const st = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  return {
    PutLogEvents: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      if (!store.streams(g).has(input.logStreamName)) throw noStream();
      const now = ctx.clock.nowMs();
      const { accepted, rejected } = checkBatch(g, input.logEvents, now);
      const stored = ingest(rt, store, g, input.logStreamName, accepted, now);
      if (stored.length) onIngest(ctx, g, input.logStreamName, stored);
      // sequence tokens are accepted and ignored, as AWS does since January 2023
      return {
        nextSequenceToken: posToken('f', stored.length ? stored[stored.length - 1].key : tsKey(now) + SEP + seqKey(0)).slice(2),
        rejectedLogEventsInfo: rejected,
      };
    },

    GetLogEvents: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, groupNameOf(input));
      if (!store.streams(g).has(input.logStreamName)) throw noStream();
      const limit = checkLimit(input.limit, 10_000, 10_000);
      const index = store.byStream(g);
      const prefix = input.logStreamName + SEP;
      const lo = Math.max(input.startTime ?? 0, cutoff(g, ctx.clock.nowMs()));
      const from = prefix + tsKey(lo);
      const before = input.endTime !== undefined ? prefix + tsKey(input.endTime) : prefix + '\uffff';
      const pos = input.nextToken !== undefined ? parsePosToken(input.nextToken) : undefined;
      const forward = pos ? pos.dir === 'f' : input.startFromHead === true;
      const range = forward
        ? { from, before, ...(pos ? { after: prefix + pos.key } : {}) }
        : { from, before: pos && prefix + pos.key < before ? prefix + pos.key : before, reverse: true };
      const events: [string, EventRecord][] = [];
      let bytes = 0;
      for (const [k, e] of index.scan({ ...range, limit })) {
        bytes += Buffer.byteLength(e.m) + EVENT_OVERHEAD;
        if (bytes > MAX_RESPONSE_BYTES && events.length) break;
        events.push([k.slice(prefix.length), e]);
      }
      if (!forward) events.reverse();
      const out: OutputLogEvent[] = events.map(([k, e]) => ({ timestamp: parseTimeKey(k), message: e.m, ingestionTime: e.i }));
      // at either end of the stream the token given is the token answered: the CLI stops on a repeat
      const start = pos?.key ?? tsKey(lo) + SEP + seqKey(0);
      const first = events.length ? events[0][0] : start;
      const last = events.length ? events[events.length - 1][0] : start;
      return {
        events: out,
        nextForwardToken: posToken('f', last),
        nextBackwardToken: posToken('b', first),
      };
    },

    FilterLogEvents: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, groupNameOf(input));
      if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
        throw invalidParameter('logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
      }
      const limit = checkLimit(input.limit, 10_000, 10_000);
      const match = patternOf(input.filterPattern);
      const lo = Math.max(input.startTime ?? 0, cutoff(g, ctx.clock.nowMs()));
      const after = decodeToken<string>(input.nextToken);
      const range = { from: tsKey(lo), before: input.endTime !== undefined ? tsKey(input.endTime) : '\uffff', ...(after ? { after } : {}) };
      const out: FilteredLogEvent[] = [];
      let bytes = 0;
      /** the last event looked at (returned or passed over): the next page starts after it */
      let last: string | undefined;
      let more = false;
      let scanned = 0;
      for (const ev of scanGroup(store, g, range, input.logStreamNames)) {
        // a sparse pattern over a large group answers in pieces, as AWS does: fewer events and a token
        if (++scanned > MAX_SCANNED) {
          more = true;
          break;
        }
        const wanted =
          (input.logStreamNamePrefix === undefined || ev.stream.startsWith(input.logStreamNamePrefix)) && match(ev.message) !== null;
        if (wanted) {
          bytes += Buffer.byteLength(ev.message) + EVENT_OVERHEAD;
          if (out.length === limit || (bytes > MAX_RESPONSE_BYTES && out.length)) {
            more = true;
            break;
          }
          out.push({
            logStreamName: ev.stream,
            timestamp: ev.timestamp,
            message: ev.message,
            ingestionTime: ev.ingestion,
            eventId: eventId(ev.key),
          });
        }
        last = ev.key;
      }
      return { events: out, searchedLogStreams: [], nextToken: more ? encodeToken(last) : undefined };
    },
  };
}

interface TimeRange {
  from: string;
  before: string;
  after?: string;
}

/**
 * A group's events in time order within a range of time keys: the group's time index, or, for
 * named streams, each stream's index merged (so a few streams of a busy group are cheap to read).
 */
export function* scanGroup(store: LogsStore, g: GroupRecord, range: TimeRange, streams?: string[]): Generator<StoredEvent> {
  if (!streams) {
    for (const [key, e] of store.byTime(g).scan(range))
      yield { key, timestamp: parseTimeKey(key), stream: e.s, message: e.m, ingestion: e.i };
    return;
  }
  const index = store.byStream(g);
  const cursors = [...new Set(streams)].map((s) => {
    const p = s + SEP;
    return index.scan({ from: p + range.from, before: p + range.before, ...(range.after ? { after: p + range.after } : {}) });
  });
  // an open cursor blocks every write of the engine: a caller that stops early (a page's limit) closes them all
  try {
    const heads = cursors.map((c) => c.next());
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h.done) continue;
        if (best < 0 || keyOf(h.value[0], h.value[1]) < keyOf(heads[best].value![0], heads[best].value![1])) best = i;
      }
      if (best < 0) return;
      const [k, e] = heads[best].value as [string, EventRecord];
      const key = keyOf(k, e);
      yield { key, timestamp: parseTimeKey(key), stream: e.s, message: e.m, ingestion: e.i };
      heads[best] = cursors[best].next();
    }
  } finally {
    for (const c of cursors) c.return?.();
  }
}

const keyOf = (streamKey: string, e: EventRecord) => streamKey.slice(e.s.length + 1);
