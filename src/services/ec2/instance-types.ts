// DescribeInstanceTypes and DescribeInstanceTypeOfferings over the bundled catalogue, and the
// admin route that shows each type's on-demand price.
import type { Ec2Provider, InstanceTypeInfo } from '../../generated/ec2.js';
import type { Runtime } from '../../kit.js';
import { applyFilters, page, type Fields } from './filters.js';
import { ec2Error } from './errors.js';
import { instanceTypes, onDemandPrice, spotPrice } from './catalogue.js';
import { zonesOf } from './regions.js';

const typeFields: Fields<InstanceTypeInfo> = {
  'instance-type': (t) => t.InstanceType,
  'current-generation': (t) => t.CurrentGeneration,
  'free-tier-eligible': (t) => t.FreeTierEligible,
  'burstable-performance-supported': (t) => t.BurstablePerformanceSupported,
  'bare-metal': (t) => t.BareMetal,
  hypervisor: (t) => t.Hypervisor,
  'processor-info.supported-architecture': (t) => t.ProcessorInfo?.SupportedArchitectures,
  'processor-info.manufacturer': (t) => t.ProcessorInfo?.Manufacturer,
  'processor-info.sustained-clock-speed-in-ghz': (t) => t.ProcessorInfo?.SustainedClockSpeedInGhz,
  'vcpu-info.default-vcpus': (t) => t.VCpuInfo?.DefaultVCpus,
  'vcpu-info.default-cores': (t) => t.VCpuInfo?.DefaultCores,
  'memory-info.size-in-mib': (t) => t.MemoryInfo?.SizeInMiB,
  'instance-storage-supported': (t) => t.InstanceStorageSupported,
  'instance-storage-info.total-size-in-gb': (t) => t.InstanceStorageInfo?.TotalSizeInGB,
  'network-info.network-performance': (t) => t.NetworkInfo?.NetworkPerformance,
  'network-info.ena-support': (t) => t.NetworkInfo?.EnaSupport,
  'network-info.ipv6-supported': (t) => t.NetworkInfo?.Ipv6Supported,
  'supported-usage-class': (t) => t.SupportedUsageClasses,
  'supported-root-device-type': (t) => t.SupportedRootDeviceTypes,
  'supported-virtualization-type': (t) => t.SupportedVirtualizationTypes,
  'hibernation-supported': (t) => t.HibernationSupported,
  'ebs-info.ebs-optimized-support': (t) => t.EbsInfo?.EbsOptimizedSupport,
  'supported-boot-mode': (t) => t.SupportedBootModes,
};

export function instanceTypeHandlers(rt: Runtime): Ec2Provider {
  rt.admin.route('GET /_nimbus/ec2/prices', ({ query }) => {
    const region = query.get('region') ?? 'us-east-1';
    return {
      body: [...instanceTypes().values()].map(({ info }) => ({
        instanceType: info.InstanceType,
        vcpus: info.VCpuInfo?.DefaultVCpus,
        memoryMiB: info.MemoryInfo?.SizeInMiB,
        onDemandPerHour: onDemandPrice(info.InstanceType!, region),
        currency: 'USD',
        region,
      })),
    };
  });

  return {
    DescribeInstanceTypes: (input) => {
      let types = [...instanceTypes().values()].map((e) => e.info);
      if (input.InstanceTypes?.length) {
        const unknown = input.InstanceTypes.filter((t) => !instanceTypes().has(t));
        if (unknown.length)
          throw ec2Error('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
        types = types.filter((t) => input.InstanceTypes!.includes(t.InstanceType!));
      }
      types = applyFilters(types, input.Filters, typeFields);
      const p = page(types, input.MaxResults, input.NextToken, { min: 5, max: 100 });
      return { InstanceTypes: p.items, NextToken: p.NextToken };
    },

    // spot prices: a steady fraction of the bundled on-demand price, varying by zone and by virtual hour
    DescribeSpotPriceHistory: (input, ctx) => {
      const hour = Math.floor(ctx.clock.nowMs() / 3_600_000);
      // a zone's price depends on its place in the region's list, whichever zones are asked for
      const zones = zonesOf(ctx.region)
        .map((z, index) => ({ ...z, index }))
        .filter(
          (z) =>
            (!input.AvailabilityZone || z.name === input.AvailabilityZone) &&
            (!input.AvailabilityZoneId || z.id === input.AvailabilityZoneId),
        );
      const types = input.InstanceTypes?.length ? input.InstanceTypes : [...instanceTypes().keys()];
      const products = input.ProductDescriptions?.length ? input.ProductDescriptions : ['Linux/UNIX'];
      const rows = types.flatMap((type) =>
        zones.flatMap((z) =>
          products.flatMap((product) => {
            const price = spotPrice(type, ctx.region, z.index, ctx.clock.nowMs(), product);
            if (price === undefined) return [];
            return [
              {
                AvailabilityZone: z.name,
                AvailabilityZoneId: z.id,
                InstanceType: type as InstanceTypeInfo['InstanceType'],
                ProductDescription: product as never,
                SpotPrice: price.toFixed(6),
                Timestamp: new Date(hour * 3_600_000),
              },
            ];
          }),
        ),
      );
      const filtered = applyFilters(rows, input.Filters, {
        'availability-zone': (r) => r.AvailabilityZone,
        'instance-type': (r) => r.InstanceType,
        'product-description': (r) => r.ProductDescription,
        'spot-price': (r) => r.SpotPrice,
      });
      const p = page(filtered, input.MaxResults, input.NextToken, { min: 5, max: 1000 });
      return { SpotPriceHistory: p.items, NextToken: p.NextToken };
    },

    DescribeInstanceTypeOfferings: (input, ctx) => {
      const where = input.LocationType ?? 'region';
      const locations =
        where === 'region'
          ? [ctx.region]
          : where === 'availability-zone'
            ? zonesOf(ctx.region).map((z) => z.name)
            : zonesOf(ctx.region).map((z) => z.id);
      const offerings = [...instanceTypes().keys()].flatMap((t) =>
        locations.map((l) => ({ InstanceType: t as InstanceTypeInfo['InstanceType'], LocationType: where, Location: l })),
      );
      const filtered = applyFilters(offerings, input.Filters, { 'instance-type': (o) => o.InstanceType, location: (o) => o.Location });
      const p = page(filtered, input.MaxResults, input.NextToken, { min: 5, max: 1000 });
      return { InstanceTypeOfferings: p.items, NextToken: p.NextToken };
    },
  };
}
