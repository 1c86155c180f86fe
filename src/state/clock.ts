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

export class Clock {
  private advances: Advance[] = [];
  private listeners: Array<(now: Date) => void> = [];

  constructor(private readonly realNow: () => number = Date.now, history: Advance[] = []) {
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

  /** Moves virtual time forward; never backwards. Returns the new virtual time. */
  advance(ms: number): Date {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError('the clock only moves forward');
    this.advances.push({ at: this.realNow(), offset: this.offsetMs + ms });
    const now = this.now();
    for (const l of this.listeners) l(now);
    return now;
  }

  history(): Advance[] {
    return [...this.advances];
  }

  /** Called after every advance: services apply what became due (expiries, transitions). */
  onAdvance(listener: (now: Date) => void): void {
    this.listeners.push(listener);
  }

  reset(): void {
    this.advances = [];
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
