// EBS volume rules shared by CreateVolume and RunInstances' block device mappings: sizes, IOPS and
// throughput per volume type, with EC2's messages.
import { ec2Error, invalidParam } from './errors.js';
import type { Rec } from './store.js';
import { newId } from './store.js';

interface TypeRule {
  min: number;
  max: number;
  iops?: { min: number; max: number; perGiB?: number; default?: number; required?: boolean };
  throughput?: { min: number; max: number; default: number; perIops?: number };
}

export const VOLUME_TYPES: Record<string, TypeRule> = {
  standard: { min: 1, max: 1024 },
  gp2: { min: 1, max: 16384 },
  gp3: {
    min: 1,
    max: 16384,
    iops: { min: 3000, max: 16000, perGiB: 500, default: 3000 },
    throughput: { min: 125, max: 1000, default: 125, perIops: 0.25 },
  },
  io1: { min: 4, max: 16384, iops: { min: 100, max: 64000, perGiB: 50, required: true } },
  io2: { min: 4, max: 65536, iops: { min: 100, max: 256000, perGiB: 1000, required: true } },
  st1: { min: 125, max: 16384 },
  sc1: { min: 125, max: 16384 },
};

export interface VolumeSpec {
  VolumeType?: string;
  Size?: number;
  Iops?: number;
  Throughput?: number;
  SnapshotId?: string;
  Encrypted?: boolean;
  KmsKeyId?: string;
}

/** The checked attributes of a new volume (size from a snapshot when not given), or EC2's error. */
export function volumeAttributes(
  spec: VolumeSpec,
  snapshotSize?: number,
): { VolumeType: string; Size: number; Iops?: number; Throughput?: number } {
  const type = spec.VolumeType ?? 'gp2';
  const rule = VOLUME_TYPES[type];
  if (!rule)
    throw invalidParam(
      `Value (${type}) for parameter volumeType is invalid. Valid volume types are: standard, io1, io2, gp2, sc1, st1, gp3.`,
    );
  const size = spec.Size ?? snapshotSize;
  if (size === undefined) throw ec2Error('MissingParameter', 'The request must contain the parameter size or snapshotId');
  if (snapshotSize !== undefined && size < snapshotSize) {
    throw invalidParam(`Volume of ${size}GiB is too small; minimum is ${snapshotSize}GiB.`);
  }
  if (size < rule.min || size > rule.max) {
    throw invalidParam(
      `Volume of ${size}GiB is too ${size < rule.min ? 'small' : 'large'} for ${type}; ${size < rule.min ? 'minimum' : 'maximum'} is ${size < rule.min ? rule.min : rule.max}GiB.`,
    );
  }
  const out: { VolumeType: string; Size: number; Iops?: number; Throughput?: number } = { VolumeType: type, Size: size };
  if (rule.iops) {
    if (spec.Iops === undefined && rule.iops.required)
      throw ec2Error('MissingParameter', `The parameter iops must be specified for ${type} volumes.`);
    const iops = spec.Iops ?? rule.iops.default!;
    if (iops < rule.iops.min || iops > rule.iops.max) {
      throw invalidParam(
        `Volume iops of ${iops} is too ${iops < rule.iops.min ? 'low' : 'high'}; ${iops < rule.iops.min ? 'minimum' : 'maximum'} is ${iops < rule.iops.min ? rule.iops.min : rule.iops.max}.`,
      );
    }
    if (rule.iops.perGiB && spec.Iops !== undefined && iops > size * rule.iops.perGiB) {
      throw invalidParam(`Iops to volume size ratio of ${(iops / size).toFixed(1)} is too high; maximum is ${rule.iops.perGiB}.0.`);
    }
    out.Iops = iops;
  } else if (spec.Iops !== undefined) {
    throw ec2Error('InvalidParameterCombination', `The parameter iops is not supported for ${type} volumes.`);
  } else if (type === 'gp2') {
    out.Iops = Math.min(16000, Math.max(100, size * 3));
  }
  if (rule.throughput) {
    const t = spec.Throughput ?? rule.throughput.default;
    if (t < rule.throughput.min || t > rule.throughput.max) {
      throw invalidParam(
        `Throughput (MiBps) of ${t} is too ${t < rule.throughput.min ? 'low' : 'high'}; ${t < rule.throughput.min ? 'minimum' : 'maximum'} is ${t < rule.throughput.min ? rule.throughput.min : rule.throughput.max}.`,
      );
    }
    if (rule.throughput.perIops && t > out.Iops! * rule.throughput.perIops) {
      throw invalidParam(
        `Throughput (MiBps) to iops ratio of ${(t / out.Iops!).toFixed(6)} is too high; maximum is ${rule.throughput.perIops}.`,
      );
    }
    out.Throughput = t;
  } else if (spec.Throughput !== undefined) {
    throw ec2Error('InvalidParameterCombination', `The parameter throughput is not supported for ${type} volumes.`);
  }
  return out;
}

export function buildVolume(
  account: string,
  zone: { name: string; id: string },
  attrs: ReturnType<typeof volumeAttributes>,
  spec: VolumeSpec,
  now: string,
  tags: Rec['Tags'],
): Rec {
  return {
    VolumeId: newId('vol'),
    ...attrs,
    SnapshotId: spec.SnapshotId ?? '',
    AvailabilityZone: zone.name,
    AvailabilityZoneId: zone.id,
    State: 'available',
    CreateTime: now,
    Attachments: [],
    Encrypted: !!spec.Encrypted,
    ...(spec.Encrypted ? { KmsKeyId: spec.KmsKeyId ?? `arn:aws:kms:${zone.name.slice(0, -1)}:${account}:alias/aws/ebs` } : {}),
    MultiAttachEnabled: false,
    FastRestored: false,
    Tags: tags ?? [],
    _owner: account,
  };
}
