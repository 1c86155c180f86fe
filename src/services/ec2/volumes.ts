// EBS: volumes (size/IOPS/throughput rules per type), attach/detach with device names, ModifyVolume,
// snapshots, and CreateVolume from a snapshot.
import type { Ec2Provider, VolumeAttachment } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, selectIds, type Fields } from './filters.js';
import { ec2Error, invalidParam, missing, notFound } from './errors.js';
import { zonesOf } from './regions.js';
import { buildVolume, volumeAttributes } from './volumes-core.js';
import type { Instances } from './instances.js';

const volumeFields: Fields<Rec> = {
  'volume-id': (v) => v.VolumeId,
  status: (v) => v.State,
  size: (v) => v.Size,
  'volume-type': (v) => v.VolumeType,
  'availability-zone': (v) => v.AvailabilityZone,
  'snapshot-id': (v) => v.SnapshotId,
  encrypted: (v) => v.Encrypted,
  'create-time': (v) => v.CreateTime,
  'multi-attach-enabled': (v) => v.MultiAttachEnabled,
  'attachment.instance-id': (v) => v.Attachments.map((a: Rec) => a.InstanceId),
  'attachment.device': (v) => v.Attachments.map((a: Rec) => a.Device),
  'attachment.status': (v) => v.Attachments.map((a: Rec) => a.State),
  'attachment.delete-on-termination': (v) => v.Attachments.map((a: Rec) => a.DeleteOnTermination),
  'attachment.attach-time': (v) => v.Attachments.map((a: Rec) => a.AttachTime),
  'fast-restored': (v) => v.FastRestored,
};

const snapshotFields: Fields<Rec> = {
  'snapshot-id': (s) => s.SnapshotId,
  'volume-id': (s) => s.VolumeId,
  status: (s) => s.State,
  'owner-id': (s) => s.OwnerId,
  description: (s) => s.Description,
  'volume-size': (s) => s.VolumeSize,
  encrypted: (s) => s.Encrypted,
  'start-time': (s) => s.StartTime,
  progress: (s) => s.Progress,
  'storage-tier': (s) => s.StorageTier,
};

/** EBS device names EC2 accepts: /dev/sd[a-z], /dev/xvd[a-z] (with an optional partition letter), /dev/sda1. */
const DEVICE = /^(\/dev\/(sd[a-z][1-9]?|xvd[a-z]{1,2}[1-9]?)|xvd[a-z]{1,2})$/;

