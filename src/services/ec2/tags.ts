// The generic tag operations over every resource kind, and the regions/zones Describe calls.
import type { DescribeTagsResult, Ec2Provider, Tag } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Kind, type Rec, KINDS, RESOURCE_TYPE, checkTags, kindOfId } from './store.js';
import { applyFilters, page, type Fields } from './filters.js';
import { ec2Error, missing, notFound } from './errors.js';
import { DONE } from './errors.js';
import { regionRecords, zoneRecords } from './regions.js';

const ID_FIELD: Record<Kind, string> = {
  vpc: 'VpcId',
  subnet: 'SubnetId',
  igw: 'InternetGatewayId',
  rtb: 'RouteTableId',
  sg: 'GroupId',
  instance: 'InstanceId',
  volume: 'VolumeId',
  snapshot: 'SnapshotId',
  image: 'ImageId',
  keypair: 'KeyPairId',
  eni: 'NetworkInterfaceId',
  eip: 'AllocationId',
  nat: 'NatGatewayId',
  acl: 'NetworkAclId',
  lt: 'LaunchTemplateId',
  vpce: 'VpcEndpointId',
  pcx: 'VpcPeeringConnectionId',
  dopt: 'DhcpOptionsId',
  sir: 'SpotInstanceRequestId',
  ri: 'ReservedInstancesId',
  flowlog: 'FlowLogId',
};

export const idOf = (kind: Kind, r: Rec): string => r[ID_FIELD[kind]];

interface TagRow {
  Key: string;
  Value: string;
  ResourceId: string;
  ResourceType: string;
}

const tagFields: Fields<TagRow> = {
  key: (t) => t.Key,
  value: (t) => t.Value,
  'resource-id': (t) => t.ResourceId,
  'resource-type': (t) => t.ResourceType,
};

export function tagHandlers(s: Ec2State): Ec2Provider {
  /** A taggable resource by id: its kind and record, or EC2's NotFound/InvalidID. */
  function resource(ctx: RequestContext, id: string): { kind: Kind; rec: Rec } {
    const kind = kindOfId(id);
    if (!kind) throw ec2Error('InvalidID', `The ID '${id}' is not valid`);
    const rec = s.find(ctx, kind, id);
    if (!rec) throw notFound(kind, id);
    return { kind, rec };
  }

  return {
    CreateTags: (input, ctx) => {
      if (!input.Resources?.length) throw missing('ResourceId');
      if (!input.Tags) throw missing('Tag');
      checkTags(input.Tags);
      const targets = input.Resources.map((id) => ({ id, ...resource(ctx, id) }));
      for (const { id, kind, rec } of targets) {
        const tags: Tag[] = rec.Tags ?? [];
        for (const t of input.Tags) {
          const existing = tags.find((x) => x.Key === t.Key);
          if (existing) existing.Value = t.Value ?? '';
          else tags.push({ Key: t.Key, Value: t.Value ?? '' });
        }
        if (tags.length > 50) throw ec2Error('TagLimitExceeded', 'The maximum number of Tags for a resource has been reached.');
        rec.Tags = tags;
        s.put(ctx, kind, id, rec);
      }
      return DONE;
    },

    DeleteTags: (input, ctx) => {
      if (!input.Resources?.length) throw missing('ResourceId');
      for (const id of input.Resources) {
        const { kind, rec } = resource(ctx, id);
        if (!input.Tags?.length) rec.Tags = [];
        else {
          rec.Tags = (rec.Tags ?? []).filter(
            (t: Tag) => !input.Tags!.some((d) => d.Key === t.Key && (d.Value === undefined || d.Value === t.Value)),
          );
        }
        s.put(ctx, kind, id, rec);
      }
      return DONE;
    },

    DescribeTags: (input, ctx) => {
      const rows: TagRow[] = [];
      for (const kind of Object.keys(KINDS) as Kind[]) {
        for (const rec of s.all(ctx, kind)) {
          for (const t of rec.Tags ?? [])
            rows.push({ Key: t.Key!, Value: t.Value ?? '', ResourceId: idOf(kind, rec), ResourceType: RESOURCE_TYPE[kind] });
        }
      }
      rows.sort((a, b) => a.ResourceId.localeCompare(b.ResourceId) || a.Key.localeCompare(b.Key));
      const p = page(applyFilters(rows, input.Filters, tagFields), input.MaxResults, input.NextToken);
      return { Tags: p.items as DescribeTagsResult['Tags'], NextToken: p.NextToken };
    },

    DescribeRegions: (input) => {
      let regions = regionRecords();
      if (input.RegionNames?.length) {
        const unknown = input.RegionNames.find((n) => !regions.some((r) => r.RegionName === n));
        if (unknown) throw ec2Error('InvalidParameterValue', `Invalid region names: ${unknown}`);
        regions = regions.filter((r) => input.RegionNames!.includes(r.RegionName!));
      }
      regions = applyFilters(regions, input.Filters, {
        'region-name': (r) => r.RegionName,
        endpoint: (r) => r.Endpoint,
        'opt-in-status': (r) => r.OptInStatus,
      });
      return { Regions: regions };
    },

    DescribeAvailabilityZones: (input, ctx) => {
      let zones = zoneRecords(ctx.region);
      const names = [...(input.ZoneNames ?? []), ...(input.ZoneIds ?? [])];
      if (names.length) {
        const unknown = names.find((n) => !zones.some((z) => z.ZoneName === n || z.ZoneId === n));
        if (unknown) throw ec2Error('InvalidParameterValue', `The zone '${unknown}' does not exist.`);
        zones = zones.filter((z) => names.includes(z.ZoneName!) || names.includes(z.ZoneId!));
      }
      zones = applyFilters(zones, input.Filters, {
        'zone-name': (z) => z.ZoneName,
        'zone-id': (z) => z.ZoneId,
        'region-name': (z) => z.RegionName,
        state: (z) => z.State,
        'zone-type': (z) => z.ZoneType,
        'group-name': (z) => z.GroupName,
        'opt-in-status': (z) => z.OptInStatus,
        'network-border-group': (z) => z.NetworkBorderGroup,
      });
      return { AvailabilityZones: zones };
    },

    DescribeAccountAttributes: (input) => {
      const attrs = [
        { AttributeName: 'supported-platforms', AttributeValues: [{ AttributeValue: 'VPC' }] },
        { AttributeName: 'default-vpc', AttributeValues: [{ AttributeValue: 'none' }] },
        { AttributeName: 'max-instances', AttributeValues: [{ AttributeValue: '20' }] },
        { AttributeName: 'vpc-max-security-groups-per-interface', AttributeValues: [{ AttributeValue: '5' }] },
        { AttributeName: 'max-elastic-ips', AttributeValues: [{ AttributeValue: '5' }] },
        { AttributeName: 'vpc-max-elastic-ips', AttributeValues: [{ AttributeValue: '5' }] },
      ];
      const wanted = input.AttributeNames;
      return { AccountAttributes: wanted?.length ? attrs.filter((a) => wanted.includes(a.AttributeName as never)) : attrs };
    },
  };
}
