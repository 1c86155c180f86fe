// The service health dashboard: every region, its zones and the served services, with the status
// active faults give them, and the history of status changes.
import { REGIONS, regionInfo, type RegionInfo } from './regions.js';
import { serviceStatus, worst, zoneStatus, type Fault, type HealthStatus } from './faults.js';
import type { StatusChange } from './fault-store.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** The dashboard's JSON (docs/admin-api.md). Throws RangeError for an unknown region. */
export function dashboard(
  active: readonly Fault[],
  history: readonly StatusChange[],
  served: readonly string[],
  now: number,
  region?: string,
) {
  let regions: readonly RegionInfo[] = REGIONS;
  if (region) {
    const one = regionInfo(region);
    if (!one) throw new RangeError(`unknown region ${region}`);
    regions = [one];
  }
  let overall: HealthStatus = 'operational';
  const out = regions.map((r) => {
    let status: HealthStatus = 'operational';
    const services = served.map((service) => {
      const s = serviceStatus(active, service, r.region);
      status = worst(status, s.status);
      return { service, ...s };
    });
    const availabilityZones = r.availabilityZones.map((z) => {
      const s = zoneStatus(active, z);
      status = worst(status, s.status);
      return { zoneName: z.zoneName, zoneId: z.zoneId, ...s };
    });
    overall = worst(overall, status);
    return { region: r.region, name: r.name, status, services, availabilityZones };
  });
  const changes = history.filter((c) => !region || c.region === region || c.region === '*');
  return {
    now: iso(now),
    status: overall,
    services: [...served],
    regions: out,
    history: changes
      .slice()
      .reverse()
      .map((c) => ({
        time: iso(c.time),
        region: c.region,
        availabilityZone: c.availabilityZone ?? null,
        service: c.service,
        status: c.status,
        previous: c.previous,
        event: c.event,
        faultId: c.faultId,
        effect: c.effect,
        description: c.description ?? null,
      })),
  };
}
