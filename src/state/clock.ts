// The one clock of the process. Virtual time = real time + the sum of advances made so far.
// Advances are recorded with the real time they happened at, so a timestamp a client took from
// its own (real) clock maps onto virtual time as of that moment: a URL presigned before an advance
// of 8 days has aged 8 days after it.

export interface Advance {
  /** real epoch ms at which the advance was made */
  at: number;
  /** total offset in ms from then on */
  offset: number;
}

/**
 * A listener to clock advances. It applies what became due; asynchronous work it starts (a
 * delivery, an invocation) it returns as a promise, and `settled()` waits for it.
 */
export type AdvanceListener = (now: Date) => void | Promise<unknown>;

/** How long (real time) `settled()` waits for listeners' work: a listener that never settles must not hang every advance. */
export const SETTLE_LIMIT_MS = 10_000;

export class Clock {
  private advances: Advance[] = [];
  private listeners: AdvanceListener[] = [];
  /** listeners' work still in flight, from every advance so far */
  private readonly inFlight = new InFlight();

  constructor(
    private readonly realNow: () => number = Date.now,
    history: Advance[] = [],
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {
    this.advances = [...history];
  }

  get offsetMs(): number {
    return this.advances.length ? this.advances[this.advances.length - 1].offset : 0;
  }

  /** virtual epoch ms */
  nowMs(): number {
    return this.realNow() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  /** Real wall-clock time, for checking clients' signing dates. */
  real(): Date {
    return new Date(this.realNow());
  }

  /** Maps a real epoch ms (e.g. a client's signing time) to the virtual time it corresponds to. */
  toVirtual(realMs: number): number {
    let offset = 0;
    for (const a of this.advances) {
      if (a.at > realMs) break;
      offset = a.offset;
    }
    return realMs + offset;
  }

  /**
   * Moves virtual time forward; never backwards. Returns the new virtual time. Listeners run before it
   * returns; the asynchronous work they start is awaited by `settled()` (or use `advanceSettled`).
   */
  advance(ms: number): Date {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError('the clock only moves forward');
    this.advances.push({ at: this.realNow(), offset: this.offsetMs + ms });
    const now = this.now();
    for (const l of this.listeners) {
      const work = l(now);
      if (work)
        this.inFlight.track(
          work.then(undefined, (e: unknown) => this.warn(`clock: work started by an advance failed: ${(e as Error)?.stack ?? String(e)}`)),
        );
    }
    return now;
  }

  /**
   * Resolves once the work listeners started (in this and earlier advances) has finished, or after
   * SETTLE_LIMIT_MS of real time, whichever comes first (then it warns and answers anyway).
   */
  async settled(limitMs = SETTLE_LIMIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), limitMs)));
    const done = await Promise.race([this.inFlight.settled().then(() => true), limit]);
    clearTimeout(timer);
    if (!done) this.warn(`clock: work started by an advance still runs after ${limitMs} ms; answering without it`);
  }

  /** `advance`, then `settled()`: what the admin API's POST /_nimbus/clock does. */
  async advanceSettled(ms: number): Promise<Date> {
    const now = this.advance(ms);
    await this.settled();
    return now;
  }

  history(): Advance[] {
    return [...this.advances];
  }

  /**
   * Called after every advance: services apply what became due (expiries, transitions) and return
   * the asynchronous work they started (deliveries, invocations), so an advance answers after it.
   */
  onAdvance(listener: AdvanceListener): void {
    this.listeners.push(listener);
  }

  reset(): void {
    this.advances = [];
  }
}

/**
 * Asynchronous work a service started and has not finished (deliveries, invocations): `track` each
 * promise, and return `settled()` from a clock listener so an advance waits for it.
 */
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  /** Tracks `p` until it settles (fulfilled or rejected); returns `p`. */
  track<T>(p: Promise<T>): Promise<T> {
    const w: Promise<unknown> = p.then(
      () => this.work.delete(w),
      () => this.work.delete(w),
    );
    this.work.add(w);
    return p;
  }

  /** Resolves once nothing tracked is in flight, including work started while waiting. Never rejects. */
  async settled(): Promise<void> {
    // a turn of the event loop first: listeners that run after this one (another service's firing)
    // may still hand this one work during the same advance
    await new Promise((resolve) => setImmediate(resolve));
    while (this.work.size) await Promise.all([...this.work]);
  }
}

/** Parses `90`, `90s`, `15m`, `2h`, `8d` into milliseconds. */
export function parseDuration(v: unknown): number {
  if (typeof v === 'number') return v * 1000;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(v.trim()) : null;
  if (!m) throw new RangeError(`not a duration: ${String(v)}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
