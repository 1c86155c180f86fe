// The regions Nimbus knows and their availability zones: names, zone ids, whether the region is
// opt-in. One list for everyone who needs it (the health dashboard, fault injection, EC2's
// DescribeRegions and DescribeAvailabilityZones), offered through the kit. Zone ids map to zone names
// per account in AWS; here every account sees the same, typical mapping.

export interface AvailabilityZone {
  /** `us-east-1a` */
  zoneName: string;
  /** `use1-az6`: the zone's id, the same physical zone for every account */
  zoneId: string;
  /** the region the zone is in */
  region: string;
}

export interface RegionInfo {
  region: string;
  /** `US East (N. Virginia)` */
  name: string;
  /** a region an account must opt in to (EC2's OptInStatus `opted-in` vs `opt-in-not-required`) */
  optIn: boolean;
  availabilityZones: AvailabilityZone[];
}

// region, name, opt-in, zone-id prefix, zone letter → id number
const TABLE: [string, string, boolean, string, Record<string, number>][] = [
  ['us-east-1', 'US East (N. Virginia)', false, 'use1', { a: 6, b: 1, c: 2, d: 4, e: 3, f: 5 }],
  ['us-east-2', 'US East (Ohio)', false, 'use2', { a: 1, b: 2, c: 3 }],
  ['us-west-1', 'US West (N. California)', false, 'usw1', { a: 1, b: 3 }],
  ['us-west-2', 'US West (Oregon)', false, 'usw2', { a: 2, b: 1, c: 3, d: 4 }],
  ['af-south-1', 'Africa (Cape Town)', true, 'afs1', { a: 1, b: 2, c: 3 }],
  ['ap-east-1', 'Asia Pacific (Hong Kong)', true, 'ape1', { a: 1, b: 2, c: 3 }],
  ['ap-south-1', 'Asia Pacific (Mumbai)', false, 'aps1', { a: 1, b: 3, c: 2 }],
  ['ap-south-2', 'Asia Pacific (Hyderabad)', true, 'aps2', { a: 1, b: 2, c: 3 }],
  ['ap-southeast-1', 'Asia Pacific (Singapore)', false, 'apse1', { a: 1, b: 2, c: 3 }],
  ['ap-southeast-2', 'Asia Pacific (Sydney)', false, 'apse2', { a: 3, b: 1, c: 2 }],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)', true, 'apse3', { a: 1, b: 2, c: 3 }],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)', true, 'apse4', { a: 1, b: 2, c: 3 }],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)', false, 'apne1', { a: 4, c: 1, d: 2 }],
  ['ap-northeast-2', 'Asia Pacific (Seoul)', false, 'apne2', { a: 1, b: 2, c: 3, d: 4 }],
  ['ap-northeast-3', 'Asia Pacific (Osaka)', false, 'apne3', { a: 3, b: 1, c: 2 }],
  ['ca-central-1', 'Canada (Central)', false, 'cac1', { a: 1, b: 2, d: 4 }],
  ['ca-west-1', 'Canada West (Calgary)', true, 'caw1', { a: 1, b: 2, c: 3 }],
  ['eu-central-1', 'Europe (Frankfurt)', false, 'euc1', { a: 2, b: 3, c: 1 }],
  ['eu-central-2', 'Europe (Zurich)', true, 'euc2', { a: 1, b: 2, c: 3 }],
  ['eu-west-1', 'Europe (Ireland)', false, 'euw1', { a: 1, b: 2, c: 3 }],
  ['eu-west-2', 'Europe (London)', false, 'euw2', { a: 2, b: 3, c: 1 }],
  ['eu-west-3', 'Europe (Paris)', false, 'euw3', { a: 1, b: 2, c: 3 }],
  ['eu-north-1', 'Europe (Stockholm)', false, 'eun1', { a: 1, b: 2, c: 3 }],
  ['eu-south-1', 'Europe (Milan)', true, 'eus1', { a: 1, b: 2, c: 3 }],
  ['eu-south-2', 'Europe (Spain)', true, 'eus2', { a: 1, b: 2, c: 3 }],
  ['il-central-1', 'Israel (Tel Aviv)', true, 'ilc1', { a: 1, b: 2, c: 3 }],
  ['me-south-1', 'Middle East (Bahrain)', true, 'mes1', { a: 1, b: 2, c: 3 }],
  ['me-central-1', 'Middle East (UAE)', true, 'mec1', { a: 1, b: 2, c: 3 }],
  ['sa-east-1', 'South America (São Paulo)', false, 'sae1', { a: 1, b: 2, c: 3 }],
];

export const REGIONS: readonly RegionInfo[] = Object.freeze(
  TABLE.map(([region, name, optIn, prefix, zones]) => ({
    region,
    name,
    optIn,
    availabilityZones: Object.entries(zones).map(([letter, n]) => ({ zoneName: `${region}${letter}`, zoneId: `${prefix}-az${n}`, region })),
  })),
);

const byName = new Map(REGIONS.map((r) => [r.region, r]));
const zones = new Map<string, AvailabilityZone>();
for (const r of REGIONS) {
  for (const z of r.availabilityZones) {
    zones.set(z.zoneName, z);
    zones.set(z.zoneId, z);
  }
}

/** A region by name (`us-east-1`), or undefined. */
export function regionInfo(region: string): RegionInfo | undefined {
  return byName.get(region);
}

/** The zones of a region ([] for a region Nimbus does not list). */
export function availabilityZones(region: string): AvailabilityZone[] {
  return byName.get(region)?.availabilityZones ?? [];
}

/** A zone by name (`us-east-1a`) or id (`use1-az6`), or undefined. */
export function availabilityZone(nameOrId: string): AvailabilityZone | undefined {
  return zones.get(nameOrId);
}
