// DynamoDB's exact answers: validation before lookup, its wording and order for parameter errors,
// the table lifecycle as its responses show it, and the shapes of what it returns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig, rejects } from '../helpers.js';
import { ddbRaw } from '../dynamodb-raw.js';

let ddb: D.DynamoDBClient;
const nimbus = serverForFile(() => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
});

let n = 0;
async function table(extra: Partial<D.CreateTableCommandInput> = {}): Promise<{ name: string; created: D.TableDescription }> {
  const name = `fid-${++n}`;
  const out = await ddb.send(
    new D.CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...extra,
    }),
  );
  return { name, created: out.TableDescription! };
}

const validation = (message: string) => (e: Record<string, unknown>) => assert.equal(e.message, message);

test('a table name that cannot exist is a ValidationException before any lookup', async () => {
  await rejects(
    ddb.send(new D.DescribeTableCommand({ TableName: 'a;' })),
    'ValidationException',
    400,
    validation(
      "1 validation error detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    ),
  );
  await rejects(ddb.send(new D.GetItemCommand({ TableName: 'no such!', Key: { pk: { S: 'x' } } })), 'ValidationException', 400);
  await rejects(
    ddb.send(
      new D.CreateTableCommand({
        TableName: 'ab',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
    'ValidationException',
    400,
    validation(
      "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
    ),
  );
  // a valid name that does not exist is still "not found"
  await rejects(ddb.send(new D.DescribeTableCommand({ TableName: 'valid-but-absent' })), 'ResourceNotFoundException', 400);
  // ARNs are accepted where a name is
  const { name } = await table();
  const arn = `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`;
  assert.equal((await ddb.send(new D.DescribeTableCommand({ TableName: arn }))).Table!.TableName, name);
});

test('a missing required member: "Value null at ... Member must not be null", on the wire as in the SDK', async () => {
  const res = await ddbRaw(nimbus.url, 'DescribeTable', {});
  assert.equal(res.status, 400);
  assert.match(String(res.json.__type), /ValidationException$/);
  assert.equal(
    res.json.message,
    "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
  );
});

test('placeholders without expressions: DynamoDB names the expressions that are null, before checking the placeholders', async () => {
  const { name } = await table();
  await rejects(
    ddb.send(new D.UpdateItemCommand({ TableName: name, Key: { pk: { S: 'a' } }, ExpressionAttributeValues: {} })),
    'ValidationException',
    400,
    validation('ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null'),
  );
  await rejects(
    ddb.send(new D.PutItemCommand({ TableName: name, Item: { pk: { S: 'a' } }, ExpressionAttributeValues: { ':v': { S: 'x' } } })),
    'ValidationException',
    400,
    validation('ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null'),
  );
  await rejects(
    ddb.send(new D.ScanCommand({ TableName: name, ProjectionExpression: 'pk', ExpressionAttributeValues: { ':v': { S: 'x' } } })),
    'ValidationException',
    400,
    validation('ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null'),
  );
  await rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: name,
        KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'a' }] } },
        ExpressionAttributeValues: { ':v': { S: 'x' } },
      }),
    ),
    'ValidationException',
    400,
    validation(
      'ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null',
    ),
  );
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: name, Key: { pk: { S: 'a' } }, ExpressionAttributeNames: {} })),
    'ValidationException',
    400,
    validation('ExpressionAttributeNames can only be specified when using expressions'),
  );
  // with an expression, an empty map is its own error
  await rejects(
    ddb.send(
      new D.PutItemCommand({
        TableName: name,
        Item: { pk: { S: 'a' } },
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeValues: {},
      }),
    ),
    'ValidationException',
    400,
    validation('ExpressionAttributeValues must not be empty'),
  );
});

test("KeyConditions with an operator a key cannot use: DynamoDB's message, not the expression Nimbus built", async () => {
  const { name } = await table();
  for (const op of ['NULL', 'NOT_NULL', 'NE', 'CONTAINS', 'IN'] as const) {
    const AttributeValueList = op === 'NULL' || op === 'NOT_NULL' ? undefined : [{ S: 'a' }];
    await rejects(
      ddb.send(new D.QueryCommand({ TableName: name, KeyConditions: { pk: { ComparisonOperator: op, AttributeValueList } } })),
      'ValidationException',
      400,
      validation('Attempted conditional constraint is not an indexable operation'),
    );
  }
});

test('BatchWriteItem: a put whose key does not match the schema', async () => {
  const { name } = await table();
  for (const Item of [{ other: { S: 'x' } }, { pk: { N: '1' } }] as Record<string, D.AttributeValue>[]) {
    await rejects(
      ddb.send(new D.BatchWriteItemCommand({ RequestItems: { [name]: [{ PutRequest: { Item } }] } })),
      'ValidationException',
      400,
      validation('The provided key element does not match the schema'),
    );
  }
  await rejects(
    ddb.send(new D.BatchWriteItemCommand({ RequestItems: { [name]: [{ DeleteRequest: { Key: { other: { S: 'x' } } } }] } })),
    'ValidationException',
    400,
    validation('The provided key element does not match the schema'),
  );
});

