// The console in Chromium: a CloudWatch alarm created from the page (metric, statistic, threshold, an
// SNS action) going to ALARM on the virtual clock with its history, the dashboards list; Scheduler
// groups and schedules (rate and cron, with a target; a bad expression shows the AWS error); X-Ray
// trace summaries narrowed by a filter expression and the service map drawn as SVG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricDataCommand, PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { SNSClient, CreateTopicCommand } from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { XRayClient, PutTraceSegmentsCommand } from '@aws-sdk/client-xray';
import { advanceClock, clientConfig } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startRig();
});
after(() => rig?.stop());

const virtualNow = async () => ((await (await fetch(`${rig.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;

test('CloudWatch: create an alarm with an SNS action from the page; it fires on the clock; its history; dashboards', async () => {
  const { page } = rig;
  const cw = new CloudWatchClient(clientConfig(rig.url));
  const sns = new SNSClient(clientConfig(rig.url));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'ops-alerts' }));
  await cw.send(
    new PutDashboardCommand({
      DashboardName: 'shop-overview',
      DashboardBody: JSON.stringify({ widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 3, properties: { markdown: 'hi' } }] }),
    }),
  );
  await page.goto(`${rig.url}/_nimbus/console/#/cloudwatch`);
  await page.getByRole('table', { name: 'Dashboards' }).getByText('shop-overview').waitFor();
  await page.getByLabel('Alarm name', { exact: true }).fill('too-many-errors');
  await page.getByLabel('Alarm namespace').fill('Shop');
  await page.getByLabel('Alarm metric').fill('Errors');
  await page.getByLabel('Alarm statistic').selectOption('Sum');
  await page.getByLabel('Condition').selectOption('GreaterThanOrEqualToThreshold');
  await page.getByLabel('Threshold').fill('5');
  await page.getByLabel('SNS topic').locator('option', { hasText: 'ops-alerts' }).waitFor({ state: 'attached' });
  await page.getByLabel('SNS topic').selectOption(TopicArn!);
  await page.getByRole('button', { name: 'Create alarm' }).click();
  const row = page.getByRole('table', { name: 'Alarms' }).getByRole('row').filter({ hasText: 'too-many-errors' });
  await row.getByText('INSUFFICIENT_DATA').waitFor();
  assert.equal(await page.getByLabel('Alarm name', { exact: true }).inputValue(), '', 'the form is ready for the next alarm');
  await page.getByRole('table', { name: 'Alarm history' }).getByText('Alarm "too-many-errors" created').waitFor();

  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [{ MetricName: 'Errors', Value: 7, Timestamp: new Date(await virtualNow()) }],
    }),
  );
  await advanceClock(rig.url, '60s');
  await page.getByRole('region', { name: 'Alarms' }).getByRole('button', { name: 'Refresh' }).click();
  await row.getByText('ALARM', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Refresh history' }).click();
  const history = page.getByRole('table', { name: 'Alarm history' });
  await history.getByText('Alarm updated from INSUFFICIENT_DATA to ALARM').waitFor();
  await history.getByText(`Successfully executed action ${TopicArn}`).waitFor();
  await shot(page, 'cloudwatch-alarm');

  await page.getByLabel('Alarm name', { exact: true }).fill('bad-alarm');
  await page.getByLabel('Period', { exact: true }).fill('7');
  await page.getByRole('button', { name: 'Create alarm' }).click();
  await page
    .getByRole('region', { name: 'Create an alarm' })
    .getByTestId('error')
    .getByText(/ValidationError|InvalidParameter/)
    .waitFor();
  cw.destroy();
  sns.destroy();
});

