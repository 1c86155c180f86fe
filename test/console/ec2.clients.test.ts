// The EC2/VPC console page in Chromium: a VPC and subnet, a security group and an inbound rule, a key
// pair whose private key downloads, an instance launched into the subnet with the key, its state moved
// by the virtual clock, stop/start/terminate, and the on-demand price per hour.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startRig();
});
after(() => rig?.stop());

const advance = (by: string) =>
  fetch(`${rig.url}/_nimbus/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: by }),
  });

test('VPC: create a VPC and a subnet in it; a conflicting subnet shows EC2’s error', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/vpc`);
  const vpcs = page.getByRole('table', { name: 'VPCs' });
  await vpcs.getByText('172.31.0.0/16').waitFor();
  await page.getByLabel('VPC CIDR').fill('10.20.0.0/16');
  await page.getByLabel('VPC name').fill('console-vpc');
  await page.getByRole('button', { name: 'Create VPC' }).click();
  await vpcs.getByText('console-vpc').waitFor();
  const vpcId = (await vpcs.getByRole('row').filter({ hasText: 'console-vpc' }).locator('code').innerText()).trim();
  await page.getByLabel('Subnet VPC').selectOption(vpcId);
  await page.getByLabel('Subnet CIDR').fill('10.20.1.0/24');
  await page.getByRole('button', { name: 'Create subnet' }).click();
  await page.getByRole('table', { name: 'Subnets' }).getByText('10.20.1.0/24').waitFor();
  await page.getByRole('button', { name: 'Create subnet' }).click();
  await page.getByTestId('error').getByText('InvalidSubnet.Conflict').waitFor();
  await shot(page, 'vpc');
});

test('security group with an inbound rule; key pair whose private key downloads', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/ec2`);
  await page.getByRole('tab', { name: 'Instances' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Security groups' }).getAttribute('aria-selected'), 'true');
  await page.getByLabel('Group name').fill('web');
  await page.getByLabel('Group description').fill('web servers');
  await page.getByRole('button', { name: 'Create security group' }).click();
  const rules = page.getByRole('table', { name: 'Security group rules' });
  await rules.getByText('outbound').waitFor();
  await page.getByLabel('Port range').fill('443');
  await page.getByRole('button', { name: 'Add inbound rule' }).click();
  const inbound = rules.getByRole('row').filter({ hasText: 'inbound' });
  await inbound.getByText('443').waitFor();
  assert.match(await inbound.innerText(), /tcp.*443.*0\.0\.0\.0\/0/s);

  await page.getByRole('tab', { name: 'Key pairs' }).click();
  await page.getByLabel('Key pair name').fill('console-key');
  await page.getByRole('button', { name: 'Create key pair' }).click();
  await page.getByRole('table', { name: 'Key pairs' }).getByText('console-key').waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download console-key.pem' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'console-key.pem');
  const pem = readFileSync((await download.path())!, 'utf8');
  assert.match(pem, /^-----BEGIN (RSA )?PRIVATE KEY-----/);
});

test('launch an instance with a type, subnet and key; the clock moves its state; stop, start, terminate; its price', async () => {
  const { page } = rig;
  const prices = (await (await fetch(`${rig.url}/_nimbus/ec2/prices?region=us-east-1`)).json()) as {
    instanceType: string;
    onDemandPerHour: number;
  }[];
  const small = prices.find((p) => p.instanceType === 't3.small')!;
  assert.ok(small.onDemandPerHour > 0);
  await page.goto(`${rig.url}/_nimbus/console/#/`);
  await page.goto(`${rig.url}/_nimbus/console/#/ec2`);
  await page.getByLabel('Instance name').fill('console-box');
  const image = page.getByLabel('Image');
  await image.locator('option', { hasText: 'al2023' }).first().waitFor({ state: 'attached' });
  const al2023 = await image
    .locator('option', { hasText: /al2023.*x86_64/ })
    .first()
    .getAttribute('value');
  await image.selectOption(al2023!);
  await page.getByLabel('Instance type').selectOption('t3.small');
  await page
    .getByTestId('launch-price')
    .getByText(`$${small.onDemandPerHour.toFixed(4)}/hour`)
    .waitFor();
  const subnet = page.getByLabel('Subnet', { exact: true });
  await subnet.locator('option', { hasText: '10.20.1.0/24' }).waitFor({ state: 'attached' });
  await subnet.selectOption({ label: (await subnet.locator('option', { hasText: '10.20.1.0/24' }).innerText()).trim() });
  await page.getByLabel('Key pair', { exact: true }).locator('option', { hasText: 'console-key' }).waitFor({ state: 'attached' });
  await page.getByLabel('Key pair', { exact: true }).selectOption('console-key');
  await page.getByRole('button', { name: 'Launch' }).click();
  const row = page.getByRole('table', { name: 'Instances' }).getByRole('row').filter({ hasText: 'console-box' });
  const state = row.getByTestId('instance-state');
  await state.getByText('pending').waitFor();
  assert.match(await row.innerText(), /t3\.small.*10\.20\.1\.\d+.*console-key/s);
  await page.getByRole('button', { name: 'Advance clock 30 s' }).click();
  await state.getByText('running').waitFor();
  await page
    .getByTestId('running-cost')
    .getByText(`$${small.onDemandPerHour.toFixed(4)}/hour`)
    .waitFor();
  await row.getByRole('button', { name: 'Stop' }).click();
  await state.getByText('stopping').waitFor();
  await advance('1m');
  await page.getByRole('button', { name: 'Refresh' }).last().click();
  await state.getByText('stopped').waitFor();
  await row.getByRole('button', { name: 'Start' }).click();
  await state.getByText('pending').waitFor();
  await row.getByRole('button', { name: 'Terminate' }).click();
  await state.getByText('shutting-down').waitFor();
  await page.getByRole('button', { name: 'Advance clock 30 s' }).click();
  await state.getByText('terminated').waitFor();
  await shot(page, 'ec2-instances');
});
