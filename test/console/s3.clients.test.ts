// The console in Chromium: the frame, the redirect from `/`, and the S3 page against the real API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, CreateBucketCommand, DeleteBucketCommand, GetObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { clientConfig, startServer } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;

async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition not met');
}
before(async () => {
  rig = await startRig();
});
after(() => rig?.stop());

test('a browser opening / is sent to the console; API clients are not', async () => {
  const browserLike = await fetch(`${rig.url}/`, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
  assert.equal(browserLike.status, 302);
  assert.equal(browserLike.headers.get('location'), '/_nimbus/console/');
  const api = await fetch(`${rig.url}/`, { redirect: 'manual' });
  assert.notEqual(api.status, 302);
  const html = await fetch(`${rig.url}/_nimbus/console/`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /text\/html/);
  assert.equal((await fetch(`${rig.url}/_nimbus/console/../../package.json`)).status, 404);
  const script = await fetch(`${rig.url}/_nimbus/console/main.js`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(script.headers.get('content-encoding'), 'gzip');
  assert.match(await script.text(), /\S/);
  const { request } = await import('node:http');
  const plain = await new Promise<{ encoding?: string; body: string }>((resolve, reject) => {
    request(`${rig.url}/_nimbus/console/main.js`, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body }));
    })
      .on('error', reject)
      .end();
  });
  assert.equal(plain.encoding, undefined, 'no gzip for a client that does not ask for it');
  assert.match(plain.body, /import/);
});

test('the home page groups the services and marks them managed or resource, served or not', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/`);
  await page.waitForURL(/\/_nimbus\/console\//);
  await page.getByRole('heading', { name: 'All services' }).waitFor();
  for (const g of ['Compute', 'Storage', 'Databases', 'Decoupling', 'Edge', 'Automation', 'Observability', 'Core']) {
    await page.getByRole('main').getByRole('heading', { name: g, exact: true }).waitFor();
  }
  const s3 = page.locator('li.card[data-service="s3"]');
  assert.match(await s3.innerText(), /Managed service/);
  await s3.getByText('Served by Nimbus').waitFor();
  assert.match(await page.locator('li.card[data-service="ec2"]').innerText(), /Resource/);
  assert.match(await page.locator('li.card[data-service="cloudfront"]').innerText(), /Not served/);
  await shot(page, 'home');
});

test('S3: create a bucket, upload a file with the progress bar and another by drag and drop, see them listed; a bad bucket name shows the AWS error', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/s3`);
  await page.getByText('No buckets in this account yet').waitFor();
  const name = page.getByLabel('Bucket name');

  await name.fill('Bad_Bucket');
  await page.getByRole('button', { name: 'Create bucket' }).click();
  const error = page.getByTestId('error');
  await error.waitFor();
  assert.match(await error.innerText(), /InvalidBucketName/);
  assert.match(await error.innerText(), /not valid/i);
  await shot(page, 's3-invalid-name');

  await name.fill('console-bucket');
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await page.locator('tr[data-bucket="console-bucket"]').waitFor();
  const s3 = new S3Client(clientConfig(rig.url, { forcePathStyle: true }));
  await s3.send(new HeadBucketCommand({ Bucket: 'console-bucket' }));

  await page.getByRole('link', { name: 'console-bucket' }).click();
  await page.getByText('This bucket is empty').waitFor();
  await page
    .getByLabel('Upload files')
    .setInputFiles({ name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from the console') });
  await page.locator('tr[data-key="hello.txt"]').waitFor();
  await page.getByText('uploaded').waitFor();
  const bar = page.getByRole('progressbar', { name: 'Upload of hello.txt' });
  assert.equal(await bar.getAttribute('value'), String('hello from the console'.length));
  await shot(page, 's3-uploaded');
  const got = await s3.send(new GetObjectCommand({ Bucket: 'console-bucket', Key: 'hello.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello from the console');
  assert.equal(got.ContentType, 'text/plain');

  // a file dropped on the drop zone goes up the same way (a real DataTransfer dispatched in the page)
  const transfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['dropped in'], 'dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  await page.locator('.drop').dispatchEvent('dragover', { dataTransfer: transfer });
  await page.locator('.drop').dispatchEvent('drop', { dataTransfer: transfer });
  await page.locator('tr[data-key="dropped.txt"]').waitFor();
  const dropped = await s3.send(new GetObjectCommand({ Bucket: 'console-bucket', Key: 'dropped.txt' }));
  assert.equal(await dropped.Body!.transformToString(), 'dropped in');

  // a presigned link the page makes downloads the object
  await page.getByRole('button', { name: 'Presigned link for hello.txt' }).click();
  const link = await page.locator('.copy code').filter({ hasText: 'X-Amz-Signature' }).innerText();
  assert.equal(await (await fetch(link)).text(), 'hello from the console');

  // a big file goes up in parts (lib-storage multipart), the bar following it
  const big = Buffer.alloc(6 * 1024 * 1024, 7);
  await page.getByLabel('Upload files').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: big });
  await page.locator('tr[data-key="big.bin"]').waitFor();
  assert.equal(await page.getByRole('progressbar', { name: 'Upload of big.bin' }).getAttribute('value'), String(big.length));
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const bigHead = await s3.send(new HeadObjectCommand({ Bucket: 'console-bucket', Key: 'big.bin' }));
  assert.equal(bigHead.ContentLength, big.length);
  assert.match(bigHead.ETag ?? '', /-2"$/, 'a multipart upload of two parts');

  // object details and tags
  await page.getByRole('button', { name: 'Details of hello.txt' }).click();
  await page.getByLabel('Object tags', { exact: true }).fill('team=data');
  await page.getByRole('button', { name: 'Save tags' }).click();
  const { GetObjectTaggingCommand, GetBucketLifecycleConfigurationCommand } = await import('@aws-sdk/client-s3');
  await waitUntil(
    async () => (await s3.send(new GetObjectTaggingCommand({ Bucket: 'console-bucket', Key: 'hello.txt' }))).TagSet?.[0]?.Value === 'data',
  );

  // bucket settings: S3 refuses a bad CORS rule with its own error; a lifecycle rule is saved
  await page.getByRole('tab', { name: 'CORS' }).click();
  await page.getByLabel('CORS JSON').fill('[{"AllowedOrigins": ["*"], "AllowedMethods": ["FETCH"]}]');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page
    .getByTestId('error')
    .getByText(/unsupported HTTP method/i)
    .waitFor();
  await page.getByRole('tab', { name: 'Lifecycle rules' }).click();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('Saved.').waitFor();
  const rules = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'console-bucket' }));
  assert.equal(rules.Rules?.[0]?.ID, 'archive');
  await shot(page, 's3-settings');
  // removing the rules says there are none, and no longer that they were saved
  await page.getByRole('button', { name: 'Remove' }).click();
  await page.getByText('None set (NoSuchLifecycleConfiguration)').waitFor();
  assert.equal(await page.getByText('Saved.').count(), 0);
  s3.destroy();
});

