// S3 Intelligent-Tiering on the virtual clock, through SDK v3 (and boto3 for one flow): access tiers
// by days since the last access (seen through GET /_nimbus/s3/tiers), the 128 KiB floor, the archive
// tiers of a bucket configuration (x-amz-archive-status, InvalidObjectState, RestoreObject), lifecycle
// transitions into the class, the IntelligentTiering event, and the configuration's validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  CopyObjectCommand,
  RestoreObjectCommand,
  PutBucketIntelligentTieringConfigurationCommand,
  DeleteBucketIntelligentTieringConfigurationCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type IntelligentTieringConfiguration,
} from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { serverForFile, clientConfig, rejects, runCli } from '../helpers.js';

let c: S3Client;
const nimbus = serverForFile(async () => {
  c = new S3Client(clientConfig(nimbus.url, { forcePathStyle: true }));
});

const IT = 'INTELLIGENT_TIERING' as const;
/** the smallest object Intelligent-Tiering monitors */
const body = Buffer.alloc(128 * 1024, 1);
const advance = async (by: string) =>
  assert.equal((await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) })).status, 200);
const tiers = async (bucket: string, prefix = '') => {
  const r = await fetch(`${nimbus.url}/_nimbus/s3/tiers?bucket=${bucket}&prefix=${encodeURIComponent(prefix)}`);
  assert.equal(r.status, 200);
  const out = (await r.json()) as { objects: { key: string; storageClass: string; accessTier?: string }[] };
  return Object.fromEntries(out.objects.map((o) => [o.key, o.accessTier ?? o.storageClass]));
};
const read = async (Bucket: string, Key: string) => (await c.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToByteArray();
const archiveConfig = (
  Id: string,
  tierings: [number?, number?],
  extra: Partial<IntelligentTieringConfiguration> = {},
): IntelligentTieringConfiguration => ({
  Id,
  Status: 'Enabled',
  ...extra,
  Tierings: [
    ...(tierings[0] !== undefined ? [{ AccessTier: 'ARCHIVE_ACCESS' as const, Days: tierings[0] }] : []),
    ...(tierings[1] !== undefined ? [{ AccessTier: 'DEEP_ARCHIVE_ACCESS' as const, Days: tierings[1] }] : []),
  ],
});

test('Intelligent-Tiering: 30 idle days to Infrequent Access, 90 to Archive Instant Access, an access back to Frequent; small objects stay', async () => {
  const Bucket = 'it-tiers';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'big', Body: body, StorageClass: IT }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'small', Body: 'under 128 KiB', StorageClass: IT }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'plain', Body: body }));
  assert.deepEqual(await tiers(Bucket), { big: 'FREQUENT_ACCESS', small: 'FREQUENT_ACCESS', plain: 'STANDARD' });
  await advance('29d');
  assert.equal((await tiers(Bucket)).big, 'FREQUENT_ACCESS');
  await advance('2d');
  assert.deepEqual(await tiers(Bucket), { big: 'INFREQUENT_ACCESS', small: 'FREQUENT_ACCESS', plain: 'STANDARD' });
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'big' }))).StorageClass, IT);
  // HEAD is not an access; GET is
  assert.equal((await tiers(Bucket)).big, 'INFREQUENT_ACCESS');
  assert.equal((await read(Bucket, 'big')).length, body.length);
  assert.equal((await tiers(Bucket)).big, 'FREQUENT_ACCESS');
  await advance('31d');
  assert.equal((await tiers(Bucket)).big, 'INFREQUENT_ACCESS');
  await advance('60d');
  assert.deepEqual(await tiers(Bucket), { big: 'ARCHIVE_INSTANT_ACCESS', small: 'FREQUENT_ACCESS', plain: 'STANDARD' });
  // instant access: readable without a restore, and the read brings it back
  assert.equal((await read(Bucket, 'big')).length, body.length);
  assert.equal((await tiers(Bucket)).big, 'FREQUENT_ACCESS');
  // the source of a copy is accessed too
  await advance('40d');
  await c.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/big` }));
  assert.equal((await tiers(Bucket)).big, 'FREQUENT_ACCESS');
});

test('archive tiers: HeadObject shows the archive status, GetObject is InvalidObjectState, RestoreObject brings the object back to Frequent Access', async () => {
  const Bucket = 'it-archive';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(
    new PutBucketIntelligentTieringConfigurationCommand({
      Bucket,
      Id: 'archive',
      IntelligentTieringConfiguration: archiveConfig('archive', [90, 180]),
    }),
  );
  await c.send(new PutObjectCommand({ Bucket, Key: 'doc', Body: body, StorageClass: IT }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'small', Body: 'x', StorageClass: IT }));
  await advance('89d');
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'doc' }))).ArchiveStatus, undefined);
  await advance('2d');
  const head = await c.send(new HeadObjectCommand({ Bucket, Key: 'doc' }));
  assert.equal(head.ArchiveStatus, 'ARCHIVE_ACCESS');
  assert.equal(head.StorageClass, IT);
  assert.deepEqual(await tiers(Bucket), { doc: 'ARCHIVE_ACCESS', small: 'FREQUENT_ACCESS' });
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'doc' })), 'InvalidObjectState', 403, (e) => {
    assert.equal(e.message, "The operation is not valid for the object's access tier");
    assert.equal(e.StorageClass, IT);
    assert.equal(e.AccessTier, 'ARCHIVE_ACCESS');
  });
  await rejects(c.send(new CopyObjectCommand({ Bucket, Key: 'copy', CopySource: `${Bucket}/doc` })), 'InvalidObjectState', 403);
  // no Days: the object moves back for good
  await rejects(c.send(new RestoreObjectCommand({ Bucket, Key: 'doc', RestoreRequest: { Days: 1 } })), 'InvalidArgument', 400);
  await rejects(c.send(new RestoreObjectCommand({ Bucket, Key: 'small', RestoreRequest: {} })), 'InvalidObjectState', 403);
  const restore = await c.send(
    new RestoreObjectCommand({ Bucket, Key: 'doc', RestoreRequest: { GlacierJobParameters: { Tier: 'Standard' } } }),
  );
  assert.equal(restore.$metadata.httpStatusCode, 202);
  const during = await c.send(new HeadObjectCommand({ Bucket, Key: 'doc' }));
  assert.equal(during.Restore, 'ongoing-request="true"');
  assert.equal(during.ArchiveStatus, 'ARCHIVE_ACCESS');
  await rejects(c.send(new RestoreObjectCommand({ Bucket, Key: 'doc', RestoreRequest: {} })), 'RestoreAlreadyInProgress', 409);
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'doc' })), 'InvalidObjectState', 403);
  await advance('5h');
  const back = await c.send(new HeadObjectCommand({ Bucket, Key: 'doc' }));
  assert.equal(back.ArchiveStatus, undefined);
  assert.equal(back.Restore, undefined);
  assert.equal((await read(Bucket, 'doc')).length, body.length);
  assert.equal((await tiers(Bucket)).doc, 'FREQUENT_ACCESS');

  // 180 idle days: straight to Deep Archive Access, where Expedited retrieval does not exist
  await advance('181d');
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'doc' }))).ArchiveStatus, 'DEEP_ARCHIVE_ACCESS');
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'doc' })), 'InvalidObjectState', 403, (e) =>
    assert.equal(e.AccessTier, 'DEEP_ARCHIVE_ACCESS'),
  );
  await rejects(
    c.send(new RestoreObjectCommand({ Bucket, Key: 'doc', RestoreRequest: { GlacierJobParameters: { Tier: 'Expedited' } } })),
    'InvalidArgument',
    400,
  );
  await c.send(new RestoreObjectCommand({ Bucket, Key: 'doc', RestoreRequest: { GlacierJobParameters: { Tier: 'Bulk' } } }));
  await advance('47h');
  await rejects(c.send(new GetObjectCommand({ Bucket, Key: 'doc' })), 'InvalidObjectState', 403);
  await advance('2h');
  assert.equal((await read(Bucket, 'doc')).length, body.length);
});

test('an access restarts the idle time; configurations cover their prefix and tags, and only when Enabled', async () => {
  const Bucket = 'it-filters';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(
    new PutBucketIntelligentTieringConfigurationCommand({
      Bucket,
      Id: 'cold',
      IntelligentTieringConfiguration: archiveConfig('cold', [100], { Filter: { Prefix: 'cold/' } }),
    }),
  );
  await c.send(
    new PutBucketIntelligentTieringConfigurationCommand({
      Bucket,
      Id: 'tagged',
      IntelligentTieringConfiguration: archiveConfig('tagged', [90], { Filter: { Tag: { Key: 'archive', Value: 'yes' } } }),
    }),
  );
  await c.send(
    new PutBucketIntelligentTieringConfigurationCommand({
      Bucket,
      Id: 'off',
      IntelligentTieringConfiguration: archiveConfig('off', [90], { Status: 'Disabled' }),
    }),
  );
  await c.send(new PutObjectCommand({ Bucket, Key: 'cold/read', Body: body, StorageClass: IT }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'cold/idle', Body: body, StorageClass: IT }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'warm/tagged', Body: body, StorageClass: IT, Tagging: 'archive=yes' }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'warm/plain', Body: body, StorageClass: IT }));
  await advance('60d');
  await read(Bucket, 'cold/read');
  await advance('41d');
  assert.deepEqual(await tiers(Bucket), {
    'cold/idle': 'ARCHIVE_ACCESS',
    'cold/read': 'INFREQUENT_ACCESS',
    'warm/plain': 'ARCHIVE_INSTANT_ACCESS',
    'warm/tagged': 'ARCHIVE_ACCESS',
  });
  await advance('60d');
  assert.equal((await tiers(Bucket))['cold/read'], 'ARCHIVE_ACCESS');
  // a configuration removed: objects not yet archived stay in the instant tiers
  await c.send(new PutObjectCommand({ Bucket, Key: 'cold/late', Body: body, StorageClass: IT }));
  await c.send(new DeleteBucketIntelligentTieringConfigurationCommand({ Bucket, Id: 'cold' }));
  await advance('120d');
  assert.equal((await tiers(Bucket))['cold/late'], 'ARCHIVE_INSTANT_ACCESS');
});

test('lifecycle transition to INTELLIGENT_TIERING starts the object in Frequent Access', async () => {
  const Bucket = 'it-lifecycle';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: body }));
  await c.send(
    new PutBucketIntelligentTieringConfigurationCommand({ Bucket, Id: 'a', IntelligentTieringConfiguration: archiveConfig('a', [90]) }),
  );
  await c.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: { Rules: [{ ID: 'it', Status: 'Enabled', Filter: {}, Transitions: [{ Days: 30, StorageClass: IT }] }] },
    }),
  );
  await advance('31d');
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'k' }))).StorageClass, IT);
  assert.equal((await tiers(Bucket)).k, 'FREQUENT_ACCESS');
  await advance('31d');
  assert.equal((await tiers(Bucket)).k, 'INFREQUENT_ACCESS');
  await advance('60d');
  assert.equal((await c.send(new HeadObjectCommand({ Bucket, Key: 'k' }))).ArchiveStatus, 'ARCHIVE_ACCESS');
});

test('moving to an archive tier sends the s3:IntelligentTiering event', async () => {
  const sqs = new SQSClient(clientConfig(nimbus.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'it-events' }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  const Bucket = 'it-events';
  await c.send(new CreateBucketCommand({ Bucket }));
  await c.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: Attributes!.QueueArn, Events: ['s3:IntelligentTiering'] }] },
    }),
  );
  await c.send(
    new PutBucketIntelligentTieringConfigurationCommand({ Bucket, Id: 'a', IntelligentTieringConfiguration: archiveConfig('a', [90]) }),
  );
  await c.send(new PutObjectCommand({ Bucket, Key: 'k', Body: body, StorageClass: IT }));
  // (the queue's 4-day retention drops the configuration's s3:TestEvent during the advance)
  await advance('91d');
  const names: string[] = [];
  for (let i = 0; i < 3 && !names.includes('IntelligentTiering'); i++) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of r.Messages ?? []) {
      const event = JSON.parse(m.Body!) as { Event?: string; Records?: { eventName: string; s3: { object: { key: string } } }[] };
      names.push(event.Event ?? `${event.Records![0].eventName} ${event.Records![0].s3.object.key}`);
    }
  }
  assert.deepEqual(names, ['IntelligentTiering k']);
});

test('PutBucketIntelligentTieringConfiguration: days out of range, duplicate tiers, Deep not after Archive, mismatched Id', async () => {
  const Bucket = 'it-validation';
  await c.send(new CreateBucketCommand({ Bucket }));
  const put = (config: IntelligentTieringConfiguration, Id = config.Id) =>
    c.send(new PutBucketIntelligentTieringConfigurationCommand({ Bucket, Id, IntelligentTieringConfiguration: config }));
  const invalid = (config: IntelligentTieringConfiguration, message: string) =>
    rejects(put(config), 'InvalidArgument', 400, (e) => assert.equal(e.message, message));
  await invalid(archiveConfig('x', [89]), 'Days specified in ARCHIVE_ACCESS tier should not be less than 90.');
  await invalid(archiveConfig('x', [731]), 'Days specified in ARCHIVE_ACCESS tier should not be more than 730.');
  await invalid(archiveConfig('x', [undefined, 179]), 'Days specified in DEEP_ARCHIVE_ACCESS tier should not be less than 180.');
  await invalid(archiveConfig('x', [undefined, 731]), 'Days specified in DEEP_ARCHIVE_ACCESS tier should not be more than 730.');
  await invalid(
    archiveConfig('x', [200, 180]),
    'Days specified in DEEP_ARCHIVE_ACCESS tier should be greater than days specified in ARCHIVE_ACCESS tier.',
  );
  await rejects(
    put({
      Id: 'x',
      Status: 'Enabled',
      Tierings: [
        { AccessTier: 'ARCHIVE_ACCESS', Days: 90 },
        { AccessTier: 'ARCHIVE_ACCESS', Days: 100 },
      ],
    }),
    'InvalidArgument',
    400,
  );
  await rejects(put(archiveConfig('x', [90]), 'y'), 'MalformedXML', 400);
  await rejects(put({ Id: 'x', Status: 'Enabled', Tierings: [] }), 'MalformedXML', 400);
  await rejects(
    c.send(
      new PutBucketIntelligentTieringConfigurationCommand({
        Bucket: 'it-no-such-bucket',
        Id: 'x',
        IntelligentTieringConfiguration: archiveConfig('x', [10]),
      }),
    ),
    'NoSuchBucket',
    404,
  );
  await put(archiveConfig('x', [90, 730]));
  assert.equal((await fetch(`${nimbus.url}/_nimbus/s3/tiers?bucket=it-no-such-bucket`)).status, 404);
});

test('boto3: an archived Intelligent-Tiering object is restored on the virtual clock', async () => {
  const script = `
