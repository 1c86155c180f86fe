// EC2's view of the regions and availability zones Nimbus knows (the kit's one list, shared with
// the health dashboard and fault injection).
import type { AvailabilityZone, Region } from '../../generated/ec2.js';
import { REGIONS, availabilityZones, regionInfo } from '../../kit.js';

/** Zones of a region (a region Nimbus does not list gets three zones a–c, so custom regions still work). */
export function zonesOf(region: string): Array<{ name: string; id: string }> {
  const known = availabilityZones(region);
  if (known.length) return known.map((z) => ({ name: z.zoneName, id: z.zoneId }));
  const short = region.replace(/[^a-z0-9]/g, '').slice(0, 6);
  return [...'abc'].map((letter, i) => ({ name: region + letter, id: `${short}-az${i + 1}` }));
}

export function zoneRecords(region: string): AvailabilityZone[] {
  const optIn = regionInfo(region)?.optIn ? 'opted-in' : 'opt-in-not-required';
  return zonesOf(region).map((z) => ({
    State: 'available',
    OptInStatus: optIn,
    Messages: [],
    RegionName: region,
    ZoneName: z.name,
    ZoneId: z.id,
    GroupName: region,
    NetworkBorderGroup: region,
    ZoneType: 'availability-zone',
    GroupLongName: region,
  }));
}

export function regionRecords(): Region[] {
  return REGIONS.map((r) => ({
    RegionName: r.region,
    Endpoint: `ec2.${r.region}.amazonaws.com`,
    OptInStatus: r.optIn ? 'opted-in' : 'opt-in-not-required',
  }));
}
