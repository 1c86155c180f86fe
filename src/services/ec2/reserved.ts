// Reserved Instances: DescribeReservedInstancesOfferings generated from the bundled on-demand prices
// (standard and convertible, 1 and 3 years, No/Partial/All Upfront, Linux/UNIX and Windows) — the
// discounts are typical ones, so the prices are approximate; PurchaseReservedInstancesOffering
// records a purchase (payment-pending → active → retired at its end on the virtual clock, or queued
// until a PurchaseTime); DescribeReservedInstances with its filters.
import { createHash, randomUUID } from 'node:crypto';
import type { Ec2Provider, ReservedInstancesOffering } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, out } from './store.js';
import { applyFilters, page, type Fields } from './filters.js';
import { ec2Error, invalidParam, missing } from './errors.js';
import { instanceTypes, onDemandPrice } from './catalogue.js';
import { zonesOf } from './regions.js';

const YEAR = 31_536_000;
const DURATIONS = [YEAR, 3 * YEAR];
const CLASSES = ['standard', 'convertible'] as const;
const OFFERING_TYPES = ['No Upfront', 'Partial Upfront', 'All Upfront'] as const;
const PRODUCTS = ['Linux/UNIX', 'Windows'];
/** a purchase's payment is processed this long (virtual ms) after it is made */
const PAYMENT_MS = 60_000;

/** Typical discounts off on-demand, by class, term (years) and offering type. */
const DISCOUNT: Record<string, Record<number, number[]>> = {
  standard: { 1: [0.37, 0.4, 0.42], 3: [0.57, 0.6, 0.62] },
  convertible: { 1: [0.26, 0.29, 0.31], 3: [0.44, 0.47, 0.5] },
};

const round = (n: number, places: number) => Number(n.toFixed(places));

