// S3 integrity: flexible checksums in headers and aws-chunked trailers (the SDK v3 defaults),
// Content-MD5, x-amz-content-sha256, and bad input that must store nothing: wrong digests,
// truncated bodies, bad chunk signatures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import type { ChecksumAlgorithm } from '@aws-sdk/client-s3';
import { STSClient, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig, credentials, region } from '../helpers.js';

let c: S3Client;
const Bucket = 'integrity';
const nimbus = serverForFile(async () => {
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  await c.send(new CreateBucketCommand({ Bucket }));
});

const rejects = (p: Promise<unknown>, name: string, status?: number, message?: RegExp) =>
  assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (status) assert.equal(e.$metadata?.httpStatusCode, status);
    if (message) assert.match(e.message, message);
    return true;
  });
// Reference digests computed here, independently of what the SDK sent and the server answered
const require = createRequire(import.meta.url);
const { Crc32 } = require('@aws-crypto/crc32') as { Crc32: new () => { update(b: Uint8Array): void; digest(): number } };
const { Crc32c } = require('@aws-crypto/crc32c') as { Crc32c: new () => { update(b: Uint8Array): void; digest(): number } };
const { Crc64Nvme } = require('@aws-sdk/crc64-nvme') as {
  Crc64Nvme: new () => { update(b: Uint8Array): void; digest(): Promise<Uint8Array> };
};
async function digest(alg: string, data: Buffer): Promise<string> {
  if (alg === 'SHA1' || alg === 'SHA256') return createHash(alg.toLowerCase()).update(data).digest('base64');
  if (alg === 'CRC64NVME') {
    const h = new Crc64Nvme();
    h.update(data);
    return Buffer.from(await h.digest()).toString('base64');
  }
  const h = alg === 'CRC32' ? new Crc32() : new Crc32c();
  h.update(data);
  const b = Buffer.alloc(4);
  b.writeUInt32BE(h.digest() >>> 0);
  return b.toString('base64');
}

const absent = async (Key: string) => {
  const list = await c.send(new ListObjectsV2Command({ Bucket, Prefix: Key }));
  assert.equal(list.KeyCount, 0, `${Key} must not be stored`);
};

test('every flexible checksum algorithm is validated, stored and returned with ChecksumMode=ENABLED', async () => {
  const body = 'checksummed body';
  const expected: Record<string, string> = {
    CRC32: 'ChecksumCRC32',
    CRC32C: 'ChecksumCRC32C',
    CRC64NVME: 'ChecksumCRC64NVME',
    SHA1: 'ChecksumSHA1',
    SHA256: 'ChecksumSHA256',
  };
  for (const [alg, member] of Object.entries(expected)) {
    const put = await c.send(new PutObjectCommand({ Bucket, Key: `sum/${alg}`, Body: body, ChecksumAlgorithm: alg as ChecksumAlgorithm }));
    const value = (put as unknown as Record<string, string>)[member];
    assert.equal(value, await digest(alg, Buffer.from(body)), `${alg} returned on PUT`);
    const got = await c.send(new GetObjectCommand({ Bucket, Key: `sum/${alg}`, ChecksumMode: 'ENABLED' }));
    assert.equal((got as unknown as Record<string, string>)[member], value);
    assert.equal(got.ChecksumType, 'FULL_OBJECT');
    assert.equal(await got.Body!.transformToString(), body);
    const head = await c.send(new HeadObjectCommand({ Bucket, Key: `sum/${alg}`, ChecksumMode: 'ENABLED' }));
    assert.equal((head as unknown as Record<string, string>)[member], value);
  }
});

test('a streamed body of unknown length goes up aws-chunked with a CRC32 trailer and round-trips', async () => {
  const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  const put = await c.send(
    new PutObjectCommand({
      Bucket,
      Key: 'stream.bin',
      Body: Readable.from([data.subarray(0, 65536), data.subarray(65536)]),
      ContentLength: data.length,
    }),
  );
  assert.equal(put.ChecksumCRC32, await digest('CRC32', data));
  const got = await c.send(new GetObjectCommand({ Bucket, Key: 'stream.bin' }));
  const back = Buffer.from(await got.Body!.transformToByteArray());
  assert.ok(back.equals(data));
  assert.equal(put.ETag, `"${createHash('md5').update(data).digest('hex')}"`);
});

