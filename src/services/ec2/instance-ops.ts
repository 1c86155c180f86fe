// Instance lifecycle calls (Start, Stop, Reboot, Terminate), DescribeInstanceStatus, instance
// attributes and metadata options, and DescribeNetworkInterfaces.
import type { Ec2Provider, InstanceStateChange } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, out } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { DONE, ec2Error, invalidParam, missing, notFound } from './errors.js';
import { enter, stateOf } from './lifecycle.js';
import { type Instances, publicDns } from './instances.js';
import { instanceTypes } from './catalogue.js';
import { holdIps } from './vpcs.js';

const statusFields: Fields<Rec> = {
  'availability-zone': (r) => r.AvailabilityZone,
  'instance-state-name': (r) => r.InstanceState.Name,
  'instance-state-code': (r) => r.InstanceState.Code,
  'instance-status.status': (r) => r.InstanceStatus.Status,
  'system-status.status': (r) => r.SystemStatus.Status,
  'instance-status.reachability': (r) => r.InstanceStatus.Details?.[0]?.Status,
  'system-status.reachability': (r) => r.SystemStatus.Details?.[0]?.Status,
};

const eniFields: Fields<Rec> = {
  'network-interface-id': (e) => e.NetworkInterfaceId,
  'subnet-id': (e) => e.SubnetId,
  'vpc-id': (e) => e.VpcId,
  'availability-zone': (e) => e.AvailabilityZone,
  'private-ip-address': (e) => e.PrivateIpAddress,
  'addresses.private-ip-address': (e) => e.PrivateIpAddresses.map((a: Rec) => a.PrivateIpAddress),
  'attachment.instance-id': (e) => e.Attachment?.InstanceId,
  'attachment.status': (e) => e.Attachment?.Status,
  status: (e) => e.Status,
  'group-id': (e) => e.Groups.map((g: Rec) => g.GroupId),
  'group-name': (e) => e.Groups.map((g: Rec) => g.GroupName),
  'interface-type': (e) => e.InterfaceType,
  'mac-address': (e) => e.MacAddress,
  'owner-id': (e) => e.OwnerId,
  'private-dns-name': (e) => e.PrivateDnsName,
  description: (e) => e.Description,
  'association.public-ip': (e) => e.Association?.PublicIp,
  'attachment.attachment-id': (e) => e.Attachment?.AttachmentId,
  'requester-managed': (e) => e.RequesterManaged,
};

const publicIp = () =>
  `54.${Math.floor(Math.random() * 200) + 20}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 250) + 2}`;

