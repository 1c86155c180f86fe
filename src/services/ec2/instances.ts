// RunInstances and DescribeInstances: placement in a subnet, security groups, a primary network
// interface with a private IP from the subnet, EBS root and extra volumes, user data, metadata
// options, tags, idempotency by ClientToken; reservations as EC2 groups them.
import { randomBytes } from 'node:crypto';
import type { Ec2Provider, RunInstancesRequest } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { page, matcher, type Fields } from './filters.js';
import { ec2Error, invalidParam, malformed, missing, notFound } from './errors.js';
import { allocateIp, ipToInt, parseCidr, containsIp } from './cidr.js';
import { instanceTypes } from './catalogue.js';
import { publicImages } from './images.js';
import { zonesOf } from './regions.js';
import { enter, expired, settle } from './lifecycle.js';
import { buildVolume, volumeAttributes } from './volumes-core.js';
import { holdIps, usedIps } from './vpcs.js';
import { withTemplate } from './launch-templates.js';
import { resolveImageId } from './ssm-images.js';

const instanceFields: Fields<Rec> = {
  'instance-id': (i) => i.InstanceId,
  'instance-state-name': (i) => i.State.Name,
  'instance-state-code': (i) => i.State.Code,
  'instance-type': (i) => i.InstanceType,
  'image-id': (i) => i.ImageId,
  'vpc-id': (i) => i.VpcId,
  'subnet-id': (i) => i.SubnetId,
  'availability-zone': (i) => i.Placement.AvailabilityZone,
  'private-ip-address': (i) => i.PrivateIpAddress,
  'ip-address': (i) => i.PublicIpAddress,
  'private-dns-name': (i) => i.PrivateDnsName,
  'dns-name': (i) => i.PublicDnsName,
  'key-name': (i) => i.KeyName,
  'launch-time': (i) => i.LaunchTime,
  'reservation-id': (i) => i._reservationId,
  'owner-id': (i) => i._ownerId,
  architecture: (i) => i.Architecture,
  'root-device-type': (i) => i.RootDeviceType,
  'root-device-name': (i) => i.RootDeviceName,
  'instance.group-id': (i) => i.SecurityGroups.map((g: Rec) => g.GroupId),
  'instance.group-name': (i) => i.SecurityGroups.map((g: Rec) => g.GroupName),
  'group-id': (i) => i.SecurityGroups.map((g: Rec) => g.GroupId),
  'group-name': (i) => i.SecurityGroups.map((g: Rec) => g.GroupName),
  'network-interface.network-interface-id': (i) => i.NetworkInterfaces.map((n: Rec) => n.NetworkInterfaceId),
  'network-interface.subnet-id': (i) => i.NetworkInterfaces.map((n: Rec) => n.SubnetId),
  'network-interface.vpc-id': (i) => i.NetworkInterfaces.map((n: Rec) => n.VpcId),
  'iam-instance-profile.arn': (i) => i.IamInstanceProfile?.Arn,
  tenancy: (i) => i.Placement.Tenancy,
  platform: (i) => i.Platform,
  'platform-details': (i) => i.PlatformDetails,
  hypervisor: (i) => i.Hypervisor,
  'virtualization-type': (i) => i.VirtualizationType,
  'metadata-options.http-tokens': (i) => i.MetadataOptions.HttpTokens,
  'metadata-options.http-endpoint': (i) => i.MetadataOptions.HttpEndpoint,
  'block-device-mapping.volume-id': (i) => i.BlockDeviceMappings.map((b: Rec) => b.Ebs?.VolumeId),
  'block-device-mapping.device-name': (i) => i.BlockDeviceMappings.map((b: Rec) => b.DeviceName),
  'client-token': (i) => i.ClientToken,
  'ami-launch-index': (i) => i.AmiLaunchIndex,
  'monitoring-state': (i) => i.Monitoring.State,
  'instance-lifecycle': (i) => i.InstanceLifecycle,
  'state-reason-code': (i) => i.StateReason?.Code,
};