import json, sys, urllib.request, boto3
from botocore.exceptions import ClientError
url = sys.argv[1]
s3 = boto3.client('s3', endpoint_url=url, region_name='us-east-1')
def advance(by):
    urllib.request.urlopen(urllib.request.Request(url + '/_nimbus/clock', data=json.dumps({'advance': by}).encode(), method='POST')).read()
s3.create_bucket(Bucket='it-boto3')
s3.put_bucket_intelligent_tiering_configuration(Bucket='it-boto3', Id='deep', IntelligentTieringConfiguration={
    'Id': 'deep', 'Status': 'Enabled', 'Tierings': [{'Days': 180, 'AccessTier': 'DEEP_ARCHIVE_ACCESS'}]})
s3.put_object(Bucket='it-boto3', Key='k', Body=b'z' * 131072, StorageClass='INTELLIGENT_TIERING')
advance('181d')
out = {'archive': s3.head_object(Bucket='it-boto3', Key='k').get('ArchiveStatus')}
try:
    s3.get_object(Bucket='it-boto3', Key='k')
except ClientError as e:
    out['get'] = [e.response['Error']['Code'], e.response['Error'].get('AccessTier')]
out['restore'] = s3.restore_object(Bucket='it-boto3', Key='k', RestoreRequest={})['ResponseMetadata']['HTTPStatusCode']
out['ongoing'] = s3.head_object(Bucket='it-boto3', Key='k').get('Restore')
advance('13h')
out['size'] = len(s3.get_object(Bucket='it-boto3', Key='k')['Body'].read())
out['after'] = s3.head_object(Bucket='it-boto3', Key='k').get('ArchiveStatus')
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    archive: 'DEEP_ARCHIVE_ACCESS',
    get: ['InvalidObjectState', 'DEEP_ARCHIVE_ACCESS'],
    restore: 202,
    ongoing: 'ongoing-request="true"',
    size: 131072,
    after: null,
  });
});
