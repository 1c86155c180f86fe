// The regions Nimbus knows and their availability zones: names, zone ids, whether the region is
// opt-in. One list for everyone who needs it (the health dashboard, fault injection, EC2's
// DescribeRegions and DescribeAvailabilityZones), offered through the kit. Zone ids map to zone names
// per account in AWS; here every account sees the same mapping, the ids numbering the letters.

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

// region, name, opt-in, zone-id prefix, zone letters (ids number the letters in order: a → az1)
const TABLE: [string, string, boolean, string, string][] = [
  ['us-east-1', 'US East (N. Virginia)', false, 'use1', 'abcdef'],
  ['us-east-2', 'US East (Ohio)', false, 'use2', 'abc'],
  ['us-west-1', 'US West (N. California)', false, 'usw1', 'ac'],
  ['us-west-2', 'US West (Oregon)', false, 'usw2', 'abcd'],
  ['af-south-1', 'Africa (Cape Town)', true, 'afs1', 'abc'],
  ['ap-east-1', 'Asia Pacific (Hong Kong)', true, 'ape1', 'abc'],
  ['ap-south-1', 'Asia Pacific (Mumbai)', false, 'aps1', 'abc'],
  ['ap-south-2', 'Asia Pacific (Hyderabad)', true, 'aps2', 'abc'],
  ['ap-southeast-1', 'Asia Pacific (Singapore)', false, 'apse1', 'abc'],
  ['ap-southeast-2', 'Asia Pacific (Sydney)', false, 'apse2', 'abc'],
  ['ap-southeast-3', 'Asia Pacific (Jakarta)', true, 'apse3', 'abc'],
  ['ap-southeast-4', 'Asia Pacific (Melbourne)', true, 'apse4', 'abc'],
  ['ap-northeast-1', 'Asia Pacific (Tokyo)', false, 'apne1', 'acd'],
  ['ap-northeast-2', 'Asia Pacific (Seoul)', false, 'apne2', 'abcd'],
  ['ap-northeast-3', 'Asia Pacific (Osaka)', false, 'apne3', 'abc'],
  ['ca-central-1', 'Canada (Central)', false, 'cac1', 'abd'],
  ['ca-west-1', 'Canada West (Calgary)', true, 'caw1', 'abc'],
  ['eu-central-1', 'Europe (Frankfurt)', false, 'euc1', 'abc'],
  ['eu-central-2', 'Europe (Zurich)', true, 'euc2', 'abc'],
  ['eu-west-1', 'Europe (Ireland)', false, 'euw1', 'abc'],
  ['eu-west-2', 'Europe (London)', false, 'euw2', 'abc'],
  ['eu-west-3', 'Europe (Paris)', false, 'euw3', 'abc'],
  ['eu-north-1', 'Europe (Stockholm)', false, 'eun1', 'abc'],
  ['eu-south-1', 'Europe (Milan)', true, 'eus1', 'abc'],
  ['eu-south-2', 'Europe (Spain)', true, 'eus2', 'abc'],
  ['il-central-1', 'Israel (Tel Aviv)', true, 'ilc1', 'abc'],
  ['me-south-1', 'Middle East (Bahrain)', true, 'mes1', 'abc'],
  ['me-central-1', 'Middle East (UAE)', true, 'mec1', 'abc'],
  ['sa-east-1', 'South America (São Paulo)', false, 'sae1', 'abc'],
];

export const REGIONS: readonly RegionInfo[] = Object.freeze(
  TABLE.map(([region, name, optIn, prefix, zones]) => ({
    region,
    name,
    optIn,
    availabilityZones: [...zones].map((letter, i) => ({ zoneName: `${region}${letter}`, zoneId: `${prefix}-az${i + 1}`, region })),
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
