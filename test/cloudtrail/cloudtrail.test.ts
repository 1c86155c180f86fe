// CloudTrail through SDK v3: the event history of management calls with the caller's identity,
// filters, paging and retention; trails delivering gzip log files to S3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import {
  CloudTrailClient,
  LookupEventsCommand,
  CreateTrailCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  GetTrailStatusCommand,
  DescribeTrailsCommand,
  DeleteTrailCommand,
  PutEventSelectorsCommand,
  GetEventSelectorsCommand,
  type LookupAttribute,
} from '@aws-sdk/client-cloudtrail';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { STSClient, AssumeRoleCommand } from '@aws-sdk/client-sts';
import { KMSClient, CreateKeyCommand, EncryptCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { serverForFile, clientConfig } from '../helpers.js';

let ct: CloudTrailClient;
let s3: S3Client;
let kms: KMSClient;
const nimbus = serverForFile(() => {
  ct = new CloudTrailClient(clientConfig(nimbus.url));
  s3 = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
  kms = new KMSClient(clientConfig(nimbus.url));
});
const post = async (path: string, body?: unknown) =>
  assert.equal(
    (await fetch(`${nimbus.url}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) })).status,
    200,
  );
const lookup = async (attr?: LookupAttribute, extra: Record<string, unknown> = {}) =>
  (await ct.send(new LookupEventsCommand({ LookupAttributes: attr ? [attr] : undefined, ...extra }))).Events ?? [];
const parsed = (e: { CloudTrailEvent?: string }) => JSON.parse(e.CloudTrailEvent!);

test('CreateBucket is in the event history with the root caller identity; GetObject and PutObject are not', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'audited' }));
  await s3.send(new PutObjectCommand({ Bucket: 'audited', Key: 'k', Body: 'v' }));
  await (await s3.send(new GetObjectCommand({ Bucket: 'audited', Key: 'k' }))).Body!.transformToString();
  const events = await lookup({ AttributeKey: 'EventName', AttributeValue: 'CreateBucket' });
  assert.equal(events.length, 1);
  const e = events[0];
  assert.equal(e.EventSource, 's3.amazonaws.com');
  assert.equal(e.Username, 'root');
  assert.equal(e.AccessKeyId, 'test');
  assert.equal(e.ReadOnly, 'false');
  assert.deepEqual(e.Resources, [{ ResourceType: 'AWS::S3::Bucket', ResourceName: 'audited' }]);
  const r = parsed(e);
  assert.deepEqual(r.userIdentity, {
    type: 'Root',
    principalId: '000000000000',
    arn: 'arn:aws:iam::000000000000:root',
    accountId: '000000000000',
    accessKeyId: 'test',
  });
  assert.equal(r.eventName, 'CreateBucket');
  assert.equal(r.awsRegion, 'us-east-1');
  assert.equal(r.requestParameters.bucketName, 'audited');
  assert.equal(r.eventType, 'AwsApiCall');
  assert.equal(r.managementEvent, true);
  assert.equal(r.eventID, e.EventId);
  assert.match(r.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(r.sourceIPAddress, '127.0.0.1');
  assert.match(r.userAgent, /aws-sdk-js/);
  assert.equal((await lookup({ AttributeKey: 'EventName', AttributeValue: 'PutObject' })).length, 0);
  assert.equal((await lookup({ AttributeKey: 'EventName', AttributeValue: 'GetObject' })).length, 0);
});

test('errors are recorded with errorCode and errorMessage; secrets and plaintext are left out', async () => {
  await kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' })).catch(() => undefined);
  const [failed] = await lookup({ AttributeKey: 'EventName', AttributeValue: 'DescribeKey' });
  const r = parsed(failed);
  assert.equal(r.errorCode, 'NotFoundException');
  assert.match(r.errorMessage, /alias\/missing/);
  assert.equal(r.responseElements, null);
  const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('top secret') }));
  const enc = parsed((await lookup({ AttributeKey: 'EventName', AttributeValue: 'Encrypt' }))[0]);
  assert.equal(enc.readOnly, true);
  assert.equal(enc.requestParameters.keyId, key.KeyId);
  assert.ok(!JSON.stringify(enc).includes(Buffer.from('top secret').toString('base64')));
  assert.equal('plaintext' in enc.requestParameters, false);
  const sts = new STSClient(clientConfig(nimbus.url));
  await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/app', RoleSessionName: 'sess' }));
  const ar = parsed((await lookup({ AttributeKey: 'EventName', AttributeValue: 'AssumeRole' }))[0]);
  assert.ok(ar.responseElements.credentials.accessKeyId.startsWith('ASIA'));
  assert.equal('secretAccessKey' in ar.responseElements.credentials, false);
});

test('an assumed role session is recorded as AssumedRole with its session context', async () => {
  const sts = new STSClient(clientConfig(nimbus.url));
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/deployer', RoleSessionName: 'ci' }),
  );
  const asRole = new S3Client(
    clientConfig(nimbus.url, {
      forcePathStyle: true,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    }),
  );
  await asRole.send(new CreateBucketCommand({ Bucket: 'by-role' }));
  const [e] = await lookup({ AttributeKey: 'ResourceName', AttributeValue: 'by-role' });
  assert.equal(e.Username, 'ci');
  assert.equal(e.AccessKeyId, Credentials!.AccessKeyId);
  const id = parsed(e).userIdentity;
  assert.equal(id.type, 'AssumedRole');
  assert.equal(id.arn, 'arn:aws:sts::000000000000:assumed-role/deployer/ci');
  assert.match(id.principalId, /^AROA\w+:ci$/);
  assert.equal(id.sessionContext.sessionIssuer.type, 'Role');
  assert.equal(id.sessionContext.sessionIssuer.arn, 'arn:aws:iam::000000000000:role/deployer');
  assert.equal(id.sessionContext.sessionIssuer.userName, 'deployer');
  assert.equal((await lookup({ AttributeKey: 'AccessKeyId', AttributeValue: Credentials!.AccessKeyId! })).length, 1);
});

test('lookup filters, time range, paging and bad input', async () => {
  for (const b of ['page-1', 'page-2', 'page-3']) await s3.send(new CreateBucketCommand({ Bucket: b }));
  assert.ok((await lookup({ AttributeKey: 'ReadOnly', AttributeValue: 'true' })).every((e) => e.ReadOnly === 'true'));
  assert.ok(
    (await lookup({ AttributeKey: 'EventSource', AttributeValue: 'kms.amazonaws.com' })).every(
      (e) => e.EventSource === 'kms.amazonaws.com',
    ),
  );
  assert.equal((await lookup({ AttributeKey: 'ResourceType', AttributeValue: 'AWS::KMS::Key' })).length > 0, true);
  const seen: string[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ct.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateBucket' }],
        MaxResults: 2,
        NextToken,
      }),
    );
    assert.ok(out.Events!.length <= 2);
    seen.push(...out.Events!.map((e) => e.Resources![0].ResourceName!));
    NextToken = out.NextToken;
  } while (NextToken);
  assert.deepEqual(seen.slice(0, 3), ['page-3', 'page-2', 'page-1']);
  assert.ok(seen.includes('audited') && seen.includes('by-role'));
  assert.equal(new Set(seen).size, seen.length);
  const future = new Date(Date.now() + 3600_000);
  assert.equal((await lookup(undefined, { StartTime: future })).length, 0);
  await assert.rejects(ct.send(new LookupEventsCommand({ MaxResults: 51 })), (e: Error) =>
    ['InvalidMaxResultsException', 'ValidationException'].includes(e.name),
  );
  await assert.rejects(
    ct.send(new LookupEventsCommand({ StartTime: future, EndTime: new Date() })),
    (e: Error) => e.name === 'InvalidTimeRangeException',
  );
});

test('a trail delivers gzip JSON log files under the AWSLogs key layout; data events when selected', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'trail-logs' }));
  await assert.rejects(
    ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: 'no-such-bucket' })),
    (e: Error) => e.name === 'S3BucketDoesNotExistException',
  );
  const created = await ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: 'trail-logs', S3KeyPrefix: 'ct' }));
  assert.equal(created.TrailARN, 'arn:aws:cloudtrail:us-east-1:000000000000:trail/main');
  await assert.rejects(
    ct.send(new CreateTrailCommand({ Name: 'main', S3BucketName: 'trail-logs' })),
    (e: Error) => e.name === 'TrailAlreadyExistsException',
  );
  assert.equal((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging, false);
  await ct.send(new StartLoggingCommand({ Name: 'main' }));
  assert.equal((await ct.send(new GetTrailStatusCommand({ Name: 'main' }))).IsLogging, true);
  await ct.send(
    new PutEventSelectorsCommand({
      TrailName: 'main',
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::audited/'] }],
        },
      ],
    }),
  );
  assert.equal(
    (await ct.send(new GetEventSelectorsCommand({ TrailName: 'main' }))).EventSelectors![0].DataResources![0].Values![0],
    'arn:aws:s3:::audited/',
  );
  await s3.send(new CreateBucketCommand({ Bucket: 'logged-bucket' }));
  await s3.send(new PutObjectCommand({ Bucket: 'audited', Key: 'data.txt', Body: 'x' }));
  await s3.send(new PutObjectCommand({ Bucket: 'page-1', Key: 'not-selected.txt', Body: 'x' }));
  await post('/_nimbus/cloudtrail/flush');
  const listed = (await s3.send(new ListObjectsV2Command({ Bucket: 'trail-logs' }))).Contents ?? [];
  assert.ok(listed.length >= 1);
  const re =
    /^ct\/AWSLogs\/000000000000\/CloudTrail\/us-east-1\/\d{4}\/\d\d\/\d\d\/000000000000_CloudTrail_us-east-1_\d{8}T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$/;
  const records: Record<string, unknown>[] = [];
  for (const o of listed) {
    assert.match(o.Key!, re);
    const body = Buffer.from(
      await (await s3.send(new GetObjectCommand({ Bucket: 'trail-logs', Key: o.Key! }))).Body!.transformToByteArray(),
    );
    records.push(...JSON.parse(gunzipSync(body).toString()).Records);
  }
  const names = records.map((r) => `${r.eventName}:${JSON.stringify(r.requestParameters)}`);
  assert.ok(names.some((n) => n.startsWith('CreateBucket:') && n.includes('logged-bucket')));
  const put = records.find((r) => r.eventName === 'PutObject') as Record<string, any>;
  assert.equal(put.managementEvent, false);
  assert.equal(put.eventCategory, 'Data');
  assert.equal(put.requestParameters.key, 'data.txt');
  assert.ok(!names.some((n) => n.includes('not-selected.txt')));
  // still not in the event history
  assert.equal((await lookup({ AttributeKey: 'EventName', AttributeValue: 'PutObject' })).length, 0);
  const status = await ct.send(new GetTrailStatusCommand({ Name: 'main' }));
  assert.ok(status.LatestDeliveryTime instanceof Date);
  // the virtual clock's advance flushes too
  await s3.send(new CreateBucketCommand({ Bucket: 'after-advance' }));
  await post('/_nimbus/clock', { advance: '10m' });
  await post('/_nimbus/cloudtrail/flush');
  assert.ok(((await s3.send(new ListObjectsV2Command({ Bucket: 'trail-logs' }))).Contents ?? []).length > listed.length);
  await ct.send(new StopLoggingCommand({ Name: 'main' }));
  assert.equal((await ct.send(new DescribeTrailsCommand({}))).trailList!.map((t) => t.Name).join(), 'main');
  await ct.send(new DeleteTrailCommand({ Name: 'main' }));
  await assert.rejects(
    ct.send(new GetTrailStatusCommand({ Name: 'main' })),
    (e: Error) =>
      e.name === 'TrailNotFoundException' &&
      e.message === 'Unknown trail: arn:aws:cloudtrail:us-east-1:000000000000:trail/main for the user: 000000000000',
  );
});

test('events older than 90 days leave the history', async () => {
  assert.ok((await lookup({ AttributeKey: 'EventName', AttributeValue: 'CreateBucket' })).length > 0);
  await post('/_nimbus/clock', { advance: '91d' });
  assert.equal((await lookup({ AttributeKey: 'EventName', AttributeValue: 'CreateBucket' })).length, 0);
});
