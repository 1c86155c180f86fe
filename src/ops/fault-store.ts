// The active faults of a runtime, what the gateway's inject stage asks about each call, and the
// history of status changes they caused (for the health dashboard). Faults live in memory: a restart
// or a reset forgets them. Expiry is lazy: a fault past its end is retired the next time anyone looks,
// its end dated at its end time.
import type { ServiceError } from '../services/errors.js';
import type { ServiceProfile } from '../services/types.js';
import type { CallInfo } from '../pipeline.js';
import { REGIONS } from './regions.js';
import { matches, parseFault, serviceStatus, zoneStatus, type Fault, type FaultCall, type HealthStatus } from './faults.js';
import { faultError } from './fault-errors.js';
import { randomBytes } from 'node:crypto';

export interface StatusChange {
  time: number;
  region: string;
  availabilityZone?: string;
  service: string;
  status: HealthStatus;
  previous: HealthStatus;
  event: 'start' | 'end';
  faultId: string;
  effect: string;
  description?: string;
}

/** What a call meets: a delay (latency faults that fired), then maybe a fault that fails or holds it. */
export interface FaultHit {
  delayMs: number;
  fault?: Fault;
}

const KEEP_ENDED = 100;
const KEEP_CHANGES = 500;

export class Faults {
  private active: Fault[] = [];
  private ended: Fault[] = [];
  private changes: StatusChange[] = [];
  private readonly thrown = new WeakMap<object, string>();
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  private readonly unansweredListeners: ((call: CallInfo, durationMs: number, faultId: string) => void)[] = [];
  /** the profile of a served service (set by the gateway), for how a fault's error is spelled */
  profileOf: (service: string) => ServiceProfile = () => ({});

  /**
   * @param served the served services' operation names, by service
   * @param random a number in [0, 1) per roll of a fault's rate
   */
  constructor(
    private readonly clock: { nowMs(): number },
    private readonly served: () => ReadonlyMap<string, readonly string[]>,
    private readonly random: () => number = Math.random,
  ) {}

  /** True when no fault is active: the gateway's inject stage then does nothing else. */
  get none(): boolean {
    return this.active.length === 0;
  }

  /** Adds a fault from the admin API's JSON (throws FaultInputError). */
  add(body: unknown): Fault {
    this.sweep();
    const now = this.clock.nowMs();
    const fault = parseFault(body, this.served(), `fault-${randomBytes(4).toString('hex')}`, now);
    this.transition(fault, 'start', now, () => this.active.push(fault));
    return fault;
  }

  remove(id: string): Fault | undefined {
    this.sweep();
    const fault = this.active.find((f) => f.id === id);
    if (fault) this.retire(fault, this.clock.nowMs());
    return fault;
  }

  /** Removes every active fault; how many there were. */
  clear(): number {
    this.sweep();
    const n = this.active.length;
    const now = this.clock.nowMs();
    for (const f of [...this.active]) this.retire(f, now);
    return n;
  }

  /** Forgets faults and their history (a reset). */
  forget(): void {
    this.active = [];
    this.ended = [];
    this.changes = [];
  }

  /** The active faults, in the order they were added; with `all`, the ones that ended too (newest last). */
  list(all = false): Fault[] {
    this.sweep();
    return all ? [...this.ended, ...this.active] : [...this.active];
  }

  isActive(f: Fault): boolean {
    return this.active.includes(f);
  }

  /** Status changes, oldest first. */
  history(): readonly StatusChange[] {
    this.sweep();
    return this.changes;
  }

  /** What the faults do to this call; undefined when none fires. Latency faults add up; the first failing fault decides. */
  decide(call: FaultCall): FaultHit | undefined {
    this.sweep();
    let hit: FaultHit | undefined;
    for (const f of this.active) {
      if (f.rate <= 0 || !matches(f, call)) continue;
      if (f.rate < 1 && this.random() >= f.rate) continue;
      f.hits++;
      hit ??= { delayMs: 0 };
      if (f.effect === 'latency') hit.delayMs += f.latencyMs ?? 0;
      else {
        hit.fault = f;
        break;
      }
    }
    return hit;
  }