test('Scheduler: a group, a rate schedule targeting a queue that fires on the clock, a cron schedule, a bad expression', async () => {
  const { page } = rig;
  const sqs = new SQSClient(clientConfig(rig.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ticks' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await page.goto(`${rig.url}/_nimbus/console/#/scheduler`);
  await page.getByRole('list', { name: 'Schedule groups' }).getByText('default').waitFor();
  await page.getByLabel('Group name').fill('jobs');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('heading', { name: 'Schedules in jobs' }).waitFor();
  await page.getByText('No schedules in this group.').waitFor();

  await page.getByLabel('Schedule name').fill('every-5-min');
  await page.getByLabel('Rate').fill('5 minutes');
  await page.getByLabel('Target ARN').fill(Attributes!.QueueArn!);
  await page.getByLabel('Target input').fill('{"job":"tick"}');
  await page.getByRole('button', { name: 'Create schedule' }).click();
  const detail = page.getByTestId('schedule-detail');
  await detail.getByText('rate(5 minutes) (UTC)').waitFor();
  await detail.getByText('ENABLED').waitFor();
  await page.getByRole('table', { name: 'Schedules' }).getByText('every-5-min').waitFor();
  assert.equal(await page.getByLabel('Schedule name').inputValue(), '', 'the form clears the created name');

  await page.getByLabel('Schedule name').fill('noon');
  await page.getByLabel('Schedule kind').selectOption('cron');
  await page.getByLabel('Cron').fill('0 12 * * ? *');
  await page.getByLabel('Time zone').fill('Europe/Paris');
  await page.getByRole('button', { name: 'Create schedule' }).click();
  await detail.getByText('cron(0 12 * * ? *) (Europe/Paris)').waitFor();
  await page.getByRole('button', { name: 'Disable' }).click();
  await detail.getByText('DISABLED').waitFor();

  await advanceClock(rig.url, '6m');
  const { Attributes: after } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  assert.ok(Number(after!.ApproximateNumberOfMessages) >= 1, 'the rate schedule sent to its queue');

  await page.getByLabel('Schedule name').fill('broken');
  await page.getByLabel('Cron').fill('not a cron');
  await page.getByRole('button', { name: 'Create schedule' }).click();
  await page.getByTestId('error').getByText('ValidationException').waitFor();
  await shot(page, 'scheduler');
  sqs.destroy();
});

test('X-Ray: trace summaries with a filter expression, the service map as SVG nodes and edges', async () => {
  const { page } = rig;
  const xray = new XRayClient(clientConfig(rig.url));
  const now = (await virtualNow()) / 1000;
  const hex = (n: number) => Math.floor(n).toString(16).padStart(8, '0');
  const seg = (i: number, name: string, fault: boolean) => {
    const trace = `1-${hex(now)}-${String(i).padStart(24, '0')}`;
    return JSON.stringify({
      id: `a${String(i).padStart(15, '0')}`,
      trace_id: trace,
      name,
      start_time: now - 5 + i,
      end_time: now - 4.5 + i,
      fault,
      http: { request: { method: 'GET', url: `https://${name}.example.com/orders` }, response: { status: fault ? 500 : 200 } },
      subsegments: [
        {
          id: `b${String(i).padStart(15, '0')}`,
          name: 'DynamoDB',
          namespace: 'aws',
          start_time: now - 4.9 + i,
          end_time: now - 4.8 + i,
          aws: { operation: 'GetItem', table_name: 'orders' },
        },
      ],
    });
  };
  await xray.send(
    new PutTraceSegmentsCommand({ TraceSegmentDocuments: [seg(1, 'checkout', false), seg(2, 'checkout', true), seg(3, 'catalog', false)] }),
  );
  await page.goto(`${rig.url}/_nimbus/console/#/xray`);
  const traces = page.getByRole('table', { name: 'Traces' });
  await traces.getByText('https://catalog.example.com/orders').waitFor();
  assert.equal(await traces.getByRole('row').count(), 4);
  const map = page.getByRole('img', { name: /Service map: \d+ nodes, \d+ edges/ });
  await map.waitFor();
  for (const n of ['checkout', 'catalog', 'DynamoDB']) assert.equal(await map.locator(`g[data-node="${n}"]`).count(), 1, n);
  assert.equal(await map.locator('g[data-edge="checkout -> DynamoDB"] line').count(), 1);
  assert.equal(await map.locator('g[data-edge="catalog -> DynamoDB"] line').count(), 1);

  await page.getByLabel('Filter expression').fill('service("checkout") AND fault');
  await page.getByRole('button', { name: 'Apply' }).click();
  await traces.getByText('https://catalog.example.com/orders').waitFor({ state: 'detached' });
  assert.equal(await traces.getByRole('row').count(), 2);
  await traces.getByText('fault').waitFor();
  await shot(page, 'xray');

  await page.getByLabel('Filter expression').fill('service(');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByTestId('error').getByText('InvalidRequestException').waitFor();
  xray.destroy();
});
