// The regions Nimbus presents and their availability zones (zone ids as AWS names them).
import type { AvailabilityZone, Region } from '../../generated/ec2.js';

/** region → zone letters; zone ids are `<short>-az<n>`. */
const REGIONS: Record<string, { short: string; zones: string }> = {
  'us-east-1': { short: 'use1', zones: 'abcdef' },
  'us-east-2': { short: 'use2', zones: 'abc' },
  'us-west-1': { short: 'usw1', zones: 'ac' },
  'us-west-2': { short: 'usw2', zones: 'abcd' },
  'ca-central-1': { short: 'cac1', zones: 'abd' },
  'eu-west-1': { short: 'euw1', zones: 'abc' },
  'eu-west-2': { short: 'euw2', zones: 'abc' },
  'eu-west-3': { short: 'euw3', zones: 'abc' },
  'eu-central-1': { short: 'euc1', zones: 'abc' },
  'eu-north-1': { short: 'eun1', zones: 'abc' },
  'ap-south-1': { short: 'aps1', zones: 'abc' },
  'ap-northeast-1': { short: 'apne1', zones: 'acd' },
  'ap-northeast-2': { short: 'apne2', zones: 'abcd' },
  'ap-northeast-3': { short: 'apne3', zones: 'abc' },
  'ap-southeast-1': { short: 'apse1', zones: 'abc' },
  'ap-southeast-2': { short: 'apse2', zones: 'abc' },
  'sa-east-1': { short: 'sae1', zones: 'abc' },
};

export const regionNames = () => Object.keys(REGIONS);
export const knownRegion = (r: string) => r in REGIONS;

/** Zones of a region (an unknown region gets three zones a–c, so custom regions still work). */
export function zonesOf(region: string): Array<{ name: string; id: string }> {
  const r = REGIONS[region] ?? { short: region.replace(/[^a-z0-9]/g, '').slice(0, 6), zones: 'abc' };
  return [...r.zones].map((letter, i) => ({ name: region + letter, id: `${r.short}-az${i + 1}` }));
}

export function zoneRecords(region: string): AvailabilityZone[] {
  return zonesOf(region).map((z) => ({
    State: 'available', OptInStatus: 'opt-in-not-required', Messages: [], RegionName: region, ZoneName: z.name, ZoneId: z.id,
    GroupName: region, NetworkBorderGroup: region, ZoneType: 'availability-zone', GroupLongName: region,
  }));
}

export function regionRecords(): Region[] {
  return Object.keys(REGIONS).map((name) => ({ RegionName: name, Endpoint: `ec2.${name}.amazonaws.com`, OptInStatus: 'opt-in-not-required' }));
}
