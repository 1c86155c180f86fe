// S3 buckets through SDK v3 with default settings: create/head/delete/list/location, naming rules,
// the global namespace across accounts, and the stored bucket configurations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3Client,
  CreateBucketCommand,
  HeadBucketCommand,
  DeleteBucketCommand,
  ListBucketsCommand,
  GetBucketLocationCommand,
  PutObjectCommand,
  PutBucketTaggingCommand,
  GetBucketTaggingCommand,
  DeleteBucketTaggingCommand,
  PutBucketCorsCommand,
  GetBucketCorsCommand,
  DeleteBucketCorsCommand,
  PutBucketPolicyCommand,
  GetBucketPolicyCommand,
  DeleteBucketPolicyCommand,
  PutBucketAclCommand,
  GetBucketAclCommand,
  PutPublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  DeletePublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  GetBucketLifecycleConfigurationCommand,
  DeleteBucketLifecycleCommand,
  PutBucketOwnershipControlsCommand,
  GetBucketOwnershipControlsCommand,
  PutBucketWebsiteCommand,
  GetBucketWebsiteCommand,
  DeleteBucketWebsiteCommand,
  PutBucketNotificationConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectLockConfigurationCommand,
  PutBucketVersioningCommand,
  GetBucketVersioningCommand,
  PutBucketLoggingCommand,
  GetBucketLoggingCommand,
  PutBucketReplicationCommand,
  GetBucketReplicationCommand,
  DeleteBucketReplicationCommand,
  PutBucketAccelerateConfigurationCommand,
  GetBucketAccelerateConfigurationCommand,
  PutBucketRequestPaymentCommand,
  GetBucketRequestPaymentCommand,
  PutBucketMetricsConfigurationCommand,
  GetBucketMetricsConfigurationCommand,
  ListBucketMetricsConfigurationsCommand,
  DeleteBucketMetricsConfigurationCommand,
  PutBucketInventoryConfigurationCommand,
  ListBucketInventoryConfigurationsCommand,
  PutBucketAnalyticsConfigurationCommand,
  GetBucketAnalyticsConfigurationCommand,
  PutBucketIntelligentTieringConfigurationCommand,
  GetBucketIntelligentTieringConfigurationCommand,
} from '@aws-sdk/client-s3';
import { serverForFile, clientConfig, rejects } from '../helpers.js';
import { KMSClient, CreateKeyCommand, CreateAliasCommand } from '@aws-sdk/client-kms';

const nimbus = serverForFile();

const s3 = (extra: Record<string, unknown> = {}) => new S3Client(clientConfig(nimbus.url, { forcePathStyle: true, ...extra }));
const inAccount = (account: string, region = 'us-east-1') => s3({ credentials: { accessKeyId: account, secretAccessKey: 'x' }, region });

test('CreateBucket then HeadBucket, GetBucketLocation and ListBuckets show it', async () => {
  const c = s3();
  const out = await c.send(new CreateBucketCommand({ Bucket: 'bk-basic' }));
  assert.equal(out.Location, '/bk-basic');
  const head = await c.send(new HeadBucketCommand({ Bucket: 'bk-basic' }));
  assert.equal(head.BucketRegion, 'us-east-1');
  const loc = await c.send(new GetBucketLocationCommand({ Bucket: 'bk-basic' }));
  assert.equal(loc.LocationConstraint, undefined);
  const list = await c.send(new ListBucketsCommand({}));
  assert.ok(list.Buckets?.some((b) => b.Name === 'bk-basic' && b.CreationDate instanceof Date));
  assert.match(list.Owner?.ID ?? '', /^[0-9a-f]{64}$/);
});

