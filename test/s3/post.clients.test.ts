// S3 browser uploads (PostObject): HTML forms with a signed POST policy, as the SDK v3's
// createPresignedPost, boto3's generate_presigned_post and a real Chromium submit them; the policy's
// expiration (virtual clock), conditions, size range and field coverage; S3's errors; streaming.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, openAsBlob, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  S3Client,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  GetObjectTaggingCommand,
  PutBucketVersioningCommand,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketNotificationConfigurationCommand,
} from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { STSClient, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { XMLParser } from 'fast-xml-parser';
import { startServer, clientConfig, rejects, runCli, launchBrowser, spawnServer, region } from '../helpers.js';
import type { RunningNimbus } from '../../src/nimbus.js';

let nimbus: RunningNimbus;
/** IAM enforced: the default key's signatures are verified, unknown keys refused */
let strict: RunningNimbus;
let c: S3Client;
let sc: S3Client;
const Bucket = 'post-uploads';

before(async () => {
  [nimbus, strict] = await Promise.all([startServer(), startServer({ enforceIam: true })]);
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  sc = new S3Client(clientConfig(strict.url, { forcePathStyle: true }));
  await c.send(new CreateBucketCommand({ Bucket }));
  await sc.send(new CreateBucketCommand({ Bucket }));
});
after(() => Promise.all([nimbus.stop(), strict.stop()]));

type Fields = Record<string, string> | Array<[string, string]>;

/** Posts the fields, then the file (unless `file` is null), as a browser's FormData would. */
async function post(
  url: string,
  fields: Fields,
  file: { body: string | Buffer; name?: string } | null = { body: 'content' },
  after: Fields = [],
) {
  const fd = new FormData();
  for (const [k, v] of Array.isArray(fields) ? fields : Object.entries(fields)) fd.append(k, v);
  if (file) fd.append('file', new Blob([file.body as BlobPart]), file.name ?? 'upload.bin');
  for (const [k, v] of Array.isArray(after) ? after : Object.entries(after)) fd.append(k, v);
  return fetch(url, { method: 'POST', body: fd, redirect: 'manual' });
}

const xml = new XMLParser({ parseTagValue: false });
/** An S3 error answer: status and the <Error> element's children. */
async function s3Error(r: Response): Promise<Record<string, string> & { status: number }> {
  const body = xml.parse(await r.text()) as { Error: Record<string, string> };
  return { ...body.Error, status: r.status } as Record<string, string> & { status: number };
}

const presigned = (client: S3Client, Key: string, opts: Omit<Parameters<typeof createPresignedPost>[1], 'Bucket' | 'Key'> = {}) =>
  createPresignedPost(client, { Bucket, Key, Expires: 600, ...opts });

const amzDate = (d = new Date()) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * A SigV4-signed form written here from the documented algorithm (not Nimbus's code): the policy's
 * conditions plus the credential ones; `rawPolicy` replaces the whole document.
 */
function signedFields(
  conditions: unknown[],
  opts: { keyId?: string; secret?: string; expiration?: string; rawPolicy?: string } = {},
): Array<[string, string]> {
  const { keyId = 'test', secret = 'test' } = opts;
  const date = amzDate();
  const credential = `${keyId}/${date.slice(0, 8)}/${region}/s3/aws4_request`;
  const doc =
    opts.rawPolicy ??
    JSON.stringify({
      expiration: opts.expiration ?? new Date(Date.now() + 600_000).toISOString(),
      conditions: [...conditions, { 'x-amz-algorithm': 'AWS4-HMAC-SHA256' }, { 'x-amz-credential': credential }, { 'x-amz-date': date }],
    });
  const policy = Buffer.from(doc).toString('base64');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date.slice(0, 8)), region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', key).update(policy).digest('hex');
  return [
    ['x-amz-algorithm', 'AWS4-HMAC-SHA256'],
    ['x-amz-credential', credential],
    ['x-amz-date', date],
    ['policy', policy],
    ['x-amz-signature', signature],
  ];
}

const bucketUrl = (n: RunningNimbus) => `${n.url}/${Bucket}`;
const absent = (client: S3Client, Key: string) => rejects(client.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);

test('SDK v3 createPresignedPost: 201 answers the PostResponse document; the object keeps its bytes, type, metadata, tags and storage class', async () => {
  const tagging = '<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>';
  const { url, fields } = await presigned(c, 'sdk/${filename}', {
    Fields: {
      'Content-Type': 'text/plain',
      'x-amz-meta-Origin': 'form',
      success_action_status: '201',
      tagging,
      'x-amz-storage-class': 'STANDARD_IA',
    },
    Conditions: [
      ['content-length-range', 1, 1024],
      ['starts-with', '$Content-Type', 'text/'],
    ],
  });
  assert.equal(url, `${nimbus.url}/${Bucket}`);
  const r = await post(url, fields, { body: 'hello from a form', name: 'C:\\Users\\ada\\notes v1.txt' });
  assert.equal(r.status, 201);
  const etag = `"${createHash('md5').update('hello from a form').digest('hex')}"`;
  assert.equal(r.headers.get('etag'), etag);
  assert.equal(r.headers.get('location'), `${nimbus.url}/${Bucket}/sdk%2Fnotes%20v1.txt`);
  assert.equal(r.headers.get('x-amz-checksum-type'), 'FULL_OBJECT');
  const text = await r.text();
  assert.ok(text.includes('<PostResponse>'), text); // no namespace, as S3 answers
  assert.deepEqual(xml.parse(text).PostResponse, {
    Location: `${nimbus.url}/${Bucket}/sdk%2Fnotes%20v1.txt`,
    Bucket,
    Key: 'sdk/notes v1.txt',
    ETag: etag,
  });

  const got = await c.send(new GetObjectCommand({ Bucket, Key: 'sdk/notes v1.txt', ChecksumMode: 'ENABLED' }));
  assert.equal(await got.Body!.transformToString(), 'hello from a form');
  assert.equal(got.ContentType, 'text/plain');
  assert.deepEqual(got.Metadata, { origin: 'form' });
  assert.equal(got.StorageClass, 'STANDARD_IA');
  assert.equal(got.ETag, etag);
  assert.equal(got.ChecksumCRC64NVME, r.headers.get('x-amz-checksum-crc64nvme')); // S3's default checksum for new objects
  const tags = await c.send(new GetObjectTaggingCommand({ Bucket, Key: 'sdk/notes v1.txt' }));
  assert.deepEqual(tags.TagSet, [{ Key: 'team', Value: 'web' }]);
});

test('form values are read as PutObject reads its headers: checksums, storage class, tagging, SSE; unicode metadata comes back RFC 2047-encoded', async () => {
  const body = 'checked body';
  const sha256 = createHash('sha256').update(body).digest('base64');
  const md5 = createHash('md5').update(body).digest('base64');
  const Conditions: Array<['starts-with', string, string]> = [
    ['starts-with', '$x-amz-checksum-sha256', ''],
    ['starts-with', '$Content-MD5', ''],
    ['starts-with', '$x-amz-storage-class', ''],
    ['starts-with', '$tagging', ''],
    ['starts-with', '$x-amz-server-side-encryption', ''],
    ['starts-with', '$x-amz-meta-name', ''],
    ['starts-with', '$x-amz-meta-raw', ''],
  ];
  const { url, fields } = await presigned(c, 'checked/${filename}', { Conditions, Fields: { success_action_status: '201' } });
  // a condition on a field the form lacks fails: every form carries them all
  const form = (extra: Record<string, string>) => ({
    ...fields,
    'x-amz-checksum-sha256': sha256,
    'Content-MD5': md5,
    'x-amz-storage-class': 'STANDARD',
    tagging: '<Tagging><TagSet></TagSet></Tagging>',
    'x-amz-server-side-encryption': 'AES256',
    'x-amz-meta-name': 'n',
    'x-amz-meta-raw': 'r',
    ...extra,
  });
  const ok = await post(
    url,
    form({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-meta-name': 'ÄMÄZÕÑ S3', 'x-amz-meta-raw': '\x00\x01\x02\x03\x04' }),
    { body, name: 'test_unicode—_file.pdf' },
  );
  assert.equal(ok.status, 201, await ok.clone().text());
  assert.equal(ok.headers.get('x-amz-checksum-sha256'), sha256);
  assert.equal(ok.headers.get('x-amz-server-side-encryption'), 'aws:kms');
  const doc = xml.parse(await ok.text()).PostResponse;
  assert.equal(doc.Key, 'checked/test_unicode—_file.pdf');
  assert.equal(doc.Location, `${nimbus.url}/${Bucket}/checked%2Ftest_unicode%E2%80%94_file.pdf`);
  const head = await c.send(new HeadObjectCommand({ Bucket, Key: 'checked/test_unicode—_file.pdf', ChecksumMode: 'ENABLED' }));
  assert.equal(head.ChecksumSHA256, sha256);
  assert.deepEqual(head.Metadata, { name: '=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=', raw: '=?UTF-8?B?AAECAwQ=?=' });

  const errors: Array<[Record<string, string>, string, number]> = [
    [{ 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') }, 'BadDigest', 400],
    [{ 'Content-MD5': createHash('md5').update('other').digest('base64') }, 'BadDigest', 400],
    [{ 'x-amz-storage-class': 'FakeClass' }, 'InvalidStorageClass', 400],
    [{ tagging: 'not-xml' }, 'MalformedXML', 400],
  ];
  for (const [extra, code, status] of errors) {
    const e = await s3Error(await post(url, form(extra), { body, name: 'bad.txt' }));
    assert.deepEqual([e.status, e.Code], [status, code], JSON.stringify(extra));
  }
  await absent(c, 'checked/bad.txt');
  // S3 reads the TagSet whatever the root element is called
  assert.equal((await post(url, form({ tagging: '<InvalidXmlTagging></InvalidXmlTagging>' }), { body, name: 'odd.txt' })).status, 201);
  assert.deepEqual((await c.send(new GetObjectTaggingCommand({ Bucket, Key: 'checked/odd.txt' }))).TagSet, []);
});

test('the default answer is 204 with an empty body; success_action_status 200 gives 200; an unknown status gives 204', async () => {
  for (const [status, want] of [
    [undefined, 204],
    ['200', 200],
    ['404', 204],
  ] as const) {
    const { url, fields } = await presigned(c, `status/${want}-${status}`, status ? { Fields: { success_action_status: status } } : {});
    const r = await post(url, fields);
    assert.equal(r.status, want);
    assert.equal(await r.text(), '');
    assert.ok(r.headers.get('etag'));
  }
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'status/200-200' }))).ContentLength, 7);
});

