// StartLiveTail: an event stream (the json protocol's event-stream output) that opens with
// sessionStart, then carries each batch of newly ingested events of the named groups (filtered by
// stream names or prefixes and the filter pattern) as a sessionUpdate, and an empty sessionUpdate
// every second as AWS's heartbeat. A session ends when the caller disconnects, or with
// SessionTimeoutException once 3 hours of (virtual) time have passed.
import { randomUUID } from 'node:crypto';
import { ServiceError, eventStream, type Runtime, type Stores, type RequestContext } from '../../kit.js';
import type {
  LiveTailSessionLogEvent,
  StartLiveTailRequest,
  StartLiveTailResponse,
  StartLiveTailResponseStream,
} from '../../generated/logs.js';
import type { GroupRecord, LogsStore } from './store.js';
import { group, invalidParameter, parseGroupArn } from './common.js';
import { patternOf, type StoredEvent } from './events.js';
import type { Matcher } from './pattern.js';

const SESSION_MS = 3 * 3_600_000;
const HEARTBEAT_MS = 1000;
/** at most this many events in one sessionUpdate; more are sampled */
const MAX_PER_UPDATE = 500;

interface Session {
  account: string;
  region: string;
  /** group name → the identifier the caller gave */
  groups: Map<string, string>;
  streams?: string[];
  prefixes?: string[];
  match: Matcher;
  pending: LiveTailSessionLogEvent[];
  wake?: () => void;
}

export class LiveTails {
  private readonly sessions = new Set<Session>();

  constructor(
    private readonly rt: Runtime,
    private readonly stores: Stores<LogsStore>,
  ) {}

  /** An ingest listener: newly stored events to every session that follows their group and stream. */
  deliver(ctx: { account: string; region: string }, g: GroupRecord, stream: string, events: StoredEvent[]): void {
    for (const s of this.sessions) {
      if (s.account !== ctx.account || s.region !== ctx.region) continue;
      const id = s.groups.get(g.name);
      if (id === undefined) continue;
      if (s.streams && !s.streams.includes(stream)) continue;
      if (s.prefixes && !s.prefixes.some((p) => stream.startsWith(p))) continue;
      for (const e of events) {
        if (s.match(e.message))
          s.pending.push({
            logStreamName: stream,
            logGroupIdentifier: id,
            message: e.message,
            timestamp: e.timestamp,
            ingestionTime: e.ingestion,
          });
      }
      s.wake?.();
    }
  }

  handler() {
    return (i: StartLiveTailRequest, ctx: RequestContext): StartLiveTailResponse => {
      const store = this.stores.get(ctx.account, ctx.region);
      if (i.logStreamNames && i.logStreamNamePrefixes)
        throw invalidParameter('logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.');
      if ((i.logStreamNames || i.logStreamNamePrefixes) && i.logGroupIdentifiers.length > 1) {
        throw invalidParameter('logStreamNames and logStreamNamePrefixes can only be used with a single log group.');
      }
      const groups = new Map<string, string>();
      for (const id of i.logGroupIdentifiers) {
        if (id.endsWith('*')) throw invalidParameter('logGroupIdentifiers cannot end with a wildcard (*).');
        const arn = parseGroupArn(id);
        if (arn && (arn.account !== ctx.account || arn.region !== ctx.region))
          throw new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.', 400);
        const name = arn ? arn.name : id;
        group(store, name);
        groups.set(name, id);
      }
      const session: Session = {
        account: ctx.account,
        region: ctx.region,
        groups,
        streams: i.logStreamNames,
        prefixes: i.logStreamNamePrefixes,
        match: patternOf(i.logEventFilterPattern),
        pending: [],
      };
      const start = {
        requestId: ctx.requestId,
        sessionId: randomUUID(),
        logGroupIdentifiers: i.logGroupIdentifiers,
        ...(i.logStreamNames ? { logStreamNames: i.logStreamNames } : {}),
        ...(i.logStreamNamePrefixes ? { logStreamNamePrefixes: i.logStreamNamePrefixes } : {}),
        ...(i.logEventFilterPattern !== undefined ? { logEventFilterPattern: i.logEventFilterPattern } : {}),
      };
      return { responseStream: eventStream(this.run(session, start)) };
    };
  }

  private async *run(
    s: Session,
    start: NonNullable<StartLiveTailResponseStream['sessionStart']>,
  ): AsyncGenerator<StartLiveTailResponseStream> {
    const began = this.rt.clock.nowMs();
    this.sessions.add(s);
    try {
      yield { sessionStart: start };
      for (;;) {
        if (!s.pending.length) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, HEARTBEAT_MS);
            timer.unref();
            s.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          s.wake = undefined;
        }
        if (this.rt.clock.nowMs() - began >= SESSION_MS)
          throw new ServiceError('SessionTimeoutException', 'Session timed out after 3 hours.');
        const batch = s.pending.splice(0);
        const sampled = batch.length > MAX_PER_UPDATE;
        yield { sessionUpdate: { sessionMetadata: { sampled }, sessionResults: sampled ? batch.slice(-MAX_PER_UPDATE) : batch } };
      }
    } finally {
      this.sessions.delete(s);
    }
  }
}
