// Spot instance requests: RequestSpotInstances (one-time or persistent), DescribeSpotInstanceRequests
// and CancelSpotInstanceRequests, and RunInstances with InstanceMarketOptions spot. A request's max
// price is checked against the spot price of its zone at the virtual time; its instance is launched
// as RunInstances would (InstanceLifecycle spot, SpotInstanceRequestId). A request is settled when it
// is read: open (pending-evaluation, price-too-low, pending-fulfillment) → active once its instance
// runs → closed when a one-time request's instance ends, or open again (a new instance) when a
// persistent one's does; cancelled by the user, or closed at ValidUntil.
import { randomBytes } from 'node:crypto';
import type { Ec2Provider, RequestSpotLaunchSpecification, RunInstancesRequest } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, out, tagsFor } from './store.js';
import type { Instances } from './instances.js';
import { withTemplate } from './launch-templates.js';
import { matcher, page, type Fields } from './filters.js';
import { ec2Error, invalidCombination, invalidParam, malformed, notFound } from './errors.js';
import { onDemandPrice, spotPrice } from './catalogue.js';
import { zonesOf } from './regions.js';

const STATUS: Record<string, string> = {
  'pending-evaluation': 'Your Spot request has been submitted for review, and is pending evaluation.',
  'pending-fulfillment': 'Your Spot request is pending fulfillment.',
  fulfilled: 'Your spot request is fulfilled.',
  'canceled-before-fulfillment': 'Your Spot request was canceled before it was fulfilled.',
  'request-canceled-and-instance-running': 'Your Spot request is canceled, but your Spot Instance is still running.',
  'instance-terminated-by-user': 'Spot Instance terminated due to user-initiated termination.',
  'schedule-expired': 'Your Spot request has expired because it was not fulfilled before the specified end date.',
};

const tooLow = (max: number, min: number) =>
  `Your Spot request price of ${max} is lower than the minimum required Spot request fulfillment price of ${min}.`;

const fields: Fields<Rec> = {
  'spot-instance-request-id': (r) => r.SpotInstanceRequestId,
  state: (r) => r.State,
  'status-code': (r) => r.Status.Code,
  'status-message': (r) => r.Status.Message,
  type: (r) => r.Type,
  'spot-price': (r) => r.SpotPrice,
  'instance-id': (r) => r.InstanceId,
  'launched-availability-zone': (r) => r.LaunchedAvailabilityZone,
  'launch.instance-type': (r) => r.LaunchSpecification.InstanceType,
  'launch.image-id': (r) => r.LaunchSpecification.ImageId,
  'launch.key-name': (r) => r.LaunchSpecification.KeyName,
  'product-description': (r) => r.ProductDescription,
  'create-time': (r) => r.CreateTime,
  'valid-from': (r) => r.ValidFrom,
  'valid-until': (r) => r.ValidUntil,
  'instance-interruption-behavior': (r) => r.InstanceInterruptionBehavior,
};

const ENDED = ['shutting-down', 'terminated'];

