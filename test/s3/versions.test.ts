// S3 versioning, presigned URLs, object lock, SSE-C, archived objects and event notifications to
// SQS, through SDK v3 (lifecycle is in s3.lifecycle.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  S3Client,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  DeleteBucketCommand,
  PutObjectLockConfigurationCommand,
  GetObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  GetObjectRetentionCommand,
  PutObjectLegalHoldCommand,
  GetObjectLegalHoldCommand,
  PutBucketNotificationConfigurationCommand,
  GetObjectAclCommand,
  PutObjectAclCommand,
  RestoreObjectCommand,
  GetObjectAttributesCommand,
  CreateMultipartUploadCommand as CreateUpload,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { SNSClient, CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { serverForFile, clientConfig, credentials, region } from '../helpers.js';

let c: S3Client;
const nimbus = serverForFile(async () => {
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
});

const rejects = (p: Promise<unknown>, name: string, status?: number) =>
  assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (status) assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
const text = async (p: Promise<{ Body?: { transformToString(): Promise<string> } }>) => (await p).Body!.transformToString();
/** A presigned URL, as the SDK's presigner and the CLI build them (query-string SigV4, UNSIGNED-PAYLOAD). */
async function presign(method: string, path: string, expiresIn: number): Promise<string> {
  const url = new URL(nimbus.url);
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const req = new HttpRequest({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  const signed = await signer.presign(req, { expiresIn, unsignableHeaders: new Set(['x-amz-content-sha256']) });
  const qs = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${nimbus.url}${path}?${qs}`;
}
const serverNow = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;
const advance = (by: string) => fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });

test('versioning: each PUT is a version, GET by versionId, DELETE adds a marker, deleting the marker restores', async () => {
  const Bucket = 'ver';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'before versioning' }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const v1 = await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'one' }));
  const v2 = await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'two' }));
  assert.ok(v1.VersionId && v2.VersionId && v1.VersionId !== v2.VersionId);
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'k' }))), 'two');
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v1.VersionId }))), 'one');
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: 'null' }))), 'before versioning');

  const del = await c.send(new DeleteObjectCommand({ Bucket, Key: 'k' }));
  assert.equal(del.DeleteMarker, true);
  assert.ok(del.VersionId);
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'k' })), 'NoSuchKey', 404);
  assert.equal((await c.send(new ListObjectsV2Command({ Bucket }))).KeyCount, 0);
  const versions = await c.send(new ListObjectVersionsCommand({ Bucket }));
  assert.deepEqual(
    versions.Versions?.map((v) => [v.VersionId, v.IsLatest]),
    [
      [v2.VersionId, false],
      [v1.VersionId, false],
      ['null', false],
    ],
  );
  assert.deepEqual(
    versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest]),
    [[del.VersionId, true]],
  );
  await rejects(c.send(new DeleteBucketCommand({ Bucket })), 'BucketNotEmpty', 409);

  await c.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: del.VersionId }));
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'k' }))), 'two');
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'k', VersionId: v2.VersionId }));
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'k' }))), 'one');
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'k', VersionId: v2.VersionId })), 'NoSuchVersion', 404);
});

test('versioning suspended: new writes replace the null version, older versions stay', async () => {
  const Bucket = 'ver-suspended';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  const kept = await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'kept' }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
  const n1 = await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'null 1' }));
  assert.equal(n1.VersionId, 'null');
  await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'null 2' }));
  const versions = await c.send(new ListObjectVersionsCommand({ Bucket }));
  assert.deepEqual(
    versions.Versions?.map((v) => v.VersionId),
    ['null', kept.VersionId],
  );
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'k' }))), 'null 2');
});

test('ListObjectVersions pages with key and version-id markers', async () => {
  const Bucket = 'ver-pages';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  for (const k of ['a', 'a', 'a', 'b', 'b']) await c.send(new PutObjectCommand({ Bucket, Key: k, Body: k }));
  const pages: string[][] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const page = await c.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 2, KeyMarker, VersionIdMarker }));
    pages.push((page.Versions ?? []).map((v) => `${v.Key}:${v.IsLatest}`));
    if (!page.IsTruncated || pages.length > 5) break;
    [KeyMarker, VersionIdMarker] = [page.NextKeyMarker, page.NextVersionIdMarker];
  }
  assert.deepEqual(pages, [['a:true', 'a:false'], ['a:false', 'b:true'], ['b:false']]);
});

test('presigned GET and PUT URLs work, and expire on the virtual clock', async () => {
  const Bucket = 'presigned';
  await c.send(new CreateBucketCommand({ Bucket }));
  const putUrl = await presign('PUT', `/${Bucket}/up.txt`, 3600);
  const put = await fetch(putUrl, { method: 'PUT', body: 'uploaded by url' });
  assert.equal(put.status, 200, `${putUrl}\n${await put.text()}`);
  const getUrl = await presign('GET', `/${Bucket}/up.txt`, 3600);
  const get = await fetch(getUrl);
  assert.equal(get.status, 200);
  assert.equal(await get.text(), 'uploaded by url');
  assert.equal((await advance('2h')).status, 200);
  const expired = await fetch(getUrl);
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /<Code>AccessDenied<\/Code>/);
  // clients sign with their own (real) clock; Nimbus reads that time on its virtual clock
  const weekUrl = await presign('GET', `/${Bucket}/up.txt`, 604800);
  assert.equal((await fetch(weekUrl)).status, 200);
  await advance('8d');
  assert.equal((await fetch(weekUrl)).status, 403);
});

test('object lock: retention and legal hold block deletes of the version; GOVERNANCE yields to the bypass header', async () => {
  const Bucket = 'locked';
  await c.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: true }));
  assert.equal((await c.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration?.ObjectLockEnabled, 'Enabled');
  await c.send(
    new PutObjectLockConfigurationCommand({
      Bucket,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
    }),
  );
  const gov = await c.send(new PutObjectCommand({ Bucket, Key: 'gov', Body: 'g' }));
  const ret = await c.send(new GetObjectRetentionCommand({ Bucket, Key: 'gov' }));
  assert.equal(ret.Retention?.Mode, 'GOVERNANCE');
  await rejects(c.send(new DeleteObjectCommand({ Bucket, Key: 'gov', VersionId: gov.VersionId })), 'AccessDenied', 403);
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'gov', VersionId: gov.VersionId, BypassGovernanceRetention: true }));
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'gov', VersionId: gov.VersionId })), 'NoSuchVersion', 404);

  const now = await serverNow();
  const until = new Date(now + 10 * 86_400_000);
  const comp = await c.send(
    new PutObjectCommand({ Bucket, Key: 'comp', Body: 'c', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }),
  );
  await rejects(
    c.send(new DeleteObjectCommand({ Bucket, Key: 'comp', VersionId: comp.VersionId, BypassGovernanceRetention: true })),
    'AccessDenied',
    403,
  );
  await rejects(
    c.send(
      new PutObjectRetentionCommand({
        Bucket,
        Key: 'comp',
        Retention: { Mode: 'COMPLIANCE', RetainUntilDate: new Date(now + 86_400_000) },
      }),
    ),
    'AccessDenied',
    403,
  );
  // a delete without a version id only adds a delete marker, which lock does not prevent
  assert.equal((await c.send(new DeleteObjectCommand({ Bucket, Key: 'comp' }))).DeleteMarker, true);

  const held = await c.send(
    new PutObjectCommand({
      Bucket,
      Key: 'held',
      Body: 'h',
      ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: new Date(now + 60_000),
    }),
  );
  await c.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'held', LegalHold: { Status: 'ON' } }));
  assert.equal((await c.send(new GetObjectLegalHoldCommand({ Bucket, Key: 'held' }))).LegalHold?.Status, 'ON');
  await rejects(
    c.send(new DeleteObjectCommand({ Bucket, Key: 'held', VersionId: held.VersionId, BypassGovernanceRetention: true })),
    'AccessDenied',
    403,
  );
  await c.send(new PutObjectLegalHoldCommand({ Bucket, Key: 'held', LegalHold: { Status: 'OFF' } }));
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'held', VersionId: held.VersionId, BypassGovernanceRetention: true }));
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'held', VersionId: held.VersionId })), 'NoSuchVersion', 404);

  await c.send(new CreateBucketCommand({ Bucket: 'unlocked' }));
  await rejects(
    c.send(
      new PutObjectCommand({ Bucket: 'unlocked', Key: 'x', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until }),
    ),
    'InvalidRequest',
    400,
  );
});

test('SSE-C: the object is read only with its key; a wrong key MD5 is refused', async () => {
  const Bucket = 'ssec';
  await c.send(new CreateBucketCommand({ Bucket }));
  const key = randomBytes(32);
  const SSECustomerKey = key.toString('base64');
  const SSECustomerKeyMD5 = createHash('md5').update(key).digest('base64');
  await c.send(
    new PutObjectCommand({ Bucket, Key: 'secret', Body: 's', SSECustomerAlgorithm: 'AES256', SSECustomerKey, SSECustomerKeyMD5 }),
  );
  assert.equal(
    await text(c.send(new GetObjectCommand({ Bucket, Key: 'secret', SSECustomerAlgorithm: 'AES256', SSECustomerKey, SSECustomerKeyMD5 }))),
    's',
  );
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'secret' })), 'InvalidRequest', 400);
  await rejects(
    c.send(
      new GetObjectCommand({ Bucket, Key: 'secret', SSECustomerAlgorithm: 'AES256', SSECustomerKey: randomBytes(32).toString('base64') }),
    ),
    'AccessDenied',
    403,
  );
  // the SDK always computes the key MD5 itself: rewrite the header it built to send a wrong one
  const wrongMd5 = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  wrongMd5.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-amz-server-side-encryption-customer-key-md5'] = createHash('md5')
        .update('other')
        .digest('base64');
      return next(args);
    },
    { step: 'build' },
  );
  await assert.rejects(
    wrongMd5.send(new PutObjectCommand({ Bucket, Key: 'secret-2', Body: 's', SSECustomerAlgorithm: 'AES256', SSECustomerKey })),
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'InvalidArgument', e.message);
      assert.equal(e.$metadata?.httpStatusCode, 400);
      assert.equal(e.message, 'The calculated MD5 hash of the key did not match the hash that was provided.');
      return true;
    },
  );
  await rejects(c.send(new HeadObjectCommand({ Bucket, Key: 'secret-2' })), 'NotFound', 404);
});

test('object ACLs: canned ACLs stored and returned as grants', async () => {
  const Bucket = 'obj-acl';
  await c.send(new CreateBucketCommand({ Bucket, ObjectOwnership: 'ObjectWriter' }));
  const grants = async () =>
    ((await c.send(new GetObjectAclCommand({ Bucket, Key: 'k' }))).Grants ?? []).map(
      (g) => `${g.Grantee?.URI?.replace('http://acs.amazonaws.com/groups/global/', '') ?? g.Grantee?.Type}:${g.Permission}`,
    );
  await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x', ACL: 'public-read' }));
  assert.deepEqual(await grants(), ['CanonicalUser:FULL_CONTROL', 'AllUsers:READ']);
  await c.send(new PutObjectAclCommand({ Bucket, Key: 'k', ACL: 'authenticated-read' }));
  assert.deepEqual(await grants(), ['CanonicalUser:FULL_CONTROL', 'AuthenticatedUsers:READ'], 'the new canned ACL replaces the old grants');
});

test('event notifications: s3:ObjectCreated:* and s3:ObjectRemoved:* reach an SQS queue with prefix/suffix filters', async () => {
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 's3-events' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const QueueArn = Attributes!.QueueArn!;
  const Bucket = 'notify';
  await c.send(new CreateBucketCommand({ Bucket }));
  await rejects(
    c.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket,
        NotificationConfiguration: { QueueConfigurations: [{ QueueArn: QueueArn + '-missing', Events: ['s3:ObjectCreated:*'] }] },
      }),
    ),
    'InvalidArgument',
    400,
  );
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'uploads',
            QueueArn,
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            Filter: {
              Key: {
                FilterRules: [
                  { Name: 'prefix', Value: 'in/' },
                  { Name: 'suffix', Value: '.jpg' },
                ],
              },
            },
          },
        ],
      },
    }),
  );
  await c.send(new PutObjectCommand({ Bucket, Key: 'in/cat.jpg', Body: 'meow' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'in/readme.txt', Body: 'skip' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'out/dog.jpg', Body: 'skip' }));
  await c.send(new DeleteObjectCommand({ Bucket, Key: 'in/cat.jpg' }));
  const bodies: Record<string, unknown>[] = [];
  for (let i = 0; i < 5 && bodies.length < 3; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of r.Messages ?? []) bodies.push(JSON.parse(m.Body!));
  }
  assert.deepEqual(
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? [],
    [],
    'no events for filtered-out keys',
  );
  assert.equal(bodies[0].Event, 's3:TestEvent');
  const records = bodies.slice(1).map((b) => (b.Records as Record<string, any>[])[0]);
  assert.deepEqual(
    records.map((r) => r.eventName),
    ['ObjectCreated:Put', 'ObjectRemoved:Delete'],
  );
  const created = records[0];
  assert.equal(created.eventSource, 'aws:s3');
  assert.equal(created.eventVersion, '2.1');
  assert.equal(created.s3.configurationId, 'uploads');
  assert.equal(created.s3.bucket.arn, 'arn:aws:s3:::notify');
  assert.equal(created.s3.object.key, 'in/cat.jpg');
  assert.equal(created.s3.object.size, 4);
  assert.equal(created.s3.object.eTag, createHash('md5').update('meow').digest('hex'));
});

test('event records carry the key form-encoded as S3 writes it: spaces as +, "/" kept, +, =, ( ) and : escaped', async () => {
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 's3-event-keys' }));
  const QueueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  const Bucket = 'notify-keys';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn, Events: ['s3:ObjectCreated:*'] }] },
    }),
  );
  const Key = 'photos/red flower (1)+x=y:z~é.jpg';
  await c.send(new PutObjectCommand({ Bucket, Key, Body: 'petals' }));
  let record: Record<string, any> | undefined;
  for (let i = 0; i < 5 && !record; i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    record = (r.Messages ?? []).map((m) => JSON.parse(m.Body!)).find((b) => b.Records)?.Records[0];
  }
  assert.equal(record?.s3.object.key, 'photos/red+flower+%281%29%2Bx%3Dy%3Az%7E%C3%A9.jpg');
  // what a handler does with it (Python's unquote_plus) gives the key back
  assert.equal(decodeURIComponent(record!.s3.object.key.replace(/\+/g, ' ')), Key);
});

test('archived objects: GET is InvalidObjectState until RestoreObject completes on the virtual clock; the copy expires', async () => {
  const Bucket = 'archive';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'cold', Body: 'frozen', StorageClass: 'GLACIER' }));
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'cold' })), 'InvalidObjectState', 403);
  const first = await c.send(
    new RestoreObjectCommand({ Bucket, Key: 'cold', RestoreRequest: { Days: 2, GlacierJobParameters: { Tier: 'Standard' } } }),
  );
  assert.equal(first.$metadata.httpStatusCode, 202);
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'cold' }))).Restore, 'ongoing-request="true"');
  await rejects(c.send(new RestoreObjectCommand({ Bucket, Key: 'cold', RestoreRequest: { Days: 2 } })), 'RestoreAlreadyInProgress', 409);
  await advance('5h');
  assert.equal(await text(c.send(new GetObjectCommand({ Bucket, Key: 'cold' }))), 'frozen');
  assert.match(
    (await c.send(new HeadObjectCommand({ Bucket, Key: 'cold' }))).Restore ?? '',
    /^ongoing-request="false", expiry-date=".+GMT"$/,
  );
  const again = await c.send(new RestoreObjectCommand({ Bucket, Key: 'cold', RestoreRequest: { Days: 1 } }));
  assert.equal(again.$metadata.httpStatusCode, 200);
  await advance('3d');
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'cold' })), 'InvalidObjectState', 403);
  await c.send(new PutObjectCommand({ Bucket, Key: 'warm', Body: 'w' }));
  await rejects(c.send(new RestoreObjectCommand({ Bucket, Key: 'warm', RestoreRequest: { Days: 1 } })), 'InvalidObjectState', 403);
});

test('GetObjectAttributes: ETag, checksum, size, storage class and the parts of a multipart object', async () => {
  const Bucket = 'attributes';
  await c.send(new CreateBucketCommand({ Bucket }));
  const { UploadId } = await c.send(new CreateUpload({ Bucket, Key: 'mp', ChecksumAlgorithm: 'CRC32' }));
  const p1 = await c.send(
    new UploadPartCommand({
      Bucket,
      Key: 'mp',
      UploadId,
      PartNumber: 1,
      Body: Buffer.alloc(5 * 1024 * 1024, 1),
      ChecksumAlgorithm: 'CRC32',
    }),
  );
  const p2 = await c.send(new UploadPartCommand({ Bucket, Key: 'mp', UploadId, PartNumber: 2, Body: 'end', ChecksumAlgorithm: 'CRC32' }));
  await c.send(
    new CompleteMultipartUploadCommand({
      Bucket,
      Key: 'mp',
      UploadId,
      MultipartUpload: {
        Parts: [
          { ETag: p1.ETag, PartNumber: 1, ChecksumCRC32: p1.ChecksumCRC32 },
          { ETag: p2.ETag, PartNumber: 2, ChecksumCRC32: p2.ChecksumCRC32 },
        ],
      },
    }),
  );
  const a = await c.send(
    new GetObjectAttributesCommand({
      Bucket,
      Key: 'mp',
      ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'],
    }),
  );
  assert.match(a.ETag ?? '', /^[0-9a-f]{32}-2$/);
  assert.equal(a.ObjectSize, 5 * 1024 * 1024 + 3);
  assert.equal(a.StorageClass, 'STANDARD');
  assert.equal(a.Checksum?.ChecksumType, 'COMPOSITE');
  assert.equal(a.ObjectParts?.TotalPartsCount, 2);
  assert.deepEqual(
    a.ObjectParts?.Parts?.map((p) => p.Size),
    [5 * 1024 * 1024, 3],
  );
});

test('event notifications to an SNS topic reach its SQS subscriber', async () => {
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const sns = new SNSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 's3-via-sns' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 's3-events' }));
  await sns.send(
    new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: 'true' } }),
  );
  const Bucket = 'notify-sns';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket,
      NotificationConfiguration: { TopicConfigurations: [{ TopicArn, Events: ['s3:ObjectCreated:Put'] }] },
    }),
  );
  await c.send(new PutObjectCommand({ Bucket, Key: 'hello.txt', Body: 'hi' }));
  const names: string[] = [];
  for (let i = 0; i < 5 && !names.includes('ObjectCreated:Put'); i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of r.Messages ?? []) {
      const body = JSON.parse(m.Body!) as { Event?: string; Records?: { eventName: string; s3: { object: { key: string } } }[] };
      names.push(body.Event ?? body.Records![0].eventName);
    }
  }
  assert.deepEqual(names, ['s3:TestEvent', 'ObjectCreated:Put']);
  assert.deepEqual(
    (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? [],
    [],
  );
});
