// S3 objects through SDK v3 with default settings (CRC32 checksums, path-style and virtual-hosted):
// put/get/head/delete/copy, metadata and content headers, ranges, conditional reads and writes,
// tagging, listings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  CopyObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectTaggingCommand,
  GetObjectTaggingCommand,
  DeleteObjectTaggingCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let c: S3Client;
const Bucket = 'objects';
const nimbus = serverForFile(async () => {
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await c.send(new CreateBucketCommand({ Bucket }));
});

const text = async (p: Promise<{ Body?: { transformToString(): Promise<string> } }>) => (await p).Body!.transformToString();

test('PutObject then GetObject: body, quoted md5 ETag, metadata and every content header round-trip', async () => {
  const put = await c.send(
    new PutObjectCommand({
      Bucket,
      Key: 'docs/readme.txt',
      Body: 'hello world',
      Metadata: { Author: 'ada', 'x-Mixed': 'v' },
      ContentType: 'text/plain',
      ContentEncoding: 'identity',
      ContentDisposition: 'attachment; filename="r.txt"',
      ContentLanguage: 'en',
      CacheControl: 'max-age=60',
      Expires: new Date('2030-01-01T00:00:00Z'),
      WebsiteRedirectLocation: '/other',
    }),
  );
  assert.equal(put.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
  assert.equal(put.ChecksumCRC32, 'DUoRhQ==');
  const got = await c.send(new GetObjectCommand({ Bucket, Key: 'docs/readme.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello world');
  assert.equal(got.ETag, put.ETag);
  assert.equal(got.ContentLength, 11);
  assert.deepEqual(got.Metadata, { author: 'ada', 'x-mixed': 'v' });
  assert.equal(got.ContentType, 'text/plain');
  assert.equal(got.ContentEncoding, 'identity');
  assert.equal(got.ContentDisposition, 'attachment; filename="r.txt"');
  assert.equal(got.ContentLanguage, 'en');
  assert.equal(got.CacheControl, 'max-age=60');
  assert.equal(got.ExpiresString, 'Tue, 01 Jan 2030 00:00:00 GMT');
  assert.equal(got.WebsiteRedirectLocation, '/other');
  assert.equal(got.AcceptRanges, 'bytes');
  assert.ok(got.LastModified instanceof Date);
  const head = await c.send(new HeadObjectCommand({ Bucket, Key: 'docs/readme.txt' }));
  assert.equal(head.ContentLength, 11);
  assert.equal(head.ETag, put.ETag);
  assert.deepEqual(head.Metadata, got.Metadata);
});

test('virtual-hosted style (<bucket>.localhost) reaches the same objects', async () => {
  const port = new URL(nimbus.url).port;
  // <bucket>.localhost resolves to the loopback address (as browsers and curl do; Node's resolver may not)
  const lookup = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
    o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
  const vh = new S3Client(clientConfig(`http://localhost:${port}`, { requestHandler: { httpAgent: new http.Agent({ lookup } as never) } }));
  await vh.send(new PutObjectCommand({ Bucket, Key: 'vhost/a.txt', Body: 'virtual' }));
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'vhost/a.txt' }))), 'virtual');
  assert.equal(await text(vh.send(new GetObjectCommand({ Bucket, Key: 'vhost/a.txt' }))), 'virtual');
  const list = await vh.send(new ListObjectsV2Command({ Bucket, Prefix: 'vhost/' }));
  assert.deepEqual(
    list.Contents?.map((o) => o.Key),
    ['vhost/a.txt'],
  );
});

test('GetObject of a missing key: NoSuchKey naming the key; HeadObject: 404 NotFound', async () => {
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'no/such key' })), 'NoSuchKey', 404, (e) => assert.equal(e.Key, 'no/such key'));
  await rejects(c.send(new HeadObjectCommand({ Bucket, Key: 'no/such key' })), 'NotFound', 404);
});