export function spotHandlers(s: Ec2State, inst: Instances, base: Ec2Provider): Ec2Provider {
  const runInstances = base.RunInstances!;

  /** The zone a launch lands in (its subnet's, its placement's, else the region's first) and its index for pricing. */
  function zoneOf(
    ctx: RequestContext,
    spec: { SubnetId?: string; Placement?: { AvailabilityZone?: string }; NetworkInterfaces?: { SubnetId?: string }[] },
  ) {
    const zones = zonesOf(ctx.region);
    const subnetId = spec.SubnetId ?? spec.NetworkInterfaces?.[0]?.SubnetId;
    const name =
      (subnetId ? s.find(ctx, 'subnet', subnetId)?.AvailabilityZone : undefined) ?? spec.Placement?.AvailabilityZone ?? zones[0].name;
    return {
      name,
      index: Math.max(
        0,
        zones.findIndex((z) => z.name === name),
      ),
    };
  }

  function maxPrice(raw: string | undefined, type: string, region: string): number {
    if (raw === undefined) return onDemandPrice(type, region) ?? 0;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw invalidParam(`Invalid value '${raw}' for spotPrice. The value must be a positive number.`);
    return n;
  }

  function status(rec: Rec, code: string, nowMs: number, message = STATUS[code]) {
    rec.Status = { Code: code, Message: message, UpdateTime: new Date(nowMs).toISOString() };
  }

  /** Launches the request's instance when its price is met; true when it did. */
  function tryLaunch(ctx: RequestContext, rec: Rec, nowMs: number): boolean {
    const spec: RequestSpotLaunchSpecification = rec._spec;
    const type = spec.InstanceType ?? 'm1.small';
    const zone = zoneOf(ctx, spec);
    const current = spotPrice(type, ctx.region, zone.index, nowMs) ?? 0;
    const max = Number(rec.SpotPrice);
    if (max < current) {
      status(rec, 'price-too-low', nowMs, tooLow(max, current));
      return false;
    }
    const r = runInstances(
      {
        ...spec,
        Placement: spec.Placement?.AvailabilityZone ? { AvailabilityZone: spec.Placement.AvailabilityZone } : undefined,
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: { MarketType: 'spot' },
      } as RunInstancesRequest,
      ctx,
    ) as { Instances: Rec[] };
    const id = r.Instances[0].InstanceId;
    const launched = s.find(ctx, 'instance', id)!;
    launched.SpotInstanceRequestId = rec.SpotInstanceRequestId;
    inst.save(ctx, launched);
    rec.InstanceId = id;
    rec.LaunchedAvailabilityZone = launched.Placement.AvailabilityZone;
    rec.LaunchedAvailabilityZoneId = launched.Placement.AvailabilityZoneId;
    status(rec, 'pending-fulfillment', nowMs);
    return true;
  }

  /** Brings a request up to the clock; saves it when it changed. */
  function settle(ctx: RequestContext, rec: Rec): Rec {
    const nowMs = ctx.clock.nowMs();
    const before = JSON.stringify(rec);
    const instance = rec.InstanceId && s.find(ctx, 'instance', rec.InstanceId) ? inst.get(ctx, rec.InstanceId) : undefined;
    if (rec.State === 'active' && (!instance || ENDED.includes(instance.State.Name))) {
      status(rec, 'instance-terminated-by-user', nowMs);
      if (rec.Type === 'persistent') {
        rec.State = 'open';
        rec.InstanceId = undefined;
      } else rec.State = 'closed';
    }
    if (rec.State === 'open') {
      if (rec.ValidUntil && nowMs > Date.parse(rec.ValidUntil) && !rec.InstanceId) {
        rec.State = 'closed';
        status(rec, 'schedule-expired', nowMs);
      } else if (rec.ValidFrom && nowMs < Date.parse(rec.ValidFrom)) {
        // not evaluated before ValidFrom
      } else if (!rec.InstanceId) {
        tryLaunch(ctx, rec, nowMs);
      }
      const current = rec.InstanceId ? s.find(ctx, 'instance', rec.InstanceId) : undefined;
      if (current && current.State.Name === 'running') {
        rec.State = 'active';
        status(rec, 'fulfilled', nowMs);
      }
    }
    if (JSON.stringify(rec) !== before) s.put(ctx, 'sir', rec.SpotInstanceRequestId, rec);
    return rec;
  }

  function newRequest(ctx: RequestContext, spec: RequestSpotLaunchSpecification, opts: Rec): Rec {
    const id = `sir-${randomBytes(4).toString('hex')}`;
    const groups = (spec.SecurityGroupIds ?? [])
      .map((g) => ({ GroupId: g }))
      .concat((spec.SecurityGroups ?? []).map((g) => ({ GroupName: g }) as never));
    const rec: Rec = {
      SpotInstanceRequestId: id,
      SpotPrice: opts.price,
      Type: opts.type ?? 'one-time',
      State: 'open',
      CreateTime: s.now(ctx),
      ProductDescription: 'Linux/UNIX',
      InstanceInterruptionBehavior: opts.interruption ?? 'terminate',
      Tags: opts.tags ?? [],
      LaunchSpecification: {
        ImageId: spec.ImageId,
        InstanceType: spec.InstanceType,
        KeyName: spec.KeyName,
        SubnetId: spec.SubnetId,
        SecurityGroups: groups,
        Placement: spec.Placement,
        Monitoring: { Enabled: !!spec.Monitoring?.Enabled },
        BlockDeviceMappings: spec.BlockDeviceMappings,
        IamInstanceProfile: spec.IamInstanceProfile,
      },
      ...(opts.validFrom ? { ValidFrom: new Date(opts.validFrom).toISOString() } : {}),
      ...(opts.validUntil ? { ValidUntil: new Date(opts.validUntil).toISOString() } : {}),
      _spec: spec,
    };
    status(rec, 'pending-evaluation', ctx.clock.nowMs());
    return rec;
  }

  function find(ctx: RequestContext, id: string): Rec {
    if (!/^sir-[0-9a-z]{8,17}$/.test(id)) throw malformed('sir', id);
    const rec = s.find(ctx, 'sir', id);
    if (!rec) throw notFound('sir', id);
    return rec;
  }

  return {
    RequestSpotInstances: (input, ctx) => {
      const spec = input.LaunchSpecification ?? {};
      if (!spec.ImageId) throw ec2Error('MissingParameter', 'The request must contain the parameter ImageId');
      const type = spec.InstanceType ?? 'm1.small';
      const count = input.InstanceCount ?? 1;
      if (count < 1) throw invalidParam(`Value (${count}) for parameter instanceCount is invalid. Expected a positive integer.`);
      if (input.BlockDurationMinutes !== undefined)
        throw ec2Error(
          'InvalidParameterCombination',
          'Spot Instances with a defined duration (also known as Spot blocks) are no longer available.',
        );
      if (input.Type === 'one-time' && input.InstanceInterruptionBehavior && input.InstanceInterruptionBehavior !== 'terminate') {
        throw invalidCombination(
          `The instance interruption behavior '${input.InstanceInterruptionBehavior}' is supported only for persistent Spot Instance requests.`,
        );
      }
      const price = maxPrice(input.SpotPrice, type, ctx.region);
      const tags = tagsFor(input.TagSpecifications, 'spot-instances-request');
      const created: Rec[] = [];
      for (let i = 0; i < count; i++) {
        const rec = newRequest(
          ctx,
          { ...spec, InstanceType: type as never },
          {
            price: String(input.SpotPrice ?? price),
            type: input.Type,
            interruption: input.InstanceInterruptionBehavior,
            tags,
            validFrom: input.ValidFrom,
            validUntil: input.ValidUntil,
          },
        );
        s.put(ctx, 'sir', rec.SpotInstanceRequestId, rec);
        created.push(rec);
      }
      // answered as submitted; the evaluation (and the launch) shows on the next read
      const answer = out<Rec[]>(created.map((r) => ({ ...r })));
      for (const rec of created) settle(ctx, rec);
      return { SpotInstanceRequests: answer };
    },

    DescribeSpotInstanceRequests: (input, ctx) => {
      const ids = input.SpotInstanceRequestIds ?? [];
      const recs = ids.length ? ids.map((id) => find(ctx, id)) : s.all(ctx, 'sir');
      const m = matcher(input.Filters, fields);
      const p = page(recs.map((r) => settle(ctx, r)).filter(m), input.MaxResults, input.NextToken, { min: 5, max: 1000 });
      return { SpotInstanceRequests: out<Rec[]>(p.items), NextToken: p.NextToken };
    },

    CancelSpotInstanceRequests: (input, ctx) => {
      const recs = (input.SpotInstanceRequestIds ?? []).map((id) => settle(ctx, find(ctx, id)));
      const nowMs = ctx.clock.nowMs();
      for (const rec of recs) {
        if (rec.State === 'open' || rec.State === 'active') {
          const running = rec.InstanceId && !ENDED.includes(s.find(ctx, 'instance', rec.InstanceId)?.State.Name ?? 'terminated');
          status(rec, running ? 'request-canceled-and-instance-running' : 'canceled-before-fulfillment', nowMs);
          rec.State = 'cancelled';
          s.put(ctx, 'sir', rec.SpotInstanceRequestId, rec);
        }
      }
      return { CancelledSpotInstanceRequests: recs.map((r) => ({ SpotInstanceRequestId: r.SpotInstanceRequestId, State: r.State })) };
    },

    // RunInstances with InstanceMarketOptions spot: the price is checked first, and each instance gets
    // the (fulfilled) one-time or persistent request AWS creates for it
    RunInstances: (request, ctx) => {
      const { input } = withTemplate(s, ctx, request);
      const market = input.InstanceMarketOptions;
      if (market?.MarketType !== 'spot') return runInstances(request, ctx);
      const opts = market.SpotOptions ?? {};
      const type = input.InstanceType ?? 't2.micro';
      if (opts.SpotInstanceType === 'persistent' && (opts.InstanceInterruptionBehavior ?? 'terminate') === 'terminate') {
        throw invalidCombination(
          'Persistent Spot Instance requests are supported only when the instance interruption behavior is either hibernate or stop.',
        );
      }
      const max = maxPrice(opts.MaxPrice, type, ctx.region);
      const current = spotPrice(type, ctx.region, zoneOf(ctx, input).index, ctx.clock.nowMs());
      if (current !== undefined && max < current) throw ec2Error('SpotMaxPriceTooLow', tooLow(max, current));
      const r = runInstances(request, ctx) as { Instances: Rec[] };
      for (const shown of r.Instances) {
        const launched = s.find(ctx, 'instance', shown.InstanceId)!;
        const spec = {
          ImageId: launched.ImageId,
          InstanceType: launched.InstanceType,
          SubnetId: launched.SubnetId,
          KeyName: launched.KeyName,
        } as RequestSpotLaunchSpecification;
        const rec = newRequest(ctx, spec, {
          price: opts.MaxPrice ?? String(max),
          type: opts.SpotInstanceType,
          interruption: opts.InstanceInterruptionBehavior,
          validUntil: opts.ValidUntil,
        });
        Object.assign(rec, {
          State: 'active',
          InstanceId: launched.InstanceId,
          LaunchedAvailabilityZone: launched.Placement.AvailabilityZone,
        });
        status(rec, 'fulfilled', ctx.clock.nowMs());
        s.put(ctx, 'sir', rec.SpotInstanceRequestId, rec);
        launched.SpotInstanceRequestId = rec.SpotInstanceRequestId;
        inst.save(ctx, launched);
        shown.SpotInstanceRequestId = rec.SpotInstanceRequestId;
      }
      return r as never;
    },
  };
}
