// S3 bucket CORS in a real browser: a page served from another origin (127.0.0.1, another port)
// PUTs and GETs an object on Nimbus with fetch. Chromium sends the preflight and enforces the answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { startServer, clientConfig, rejects, launchBrowser } from '../helpers.js';
import type { RunningNimbus } from '../../src/nimbus.js';

// the page's script: a PUT (preflighted: not a simple method, a custom header) then a GET of one object
const PAGE = `<!doctype html><html><body><script>
const q = new URLSearchParams(location.search);
const url = q.get('nimbus') + '/' + q.get('bucket') + '/note.txt';
async function step(f) { try { return await f(); } catch (e) { return { error: e.name + ': ' + e.message }; } }
window.result = (async () => ({
  put: await step(async () => {
    const r = await fetch(url, { method: 'PUT', body: 'written by a page', headers: { 'content-type': 'text/plain', 'x-amz-meta-from': 'browser' } });
    return { status: r.status, etag: r.headers.get('etag') };
  }),
  get: await step(async () => { const r = await fetch(url); return { status: r.status, body: await r.text() }; }),
}))();
</script></body></html>`;

let nimbus: RunningNimbus;
let pages: http.Server;
let pageOrigin: string;
let browser: Browser | undefined;
let c: S3Client;

before(async () => {
  nimbus = await startServer();
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  pages = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => pages.close(resolve));
  await nimbus.stop();
});

interface PageResult {
  put: { status?: number; etag?: string | null; error?: string };
  get: { status?: number; body?: string; error?: string };
}

async function runPage(bucket: string): Promise<PageResult> {
  const page = await browser!.newPage();
  try {
    await page.goto(`${pageOrigin}/?nimbus=${encodeURIComponent(nimbus.url)}&bucket=${bucket}`);
    return (await page.evaluate('window.result')) as PageResult;
  } finally {
    await page.close();
  }
}

test("browser: a rule allowing the page's origin lets its fetch PUT and GET the object, ETag exposed", async () => {
  await c.send(new CreateBucketCommand({ Bucket: 'page-allowed' }));
  await c.send(
    new PutBucketCorsCommand({
      Bucket: 'page-allowed',
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: [pageOrigin],
            AllowedMethods: ['GET', 'PUT'],
            AllowedHeaders: ['content-type', 'x-amz-meta-*'],
            ExposeHeaders: ['ETag'],
          },
        ],
      },
    }),
  );
  const r = await runPage('page-allowed');
  assert.equal(r.put.status, 200, r.put.error);
  assert.match(r.put.etag ?? '', /^"[0-9a-f]{32}"$/);
  assert.deepEqual(r.get, { status: 200, body: 'written by a page' });
  const stored = await c.send(new GetObjectCommand({ Bucket: 'page-allowed', Key: 'note.txt' }));
  assert.equal(await stored.Body!.transformToString(), 'written by a page');
  assert.deepEqual(stored.Metadata, { from: 'browser' });
});

test('browser: a rule for another origin makes both fetches fail with a TypeError, and the PUT never reaches S3', async () => {
  await c.send(new CreateBucketCommand({ Bucket: 'page-refused' }));
  await c.send(new PutObjectCommand({ Bucket: 'page-refused', Key: 'other.txt', Body: 'x' }));
  await c.send(
    new PutBucketCorsCommand({
      Bucket: 'page-refused',
      CORSConfiguration: {
        CORSRules: [{ AllowedOrigins: ['https://somewhere.else.test'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'] }],
      },
    }),
  );
  const r = await runPage('page-refused');
  assert.match(r.put.error ?? '', /^TypeError: Failed to fetch/);
  assert.match(r.get.error ?? '', /^TypeError: Failed to fetch/);
  // the preflight was refused, so the browser never sent the PUT
  await rejects(c.send(new GetObjectCommand({ Bucket: 'page-refused', Key: 'note.txt' })), 'NoSuchKey', 404);
});