test('ranges: 206 with Content-Range for first-last, open-ended and suffix ranges; InvalidRange 416 past the end', async () => {
  await c.send(new PutObjectCommand({ Bucket, Key: 'range.txt', Body: '0123456789' }));
  for (const [range, body, cr] of [
    ['bytes=2-5', '2345', 'bytes 2-5/10'],
    ['bytes=7-', '789', 'bytes 7-9/10'],
    ['bytes=-3', '789', 'bytes 7-9/10'],
    ['bytes=8-100', '89', 'bytes 8-9/10'],
  ]) {
    const r = await c.send(new GetObjectCommand({ Bucket, Key: 'range.txt', Range: range }));
    assert.equal(r.$metadata.httpStatusCode, 206, range);
    assert.equal(r.ContentRange, cr);
    assert.equal(r.ContentLength, body.length);
    assert.equal(await r.Body!.transformToString(), body);
  }
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'range.txt', Range: 'bytes=10-20' })), 'InvalidRange', 416, (e) => {
    assert.equal(e.ActualObjectSize, '10');
  });
});

test('conditional reads: If-None-Match / If-Modified-Since → 304, If-Match / If-Unmodified-Since → 412', async () => {
  const { ETag } = await c.send(new PutObjectCommand({ Bucket, Key: 'cond.txt', Body: 'v1' }));
  const past = new Date(Date.now() - 86_400_000);
  const future = new Date(Date.now() + 86_400_000);
  const notModified = (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 304;
  await assert.rejects(c.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfNoneMatch: ETag })), notModified);
  await assert.rejects(c.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfModifiedSince: future })), notModified);
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfMatch: '"0000"' })), 'PreconditionFailed', 412);
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfUnmodifiedSince: past })), 'PreconditionFailed', 412);
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfMatch: ETag, IfUnmodifiedSince: past }))), 'v1');
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'cond.txt', IfModifiedSince: past }))), 'v1');
  await assert.rejects(
    c.send(new HeadObjectCommand({ Bucket, Key: 'cond.txt', IfMatch: '"0000"' })),
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode === 412,
  );
});

test('conditional writes: If-None-Match: * creates only, If-Match replaces only the given ETag', async () => {
  await c.send(new PutObjectCommand({ Bucket, Key: 'cw.txt', Body: 'first', IfNoneMatch: '*' }));
  await rejects(c.send(new PutObjectCommand({ Bucket, Key: 'cw.txt', Body: 'second', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'cw.txt' }))), 'first');
  await rejects(c.send(new PutObjectCommand({ Bucket, Key: 'cw.txt', Body: 'third', IfMatch: '"ffff"' })), 'PreconditionFailed', 412);
  const { ETag } = await c.send(new HeadObjectCommand({ Bucket, Key: 'cw.txt' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'cw.txt', Body: 'fourth', IfMatch: ETag }));
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'cw.txt' }))), 'fourth');
  await rejects(c.send(new PutObjectCommand({ Bucket, Key: 'cw-missing.txt', Body: 'x', IfMatch: ETag })), 'NoSuchKey', 404);
});

test('response-header overrides replace the stored headers on GET', async () => {
  await c.send(new PutObjectCommand({ Bucket, Key: 'ovr.txt', Body: 'x', ContentType: 'text/plain' }));
  const r = await c.send(
    new GetObjectCommand({
      Bucket,
      Key: 'ovr.txt',
      ResponseContentType: 'application/json',
      ResponseContentDisposition: 'inline',
      ResponseCacheControl: 'no-cache',
      ResponseContentLanguage: 'de',
      ResponseContentEncoding: 'gzip',
      ResponseExpires: new Date('2031-02-03T04:05:06Z'),
    }),
  );
  assert.equal(r.ContentType, 'application/json');
  assert.equal(r.ContentDisposition, 'inline');
  assert.equal(r.CacheControl, 'no-cache');
  assert.equal(r.ContentLanguage, 'de');
  assert.equal(r.ContentEncoding, 'gzip');
  assert.equal(r.ExpiresString, 'Mon, 03 Feb 2031 04:05:06 GMT');
});