test('a wrong x-amz-checksum-crc32 is BadDigest, a malformed one InvalidRequest; nothing is stored', async () => {
  await rejects(
    c.send(new PutObjectCommand({ Bucket, Key: 'bad-crc', Body: 'data', ChecksumCRC32: 'AAAAAA==' })),
    'BadDigest',
    400,
    /The CRC32 you specified did not match the calculated checksum\./,
  );
  await rejects(
    c.send(new PutObjectCommand({ Bucket, Key: 'bad-crc', Body: 'data', ChecksumSHA256: 'short' })),
    'InvalidRequest',
    400,
    /Value for x-amz-checksum-sha256 header is invalid\./,
  );
  await absent('bad-crc');
});

test('Content-MD5: a matching digest is accepted, a wrong one is BadDigest and stores nothing', async () => {
  const md5 = createHash('md5').update('md5 body').digest('base64');
  await c.send(new PutObjectCommand({ Bucket, Key: 'md5-ok', Body: 'md5 body', ContentMD5: md5 }));
  await rejects(
    c.send(new PutObjectCommand({ Bucket, Key: 'md5-bad', Body: 'other body', ContentMD5: md5 })),
    'BadDigest',
    400,
    /The Content-MD5 you specified did not match what we received\./,
  );
  await rejects(c.send(new PutObjectCommand({ Bucket, Key: 'md5-bad', Body: 'other body', ContentMD5: 'notmd5' })), 'InvalidDigest', 400);
  await absent('md5-bad');
});

test('bodies of 1 MiB and more (hashed in a worker thread) get the same digests and the same refusals', async () => {
  const data = Buffer.alloc(2 * 1024 * 1024 + 5);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 251;
  const md5 = createHash('md5').update(data).digest('hex');
  for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
    const put = await c.send(new PutObjectCommand({ Bucket, Key: `big-sum/${alg}`, Body: data, ChecksumAlgorithm: alg }));
    assert.equal(put.ETag, `"${md5}"`);
    const member = `Checksum${alg}` as const;
    assert.equal(put[member], await digest(alg, data), `${alg} returned`);
    const head = await c.send(new HeadObjectCommand({ Bucket, Key: `big-sum/${alg}`, ChecksumMode: 'ENABLED' }));
    assert.equal(head[member], put[member]);
  }
  await rejects(
    c.send(new PutObjectCommand({ Bucket, Key: 'big-bad', Body: data, ChecksumCRC32: 'AAAAAA==' })),
    'BadDigest',
    400,
    /The CRC32 you specified/,
  );
  await rejects(
    c.send(new PutObjectCommand({ Bucket, Key: 'big-bad', Body: data, ContentMD5: createHash('md5').update('x').digest('base64') })),
    'BadDigest',
    400,
    /Content-MD5/,
  );
  const req = await signed('PUT', `/${Bucket}/big-bad`, {
    'x-amz-content-sha256': createHash('sha256').update('claimed').digest('hex'),
    'content-length': String(data.length),
  });
  const res = await send(req, [data]);
  assert.equal(res.status, 400);
  assert.match(res.body, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
  await absent('big-bad');
});

// ---- raw requests: what the SDKs never send

const signer = (creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = credentials) =>
  new SignatureV4({ credentials: creds, region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });

async function signed(method: string, path: string, headers: Record<string, string>, creds?: Parameters<typeof signer>[0]) {
  const url = new URL(nimbus.url);
  const req = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { host: url.host, ...headers },
  });
  return (await signer(creds).sign(req)) as HttpRequest;
}

/** Sends headers and body pieces; `cut` closes the connection after the pieces instead of finishing. */
function send(req: HttpRequest, pieces: Buffer[], cut = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: req.hostname, port: req.port, method: req.method, path: req.path, headers: req.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    r.on('error', (e) => (cut ? resolve({ status: 0, body: String(e) }) : reject(e)));
    for (const p of pieces) r.write(p);
    if (cut) setTimeout(() => r.destroy(), 100);
    else r.end();
  });
}