const mac = () => '0e:' + randomBytes(5).toString('hex').match(/../g)!.join(':');
const publicIp = () => `54.${(randomBytes(1)[0] % 200) + 20}.${randomBytes(1)[0]}.${(randomBytes(1)[0] % 250) + 2}`;
export const privateDns = (ip: string, region: string) =>
  `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
export const publicDns = (ip: string, region: string) =>
  `ec2-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'compute-1' : `${region}.compute`}.amazonaws.com`;

export class Instances {
  constructor(private readonly s: Ec2State) {}

  /** Every instance of the caller's region, settled to the clock (terminated ones past their hour dropped). */
  all(ctx: RequestContext): Rec[] {
    const nowMs = ctx.clock.nowMs();
    const out: Rec[] = [];
    for (const rec of this.s.all(ctx, 'instance')) {
      if (settle(rec, nowMs)) this.s.put(ctx, 'instance', rec.InstanceId, rec);
      if (expired(rec, nowMs)) this.s.delete(ctx, 'instance', rec.InstanceId);
      else out.push(rec);
    }
    return out;
  }

  get(ctx: RequestContext, id: string | undefined): Rec {
    if (!id) throw missing('InstanceId');
    const rec = this.s.find(ctx, 'instance', id);
    if (!rec) {
      if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw malformed('instance', id);
      throw notFound('instance', id);
    }
    if (settle(rec, ctx.clock.nowMs())) this.s.put(ctx, 'instance', id, rec);
    return rec;
  }

  /** Several instances by id; unknown ones are one NotFound naming them all. */
  some(ctx: RequestContext, ids: string[] | undefined): Rec[] {
    if (!ids?.length) throw missing('InstanceId');
    const bad = ids.find((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
    if (bad) throw malformed('instance', bad);
    const found: Rec[] = [];
    const lost: string[] = [];
    for (const id of ids) {
      const rec = this.s.find(ctx, 'instance', id);
      if (rec) found.push(rec);
      else lost.push(id);
    }
    if (lost.length) throw notFound('instance', lost.length === 1 ? lost[0] : lost);
    const nowMs = ctx.clock.nowMs();
    for (const rec of found) if (settle(rec, nowMs)) this.s.put(ctx, 'instance', rec.InstanceId, rec);
    return found;
  }

  save(ctx: RequestContext, rec: Rec): void {
    this.s.put(ctx, 'instance', rec.InstanceId, rec);
  }
}

export function instanceHandlers(s: Ec2State, inst: Instances): Ec2Provider {
  function imageFor(ctx: RequestContext, given: string | undefined): Rec {
    if (!given) throw missing('ImageId');
    const id = resolveImageId(s.rt, ctx, given);
    if (!/^ami-[0-9a-f]{8,17}$/.test(id)) throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`);
    const image = publicImages(ctx.region).find((i) => i.ImageId === id) ?? s.find(ctx, 'image', id);
    if (!image) throw ec2Error('InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`);
    return image;
  }

  function subnetFor(ctx: RequestContext, input: RunInstancesRequest): Rec {
    const subnetId = input.SubnetId ?? input.NetworkInterfaces?.[0]?.SubnetId;
    if (subnetId) return s.get(ctx, 'subnet', subnetId, 'subnetId');
    const defaults = s.all(ctx, 'subnet').filter((sn) => sn.DefaultForAz);
    if (!defaults.length)
      throw ec2Error('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
    const az = input.Placement?.AvailabilityZone;
    if (az) {
      const inZone = defaults.find((sn) => sn.AvailabilityZone === az);
      if (!inZone) throw invalidParam(`Invalid availability zone: [${az}]`);
      return inZone;
    }
    return defaults.sort((a, b) => a.AvailabilityZone.localeCompare(b.AvailabilityZone))[0];
  }

  function groupsFor(ctx: RequestContext, input: RunInstancesRequest, vpcId: string): Rec[] {
    const ids = [...(input.SecurityGroupIds ?? []), ...(input.NetworkInterfaces?.[0]?.Groups ?? [])];
    const groups: Rec[] = [];
    for (const id of ids) {
      const g = s.find(ctx, 'sg', id);
      if (!g || g.VpcId !== vpcId) throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${vpcId}'`);
      groups.push(g);
    }
    for (const name of input.SecurityGroups ?? []) {
      const g = s.all(ctx, 'sg').find((x) => x.GroupName === name && x.VpcId === vpcId);
      if (!g) throw ec2Error('InvalidGroup.NotFound', `The security group '${name}' does not exist in VPC '${vpcId}'`);
      groups.push(g);
    }
    if (!groups.length) groups.push(s.all(ctx, 'sg').find((g) => g.VpcId === vpcId && g._default)!);
    return groups.filter(Boolean).map((g) => ({ GroupId: g.GroupId, GroupName: g.GroupName }));
  }

  return {
    RunInstances: (request, ctx) => {
      const { input, tags: templateTags } = withTemplate(s, ctx, request);
      if (input.MinCount === undefined) throw missing('MinCount');
      if (input.MaxCount === undefined) throw missing('MaxCount');
      if (input.MinCount < 1)
        throw invalidParam(`Value (${input.MinCount}) for parameter minCount is invalid. Expected a positive integer.`);
      if (input.MaxCount < input.MinCount)
        throw invalidParam(
          `Value (${input.MaxCount}) for parameter maxCount is invalid. Expected a value greater than or equal to minCount.`,
        );
      if (input.ClientToken) {
        const known = s.store(ctx).meta.get(`token/${input.ClientToken}`) as string | undefined;
        if (known) {
          const members = inst.all(ctx).filter((i) => i._reservationId === known);
          if (members.length) return reservationOf(members);
        }
      }
      const image = imageFor(ctx, input.ImageId);
      if (image.State !== 'available') throw ec2Error('InvalidAMIID.Unavailable', `AMI '${image.ImageId}' is pending, and cannot be run`);
      const type = input.InstanceType ?? 't2.micro';
      const typeInfo = instanceTypes().get(type)?.info;
      if (!typeInfo) throw invalidParam(`Invalid value '${type}' for InstanceType.`);
      const arch = typeInfo.ProcessorInfo!.SupportedArchitectures![0];
      if (arch !== image.Architecture) {
        throw invalidParam(
          `The architecture '${arch}' of the specified instance type does not match the architecture '${image.Architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.`,
        );
      }
      if (input.KeyName && !s.all(ctx, 'keypair').some((k) => k.KeyName === input.KeyName)) {
        throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${input.KeyName}' does not exist`);
      }
      const userData = input.UserData ?? undefined;
      if (userData !== undefined && Buffer.from(userData, 'base64').length > 16384)
        throw invalidParam('User data is limited to 16384 bytes');
      const md = input.MetadataOptions ?? {};
      const hop = md.HttpPutResponseHopLimit ?? (image.ImdsSupport === 'v2.0' ? 2 : 1);
      if (hop < 1 || hop > 64)
        throw invalidParam(`Value (${hop}) for parameter HttpPutResponseHopLimit is invalid. Valid values are between 1 and 64.`);

      const subnet = subnetFor(ctx, input);
      const cidr = parseCidr(subnet.CidrBlock)!;
      const groups = groupsFor(ctx, input, subnet.VpcId);
      const used = usedIps(s, ctx, subnet.SubnetId);
      const wantIp = input.PrivateIpAddress ?? input.NetworkInterfaces?.[0]?.PrivateIpAddress;
      if (wantIp) {
        const n = ipToInt(wantIp);
        if (n === undefined || !containsIp(cidr, n))
          throw invalidParam(`Address ${wantIp} does not fall within the subnet's address range`);
        if (used.has(wantIp)) throw ec2Error('InvalidIPAddress.InUse', `Address ${wantIp} is in use.`);
        if (input.MaxCount > 1 && input.MinCount > 1)
          throw ec2Error('InvalidParameterCombination', 'Cannot specify a private IP address when launching more than one instance.');
      }
      const free = Math.max(0, cidr ? 2 ** (32 - cidr.prefix) - 5 - used.size : 0);
      if (free < input.MinCount) {
        throw ec2Error(
          'InsufficientFreeAddressesInSubnet',
          `There are not enough free addresses in subnet '${subnet.SubnetId}' to satisfy the requested number of instances.`,
        );
      }
      const count = wantIp ? 1 : Math.min(input.MaxCount, free);
      const zone = zonesOf(ctx.region).find((z) => z.name === subnet.AvailabilityZone) ?? {
        name: subnet.AvailabilityZone,
        id: subnet.AvailabilityZoneId,
      };
      const assocPublic = input.NetworkInterfaces?.[0]?.AssociatePublicIpAddress ?? subnet.MapPublicIpOnLaunch;
      const reservationId = newId('r');
      const now = s.now(ctx);
      const nowMs = ctx.clock.nowMs();
      const instanceTags = [...tagsFor(input.TagSpecifications, 'instance'), ...(templateTags ?? [])];
      const volumeTags = tagsFor(input.TagSpecifications, 'volume');
      const eniTags = tagsFor(input.TagSpecifications, 'network-interface');
      const profile = input.IamInstanceProfile
        ? {
            Arn: input.IamInstanceProfile.Arn ?? `arn:aws:iam::${ctx.account}:instance-profile/${input.IamInstanceProfile.Name}`,
            Id: 'AIPA' + randomBytes(8).toString('hex').toUpperCase().slice(0, 17),
          }
        : undefined;

      // the volumes each instance gets: the image's mappings, overridden or extended by the request's
      const mappings = new Map<string, Rec>();
      for (const b of image.BlockDeviceMappings ?? []) if (b.Ebs) mappings.set(b.DeviceName, { ...b.Ebs });
      for (const b of input.BlockDeviceMappings ?? []) {
        if (b.NoDevice !== undefined) mappings.delete(b.DeviceName!);
        else if (b.Ebs) mappings.set(b.DeviceName!, { ...(mappings.get(b.DeviceName!) ?? {}), ...b.Ebs });
      }
      const volumeSpecs = [...mappings].map(([device, e]) => {
        const snap = e.SnapshotId
          ? ((image.BlockDeviceMappings ?? []).find((b: Rec) => b.Ebs?.SnapshotId === e.SnapshotId)?.Ebs?.VolumeSize ??
            s.find(ctx, 'snapshot', e.SnapshotId)?.VolumeSize)
          : undefined;
        return {
          device,
          spec: e,
          attrs: volumeAttributes({ ...e, Size: e.VolumeSize }, snap),
          deleteOnTermination: e.DeleteOnTermination ?? true,
        };
      });

      const launched: Rec[] = [];
      let cursor = cidr.base + 4;
      for (let i = 0; i < count; i++) {
        const instanceId = newId('i');
        const ip = i === 0 && wantIp ? wantIp : allocateIp(cidr, used, cursor)!;
        used.add(ip);
        if (ip !== wantIp) cursor = ipToInt(ip)! + 1;
        const pub = assocPublic ? publicIp() : undefined;
        const eniId = newId('eni');
        const attachment = {
          AttachmentId: newId('eni-attach'),
          DeviceIndex: 0,
          NetworkCardIndex: 0,
          Status: 'attached',
          AttachTime: now,
          DeleteOnTermination: true,
        };
        const association = pub ? { PublicIp: pub, PublicDnsName: publicDns(pub, ctx.region), IpOwnerId: 'amazon' } : undefined;
        const privateName = privateDns(ip, ctx.region);
        const macAddress = mac();
        const eni = {
          NetworkInterfaceId: eniId,
          SubnetId: subnet.SubnetId,
          VpcId: subnet.VpcId,
          AvailabilityZone: zone.name,
          AvailabilityZoneId: zone.id,
          Description: '',
          Groups: groups,
          InterfaceType: 'interface',
          MacAddress: macAddress,
          OwnerId: ctx.account,
          PrivateDnsName: privateName,
          PrivateIpAddress: ip,
          PrivateIpAddresses: [
            { Primary: true, PrivateIpAddress: ip, PrivateDnsName: privateName, ...(association ? { Association: association } : {}) },
          ],
          Ipv6Addresses: [],
          RequesterManaged: false,
          SourceDestCheck: true,
          Status: 'in-use',
          Tags: eniTags,
          Attachment: { ...attachment, InstanceId: instanceId, InstanceOwnerId: ctx.account },
          ...(association ? { Association: association } : {}),
        };
        s.put(ctx, 'eni', eniId, eni);
        holdIps(s, ctx, eni, true);
        const devices = volumeSpecs.map(({ device, spec, attrs, deleteOnTermination }) => {
          const vol = buildVolume(
            ctx.account,
            zone,
            attrs,
            { SnapshotId: spec.SnapshotId, Encrypted: spec.Encrypted, KmsKeyId: spec.KmsKeyId },
            now,
            volumeTags,
          );
          vol.State = 'in-use';
          vol.Attachments = [
            {
              AttachTime: now,
              Device: device,
              InstanceId: instanceId,
              State: 'attached',
              VolumeId: vol.VolumeId,
              DeleteOnTermination: deleteOnTermination,
            },
          ];
          s.put(ctx, 'volume', vol.VolumeId, vol);
          return {
            DeviceName: device,
            Ebs: { AttachTime: now, DeleteOnTermination: deleteOnTermination, Status: 'attached', VolumeId: vol.VolumeId },
          };
        });
        const rec: Rec = {
          InstanceId: instanceId,
          ImageId: image.ImageId,
          PrivateDnsName: privateName,
          PublicDnsName: association?.PublicDnsName ?? '',
          StateTransitionReason: '',
          ...(input.KeyName ? { KeyName: input.KeyName } : {}),
          AmiLaunchIndex: i,
          ProductCodes: [],
          InstanceType: type,
          LaunchTime: now,
          Placement: {
            AvailabilityZone: zone.name,
            AvailabilityZoneId: zone.id,
            GroupName: input.Placement?.GroupName ?? '',
            Tenancy: input.Placement?.Tenancy ?? 'default',
          },
          Monitoring: { State: input.Monitoring?.Enabled ? 'enabled' : 'disabled' },
          SubnetId: subnet.SubnetId,
          VpcId: subnet.VpcId,
          PrivateIpAddress: ip,
          ...(pub ? { PublicIpAddress: pub } : {}),
          Architecture: image.Architecture,
          RootDeviceType: 'ebs',
          RootDeviceName: image.RootDeviceName,
          BlockDeviceMappings: devices,
          VirtualizationType: 'hvm',
          ClientToken: input.ClientToken ?? '',
          Tags: instanceTags,
          SecurityGroups: groups,
          SourceDestCheck: true,
          Hypervisor: typeInfo.Hypervisor === 'nitro' ? 'xen' : 'xen',
          EbsOptimized: !!input.EbsOptimized,
          EnaSupport: true,
          NetworkInterfaces: [
            {
              ...(association ? { Association: association } : {}),
              Attachment: { ...attachment },
              Description: '',
              Groups: groups,
              Ipv6Addresses: [],
              MacAddress: macAddress,
              NetworkInterfaceId: eniId,
              OwnerId: ctx.account,
              PrivateDnsName: privateName,
              PrivateIpAddress: ip,
              PrivateIpAddresses: eni.PrivateIpAddresses,
              SourceDestCheck: true,
              Status: 'in-use',
              SubnetId: subnet.SubnetId,
              VpcId: subnet.VpcId,
              InterfaceType: 'interface',
            },
          ],
          ...(profile ? { IamInstanceProfile: profile } : {}),
          CpuOptions: { CoreCount: typeInfo.VCpuInfo!.DefaultCores, ThreadsPerCore: typeInfo.VCpuInfo!.DefaultThreadsPerCore },
          CapacityReservationSpecification: { CapacityReservationPreference: 'open' },
          HibernationOptions: { Configured: !!input.HibernationOptions?.Configured },
          MetadataOptions: {
            State: 'pending',
            HttpTokens: md.HttpTokens ?? (image.ImdsSupport === 'v2.0' ? 'required' : 'optional'),
            HttpPutResponseHopLimit: hop,
            HttpEndpoint: md.HttpEndpoint ?? 'enabled',
            HttpProtocolIpv6: md.HttpProtocolIpv6 ?? 'disabled',
            InstanceMetadataTags: md.InstanceMetadataTags ?? 'disabled',
          },
          EnclaveOptions: { Enabled: !!input.EnclaveOptions?.Enabled },
          BootMode: image.BootMode,
          PlatformDetails: image.PlatformDetails,
          UsageOperation: image.UsageOperation,
          UsageOperationUpdateTime: now,
          PrivateDnsNameOptions: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
          MaintenanceOptions: { AutoRecovery: 'default' },
          CurrentInstanceBootMode: image.Architecture === 'arm64' ? 'uefi' : 'legacy-bios',
          ...(image.Platform ? { Platform: image.Platform } : {}),
          ...(input.InstanceMarketOptions?.MarketType === 'spot' ? { InstanceLifecycle: 'spot' } : {}),
          _reservationId: reservationId,
          _ownerId: ctx.account,
          _userData: userData,
          _disableApiTermination: !!input.DisableApiTermination,
          _disableApiStop: !!input.DisableApiStop,
          _shutdownBehavior: input.InstanceInitiatedShutdownBehavior ?? 'stop',
        };
        enter(rec, 'pending', nowMs);
        inst.save(ctx, rec);
        launched.push(rec);
      }
      if (input.ClientToken) s.store(ctx).meta.put(`token/${input.ClientToken}`, reservationId);
      return reservationOf(launched);
    },

    DescribeInstances: (input, ctx) => {
      if (input.InstanceIds?.length && input.MaxResults !== undefined) {
        throw ec2Error('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
      }
      let all = inst.all(ctx);
      if (input.InstanceIds?.length) {
        const wanted = new Set(input.InstanceIds);
        const bad = input.InstanceIds.find((id) => !/^i-[0-9a-f]{8,17}$/.test(id));
        if (bad) throw malformed('instance', bad);
        all = all.filter((i) => wanted.has(i.InstanceId));
        const lost = input.InstanceIds.filter((id) => !all.some((i) => i.InstanceId === id));
        if (lost.length) throw notFound('instance', lost.length === 1 ? lost[0] : lost);
      }
      const m = matcher(input.Filters, instanceFields);
      const p = page(all.filter(m), input.MaxResults, input.NextToken);
      const byReservation = new Map<string, Rec[]>();
      for (const i of p.items) {
        const list = byReservation.get(i._reservationId);
        if (list) list.push(i);
        else byReservation.set(i._reservationId, [i]);
      }
      return { Reservations: [...byReservation.values()].map(reservationOf), NextToken: p.NextToken };
    },
  };
}

function reservationOf(members: Rec[]) {
  return { ReservationId: members[0]._reservationId, OwnerId: members[0]._ownerId, Groups: [], Instances: out<Rec[]>(members) };
}
