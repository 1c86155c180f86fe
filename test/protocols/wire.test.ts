// The wire itself where the SDKs hide it: request-id formats per service, fully qualified JSON error
// types, S3's error bodies matching their headers, 304 and delete-marker answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';
import * as S3 from '@aws-sdk/client-s3';
import * as SQS from '@aws-sdk/client-sqs';
import * as D from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig, credentials, region } from '../helpers.js';
import { ddbRaw } from '../dynamodb-raw.js';

const nimbus = serverForFile();

interface Raw {
  status: number;
  headers: Headers;
  text: string;
}

/** A signed raw request (any service), answered as it is on the wire. */
async function raw(service: string, method: string, path: string, headers: Record<string, string>, body = ''): Promise<Raw> {
  const url = new URL(nimbus.url);
  const [p, q] = path.split('?');
  const query = Object.fromEntries(new URLSearchParams(q ?? ''));
  const req = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: p,
    query,
    headers: { host: url.host, ...headers },
    body: body || undefined,
  });
  const signed = await new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: service !== 's3' }).sign(req);
  const res = await fetch(`${nimbus.url}${path}`, { method, headers: signed.headers, body: body || undefined });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const s3 = () => new S3.S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));

test('S3: x-amz-request-id is 16 uppercase hex, x-amz-id-2 base64, and the error body repeats both', async () => {
  const r = await raw('s3', 'GET', '/no-such-bucket-wire/k', {});
  assert.equal(r.status, 404);
  const id = r.headers.get('x-amz-request-id')!;
  const id2 = r.headers.get('x-amz-id-2')!;
  assert.match(id, /^[0-9A-F]{16}$/);
  assert.match(id2, /^[A-Za-z0-9+/]{40,}={0,2}$/);
  assert.equal(r.headers.get('x-amzn-requestid'), null);
  assert.match(r.text, new RegExp(`<RequestId>${id}</RequestId>`));
  assert.ok(r.text.includes(`<HostId>${id2}</HostId>`), r.text);
  // a success carries the same kind of ids
  await s3().send(new S3.CreateBucketCommand({ Bucket: 'wire-ids' }));
  const ok = await raw('s3', 'GET', '/wire-ids?list-type=2', {});
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('x-amz-request-id')!, /^[0-9A-F]{16}$/);
});

test('S3: a satisfied If-None-Match / If-Modified-Since is a bodiless 304 with ETag; failed If-Match / If-Unmodified-Since 412', async () => {
  const c = s3();
  await c.send(new S3.CreateBucketCommand({ Bucket: 'wire-cond' }));
  const put = await c.send(new S3.PutObjectCommand({ Bucket: 'wire-cond', Key: 'k', Body: 'hello' }));
  const inm = await raw('s3', 'GET', '/wire-cond/k', { 'if-none-match': put.ETag! });
  assert.equal(inm.status, 304);
  assert.equal(inm.headers.get('etag'), put.ETag);
  assert.ok(inm.headers.get('last-modified'));
  assert.equal(inm.text, '');
  assert.equal(inm.headers.get('content-type'), null);
  const ims = await raw('s3', 'HEAD', '/wire-cond/k', { 'if-modified-since': new Date(Date.now() + 86400_000).toUTCString() });
  assert.equal(ims.status, 304);
  assert.equal(ims.headers.get('etag'), put.ETag);
  const im = await raw('s3', 'GET', '/wire-cond/k', { 'if-match': '"0123"' });
  assert.equal(im.status, 412);
  assert.match(im.text, /<Code>PreconditionFailed<\/Code>.*<Condition>If-Match<\/Condition>/);
  const ius = await raw('s3', 'GET', '/wire-cond/k', { 'if-unmodified-since': 'Sat, 01 Jan 2000 00:00:00 GMT' });
  assert.equal(ius.status, 412);
  assert.match(ius.text, /<Condition>If-Unmodified-Since<\/Condition>/);
  // through the SDK: 304 surfaces as NotModified with status 304
  await assert.rejects(
    c.send(new S3.GetObjectCommand({ Bucket: 'wire-cond', Key: 'k', IfNoneMatch: put.ETag })),
    (e: S3.S3ServiceException) => e.$metadata.httpStatusCode === 304,
  );
});

test('S3: reading a delete marker answers 404 with x-amz-delete-marker, and by its version id 405 with Allow', async () => {
  const c = s3();
  await c.send(new S3.CreateBucketCommand({ Bucket: 'wire-marker' }));
  await c.send(new S3.PutBucketVersioningCommand({ Bucket: 'wire-marker', VersioningConfiguration: { Status: 'Enabled' } }));
  await c.send(new S3.PutObjectCommand({ Bucket: 'wire-marker', Key: 'k', Body: 'x' }));
  const del = await c.send(new S3.DeleteObjectCommand({ Bucket: 'wire-marker', Key: 'k' }));
  assert.equal(del.DeleteMarker, true);
  const get = await raw('s3', 'GET', '/wire-marker/k', {});
  assert.equal(get.status, 404);
  assert.match(get.text, /<Code>NoSuchKey<\/Code>/);
  assert.equal(get.headers.get('x-amz-delete-marker'), 'true');
  assert.equal(get.headers.get('x-amz-version-id'), del.VersionId);
  const byVersion = await raw('s3', 'GET', `/wire-marker/k?versionId=${del.VersionId}`, {});
  assert.equal(byVersion.status, 405);
  assert.match(byVersion.text, /<Code>MethodNotAllowed<\/Code>.*<Method>GET<\/Method><ResourceType>DeleteMarker<\/ResourceType>/);
  assert.equal(byVersion.headers.get('allow'), 'DELETE');
  assert.equal(byVersion.headers.get('x-amz-delete-marker'), 'true');
  assert.equal(byVersion.headers.get('x-amz-version-id'), del.VersionId);
  const head = await raw('s3', 'HEAD', `/wire-marker/k?versionId=${del.VersionId}`, {});
  assert.equal(head.status, 405);
  assert.equal(head.headers.get('x-amz-delete-marker'), 'true');
  // the SDK reads the marker off the error
  await assert.rejects(
    c.send(new S3.HeadObjectCommand({ Bucket: 'wire-marker', Key: 'k', VersionId: del.VersionId })),
    (e: S3.S3ServiceException) => e.$metadata.httpStatusCode === 405,
  );
});