export function volumeHandlers(s: Ec2State, inst: Instances): Ec2Provider {
  const attachmentOut = (v: Rec, a: Rec, state: string) =>
    out<VolumeAttachment>({
      AttachTime: a.AttachTime,
      Device: a.Device,
      InstanceId: a.InstanceId,
      State: state,
      VolumeId: v.VolumeId,
      DeleteOnTermination: a.DeleteOnTermination,
    });

  function zoneOf(ctx: RequestContext, name: string | undefined, id?: string) {
    if (!name && !id) throw missing('AvailabilityZone');
    const zone = zonesOf(ctx.region).find((z) => z.name === name || z.id === id);
    if (!zone)
      throw invalidParam(
        `Value (${name ?? id}) for parameter availabilityZone is invalid. ${name ?? id} is not a valid availability zone.`,
      );
    return zone;
  }

  return {
    CreateVolume: (input, ctx) => {
      const zone = zoneOf(ctx, input.AvailabilityZone, input.AvailabilityZoneId);
      const snap = input.SnapshotId ? s.get(ctx, 'snapshot', input.SnapshotId, 'snapshotId') : undefined;
      const attrs = volumeAttributes(input, snap?.VolumeSize);
      const vol = buildVolume(
        ctx.account,
        zone,
        attrs,
        { ...input, Encrypted: input.Encrypted ?? snap?.Encrypted },
        s.now(ctx),
        tagsFor(input.TagSpecifications, 'volume'),
      );
      if (input.MultiAttachEnabled) {
        if (attrs.VolumeType !== 'io1' && attrs.VolumeType !== 'io2')
          throw invalidParam('Multi-Attach is supported only for io1 and io2 volumes.');
        vol.MultiAttachEnabled = true;
      }
      s.put(ctx, 'volume', vol.VolumeId, vol);
      return out({ ...vol, State: 'creating' });
    },

    DescribeVolumes: (input, ctx) => {
      let vols = selectIds(
        s.all(ctx, 'volume'),
        input.VolumeIds,
        (v) => v.VolumeId,
        (m) => notFound('volume', m.length === 1 ? m[0] : m),
      );
      vols = applyFilters(vols, input.Filters, volumeFields);
      const p = page(vols, input.MaxResults, input.NextToken);
      return { Volumes: out(p.items), NextToken: p.NextToken };
    },

    DeleteVolume: (input, ctx) => {
      const vol = s.get(ctx, 'volume', input.VolumeId, 'volumeId');
      if (vol.Attachments.length)
        throw ec2Error('VolumeInUse', `Volume ${vol.VolumeId} is currently attached to ${vol.Attachments[0].InstanceId}`);
      s.delete(ctx, 'volume', vol.VolumeId);
      return undefined as never;
    },

    AttachVolume: (input, ctx) => {
      const vol = s.get(ctx, 'volume', input.VolumeId, 'volumeId');
      const rec = inst.get(ctx, input.InstanceId);
      if (!input.Device) throw missing('device');
      if (!DEVICE.test(input.Device))
        throw invalidParam(`Value (${input.Device}) for parameter device is invalid. ${input.Device} is not a valid EBS device name.`);
      if (vol.Attachments.length && !vol.MultiAttachEnabled)
        throw ec2Error('VolumeInUse', `${vol.VolumeId} is already attached to an instance`);
      if (!['running', 'stopped'].includes(rec.State.Name))
        throw ec2Error('IncorrectState', `Instance '${rec.InstanceId}' is not 'running' or 'stopped'.`);
      if (vol.AvailabilityZone !== rec.Placement.AvailabilityZone) {
        throw ec2Error(
          'InvalidVolume.ZoneMismatch',
          `The volume '${vol.VolumeId}' is not in the same availability zone as instance '${rec.InstanceId}'`,
        );
      }
      if (rec.BlockDeviceMappings.some((b: Rec) => b.DeviceName === input.Device))
        throw invalidParam(`Attachment point ${input.Device} is already in use`);
      const now = s.now(ctx);
      const a = {
        AttachTime: now,
        Device: input.Device,
        InstanceId: rec.InstanceId,
        State: 'attached',
        VolumeId: vol.VolumeId,
        DeleteOnTermination: false,
      };
      vol.Attachments.push(a);
      vol.State = 'in-use';
      s.put(ctx, 'volume', vol.VolumeId, vol);
      rec.BlockDeviceMappings.push({
        DeviceName: input.Device,
        Ebs: { AttachTime: now, DeleteOnTermination: false, Status: 'attached', VolumeId: vol.VolumeId },
      });
      inst.save(ctx, rec);
      return attachmentOut(vol, a, 'attaching');
    },

    DetachVolume: (input, ctx) => {
      const vol = s.get(ctx, 'volume', input.VolumeId, 'volumeId');
      const a = vol.Attachments.find((x: Rec) => !input.InstanceId || x.InstanceId === input.InstanceId);
      if (!a) throw ec2Error('IncorrectState', `Volume '${vol.VolumeId}' is in the '${vol.State}' state.`);
      if (input.Device && input.Device !== a.Device)
        throw invalidParam(`The volume '${vol.VolumeId}' is not attached at device '${input.Device}'`);
      const rec = s.find(ctx, 'instance', a.InstanceId);
      if (rec && rec.RootDeviceName === a.Device && rec.State.Name !== 'stopped' && !input.Force) {
        throw ec2Error('IncorrectState', `Unable to detach root volume '${vol.VolumeId}' from instance '${rec.InstanceId}'`);
      }
      vol.Attachments = vol.Attachments.filter((x: Rec) => x !== a);
      if (!vol.Attachments.length) vol.State = 'available';
      s.put(ctx, 'volume', vol.VolumeId, vol);
      if (rec) {
        rec.BlockDeviceMappings = rec.BlockDeviceMappings.filter((b: Rec) => b.Ebs?.VolumeId !== vol.VolumeId);
        s.put(ctx, 'instance', rec.InstanceId, rec);
      }
      return attachmentOut(vol, a, 'detaching');
    },

    ModifyVolume: (input, ctx) => {
      const vol = s.get(ctx, 'volume', input.VolumeId, 'volumeId');
      const size = input.Size ?? vol.Size;
      if (size < vol.Size) throw invalidParam(`New size cannot be smaller than existing size`);
      const type = input.VolumeType ?? vol.VolumeType;
      const keepIops = input.VolumeType === undefined || type === vol.VolumeType;
      const attrs = volumeAttributes({
        VolumeType: type,
        Size: size,
        Iops: input.Iops ?? (keepIops && type !== 'gp2' ? vol.Iops : undefined),
        Throughput: input.Throughput ?? (keepIops ? vol.Throughput : undefined),
      });
      const before = { Size: vol.Size, VolumeType: vol.VolumeType, Iops: vol.Iops, Throughput: vol.Throughput };
      Object.assign(vol, attrs);
      s.put(ctx, 'volume', vol.VolumeId, vol);
      return {
        VolumeModification: {
          VolumeId: vol.VolumeId,
          ModificationState: 'optimizing',
          Progress: 0,
          StartTime: new Date(s.now(ctx)),
          OriginalSize: before.Size,
          OriginalVolumeType: before.VolumeType,
          OriginalIops: before.Iops,
          OriginalThroughput: before.Throughput,
          TargetSize: attrs.Size,
          TargetVolumeType: attrs.VolumeType as never,
          TargetIops: attrs.Iops,
          TargetThroughput: attrs.Throughput,
        },
      };
    },

    CreateSnapshot: (input, ctx) => {
      const vol = s.get(ctx, 'volume', input.VolumeId, 'volumeId');
      const id = newId('snap');
      const snap = {
        SnapshotId: id,
        VolumeId: vol.VolumeId,
        VolumeSize: vol.Size,
        State: 'completed',
        Progress: '100%',
        StartTime: s.now(ctx),
        OwnerId: ctx.account,
        Description: input.Description ?? '',
        Encrypted: !!vol.Encrypted,
        ...(vol.KmsKeyId ? { KmsKeyId: vol.KmsKeyId } : {}),
        StorageTier: 'standard',
        Tags: tagsFor(input.TagSpecifications, 'snapshot'),
      };
      s.put(ctx, 'snapshot', id, snap);
      return out({ ...snap, State: 'pending', Progress: '' });
    },

    DescribeSnapshots: (input, ctx) => {
      let snaps = selectIds(
        s.all(ctx, 'snapshot'),
        input.SnapshotIds,
        (x) => x.SnapshotId,
        (m) => notFound('snapshot', m.length === 1 ? m[0] : m),
      );
      if (input.OwnerIds?.length) snaps = snaps.filter((x) => input.OwnerIds!.some((o) => o === x.OwnerId || o === 'self'));
      snaps = applyFilters(snaps, input.Filters, snapshotFields);
      const p = page(snaps, input.MaxResults, input.NextToken);
      return { Snapshots: out(p.items), NextToken: p.NextToken };
    },

    DeleteSnapshot: (input, ctx) => {
      const snap = s.get(ctx, 'snapshot', input.SnapshotId, 'snapshotId');
      const user = s.all(ctx, 'image').find((i) => (i.BlockDeviceMappings ?? []).some((b: Rec) => b.Ebs?.SnapshotId === snap.SnapshotId));
      if (user) throw ec2Error('InvalidSnapshot.InUse', `The snapshot ${snap.SnapshotId} is currently in use by ${user.ImageId}`);
      s.delete(ctx, 'snapshot', snap.SnapshotId);
      return undefined as never;
    },

    CopySnapshot: (input, ctx) => {
      const src = s.get(ctx, 'snapshot', input.SourceSnapshotId, 'sourceSnapshotId');
      const id = newId('snap');
      s.put(ctx, 'snapshot', id, {
        ...src,
        SnapshotId: id,
        StartTime: s.now(ctx),
        Description: input.Description ?? `[Copied ${src.SnapshotId} from ${input.SourceRegion ?? ctx.region}]`,
        Encrypted: input.Encrypted ?? src.Encrypted,
        Tags: tagsFor(input.TagSpecifications, 'snapshot'),
      });
      return { SnapshotId: id };
    },
  };
}
