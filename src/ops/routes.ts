// The operations admin API (docs/admin-api.md): regions, fault injection, the health dashboard, the
// request log and the clock timeline, as routes under /_nimbus/. Installed once per runtime.
import type { Runtime } from '../runtime.js';
import type { AdminReply, AdminRequest } from '../admin/registry.js';
import { REGIONS, regionInfo } from './regions.js';
import { FaultInputError, type Fault } from './faults.js';
import { dashboard } from './health.js';
import { CAPACITY, RequestLog, callView, statusTest } from './requests.js';
import { timelineView } from './timeline.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const refuse = (status: number, error: string): AdminReply => ({ status, body: { error } });

function readJson(req: AdminRequest): unknown {
  const text = req.body.toString('utf8').trim();
  if (!text) throw new FaultInputError('the body must be JSON: a fault, or a list of faults');
  try {
    return JSON.parse(text);
  } catch {
    throw new FaultInputError('the body is not valid JSON');
  }
}

/** A bounded integer query parameter; throws RangeError when it is not one. */
function intParam(q: URLSearchParams, name: string, dflt: number | undefined, max: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new RangeError(`${name} must be a non-negative integer`);
  return Math.min(Number(v), max);
}

export function installOps(rt: Runtime): RequestLog {
  const faults = rt.faults;
  const log = rt.shared('ops/requests', () => new RequestLog(CAPACITY));
  rt.pipeline.onRecord((call) => log.add(call, call.error ? faults.faultOf(call.error) : undefined));
  faults.onUnanswered((call, ms, id) => log.addUnanswered(call, ms, id));
  rt.onClose(() => faults.close());

  const view = (f: Fault) => ({
    id: f.id,
    service: f.service,
    operations: f.operations,
    region: f.region ?? null,
    availabilityZone: f.zone?.zoneName ?? null,
    availabilityZoneId: f.zone?.zoneId ?? null,
    effect: f.effect,
    rate: f.rate,
    latencyMs: f.latencyMs ?? null,
    description: f.description ?? null,
    error: faults.describeError(f),
    startTime: iso(f.start),
    endTime: iso(f.end),
    active: faults.isActive(f),
    hits: f.hits,
  });
  const guarded = (fn: (req: AdminRequest) => AdminReply) => (req: AdminRequest) => {
    try {
      return fn(req);
    } catch (e) {
      if (e instanceof FaultInputError || e instanceof RangeError) return refuse(400, e.message);
      throw e;
    }
  };

  rt.admin.route('GET /_nimbus/regions', (req) => {
    const name = req.query.get('region');
    if (!name) return { body: { regions: REGIONS } };
    const one = regionInfo(name);
    return one ? { body: { regions: [one] } } : refuse(404, `unknown region ${name}`);
  });

  rt.admin.route('GET /_nimbus/faults', (req) => ({
    body: { now: iso(rt.clock.nowMs()), faults: faults.list(req.query.get('all') === 'true').map(view) },
  }));
  rt.admin.route(
    'POST /_nimbus/faults',
    guarded((req) => {
      const body = readJson(req);
      if (!Array.isArray(body)) return { status: 201, body: view(faults.add(body)) };
      if (body.length === 0) throw new FaultInputError('the list of faults is empty');
      // all or none: a refused fault in the list adds none of them
      const added: Fault[] = [];
      try {
        for (const f of body) added.push(faults.add(f));
      } catch (e) {
        for (const f of added) faults.remove(f.id);
        throw e;
      }
      return { status: 201, body: { faults: added.map(view) } };
    }),
  );
  rt.admin.route('DELETE /_nimbus/faults', () => ({ body: { removed: faults.clear() } }));
  rt.admin.route('GET /_nimbus/faults/*', (req) => {
    const id = decodeURIComponent(req.path.slice(req.path.lastIndexOf('/') + 1));
    const found = faults.list(true).find((f) => f.id === id);
    return found ? { body: view(found) } : refuse(404, `no fault ${id}`);
  });
  rt.admin.route('DELETE /_nimbus/faults/*', (req) => {
    const id = decodeURIComponent(req.path.slice(req.path.lastIndexOf('/') + 1));
    const removed = faults.remove(id);
    return removed ? { body: { removed: view(removed) } } : refuse(404, `no active fault ${id}`);
  });

  rt.admin.route(
    'GET /_nimbus/health/dashboard',
    guarded((req) => {
      const served = [...rt.providers.keys()];
      const region = req.query.get('region') || undefined;
      if (region && !regionInfo(region)) return refuse(404, `unknown region ${region}`);
      return { body: dashboard(faults.list(), faults.history(), served, rt.clock.nowMs(), region) };
    }),
  );

  rt.admin.route(
    'GET /_nimbus/requests',
    guarded((req) => {
      const q = req.query;
      const status = q.get('status') || undefined;
      statusTest(status);
      const filter = {
        service: q.get('service') || undefined,
        operation: q.get('operation') || undefined,
        account: q.get('account') || undefined,
        region: q.get('region') || undefined,
        status,
        after: intParam(q, 'after', undefined, Number.MAX_SAFE_INTEGER),
        limit: intParam(q, 'limit', 100, CAPACITY)!,
      };
      return { body: { capacity: log.capacity, total: log.total, requests: log.list(filter).map(callView) } };
    }),
  );
  rt.admin.route('DELETE /_nimbus/requests', () => ({ body: { cleared: log.clear() } }));

  rt.admin.route(
    'GET /_nimbus/clock/events',
    guarded((req) => {
      const q = req.query;
      const since = q.get('since');
      let events;
      if (!since) events = rt.timeline.after(0);
      else if (/^\d+$/.test(since)) events = rt.timeline.after(Number(since));
      else {
        const t = Date.parse(since);
        if (Number.isNaN(t)) throw new RangeError('since must be a sequence number or an ISO time');
        events = rt.timeline.since(t);
      }
      const service = q.get('service');
      const kind = q.get('kind');
      if (service) events = events.filter((e) => e.service === service);
      if (kind) events = events.filter((e) => e.kind === kind);
      const limit = intParam(q, 'limit', 500, 5000)!;
      if (events.length > limit) events = events.slice(events.length - limit);
      return { body: { now: iso(rt.clock.nowMs()), last: rt.timeline.last, events: events.map(timelineView) } };
    }),
  );
  return log;
}
