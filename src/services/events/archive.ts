// Archives and replays: an archive keeps the events of a bus that match its pattern for its
// retention (days on the virtual clock, 0 = for ever); a replay puts the archived events of a time
// window back on the bus, each with a "replay-name" field, going STARTING → RUNNING → COMPLETED.
import { ServiceError, type RequestContext, type Runtime } from '../../kit.js';
import type { EventsProvider } from '../../generated/events.js';
import { archiveStore, busName, eventsStores, findBus, type ArchiveRecord, type ReplayRecord } from './store.js';
import type { BusEvent } from './deliver.js';
import type { ReplayRouting } from './route.js';

/** Virtual time a replay spends starting before its events are put back. */
export const REPLAY_STARTUP_MS = 60_000;
const DAY_MS = 86_400_000;
const pad = (ms: number) => String(Math.max(0, ms)).padStart(15, '0');
const notFound = (m: string) => new ServiceError('ResourceNotFoundException', m);

type Matcher = (text: string) => { matches(event: unknown): boolean };
type Route = (account: string, region: string, bus: string, event: BusEvent, replay: ReplayRouting) => void;

interface Counters {
  count: number;
  bytes: number;
}

export class Archives {
  private readonly s;
  private readonly counters;
  private lastPurge = 0;
  /** each account and region's archives, read once (the archive handlers below drop it on a change) */
  private readonly cache = new Map<string, ArchiveRecord[]>();

  constructor(
    private readonly rt: Runtime,
    private readonly matcher: Matcher,
    private readonly route: Route,
  ) {
    this.s = archiveStore(rt);
    this.counters = rt.shared('events/archive-counters', () =>
      rt.stores('events', (scope) => scope.collection<Counters>('archive-counters')).system(),
    );
  }

  /** Keeps an event put on a bus in the bus's archives whose pattern it matches. */
  record(account: string, region: string, busArn: string, event: BusEvent): void {
    const prefix = `${account}|${region}|`;
    let all = this.cache.get(prefix);
    if (!all) this.cache.set(prefix, (all = [...this.s.archives.scan({ prefix })].map(([, a]) => a)));
    const archives = all.filter((a) => a.source === busArn);
    if (!archives.length) return;
    const now = this.rt.clock.nowMs();
    const text = JSON.stringify(event);
    for (const a of archives) {
      if (a.eventPattern && !this.matcher(a.eventPattern).matches(event)) continue;
      const key = `${prefix}${a.name}`;
      // the cache may be older than a reset of the state
      if (!this.s.archives.has(key)) {
        this.cache.delete(prefix);
        continue;
      }
      this.s.events.put(`${key}|${pad(now)}|${event.id}`, { event, at: now, size: Buffer.byteLength(text) });
      const c = this.counters.get(key) ?? { count: 0, bytes: 0 };
      this.counters.put(key, { count: c.count + 1, bytes: c.bytes + Buffer.byteLength(text) });
    }
  }

  /** Drops events past their archive's retention and runs the replays that are due. */
  tick(): void {
    const now = this.rt.clock.nowMs();
    if (now - this.lastPurge >= 60_000) {
      this.lastPurge = now;
      for (const [key, a] of [...this.s.archives.scan({})]) {
        if (!a.retentionDays) continue;
        const old = [...this.s.events.scan({ prefix: `${key}|`, before: `${key}|${pad(now - a.retentionDays * DAY_MS)}` })];
        if (!old.length) continue;
        const c = this.counters.get(key) ?? { count: 0, bytes: 0 };
        for (const [k, e] of old) {
          this.s.events.delete(k);
          c.count--;
          c.bytes -= e.size;
        }
        this.counters.put(key, { count: Math.max(0, c.count), bytes: Math.max(0, c.bytes) });
      }
    }
    for (const [key, r] of [...this.s.replays.scan({})]) {
      if (r.state !== 'STARTING' || now < r.startedAt + REPLAY_STARTUP_MS) continue;
      this.run(key, r);
    }
  }

