// The console in Chromium: IAM (policy validation, simulator), KMS, Lambda (invoke, log tail),
// Logs, EventBridge (pattern tester), CloudTrail and CloudWatch pages against the real APIs (CloudWatch:
// before it is served, the page shows the AWS error of an unserved service, never a blank page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { IAMClient, CreateUserCommand, DeleteUserCommand } from '@aws-sdk/client-iam';
import { clientConfig } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
let served = false;
before(async () => {
  rig = await startRig();
  const health = (await (await fetch(`${rig.url}/_nimbus/health`)).json()) as { services: Record<string, unknown> };
  served = 'cloudwatch' in health.services;
});
after(() => rig?.stop());

test('IAM: the simulator evaluates a policy; a malformed policy shows IAM’s error', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/iam`);
  await page.getByLabel('User name').fill('console-user');
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByText('arn:aws:iam::000000000000:user/console-user').waitFor();
  await page.getByRole('tab', { name: 'Policies and simulator' }).click();
  await page.getByLabel('Resources to simulate').fill('arn:aws:s3:::my-bucket/report.csv');
  await page.getByRole('button', { name: 'Simulate' }).click();
  const results = page.getByRole('table', { name: 'Simulation results' });
  await results.getByRole('row').filter({ hasText: 's3:GetObject' }).getByText('allowed').waitFor();
  await results.getByRole('row').filter({ hasText: 's3:PutObject' }).getByText('implicitDeny').waitFor();
  await shot(page, 'iam-simulator');
  await page
    .getByLabel('Policy document')
    .fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "s3:*", "Resource": "*"}]}');
  await page.getByLabel('Policy name').fill('bad-policy');
  await page.getByRole('button', { name: 'Create policy' }).click();
  await page.getByTestId('error').getByText('MalformedPolicyDocument').waitFor();
  // a simulation of the malformed policy fails: the earlier simulation's results go with it
  await page.getByRole('button', { name: 'Simulate' }).click();
  await results.waitFor({ state: 'detached' });
  await page.getByTestId('error').getByText('MalformedPolicyDocument').waitFor();
});

test('KMS: create a key, encrypt and decrypt with it', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/kms`);
  await page.getByText('No keys in this region yet').waitFor();
  await page.getByLabel('Key description').fill('console key');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.getByText('console key').waitFor();
  await page.getByRole('button', { name: 'Encrypt / decrypt' }).click();
  await page.getByLabel('Plaintext').fill('secret words');
  await page.getByRole('button', { name: 'Encrypt', exact: true }).click();
  await page.waitForFunction(() => (document.querySelector('textarea[aria-label="Ciphertext"]') as HTMLTextAreaElement)?.value.length > 20);
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.getByText('Decrypted: secret words').waitFor();
  // a ciphertext KMS did not make fails to decrypt: its error, and the earlier plaintext goes
  await page.getByLabel('Ciphertext').fill('AAAA');
  await page.getByRole('button', { name: 'Decrypt', exact: true }).click();
  await page.getByTestId('error').getByText('InvalidCiphertextException').waitFor();
  assert.equal(await page.getByText('Decrypted: secret words').count(), 0);
});

test('EventBridge: the pattern tester asks TestEventPattern; CloudTrail lists the calls made', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/events`);
  await page.getByRole('button', { name: 'Test pattern' }).click();
  await page.getByTestId('pattern-result').getByText('The event matches').waitFor();
  await page.getByLabel('Sample event').fill(
    JSON.stringify({
      id: '1',
      account: '000000000000',
      source: 'my.app',
      time: '2026-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'order placed',
      detail: { amount: 5 },
    }),
  );
  await page.getByRole('button', { name: 'Test pattern' }).click();
  await page.getByTestId('pattern-result').getByText('The event does not match').waitFor();
  // a malformed pattern: EventBridge's error, and the earlier result goes
  await page.getByRole('textbox', { name: 'Event pattern', exact: true }).fill('{"source": "my.app"}');
  await page.getByRole('button', { name: 'Test pattern' }).click();
  await page.getByTestId('error').getByText('InvalidEventPatternException').waitFor();
  assert.equal(await page.getByTestId('pattern-result').count(), 0);
  await page.getByRole('button', { name: 'Dismiss the error' }).click();
  await page.getByLabel('Rule pattern').fill('{"source": "not-a-list"}');
  await page.getByLabel('Rule name').fill('bad-rule');
  await page.getByRole('button', { name: 'Create rule' }).click();
  await page.getByTestId('error').getByText('InvalidEventPatternException').waitFor();

  await page.goto(`${rig.url}/_nimbus/console/#/cloudtrail`);
  await page.getByLabel('Lookup value').fill('CreateUser');
  await page.getByRole('button', { name: 'Look up' }).click();
  const events = page.getByRole('table', { name: 'Events' });
  await events.getByText('iam.amazonaws.com').waitFor();
  await events.getByRole('button', { name: 'Record' }).first().click();
  await events.getByText('"eventName": "CreateUser"').waitFor();
  await shot(page, 'cloudtrail');
});

