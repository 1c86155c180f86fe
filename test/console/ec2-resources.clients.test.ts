// The EC2 page's launch templates, Elastic IPs, NAT gateways and EBS volumes in Chromium: each
// created, attached or associated by clicks, and checked against what EC2 reports to an SDK v3 client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  EC2Client,
  RunInstancesCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeAddressesCommand,
  AllocateAddressCommand,
  DescribeNatGatewaysCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import { clientConfig } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
let ec2: EC2Client;
let instanceId: string;
let zone: string;
before(async () => {
  rig = await startRig();
  ec2 = new EC2Client(clientConfig(rig.url));
  const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images ?? [];
  const run = await ec2.send(
    new RunInstancesCommand({
      ImageId: images.find((i) => i.Architecture === 'x86_64')!.ImageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'target-box' }] }],
    }),
  );
  instanceId = run.Instances![0].InstanceId!;
  zone = run.Instances![0].Placement!.AvailabilityZone!;
  await advance('1m');
});
after(() => rig?.stop());

function advance(by: string) {
  return fetch(`${rig.url}/_nimbus/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: by }),
  });
}

const openTab = async (name: string) => {
  await rig.page.goto(`${rig.url}/_nimbus/console/#/ec2`);
  await rig.page.getByRole('tab', { name }).click();
};

test('launch templates: create one from an AMI and an instance type', async () => {
  const { page } = rig;
  await openTab('Launch templates');
  await page.getByText('No launch templates in this region.').waitFor();
  const image = page.getByLabel('Image');
  await image
    .locator('option', { hasText: /al2023.*arm64/ })
    .first()
    .waitFor({ state: 'attached' });
  const arm = await image
    .locator('option', { hasText: /al2023.*arm64/ })
    .first()
    .getAttribute('value');
  await page.getByLabel('Launch template name').fill('web-lt');
  await image.selectOption(arm!);
  await page.getByLabel('Instance type').selectOption('t4g.small');
  await page.getByLabel('Version description').fill('first');
  await page.getByRole('button', { name: 'Create launch template' }).click();
  const row = page.getByRole('table', { name: 'Launch templates' }).getByRole('row').filter({ hasText: 'web-lt' });
  await row.waitFor();
  const version = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web-lt' }))).LaunchTemplateVersions![0];
  assert.equal(version.LaunchTemplateData?.ImageId, arm);
  assert.equal(version.LaunchTemplateData?.InstanceType, 't4g.small');
  assert.equal(version.VersionDescription, 'first');
  await row.getByText(version.LaunchTemplateId!).waitFor();
});

test('Elastic IPs: allocate, associate with an instance, disassociate, release', async () => {
  const { page } = rig;
  await openTab('Elastic IPs');
  await page.getByText('No Elastic IP addresses in this region.').waitFor();
  await page.getByLabel('Address name').fill('web-ip');
  await page.getByRole('button', { name: 'Allocate address' }).click();
  const table = page.getByRole('table', { name: 'Elastic IP addresses' });
  await table.getByText('web-ip').waitFor();
  const [allocated] = (await ec2.send(new DescribeAddressesCommand({}))).Addresses!;
  assert.equal(allocated.Domain, 'vpc');
  const row = table.locator(`tr[data-address="${allocated.PublicIp}"]`);

  await page.getByLabel('Instance to associate').selectOption(instanceId);
  await page.getByRole('button', { name: 'Associate', exact: true }).click();
  await row.getByText(instanceId).waitFor();
  const [associated] = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocated.AllocationId!] }))).Addresses!;
  assert.equal(associated.InstanceId, instanceId);
  assert.match(associated.AssociationId ?? '', /^eipassoc-/);
  await shot(page, 'ec2-elastic-ips');

  await page.getByRole('button', { name: `Disassociate ${allocated.PublicIp}` }).click();
  await row.getByRole('button', { name: `Disassociate ${allocated.PublicIp}` }).waitFor({ state: 'detached' });
  assert.equal(
    (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocated.AllocationId!] }))).Addresses![0].InstanceId,
    undefined,
  );
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: `Release ${allocated.PublicIp}` }).click();
  await page.getByText('No Elastic IP addresses in this region.').waitFor();
  assert.equal((await ec2.send(new DescribeAddressesCommand({}))).Addresses?.length ?? 0, 0);
});

