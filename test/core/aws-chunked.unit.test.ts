// aws-chunked decoding (S3's streamed uploads), against AWS's published examples and streams made by the SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { HttpRequest } from '@smithy/protocol-http';
import { S3Client, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { checkSkew, EMPTY_SHA256, parseAuth, signingKey, verify, type AuthRequest, type ParsedAuth } from '../../src/gateway/sigv4.js';
import { AwsChunkedDecoder, decodeAwsChunked, type AwsChunkedOptions, type ChunkVerification } from '../../src/gateway/aws-chunked.js';
import { ServiceError } from '../../src/services/errors.js';

import {
  type Req,
  sha256,
  hmacHex,
  throwsAws,
  check,
  DOC_SECRET,
  docAuth,
  SECRET,
  SIGNING_DATE,
  signer,
  onWire,
} from './sigv4-fixtures.js';

// ---- aws-chunked -------------------------------------------------------------------------------

/** Feeds `body` to a decoder in pieces of the sizes `piece()` picks; resolves with data and trailers. */
async function decodeInPieces(body: Buffer, opts: AwsChunkedOptions, piece: () => number) {
  const dec = new AwsChunkedDecoder(opts);
  const out: Buffer[] = [];
  dec.on('data', (b: Buffer) => out.push(b));
  const done = new Promise<void>((resolve, reject) => {
    dec.on('end', resolve);
    dec.on('error', reject);
  });
  for (let i = 0; i < body.length && !dec.destroyed;) {
    const n = Math.max(1, Math.min(piece(), body.length - i));
    dec.write(body.subarray(i, i + n));
    i += n;
  }
  if (!dec.destroyed) dec.end();
  await done;
  return { data: Buffer.concat(out), trailers: dec.trailers };
}

const onesAtATime = () => 1;
const randomSizes = () => 1 + Math.floor(Math.random() ** 3 * 20000);

/** An independent encoder: aws-chunked framing, signed like the SDKs sign it when `ctx` is given. */
function encodeChunked(data: Buffer, chunkSize: number, ctx?: ChunkVerification, trailers: [string, string][] = []): Buffer {
  const parts: Buffer[] = [];
  let prev = ctx?.seedSignature ?? '';
  const sig = (chunk: Buffer) => {
    if (!ctx) return '';
    prev = hmacHex(ctx.signingKey, `AWS4-HMAC-SHA256-PAYLOAD\n${ctx.amzDate}\n${ctx.scope}\n${prev}\n${EMPTY_SHA256}\n${sha256(chunk)}`);
    return ';chunk-signature=' + prev;
  };
  for (let i = 0; i < data.length; i += chunkSize) {
    const chunk = data.subarray(i, i + chunkSize);
    parts.push(Buffer.from(chunk.length.toString(16) + sig(chunk) + '\r\n'), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0' + sig(Buffer.alloc(0)) + '\r\n'));
  const lines = trailers.map(([k, v]) => `${k}:${v}\n`).join('');
  parts.push(Buffer.from(lines.replace(/\n/g, '\r\n')));
  if (ctx && trailers.length) {
    const trailerSig = hmacHex(ctx.signingKey, `AWS4-HMAC-SHA256-TRAILER\n${ctx.amzDate}\n${ctx.scope}\n${prev}\n${sha256(lines)}`);
    parts.push(Buffer.from(`x-amz-trailer-signature:${trailerSig}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

// The S3 documentation's streaming example: 64 KiB + 1 KiB of 'a', signed chunks.
const DOC_CHUNKED_REQ: Req = {
  method: 'PUT',
  path: '/examplebucket/chunkObject.txt',
  rawQuery: '',
  headers: {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
    authorization: docAuth(
      'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
      '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
    ),
  },
};
const DOC_DATA = Buffer.alloc(66560, 'a');
const docFrame = (sigs: string[], tail: string) =>
  Buffer.concat([
    Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
    DOC_DATA.subarray(0, 65536),
    Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
    DOC_DATA.subarray(65536),
    Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n${tail}\r\n`),
  ]);
const DOC_CHUNKED_BODY = docFrame(
  [
    'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
    '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
    'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
  ],
  '',
);

test('AWS S3 documentation chunked upload example: seed and every chunk signature verify, in any piece sizes', async () => {
  assert.equal(DOC_CHUNKED_BODY.length, 66824);
  const ctx = check(DOC_CHUNKED_REQ, DOC_SECRET, 's3v4');
  assert.equal(ctx.seedSignature, '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9');
  const opts: AwsChunkedOptions = { mode: 'signed', trailer: false, verify: ctx, decodedLength: 66560 };
  assert.deepEqual(decodeAwsChunked(DOC_CHUNKED_BODY, opts).body, DOC_DATA);
  for (const piece of [onesAtATime, randomSizes]) assert.deepEqual((await decodeInPieces(DOC_CHUNKED_BODY, opts, piece)).data, DOC_DATA);
  // one flipped data byte breaks the first chunk's signature
  const bad = Buffer.from(DOC_CHUNKED_BODY);
  bad[100] = 0x62;
  throwsAws(() => decodeAwsChunked(bad, opts), 'SignatureDoesNotMatch', undefined, 403);
  await assert.rejects(decodeInPieces(bad, opts, randomSizes), { code: 'SignatureDoesNotMatch' });
  // the same body with no key to check against decodes all the same
  assert.deepEqual(decodeAwsChunked(bad, { mode: 'signed', trailer: false }).body.length, 66560);
});

test('AWS S3 documentation trailer example (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER) verifies', async () => {
  const req: Req = {
    ...DOC_CHUNKED_REQ,
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'x-amz-trailer': 'x-amz-checksum-crc32c',
      authorization: docAuth(
        'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
        '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
      ),
    },
  };
  const ctx = check(req, DOC_SECRET, 's3v4');
  const sigs = [
    'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
    '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
    '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
  ];
  const trailerSig = 'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435';
  const body = docFrame(sigs, `x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:${trailerSig}\r\n`);
  const opts: AwsChunkedOptions = { mode: 'signed', trailer: true, verify: ctx, decodedLength: 66560 };
  for (const piece of [onesAtATime, randomSizes]) {
    const out = await decodeInPieces(body, opts, piece);
    assert.deepEqual(out.data, DOC_DATA);
    assert.deepEqual(out.trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  }
  throwsAws(
    () => decodeAwsChunked(docFrame(sigs, `x-amz-checksum-crc32c:sOO8/Q=X\r\nx-amz-trailer-signature:${trailerSig}\r\n`), opts),
    'SignatureDoesNotMatch',
  );
  throwsAws(() => decodeAwsChunked(docFrame(sigs, 'x-amz-checksum-crc32c:sOO8/Q==\r\n'), opts), 'SignatureDoesNotMatch'); // signature left off
});

test('signed stream built for a SignatureV4-signed request, chunk by chunk', async () => {
  const data = randomBytes(200_000);
  const request = new HttpRequest({
    method: 'PUT',
    hostname: 'localhost',
    path: '/bkt/big.bin',
    headers: {
      host: 'localhost',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(data.length),
    },
  });
  const wire = onWire(await signer('s3').sign(request, { signingDate: SIGNING_DATE }));
  const ctx = check(wire, SECRET, 's3v4');
  assert.deepEqual(ctx.signingKey, signingKey(SECRET, '20261124', 'eu-west-1', 's3'));
  const body = encodeChunked(data, 65536, ctx, [['x-amz-checksum-sha256', 'abc=']]);
  const opts: AwsChunkedOptions = { mode: 'signed', trailer: true, verify: ctx, decodedLength: data.length };
  for (const piece of [onesAtATime, randomSizes]) {
    const out = await decodeInPieces(body, opts, piece);
    assert.deepEqual(out.data, data);
    assert.deepEqual(out.trailers, { 'x-amz-checksum-sha256': 'abc=' });
  }
  // a chunk signed with the wrong key
  const forged = encodeChunked(data, 65536, { ...ctx, signingKey: signingKey('other', '20261124', 'eu-west-1', 's3') });
  throwsAws(() => decodeAwsChunked(forged, { ...opts, trailer: false }), 'SignatureDoesNotMatch');
});

test('unsigned stream with a checksum trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER), any piece sizes', async () => {
  const data = randomBytes(100_000);
  const body = encodeChunked(data, 16384, undefined, [['x-amz-checksum-crc32', 'AAAAAA==']]);
  const opts: AwsChunkedOptions = { mode: 'unsigned', trailer: true, decodedLength: data.length };
  for (const piece of [onesAtATime, randomSizes]) {
    const out = await decodeInPieces(body, opts, piece);
    assert.deepEqual(out.data, data);
    assert.deepEqual(out.trailers, { 'x-amz-checksum-crc32': 'AAAAAA==' });
  }
  assert.deepEqual(decodeAwsChunked(encodeChunked(Buffer.alloc(0), 1), { mode: 'unsigned', trailer: false }).body.length, 0);
});

test('data streams out as it arrives; signed chunks are released once verified', async () => {
  const unsigned = new AwsChunkedDecoder({ mode: 'unsigned', trailer: false });
  const seen: Buffer[] = [];
  unsigned.on('data', (b: Buffer) => seen.push(b));
  unsigned.write(Buffer.from('10000\r\nhello'));
  await new Promise((r) => setImmediate(r));
  assert.equal(Buffer.concat(seen).toString(), 'hello', 'the first bytes of a 64 KiB chunk are passed on at once');
  unsigned.destroy();

  const ctx = check(DOC_CHUNKED_REQ, DOC_SECRET, 's3v4');
  const signed = new AwsChunkedDecoder({ mode: 'signed', trailer: false, verify: ctx });
  let got = 0;
  signed.on('data', (b: Buffer) => (got += b.length));
  signed.write(DOC_CHUNKED_BODY.subarray(0, 88 + 65000));
  await new Promise((r) => setImmediate(r));
  assert.equal(got, 0, 'held until the chunk is complete');
  signed.write(DOC_CHUNKED_BODY.subarray(88 + 65000, 88 + 65536 + 2));
  await new Promise((r) => setImmediate(r));
  assert.equal(got, 65536);
  signed.destroy();
});

test('aws-chunked errors: framing, lengths, small chunks, trailers', async () => {
  const unsigned =
    (body: string | Buffer, extra: Partial<AwsChunkedOptions> = {}) =>
    () =>
      decodeAwsChunked(Buffer.from(body), { mode: 'unsigned', trailer: false, minChunkSize: 0, ...extra });
  const TERMINATED = 'The request body terminated unexpectedly';
  for (const [what, body] of [
    ['non-hex size', 'xyz\r\nabc\r\n0\r\n\r\n'],
    ['empty size', '\r\nabc\r\n0\r\n\r\n'],
    ['LF without CR', '3\nabc\r\n0\r\n\r\n'],
    ['missing CRLF after data', '3\r\nabcd\r\n0\r\n\r\n'],
    ['truncated data', '3\r\nab'],
    ['no final chunk', '3\r\nabc\r\n'],
    ['no final CRLF', '3\r\nabc\r\n0\r\n'],
    ['data after the final chunk', '3\r\nabc\r\n0\r\n\r\nmore'],
    ['a trailer nobody announced', '3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n'],
    ['an absurd size', 'fffffffffffffff\r\n'],
  ]) {
    throwsAws(unsigned(body), 'IncompleteBody', TERMINATED, 400);
    await assert.rejects(
      decodeInPieces(Buffer.from(body), { mode: 'unsigned', trailer: false, minChunkSize: 0 }, onesAtATime),
      (e: unknown) => e instanceof ServiceError && e.code === 'IncompleteBody',
      what,
    );
  }
  const LENGTH = 'You did not provide the number of bytes specified by the Content-Length HTTP header.';
  throwsAws(unsigned('3\r\nabc\r\n0\r\n\r\n', { decodedLength: 4 }), 'IncompleteBody', LENGTH);
  throwsAws(unsigned('3\r\nabc\r\n0\r\n\r\n', { decodedLength: 2 }), 'IncompleteBody', LENGTH);
  throwsAws(unsigned('3\r\nabc\r\n0\r\nbad trailer\r\n\r\n', { trailer: true }), 'MalformedTrailerError');

  // S3 lets only the last data chunk be under 8 KiB, and names the chunk after the short one
  const small = encodeChunked(Buffer.alloc(9000), 4500);
  const e = throwsAws(
    () => decodeAwsChunked(small, { mode: 'unsigned', trailer: false }),
    'InvalidChunkSizeError',
    'Only the last chunk is allowed to have a size less than 8192 bytes',
    400,
  );
  assert.deepEqual(e.fields, { Chunk: 2, BadChunkSize: 4500 });
  assert.equal(decodeAwsChunked(encodeChunked(Buffer.alloc(9000), 8192), { mode: 'unsigned', trailer: false }).body.length, 9000);

  // signed mode with a key: a chunk without a signature is refused
  const ctx = check(DOC_CHUNKED_REQ, DOC_SECRET, 's3v4');
  throwsAws(() => decodeAwsChunked(Buffer.from('0\r\n\r\n'), { mode: 'signed', trailer: false, verify: ctx }), 'SignatureDoesNotMatch');
});

// ---- the real SDK clients against a bare server that uses these functions ----------------------

test('real SDK clients (S3 header-signed and streamed with a trailer, STS, DynamoDB) are verified', async () => {
  const received: { service: string; payloadHash: string; data: Buffer; trailers: Record<string, string> }[] = [];
  const readAll = async (s: AsyncIterable<Buffer>) => {
    const parts: Buffer[] = [];
    for await (const p of s) parts.push(p);
    return Buffer.concat(parts);
  };
  const server = createServer(async (req: IncomingMessage, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const wire: AuthRequest = {
      method: req.method ?? 'GET',
      path: q < 0 ? url : url.slice(0, q),
      rawQuery: q < 0 ? '' : url.slice(q + 1),
      headers: req.headers,
    };
    let parsed: ParsedAuth | undefined;
    try {
      // the gateway takes the variant from the routed service's profile; here the scope tells S3's
      parsed = parseAuth(wire, /\/s3\/aws4_request/.test(String(req.headers.authorization)) ? 's3v4' : undefined);
      const service = parsed.service ?? '';
      checkSkew(parsed.amzDate, Date.now(), service);
      const streaming = parsed.payloadHash.startsWith('STREAMING-');
      const body = streaming ? Buffer.alloc(0) : await readAll(req);
      const ctx = verify(parsed, { ...wire, body }, 'sdk-secret');
      let data = body;
      let trailers: Record<string, string> = {};
      if (streaming) {
        const decoder = new AwsChunkedDecoder({
          mode: parsed.payloadHash.startsWith('STREAMING-AWS4-HMAC-SHA256') ? 'signed' : 'unsigned',
          trailer: parsed.payloadHash.endsWith('-TRAILER'),
          verify: ctx,
          decodedLength:
            req.headers['x-amz-decoded-content-length'] === undefined ? undefined : Number(req.headers['x-amz-decoded-content-length']),
        });
        data = await readAll(req.pipe(decoder));
        trailers = decoder.trailers;
      }
      received.push({ service, payloadHash: parsed.payloadHash, data, trailers });
      if (service === 'sts') {
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
              '<Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account>' +
              '</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
          );
      } else if (service === 'dynamodb') {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"TableNames":[]}');
      } else if (req.method === 'GET') {
        res
          .writeHead(200, { 'content-type': 'application/xml' })
          .end(
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>',
          );
      } else {
        res.writeHead(200, { etag: '"e"' }).end();
      }
    } catch (e) {
      req.resume();
      const err = e instanceof ServiceError ? e : new ServiceError('InternalError', String(e), 500);
      if (parsed?.service === 'dynamodb') {
        res.writeHead(err.status ?? 400, { 'content-type': 'application/x-amz-json-1.0' }).end(
          JSON.stringify({
            __type: `com.amazon.coral.service#${err.code === 'SignatureDoesNotMatch' ? 'InvalidSignatureException' : err.code}`,
            message: err.message,
          }),
        );
      } else {
        const xml = `<Error><Code>${err.code}</Code><Message>${err.message}</Message></Error>`;
        res
          .writeHead(err.status ?? 400, { 'content-type': 'text/xml' })
          .end(parsed?.service === 'sts' ? `<ErrorResponse>${xml}<RequestId>r</RequestId></ErrorResponse>` : xml);
      }
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = (secretAccessKey = 'sdk-secret') => ({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDSDK', secretAccessKey },
    maxAttempts: 1,
  });
  try {
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    await s3.send(
      new PutObjectCommand({ Bucket: 'bkt', Key: 'dir/ü with space+plus~.txt', Body: 'hello world', ContentType: 'text/plain' }),
    );
    assert.equal(received.at(-1)!.data.toString(), 'hello world');
    assert.match(received.at(-1)!.payloadHash, /^[0-9a-f]{64}$/);

    const big = randomBytes(100_000);
    const pieces = [big.subarray(0, 40_000), big.subarray(40_000, 90_000), big.subarray(90_000)];
    await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'streamed.bin', Body: Readable.from(pieces), ContentLength: big.length }));
    const streamed = received.at(-1)!;
    assert.equal(streamed.payloadHash, 'STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    assert.deepEqual(streamed.data, big);
    assert.ok(
      Object.keys(streamed.trailers).some((k) => k.startsWith('x-amz-checksum-')),
      JSON.stringify(streamed.trailers),
    );

    await s3.send(new ListObjectsV2Command({ Bucket: 'bkt', Prefix: 'a b/ü+~', Delimiter: '/' }));
    const sts = await new STSClient(config()).send(new GetCallerIdentityCommand({}));
    assert.equal(sts.Account, '000000000000');
    await new DynamoDBClient(config()).send(new ListTablesCommand({ Limit: 3 }));
    assert.deepEqual(
      received.slice(-3).map((r) => r.service),
      ['s3', 'sts', 'dynamodb'],
    );

    await assert.rejects(
      new S3Client({ ...config('wrong'), forcePathStyle: true }).send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: 'x' })),
      { name: 'SignatureDoesNotMatch' },
    );
    await assert.rejects(new STSClient(config('wrong')).send(new GetCallerIdentityCommand({})), { name: 'SignatureDoesNotMatch' });
    await assert.rejects(new DynamoDBClient(config('wrong')).send(new ListTablesCommand({})), { name: 'InvalidSignatureException' });
  } finally {
    server.close();
  }
});