test('table lifecycle: CreateTable answers CREATING, DescribeTable and the waiter see ACTIVE at once; a new GSI is CREATING then ACTIVE', async () => {
  const { name, created } = await table({
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
    ],
  });
  assert.equal(created.TableStatus, 'CREATING');
  assert.equal(created.GlobalSecondaryIndexes![0].IndexStatus, 'CREATING');
  const waited = await D.waitUntilTableExists({ client: ddb, maxWaitTime: 5, minDelay: 1 }, { TableName: name });
  assert.equal(waited.state, 'SUCCESS');
  const described = (await ddb.send(new D.DescribeTableCommand({ TableName: name }))).Table!;
  assert.equal(described.TableStatus, 'ACTIVE');
  assert.deepEqual(described.WarmThroughput, { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000, Status: 'ACTIVE' });
  assert.deepEqual(described.GlobalSecondaryIndexes![0].WarmThroughput, {
    ReadUnitsPerSecond: 12000,
    WriteUnitsPerSecond: 4000,
    Status: 'ACTIVE',
  });
  await ddb.send(new D.PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, h: { S: 'x' } } }));
  const updated = (
    await ddb.send(
      new D.UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'h', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [
          {
            Create: { IndexName: 'byH', KeySchema: [{ AttributeName: 'h', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
          },
        ],
      }),
    )
  ).TableDescription!;
  assert.equal(updated.TableStatus, 'UPDATING');
  assert.equal(updated.GlobalSecondaryIndexes!.find((g) => g.IndexName === 'byH')!.IndexStatus, 'CREATING');
  assert.equal(updated.GlobalSecondaryIndexes!.find((g) => g.IndexName === 'byG')!.IndexStatus, 'ACTIVE');
  const after = (await ddb.send(new D.DescribeTableCommand({ TableName: name }))).Table!;
  assert.deepEqual(
    after.GlobalSecondaryIndexes!.map((g) => g.IndexStatus),
    ['ACTIVE', 'ACTIVE'],
  );
  assert.equal(
    (
      await ddb.send(
        new D.QueryCommand({
          TableName: name,
          IndexName: 'byH',
          KeyConditionExpression: 'h = :h',
          ExpressionAttributeValues: { ':h': { S: 'x' } },
        }),
      )
    ).Count,
    1,
  );
});

test("DeleteTable answers the table's identity and counters only, as AWS does", async () => {
  const { name } = await table();
  const res = await ddbRaw(nimbus.url, 'DeleteTable', { TableName: name });
  assert.equal(res.status, 200);
  const d = res.json.TableDescription as Record<string, unknown>;
  assert.deepEqual(Object.keys(d).sort(), [
    'BillingModeSummary',
    'DeletionProtectionEnabled',
    'ItemCount',
    'ProvisionedThroughput',
    'TableArn',
    'TableId',
    'TableName',
    'TableSizeBytes',
    'TableStatus',
  ]);
  assert.equal(d.TableStatus, 'DELETING');
  await rejects(ddb.send(new D.DescribeTableCommand({ TableName: name })), 'ResourceNotFoundException', 400);
});

test('write capacity is the larger of the old and the new image', async () => {
  const { name } = await table();
  await ddb.send(new D.PutItemCommand({ TableName: name, Item: { pk: { S: 'a' }, big: { S: 'x'.repeat(2500) } } }));
  const out = await ddb.send(new D.PutItemCommand({ TableName: name, Item: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL' }));
  assert.equal(out.ConsumedCapacity!.CapacityUnits, 3);
});

test('ReturnConsumedCapacity on writes: TOTAL counts index writes, INDEXES shows the table and each index apart', async () => {
  const { name } = await table({
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'g', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
    ],
  });
  // not in the index: only the table
  const plain = await ddb.send(new D.PutItemCommand({ TableName: name, Item: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL' }));
  assert.equal(plain.ConsumedCapacity!.CapacityUnits, 1);
  const indexed = await ddb.send(
    new D.PutItemCommand({ TableName: name, Item: { pk: { S: 'b' }, g: { S: 'x' } }, ReturnConsumedCapacity: 'INDEXES' }),
  );
  assert.equal(indexed.ConsumedCapacity!.CapacityUnits, 2);
  assert.equal(indexed.ConsumedCapacity!.Table!.CapacityUnits, 1);
  assert.equal(indexed.ConsumedCapacity!.GlobalSecondaryIndexes!.byG.CapacityUnits, 1);
  // moving the item in the index removes one entry and puts another
  const moved = await ddb.send(
    new D.UpdateItemCommand({
      TableName: name,
      Key: { pk: { S: 'b' } },
      UpdateExpression: 'SET g = :g',
      ExpressionAttributeValues: { ':g': { S: 'y' } },
      ReturnConsumedCapacity: 'INDEXES',
    }),
  );
  assert.equal(moved.ConsumedCapacity!.GlobalSecondaryIndexes!.byG.CapacityUnits, 2);
  assert.equal(moved.ConsumedCapacity!.CapacityUnits, 3);
});