const uuidOf = (text: string) => {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

function offering(
  region: string,
  type: string,
  duration: number,
  cls: string,
  offeringType: string,
  product: string,
  zone?: { name: string; id: string },
): Rec | undefined {
  const od = onDemandPrice(type, region);
  if (od === undefined) return undefined;
  const hourly =
    od * (product === 'Windows' ? 1.8 : 1) * (1 - DISCOUNT[cls][duration / YEAR][OFFERING_TYPES.indexOf(offeringType as never)]);
  const hours = duration / 3600;
  const upfront = offeringType === 'All Upfront' ? hourly * hours : offeringType === 'Partial Upfront' ? (hourly * hours) / 2 : 0;
  const recurring = offeringType === 'All Upfront' ? 0 : offeringType === 'Partial Upfront' ? hourly / 2 : hourly;
  return {
    ReservedInstancesOfferingId: uuidOf([region, type, duration, cls, offeringType, product, zone?.name ?? ''].join('|')),
    InstanceType: type,
    Duration: duration,
    FixedPrice: round(upfront, 2),
    UsagePrice: 0,
    ProductDescription: product,
    InstanceTenancy: 'default',
    CurrencyCode: 'USD',
    OfferingType: offeringType,
    OfferingClass: cls,
    Marketplace: false,
    PricingDetails: [],
    RecurringCharges: [{ Frequency: 'Hourly', Amount: round(recurring, 4) }],
    Scope: zone ? 'Availability Zone' : 'Region',
    ...(zone ? { AvailabilityZone: zone.name, AvailabilityZoneId: zone.id } : {}),
  };
}

/** Every offering of a region matching the narrowing the request allows (types, zones, products). */
function offerings(region: string, types: string[], zones: Array<{ name: string; id: string } | undefined>, products: string[]): Rec[] {
  const outList: Rec[] = [];
  for (const type of types) {
    for (const zone of zones) {
      for (const product of products) {
        for (const duration of DURATIONS) {
          for (const cls of CLASSES)
            for (const ot of OFFERING_TYPES) {
              const o = offering(region, type, duration, cls, ot, product, zone);
              if (o) outList.push(o);
            }
        }
      }
    }
  }
  return outList;
}

const offeringFields: Fields<Rec> = {
  'availability-zone': (o) => o.AvailabilityZone,
  duration: (o) => o.Duration,
  'fixed-price': (o) => o.FixedPrice,
  'instance-type': (o) => o.InstanceType,
  marketplace: (o) => o.Marketplace,
  'product-description': (o) => o.ProductDescription,
  'reserved-instances-offering-id': (o) => o.ReservedInstancesOfferingId,
  scope: (o) => o.Scope,
  'usage-price': (o) => o.UsagePrice,
};

const reservedFields: Fields<Rec> = {
  ...offeringFields,
  'reserved-instances-id': (r) => r.ReservedInstancesId,
  state: (r) => r.State,
  start: (r) => r.Start,
  end: (r) => r.End,
};

/** A purchase's state at a virtual time. */
function stateAt(r: Rec, nowMs: number): string {
  if (nowMs >= Date.parse(r.End)) return 'retired';
  if (r._queuedUntil !== undefined && nowMs < r._queuedUntil) return 'queued';
  if (nowMs < r._paidAt) return 'payment-pending';
  return 'active';
}

export function reservedHandlers(s: Ec2State): Ec2Provider {
  const zonesFor = (ctx: RequestContext, az?: string): Array<{ name: string; id: string } | undefined> => {
    if (!az) return [undefined];
    const z = zonesOf(ctx.region).find((x) => x.name === az);
    if (!z) throw invalidParam(`Invalid availability zone: [${az}]`);
    return [z];
  };

  return {
    DescribeReservedInstancesOfferings: (input, ctx) => {
      if (input.InstanceType && !instanceTypes().has(input.InstanceType))
        throw invalidParam(`Invalid value '${input.InstanceType}' for InstanceType.`);
      const types = input.InstanceType ? [input.InstanceType] : [...instanceTypes().keys()];
      const products = input.ProductDescription ? [input.ProductDescription] : PRODUCTS;
      let list = offerings(ctx.region, types, zonesFor(ctx, input.AvailabilityZone), products).filter(
        (o) =>
          (!input.OfferingClass || o.OfferingClass === input.OfferingClass) &&
          (!input.OfferingType || o.OfferingType === input.OfferingType) &&
          (input.MinDuration === undefined || o.Duration >= input.MinDuration) &&
          (input.MaxDuration === undefined || o.Duration <= input.MaxDuration) &&
          (!input.InstanceTenancy || input.InstanceTenancy === 'default'),
      );
      if (input.ReservedInstancesOfferingIds?.length)
        list = list.filter((o) => input.ReservedInstancesOfferingIds!.includes(o.ReservedInstancesOfferingId));
      list = applyFilters(list, input.Filters, offeringFields);
      const p = page(list, input.MaxResults ?? 100, input.NextToken, { min: 5, max: 100 });
      return { ReservedInstancesOfferings: out<ReservedInstancesOffering[]>(p.items), NextToken: p.NextToken };
    },

    PurchaseReservedInstancesOffering: (input, ctx) => {
      if (!input.ReservedInstancesOfferingId) throw missing('ReservedInstancesOfferingId');
      if (!(input.InstanceCount >= 1))
        throw invalidParam(`Value (${input.InstanceCount}) for parameter instanceCount is invalid. Expected a positive integer.`);
      const zones = [undefined, ...zonesOf(ctx.region)];
      const o = offerings(ctx.region, [...instanceTypes().keys()], zones, PRODUCTS).find(
        (x) => x.ReservedInstancesOfferingId === input.ReservedInstancesOfferingId,
      );
      if (!o)
        throw ec2Error(
          'InvalidReservedInstancesOfferingId',
          `The Reserved Instances offering ID '${input.ReservedInstancesOfferingId}' is not valid.`,
        );
      const total = o.FixedPrice * input.InstanceCount;
      if (input.LimitPrice?.Amount !== undefined && input.LimitPrice.Amount < total) {
        throw ec2Error(
          'ReservedInstancesLimitPriceExceeded',
          `The total upfront price of ${total.toFixed(2)} USD exceeds the limit price of ${input.LimitPrice.Amount} USD.`,
        );
      }
      const nowMs = ctx.clock.nowMs();
      const purchaseAt = input.PurchaseTime ? Math.max(nowMs, new Date(input.PurchaseTime).getTime()) : nowMs;
      const id = randomUUID();
      const rec: Rec = {
        ReservedInstancesId: id,
        InstanceType: o.InstanceType,
        AvailabilityZone: o.AvailabilityZone,
        AvailabilityZoneId: o.AvailabilityZoneId,
        Scope: o.Scope,
        Start: new Date(purchaseAt).toISOString(),
        End: new Date(purchaseAt + o.Duration * 1000).toISOString(),
        Duration: o.Duration,
        FixedPrice: o.FixedPrice,
        UsagePrice: o.UsagePrice,
        InstanceCount: input.InstanceCount,
        ProductDescription: o.ProductDescription,
        InstanceTenancy: o.InstanceTenancy,
        CurrencyCode: o.CurrencyCode,
        OfferingType: o.OfferingType,
        OfferingClass: o.OfferingClass,
        RecurringCharges: o.RecurringCharges,
        Tags: [],
        State: 'payment-pending',
        _paidAt: purchaseAt + PAYMENT_MS,
        ...(purchaseAt > nowMs ? { _queuedUntil: purchaseAt } : {}),
        _offeringId: o.ReservedInstancesOfferingId,
      };
      rec.State = stateAt(rec, nowMs);
      s.put(ctx, 'ri', id, rec);
      return { ReservedInstancesId: id };
    },

    DescribeReservedInstances: (input, ctx) => {
      const nowMs = ctx.clock.nowMs();
      let list: Rec[] = s.all(ctx, 'ri').map((r) => ({ ...r, State: stateAt(r, nowMs) }));
      if (input.ReservedInstancesIds?.length) {
        const unknown = input.ReservedInstancesIds.find((id) => !list.some((r) => r.ReservedInstancesId === id));
        if (unknown) throw ec2Error('InvalidReservedInstancesId', `Invalid id: "${unknown}"`);
        list = list.filter((r) => input.ReservedInstancesIds!.includes(r.ReservedInstancesId));
      }
      list = list.filter(
        (r) =>
          (!input.OfferingClass || r.OfferingClass === input.OfferingClass) &&
          (!input.OfferingType || r.OfferingType === input.OfferingType),
      );
      return { ReservedInstances: out<Rec[]>(applyFilters(list, input.Filters, reservedFields)) };
    },
  };
}
