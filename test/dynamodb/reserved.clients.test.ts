// DynamoDB's reserved words: refused as bare attribute names in every expression kind, accepted
// through placeholders; through the SDK v3 client, the document client and boto3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { serverForFile, clientConfig, rejects as rejectsWith, runCli } from '../helpers.js';

let ddb: D.DynamoDBClient;
const T = 'words';
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
  await ddb.send(
    new D.CreateTableCommand({
      TableName: T,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await ddb.send(
    new D.PutItemCommand({
      TableName: T,
      Item: { pk: { S: 'a' }, sk: { N: '1' }, status: { S: 'new' }, info: { M: { name: { S: 'Ada' } } } },
    }),
  );
});

/** A 400 ValidationException with exactly this message. */
const rejects = (p: Promise<unknown>, name: string, message: string) => rejectsWith(p, name, 400, (e) => assert.equal(e.message, message));
const refused = (kind: string, word: string) => `Invalid ${kind}: Attribute name is a reserved keyword; reserved keyword: ${word}`;
const key = { pk: { S: 'a' }, sk: { N: '1' } };

test('each expression kind refuses a bare reserved word, naming it as written', async () => {
  await rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: T,
        KeyConditionExpression: 'pk = :p AND sk > :z',
        FilterExpression: 'Status = :s',
        ExpressionAttributeValues: { ':p': { S: 'a' }, ':z': { N: '0' }, ':s': { S: 'new' } },
      }),
    ),
    'ValidationException',
    refused('FilterExpression', 'Status'),
  );
  await rejects(
    ddb.send(new D.ScanCommand({ TableName: T, FilterExpression: 'attribute_exists(comment)' })),
    'ValidationException',
    refused('FilterExpression', 'comment'),
  );
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: T, Key: key, ProjectionExpression: 'pk, status' })),
    'ValidationException',
    refused('ProjectionExpression', 'status'),
  );
  await rejects(
    ddb.send(
      new D.PutItemCommand({
        TableName: T,
        Item: key,
        ConditionExpression: 'attribute_not_exists(pk) OR size(data) < :n',
        ExpressionAttributeValues: { ':n': { N: '3' } },
      }),
    ),
    'ValidationException',
    refused('ConditionExpression', 'data'),
  );
  await rejects(
    ddb.send(
      new D.UpdateItemCommand({
        TableName: T,
        Key: key,
        UpdateExpression: 'SET status = :s',
        ExpressionAttributeValues: { ':s': { S: 'done' } },
      }),
    ),
    'ValidationException',
    refused('UpdateExpression', 'status'),
  );
  await rejects(
    ddb.send(new D.UpdateItemCommand({ TableName: T, Key: key, UpdateExpression: 'REMOVE ttl' })),
    'ValidationException',
    refused('UpdateExpression', 'ttl'),
  );
  await rejects(
    ddb.send(
      new D.DeleteItemCommand({
        TableName: T,
        Key: key,
        ConditionExpression: 'user = :u',
        ExpressionAttributeValues: { ':u': { S: 'x' } },
      }),
    ),
    'ValidationException',
    refused('ConditionExpression', 'user'),
  );
  // nothing was written by the refused requests
  const item = (await ddb.send(new D.GetItemCommand({ TableName: T, Key: key }))).Item!;
  assert.equal(item.status.S, 'new');
});

test('KeyConditionExpression refuses a reserved partition or sort key name', async () => {
  await ddb.send(
    new D.CreateTableCommand({
      TableName: 'hashed',
      AttributeDefinitions: [
        { AttributeName: 'hash', AttributeType: 'S' },
        { AttributeName: 'date', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'hash', KeyType: 'HASH' },
        { AttributeName: 'date', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await ddb.send(new D.PutItemCommand({ TableName: 'hashed', Item: { hash: { S: 'h' }, date: { S: '2026-11-24' } } }));
  await rejects(
    ddb.send(
      new D.QueryCommand({ TableName: 'hashed', KeyConditionExpression: 'hash = :h', ExpressionAttributeValues: { ':h': { S: 'h' } } }),
    ),
    'ValidationException',
    refused('KeyConditionExpression', 'hash'),
  );
  await rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: 'hashed',
        KeyConditionExpression: '#h = :h AND begins_with(date, :y)',
        ExpressionAttributeNames: { '#h': 'hash' },
        ExpressionAttributeValues: { ':h': { S: 'h' }, ':y': { S: '2026' } },
      }),
    ),
    'ValidationException',
    refused('KeyConditionExpression', 'date'),
  );
  const ok = await ddb.send(
    new D.QueryCommand({
      TableName: 'hashed',
      KeyConditionExpression: '#h = :h AND begins_with(#d, :y)',
      ExpressionAttributeNames: { '#h': 'hash', '#d': 'date' },
      ExpressionAttributeValues: { ':h': { S: 'h' }, ':y': { S: '2026' } },
    }),
  );
  assert.equal(ok.Count, 1);
});

test('nested path elements are checked too; placeholders and longer names are accepted', async () => {
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: T, Key: key, ProjectionExpression: 'info.name' })),
    'ValidationException',
    refused('ProjectionExpression', 'name'),
  );
  await rejects(
    ddb.send(
      new D.UpdateItemCommand({
        TableName: T,
        Key: key,
        UpdateExpression: 'SET info.#n = :v, list[0] = :v',
        ExpressionAttributeNames: { '#n': 'name' },
        ExpressionAttributeValues: { ':v': { S: 'x' } },
      }),
    ),
    'ValidationException',
    refused('UpdateExpression', 'list'),
  );
  // a word containing a reserved word is not one
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: T,
      Key: key,
      UpdateExpression: 'SET statusCode = :c, info.#n = :n',
      ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':c': { N: '200' }, ':n': { S: 'Grace' } },
    }),
  );
  const got = await ddb.send(
    new D.GetItemCommand({
      TableName: T,
      Key: key,
      ProjectionExpression: '#s, statusCode, info.#n',
      ExpressionAttributeNames: { '#s': 'status', '#n': 'name' },
    }),
  );
  assert.deepEqual(got.Item, { status: { S: 'new' }, statusCode: { N: '200' }, info: { M: { name: { S: 'Grace' } } } });
});