test('DeleteObject removes the object (204, idempotent); DeleteObjects reports each key, quietly when asked', async () => {
  await c.send(new PutObjectCommand({ Bucket, Key: 'del/1', Body: 'x' }));
  const d = await c.send(new DeleteObjectCommand({ Bucket, Key: 'del/1' }));
  assert.equal(d.$metadata.httpStatusCode, 204);
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'del/1' }));
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'del/1' })), 'NoSuchKey');
  for (const k of ['del/a', 'del/b', 'del/c']) await c.send(new PutObjectCommand({ Bucket, Key: k, Body: k }));
  const out = await c.send(
    new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'del/a' }, { Key: 'del/b' }, { Key: 'del/never' }] } }),
  );
  assert.deepEqual(out.Deleted?.map((x) => x.Key).sort(), ['del/a', 'del/b', 'del/never']);
  const quiet = await c.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'del/c' }], Quiet: true } }));
  assert.equal(quiet.Deleted, undefined);
  const left = await c.send(new ListObjectsV2Command({ Bucket, Prefix: 'del/' }));
  assert.equal(left.KeyCount, 0);
});

test('CopyObject: copies metadata and tags by default, replaces them with the REPLACE directives', async () => {
  await c.send(
    new PutObjectCommand({ Bucket, Key: 'src.txt', Body: 'copy me', ContentType: 'text/plain', Metadata: { a: '1' }, Tagging: 'k=v' }),
  );
  const copy = await c.send(new CopyObjectCommand({ Bucket, Key: 'dst.txt', CopySource: `${Bucket}/src.txt` }));
  assert.equal(copy.CopyObjectResult?.ETag, '"' + (await import('node:crypto')).createHash('md5').update('copy me').digest('hex') + '"');
  const got = await c.send(new GetObjectCommand({ Bucket, Key: 'dst.txt' }));
  assert.equal(await got.Body!.transformToString(), 'copy me');
  assert.deepEqual(got.Metadata, { a: '1' });
  assert.equal(got.ContentType, 'text/plain');
  assert.equal(got.TagCount, 1);
  await c.send(
    new CopyObjectCommand({
      Bucket,
      Key: 'dst2.txt',
      CopySource: `/${Bucket}/src.txt`,
      MetadataDirective: 'REPLACE',
      Metadata: { b: '2' },
      ContentType: 'text/csv',
      TaggingDirective: 'REPLACE',
      Tagging: 'x=y&z=w',
    }),
  );
  const h = await c.send(new HeadObjectCommand({ Bucket, Key: 'dst2.txt' }));
  assert.deepEqual(h.Metadata, { b: '2' });
  assert.equal(h.ContentType, 'text/csv');
  assert.deepEqual((await c.send(new GetObjectTaggingCommand({ Bucket, Key: 'dst2.txt' }))).TagSet?.map((t) => t.Key).sort(), ['x', 'z']);
});

test('CopyObject: conditional copy, copy onto itself needs a change, missing source is NoSuchKey', async () => {
  const { ETag } = await c.send(new PutObjectCommand({ Bucket, Key: 'csrc.txt', Body: 'c' }));
  await rejects(
    c.send(new CopyObjectCommand({ Bucket, Key: 'cdst.txt', CopySource: `${Bucket}/csrc.txt`, CopySourceIfMatch: '"nope"' })),
    'PreconditionFailed',
    412,
  );
  await rejects(
    c.send(new CopyObjectCommand({ Bucket, Key: 'cdst.txt', CopySource: `${Bucket}/csrc.txt`, CopySourceIfNoneMatch: ETag })),
    'PreconditionFailed',
    412,
  );
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'cdst.txt' })), 'NoSuchKey', 404); // the refused copies wrote nothing
  await c.send(new CopyObjectCommand({ Bucket, Key: 'cdst.txt', CopySource: `${Bucket}/csrc.txt`, CopySourceIfMatch: ETag }));
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'cdst.txt' }))), 'c');
  await rejects(c.send(new CopyObjectCommand({ Bucket, Key: 'csrc.txt', CopySource: `${Bucket}/csrc.txt` })), 'InvalidRequest', 400);
  await c.send(
    new CopyObjectCommand({
      Bucket,
      Key: 'csrc.txt',
      CopySource: `${Bucket}/csrc.txt`,
      MetadataDirective: 'REPLACE',
      Metadata: { n: '1' },
    }),
  );
  const self = await c.send(new GetObjectCommand({ Bucket, Key: 'csrc.txt' }));
  assert.deepEqual(self.Metadata, { n: '1' });
  assert.equal(await self.Body!.transformToString(), 'c');
  await rejects(c.send(new CopyObjectCommand({ Bucket, Key: 'x', CopySource: `${Bucket}/absent` })), 'NoSuchKey', 404);
});

