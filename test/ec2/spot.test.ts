// Spot instance requests (one-time, persistent, cancelled, price too low) and RunInstances with spot
// market options on the virtual clock; Reserved Instance offerings, purchases and their states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig, advanceClock, rejects } from '../helpers.js';

let ec2: E.EC2Client;
const nimbus = serverForFile(() => {
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

const AMI = async () =>
  (
    await ec2.send(
      new E.DescribeImagesCommand({
        Owners: ['amazon'],
        Filters: [
          { Name: 'architecture', Values: ['x86_64'] },
          { Name: 'platform-details', Values: ['Linux/UNIX'] },
        ],
      }),
    )
  ).Images![0].ImageId!;
const describe = async (id: string) =>
  (await ec2.send(new E.DescribeSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }))).SpotInstanceRequests![0];
const instance = async (id: string) =>
  (await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0].Instances![0];

test('a one-time request: open → active with a spot instance, closed when the instance is terminated', async () => {
  const r = await ec2.send(
    new E.RequestSpotInstancesCommand({
      InstanceCount: 1,
      Type: 'one-time',
      LaunchSpecification: { ImageId: await AMI(), InstanceType: 't3.micro' },
      TagSpecifications: [{ ResourceType: 'spot-instances-request', Tags: [{ Key: 'team', Value: 'a' }] }],
    }),
  );
  const req = r.SpotInstanceRequests![0];
  assert.match(req.SpotInstanceRequestId!, /^sir-[0-9a-f]{8}$/);
  assert.deepEqual([req.State, req.Status!.Code], ['open', 'pending-evaluation']);
  assert.equal(req.SpotPrice, '0.0104'); // no SpotPrice: the on-demand price is the maximum
  let now = await describe(req.SpotInstanceRequestId!);
  assert.deepEqual([now.State, now.Status!.Code], ['open', 'pending-fulfillment']);
  assert.match(now.InstanceId!, /^i-/);
  const i = await instance(now.InstanceId!);
  assert.deepEqual([i.InstanceLifecycle, i.SpotInstanceRequestId], ['spot', req.SpotInstanceRequestId]);
  await advanceClock(nimbus.url, '30s');
  now = await describe(req.SpotInstanceRequestId!);
  assert.deepEqual([now.State, now.Status!.Code, now.Status!.Message], ['active', 'fulfilled', 'Your spot request is fulfilled.']);
  assert.deepEqual(now.Tags, [{ Key: 'team', Value: 'a' }]);
  const filtered = await ec2.send(
    new E.DescribeSpotInstanceRequestsCommand({
      Filters: [
        { Name: 'state', Values: ['active'] },
        { Name: 'tag:team', Values: ['a'] },
      ],
    }),
  );
  assert.deepEqual(
    filtered.SpotInstanceRequests!.map((x) => x.SpotInstanceRequestId),
    [req.SpotInstanceRequestId],
  );
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [now.InstanceId!] }));
  now = await describe(req.SpotInstanceRequestId!);
  assert.deepEqual([now.State, now.Status!.Code], ['closed', 'instance-terminated-by-user']);
});

test('a persistent request launches again when its instance is terminated; cancelling leaves the instance running', async () => {
  const r = await ec2.send(
    new E.RequestSpotInstancesCommand({
      Type: 'persistent',
      InstanceInterruptionBehavior: 'stop',
      SpotPrice: '1.00',
      LaunchSpecification: { ImageId: await AMI(), InstanceType: 'm5.large' },
    }),
  );
  const id = r.SpotInstanceRequests![0].SpotInstanceRequestId!;
  await advanceClock(nimbus.url, '30s');
  const first = (await describe(id)).InstanceId!;
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [first] }));
  const again = await describe(id);
  assert.equal(again.State, 'open');
  assert.ok(again.InstanceId && again.InstanceId !== first);
  await advanceClock(nimbus.url, '30s');
  assert.equal((await describe(id)).State, 'active');
  const c = await ec2.send(new E.CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }));
  assert.deepEqual(c.CancelledSpotInstanceRequests, [{ SpotInstanceRequestId: id, State: 'cancelled' }]);
  const after = await describe(id);
  assert.deepEqual([after.State, after.Status!.Code], ['cancelled', 'request-canceled-and-instance-running']);
  assert.equal((await instance(after.InstanceId!)).State!.Name, 'running');
});

test('a max price below the spot price stays open (price-too-low) and is cancelled before fulfilment', async () => {
  const r = await ec2.send(
    new E.RequestSpotInstancesCommand({ SpotPrice: '0.0001', LaunchSpecification: { ImageId: await AMI(), InstanceType: 'c5.large' } }),
  );
  const id = r.SpotInstanceRequests![0].SpotInstanceRequestId!;
  const now = await describe(id);
  assert.deepEqual([now.State, now.Status!.Code, now.InstanceId], ['open', 'price-too-low', undefined]);
  assert.match(
    now.Status!.Message!,
    /^Your Spot request price of 0\.0001 is lower than the minimum required Spot request fulfillment price of 0\.\d+\.$/,
  );
  await ec2.send(new E.CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: [id] }));
  assert.equal((await describe(id)).Status!.Code, 'canceled-before-fulfillment');
  await rejects(describe('sir-0000aaaa'), 'InvalidSpotInstanceRequestID.NotFound', 400);
  await rejects(describe('bogus'), 'InvalidSpotInstanceRequestID.Malformed', 400);
  await rejects(
    ec2.send(new E.RequestSpotInstancesCommand({ SpotPrice: 'cheap', LaunchSpecification: { ImageId: await AMI() } })),
    'InvalidParameterValue',
    400,
  );
});