test('a syntax error is reported before a reserved word; of the other faults the first in the text wins', async () => {
  await rejectsWith(
    ddb.send(new D.GetItemCommand({ TableName: T, Key: key, ProjectionExpression: 'status, year, ' })),
    'ValidationException',
    400,
    (e) => assert.match(String(e.message), /^Invalid ProjectionExpression: Syntax error; token: "<EOF>"/),
  );
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: T, Key: key, ProjectionExpression: 'pk, #nope, status' })),
    'ValidationException',
    'Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope',
  );
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: T, Key: key, ProjectionExpression: 'pk, year, status' })),
    'ValidationException',
    refused('ProjectionExpression', 'year'),
  );
});

test('all 573 reserved words of the developer guide are refused, in any case', async () => {
  const { RESERVED_WORDS } = await import('../../src/services/dynamodb/expressions/reserved-words.js');
  assert.equal(RESERVED_WORDS.size, 573);
  let i = 0;
  for (const word of RESERVED_WORDS) {
    const written = i++ % 2 ? word.toLowerCase() : word;
    await rejects(
      ddb.send(new D.ScanCommand({ TableName: T, ProjectionExpression: `pk, ${written}` })),
      'ValidationException',
      refused('ProjectionExpression', written),
    );
  }
  for (const word of ['pk', 'statuses', 'names2', 'abortive', 'zones', 'x']) {
    await ddb.send(new D.ScanCommand({ TableName: T, ProjectionExpression: word }));
  }
});

test('transactions and batch reads check their expressions too', async () => {
  await rejects(
    ddb.send(
      new D.TransactWriteItemsCommand({
        TransactItems: [{ ConditionCheck: { TableName: T, Key: key, ConditionExpression: 'attribute_exists(owner)' } }],
      }),
    ),
    'ValidationException',
    refused('ConditionExpression', 'owner'),
  );
  await rejects(
    ddb.send(new D.BatchGetItemCommand({ RequestItems: { [T]: { Keys: [key], ProjectionExpression: 'size' } } })),
    'ValidationException',
    refused('ProjectionExpression', 'size'),
  );
});

test('lib-dynamodb: a bare reserved word is refused, the same update through a placeholder works', async () => {
  const doc = DynamoDBDocumentClient.from(ddb);
  await rejects(
    doc.send(
      new UpdateCommand({
        TableName: T,
        Key: { pk: 'a', sk: 1 },
        UpdateExpression: 'SET count = if_not_exists(count, :z) + :one',
        ExpressionAttributeValues: { ':z': 0, ':one': 1 },
      }),
    ),
    'ValidationException',
    refused('UpdateExpression', 'count'),
  );
  const out = await doc.send(
    new UpdateCommand({
      TableName: T,
      Key: { pk: 'a', sk: 1 },
      UpdateExpression: 'SET #c = if_not_exists(#c, :z) + :one',
      ExpressionAttributeNames: { '#c': 'count' },
      ExpressionAttributeValues: { ':z': 0, ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  assert.deepEqual(out.Attributes, { count: 1 });
  const q = await doc.send(
    new QueryCommand({
      TableName: T,
      KeyConditionExpression: 'pk = :p',
      FilterExpression: '#c = :one',
      ExpressionAttributeNames: { '#c': 'count' },
      ExpressionAttributeValues: { ':p': 'a', ':one': 1 },
    }),
  );
  assert.equal(q.Count, 1);
});

test('boto3: update_item with a bare reserved word raises ValidationException; Attr() conditions work', async () => {
  const script = `
import boto3, sys, json
from boto3.dynamodb.conditions import Attr
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
client = boto3.client('dynamodb', **kw)
out = {}
try:
    client.update_item(TableName='words', Key={'pk': {'S': 'a'}, 'sk': {'N': '1'}}, UpdateExpression='SET status = :s', ExpressionAttributeValues={':s': {'S': 'done'}})
except client.exceptions.ClientError as e:
    out['code'] = e.response['Error']['Code']
    out['message'] = e.response['Error']['Message']
table = boto3.resource('dynamodb', **kw).Table('words')
table.update_item(Key={'pk': 'a', 'sk': 1}, UpdateExpression='SET #s = :s', ExpressionAttributeNames={'#s': 'status'}, ExpressionAttributeValues={':s': 'done'}, ConditionExpression=Attr('status').eq('new'))
out['status'] = table.get_item(Key={'pk': 'a', 'sk': 1})['Item']['status']
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { code: 'ValidationException', message: refused('UpdateExpression', 'status'), status: 'done' });
});
