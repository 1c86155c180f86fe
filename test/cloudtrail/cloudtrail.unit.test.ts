// CloudTrail's pure logic: event classification, redaction, selectors, log file keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDataEvent, isReadOnly, eventName, resourcesOf } from '../../src/services/cloudtrail/classify.js';
import { scrub } from '../../src/services/cloudtrail/record.js';
import { selects, wantsData } from '../../src/services/cloudtrail/selectors.js';
import { logKey } from '../../src/services/cloudtrail/delivery.js';

test('object- and item-level calls are data events; bucket and table calls are management events', () => {
  assert.equal(isDataEvent('s3', 'GetObject'), true);
  assert.equal(isDataEvent('s3', 'PutObject'), true);
  assert.equal(isDataEvent('s3', 'CreateBucket'), false);
  assert.equal(isDataEvent('dynamodb', 'GetItem'), true);
  assert.equal(isDataEvent('dynamodb', 'CreateTable'), false);
  assert.equal(isDataEvent('kms', 'Decrypt'), false);
  assert.equal(isReadOnly('DescribeKey'), true);
  assert.equal(isReadOnly('Decrypt'), true);
  assert.equal(isReadOnly('CreateKey'), false);
  assert.equal(eventName('s3', 'ListObjectsV2'), 'ListObjects');
  assert.deepEqual(resourcesOf('kms', 'us-east-1', '111122223333', { KeyId: 'abc-1' }, undefined), [
    { ResourceType: 'AWS::KMS::Key', ResourceName: 'arn:aws:kms:us-east-1:111122223333:key/abc-1' },
  ]);
});

test('redaction: secrets, key material and bytes are left out; members are camelCase; dates ISO', () => {
  const out = scrub({
    Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date('2030-01-01T00:00:00.123Z') },
    KeyId: 'k',
    Plaintext: Buffer.from('p'),
    Password: 'pw',
    SSEKMSKeyId: 'x',
    Blob: Buffer.from('b'),
  });
  assert.deepEqual(out, { credentials: { accessKeyId: 'ASIA1', expiration: '2030-01-01T00:00:00Z' }, keyId: 'k', ssekmsKeyId: 'x' });
});

test('selectors: defaults take management events only; data resources by ARN prefix; advanced fields', () => {
  const mgmt = { management: true, readOnly: false, source: 's3.amazonaws.com', name: 'CreateBucket', resources: [] };
  const put = {
    management: false,
    readOnly: false,
    source: 's3.amazonaws.com',
    name: 'PutObject',
    resources: [
      { ResourceType: 'AWS::S3::Bucket', ResourceName: 'b' },
      { ResourceType: 'AWS::S3::Object', ResourceName: 'arn:aws:s3:::b/k' },
    ],
  };
  assert.equal(selects(undefined, undefined, mgmt), true);
  assert.equal(selects(undefined, undefined, put), false);
  const sel = [
    {
      ReadWriteType: 'WriteOnly' as const,
      IncludeManagementEvents: false,
      DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::b/'] }],
    },
  ];
  assert.equal(selects(sel, undefined, put), true);
  assert.equal(selects(sel, undefined, mgmt), false);
  assert.equal(selects(sel, undefined, { ...put, readOnly: true }), false);
  assert.equal(wantsData(sel, undefined), true);
  const adv = [
    {
      FieldSelectors: [
        { Field: 'eventCategory', Equals: ['Data'] },
        { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
        { Field: 'eventName', NotEquals: ['GetObject'] },
      ],
    },
  ];
  assert.equal(selects(undefined, adv, put), true);
  assert.equal(selects(undefined, adv, { ...put, name: 'GetObject' }), false);
  assert.equal(selects(undefined, adv, mgmt), false);
});

test('log file keys follow the AWSLogs layout', () => {
  const key = logKey('logs/', '111122223333', 'eu-west-1', new Date('2026-03-04T05:06:07Z'));
  assert.match(
    key,
    /^logs\/AWSLogs\/111122223333\/CloudTrail\/eu-west-1\/2026\/03\/04\/111122223333_CloudTrail_eu-west-1_20260304T0506Z_[A-Za-z0-9]{16}\.json\.gz$/,
  );
});