test('success_action_redirect answers 303 to the URL with bucket, key and etag appended; a relative one is ignored', async () => {
  const target = 'http://app.example/done?from=form';
  const { url, fields } = await presigned(c, 'redirect/a b.txt', { Fields: { success_action_redirect: target } });
  const r = await post(url, fields, { body: 'x' });
  assert.equal(r.status, 303);
  const etag = createHash('md5').update('x').digest('hex');
  assert.equal(r.headers.get('location'), `${target}&bucket=${Bucket}&key=redirect%2Fa+b.txt&etag=%22${etag}%22`);
  const relative = await presigned(c, 'redirect/rel', { Fields: { redirect: '/not/a/url' } });
  assert.equal((await post(relative.url, relative.fields)).status, 204);
});

test('boto3 generate_presigned_post (SigV2 by default here, and SigV4): its fields and policy upload through a form post', async () => {
  for (const version of ['s3', 's3v4']) {
    const script = `
import boto3, json
from botocore.config import Config
s3 = boto3.client('s3', endpoint_url='${nimbus.url}', region_name='${region}', config=Config(signature_version='${version}'))
p = s3.generate_presigned_post('${Bucket}', 'boto-${version}/\${filename}', Fields={'Content-Type': 'image/png', 'x-amz-meta-by': 'boto3'},
    Conditions=[{'Content-Type': 'image/png'}, {'x-amz-meta-by': 'boto3'}, ['content-length-range', 1, 100]], ExpiresIn=300)
print(json.dumps(p))`;
    const out = await runCli('python3', ['-c', script]);
    assert.equal(out.code, 0, out.stderr);
    const { url, fields } = JSON.parse(out.stdout) as { url: string; fields: Record<string, string> };
    assert.equal(url, `${nimbus.url}/${Bucket}`);
    assert.ok(
      version === 's3' ? fields.AWSAccessKeyId && fields.signature : fields['x-amz-algorithm'] === 'AWS4-HMAC-SHA256',
      JSON.stringify(fields),
    );
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    const r = await post(url, fields, { body: png, name: 'pixel.png' });
    assert.equal(r.status, 204, await r.clone().text());
    const got = await c.send(new GetObjectCommand({ Bucket, Key: `boto-${version}/pixel.png` }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), png);
    assert.equal(got.ContentType, 'image/png');
    assert.deepEqual(got.Metadata, { by: 'boto3' });
  }
});

