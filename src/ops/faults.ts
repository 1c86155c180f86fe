// Fault injection's model: what a fault is, how its JSON is read and checked, which calls it matches,
// and what status it gives a service, a region or a zone. Pure: no clock, no runtime (fault-store.ts
// holds the active faults; the gateway's inject stage asks it about each call).
import { availabilityZone, regionInfo, type AvailabilityZone } from './regions.js';
import { parseDuration } from '../state/clock.js';

export const EFFECTS = ['unavailable', 'error', 'throttle', 'latency', 'timeout'] as const;
export type FaultEffect = (typeof EFFECTS)[number];
export type HealthStatus = 'operational' | 'degraded' | 'disrupted';

export interface Fault {
  id: string;
  /** a service's model name, or `*` */
  service: string;
  /** empty: every operation */
  operations: string[];
  region?: string;
  zone?: AvailabilityZone;
  effect: FaultEffect;
  /** 0..1 */
  rate: number;
  /** latency: the delay; timeout: how long the call is held */
  latencyMs?: number;
  description?: string;
  /** virtual epoch ms */
  start: number;
  /** virtual epoch ms; undefined: until removed */
  end?: number;
  /** calls the fault hit */
  hits: number;
}

/** A call as fault matching sees it. */
export interface FaultCall {
  service: string;
  operation: string;
  region: string;
  input?: unknown;
}

/** What the admin API refuses (answered 400 with its message). */
export class FaultInputError extends Error {}

const MAX_HOLD_MS = 600_000;
const DEFAULT_MS: Partial<Record<FaultEffect, number>> = { latency: 1000, timeout: 30_000 };

/**
 * Reads a fault from the admin API's JSON.
 * @param served the served services' operations, by service name
 */
export function parseFault(body: unknown, served: ReadonlyMap<string, readonly string[]>, id: string, now: number): Fault {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new FaultInputError('a fault is a JSON object, e.g. {"service": "s3", "effect": "unavailable"}');
  const b = body as Record<string, unknown>;
  const known = ['service', 'operations', 'region', 'availabilityZone', 'effect', 'rate', 'latencyMs', 'duration', 'description'];
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length) throw new FaultInputError(`unknown field(s) ${unknown.join(', ')}; a fault has ${known.join(', ')}`);

  if (typeof b.service !== 'string' || !b.service) throw new FaultInputError('"service" is required: a served service (e.g. "s3") or "*"');
  const service = b.service;
  if (service !== '*' && !served.has(service))
    throw new FaultInputError(`service ${service} is not served; served: ${[...served.keys()].sort().join(', ')}`);

  if (typeof b.effect !== 'string' || !(EFFECTS as readonly string[]).includes(b.effect)) {
    throw new FaultInputError(`"effect" must be one of ${EFFECTS.join(', ')}`);
  }
  const effect = b.effect as FaultEffect;

  const operations = readOperations(b.operations, service, served);

  let region: string | undefined;
  if (b.region !== undefined && b.region !== null) {
    if (typeof b.region !== 'string' || !regionInfo(b.region))
      throw new FaultInputError(`unknown region ${String(b.region)} (see GET /_nimbus/regions)`);
    region = b.region;
  }
  let zone: AvailabilityZone | undefined;
  if (b.availabilityZone !== undefined && b.availabilityZone !== null) {
    zone = typeof b.availabilityZone === 'string' ? availabilityZone(b.availabilityZone) : undefined;
    if (!zone)
      throw new FaultInputError(
        `unknown availability zone ${String(b.availabilityZone)} (a zone name like us-east-1a or id like use1-az6)`,
      );
    if (region && zone.region !== region) throw new FaultInputError(`availability zone ${zone.zoneName} is not in region ${region}`);
    region = zone.region;
  }

  const rate = b.rate === undefined ? 1 : b.rate;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new FaultInputError('"rate" must be a number from 0 to 1');

  let latencyMs: number | undefined;
  if (effect === 'latency' || effect === 'timeout') {
    latencyMs = b.latencyMs === undefined ? DEFAULT_MS[effect] : (b.latencyMs as number);
    if (typeof latencyMs !== 'number' || !Number.isFinite(latencyMs) || latencyMs < 0 || latencyMs > MAX_HOLD_MS) {
      throw new FaultInputError(`"latencyMs" must be a number of milliseconds from 0 to ${MAX_HOLD_MS}`);
    }
  } else if (b.latencyMs !== undefined) throw new FaultInputError('"latencyMs" applies only to the latency and timeout effects');

  let end: number | undefined;
  if (b.duration !== undefined && b.duration !== null) {
    let ms: number;
    try {
      ms = parseDuration(b.duration);
    } catch {
      throw new FaultInputError(
        `"duration" must be a duration like "90s", "15m", "2h", "1d" or a number of seconds, not ${JSON.stringify(b.duration)}`,
      );
    }
    if (!(ms > 0) || !Number.isFinite(ms)) throw new FaultInputError('"duration" must be positive');
    end = now + ms;
  }
  if (b.description !== undefined && typeof b.description !== 'string') throw new FaultInputError('"description" must be a string');
  const description = typeof b.description === 'string' ? b.description.slice(0, 1024) : undefined;
  return { id, service, operations, region, zone, effect, rate, latencyMs, description, start: now, end, hits: 0 };
}