test('NAT gateways: one created with an Elastic IP becomes available as the clock moves', async () => {
  const { page } = rig;
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  await openTab('NAT gateways');
  await page.getByText('No NAT gateways in this region.').waitFor();
  await page.getByLabel('NAT gateway address').locator(`option[value="${eip.AllocationId}"]`).waitFor({ state: 'attached' });
  await page.getByLabel('NAT gateway name').fill('web-nat');
  await page.getByRole('button', { name: 'Create NAT gateway' }).click();
  const state = page.getByRole('table', { name: 'NAT gateways' }).getByRole('row').filter({ hasText: 'web-nat' }).getByTestId('nat-state');
  await state.getByText('pending').waitFor();
  await page.getByRole('button', { name: 'Advance clock 5 min' }).click();
  await state.getByText('available').waitFor();
  const [nat] = (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways!;
  assert.equal(nat.State, 'available');
  assert.equal(nat.NatGatewayAddresses?.[0]?.AllocationId, eip.AllocationId);
  await page.getByRole('table', { name: 'NAT gateways' }).getByText(eip.PublicIp!).waitFor();
});

test('EBS volumes: create in the instance’s zone, attach, detach, delete', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/ebs`);
  await page.getByRole('heading', { name: 'Amazon EBS' }).waitFor();
  // the instance's root volume is listed already
  const table = page.getByRole('table', { name: 'Volumes' });
  await table.getByText(`${instanceId} /dev/xvda`).waitFor();
  await page.getByLabel('Volume name').fill('data');
  await page.getByLabel('Volume zone').selectOption(zone);
  await page.getByLabel('Volume size').fill('20');
  await page.getByLabel('Volume type').selectOption('io2');
  await page.getByRole('button', { name: 'Create volume' }).click();
  // io2 needs IOPS: the page shows EC2's own error
  await page.getByTestId('error').getByText(/Iops/i).waitFor();
  await page.getByLabel('Volume type').selectOption('gp3');
  await page.getByRole('button', { name: 'Create volume' }).click();
  await table.getByText('data', { exact: true }).waitFor();
  const named = { Filters: [{ Name: 'tag:Name', Values: ['data'] }] };
  const [volume] = (await ec2.send(new DescribeVolumesCommand(named))).Volumes!;
  assert.deepEqual([volume.Size, volume.VolumeType, volume.AvailabilityZone, volume.Iops], [20, 'gp3', zone, 3000]);
  const row = table.locator(`tr[data-volume="${volume.VolumeId}"]`);
  await row.getByTestId('volume-state').getByText('available').waitFor();

  await page.getByLabel('Instance to attach to').selectOption(instanceId);
  await page.getByLabel('Device name').fill('/dev/sdh');
  await page.getByRole('button', { name: 'Attach', exact: true }).click();
  await row.getByTestId('volume-state').getByText('in-use').waitFor();
  await row.getByText(`${instanceId} /dev/sdh`).waitFor();
  const attached = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volume.VolumeId!] }))).Volumes![0];
  assert.deepEqual(
    attached.Attachments?.map((a) => [a.InstanceId, a.Device]),
    [[instanceId, '/dev/sdh']],
  );
  await shot(page, 'ec2-volumes');

  await page.getByRole('button', { name: `Detach ${volume.VolumeId}` }).click();
  await page.getByRole('button', { name: 'Advance clock 1 min' }).click();
  await row.getByTestId('volume-state').getByText('available').waitFor();
  assert.equal((await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volume.VolumeId!] }))).Volumes![0].State, 'available');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: `Delete ${volume.VolumeId}` }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await ec2.send(new DescribeVolumesCommand(named))).Volumes?.length ?? 0, 0);
});