test('object tagging: from the x-amz-tagging header, Put/Get/DeleteObjectTagging', async () => {
  await c.send(new PutObjectCommand({ Bucket, Key: 'tagged', Body: 't', Tagging: 'env=prod&team=a%20b' }));
  const t = await c.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged' }));
  assert.deepEqual(t.TagSet, [
    { Key: 'env', Value: 'prod' },
    { Key: 'team', Value: 'a b' },
  ]);
  await c.send(new PutObjectTaggingCommand({ Bucket, Key: 'tagged', Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] } }));
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'tagged' }))).TagCount, 1);
  assert.deepEqual((await c.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged' }))).TagSet, [{ Key: 'only', Value: 'one' }]);
  await c.send(new DeleteObjectTaggingCommand({ Bucket, Key: 'tagged' }));
  assert.deepEqual((await c.send(new GetObjectTaggingCommand({ Bucket, Key: 'tagged' }))).TagSet, []);
  const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
  await rejects(c.send(new PutObjectTaggingCommand({ Bucket, Key: 'tagged', Tagging: { TagSet: eleven } })), 'BadRequest', 400);
});

test('ListObjectsV2: prefix, delimiter, CommonPrefixes, max-keys pages, start-after, fetch-owner, url encoding', async () => {
  const B = 'listing';
  await c.send(new CreateBucketCommand({ Bucket: B }));
  const keys = ['a.txt', 'b/1.txt', 'b/2.txt', 'b/c/3.txt', 'd e+f.txt', 'z/9.txt'];
  for (const k of keys) await c.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }));
  const all = await c.send(new ListObjectsV2Command({ Bucket: B }));
  assert.deepEqual(
    all.Contents?.map((o) => o.Key),
    keys,
  );
  assert.equal(all.KeyCount, 6);
  assert.equal(all.Contents?.[0].Owner, undefined);
  const top = await c.send(new ListObjectsV2Command({ Bucket: B, Delimiter: '/' }));
  assert.deepEqual(
    top.Contents?.map((o) => o.Key),
    ['a.txt', 'd e+f.txt'],
  );
  assert.deepEqual(
    top.CommonPrefixes?.map((p) => p.Prefix),
    ['b/', 'z/'],
  );
  const inB = await c.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'b/', Delimiter: '/' }));
  assert.deepEqual(
    inB.Contents?.map((o) => o.Key),
    ['b/1.txt', 'b/2.txt'],
  );
  assert.deepEqual(
    inB.CommonPrefixes?.map((p) => p.Prefix),
    ['b/c/'],
  );
  // keys and common prefixes together fill each page of two, in order
  const pages: string[][] = [];
  for await (const page of paginateListObjectsV2({ client: c, pageSize: 2 }, { Bucket: B, Delimiter: '/' })) {
    const entries = [...(page.Contents ?? []).map((o) => o.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!)].sort();
    assert.equal(page.KeyCount, entries.length);
    pages.push(entries);
  }
  assert.deepEqual(pages, [
    ['a.txt', 'b/'],
    ['d e+f.txt', 'z/'],
  ]);
  const after = await c.send(new ListObjectsV2Command({ Bucket: B, StartAfter: 'b/2.txt', FetchOwner: true }));
  assert.deepEqual(
    after.Contents?.map((o) => o.Key),
    ['b/c/3.txt', 'd e+f.txt', 'z/9.txt'],
  );
  assert.match(after.Contents?.[0].Owner?.ID ?? '', /^[0-9a-f]{64}$/);
  const enc = await c.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'd', EncodingType: 'url' }));
  assert.equal(enc.Contents?.[0].Key, 'd%20e%2Bf.txt');
  assert.equal(all.Contents?.[0].ETag, '"' + (await import('node:crypto')).createHash('md5').update('a.txt').digest('hex') + '"');
  assert.equal(all.Contents?.[0].Size, 5);
  assert.equal(all.Contents?.[0].StorageClass, 'STANDARD');
  const none = await c.send(new ListObjectsV2Command({ Bucket: B, MaxKeys: 0 }));
  assert.equal(none.KeyCount, 0);
  assert.equal(none.IsTruncated, false);
});