test('CreateBucket outside us-east-1 needs the matching LocationConstraint', async () => {
  const c = s3({ region: 'eu-west-2' });
  // (SDK v3 fills in its own region when no constraint is given; the CLI test covers the missing one)
  await rejects(
    c.send(new CreateBucketCommand({ Bucket: 'bk-eu-wrong', CreateBucketConfiguration: { LocationConstraint: 'us-west-2' } })),
    'IllegalLocationConstraintException',
    400,
  );
  await c.send(new CreateBucketCommand({ Bucket: 'bk-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }));
  const loc = await c.send(new GetBucketLocationCommand({ Bucket: 'bk-eu' }));
  assert.equal(loc.LocationConstraint, 'eu-west-2');
  await rejects(
    s3().send(new CreateBucketCommand({ Bucket: 'bk-use1', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as never } })),
    'InvalidLocationConstraint',
    400,
  );
});

test('re-creating your own bucket: 200 in us-east-1, BucketAlreadyOwnedByYou elsewhere', async () => {
  await s3().send(new CreateBucketCommand({ Bucket: 'bk-mine' }));
  assert.equal((await s3().send(new CreateBucketCommand({ Bucket: 'bk-mine' }))).$metadata.httpStatusCode, 200);
  const eu = s3({ region: 'eu-west-1' });
  await eu.send(new CreateBucketCommand({ Bucket: 'bk-mine-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  await rejects(
    eu.send(new CreateBucketCommand({ Bucket: 'bk-mine-eu', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })),
    'BucketAlreadyOwnedByYou',
    409,
  );
});

test('bucket names are global: another account gets BucketAlreadyExists and does not list it', async () => {
  await inAccount('111111111111').send(new CreateBucketCommand({ Bucket: 'bk-global' }));
  await rejects(inAccount('222222222222').send(new CreateBucketCommand({ Bucket: 'bk-global' })), 'BucketAlreadyExists', 409, (e) => {
    assert.equal(e.BucketName, 'bk-global');
  });
  const other = await inAccount('222222222222').send(new ListBucketsCommand({}));
  assert.ok(!other.Buckets?.some((b) => b.Name === 'bk-global'));
});

test('CreateBucket refuses names that break the naming rules with InvalidBucketName', async () => {
  for (const name of [
    'ab',
    'UpperCase',
    'bad_underscore',
    '-leading',
    'trailing-',
    'two..dots',
    '192.168.1.1',
    'xn--punycode',
    'a'.repeat(64),
    'ends-s3alias',
  ]) {
    await rejects(s3().send(new CreateBucketCommand({ Bucket: name })), 'InvalidBucketName', 400);
  }
});

test('DeleteBucket: BucketNotEmpty while objects remain, NoSuchBucket after', async () => {
  const c = s3();
  await c.send(new CreateBucketCommand({ Bucket: 'bk-del' }));
  await c.send(new PutObjectCommand({ Bucket: 'bk-del', Key: 'k', Body: 'x' }));
  await rejects(c.send(new DeleteBucketCommand({ Bucket: 'bk-del' })), 'BucketNotEmpty', 409);
  await s3().send(new (await import('@aws-sdk/client-s3')).DeleteObjectCommand({ Bucket: 'bk-del', Key: 'k' }));
  const out = await c.send(new DeleteBucketCommand({ Bucket: 'bk-del' }));
  assert.equal(out.$metadata.httpStatusCode, 204);
  await rejects(c.send(new HeadBucketCommand({ Bucket: 'bk-del' })), 'NotFound', 404);
  await rejects(c.send(new DeleteBucketCommand({ Bucket: 'bk-del' })), 'NoSuchBucket', 404, (e) => assert.equal(e.BucketName, 'bk-del'));
});

test('ListBuckets: prefix, MaxBuckets and ContinuationToken page through in name order', async () => {
  const c = inAccount('333333333333');
  for (const n of ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'other-x']) await c.send(new CreateBucketCommand({ Bucket: n }));
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = await c.send(new ListBucketsCommand({ Prefix: 'pg-', MaxBuckets: 3, ContinuationToken: token }));
    pages.push((page.Buckets ?? []).map((b) => b.Name!));
    assert.equal(page.Prefix, 'pg-');
    token = page.ContinuationToken;
  } while (token && pages.length < 10);
  assert.deepEqual(pages, [['pg-a', 'pg-b', 'pg-c'], ['pg-d']]);
});

test('bucket tagging, CORS, policy, ACL, public access block, encryption: stored and returned', async () => {
  const c = s3();
  const Bucket = 'bk-config';
  await c.send(new CreateBucketCommand({ Bucket }));
  await rejects(c.send(new GetBucketTaggingCommand({ Bucket })), 'NoSuchTagSet', 404);
  await c.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: 'team', Value: 'core' }] } }));
  assert.deepEqual((await c.send(new GetBucketTaggingCommand({ Bucket }))).TagSet, [{ Key: 'team', Value: 'core' }]);
  await c.send(new DeleteBucketTaggingCommand({ Bucket }));
  await rejects(c.send(new GetBucketTaggingCommand({ Bucket })), 'NoSuchTagSet');

  await rejects(c.send(new GetBucketCorsCommand({ Bucket })), 'NoSuchCORSConfiguration', 404);
  const rule = {
    AllowedMethods: ['GET', 'PUT'],
    AllowedOrigins: ['https://example.com'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  };
  await c.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [rule] } }));
  assert.deepEqual((await c.send(new GetBucketCorsCommand({ Bucket }))).CORSRules, [rule]);
  await c.send(new DeleteBucketCorsCommand({ Bucket }));
  await rejects(c.send(new GetBucketCorsCommand({ Bucket })), 'NoSuchCORSConfiguration');

  await rejects(c.send(new GetBucketPolicyCommand({ Bucket })), 'NoSuchBucketPolicy', 404);
  await rejects(c.send(new PutBucketPolicyCommand({ Bucket, Policy: 'not json' })), 'MalformedPolicy', 400);
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }],
  });
  await c.send(new PutBucketPolicyCommand({ Bucket, Policy: policy }));
  assert.equal((await c.send(new GetBucketPolicyCommand({ Bucket }))).Policy, policy);
  await c.send(new DeleteBucketPolicyCommand({ Bucket }));
  await rejects(c.send(new GetBucketPolicyCommand({ Bucket })), 'NoSuchBucketPolicy', 404);

  const acl = await c.send(new GetBucketAclCommand({ Bucket }));
  assert.equal(acl.Grants?.[0].Permission, 'FULL_CONTROL');
  // ACLs are off by default (BucketOwnerEnforced): test/s3/ownership.test.ts
  await rejects(c.send(new PutBucketAclCommand({ Bucket, ACL: 'public-read' })), 'AccessControlListNotSupported', 400);

  assert.equal((await c.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration?.BlockPublicAcls, true);
  await c.send(
    new PutPublicAccessBlockCommand({
      Bucket,
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: false,
        IgnorePublicAcls: false,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    }),
  );
  assert.equal((await c.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration?.BlockPublicAcls, false);
  await c.send(new DeletePublicAccessBlockCommand({ Bucket }));
  await rejects(c.send(new GetPublicAccessBlockCommand({ Bucket })), 'NoSuchPublicAccessBlockConfiguration', 404);

  const enc = await c.send(new GetBucketEncryptionCommand({ Bucket }));
  assert.equal(enc.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
  // the default key is a real KMS key, named by its alias
  const kmsClient = new KMSClient(clientConfig(nimbus.url));
  const key = (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata!;
  await kmsClient.send(new CreateAliasCommand({ AliasName: 'alias/my-key', TargetKeyId: key.KeyId }));
  await c.send(
    new PutBucketEncryptionCommand({
      Bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/my-key' }, BucketKeyEnabled: true },
        ],
      },
    }),
  );
  const kms = await c.send(new GetBucketEncryptionCommand({ Bucket }));
  assert.equal(kms.ServerSideEncryptionConfiguration?.Rules?.[0].ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, 'alias/my-key');
  // new objects take the bucket's default encryption
  const put = await c.send(new PutObjectCommand({ Bucket, Key: 'encrypted', Body: 'x' }));
  assert.equal(put.ServerSideEncryption, 'aws:kms');
  assert.equal(put.SSEKMSKeyId, key.Arn);
  assert.equal(put.BucketKeyEnabled, true);
});