test('CloudTrail: Load more continues the lookup shown, not what the form says since', async () => {
  const { page } = rig;
  const iam = new IAMClient(clientConfig(rig.url));
  // the five oldest users deleted at once: their DeleteUser events are older than the 50 newest CreateUser
  for (let i = 0; i < 55; i++) {
    await iam.send(new CreateUserCommand({ UserName: `paged-${i}` }));
    if (i < 5) await iam.send(new DeleteUserCommand({ UserName: `paged-${i}` }));
  }
  await page.goto(`${rig.url}/_nimbus/console/#/`);
  await page.goto(`${rig.url}/_nimbus/console/#/cloudtrail`);
  await page.getByLabel('Lookup value').fill('CreateUser');
  await page.getByRole('button', { name: 'Look up' }).click();
  const events = page.getByRole('table', { name: 'Events' });
  const more = page.getByRole('button', { name: 'Load more' });
  await more.waitFor();
  assert.equal(await events.getByRole('row').count(), 51);
  await page.getByLabel('Lookup value').fill('DeleteUser');
  await more.click();
  await more.waitFor({ state: 'detached' });
  assert.ok((await events.getByRole('row').count()) > 51);
  assert.equal(await events.getByRole('cell', { name: 'DeleteUser', exact: true }).count(), 0);
  iam.destroy();
});

test('Logs: a log group shows its events, filtered by a pattern', async () => {
  const { page } = rig;
  const { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } =
    await import('@aws-sdk/client-cloudwatch-logs');
  const logs = new CloudWatchLogsClient(clientConfig(rig.url));
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/app/web' }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: '/app/web', logStreamName: 's1' }));
  const now = Date.now();
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: '/app/web',
      logStreamName: 's1',
      logEvents: [
        { timestamp: now, message: 'INFO all good' },
        { timestamp: now + 1, message: 'ERROR disk full' },
      ],
    }),
  );
  await page.goto(`${rig.url}/_nimbus/console/#/logs`);
  await page.getByRole('link', { name: '/app/web' }).click();
  await page.getByLabel('Filter pattern').fill('ERROR');
  await page.getByRole('button', { name: 'Search' }).click();
  const table = page.getByRole('table', { name: 'Log events' });
  await table.getByText('ERROR disk full').waitFor();
  assert.equal(await table.getByText('INFO all good').count(), 0);
  // a malformed pattern fails the search: Logs' error, and the earlier search's events go
  await page.getByLabel('Filter pattern').fill('{ $.level = ');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByTestId('error').getByText('InvalidParameterException').waitFor();
  assert.equal(await table.count(), 0);
  logs.destroy();
});

test('Lambda: create a function in the inline editor, invoke it with a test event, see the result and log tail', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/lambda`);
  await page.getByLabel('Function name').fill('console-fn');
  await page.getByRole('button', { name: 'Create function' }).click();
  await page.getByRole('heading', { name: 'Function console-fn' }).waitFor();
  await page.getByLabel('Test event', { exact: true }).fill('{"name": "console"}');
  await page.getByRole('button', { name: 'Invoke' }).click();
  const result = page.getByTestId('invoke-result');
  await result.waitFor({ timeout: 20_000 });
  assert.match(await result.innerText(), /hello.*console/);
  assert.match(await result.innerText(), /event \{"name":"console"\}/);
  await shot(page, 'lambda-invoke');
  // an event that is not JSON: its error, and no longer the previous event's result
  await page.getByLabel('Test event', { exact: true }).fill('{"name": ');
  await page.getByRole('button', { name: 'Invoke' }).click();
  await page.getByTestId('error').getByText('MalformedJSON').waitFor();
  assert.equal(await result.count(), 0);
});

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
  const cw = new CloudWatchClient(clientConfig(rig.url));
  await cw.send(
    new PutMetricDataCommand({
      Namespace: 'Shop',
      MetricData: [
        { MetricName: 'Orders', Value: 5 },
        { MetricName: 'Orders', Value: 7 },
      ],
    }),
  );
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'many-orders',
      Namespace: 'Shop',
      MetricName: 'Orders',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 100,
      ComparisonOperator: 'GreaterThanThreshold',
    }),
  );
  await page.goto(`${rig.url}/_nimbus/console/#/cloudwatch`);
  await page.getByRole('table', { name: 'Alarms' }).getByRole('link', { name: 'many-orders' }).waitFor();
  await page.getByLabel('Namespace', { exact: true }).fill('Shop');
  await page.getByLabel('Value', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Put data point' }).click();
  await page.getByRole('link', { name: 'Shop Orders' }).click();
  await page.getByRole('img', { name: /Average over time/ }).waitFor();
  await page.getByLabel('Statistic', { exact: true }).selectOption('Sum');
  // the three points may straddle a minute: their per-minute sums add up to 15 either way
  await page.getByRole('img', { name: /Sum over time.*add up to 15$/ }).waitFor();
  await shot(page, 'cloudwatch');
  cw.destroy();
});
