// What the EC2 page's tabs share: the price table of /_nimbus/ec2/prices, the image and instance
// type pickers (instances and launch templates), and the instance picker (addresses and volumes).
import type { DescribeInstancesCommandOutput, Image, Instance } from '@aws-sdk/client-ec2';
import { SelectField } from '../lib/form.js';
import { nameTag } from './ec2-network.js';

export interface Price {
  instanceType: string;
  vcpus?: number;
  memoryMiB?: number;
  onDemandPerHour?: number;
  currency: string;
}

export const money = (p?: number) => (p === undefined ? '—' : `$${p.toFixed(4)}/hour`);

export const sortedImages = (images?: Image[]) => (images ?? []).slice().sort((a, b) => (a.Name ?? '').localeCompare(b.Name ?? ''));

export function ImageSelect({ images, value, onValue }: { images: Image[]; value: string; onValue: (v: string) => void }) {
  return (
    <SelectField label="Image (AMI)" aria="Image" value={value} onValue={onValue}>
      {images.map((i) => (
        <option key={i.ImageId} value={i.ImageId}>
          {i.Name} ({i.ImageId}, {i.Architecture})
        </option>
      ))}
    </SelectField>
  );
}

export function TypeSelect({ prices, value, onValue }: { prices: Price[]; value: string; onValue: (v: string) => void }) {
  return (
    <SelectField label="Instance type" value={value} onValue={onValue}>
      {prices.map((p) => (
        <option key={p.instanceType} value={p.instanceType}>
          {p.instanceType} ({p.vcpus} vCPU, {((p.memoryMiB ?? 0) / 1024).toFixed(1)} GiB)
        </option>
      ))}
    </SelectField>
  );
}

/** The instances an address or volume can go to (not terminated), as options of a select. */
export function InstanceOptions({ instances, zone }: { instances: Instance[]; zone?: string }) {
  return (
    <>
      {instances
        .filter((i) => !['terminated', 'shutting-down'].includes(i.State?.Name ?? '') && (!zone || i.Placement?.AvailabilityZone === zone))
        .map((i) => (
          <option key={i.InstanceId} value={i.InstanceId}>
            {i.InstanceId} {nameTag(i.Tags)} ({i.State?.Name}, {i.Placement?.AvailabilityZone})
          </option>
        ))}
    </>
  );
}

export const instancesOf = (out?: DescribeInstancesCommandOutput) => (out?.Reservations ?? []).flatMap((r) => r.Instances ?? []);