test('lifecycle, ownership controls, website, notifications, object lock, versioning: stored and returned', async () => {
  const c = s3();
  const Bucket = 'bk-config2';
  await c.send(new CreateBucketCommand({ Bucket }));
  await rejects(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), 'NoSuchLifecycleConfiguration', 404);
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: { Rules: [{ ID: 'expire-logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 30 } }] },
    }),
  );
  const lc = await c.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
  assert.equal(lc.Rules?.[0].ID, 'expire-logs');
  assert.equal(lc.Rules?.[0].Expiration?.Days, 30);
  await c.send(new DeleteBucketLifecycleCommand({ Bucket }));
  await rejects(c.send(new GetBucketLifecycleConfigurationCommand({ Bucket })), 'NoSuchLifecycleConfiguration');

  assert.equal(
    (await c.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules?.[0].ObjectOwnership,
    'BucketOwnerEnforced',
  );
  await c.send(new PutBucketOwnershipControlsCommand({ Bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
  assert.equal(
    (await c.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules?.[0].ObjectOwnership,
    'ObjectWriter',
  );

  await rejects(c.send(new GetBucketWebsiteCommand({ Bucket })), 'NoSuchWebsiteConfiguration', 404);
  await c.send(
    new PutBucketWebsiteCommand({
      Bucket,
      WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'err.html' } },
    }),
  );
  assert.equal((await c.send(new GetBucketWebsiteCommand({ Bucket }))).IndexDocument?.Suffix, 'index.html');
  await c.send(new DeleteBucketWebsiteCommand({ Bucket }));
  await rejects(c.send(new GetBucketWebsiteCommand({ Bucket })), 'NoSuchWebsiteConfiguration', 404);

  assert.deepEqual(
    Object.keys(await c.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).filter((k) => k !== '$metadata'),
    [],
  );
  await c.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
  assert.ok((await c.send(new GetBucketNotificationConfigurationCommand({ Bucket }))).EventBridgeConfiguration);

  await rejects(c.send(new GetObjectLockConfigurationCommand({ Bucket })), 'ObjectLockConfigurationNotFoundError', 404);
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket }))).Status, undefined);
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Enabled');
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
  assert.equal((await c.send(new GetBucketVersioningCommand({ Bucket }))).Status, 'Suspended');
});

