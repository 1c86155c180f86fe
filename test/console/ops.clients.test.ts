// The console in Chromium against the admin API: inject a fault and watch an SDK call fail with the
// AWS error and the dashboard show it; the request log; advance the clock and see an object transition.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3Client,
  CreateBucketCommand,
  ListBucketsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { clientConfig } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
let s3: S3Client;
before(async () => {
  rig = await startRig();
  s3 = new S3Client(clientConfig(rig.url, { forcePathStyle: true, maxAttempts: 1 }));
});
after(async () => {
  s3?.destroy();
  await rig?.stop();
});

test('a fault injected in the console fails SDK calls with the AWS error, and shows on the dashboard and in the request log', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/faults`);
  await page.getByText('No active faults').waitFor();
  await page.getByLabel('Service', { exact: true }).selectOption('s3');
  await page.getByLabel('Operations').fill('ListBuckets');
  await page.getByLabel('Effect').selectOption('unavailable');
  await page.getByLabel('Description').fill('console drill');
  await page.getByRole('button', { name: 'Inject fault' }).click();
  const row = page.getByRole('table', { name: 'Active faults' }).getByRole('row').filter({ hasText: 'console drill' });
  await row.getByText('503 ServiceUnavailable').waitFor();
  await shot(page, 'faults');

  // an SDK call outside the browser meets it
  await assert.rejects(s3.send(new ListBucketsCommand({})), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, 'ServiceUnavailable');
    assert.equal(e.$metadata?.httpStatusCode, 503);
    return true;
  });
  // and so does the console's own S3 page, showing the AWS error
  await page.goto(`${rig.url}/_nimbus/console/#/s3`);
  await page.getByTestId('error').getByText('ServiceUnavailable').waitFor();
  assert.equal(await page.getByText('No buckets in this account yet').count(), 0, 'no empty state under a failed load');
  await shot(page, 's3-under-fault');

  await page.goto(`${rig.url}/_nimbus/console/#/dashboard`);
  await page.locator('tr[data-service="s3"][data-status="degraded"], tr[data-service="s3"][data-status="disrupted"]').waitFor();
  await page.getByRole('table', { name: 'History' }).getByText('console drill').waitFor();
  await shot(page, 'dashboard');

  await page.goto(`${rig.url}/_nimbus/console/#/requests`);
  await page.getByLabel('Filter by status').selectOption('5xx');
  const failed = page.getByRole('table', { name: 'Requests' }).getByRole('row').filter({ hasText: 'ListBuckets' }).first();
  await failed.getByText('ServiceUnavailable').waitFor();
  await failed.getByText(/injected: fault-/).waitFor();
  await shot(page, 'requests');

  await page.goto(`${rig.url}/_nimbus/console/#/faults`);
  await page.getByRole('button', { name: 'Remove all' }).click();
  await page.getByText('No active faults').waitFor();
  await s3.send(new ListBucketsCommand({}));
});

test('advancing the clock in the console moves virtual time and transitions an object', async () => {
  const { page } = rig;
  await s3.send(new CreateBucketCommand({ Bucket: 'aging' }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: 'aging',
      LifecycleConfiguration: {
        Rules: [{ ID: 'archive', Status: 'Enabled', Filter: { Prefix: '' }, Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] }],
      },
    }),
  );
  await s3.send(new PutObjectCommand({ Bucket: 'aging', Key: 'old.bin', Body: Buffer.alloc(200 * 1024, 1) }));

  await page.goto(`${rig.url}/_nimbus/console/#/clock`);
  await page.getByTestId('offset').getByText('none').waitFor();
  const before = await page.getByTestId('virtual-now').innerText();
  await page.getByLabel('Advance by').fill('3d');
  await page.getByRole('button', { name: 'Advance', exact: true }).click();
  await page.getByTestId('offset').getByText(/^\+3d/).waitFor();
  const after = await page.getByTestId('virtual-now').innerText();
  assert.ok(Date.parse(after) - Date.parse(before) >= 3 * 86400_000, `${before} → ${after}`);
  const fired = page.getByRole('table', { name: 'Fired' }).getByRole('row').filter({ hasText: 'lifecycle-transition' });
  await fired.getByText('arn:aws:s3:::aging/old.bin').waitFor();
  await page.getByRole('table', { name: 'Timeline' }).getByText('arn:aws:s3:::aging/old.bin').waitFor();
  await shot(page, 'clock');
  // an amount the clock cannot read fails: the error, and the earlier advance's events go
  await page.getByLabel('Advance by').fill('soon');
  await page.getByRole('button', { name: 'Advance', exact: true }).click();
  await page.getByTestId('error').getByText('not a duration: soon').waitFor();
  assert.equal(await page.getByRole('table', { name: 'Fired' }).count(), 0);

  const head = await s3.send(new HeadObjectCommand({ Bucket: 'aging', Key: 'old.bin' }));
  assert.equal(head.StorageClass, 'GLACIER');
  await page.goto(`${rig.url}/_nimbus/console/#/s3`);
  await page.getByRole('link', { name: 'aging' }).click();
  await page.locator('tr[data-key="old.bin"]').getByText('GLACIER').waitFor();
});