export function instanceOpHandlers(s: Ec2State, inst: Instances): Ec2Provider {
  const change = (rec: Rec, previous: Rec): InstanceStateChange => ({
    InstanceId: rec.InstanceId,
    CurrentState: { ...rec.State },
    PreviousState: previous as InstanceStateChange['PreviousState'],
  });

  /** Frees what an instance held when it goes: its public IP, and on termination its ENIs and DeleteOnTermination volumes. */
  function release(ctx: RequestContext, rec: Rec, terminating: boolean): void {
    delete rec.PublicIpAddress;
    rec.PublicDnsName = '';
    for (const n of rec.NetworkInterfaces) {
      const eni = s.find(ctx, 'eni', n.NetworkInterfaceId);
      const elastic = eni?.Association?.AllocationId;
      if (!elastic) {
        delete n.Association;
        for (const a of n.PrivateIpAddresses ?? []) delete a.Association;
      }
      if (!eni) continue;
      if (terminating && eni.Attachment?.DeleteOnTermination) {
        s.delete(ctx, 'eni', eni.NetworkInterfaceId);
        holdIps(s, ctx, eni, false);
      } else if (!elastic) {
        delete eni.Association;
        for (const a of eni.PrivateIpAddresses ?? []) delete a.Association;
        s.put(ctx, 'eni', eni.NetworkInterfaceId, eni);
      }
    }
    if (!terminating) return;
    for (const b of rec.BlockDeviceMappings) {
      const vol = s.find(ctx, 'volume', b.Ebs?.VolumeId);
      if (!vol) continue;
      if (b.Ebs.DeleteOnTermination) s.delete(ctx, 'volume', vol.VolumeId);
      else {
        vol.Attachments = [];
        vol.State = 'available';
        s.put(ctx, 'volume', vol.VolumeId, vol);
      }
    }
    for (const eip of s.all(ctx, 'eip').filter((a) => a.InstanceId === rec.InstanceId)) {
      delete eip.InstanceId;
      delete eip.AssociationId;
      delete eip.NetworkInterfaceId;
      delete eip.PrivateIpAddress;
      s.put(ctx, 'eip', eip.AllocationId, eip);
    }
  }

  return {
    StopInstances: (input, ctx) => {
      const recs = inst.some(ctx, input.InstanceIds);
      const nowMs = ctx.clock.nowMs();
      for (const rec of recs) {
        if (['terminated', 'shutting-down'].includes(rec.State.Name)) {
          throw ec2Error('IncorrectInstanceState', `This instance '${rec.InstanceId}' is not in a state from which it can be stopped.`);
        }
        if (rec._disableApiStop)
          throw ec2Error(
            'OperationNotPermitted',
            `The instance '${rec.InstanceId}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.`,
          );
      }
      return {
        StoppingInstances: recs.map((rec) => {
          const previous = { ...rec.State };
          if (rec.State.Name === 'pending' || rec.State.Name === 'running') {
            enter(rec, 'stopping', nowMs);
            release(ctx, rec, false);
            inst.save(ctx, rec);
          }
          return change(rec, previous);
        }),
      };
    },

    StartInstances: (input, ctx) => {
      const recs = inst.some(ctx, input.InstanceIds);
      const nowMs = ctx.clock.nowMs();
      for (const rec of recs) {
        if (!['stopped', 'running', 'pending'].includes(rec.State.Name)) {
          throw ec2Error('IncorrectInstanceState', `The instance '${rec.InstanceId}' is not in a state from which it can be started.`);
        }
      }
      return {
        StartingInstances: recs.map((rec) => {
          const previous = { ...rec.State };
          if (rec.State.Name === 'stopped') {
            enter(rec, 'pending', nowMs, '');
            delete rec.StateReason;
            const subnet = s.find(ctx, 'subnet', rec.SubnetId);
            const eni = s.find(ctx, 'eni', rec.NetworkInterfaces[0]?.NetworkInterfaceId);
            if (subnet?.MapPublicIpOnLaunch && eni && !eni.Association) {
              const ip = publicIp();
              const association = { PublicIp: ip, PublicDnsName: publicDns(ip, ctx.region), IpOwnerId: 'amazon' };
              eni.Association = association;
              eni.PrivateIpAddresses[0].Association = association;
              s.put(ctx, 'eni', eni.NetworkInterfaceId, eni);
              rec.NetworkInterfaces[0].Association = association;
              rec.NetworkInterfaces[0].PrivateIpAddresses[0].Association = association;
            }
            const assoc = eni?.Association;
            if (assoc) {
              rec.PublicIpAddress = assoc.PublicIp;
              rec.PublicDnsName = assoc.PublicDnsName;
            }
            inst.save(ctx, rec);
          }
          return change(rec, previous);
        }),
      };
    },

    RebootInstances: (input, ctx) => {
      const recs = inst.some(ctx, input.InstanceIds);
      for (const rec of recs) {
        if (rec.State.Name === 'terminated' || rec.State.Name === 'shutting-down') {
          throw ec2Error('IncorrectInstanceState', `The instance '${rec.InstanceId}' is not in a state from which it can be rebooted.`);
        }
      }
      return DONE;
    },

    TerminateInstances: (input, ctx) => {
      const recs = inst.some(ctx, input.InstanceIds);
      const nowMs = ctx.clock.nowMs();
      for (const rec of recs) {
        if (rec._disableApiTermination) {
          throw ec2Error(
            'OperationNotPermitted',
            `The instance '${rec.InstanceId}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.`,
          );
        }
      }
      return {
        TerminatingInstances: recs.map((rec) => {
          const previous = { ...rec.State };
          if (rec.State.Name !== 'terminated' && rec.State.Name !== 'shutting-down') {
            enter(
              rec,
              'shutting-down',
              nowMs,
              `User initiated (${new Date(nowMs)
                .toISOString()
                .replace('T', ' ')
                .replace(/\.\d+Z$/, ' GMT')})`,
            );
            rec.StateReason = { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
            release(ctx, rec, true);
            inst.save(ctx, rec);
          }
          return change(rec, previous);
        }),
      };
    },

    DescribeInstanceStatus: (input, ctx) => {
      let recs = input.InstanceIds?.length ? inst.some(ctx, input.InstanceIds) : inst.all(ctx);
      if (!input.IncludeAllInstances) recs = recs.filter((r) => r.State.Name === 'running');
      const statuses = recs.map((r) => {
        const ok = r.State.Name === 'running';
        const summary = ok ? { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] } : { Status: 'not-applicable' };
        return {
          InstanceId: r.InstanceId,
          AvailabilityZone: r.Placement.AvailabilityZone,
          AvailabilityZoneId: r.Placement.AvailabilityZoneId,
          InstanceState: stateOf(r.State.Name),
          InstanceStatus: summary,
          SystemStatus: summary,
          ...(ok ? { AttachedEbsStatus: { Status: 'ok', Details: [{ Name: 'reachability', Status: 'passed' }] } } : {}),
          Events: [],
        };
      });
      const p = page(applyFilters(statuses, input.Filters, statusFields), input.MaxResults, input.NextToken);
      return { InstanceStatuses: p.items as never, NextToken: p.NextToken };
    },

    DescribeInstanceAttribute: (input, ctx) => {
      const rec = inst.get(ctx, input.InstanceId);
      if (!input.Attribute) throw missing('Attribute');
      const b = (v: boolean) => ({ Value: v });
      const v = (x: string | undefined) => (x === undefined ? {} : { Value: x });
      const values: Record<string, Rec> = {
        instanceType: { InstanceType: v(rec.InstanceType) },
        userData: { UserData: v(rec._userData) },
        disableApiTermination: { DisableApiTermination: b(!!rec._disableApiTermination) },
        disableApiStop: { DisableApiStop: b(!!rec._disableApiStop) },
        instanceInitiatedShutdownBehavior: { InstanceInitiatedShutdownBehavior: v(rec._shutdownBehavior) },
        rootDeviceName: { RootDeviceName: v(rec.RootDeviceName) },
        blockDeviceMapping: { BlockDeviceMappings: out(rec.BlockDeviceMappings) },
        sourceDestCheck: { SourceDestCheck: b(rec.SourceDestCheck) },
        groupSet: { Groups: rec.SecurityGroups },
        ebsOptimized: { EbsOptimized: b(!!rec.EbsOptimized) },
        enaSupport: { EnaSupport: b(!!rec.EnaSupport) },
        sriovNetSupport: { SriovNetSupport: v(rec.SriovNetSupport) },
        kernel: { KernelId: {} },
        ramdisk: { RamdiskId: {} },
        productCodes: { ProductCodes: [] },
        enclaveOptions: { EnclaveOptions: rec.EnclaveOptions },
      };
      const value = values[input.Attribute];
      if (!value) throw invalidParam(`Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`);
      return { InstanceId: rec.InstanceId, ...value };
    },

    ModifyInstanceAttribute: (input, ctx) => {
      const rec = inst.get(ctx, input.InstanceId);
      const requireStopped = (what: string) => {
        if (rec.State.Name !== 'stopped')
          throw ec2Error('IncorrectInstanceState', `The instance '${rec.InstanceId}' is not in the 'stopped' state.`);
        void what;
      };
      const attr = input.Attribute;
      const value = input.Value;
      const type = input.InstanceType?.Value ?? (attr === 'instanceType' ? value : undefined);
      if (type !== undefined) {
        requireStopped('instanceType');
        const info = instanceTypes().get(type)?.info;
        if (!info) throw invalidParam(`Invalid value '${type}' for InstanceType.`);
        if (info.ProcessorInfo!.SupportedArchitectures![0] !== rec.Architecture) {
          throw invalidParam(`The instance type '${type}' does not support the architecture '${rec.Architecture}' of the instance.`);
        }
        rec.InstanceType = type;
        rec.CpuOptions = { CoreCount: info.VCpuInfo!.DefaultCores, ThreadsPerCore: info.VCpuInfo!.DefaultThreadsPerCore };
      }
      if (input.UserData?.Value !== undefined || attr === 'userData') {
        requireStopped('userData');
        const raw = input.UserData?.Value !== undefined ? Buffer.from(input.UserData.Value) : Buffer.from(value ?? '', 'base64');
        rec._userData = raw.toString('base64');
      }
      const bool = (x: { Value?: boolean } | undefined, name: string) =>
        x?.Value ?? (attr === name && value !== undefined ? value === 'true' : undefined);
      const dat = bool(input.DisableApiTermination, 'disableApiTermination');
      if (dat !== undefined) rec._disableApiTermination = dat;
      const das = bool(input.DisableApiStop, 'disableApiStop');
      if (das !== undefined) rec._disableApiStop = das;
      const sdc = bool(input.SourceDestCheck, 'sourceDestCheck');
      if (sdc !== undefined) rec.SourceDestCheck = sdc;
      const ebs = bool(input.EbsOptimized, 'ebsOptimized');
      if (ebs !== undefined) rec.EbsOptimized = ebs;
      const ena = bool(input.EnaSupport, 'enaSupport');
      if (ena !== undefined) rec.EnaSupport = ena;
      const shutdown = input.InstanceInitiatedShutdownBehavior?.Value ?? (attr === 'instanceInitiatedShutdownBehavior' ? value : undefined);
      if (shutdown !== undefined) {
        if (shutdown !== 'stop' && shutdown !== 'terminate')
          throw invalidParam(`Value (${shutdown}) for parameter instanceInitiatedShutdownBehavior is invalid.`);
        rec._shutdownBehavior = shutdown;
      }
      if (input.Groups?.length) {
        const groups = input.Groups.map((id) => {
          const g = s.find(ctx, 'sg', id);
          if (!g || g.VpcId !== rec.VpcId)
            throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${rec.VpcId}'`);
          return { GroupId: g.GroupId, GroupName: g.GroupName };
        });
        rec.SecurityGroups = groups;
        rec.NetworkInterfaces[0].Groups = groups;
        const eni = s.find(ctx, 'eni', rec.NetworkInterfaces[0].NetworkInterfaceId);
        if (eni) s.put(ctx, 'eni', eni.NetworkInterfaceId, { ...eni, Groups: groups });
      }
      for (const b of input.BlockDeviceMappings ?? []) {
        const m = rec.BlockDeviceMappings.find((x: Rec) => x.DeviceName === b.DeviceName);
        if (!m) throw invalidParam(`The device '${b.DeviceName}' is not attached to instance '${rec.InstanceId}'`);
        if (b.Ebs?.DeleteOnTermination !== undefined) m.Ebs.DeleteOnTermination = b.Ebs.DeleteOnTermination;
      }
      inst.save(ctx, rec);
      return DONE;
    },

    ModifyInstanceMetadataOptions: (input, ctx) => {
      const rec = inst.get(ctx, input.InstanceId);
      const md = rec.MetadataOptions;
      if (input.HttpPutResponseHopLimit !== undefined && (input.HttpPutResponseHopLimit < 1 || input.HttpPutResponseHopLimit > 64)) {
        throw invalidParam(
          `Value (${input.HttpPutResponseHopLimit}) for parameter HttpPutResponseHopLimit is invalid. Valid values are between 1 and 64.`,
        );
      }
      Object.assign(
        md,
        Object.fromEntries(
          Object.entries({
            HttpTokens: input.HttpTokens,
            HttpPutResponseHopLimit: input.HttpPutResponseHopLimit,
            HttpEndpoint: input.HttpEndpoint,
            HttpProtocolIpv6: input.HttpProtocolIpv6,
            InstanceMetadataTags: input.InstanceMetadataTags,
          }).filter(([, x]) => x !== undefined),
        ),
      );
      md.State = 'applied';
      inst.save(ctx, rec);
      return { InstanceId: rec.InstanceId, InstanceMetadataOptions: { ...md, State: 'pending' } };
    },

    // an instance's record mirrors its interfaces' groups and description (its primary one's groups are the instance's)
    ModifyNetworkInterfaceAttribute: (input, ctx) => {
      const eni = s.get(ctx, 'eni', input.NetworkInterfaceId, 'networkInterfaceId');
      if (input.Groups?.length) {
        eni.Groups = input.Groups.map((id) => {
          const g = s.find(ctx, 'sg', id);
          if (!g || g.VpcId !== eni.VpcId)
            throw ec2Error('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${eni.VpcId}'`);
          return { GroupId: g.GroupId, GroupName: g.GroupName };
        });
      }
      if (input.Description?.Value !== undefined) eni.Description = input.Description.Value;
      if (input.SourceDestCheck?.Value !== undefined) eni.SourceDestCheck = input.SourceDestCheck.Value;
      s.put(ctx, 'eni', eni.NetworkInterfaceId, eni);
      const owner = eni.Attachment?.InstanceId ? s.find(ctx, 'instance', eni.Attachment.InstanceId) : undefined;
      const n = owner?.NetworkInterfaces.findIndex((x: Rec) => x.NetworkInterfaceId === eni.NetworkInterfaceId) ?? -1;
      if (owner && n >= 0) {
        owner.NetworkInterfaces[n] = { ...owner.NetworkInterfaces[n], Groups: eni.Groups, Description: eni.Description };
        if (n === 0) Object.assign(owner, { SecurityGroups: eni.Groups, SourceDestCheck: eni.SourceDestCheck });
        inst.save(ctx, owner);
      }
      return DONE;
    },

    DescribeNetworkInterfaces: (input, ctx) => {
      let enis = selectIds(
        s.all(ctx, 'eni'),
        input.NetworkInterfaceIds,
        (e) => e.NetworkInterfaceId,
        (m) => notFound('eni', m),
      );
      enis = applyFilters(enis, input.Filters, eniFields);
      const p = page(enis, input.MaxResults, input.NextToken);
      return { NetworkInterfaces: out(p.items.map((e) => ({ ...e, TagSet: e.Tags, Tags: undefined }))), NextToken: p.NextToken };
    },
  };
}