  private run(key: string, r: ReplayRecord): void {
    this.s.replays.put(key, { ...r, state: 'RUNNING' });
    const archiveName = r.source.split('/').pop()!;
    const akey = `${r.account}|${r.region}|${archiveName}`;
    const bus = busName(r.destination.Arn);
    let last: number | undefined;
    const events = [...this.s.events.scan({ from: `${akey}|${pad(r.start)}`, before: `${akey}|${pad(r.end + 1)}` })];
    for (const [, e] of events) {
      // a cancel between two events stops the replay
      if (this.s.replays.get(key)?.state !== 'RUNNING') return;
      this.route(
        r.account,
        r.region,
        bus,
        { ...(e.event as BusEvent), 'replay-name': r.name },
        { name: r.name, filterArns: r.destination.FilterArns },
      );
      last = e.at;
    }
    this.s.replays.put(key, { ...r, state: 'COMPLETED', endedAt: this.rt.clock.nowMs(), lastReplayed: last });
  }

  handlers(): EventsProvider {
    const s = this.s;
    const keyOf = (ctx: RequestContext, name: string) => `${ctx.account}|${ctx.region}|${name}`;
    const archive = (ctx: RequestContext, name: string) => {
      const a = s.archives.get(keyOf(ctx, name));
      if (!a) throw notFound(`Archive ${name} does not exist.`);
      return a;
    };
    const replay = (ctx: RequestContext, name: string) => {
      const r = s.replays.get(keyOf(ctx, name));
      if (!r) throw notFound(`Replay ${name} does not exist.`);
      return r;
    };
    const stats = (a: ArchiveRecord) => this.counters.get(`${a.account}|${a.region}|${a.name}`) ?? { count: 0, bytes: 0 };
    const checkPattern = (text: string | undefined) => {
      if (text !== undefined) this.matcher(text);
    };
    const replaySummary = (r: ReplayRecord) => ({
      ReplayName: r.name,
      EventSourceArn: r.source,
      State: r.state,
      StateReason: r.stateReason,
      EventStartTime: new Date(r.start),
      EventEndTime: new Date(r.end),
      EventLastReplayedTime: r.lastReplayed !== undefined ? new Date(r.lastReplayed) : undefined,
      ReplayStartTime: new Date(r.startedAt),
      ReplayEndTime: r.endedAt !== undefined ? new Date(r.endedAt) : undefined,
    });
    return {
      CreateArchive: ({ ArchiveName, EventSourceArn, Description, EventPattern, RetentionDays }, ctx) => {
        const m = /^arn:aws[\w-]*:events:([^:]*):(\d{12}):event-bus\/(.+)$/.exec(EventSourceArn);
        if (
          !m ||
          m[2] !== ctx.account ||
          m[1] !== ctx.region ||
          !findBus(this.rt, eventsStores(this.rt).get(ctx.account, ctx.region), m[3])
        ) {
          throw notFound(`Event bus ${m?.[3] ?? EventSourceArn} does not exist.`);
        }
        if (s.archives.has(keyOf(ctx, ArchiveName)))
          throw new ServiceError('ResourceAlreadyExistsException', `Archive ${ArchiveName} already exists.`);
        checkPattern(EventPattern);
        const now = ctx.clock.now();
        const a: ArchiveRecord = {
          name: ArchiveName,
          arn: `arn:aws:events:${ctx.region}:${ctx.account}:archive/${ArchiveName}`,
          account: ctx.account,
          region: ctx.region,
          source: EventSourceArn,
          description: Description,
          eventPattern: EventPattern,
          retentionDays: RetentionDays ?? 0,
          created: now,
        };
        s.archives.put(keyOf(ctx, ArchiveName), a);
        this.cache.delete(`${ctx.account}|${ctx.region}|`);
        return { ArchiveArn: a.arn, State: 'ENABLED', CreationTime: now };
      },
      DescribeArchive: ({ ArchiveName }, ctx) => {
        const a = archive(ctx, ArchiveName);
        const st = stats(a);
        return {
          ArchiveArn: a.arn,
          ArchiveName: a.name,
          EventSourceArn: a.source,
          Description: a.description,
          EventPattern: a.eventPattern,
          State: 'ENABLED',
          RetentionDays: a.retentionDays,
          SizeBytes: st.bytes,
          EventCount: st.count,
          CreationTime: a.created,
        };
      },
      ListArchives: ({ NamePrefix, EventSourceArn, State, NextToken, Limit }, ctx) => {
        let all = [...s.archives.scan({ prefix: keyOf(ctx, NamePrefix ?? '') })].map(([, a]) => a);
        if (EventSourceArn) all = all.filter((a) => a.source === EventSourceArn);
        if (State && State !== 'ENABLED') all = [];
        const start = NextToken ? Number(Buffer.from(NextToken, 'base64url').toString()) : 0;
        const end = start + (Limit ?? 100);
        return {
          Archives: all.slice(start, end).map((a) => ({
            ArchiveName: a.name,
            EventSourceArn: a.source,
            State: 'ENABLED' as const,
            RetentionDays: a.retentionDays,
            SizeBytes: stats(a).bytes,
            EventCount: stats(a).count,
            CreationTime: a.created,
          })),
          NextToken: end < all.length ? Buffer.from(String(end)).toString('base64url') : undefined,
        };
      },
      UpdateArchive: ({ ArchiveName, Description, EventPattern, RetentionDays }, ctx) => {
        const a = archive(ctx, ArchiveName);
        checkPattern(EventPattern);
        const next = {
          ...a,
          description: Description ?? a.description,
          eventPattern: EventPattern ?? a.eventPattern,
          retentionDays: RetentionDays ?? a.retentionDays,
        };
        s.archives.put(keyOf(ctx, ArchiveName), next);
        this.cache.delete(`${ctx.account}|${ctx.region}|`);
        return { ArchiveArn: a.arn, State: 'ENABLED', CreationTime: a.created };
      },
      DeleteArchive: ({ ArchiveName }, ctx) => {
        archive(ctx, ArchiveName);
        const key = keyOf(ctx, ArchiveName);
        s.archives.delete(key);
        this.cache.delete(`${ctx.account}|${ctx.region}|`);
        s.events.clear(`${key}|`);
        this.counters.delete(key);
        return {};
      },

      StartReplay: ({ ReplayName, Description, EventSourceArn, EventStartTime, EventEndTime, Destination }, ctx) => {
        if (s.replays.has(keyOf(ctx, ReplayName)))
          throw new ServiceError('ResourceAlreadyExistsException', `Replay ${ReplayName} already exists.`);
        const a = archive(ctx, EventSourceArn.split('/').pop() ?? '');
        if (a.arn !== EventSourceArn) throw notFound(`Archive ${EventSourceArn} does not exist.`);
        if (Destination.Arn !== a.source)
          throw new ServiceError(
            'ValidationException',
            'Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.',
          );
        if (EventStartTime.getTime() >= EventEndTime.getTime())
          throw new ServiceError(
            'ValidationException',
            'Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.',
          );
        if (EventEndTime.getTime() > ctx.clock.nowMs())
          throw new ServiceError(
            'ValidationException',
            'Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.',
          );
        const now = ctx.clock.nowMs();
        const r: ReplayRecord = {
          name: ReplayName,
          arn: `arn:aws:events:${ctx.region}:${ctx.account}:replay/${ReplayName}`,
          account: ctx.account,
          region: ctx.region,
          description: Description,
          source: EventSourceArn,
          destination: Destination,
          start: EventStartTime.getTime(),
          end: EventEndTime.getTime(),
          state: 'STARTING',
          startedAt: now,
        };
        s.replays.put(keyOf(ctx, ReplayName), r);
        return { ReplayArn: r.arn, State: r.state, ReplayStartTime: new Date(now) };
      },
      DescribeReplay: ({ ReplayName }, ctx) => {
        const r = replay(ctx, ReplayName);
        return { ...replaySummary(r), ReplayArn: r.arn, Description: r.description, Destination: r.destination };
      },
      ListReplays: ({ NamePrefix, State, EventSourceArn, NextToken, Limit }, ctx) => {
        let all = [...s.replays.scan({ prefix: keyOf(ctx, NamePrefix ?? '') })].map(([, r]) => r);
        if (State) all = all.filter((r) => r.state === State);
        if (EventSourceArn) all = all.filter((r) => r.source === EventSourceArn);
        const start = NextToken ? Number(Buffer.from(NextToken, 'base64url').toString()) : 0;
        const end = start + (Limit ?? 100);
        return {
          Replays: all.slice(start, end).map(replaySummary),
          NextToken: end < all.length ? Buffer.from(String(end)).toString('base64url') : undefined,
        };
      },
      CancelReplay: ({ ReplayName }, ctx) => {
        const r = replay(ctx, ReplayName);
        if (r.state !== 'STARTING' && r.state !== 'RUNNING')
          throw new ServiceError('IllegalStatusException', `Replay ${ReplayName} is not in a state that can be cancelled.`);
        s.replays.put(keyOf(ctx, ReplayName), { ...r, state: 'CANCELLED', endedAt: ctx.clock.nowMs() });
        return { ReplayArn: r.arn, State: 'CANCELLING' };
      },
    };
  }
}
