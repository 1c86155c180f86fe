// AMIs: a small catalogue of public images per region (stable ids), and the account's own images
// (CreateImage from an instance, RegisterImage, DeregisterImage); DescribeImages with owners and filters.
import { createHash } from 'node:crypto';
import type { Ec2Provider, Image } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, page, type Fields } from './filters.js';
import { DONE, ec2Error, invalidParam, missing, notFound } from './errors.js';

interface PublicImage {
  key: string;
  name: string;
  description: string;
  owner: string;
  alias?: string;
  arch: 'x86_64' | 'arm64';
  platform?: 'windows';
  details: string;
  ssm?: string;
}

const PUBLIC: PublicImage[] = [
  {
    key: 'al2023-x86',
    name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-x86_64',
    description: 'Amazon Linux 2023 AMI 2023.6.20241212.0 x86_64 HVM kernel-6.1',
    owner: '137112412989',
    alias: 'amazon',
    arch: 'x86_64',
    details: 'Linux/UNIX',
    ssm: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
  },
  {
    key: 'al2023-arm',
    name: 'al2023-ami-2023.6.20241212.0-kernel-6.1-arm64',
    description: 'Amazon Linux 2023 AMI 2023.6.20241212.0 arm64 HVM kernel-6.1',
    owner: '137112412989',
    alias: 'amazon',
    arch: 'arm64',
    details: 'Linux/UNIX',
    ssm: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
  },
  {
    key: 'al2-x86',
    name: 'amzn2-ami-kernel-5.10-hvm-2.0.20241217.0-x86_64-gp2',
    description: 'Amazon Linux 2 Kernel 5.10 AMI 2.0.20241217.0 x86_64 HVM gp2',
    owner: '137112412989',
    alias: 'amazon',
    arch: 'x86_64',
    details: 'Linux/UNIX',
    ssm: '/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2',
  },
  {
    key: 'ubuntu-2404-x86',
    name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20241210',
    description: 'Canonical, Ubuntu, 24.04, amd64 noble image',
    owner: '099720109477',
    arch: 'x86_64',
    details: 'Linux/UNIX',
    ssm: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
  },
  {
    key: 'ubuntu-2404-arm',
    name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20241210',
    description: 'Canonical, Ubuntu, 24.04, arm64 noble image',
    owner: '099720109477',
    arch: 'arm64',
    details: 'Linux/UNIX',
    ssm: '/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id',
  },
  {
    key: 'ubuntu-2204-x86',
    name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20241206',
    description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image',
    owner: '099720109477',
    arch: 'x86_64',
    details: 'Linux/UNIX',
    ssm: '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id',
  },
  {
    key: 'debian-12-x86',
    name: 'debian-12-amd64-20241201-1948',
    description: 'Debian 12 (20241201-1948)',
    owner: '136693071363',
    arch: 'x86_64',
    details: 'Linux/UNIX',
    ssm: '/aws/service/debian/release/12/latest/amd64',
  },
  {
    key: 'rhel-9-x86',
    name: 'RHEL-9.5.0_HVM-20241211-x86_64-0-Hourly2-GP3',
    description: 'Provided by Red Hat, Inc.',
    owner: '309956199498',
    arch: 'x86_64',
    details: 'Red Hat Enterprise Linux',
  },
  {
    key: 'win-2022',
    name: 'Windows_Server-2022-English-Full-Base-2024.12.13',
    description: 'Microsoft Windows Server 2022 Full Locale English AMI provided by Amazon',
    owner: '801119661308',
    alias: 'amazon',
    arch: 'x86_64',
    platform: 'windows',
    details: 'Windows',
    ssm: '/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base',
  },
];

const amiId = (region: string, key: string) => 'ami-' + createHash('sha256').update(`${region}/${key}`).digest('hex').slice(0, 17);

function publicImage(region: string, p: PublicImage): Rec {
  const id = amiId(region, p.key);
  const root = p.platform === 'windows' ? '/dev/sda1' : '/dev/xvda';
  return {
    ImageId: id,
    ImageLocation: `${p.alias ?? p.owner}/${p.name}`,
    State: 'available',
    OwnerId: p.owner,
    ImageOwnerAlias: p.alias,
    CreationDate: '2024-12-13T00:00:00.000Z',
    Public: true,
    Architecture: p.arch,
    ImageType: 'machine',
    Name: p.name,
    Description: p.description,
    RootDeviceType: 'ebs',
    RootDeviceName: root,
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
    EnaSupport: true,
    SriovNetSupport: 'simple',
    PlatformDetails: p.details,
    UsageOperation: p.platform === 'windows' ? 'RunInstances:0002' : 'RunInstances:0000',
    BootMode: p.arch === 'arm64' ? 'uefi' : 'uefi-preferred',
    ...(p.platform ? { Platform: p.platform } : {}),
    ImdsSupport: 'v2.0',
    DeprecationTime: '2026-12-13T00:00:00.000Z',
    Tags: [],
    BlockDeviceMappings: [
      {
        DeviceName: root,
        Ebs: {
          DeleteOnTermination: true,
          SnapshotId: 'snap-' + id.slice(4),
          VolumeSize: p.platform === 'windows' ? 30 : 8,
          VolumeType: 'gp3',
          Encrypted: false,
          Iops: 3000,
          Throughput: 125,
        },
      },
    ],
    _ssm: p.ssm,
  };
}