test('a real browser submits an HTML form with the presigned fields and a chosen file, and a page script posts FormData with fetch', async () => {
  const { url, fields } = await presigned(c, 'browser/${filename}', {
    Fields: { 'Content-Type': 'text/csv', 'x-amz-meta-source': 'chromium', success_action_status: '201' },
    Conditions: [['starts-with', '$x-amz-meta-source', '']],
  });
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, '&quot;')}">`)
    .join('\n');
  const html = `<!doctype html><form id="f" action="${url}" method="post" enctype="multipart/form-data">
${inputs}
<input type="file" name="file"><input type="submit" name="submit" value="Upload"></form>`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setContent(html);
    const csv = Buffer.from('id,name\n1,ada\n2,grace\n');
    await page.setInputFiles('input[type=file]', { name: 'people.csv', mimeType: 'text/csv', buffer: csv });
    const [response] = await Promise.all([page.waitForNavigation(), page.click('input[type=submit]')]);
    assert.equal(response?.status(), 201);
    assert.match(await response!.text(), /<Key>browser\/people\.csv<\/Key>/);
    const got = await c.send(new GetObjectCommand({ Bucket, Key: 'browser/people.csv' }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), csv);
    assert.equal(got.ContentType, 'text/csv');
    assert.deepEqual(got.Metadata, { source: 'chromium' });

    // the other common use: a page's script posts FormData with fetch (a cross-origin request the bucket's CORS admits)
    await c.send(
      new PutBucketCorsCommand({
        Bucket,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['POST'], ExposeHeaders: ['ETag'] }] },
      }),
    );
    const script = await presigned(c, 'browser/from-script.txt');
    const other = await browser.newPage();
    await other.setContent('<!doctype html><p>uploader</p>');
    const result = await other.evaluate(async ({ url: target, fields: form }) => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(form)) fd.append(k, v);
      fd.append('file', new Blob(['sent by fetch'], { type: 'text/plain' }), 'ignored.txt');
      const r = await fetch(target, { method: 'POST', body: fd });
      return { status: r.status, etag: r.headers.get('etag') };
    }, script);
    assert.deepEqual(result, { status: 204, etag: `"${createHash('md5').update('sent by fetch').digest('hex')}"` });
    assert.equal(
      await (await c.send(new GetObjectCommand({ Bucket, Key: 'browser/from-script.txt' }))).Body!.transformToString(),
      'sent by fetch',
    );
  } finally {
    await browser.close();
  }
});