test('ListObjects (v1): marker, NextMarker with a delimiter, owner always included', async () => {
  const B = 'listing-v1';
  await c.send(new CreateBucketCommand({ Bucket: B }));
  for (const k of ['a', 'b/1', 'b/2', 'c']) await c.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }));
  const p1 = await c.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', MaxKeys: 2 }));
  assert.equal(p1.IsTruncated, true);
  assert.deepEqual(
    p1.Contents?.map((o) => o.Key),
    ['a'],
  );
  assert.deepEqual(
    p1.CommonPrefixes?.map((p) => p.Prefix),
    ['b/'],
  );
  assert.equal(p1.NextMarker, 'b/');
  assert.ok(p1.Contents?.[0].Owner?.ID);
  const p2 = await c.send(new ListObjectsCommand({ Bucket: B, Delimiter: '/', Marker: p1.NextMarker }));
  assert.deepEqual(
    p2.Contents?.map((o) => o.Key),
    ['c'],
  );
  assert.equal(p2.IsTruncated, false);
  const nodelim = await c.send(new ListObjectsCommand({ Bucket: B, Marker: 'b/1' }));
  assert.deepEqual(
    nodelim.Contents?.map((o) => o.Key),
    ['b/2', 'c'],
  );
});

test('listing a large bucket page by page stays in key order', async () => {
  const B = 'listing-many';
  await c.send(new CreateBucketCommand({ Bucket: B }));
  const keys = Array.from({ length: 120 }, (_, i) => `k/${String(i).padStart(4, '0')}`);
  await Promise.all(keys.map((Key) => c.send(new PutObjectCommand({ Bucket: B, Key, Body: 'x' }))));
  const seen: string[] = [];
  const sizes: number[] = [];
  for await (const page of paginateListObjectsV2({ client: c, pageSize: 50 }, { Bucket: B })) {
    sizes.push(page.Contents?.length ?? 0);
    seen.push(...(page.Contents ?? []).map((o) => o.Key!));
  }
  assert.deepEqual(sizes, [50, 50, 20]);
  assert.deepEqual(seen, keys);
});

test('keys with spaces, unicode, +, %, ?, # and // round-trip through put, get, copy and list', async () => {
  const B = 'odd-keys';
  await c.send(new CreateBucketCommand({ Bucket: B }));
  const keys = ['a b/ünï cödé.txt', 'plus+sign', 'pct%20literal', 'q?mark#hash', 'double//slash', 'emoji-😀', 'trailing/'];
  for (const Key of keys) await c.send(new PutObjectCommand({ Bucket: B, Key, Body: Key }));
  for (const Key of keys) assert.equal(await text(c.send(new GetObjectCommand({ Bucket: B, Key }))), Key);
  await c.send(new CopyObjectCommand({ Bucket: B, Key: 'copy of ünï', CopySource: `${B}/${encodeURIComponent('a b/ünï cödé.txt')}` }));
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket: B, Key: 'copy of ünï' }))), 'a b/ünï cödé.txt');
  const listed = (await c.send(new ListObjectsV2Command({ Bucket: B }))).Contents?.map((o) => o.Key);
  assert.deepEqual(
    listed,
    [...keys, 'copy of ünï'].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))),
  );
});
