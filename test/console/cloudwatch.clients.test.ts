// The console's CloudWatch page in Chromium: alarms and a metric's chart when CloudWatch is served;
// before it is, the page shows the AWS error of an unserved service, never a blank page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
let served = false;
before(async () => {
  rig = await startRig();
  const health = (await (await fetch(`${rig.url}/_nimbus/health`)).json()) as { services: Record<string, unknown> };
  served = 'cloudwatch' in health.services;
});
after(() => rig?.stop());

test('CloudWatch: alarms with their state, a data point put from the page, its chart by statistic', async () => {
  const { page } = rig;
  if (!served) {
    await page.goto(`${rig.url}/_nimbus/console/#/cloudwatch`);
    const error = page.getByTestId('error').first();
    await error.waitFor();
    assert.match(await error.innerText(), /\S+/);
    return;
  }
  const { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } = await import('@aws-sdk/client-cloudwatch');
  const { clientConfig } = await import('../helpers.js');
  const cw = new CloudWatchClient(clientConfig(rig.url));
  await cw.send(new PutMetricDataCommand({ Namespace: 'Shop', MetricData: [{ MetricName: 'Orders', Value: 5 }, { MetricName: 'Orders', Value: 7 }] }));
  await cw.send(
    new PutMetricAlarmCommand({ AlarmName: 'many-orders', Namespace: 'Shop', MetricName: 'Orders', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold' }),
  );
  await page.goto(`${rig.url}/_nimbus/console/#/cloudwatch`);
  await page.getByRole('table', { name: 'Alarms' }).getByText('many-orders').waitFor();
  await page.getByLabel('Namespace').fill('Shop');
  await page.getByLabel('Value', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Put data point' }).click();
  await page.getByRole('link', { name: 'Shop Orders' }).click();
  await page.getByRole('img', { name: /Average over time/ }).waitFor();
  await page.getByLabel('Statistic').selectOption('Sum');
  // the three points may straddle a minute: their per-minute sums add up to 15 either way
  await page.getByRole('img', { name: /Sum over time.*add up to 15$/ }).waitFor();
  await shot(page, 'cloudwatch');
  cw.destroy();
});