function readOperations(v: unknown, service: string, served: ReadonlyMap<string, readonly string[]>): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((o) => typeof o !== 'string' || !o))
    throw new FaultInputError('"operations" must be a list of operation names, e.g. ["GetObject"]');
  const ops = [...new Set(v as string[])];
  const knows = (op: string) => (service === '*' ? [...served.values()].some((l) => l.includes(op)) : served.get(service)!.includes(op));
  const unknown = ops.filter((op) => !knows(op));
  if (unknown.length)
    throw new FaultInputError(`${service === '*' ? 'no served service has' : `${service} has no`} operation ${unknown.join(', ')}`);
  return ops;
}

/** Does the fault cover this call (service, operation, region, zone)? Its rate is not rolled here. */
export function matches(f: Fault, call: FaultCall): boolean {
  if (f.service !== '*' && f.service !== call.service) return false;
  if (f.operations.length && !f.operations.includes(call.operation)) return false;
  if (f.region !== undefined && f.region !== call.region) return false;
  return !f.zone || namesZone(call.input, f.zone);
}

/** Does an operation's input name the zone (by name or id) in any value, a few levels deep? */
export function namesZone(input: unknown, zone: AvailabilityZone, depth = 0): boolean {
  if (typeof input === 'string') return input === zone.zoneName || input === zone.zoneId;
  if (!input || typeof input !== 'object' || depth > 5 || Buffer.isBuffer(input)) return false;
  const values = Array.isArray(input) ? input : Object.values(input);
  for (const v of values.slice(0, 100)) if (namesZone(v, zone, depth + 1)) return true;
  return false;
}

/** How bad one fault is where it applies: disrupted when every call fails, else degraded. */
export function severity(f: Fault): HealthStatus {
  if (f.rate <= 0) return 'operational';
  const failsAll =
    f.operations.length === 0 && f.rate >= 1 && (f.effect === 'unavailable' || f.effect === 'error' || f.effect === 'timeout');
  return failsAll ? 'disrupted' : 'degraded';
}

const RANK: Record<HealthStatus, number> = { operational: 0, degraded: 1, disrupted: 2 };
export const worst = (a: HealthStatus, b: HealthStatus): HealthStatus => (RANK[b] > RANK[a] ? b : a);

/** A service's status in a region, and the faults that make it so. A zone fault degrades, never disrupts, its region. */
export function serviceStatus(active: readonly Fault[], service: string, region: string): { status: HealthStatus; faults: string[] } {
  let status: HealthStatus = 'operational';
  const faults: string[] = [];
  for (const f of active) {
    if ((f.service !== '*' && f.service !== service) || (f.region !== undefined && f.region !== region) || f.rate <= 0) continue;
    faults.push(f.id);
    status = worst(status, f.zone ? 'degraded' : severity(f));
  }
  return { status, faults };
}

/** A zone's status: from the faults naming it. */
export function zoneStatus(active: readonly Fault[], zone: AvailabilityZone): { status: HealthStatus; faults: string[] } {
  let status: HealthStatus = 'operational';
  const faults: string[] = [];
  for (const f of active) {
    if (f.zone?.zoneId !== zone.zoneId || f.rate <= 0) continue;
    faults.push(f.id);
    status = worst(status, severity(f));
  }
  return { status, faults };
}