test('a field that fails its condition is AccessDenied naming the condition as S3 prints it', async () => {
  const { url, fields } = await presigned(c, 'exact-key', {
    Fields: { 'Content-Type': 'text/plain' },
    Conditions: [['starts-with', '$Content-Type', 'text/']],
  });
  const wrongKey = await s3Error(await post(url, { ...fields, key: 'other-key' }));
  assert.equal(wrongKey.status, 403);
  assert.equal(wrongKey.Code, 'AccessDenied');
  assert.equal(wrongKey.Message, 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "exact-key"]');
  // conditions are judged in the policy's order (the SDK puts the caller's first)
  const wrongType = await s3Error(await post(url, { ...fields, 'Content-Type': 'image/png' }));
  assert.equal(wrongType.Message, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "text/"]');
  const wrongSubtype = await s3Error(await post(url, { ...fields, 'Content-Type': 'text/html' }));
  assert.equal(wrongSubtype.Message, 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "text/plain"]');
  // a condition on a field the form lacks fails too, even starts-with ""
  const form = signedFields([{ bucket: Bucket }, ['starts-with', '$key', ''], ['starts-with', '$x-amz-meta-note', '']]);
  const missing = await s3Error(await post(bucketUrl(nimbus), [['key', 'no-note'], ...form]));
  assert.equal(missing.Message, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$x-amz-meta-note", ""]');
  // names are matched case-insensitively, values exactly; the bucket is the one posted to
  const mixed = signedFields([{ BUCKET: Bucket }, ['STARTS-WITH', '$Key', 'ok/'], { 'X-Amz-Meta-Tag': 'v' }]);
  assert.equal((await post(bucketUrl(nimbus), [['KEY', 'ok/1'], ['x-amz-meta-tag', 'v'], ...mixed])).status, 204);
  const otherBucket = signedFields([{ bucket: 'elsewhere' }, ['starts-with', '$key', '']]);
  assert.equal(
    (await s3Error(await post(bucketUrl(nimbus), [['key', 'k'], ...otherBucket]))).Message,
    'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "elsewhere"]',
  );
  await absent(c, 'other-key');
  await absent(c, 'no-note');
});

test('a field no condition covers is "Extra input fields"; x-ignore- fields are exempt', async () => {
  const { url, fields } = await presigned(c, 'extra');
  const e = await s3Error(await post(url, { ...fields, 'X-Amz-Meta-Extra': 'surprise' }));
  assert.deepEqual(
    [e.status, e.Code, e.Message],
    [403, 'AccessDenied', 'Invalid according to Policy: Extra input fields: X-Amz-Meta-Extra'],
  );
  assert.equal((await post(url, { ...fields, 'x-ignore-tracking': '1' })).status, 204);
});

test('content-length-range: EntityTooLarge / EntityTooSmall with the sizes, bounds inclusive', async () => {
  const { url, fields } = await presigned(c, 'sized', { Conditions: [['content-length-range', 5, 10]] });
  const large = await s3Error(await post(url, fields, { body: 'x'.repeat(12) }));
  assert.deepEqual(
    [large.status, large.Code, large.Message, large.ProposedSize, large.MaxSizeAllowed],
    [400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', '12', '10'],
  );
  const small = await s3Error(await post(url, fields, { body: 'x' }));
  assert.deepEqual(
    [small.status, small.Code, small.Message, small.ProposedSize, small.MinSizeAllowed],
    [400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', '1', '5'],
  );
  await absent(c, 'sized');
  for (const n of [5, 10]) assert.equal((await post(url, fields, { body: 'x'.repeat(n) })).status, 204);
  const form = signedFields([{ bucket: Bucket }, { key: 'range' }, ['content-length-range', 'test', '10']]);
  assert.equal(
    (await s3Error(await post(bucketUrl(nimbus), [['key', 'range'], ...form]))).Message,
    'Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]',
  );
});

test('the key must come before the file: InvalidArgument naming it; a form without a file is refused', async () => {
  const { url, fields } = await presigned(c, 'ordered');
  const { key, ...rest } = fields;
  const e = await s3Error(await post(url, rest, { body: 'data' }, { key }));
  assert.deepEqual(
    [e.status, e.Code, e.Message, e.ArgumentName, e.ArgumentValue],
    [
      400,
      'InvalidArgument',
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
      'key',
      '',
    ],
  );
  const noFile = await s3Error(await post(url, fields, null));
  assert.deepEqual(
    [noFile.status, noFile.Message, noFile.ArgumentName],
    [400, 'POST requires exactly one file upload per request.', 'file'],
  );
  await absent(c, 'ordered');
});

test('signature fields come all together: a missing one is named', async () => {
  const { url, fields } = await presigned(c, 'unsigned');
  const { 'X-Amz-Signature': _signature, ...noSignature } = fields;
  const e = await s3Error(await post(url, noSignature));
  assert.deepEqual(
    [e.status, e.Code, e.Message, e.ArgumentName],
    [
      400,
      'InvalidArgument',
      "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.",
      'X-Amz-Signature',
    ],
  );
  const { 'X-Amz-Algorithm': _a, 'X-Amz-Credential': _c, ...noAlgorithm } = fields;
  assert.equal((await s3Error(await post(url, noAlgorithm))).ArgumentName, 'X-Amz-Algorithm');
  // a policy nobody signed is no authority
  assert.deepEqual(await s3Error(await post(url, { key: 'unsigned', Policy: fields.Policy })).then((x) => [x.status, x.Code, x.Message]), [
    403,
    'AccessDenied',
    'Access Denied',
  ]);
});

test('with IAM enforced the signature is verified: SignatureDoesNotMatch returns the policy as StringToSign; unknown keys are refused', async () => {
  const { url, fields } = await presigned(sc, 'verified');
  const tampered = fields['X-Amz-Signature'].replace(/^./, (ch) => (ch === '0' ? '1' : '0'));
  const e = await s3Error(await post(url, { ...fields, 'X-Amz-Signature': tampered }));
  assert.deepEqual(
    [e.status, e.Code, e.AWSAccessKeyId, e.StringToSign, e.SignatureProvided],
    [403, 'SignatureDoesNotMatch', 'test', fields.Policy, tampered],
  );
  assert.equal(
    e.StringToSignBytes,
    Buffer.from(fields.Policy)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 '),
  );
  const wrongSecret = signedFields([{ bucket: Bucket }, { key: 'verified' }], { secret: 'not-test' });
  assert.equal((await s3Error(await post(bucketUrl(strict), [['key', 'verified'], ...wrongSecret]))).Code, 'SignatureDoesNotMatch');
  const unknown = signedFields([{ bucket: Bucket }, { key: 'verified' }], { keyId: 'AKIDUNKNOWN' });
  const u = await s3Error(await post(bucketUrl(strict), [['key', 'verified'], ...unknown]));
  assert.deepEqual([u.status, u.Code, u.AWSAccessKeyId], [403, 'InvalidAccessKeyId', 'AKIDUNKNOWN']);
  await absent(sc, 'verified');
  assert.equal((await post(url, fields)).status, 204);
});

test("AWS's documented SigV4 POST example verifies byte for byte (its 2015 policy then fails as expired)", async () => {
  strict.runtime.credentials.issue({
    accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    principal: { kind: 'user', account: '111122223333', arn: 'arn:aws:iam::111122223333:user/example', userId: 'AIDAEXAMPLE' },
  });
  const policyJson =
    '{ "expiration": "2015-12-30T12:00:00.000Z",\r\n  "conditions": [\r\n    {"bucket": "sigv4examplebucket"},\r\n    ["starts-with", "$key", "user/user1/"],\r\n    {"acl": "public-read"},\r\n    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},\r\n    ["starts-with", "$Content-Type", "image/"],\r\n    {"x-amz-meta-uuid": "14365123651274"},\r\n    {"x-amz-server-side-encryption": "AES256"},\r\n    ["starts-with", "$x-amz-meta-tag", ""],\r\n\r\n    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},\r\n    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},\r\n    {"x-amz-date": "20151229T000000Z" }\r\n  ]\r\n}';
  const Policy = Buffer.from(policyJson).toString('base64');
  await sc.send(new CreateBucketCommand({ Bucket: 'sigv4examplebucket' }));
  const form = (signature: string): Fields => [
    ['key', 'user/user1/${filename}'],
    ['acl', 'public-read'],
    ['success_action_redirect', 'http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html'],
    ['Content-Type', 'image/jpeg'],
    ['x-amz-meta-uuid', '14365123651274'],
    ['x-amz-server-side-encryption', 'AES256'],
    ['X-Amz-Credential', 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request'],
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Date', '20151229T000000Z'],
    ['x-amz-meta-tag', ''],
    ['Policy', Policy],
    ['X-Amz-Signature', signature],
  ];
  const ok = await s3Error(
    await post(`${strict.url}/sigv4examplebucket`, form('8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e'), {
      body: 'jpeg',
      name: 'photo.jpg',
    }),
  );
  assert.deepEqual([ok.Code, ok.Message], ['AccessDenied', 'Invalid according to Policy: Policy expired.']);
  const bad = await s3Error(
    await post(`${strict.url}/sigv4examplebucket`, form('9afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e'), {
      body: 'jpeg',
      name: 'photo.jpg',
    }),
  );
  assert.equal(bad.Code, 'SignatureDoesNotMatch');
});

test("session credentials: the SDK adds X-Amz-Security-Token, which must be the session's", async () => {
  const sts = new STSClient(clientConfig(strict.url));
  const { Credentials } = await sts.send(new GetSessionTokenCommand({}));
  const session = new S3Client(
    clientConfig(strict.url, {
      forcePathStyle: true,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    }),
  );
  const { url, fields } = await presigned(session, 'session/object');
  assert.equal(fields['X-Amz-Security-Token'], Credentials!.SessionToken);
  const e = await s3Error(await post(url, { ...fields, 'X-Amz-Security-Token': 'forged' }));
  assert.equal(e.Code, 'InvalidAccessKeyId');
  assert.equal((await post(url, fields)).status, 204);
});

test('malformed policies are InvalidPolicyDocument', async () => {
  const cases: Array<[string, string]> = [
    ['not json', 'Invalid Policy: Invalid JSON.'],
    ['{"conditions": []}', 'Invalid Policy: Policy missing expiration.'],
    ['{"expiration": "2099-01-01T00:00:00Z"}', 'Invalid Policy: Policy missing conditions.'],
    ['{"expiration": "2099-01-01 00:00:00", "conditions": []}', "Invalid Policy: Invalid 'expiration' value: '2099-01-01 00:00:00'"],
    [
      '{"expiration": "2099-01-01T00:00:00Z", "conditions": [{"key": "a", "acl": "private"}]}',
      'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.',
    ],
    [
      '{"expiration": "2099-01-01T00:00:00Z", "conditions": [{"key": 5}]}',
      'Invalid Policy: Invalid Simple-Condition: value must be a string.',
    ],
    ['{"expiration": "2099-01-01T00:00:00Z", "conditions": [["content-length-range", 0, 512.5]]}', 'Invalid Policy: Invalid JSON.'],
    [
      '{"expiration": "2099-01-01T00:00:00Z", "conditions": [["content-length-range", 0]]}',
      'Invalid Policy: Invalid content-length-range: wrong number of arguments.',
    ],
    [
      '{"expiration": "2099-01-01T00:00:00Z", "conditions": [["matches", "$key", "a"]]}',
      "Invalid Policy: Invalid Condition: unknown operation 'matches'.",
    ],
  ];
  for (const [rawPolicy, message] of cases) {
    const e = await s3Error(await post(bucketUrl(nimbus), [['key', 'bad-policy'], ...signedFields([], { rawPolicy })]));
    assert.deepEqual([e.status, e.Code, e.Message], [400, 'InvalidPolicyDocument', message], rawPolicy);
  }
  await absent(c, 'bad-policy');
});

test('a body that is not multipart/form-data: 412 PreconditionFailed; a broken one (no boundary, no closing delimiter) MalformedPOSTRequest; nothing stored', async () => {
  const notForm = await s3Error(
    await fetch(bucketUrl(nimbus), { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'key=x' }),
  );
  assert.deepEqual(
    [notForm.status, notForm.Code, notForm.Message, notForm.Condition],
    [
      412,
      'PreconditionFailed',
      'At least one of the pre-conditions you specified did not hold',
      'Bucket POST must be of the enclosure-type multipart/form-data',
    ],
  );
  const noBoundary = await s3Error(
    await fetch(bucketUrl(nimbus), { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: '--x\r\n' }),
  );
  assert.deepEqual(
    [noBoundary.status, noBoundary.Code, noBoundary.Message],
    [400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.'],
  );
  // the file part never ends: the closing boundary is missing
  const { fields } = await presigned(c, 'cut-short');
  const request = new Request('http://x', {
    method: 'POST',
    body: (() => {
      const fd = new FormData();
      for (const [k, v] of Object.entries(fields)) fd.append(k, v);
      fd.append('file', new Blob(['abcdef']), 'f');
      return fd;
    })(),
  });
  const whole = Buffer.from(await request.arrayBuffer());
  const cut = whole.subarray(0, whole.lastIndexOf('abcdef') + 3);
  const r = await fetch(bucketUrl(nimbus), {
    method: 'POST',
    headers: { 'content-type': request.headers.get('content-type')! },
    body: cut,
  });
  assert.deepEqual(await s3Error(r).then((e) => [e.status, e.Code]), [400, 'MalformedPOSTRequest']);
  await absent(c, 'cut-short');
  // hand-written forms to a bucket anyone may write: a cut-short part after the file (a second file, a field) is still a broken form
  await c.send(new CreateBucketCommand({ Bucket: 'post-broken', ObjectOwnership: 'ObjectWriter' }));
  await c.send(new PutBucketAclCommand({ Bucket: 'post-broken', ACL: 'public-read-write' }));
  const part = (name: string, file: boolean) =>
    `--XyZ\r\nContent-Disposition: form-data; name="${name}"${file ? '; filename="a"' : ''}\r\n\r\n`;
  const head = `${part('key', false)}k\r\n${part('file', true)}one\r\n`;
  for (const body of [
    `${head}${part('file', true)}two, cut`,
    `${head}${part('x', false)}unfinished`,
    `${part('key', false)}k\r\n${part('file', true)}cut`,
  ]) {
    const res = await fetch(`${nimbus.url}/post-broken`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
      body,
    });
    assert.deepEqual(await s3Error(res).then((e) => [e.status, e.Code]), [400, 'MalformedPOSTRequest'], body);
  }
  await rejects(c.send(new HeadObjectCommand({ Bucket: 'post-broken', Key: 'k' })), 'NotFound', 404);
  // a second file after the first is ignored, as every part after it
  const twoFiles = await fetch(`${nimbus.url}/post-broken`, {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    body: `${head}${part('file', true)}two\r\n--XyZ--\r\n`,
  });
  assert.equal(twoFiles.status, 204);
  assert.equal(await (await c.send(new GetObjectCommand({ Bucket: 'post-broken', Key: 'k' }))).Body!.transformToString(), 'one');
});

test('fields before the file are limited to 20 KB: MaxPostPreDataLengthExceeded', async () => {
  const { url, fields } = await presigned(c, 'big-fields');
  const e = await s3Error(await post(url, { ...fields, 'x-ignore-padding': 'p'.repeat(21_000) }));
  assert.deepEqual([e.status, e.Code, e.MaxPostPreDataLengthBytes], [400, 'MaxPostPreDataLengthExceeded', '20480']);
});

test('anonymous uploads (no policy) only where the bucket lets everyone write', async () => {
  const e = await s3Error(await post(bucketUrl(nimbus), { key: 'anon/private' }));
  assert.deepEqual([e.status, e.Code, e.Message], [403, 'AccessDenied', 'Access Denied']);
  await c.send(new CreateBucketCommand({ Bucket: 'post-public', ObjectOwnership: 'ObjectWriter' }));
  await c.send(new PutBucketAclCommand({ Bucket: 'post-public', ACL: 'public-read-write' }));
  assert.equal(
    (await post(`${nimbus.url}/post-public`, { key: 'anon/acl', 'Content-Type': 'text/plain' }, { body: 'by acl' })).status,
    204,
  );
  await c.send(new CreateBucketCommand({ Bucket: 'post-policy' }));
  await c.send(
    new PutBucketPolicyCommand({
      Bucket: 'post-policy',
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::post-policy/drop/*' }],
      }),
    }),
  );
  assert.equal((await post(`${nimbus.url}/post-policy`, { key: 'drop/anon' })).status, 204);
  assert.equal((await s3Error(await post(`${nimbus.url}/post-policy`, { key: 'elsewhere/anon' }))).Code, 'AccessDenied');
  const got = await c.send(new GetObjectCommand({ Bucket: 'post-public', Key: 'anon/acl' }));
  assert.equal(await got.Body!.transformToString(), 'by acl');
});

test('virtual-hosted style: POST / on <bucket>.localhost', async () => {
  const { fields } = await presigned(c, 'vhost/object');
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('file', new Blob(['via host']), 'f.txt');
  const request = new Request('http://x', { method: 'POST', body: fd });
  const body = Buffer.from(await request.arrayBuffer());
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: nimbus.port,
        method: 'POST',
        path: '/',
        headers: {
          host: `${Bucket}.localhost:${nimbus.port}`,
          'content-type': request.headers.get('content-type')!,
          'content-length': body.length,
        },
      },
      resolve,
    );
    req.on('error', reject);
    req.end(body);
  });
  res.resume();
  assert.equal(res.statusCode, 204);
  assert.equal(res.headers.location, `http://${Bucket}.localhost:${nimbus.port}/vhost%2Fobject`);
  assert.equal(await (await c.send(new GetObjectCommand({ Bucket, Key: 'vhost/object' }))).Body!.transformToString(), 'via host');
});

test('versioning and events: each POST is a new version, announced as s3:ObjectCreated:Post', async () => {
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'post-events' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const B = 'post-versions';
  await c.send(new CreateBucketCommand({ Bucket: B }));
  await c.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: B,
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: Attributes!.QueueArn!, Events: ['s3:ObjectCreated:Post'] }],
      },
    }),
  );
  const ids: string[] = [];
  for (const body of ['one', 'two']) {
    const { url, fields } = await createPresignedPost(c, { Bucket: B, Key: 'doc' });
    const r = await post(url, fields, { body });
    assert.equal(r.status, 204);
    ids.push(r.headers.get('x-amz-version-id')!);
  }
  const versions = await c.send(new ListObjectVersionsCommand({ Bucket: B }));
  assert.deepEqual(
    versions.Versions?.map((v) => v.VersionId),
    [...ids].reverse(),
  );
  const events: string[] = [];
  for (let i = 0; i < 5 && events.length < 2; i++) {
    const m = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const msg of m.Messages ?? []) {
      const body = JSON.parse(msg.Body!) as { Records?: Array<{ eventName: string; s3: { object: { key: string; size: number } } }> };
      for (const r of body.Records ?? []) events.push(`${r.eventName} ${r.s3.object.key} ${r.s3.object.size}`);
    }
  }
  assert.deepEqual(events, ['ObjectCreated:Post doc 3', 'ObjectCreated:Post doc 3']);
});

test('an upload the client abandons mid-file stores nothing', async () => {
  const { fields } = await presigned(c, 'abandoned');
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  fd.append('file', new Blob([Buffer.alloc(256 * 1024, 1)]), 'big.bin');
  const request = new Request('http://x', { method: 'POST', body: fd });
  const body = Buffer.from(await request.arrayBuffer());
  await new Promise<void>((resolve) => {
    const req = http.request({
      host: '127.0.0.1',
      port: nimbus.port,
      method: 'POST',
      path: `/${Bucket}`,
      headers: {
        'content-type': request.headers.get('content-type')!,
        'content-length': body.length,
      },
    });
    req.on('error', () => resolve());
    req.write(body.subarray(0, body.length / 2), () => req.destroy());
  });
  // the server has seen the close by the time it answers the next request on a new connection
  const later = await presigned(c, 'after-abandoned');
  assert.equal((await post(later.url, later.fields)).status, 204);
  await absent(c, 'abandoned');
});

// last but one: it moves this server's clock
test('the policy expires on the virtual clock', async () => {
  const { url, fields } = await presigned(c, 'expiring', { Expires: 3600 });
  await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '2h' }) });
  const e = await s3Error(await post(url, fields));
  assert.deepEqual([e.status, e.Code, e.Message], [403, 'AccessDenied', 'Invalid according to Policy: Policy expired.']);
  await absent(c, 'expiring');
  // signed after the advance by the client's real clock, it is judged from then on (x-amz-date has whole
  // seconds: an advance in the same second may count as after the signing, so the window outlasts it)
  const fresh = await presigned(c, 'expiring', { Expires: 3 * 3600 });
  assert.equal((await post(fresh.url, fresh.fields)).status, 204);
});

test('a 64 MiB file streams to disk: the server process does not hold it in memory', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-post-'));
  const server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const client = new S3Client(clientConfig(server.url, { forcePathStyle: true }));
    await client.send(new CreateBucketCommand({ Bucket }));
    const size = 64 * 1024 * 1024;
    const path = join(dataDir, 'source.bin');
    const chunk = createHash('sha512').update('seed').digest();
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += chunk.length) chunk.copy(data, i);
    writeFileSync(path, data);
    const md5 = createHash('md5').update(data).digest('hex');
    const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.proc.pid}/status`, 'utf8'))![1]) * 1024;
    // warm the upload path (libraries, heap) with a quarter of the size, so what is measured is the large body
    const warm = await createPresignedPost(client, { Bucket, Key: 'warm' });
    assert.equal((await post(warm.url, warm.fields, { body: data.subarray(0, size / 4) })).status, 204);
    const before = peak();

    const { url, fields } = await createPresignedPost(client, {
      Bucket,
      Key: 'large.bin',
      Conditions: [['content-length-range', 0, size]],
    });
    const fd = new FormData();
    for (const [k, v] of Object.entries(fields)) fd.append(k, v);
    fd.append('file', await openAsBlob(path), 'large.bin'); // read from disk as it is sent
    const r = await fetch(url, { method: 'POST', body: fd });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('etag'), `"${md5}"`);
    const grown = peak() - before;
    // holding the body would take 64 MiB; chunks the GC has not yet collected take up to ~32 MiB
    assert.ok(grown < size * 0.75, `peak RSS grew by ${(grown / 1048576).toFixed(1)} MiB for a ${size / 1048576} MiB upload`);

    const got = await client.send(new GetObjectCommand({ Bucket, Key: 'large.bin' }));
    const hash = createHash('md5');
    for await (const part of got.Body as AsyncIterable<Buffer>) hash.update(part);
    assert.equal(hash.digest('hex'), md5);
    // the bytes live in a blob file of their own
    const blobs = readdirSync(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    assert.ok(blobs.some((e) => statSync(join(e.parentPath, e.name)).size === size));
  } finally {
    await server.stop();
  }
});
