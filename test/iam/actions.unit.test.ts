// The action/resource table's pure parts: KMS and Lambda resources, dynamodb:LeadingKeys.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asks, leadingKeys } from '../../src/services/iam/actions.js';

const w = { account: '000000000000', region: 'eu-west-1' };

test('KMS keys by id, alias and ARN; ReEncrypt asks both halves', () => {
  assert.deepEqual(asks('kms', 'Encrypt', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }, w), [
    { action: 'kms:Encrypt', resource: 'arn:aws:kms:eu-west-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
  ]);
  assert.deepEqual(asks('kms', 'Encrypt', { KeyId: 'alias/app' }, w), [
    { action: 'kms:Encrypt', resource: 'arn:aws:kms:eu-west-1:000000000000:alias/app' },
  ]);
  assert.deepEqual(asks('kms', 'ListKeys', {}, w), [{ action: 'kms:ListKeys', resource: '*' }]);
  assert.deepEqual(
    asks('kms', 'ReEncrypt', { DestinationKeyId: 'k2' }, w).map((a) => a.action),
    ['kms:ReEncryptFrom', 'kms:ReEncryptTo'],
  );
});

test('Lambda: Invoke is InvokeFunction on the (qualified) function ARN in every naming form', () => {
  const fn = 'arn:aws:lambda:eu-west-1:000000000000:function:f';
  assert.deepEqual(asks('lambda', 'Invoke', { FunctionName: 'f' }, w), [{ action: 'lambda:InvokeFunction', resource: fn }]);
  assert.deepEqual(asks('lambda', 'Invoke', { FunctionName: 'f', Qualifier: 'prod' }, w), [
    { action: 'lambda:InvokeFunction', resource: `${fn}:prod` },
  ]);
  assert.deepEqual(asks('lambda', 'Invoke', { FunctionName: '000000000000:function:f:7' }, w), [
    { action: 'lambda:InvokeFunction', resource: `${fn}:7` },
  ]);
  assert.deepEqual(asks('lambda', 'GetFunction', { FunctionName: 'arn:aws:lambda:us-east-1:111111111111:function:g' }, w), [
    { action: 'lambda:GetFunction', resource: 'arn:aws:lambda:us-east-1:111111111111:function:g' },
  ]);
  assert.deepEqual(asks('lambda', 'ListFunctions', {}, w), [{ action: 'lambda:ListFunctions', resource: '*' }]);
});

test('dynamodb:LeadingKeys from Key, Item, batches, KeyConditionExpression and KeyConditions', () => {
  assert.deepEqual(leadingKeys('GetItem', { Key: { pk: { S: 'a' }, sk: { S: 'x' } } }, 'pk', 't'), ['a']);
  assert.deepEqual(leadingKeys('PutItem', { Item: { pk: { N: '7' } } }, 'pk', 't'), ['7']);
  assert.deepEqual(
    leadingKeys(
      'BatchWriteItem',
      {
        RequestItems: {
          t: [{ PutRequest: { Item: { pk: { S: 'a' } } } }, { DeleteRequest: { Key: { pk: { S: 'b' } } } }],
          u: [{ PutRequest: { Item: { pk: { S: 'c' } } } }],
        },
      },
      'pk',
      't',
    ),
    ['a', 'b'],
  );
  assert.deepEqual(leadingKeys('BatchGetItem', { RequestItems: { t: { Keys: [{ pk: { S: 'a' } }, { pk: { S: 'a' } }] } } }, 'pk', 't'), [
    'a',
  ]);
  assert.deepEqual(
    leadingKeys(
      'Query',
      {
        KeyConditionExpression: '#p = :v AND sk > :s',
        ExpressionAttributeNames: { '#p': 'pk' },
        ExpressionAttributeValues: { ':v': { S: 'q' }, ':s': { S: '0' } },
      },
      'pk',
      't',
    ),
    ['q'],
  );
  assert.deepEqual(
    leadingKeys('Query', { KeyConditions: { pk: { AttributeValueList: [{ S: 'k' }], ComparisonOperator: 'EQ' } } }, 'pk', 't'),
    ['k'],
  );
  assert.equal(leadingKeys('Scan', {}, 'pk', 't'), undefined);
});

test('SSM: parameter operations on the parameter ARN without its leading slash or selector; one ask per name', () => {
  const p = 'arn:aws:ssm:eu-west-1:000000000000:parameter';
  assert.deepEqual(asks('ssm', 'GetParameter', { Name: '/app/x:3' }, w), [{ action: 'ssm:GetParameter', resource: `${p}/app/x` }]);
  assert.deepEqual(asks('ssm', 'GetParameter', { Name: 'plain:prod' }, w), [{ action: 'ssm:GetParameter', resource: `${p}/plain` }]);
  assert.deepEqual(asks('ssm', 'GetParameter', { Name: 'arn:aws:ssm:us-east-1:111111111111:parameter/shared/k:2' }, w), [
    { action: 'ssm:GetParameter', resource: 'arn:aws:ssm:us-east-1:111111111111:parameter/shared/k' },
  ]);
  assert.deepEqual(
    asks('ssm', 'DeleteParameters', { Names: ['/a', '/b'] }, w).map((a) => a.resource),
    [`${p}/a`, `${p}/b`],
  );
  assert.deepEqual(asks('ssm', 'GetParametersByPath', { Path: '/app/db' }, w), [
    { action: 'ssm:GetParametersByPath', resource: `${p}/app/db` },
  ]);
  assert.deepEqual(asks('ssm', 'ListTagsForResource', { ResourceType: 'Parameter', ResourceId: '/app/x' }, w), [
    { action: 'ssm:ListTagsForResource', resource: `${p}/app/x` },
  ]);
  assert.deepEqual(asks('ssm', 'ListTagsForResource', { ResourceType: 'Document', ResourceId: 'doc' }, w), [
    { action: 'ssm:ListTagsForResource', resource: '*' },
  ]);
  assert.deepEqual(asks('ssm', 'DescribeParameters', {}, w), [{ action: 'ssm:DescribeParameters', resource: '*' }]);
});