test('RunInstances with InstanceMarketOptions spot: a fulfilled request per instance; SpotMaxPriceTooLow', async () => {
  const r = await ec2.send(
    new E.RunInstancesCommand({
      ImageId: await AMI(),
      InstanceType: 't3.small',
      MinCount: 2,
      MaxCount: 2,
      InstanceMarketOptions: { MarketType: 'spot' },
    }),
  );
  for (const i of r.Instances!) {
    assert.equal(i.InstanceLifecycle, 'spot');
    assert.match(i.SpotInstanceRequestId!, /^sir-/);
    const req = await describe(i.SpotInstanceRequestId!);
    assert.deepEqual([req.State, req.InstanceId, req.Type], ['active', i.InstanceId, 'one-time']);
  }
  const spots = await ec2.send(new E.DescribeInstancesCommand({ Filters: [{ Name: 'instance-lifecycle', Values: ['spot'] }] }));
  assert.ok(spots.Reservations!.flatMap((x) => x.Instances!).length >= 2);
  await rejects(
    ec2.send(
      new E.RunInstancesCommand({
        ImageId: await AMI(),
        InstanceType: 't3.small',
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { MaxPrice: '0.0001' } },
      }),
    ),
    'SpotMaxPriceTooLow',
    400,
    (e) =>
      assert.match(
        String(e.message),
        /^Your Spot request price of 0\.0001 is lower than the minimum required Spot request fulfillment price of /,
      ),
  );
  await rejects(
    ec2.send(
      new E.RunInstancesCommand({
        ImageId: await AMI(),
        MinCount: 1,
        MaxCount: 1,
        InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'persistent' } },
      }),
    ),
    'InvalidParameterCombination',
    400,
  );
});

test('Reserved Instances: offerings from the bundled prices, a purchase recorded, payment-pending → active → retired', async () => {
  const o = await ec2.send(
    new E.DescribeReservedInstancesOfferingsCommand({
      InstanceType: 'm5.large',
      ProductDescription: 'Linux/UNIX',
      OfferingClass: 'standard',
      OfferingType: 'All Upfront',
      MaxDuration: 31_536_000,
    }),
  );
  assert.equal(o.ReservedInstancesOfferings!.length, 1);
  const offer = o.ReservedInstancesOfferings![0];
  assert.equal(offer.Scope, 'Region');
  assert.ok(offer.FixedPrice! > 400 && offer.FixedPrice! < 0.096 * 8760, `an upfront price below a year on demand: ${offer.FixedPrice}`);
  const all = await ec2.send(
    new E.DescribeReservedInstancesOfferingsCommand({ InstanceType: 'm5.large', Filters: [{ Name: 'duration', Values: ['94608000'] }] }),
  );
  assert.equal(all.ReservedInstancesOfferings!.length, 12); // 2 classes × 3 payment options × 2 products
  const zoned = await ec2.send(
    new E.DescribeReservedInstancesOfferingsCommand({ InstanceType: 't3.micro', AvailabilityZone: 'us-east-1a', MaxResults: 5 }),
  );
  assert.equal(zoned.ReservedInstancesOfferings![0].AvailabilityZone, 'us-east-1a');
  assert.ok(zoned.NextToken);

  await rejects(
    ec2.send(
      new E.PurchaseReservedInstancesOfferingCommand({
        ReservedInstancesOfferingId: offer.ReservedInstancesOfferingId,
        InstanceCount: 2,
        LimitPrice: { Amount: 1, CurrencyCode: 'USD' },
      }),
    ),
    'ReservedInstancesLimitPriceExceeded',
    400,
  );
  await rejects(
    ec2.send(
      new E.PurchaseReservedInstancesOfferingCommand({
        ReservedInstancesOfferingId: '00000000-0000-4000-a000-000000000000',
        InstanceCount: 1,
      }),
    ),
    'InvalidReservedInstancesOfferingId',
    400,
  );
  const { ReservedInstancesId: id } = await ec2.send(
    new E.PurchaseReservedInstancesOfferingCommand({ ReservedInstancesOfferingId: offer.ReservedInstancesOfferingId, InstanceCount: 2 }),
  );
  const ri = async () => (await ec2.send(new E.DescribeReservedInstancesCommand({ ReservedInstancesIds: [id!] }))).ReservedInstances![0];
  let bought = await ri();
  assert.deepEqual(
    [bought.State, bought.InstanceCount, bought.InstanceType, bought.FixedPrice, bought.Duration],
    ['payment-pending', 2, 'm5.large', offer.FixedPrice, 31_536_000],
  );
  assert.equal(bought.End!.getTime() - bought.Start!.getTime(), 31_536_000_000);
  await advanceClock(nimbus.url, '2m');
  assert.equal((await ri()).State, 'active');
  const active = await ec2.send(
    new E.DescribeReservedInstancesCommand({
      Filters: [
        { Name: 'state', Values: ['active'] },
        { Name: 'instance-type', Values: ['m5.large'] },
      ],
    }),
  );
  assert.deepEqual(
    active.ReservedInstances!.map((x) => x.ReservedInstancesId),
    [id],
  );
  await ec2.send(new E.CreateTagsCommand({ Resources: [id!], Tags: [{ Key: 'budget', Value: 'ops' }] }));
  assert.deepEqual((await ri()).Tags, [{ Key: 'budget', Value: 'ops' }]);
  await advanceClock(nimbus.url, '366d');
  bought = await ri();
  assert.equal(bought.State, 'retired');
});
