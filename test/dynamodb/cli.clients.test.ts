// DynamoDB through other clients: the SDK v3 document client, boto3 (client and resource with its
// Key/Attr conditions), the AWS CLI v1 and v2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { serverForFile, clientConfig, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

let ddb: D.DynamoDBClient;
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
});

async function table(name: string) {
  await ddb.send(
    new D.CreateTableCommand({
      TableName: name,
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
}

test('lib-dynamodb document client: native values, sets, nested updates, queries, transactions', async () => {
  await table('docs');
  const doc = DynamoDBDocumentClient.from(ddb);
  await doc.send(
    new PutCommand({
      TableName: 'docs',
      Item: { pk: 'u#1', sk: 1, name: 'Ada', tags: new Set(['a', 'b']), profile: { langs: ['en'] }, empty: '' },
    }),
  );
  const upd = await doc.send(
    new UpdateCommand({
      TableName: 'docs',
      Key: { pk: 'u#1', sk: 1 },
      UpdateExpression: 'SET profile.langs = list_append(profile.langs, :l), visits = if_not_exists(visits, :z) + :one',
      ConditionExpression: 'attribute_exists(pk) AND #n = :ada',
      ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':l': ['fr'], ':z': 0, ':one': 1, ':ada': 'Ada' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  assert.deepEqual(upd.Attributes!.profile, { langs: ['en', 'fr'] });
  assert.equal(upd.Attributes!.visits, 1);
  const got = await doc.send(new GetCommand({ TableName: 'docs', Key: { pk: 'u#1', sk: 1 } }));
  assert.deepEqual(got.Item!.tags, new Set(['a', 'b']));
  await doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: 'docs', Item: { pk: 'u#1', sk: 2 } } },
        { Put: { TableName: 'docs', Item: { pk: 'u#1', sk: 3 } } },
      ],
    }),
  );
  const q = await doc.send(
    new QueryCommand({
      TableName: 'docs',
      KeyConditionExpression: 'pk = :p AND sk > :one',
      ExpressionAttributeValues: { ':p': 'u#1', ':one': 1 },
    }),
  );
  assert.deepEqual(
    q.Items!.map((i) => i.sk),
    [2, 3],
  );
});

test('boto3 client and resource: Key/Attr conditions, batch_writer, paginators, ConditionalCheckFailed', async () => {
  const script = `
import boto3, sys, json
from decimal import Decimal
from boto3.dynamodb.conditions import Key, Attr
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
client = boto3.client('dynamodb', **kw)
client.create_table(TableName='boto', AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}, {'AttributeName': 'sk', 'AttributeType': 'N'}],
    KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}], BillingMode='PAY_PER_REQUEST')
client.get_waiter('table_exists').wait(TableName='boto')
table = boto3.resource('dynamodb', **kw).Table('boto')
with table.batch_writer() as w:
    for i in range(40):
        w.put_item(Item={'pk': 'p', 'sk': i, 'price': Decimal(i) / 4, 'kind': 'even' if i % 2 == 0 else 'odd'})
r = table.query(KeyConditionExpression=Key('pk').eq('p') & Key('sk').between(10, 19), FilterExpression=Attr('kind').eq('even') & Attr('price').gte(Decimal('3')))
out = {'query': [int(i['sk']) for i in r['Items']], 'scanned': r['ScannedCount']}
pages = client.get_paginator('query').paginate(TableName='boto', KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': {'S': 'p'}}, PaginationConfig={'PageSize': 7})
out['paged'] = sum(len(p['Items']) for p in pages)
table.update_item(Key={'pk': 'p', 'sk': 0}, UpdateExpression='ADD hits :one', ExpressionAttributeValues={':one': 1})
try:
    table.put_item(Item={'pk': 'p', 'sk': 0}, ConditionExpression=Attr('pk').not_exists())
except client.exceptions.ConditionalCheckFailedException as e:
    out['error'] = e.response['Error']['Code']
out['hits'] = int(table.get_item(Key={'pk': 'p', 'sk': 0})['Item']['hits'])
out['price'] = str(table.get_item(Key={'pk': 'p', 'sk': 5})['Item']['price'])
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    query: [12, 14, 16, 18],
    scanned: 10,
    paged: 40,
    error: 'ConditionalCheckFailedException',
    hits: 1,
    price: '1.25',
  });
});

for (const [label, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`AWS CLI ${label}: create-table, put-item, get-item, query, update-item, delete-table`, async () => {
    const t = `cli-${label}`;
    const aws = (...args: string[]) => runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', 'dynamodb', ...args]);
    let r = await aws(
      'create-table',
      '--table-name',
      t,
      '--attribute-definitions',
      'AttributeName=pk,AttributeType=S',
      '--key-schema',
      'AttributeName=pk,KeyType=HASH',
      '--billing-mode',
      'PAY_PER_REQUEST',
    );
    assert.equal(r.code, 0, r.stderr);
    r = await aws('wait', 'table-exists', '--table-name', t);
    assert.equal(r.code, 0, r.stderr);
    r = await aws('put-item', '--table-name', t, '--item', '{"pk":{"S":"a"},"n":{"N":"1"}}');
    assert.equal(r.code, 0, r.stderr);
    r = await aws(
      'update-item',
      '--table-name',
      t,
      '--key',
      '{"pk":{"S":"a"}}',
      '--update-expression',
      'SET n = n + :one',
      '--expression-attribute-values',
      '{":one":{"N":"1"}}',
      '--return-values',
      'UPDATED_NEW',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).Attributes, { n: { N: '2' } });
    r = await aws('get-item', '--table-name', t, '--key', '{"pk":{"S":"a"}}');
    assert.deepEqual(JSON.parse(r.stdout).Item, { pk: { S: 'a' }, n: { N: '2' } });
    r = await aws('query', '--table-name', t, '--key-condition-expression', 'pk = :a', '--expression-attribute-values', '{":a":{"S":"a"}}');
    assert.equal(JSON.parse(r.stdout).Count, 1);
    r = await aws('put-item', '--table-name', t, '--item', '{"pk":{"S":"a"}}', '--condition-expression', 'attribute_not_exists(pk)');
    assert.ok(r.code === 255 || r.code === 254, String(r.code)); // v1 exits 255 on service errors, v2 254
    assert.match(
      r.stderr,
      /An error occurred \(ConditionalCheckFailedException\) when calling the PutItem operation: The conditional request failed/,
    );
    r = await aws('delete-table', '--table-name', t);
    assert.equal(r.code, 0, r.stderr);
  });
}