test('operations on a missing bucket answer NoSuchBucket with the bucket name', async () => {
  await rejects(s3().send(new GetBucketTaggingCommand({ Bucket: 'bk-missing' })), 'NoSuchBucket', 404, (e) =>
    assert.equal(e.BucketName, 'bk-missing'),
  );
  await rejects(s3().send(new PutObjectCommand({ Bucket: 'bk-missing', Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
});

test('logging, replication, transfer acceleration, request payment: stored and returned, with their defaults', async () => {
  const c = s3();
  const Bucket = 'bk-config3';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new CreateBucketCommand({ Bucket: 'bk-logs' }));
  assert.equal((await c.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled, undefined);
  await rejects(
    c.send(
      new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'bk-nowhere', TargetPrefix: 'x/' } } }),
    ),
    'InvalidTargetBucketForLogging',
    400,
  );
  await c.send(
    new PutBucketLoggingCommand({ Bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'bk-logs', TargetPrefix: 'access/' } } }),
  );
  assert.equal((await c.send(new GetBucketLoggingCommand({ Bucket }))).LoggingEnabled?.TargetPrefix, 'access/');

  const rule = {
    ID: 'all',
    Status: 'Enabled' as const,
    Priority: 1,
    Filter: {},
    DeleteMarkerReplication: { Status: 'Disabled' as const },
    Destination: { Bucket: 'arn:aws:s3:::bk-logs' },
  };
  const ReplicationConfiguration = { Role: 'arn:aws:iam::000000000000:role/replication', Rules: [rule] };
  await rejects(c.send(new PutBucketReplicationCommand({ Bucket, ReplicationConfiguration })), 'InvalidRequest', 400);
  await c.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await rejects(c.send(new GetBucketReplicationCommand({ Bucket })), 'ReplicationConfigurationNotFoundError', 404);
  await c.send(new PutBucketReplicationCommand({ Bucket, ReplicationConfiguration }));
  assert.equal((await c.send(new GetBucketReplicationCommand({ Bucket }))).ReplicationConfiguration?.Rules?.[0].ID, 'all');
  await c.send(new DeleteBucketReplicationCommand({ Bucket }));
  await rejects(c.send(new GetBucketReplicationCommand({ Bucket })), 'ReplicationConfigurationNotFoundError', 404);

  assert.equal((await c.send(new GetBucketAccelerateConfigurationCommand({ Bucket }))).Status, undefined);
  await c.send(new PutBucketAccelerateConfigurationCommand({ Bucket, AccelerateConfiguration: { Status: 'Enabled' } }));
  assert.equal((await c.send(new GetBucketAccelerateConfigurationCommand({ Bucket }))).Status, 'Enabled');
  assert.equal((await c.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer, 'BucketOwner');
  await c.send(new PutBucketRequestPaymentCommand({ Bucket, RequestPaymentConfiguration: { Payer: 'Requester' } }));
  assert.equal((await c.send(new GetBucketRequestPaymentCommand({ Bucket }))).Payer, 'Requester');
});