export const publicImages = (region: string): Rec[] => PUBLIC.map((p) => publicImage(region, p));

const imageFields: Fields<Rec> = {
  'image-id': (i) => i.ImageId,
  name: (i) => i.Name,
  description: (i) => i.Description,
  architecture: (i) => i.Architecture,
  state: (i) => i.State,
  'owner-id': (i) => i.OwnerId,
  'owner-alias': (i) => i.ImageOwnerAlias,
  'is-public': (i) => i.Public,
  platform: (i) => i.Platform,
  'platform-details': (i) => i.PlatformDetails,
  'root-device-type': (i) => i.RootDeviceType,
  'root-device-name': (i) => i.RootDeviceName,
  'virtualization-type': (i) => i.VirtualizationType,
  'image-type': (i) => i.ImageType,
  hypervisor: (i) => i.Hypervisor,
  'block-device-mapping.snapshot-id': (i) => i.BlockDeviceMappings.map((b: Rec) => b.Ebs?.SnapshotId),
  'block-device-mapping.volume-type': (i) => i.BlockDeviceMappings.map((b: Rec) => b.Ebs?.VolumeType),
  'creation-date': (i) => i.CreationDate,
  'ena-support': (i) => i.EnaSupport,
};

const NAME_RE = /^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/;

export function imageHandlers(s: Ec2State): Ec2Provider {
  /** Every image the caller may see: the public catalogue and its own. */
  const visible = (ctx: RequestContext) => [...publicImages(ctx.region), ...s.all(ctx, 'image')];

  function checkName(ctx: RequestContext, name: string | undefined): string {
    if (!name) throw missing('name');
    if (!NAME_RE.test(name)) {
      throw ec2Error(
        'InvalidAMIName.Malformed',
        `AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'`,
      );
    }
    const dup = s.all(ctx, 'image').find((i) => i.Name === name);
    if (dup) throw ec2Error('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${dup.ImageId}`);
    return name;
  }

  return {
    DescribeImages: (input, ctx) => {
      let images = visible(ctx);
      if (input.ImageIds?.length) {
        const missingIds = input.ImageIds.filter((id) => !images.some((i) => i.ImageId === id));
        if (missingIds.length) {
          const bad = missingIds.find((id) => !/^ami-[0-9a-f]{8,17}$/.test(id));
          if (bad) throw ec2Error('InvalidAMIID.Malformed', `Invalid id: "${bad}" (expecting "ami-...")`);
          throw notFound('image', missingIds.length === 1 ? missingIds[0] : missingIds);
        }
        images = images.filter((i) => input.ImageIds!.includes(i.ImageId));
      }
      if (input.Owners?.length) {
        images = images.filter((i) =>
          input.Owners!.some((o) => o === i.OwnerId || o === i.ImageOwnerAlias || (o === 'self' && i.OwnerId === ctx.account)),
        );
      }
      if (input.IncludeDeprecated === false) images = images.filter((i) => !i.DeprecationTime || i.DeprecationTime > s.now(ctx));
      images = applyFilters(images, input.Filters, imageFields);
      const p = page(images, input.MaxResults, input.NextToken);
      return { Images: out<Image[]>(p.items), NextToken: p.NextToken };
    },

    CreateImage: (input, ctx) => {
      const inst = s.get(ctx, 'instance', input.InstanceId, 'instanceId');
      const name = checkName(ctx, input.Name);
      const source = visible(ctx).find((i) => i.ImageId === inst.ImageId);
      const id = newId('ami');
      const mappings = (inst.BlockDeviceMappings ?? []).map((b: Rec) => {
        const vol = s.find(ctx, 'volume', b.Ebs?.VolumeId);
        const snapId = newId('snap');
        s.put(ctx, 'snapshot', snapId, {
          SnapshotId: snapId,
          VolumeId: b.Ebs?.VolumeId,
          VolumeSize: vol?.Size ?? 8,
          State: 'completed',
          Progress: '100%',
          StartTime: s.now(ctx),
          OwnerId: ctx.account,
          Description: `Created by CreateImage(${inst.InstanceId}) for ${id}`,
          Encrypted: !!vol?.Encrypted,
          StorageTier: 'standard',
          Tags: [],
        });
        return {
          DeviceName: b.DeviceName,
          Ebs: {
            DeleteOnTermination: true,
            SnapshotId: snapId,
            VolumeSize: vol?.Size ?? 8,
            VolumeType: vol?.VolumeType ?? 'gp3',
            Encrypted: !!vol?.Encrypted,
          },
        };
      });
      const image = {
        ...(source ?? {}),
        ImageId: id,
        Name: name,
        Description: input.Description,
        OwnerId: ctx.account,
        ImageOwnerAlias: undefined,
        Public: false,
        State: 'available',
        CreationDate: s.now(ctx),
        ImageLocation: `${ctx.account}/${name}`,
        SourceInstanceId: inst.InstanceId,
        _ssm: undefined,
        Architecture: inst.Architecture,
        RootDeviceName: inst.RootDeviceName ?? '/dev/xvda',
        BlockDeviceMappings: mappings,
        DeprecationTime: undefined,
        Tags: tagsFor(input.TagSpecifications, 'image'),
      };
      s.put(ctx, 'image', id, image);
      return { ImageId: id };
    },

    RegisterImage: (input, ctx) => {
      const name = checkName(ctx, input.Name);
      const id = newId('ami');
      const root = input.RootDeviceName ?? input.BlockDeviceMappings?.[0]?.DeviceName ?? '/dev/xvda';
      for (const b of input.BlockDeviceMappings ?? []) if (b.Ebs?.SnapshotId) s.get(ctx, 'snapshot', b.Ebs.SnapshotId, 'snapshotId');
      const image = {
        ImageId: id,
        Name: name,
        Description: input.Description,
        OwnerId: ctx.account,
        Public: false,
        State: 'available',
        CreationDate: s.now(ctx),
        ImageLocation: input.ImageLocation ?? `${ctx.account}/${name}`,
        Architecture: input.Architecture ?? 'x86_64',
        ImageType: 'machine',
        RootDeviceType: 'ebs',
        RootDeviceName: root,
        VirtualizationType: input.VirtualizationType ?? 'hvm',
        Hypervisor: 'xen',
        EnaSupport: input.EnaSupport ?? false,
        PlatformDetails: 'Linux/UNIX',
        UsageOperation: 'RunInstances',
        BootMode: input.BootMode,
        ImdsSupport: input.ImdsSupport,
        BlockDeviceMappings: input.BlockDeviceMappings ?? [],
        Tags: tagsFor(input.TagSpecifications, 'image'),
      };
      s.put(ctx, 'image', id, image);
      return { ImageId: id };
    },

    DeregisterImage: (input, ctx) => {
      if (!input.ImageId) throw missing('imageId');
      if (publicImages(ctx.region).some((i) => i.ImageId === input.ImageId)) {
        throw ec2Error('AuthFailure', `Not authorized for image:${input.ImageId}`);
      }
      const image = s.get(ctx, 'image', input.ImageId, 'imageId');
      if (image.DeregistrationProtection === 'enabled') throw invalidParam(`Image ${image.ImageId} has deregistration protection enabled`);
      s.delete(ctx, 'image', image.ImageId);
      return { Return: true };
    },

    DescribeImageAttribute: (input, ctx) => {
      const image = visible(ctx).find((i) => i.ImageId === input.ImageId);
      if (!image) throw notFound('image', input.ImageId ?? '');
      const a = input.Attribute;
      const value =
        a === 'description'
          ? { Description: { Value: image.Description } }
          : a === 'blockDeviceMapping'
            ? { BlockDeviceMappings: image.BlockDeviceMappings }
            : a === 'launchPermission'
              ? { LaunchPermissions: image.Public ? [{ Group: 'all' }] : (image._launch ?? []) }
              : a === 'bootMode'
                ? { BootMode: { Value: image.BootMode } }
                : undefined;
      if (!value) throw invalidParam(`Value (${a}) for parameter attribute is invalid. Unknown attribute.`);
      return { ImageId: image.ImageId, ...value };
    },

    ModifyImageAttribute: (input, ctx) => {
      const image = s.get(ctx, 'image', input.ImageId, 'imageId');
      if (input.Description?.Value !== undefined) image.Description = input.Description.Value;
      const add = input.LaunchPermission?.Add ?? [];
      const remove = input.LaunchPermission?.Remove ?? [];
      if (add.some((p) => p.Group === 'all')) image.Public = true;
      if (remove.some((p) => p.Group === 'all')) image.Public = false;
      const users = new Set<string>([
        ...(image._launch ?? []).map((p: Rec) => p.UserId),
        ...add.filter((p) => p.UserId).map((p) => p.UserId!),
        ...(input.UserIds ?? []),
      ]);
      for (const p of remove) if (p.UserId) users.delete(p.UserId);
      image._launch = [...users].map((u) => ({ UserId: u }));
      s.put(ctx, 'image', image.ImageId, image);
      return DONE;
    },
  };
}
