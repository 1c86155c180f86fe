// The clock timeline: what fired on the virtual clock (an object's lifecycle transition, a TTL
// deletion, a schedule), recorded by services at the point where it fires (`rt.timeline.record`),
// kept in a bounded ring and listed by the admin API (`GET /_nimbus/clock/events`, and the `fired`
// list of an advance).

export interface TimelineEntry {
  /** the service that fired it (`s3`) */
  service: string;
  /** what fired (`lifecycle-transition`, `ttl-delete`, `schedule`) */
  kind: string;
  /** the resource it happened to (an ARN where there is one) */
  resource: string;
  account?: string;
  region?: string;
  detail?: Record<string, unknown>;
}

export interface TimelineEvent extends TimelineEntry {
  seq: number;
  /** virtual epoch ms */
  time: number;
}

const CAPACITY = 5000;

export class Timeline {
  private readonly ring: TimelineEvent[] = [];
  private seq = 0;

  constructor(
    private readonly clock: { nowMs(): number },
    private readonly capacity = CAPACITY,
  ) {}

  /** Notes that something fired now (virtual time). Cheap: one object in a ring. */
  record(entry: TimelineEntry): void {
    this.ring.push({ ...entry, seq: ++this.seq, time: this.clock.nowMs() });
    if (this.ring.length > this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
  }

  /** The newest sequence number (0 when nothing fired yet). */
  get last(): number {
    return this.seq;
  }

  /** Events after a sequence number, oldest first. */
  after(seq: number): TimelineEvent[] {
    const first = this.ring.findIndex((e) => e.seq > seq);
    return first < 0 ? [] : this.ring.slice(first);
  }

  /** Events at or after a virtual time, oldest first. */
  since(timeMs: number): TimelineEvent[] {
    return this.ring.filter((e) => e.time >= timeMs);
  }

  clear(): void {
    this.ring.length = 0;
  }
}

/** An event as the admin API shows it. */
export const timelineView = (e: TimelineEvent) => ({
  seq: e.seq,
  time: new Date(e.time).toISOString(),
  service: e.service,
  kind: e.kind,
  resource: e.resource,
  account: e.account ?? null,
  region: e.region ?? null,
  detail: e.detail ?? {},
});