test('x-amz-expected-bucket-owner: another account than the owner is AccessDenied', async () => {
  const c = inAccount('444444444444');
  await c.send(new CreateBucketCommand({ Bucket: 'bk-owned' }));
  await c.send(new GetBucketVersioningCommand({ Bucket: 'bk-owned', ExpectedBucketOwner: '444444444444' }));
  await rejects(c.send(new GetBucketVersioningCommand({ Bucket: 'bk-owned', ExpectedBucketOwner: '555555555555' })), 'AccessDenied', 403);
  await rejects(
    c.send(new PutObjectCommand({ Bucket: 'bk-owned', Key: 'k', Body: 'x', ExpectedBucketOwner: '555555555555' })),
    'AccessDenied',
    403,
  );
});

test('metrics, inventory, analytics and Intelligent-Tiering configurations are kept by Id', async () => {
  const c = s3();
  const Bucket = 'bk-ids';
  await c.send(new CreateBucketCommand({ Bucket }));
  await rejects(c.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: 'all' })), 'NoSuchConfiguration', 404);
  await c.send(new PutBucketMetricsConfigurationCommand({ Bucket, Id: 'all', MetricsConfiguration: { Id: 'all' } }));
  await c.send(
    new PutBucketMetricsConfigurationCommand({ Bucket, Id: 'docs', MetricsConfiguration: { Id: 'docs', Filter: { Prefix: 'docs/' } } }),
  );
  assert.equal(
    (await c.send(new GetBucketMetricsConfigurationCommand({ Bucket, Id: 'docs' }))).MetricsConfiguration?.Filter?.Prefix,
    'docs/',
  );
  assert.deepEqual(
    (await c.send(new ListBucketMetricsConfigurationsCommand({ Bucket }))).MetricsConfigurationList?.map((m) => m.Id),
    ['all', 'docs'],
  );
  await c.send(new DeleteBucketMetricsConfigurationCommand({ Bucket, Id: 'all' }));
  assert.deepEqual(
    (await c.send(new ListBucketMetricsConfigurationsCommand({ Bucket }))).MetricsConfigurationList?.map((m) => m.Id),
    ['docs'],
  );

  await c.send(
    new PutBucketInventoryConfigurationCommand({
      Bucket,
      Id: 'weekly',
      InventoryConfiguration: {
        Id: 'weekly',
        IsEnabled: true,
        IncludedObjectVersions: 'Current',
        Schedule: { Frequency: 'Weekly' },
        Destination: { S3BucketDestination: { Bucket: 'arn:aws:s3:::bk-logs', Format: 'CSV' } },
      },
    }),
  );
  assert.equal(
    (await c.send(new ListBucketInventoryConfigurationsCommand({ Bucket }))).InventoryConfigurationList?.[0].Schedule?.Frequency,
    'Weekly',
  );
  await c.send(
    new PutBucketAnalyticsConfigurationCommand({ Bucket, Id: 'a', AnalyticsConfiguration: { Id: 'a', StorageClassAnalysis: {} } }),
  );
  assert.equal((await c.send(new GetBucketAnalyticsConfigurationCommand({ Bucket, Id: 'a' }))).AnalyticsConfiguration?.Id, 'a');
  await c.send(
    new PutBucketIntelligentTieringConfigurationCommand({
      Bucket,
      Id: 't',
      IntelligentTieringConfiguration: { Id: 't', Status: 'Enabled', Tierings: [{ Days: 90, AccessTier: 'ARCHIVE_ACCESS' }] },
    }),
  );
  assert.equal(
    (await c.send(new GetBucketIntelligentTieringConfigurationCommand({ Bucket, Id: 't' }))).IntelligentTieringConfiguration?.Tierings?.[0]
      .Days,
    90,
  );
});