test('S3: a bucket deleted behind the page shows NoSuchBucket on refresh, not an empty bucket', async () => {
  const { page } = rig;
  const s3 = new S3Client(clientConfig(rig.url, { forcePathStyle: true }));
  await s3.send(new CreateBucketCommand({ Bucket: 'vanishing-bucket' }));
  await page.goto(`${rig.url}/_nimbus/console/#/`);
  await page.goto(`${rig.url}/_nimbus/console/#/s3`);
  await page.getByRole('link', { name: 'vanishing-bucket' }).click();
  await page.getByText('This bucket is empty').waitFor();
  await s3.send(new DeleteBucketCommand({ Bucket: 'vanishing-bucket' }));
  await page.getByRole('region', { name: 'Bucket vanishing-bucket' }).getByRole('button', { name: 'Refresh' }).click();
  await page.getByTestId('error').getByText('NoSuchBucket').waitFor();
  assert.equal(await page.getByText('This bucket is empty').count(), 0);
  s3.destroy();
});

test('the account picker signs as another account: its S3 has none of the first account’s buckets', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/`);
  await page.getByRole('navigation', { name: 'Services' }).getByRole('link', { name: 'S3', exact: true }).click();
  await page.locator('tr[data-bucket="console-bucket"]').waitFor();
  const account = page.getByLabel('Account id (12 digits)');
  await account.fill('1111');
  await account.press('Enter');
  assert.equal(await account.getAttribute('aria-invalid'), 'true');
  await page.locator('tr[data-bucket="console-bucket"]').waitFor();
  await account.fill('111111111111');
  await account.press('Enter');
  await page.getByText('No buckets in this account yet').waitFor();
  await page.getByLabel('Bucket name').fill('second-account-bucket');
  await page.getByRole('button', { name: 'Create bucket' }).click();
  await page.locator('tr[data-bucket="second-account-bucket"]').waitFor();
  // the account survives a reload; from the top of the page, Tab reaches the skip link first
  await page.setViewportSize({ width: 480, height: 800 });
  await page.reload();
  await page.locator('tr[data-bucket="second-account-bucket"]').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await shot(page, 'narrow-window');
  await account.fill('000000000000');
  await account.press('Enter');
  await page.locator('tr[data-bucket="console-bucket"]').waitFor();
  assert.equal(await page.locator('tr[data-bucket="second-account-bucket"]').count(), 0);
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('under IAM enforcement the console still signs as the account root and is let through', async () => {
  const enforced = await startServer({ enforceIam: true });
  try {
    const { page } = rig;
    await page.goto(`${enforced.url}/_nimbus/console/#/s3`);
    const account = page.getByLabel('Account id (12 digits)');
    await account.fill('000000000000');
    await account.press('Enter');
    await page.getByText('No buckets in this account yet').waitFor();
    await page.getByLabel('Bucket name').fill('enforced-bucket');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await page.locator('tr[data-bucket="enforced-bucket"]').waitFor();
    await account.fill('222222222222');
    await account.press('Enter');
    await page.getByText('No buckets in this account yet').waitFor();
  } finally {
    await enforced.stop();
  }
});
