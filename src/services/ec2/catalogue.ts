// The instance type catalogue: families with their processor, vCPUs, memory, network, storage and
// an on-demand Linux price per hour (us-east-1, USD; other regions scaled by a regional factor).
// Sizes are generated from each family's `large` size: vCPUs and price double with every size step.
import type { InstanceTypeInfo } from '../../generated/ec2.js';

interface Family {
  arch: 'x86_64' | 'arm64';
  cpu: string;
  ghz: number;
  /** GiB of memory per vCPU */
  memPerVcpu: number;
  /** on-demand $/h of the `large` size (2 vCPUs) */
  largePrice: number;
  sizes: string[];
  burstable?: boolean;
  gen?: 'previous';
  storage?: { perLargeGb: number; type: 'ssd' | 'hdd'; nvme: boolean };
}

const T_SIZES = ['nano', 'micro', 'small', 'medium', 'large', 'xlarge', '2xlarge'];
const M_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'];
const G_SIZES = ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];

const FAMILIES: Record<string, Family> = {
  t2: {
    arch: 'x86_64',
    cpu: 'Intel Xeon Family',
    ghz: 2.3,
    memPerVcpu: 4,
    largePrice: 0.0928,
    sizes: T_SIZES,
    burstable: true,
    gen: 'previous',
  },
  t3: { arch: 'x86_64', cpu: 'Intel Skylake P-8175', ghz: 2.5, memPerVcpu: 4, largePrice: 0.0832, sizes: T_SIZES, burstable: true },
  t3a: { arch: 'x86_64', cpu: 'AMD EPYC 7571', ghz: 2.2, memPerVcpu: 4, largePrice: 0.0752, sizes: T_SIZES, burstable: true },
  t4g: { arch: 'arm64', cpu: 'AWS Graviton2 Processor', ghz: 2.5, memPerVcpu: 4, largePrice: 0.0672, sizes: T_SIZES, burstable: true },
  m5: { arch: 'x86_64', cpu: 'Intel Xeon Platinum 8175', ghz: 3.1, memPerVcpu: 4, largePrice: 0.096, sizes: M_SIZES },
  m6i: { arch: 'x86_64', cpu: 'Intel Xeon 8375C', ghz: 3.5, memPerVcpu: 4, largePrice: 0.096, sizes: M_SIZES },
  m6g: { arch: 'arm64', cpu: 'AWS Graviton2 Processor', ghz: 2.5, memPerVcpu: 4, largePrice: 0.077, sizes: G_SIZES },
  m7g: { arch: 'arm64', cpu: 'AWS Graviton3 Processor', ghz: 2.6, memPerVcpu: 4, largePrice: 0.0816, sizes: G_SIZES },
  c5: {
    arch: 'x86_64',
    cpu: 'Intel Xeon Platinum 8275L',
    ghz: 3.6,
    memPerVcpu: 2,
    largePrice: 0.085,
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '12xlarge', '18xlarge', '24xlarge'],
  },
  c6i: { arch: 'x86_64', cpu: 'Intel Xeon 8375C', ghz: 3.5, memPerVcpu: 2, largePrice: 0.085, sizes: M_SIZES },
  c6g: { arch: 'arm64', cpu: 'AWS Graviton2 Processor', ghz: 2.5, memPerVcpu: 2, largePrice: 0.068, sizes: G_SIZES },
  c7g: { arch: 'arm64', cpu: 'AWS Graviton3 Processor', ghz: 2.6, memPerVcpu: 2, largePrice: 0.0725, sizes: G_SIZES },
  r5: { arch: 'x86_64', cpu: 'Intel Xeon Platinum 8175', ghz: 3.1, memPerVcpu: 8, largePrice: 0.126, sizes: M_SIZES },
  r6i: { arch: 'x86_64', cpu: 'Intel Xeon 8375C', ghz: 3.5, memPerVcpu: 8, largePrice: 0.126, sizes: M_SIZES },
  r6g: { arch: 'arm64', cpu: 'AWS Graviton2 Processor', ghz: 2.5, memPerVcpu: 8, largePrice: 0.1008, sizes: G_SIZES },
  i3: {
    arch: 'x86_64',
    cpu: 'Intel Xeon E5-2686 v4',
    ghz: 2.3,
    memPerVcpu: 7.625,
    largePrice: 0.156,
    sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge'],
    storage: { perLargeGb: 475, type: 'ssd', nvme: true },
  },
  d3: {
    arch: 'x86_64',
    cpu: 'Intel Xeon Platinum 8259CL',
    ghz: 3.1,
    memPerVcpu: 8,
    largePrice: 0.499,
    sizes: ['xlarge', '2xlarge', '4xlarge', '8xlarge'],
    storage: { perLargeGb: 2980, type: 'hdd', nvme: false },
  },
};