test('DynamoDB: x-amzn-RequestId is 52 uppercase letters and digits; __type is fully qualified', async () => {
  const nf = await ddbRaw(nimbus.url, 'DescribeTable', { TableName: 'wire-missing' });
  assert.equal(nf.status, 400);
  assert.match(nf.headers.get('x-amzn-requestid')!, /^[A-Z0-9]{52}$/);
  assert.equal(nf.json.__type, 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException');
  const val = await ddbRaw(nimbus.url, 'DescribeTable', { TableName: 'a;' });
  assert.equal(val.status, 400);
  assert.equal(val.json.__type, 'com.amazon.coral.validate#ValidationException');
  const ser = await ddbRaw(nimbus.url, 'DescribeTable', { TableName: 5 });
  assert.equal(ser.json.__type, 'com.amazon.coral.service#SerializationException');
  assert.equal(typeof ser.json.Message, 'string');
  assert.equal(ser.json.message, undefined);
  const unk = await ddbRaw(nimbus.url, 'NoSuchOperation', {});
  assert.equal(unk.json.__type, 'com.amazon.coral.service#UnknownOperationException');
  // the SDK strips the namespace: typed exceptions as before
  const c = new D.DynamoDBClient(clientConfig(nimbus.url));
  await assert.rejects(
    c.send(new D.DescribeTableCommand({ TableName: 'wire-missing' })),
    (e: Error) => e instanceof D.ResourceNotFoundException,
  );
  await assert.rejects(c.send(new D.DescribeTableCommand({ TableName: 'a;' })), (e: Error) => e.name === 'ValidationException');
  await assert.rejects(
    c.send(new D.ScanCommand({ TableName: 'wire-missing', Limit: 'x' as unknown as number })),
    (e: Error) => e.name === 'SerializationException' && /cannot be converted/.test(e.message),
  );
  const ok = await c.send(new D.ListTablesCommand({}));
  assert.match(ok.$metadata.requestId!, /^[A-Z0-9]{52}$/);
});

test('SQS (JSON): __type in com.amazonaws.sqs with x-amzn-query-error; a UUID request id', async () => {
  const r = await raw(
    'sqs',
    'POST',
    '/',
    { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.GetQueueUrl' },
    JSON.stringify({ QueueName: 'wire-none' }),
  );
  assert.equal(r.status, 400);
  const body = JSON.parse(r.text) as Record<string, string>;
  assert.equal(body.__type, 'com.amazonaws.sqs#QueueDoesNotExist');
  assert.equal(body.message, 'The specified queue does not exist.');
  assert.equal(r.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
  assert.match(r.headers.get('x-amzn-requestid')!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const c = new SQS.SQSClient(clientConfig(nimbus.url));
  await assert.rejects(c.send(new SQS.GetQueueUrlCommand({ QueueName: 'wire-none' })), (e: Error) => e instanceof SQS.QueueDoesNotExist);
  await assert.rejects(
    c.send(new SQS.CreateQueueCommand({ QueueName: 'bad name!' })),
    (e: SQS.SQSServiceException) =>
      e.name === 'InvalidParameterValue' || e.name === 'InvalidParameterValueException' || /Invalid/.test(e.name),
  );
});

test('S3: XML outputs under the root elements S3 writes (ListBucketResult, ListAllMyBucketsResult, VersioningConfiguration, …)', async () => {
  await s3().send(new S3.CreateBucketCommand({ Bucket: 'wire-roots' }));
  const roots: Array<[string, string]> = [
    ['/', 'ListAllMyBucketsResult'],
    ['/wire-roots', 'ListBucketResult'],
    ['/wire-roots?list-type=2', 'ListBucketResult'],
    ['/wire-roots?versions', 'ListVersionsResult'],
    ['/wire-roots?uploads', 'ListMultipartUploadsResult'],
    ['/wire-roots?versioning', 'VersioningConfiguration'],
    ['/wire-roots?acl', 'AccessControlPolicy'],
  ];
  for (const [path, root] of roots) {
    const r = await raw('s3', 'GET', path, {});
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    assert.match(r.text, new RegExp(`^<\\?xml[^>]*\\?>\\s*<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`), path);
  }
  const init = await raw('s3', 'POST', '/wire-roots/k?uploads', {});
  assert.match(init.text, /<InitiateMultipartUploadResult /);
});