  /** The error a failing fault answers for a call of this service, marked as the fault's. */
  errorFor(f: Fault, profile: ServiceProfile, operation: string): ServiceError | undefined {
    const err = faultError(f.effect, profile, operation);
    if (err) this.thrown.set(err, f.id);
    return err;
  }

  /** The fault that answered this error, if one did. */
  faultOf(error: object | undefined): string | undefined {
    return error ? this.thrown.get(error) : undefined;
  }

  /** What a hit of the fault answers, for the admin API: `{code, status}` or null. */
  describeError(f: Fault): { code: string; status: number } | null {
    const err = faultError(f.effect, f.service === '*' ? {} : this.profileOf(f.service), f.operations[0] ?? '');
    return err ? { code: err.code, status: err.status ?? 400 } : null;
  }

  /** Waits (real time); cut short when the runtime closes. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => entry.done(), ms),
        done: () => {
          clearTimeout(entry.timer);
          this.sleeping.delete(entry);
          resolve();
        },
      };
      this.sleeping.add(entry);
    });
  }

  /** Ends every pending sleep (the runtime closes). */
  close(): void {
    for (const s of [...this.sleeping]) s.done();
  }

  /** Observers of calls a timeout fault left unanswered (they never reach the pipeline's record seam). */
  onUnanswered(fn: (call: CallInfo, durationMs: number, faultId: string) => void): void {
    this.unansweredListeners.push(fn);
  }

  unanswered(call: CallInfo, durationMs: number, faultId: string): void {
    for (const fn of this.unansweredListeners) fn(call, durationMs, faultId);
  }

  /** Retires faults past their end, in the order they ended. */
  private sweep(): void {
    if (!this.active.some((f) => f.end !== undefined)) return;
    const now = this.clock.nowMs();
    const due = this.active.filter((f) => f.end !== undefined && f.end <= now).sort((a, b) => a.end! - b.end!);
    for (const f of due) this.retire(f, f.end!);
  }

  private retire(f: Fault, at: number): void {
    this.transition(f, 'end', at, () => {
      this.active = this.active.filter((a) => a !== f);
      f.end = at;
      this.ended.push(f);
      if (this.ended.length > KEEP_ENDED) this.ended.shift();
    });
  }

  /** Applies a change to the active faults, noting every status it changed. */
  private transition(f: Fault, event: 'start' | 'end', time: number, apply: () => void): void {
    const services = f.service === '*' ? [...this.served().keys()] : [f.service];
    const regions = f.region ? [f.region] : REGIONS.map((r) => r.region);
    const statuses = () => {
      const out: HealthStatus[] = [];
      for (const r of regions) for (const s of services) out.push(serviceStatus(this.active, s, r).status);
      if (f.zone) out.push(zoneStatus(this.active, f.zone).status);
      return out;
    };
    const before = statuses();
    apply();
    const after = statuses();
    const note = { event, faultId: f.id, effect: f.effect, description: f.description, time };
    // per service, one change for every region when all of them changed alike (`region: "*"`), else one per region
    const changed = new Map<string, { service: string; status: HealthStatus; previous: HealthStatus; regions: string[] }>();
    let i = 0;
    for (const region of regions) {
      for (const service of services) {
        if (before[i] !== after[i]) {
          const key = `${service} ${before[i]} ${after[i]}`;
          const group = changed.get(key) ?? { service, status: after[i], previous: before[i], regions: [] };
          group.regions.push(region);
          changed.set(key, group);
        }
        i++;
      }
    }
    for (const { service, status, previous, regions: rs } of changed.values()) {
      if (rs.length > 1 && rs.length === regions.length) this.changes.push({ ...note, region: '*', service, status, previous });
      else for (const region of rs) this.changes.push({ ...note, region, service, status, previous });
    }
    if (f.zone && before[i] !== after[i]) {
      this.changes.push({
        ...note,
        region: f.zone.region,
        availabilityZone: f.zone.zoneName,
        service: f.service,
        status: after[i],
        previous: before[i],
      });
    }
    if (this.changes.length > KEEP_CHANGES) this.changes.splice(0, this.changes.length - KEEP_CHANGES);
  }
}