/** vCPUs of a size (t-family small sizes have fewer vCPUs but fixed memory steps). */
const SIZE_STEP: Record<string, number> = {
  nano: 1 / 16,
  micro: 1 / 8,
  small: 1 / 4,
  medium: 1 / 2,
  large: 1,
  xlarge: 2,
  '2xlarge': 4,
  '4xlarge': 8,
  '8xlarge': 16,
  '9xlarge': 18,
  '12xlarge': 24,
  '16xlarge': 32,
  '18xlarge': 36,
  '24xlarge': 48,
};

export interface CatalogueEntry {
  info: InstanceTypeInfo;
  /** on-demand Linux $/h in us-east-1 */
  price: number;
}

const REGION_FACTOR: Record<string, number> = {
  'us-east-1': 1,
  'us-east-2': 1,
  'us-west-2': 1,
  'us-west-1': 1.17,
  'eu-west-1': 1.11,
  'eu-central-1': 1.19,
  'ap-northeast-1': 1.29,
  'sa-east-1': 1.6,
};

function build(): Map<string, CatalogueEntry> {
  const out = new Map<string, CatalogueEntry>();
  for (const [family, f] of Object.entries(FAMILIES)) {
    for (const size of f.sizes) {
      const step = SIZE_STEP[size];
      const name = `${family}.${size}`;
      const vcpus = f.burstable
        ? Math.max(1, Math.min(8, step <= 0.5 ? (step < 0.5 ? (f.arch === 'arm64' ? 2 : family === 't2' ? 1 : 2) : 2) : 2 * step))
        : Math.max(1, Math.round(2 * step));
      const memoryMiB = f.burstable ? Math.round(8192 * step) : Math.round(vcpus * f.memPerVcpu * 1024);
      const price = Math.round(f.largePrice * step * 1e4) / 1e4;
      const cores = f.arch === 'arm64' ? vcpus : Math.max(1, vcpus / 2);
      const storageGb = f.storage ? Math.round(f.storage.perLargeGb * step) : 0;
      const nitro = family !== 't2' && family !== 'i3';
      const info: InstanceTypeInfo = {
        InstanceType: name as InstanceTypeInfo['InstanceType'],
        CurrentGeneration: f.gen !== 'previous',
        FreeTierEligible: name === 't2.micro' || name === 't3.micro',
        SupportedUsageClasses: ['on-demand', 'spot'],
        SupportedRootDeviceTypes: ['ebs'],
        SupportedVirtualizationTypes: ['hvm'],
        BareMetal: false,
        Hypervisor: nitro ? 'nitro' : 'xen',
        ProcessorInfo: {
          SupportedArchitectures: [f.arch],
          SustainedClockSpeedInGhz: f.ghz,
          Manufacturer: f.arch === 'arm64' ? 'AWS' : f.cpu.startsWith('AMD') ? 'AMD' : 'Intel',
        },
        VCpuInfo: {
          DefaultVCpus: vcpus,
          DefaultCores: cores,
          DefaultThreadsPerCore: f.arch === 'arm64' ? 1 : vcpus === 1 ? 1 : 2,
          ValidCores: [cores],
          ValidThreadsPerCore: f.arch === 'arm64' ? [1] : [1, 2],
        },
        MemoryInfo: { SizeInMiB: memoryMiB },
        InstanceStorageSupported: !!f.storage,
        ...(f.storage
          ? {
              InstanceStorageInfo: {
                TotalSizeInGB: storageGb,
                Disks: [{ SizeInGB: storageGb, Count: 1, Type: f.storage.type }],
                NvmeSupport: f.storage.nvme ? 'required' : 'unsupported',
                EncryptionSupport: 'required',
              },
            }
          : {}),
        EbsInfo: {
          EbsOptimizedSupport: nitro ? 'default' : 'unsupported',
          EncryptionSupport: 'supported',
          NvmeSupport: nitro ? 'required' : 'unsupported',
        },
        NetworkInfo: {
          NetworkPerformance:
            step >= 16
              ? '25 Gigabit'
              : step >= 4
                ? 'Up to 12.5 Gigabit'
                : f.burstable
                  ? family === 't2'
                    ? 'Low to Moderate'
                    : 'Up to 5 Gigabit'
                  : 'Up to 10 Gigabit',
          MaximumNetworkInterfaces: Math.min(15, Math.max(2, Math.round(2 + step))),
          MaximumNetworkCards: 1,
          DefaultNetworkCardIndex: 0,
          NetworkCards: [
            {
              NetworkCardIndex: 0,
              NetworkPerformance: step >= 16 ? '25 Gigabit' : 'Up to 10 Gigabit',
              MaximumNetworkInterfaces: Math.min(15, Math.max(2, Math.round(2 + step))),
            },
          ],
          Ipv4AddressesPerInterface: Math.min(50, Math.max(2, Math.round(5 * step + 1))),
          Ipv6AddressesPerInterface: Math.min(50, Math.max(2, Math.round(5 * step + 1))),
          Ipv6Supported: true,
          EnaSupport: nitro ? 'required' : 'unsupported',
          EfaSupported: false,
          EncryptionInTransitSupported: nitro,
        },
        PlacementGroupInfo: { SupportedStrategies: ['cluster', 'partition', 'spread'] },
        HibernationSupported: f.arch === 'x86_64',
        BurstablePerformanceSupported: !!f.burstable,
        DedicatedHostsSupported: !f.burstable,
        AutoRecoverySupported: true,
        SupportedBootModes: f.arch === 'arm64' ? ['uefi'] : ['legacy-bios', 'uefi'],
      };
      out.set(name, { info, price });
    }
  }
  return out;
}

let catalogue: Map<string, CatalogueEntry> | undefined;
export function instanceTypes(): Map<string, CatalogueEntry> {
  return (catalogue ??= build());
}

/** The on-demand Linux price per hour of a type in a region, USD. */
export function onDemandPrice(type: string, region: string): number | undefined {
  const e = instanceTypes().get(type);
  return e ? Math.round(e.price * (REGION_FACTOR[region] ?? 1.1) * 1e4) / 1e4 : undefined;
}

/**
 * The spot price per hour of a type in a zone (by its index in the region) at a virtual time: a
 * steady fraction of the on-demand price that varies by zone and by hour; Windows costs more.
 */
export function spotPrice(type: string, region: string, zoneIndex: number, nowMs: number, product = 'Linux/UNIX'): number | undefined {
  const od = onDemandPrice(type, region);
  if (od === undefined) return undefined;
  const hour = Math.floor(nowMs / 3_600_000);
  const factor = 0.3 + ((hour + zoneIndex * 7 + type.length) % 10) / 100;
  return Number((od * factor * (product.startsWith('Windows') ? 1.8 : 1)).toFixed(6));
}