/** Sends headers and the first piece of a body that never finishes; resolves with the server's early answer. */
function answerBeforeBody(req: HttpRequest, piece: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: req.hostname, port: req.port, method: req.method, path: req.path, headers: req.headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode!, body });
        r.destroy();
      });
    });
    r.on('error', reject);
    r.write(piece);
    // a server that waits for the rest of the body has not answered from the headers: fail, do not hang
    r.setTimeout(10_000, () => r.destroy(new Error('no answer before the body was sent')));
  });
}

test('x-amz-content-sha256 that does not match the body is XAmzContentSHA256Mismatch; nothing stored', async () => {
  const req = await signed('PUT', `/${Bucket}/sha-mismatch`, {
    'x-amz-content-sha256': createHash('sha256').update('claimed').digest('hex'),
    'content-length': '6',
  });
  const res = await send(req, [Buffer.from('actual')]);
  assert.equal(res.status, 400);
  assert.match(res.body, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
  await absent('sha-mismatch');
});

test('a body cut short before Content-Length leaves no object', async () => {
  const req = await signed('PUT', `/${Bucket}/truncated`, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': '100000' });
  await send(req, [Buffer.alloc(50_000, 1)], true);
  await new Promise((r) => setTimeout(r, 200));
  await absent('truncated');
});

test('an aws-chunked body with a bad chunk signature is refused and leaves no object', async () => {
  // keys Nimbus issued are verified (unknown keys are accepted unverified)
  const { Credentials: k } = await new STSClient(clientConfig(nimbus.url)).send(new GetSessionTokenCommand({}));
  const session = { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey!, sessionToken: k!.SessionToken! };
  const data = Buffer.alloc(70_000, 3);
  const body = Buffer.concat([
    Buffer.from(`${(65536).toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`),
    data.subarray(0, 65536),
    Buffer.from('\r\n'),
    Buffer.from(`${(data.length - 65536).toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`),
    data.subarray(65536),
    Buffer.from('\r\n'),
    Buffer.from(`0;chunk-signature=${'0'.repeat(64)}\r\n\r\n`),
  ]);
  const req = await signed(
    'PUT',
    `/${Bucket}/bad-chunks`,
    {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
      'content-length': String(body.length),
    },
    session,
  );
  const res = await send(req, [body]);
  assert.equal(res.status, 403, res.body);
  assert.match(res.body, /<Code>SignatureDoesNotMatch<\/Code>/);
  await absent('bad-chunks');
});

test('an unsigned aws-chunked body whose trailer checksum is wrong is BadDigest; nothing stored', async () => {
  const data = Buffer.from('trailer data');
  const body = Buffer.concat([
    Buffer.from(`${data.length.toString(16)}\r\n`),
    data,
    Buffer.from('\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'),
  ]);
  const req = await signed('PUT', `/${Bucket}/bad-trailer`, {
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'content-encoding': 'aws-chunked',
    'x-amz-trailer': 'x-amz-checksum-crc32',
    'x-amz-decoded-content-length': String(data.length),
    'content-length': String(body.length),
  });
  const res = await send(req, [body]);
  assert.equal(res.status, 400, res.body);
  assert.match(res.body, /<Code>BadDigest<\/Code>/);
  await absent('bad-trailer');
});

test('a PUT without Content-Length is MissingContentLength (411); one over 5 GiB is EntityTooLarge', async () => {
  const noLength = await signed('PUT', `/${Bucket}/no-length`, {
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    'transfer-encoding': 'chunked',
  });
  const res = await send(noLength, [Buffer.from('some data')]);
  assert.equal(res.status, 411, res.body);
  assert.match(res.body, /<Code>MissingContentLength<\/Code>/);
  const huge = await signed('PUT', `/${Bucket}/huge`, {
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    'content-length': String(6 * 1024 ** 3),
  });
  // answered from the headers alone: the body is never sent
  const big = await answerBeforeBody(huge, Buffer.alloc(1024));
  assert.equal(big.status, 400, big.body);
  assert.match(big.body, /<Code>EntityTooLarge<\/Code>/);
  assert.match(big.body, /<ProposedSize>6442450944<\/ProposedSize>/);
  await absent('no-length');
  await absent('huge');
});
