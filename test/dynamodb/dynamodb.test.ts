// DynamoDB tables, items and expressions through the SDK v3 client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig } from '../helpers.js';

let ddb: D.DynamoDBClient;
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
});

async function rejects(p: Promise<unknown>, name: string, message: string | RegExp) {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

let n = 0;
async function table(opts: Partial<D.CreateTableCommandInput> = {}, range: 'S' | 'N' | undefined = 'S'): Promise<string> {
  const name = `tbl${++n}`;
  await ddb.send(
    new D.CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        ...(range ? [{ AttributeName: 'sk', AttributeType: range }] : []),
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(range ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      BillingMode: 'PAY_PER_REQUEST',
      ...opts,
    }),
  );
  return name;
}

test('CreateTable / DescribeTable / ListTables / DeleteTable, the SDK waiter sees ACTIVE', async () => {
  const name = await table({
    BillingMode: 'PROVISIONED',
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 },
    Tags: [{ Key: 'team', Value: 'x' }],
    SSESpecification: { Enabled: true },
    DeletionProtectionEnabled: true,
  });
  await D.waitUntilTableExists({ client: ddb, maxWaitTime: 60 }, { TableName: name });
  const { Table } = await ddb.send(new D.DescribeTableCommand({ TableName: name }));
  assert.equal(Table!.TableStatus, 'ACTIVE');
  assert.equal(Table!.ProvisionedThroughput!.WriteCapacityUnits, 7);
  assert.equal(Table!.TableArn, `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`);
  assert.equal(Table!.SSEDescription!.Status, 'ENABLED');
  assert.equal(Table!.DeletionProtectionEnabled, true);
  const tags = await ddb.send(new D.ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn }));
  assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'x' }]);
  await rejects(
    ddb.send(
      new D.CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
    'ResourceInUseException',
    `Table already exists: ${name}`,
  );
  await rejects(ddb.send(new D.DeleteTableCommand({ TableName: name })), 'ValidationException', /protected against deletion/);
  await rejects(
    ddb.send(new D.UpdateTableCommand({ TableName: name, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 7 } })),
    'ValidationException',
    /^The provisioned throughput for the table will not change\. The requested value equals the current value\./,
  );
  await rejects(
    ddb.send(new D.UpdateTableCommand({ TableName: name })),
    'ValidationException',
    /^At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled/,
  );
  await ddb.send(new D.UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: false, BillingMode: 'PAY_PER_REQUEST' }));
  const del = await ddb.send(new D.DeleteTableCommand({ TableName: name }));
  assert.equal(del.TableDescription!.TableStatus, 'DELETING');
  await D.waitUntilTableNotExists({ client: ddb, maxWaitTime: 60 }, { TableName: name });
  await rejects(
    ddb.send(new D.DescribeTableCommand({ TableName: name })),
    'ResourceNotFoundException',
    `Requested resource not found: Table: ${name} not found`,
  );
});

test('ListTables pages with Limit and ExclusiveStartTableName', async () => {
  const names = [await table(), await table(), await table()];
  const seen: string[] = [];
  let start: string | undefined;
  do {
    const out = await ddb.send(new D.ListTablesCommand({ Limit: 2, ExclusiveStartTableName: start }));
    assert.ok(out.TableNames!.length <= 2);
    seen.push(...out.TableNames!);
    start = out.LastEvaluatedTableName;
  } while (start);
  for (const name of names) assert.ok(seen.includes(name));
});

test('CreateTable validation: attribute definitions must match the keys, billing and throughput agree', async () => {
  await rejects(
    ddb.send(
      new D.CreateTableCommand({
        TableName: 'bad',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'x', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
    'ValidationException',
    'One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
  );
  await rejects(
    ddb.send(
      new D.CreateTableCommand({
        TableName: 'bad',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    ),
    'ValidationException',
    'One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED',
  );
  await rejects(
    ddb.send(
      new D.CreateTableCommand({
        TableName: 'bad',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    ),
    'ValidationException',
    /Some index key attributes are not defined in AttributeDefinitions/,
  );
});

test('PutItem / GetItem / DeleteItem with ReturnValues and projections; numbers normalised', async () => {
  const t = await table();
  const put = await ddb.send(
    new D.PutItemCommand({
      TableName: t,
      Item: { pk: { S: 'a' }, sk: { S: '1' }, n: { N: '001.500' }, big: { N: '1e3' }, m: { M: { x: { L: [{ S: 'p' }, { S: 'q' }] } } } },
      ReturnValues: 'ALL_OLD',
    }),
  );
  assert.equal(put.Attributes, undefined);
  const got = await ddb.send(new D.GetItemCommand({ TableName: t, Key: { pk: { S: 'a' }, sk: { S: '1' } } }));
  assert.deepEqual(got.Item!.n, { N: '1.5' });
  assert.deepEqual(got.Item!.big, { N: '1000' });
  const proj = await ddb.send(
    new D.GetItemCommand({
      TableName: t,
      Key: { pk: { S: 'a' }, sk: { S: '1' } },
      ProjectionExpression: '#m.x[1], n',
      ExpressionAttributeNames: { '#m': 'm' },
    }),
  );
  assert.deepEqual(proj.Item, { m: { M: { x: { L: [{ S: 'q' }] } } }, n: { N: '1.5' } });
  const again = await ddb.send(new D.PutItemCommand({ TableName: t, Item: { pk: { S: 'a' }, sk: { S: '1' } }, ReturnValues: 'ALL_OLD' }));
  assert.deepEqual(again.Attributes!.n, { N: '1.5' });
  const del = await ddb.send(new D.DeleteItemCommand({ TableName: t, Key: { pk: { S: 'a' }, sk: { S: '1' } }, ReturnValues: 'ALL_OLD' }));
  assert.deepEqual(del.Attributes, { pk: { S: 'a' }, sk: { S: '1' } });
  const none = await ddb.send(new D.GetItemCommand({ TableName: t, Key: { pk: { S: 'a' }, sk: { S: '1' } } }));
  assert.equal(none.Item, undefined);
  await rejects(
    ddb.send(new D.PutItemCommand({ TableName: t, Item: { pk: { S: 'a' }, sk: { S: '1' } }, ReturnValues: 'ALL_NEW' })),
    'ValidationException',
    'Return values set to invalid value',
  );
});

test('item validation messages: keys, types, numbers, sets, sizes', async () => {
  const t = await table();
  const put = (Item: Record<string, D.AttributeValue>) => ddb.send(new D.PutItemCommand({ TableName: t, Item }));
  await rejects(
    put({ pk: { S: 'a' } }),
    'ValidationException',
    'One or more parameter values were invalid: Missing the key sk in the item',
  );
  await rejects(
    put({ pk: { N: '1' }, sk: { S: 'x' } }),
    'ValidationException',
    'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N',
  );
  await rejects(
    put({ pk: { S: '' }, sk: { S: 'x' } }),
    'ValidationException',
    'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk',
  );
  await rejects(
    put({ pk: { S: 'a' }, sk: { S: 'x' }, s: { SS: [] } }),
    'ValidationException',
    'One or more parameter values were invalid: An string set  may not be empty',
  );
  await rejects(
    put({ pk: { S: 'a' }, sk: { S: 'x' }, s: { SS: ['a', 'a'] } }),
    'ValidationException',
    'One or more parameter values were invalid: Input collection [a, a] contains duplicates.',
  );
  await rejects(
    put({ pk: { S: 'a' }, sk: { S: 'x' }, n: { N: 'abc' } }),
    'ValidationException',
    'The parameter cannot be converted to a numeric value: abc',
  );
  await rejects(
    put({ pk: { S: 'a' }, sk: { S: 'x' }, n: { N: '1'.repeat(39) } }),
    'ValidationException',
    'Attempting to store more than 38 significant digits in a Number',
  );
  await rejects(
    put({ pk: { S: 'a' }, sk: { S: 'x' }, n: { N: '1e126' } }),
    'ValidationException',
    'Number overflow. Attempting to store a number with magnitude larger than supported range',
  );
  await rejects(
    put({ pk: { S: 'a' }, sk: { S: 'x' }, n: { N: '1e-131' } }),
    'ValidationException',
    'Number underflow. Attempting to store a number with magnitude smaller than supported range',
  );
  await rejects(
    put({ pk: { S: 'a' }, sk: { S: 'x' }, big: { S: 'x'.repeat(400 * 1024) } }),
    'ValidationException',
    'Item size has exceeded the maximum allowed size',
  );
  await rejects(
    put({ pk: { S: 'x'.repeat(2049) }, sk: { S: 'x' } }),
    'ValidationException',
    'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes',
  );
  await put({ pk: { S: 'a' }, sk: { S: 'x' }, empty: { S: '' }, n: { N: '9'.repeat(38) } });
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: t, Key: { pk: { S: 'a' } } })),
    'ValidationException',
    'The provided key element does not match the schema',
  );
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: t, Key: { pk: { S: 'a' }, sk: { N: '1' } } })),
    'ValidationException',
    'The provided key element does not match the schema',
  );
  await rejects(
    ddb.send(new D.GetItemCommand({ TableName: 'nope', Key: { pk: { S: 'a' } } })),
    'ResourceNotFoundException',
    'Requested resource not found',
  );
});

test('ConditionExpression: comparators and functions; ConditionalCheckFailedException with the old item', async () => {
  const t = await table();
  const key = { pk: { S: 'c' }, sk: { S: '1' } };
  await ddb.send(
    new D.PutItemCommand({
      TableName: t,
      Item: { ...key, n: { N: '5' }, s: { S: 'hello' }, tags: { SS: ['a', 'b'] }, l: { L: [{ N: '1' }] }, b: { B: Buffer.from('abc') } },
    }),
  );
  const holds = async (ConditionExpression: string, values: Record<string, D.AttributeValue> = {}, names?: Record<string, string>) => {
    try {
      await ddb.send(
        new D.UpdateItemCommand({
          TableName: t,
          Key: key,
          UpdateExpression: 'SET touched = :t',
          ConditionExpression,
          ExpressionAttributeValues: { ':t': { BOOL: true }, ...values },
          ExpressionAttributeNames: names,
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  };
  assert.equal(await holds('n = :v', { ':v': { N: '5.0' } }), true);
  assert.equal(await holds('n <> :v', { ':v': { N: '5' } }), false);
  assert.equal(await holds('absent <> :v', { ':v': { N: '5' } }), true);
  assert.equal(await holds('n < :v AND n >= :w', { ':v': { N: '6' }, ':w': { N: '5' } }), true);
  assert.equal(await holds('n > :v OR NOT (n = :v)', { ':v': { N: '6' } }), true);
  assert.equal(await holds('n BETWEEN :a AND :b', { ':a': { N: '1' }, ':b': { N: '4' } }), false);
  assert.equal(await holds('n IN (:a, :b)', { ':a': { N: '1' }, ':b': { N: '5' } }), true);
  assert.equal(await holds('s = :v', { ':v': { N: '5' } }), false);
  assert.equal(await holds('begins_with(s, :p)', { ':p': { S: 'he' } }), true);
  assert.equal(
    await holds('contains(s, :p) AND contains(tags, :t2) AND contains(l, :one)', {
      ':p': { S: 'ell' },
      ':t2': { S: 'b' },
      ':one': { N: '1' },
    }),
    true,
  );
  assert.equal(await holds('size(s) = :five AND size(tags) > :one', { ':five': { N: '5' }, ':one': { N: '1' } }), true);
  assert.equal(
    await holds('attribute_type(#n, :N) AND attribute_exists(b) AND attribute_not_exists(zzz)', { ':N': { S: 'N' } }, { '#n': 'n' }),
    true,
  );
  assert.equal(await holds('b > :b', { ':b': { B: Buffer.from('abb') } }), true);
  await assert.rejects(
    ddb.send(
      new D.PutItemCommand({
        TableName: t,
        Item: key,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    ),
    (e: D.ConditionalCheckFailedException) =>
      e.name === 'ConditionalCheckFailedException' && e.message === 'The conditional request failed' && e.Item!.n.N === '5',
  );
});

test('expression errors: syntax, undefined and unused placeholders, bad functions', async () => {
  const t = await table();
  const key = { pk: { S: 'e' }, sk: { S: '1' } };
  const upd = (input: Partial<D.UpdateItemCommandInput>) => ddb.send(new D.UpdateItemCommand({ TableName: t, Key: key, ...input }));
  await rejects(
    upd({ UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { S: 'x' }, ':b': { S: 'y' } } }),
    'ValidationException',
    'Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}',
  );
  await rejects(
    upd({ UpdateExpression: 'SET a = :a' }),
    'ValidationException',
    'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :a',
  );
  await rejects(
    upd({ UpdateExpression: 'SET #a = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } }),
    'ValidationException',
    'Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a',
  );
  await rejects(
    upd({ UpdateExpression: 'SET a = :a', ExpressionAttributeNames: { '#x': 'x' }, ExpressionAttributeValues: { ':a': { S: 'x' } } }),
    'ValidationException',
    'Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}',
  );
  await rejects(
    upd({ UpdateExpression: 'SET a = ', ExpressionAttributeValues: { ':a': { S: 'x' } } }),
    'ValidationException',
    /^Invalid UpdateExpression: Syntax error; token: "<EOF>", near: /,
  );
  await rejects(
    upd({ UpdateExpression: 'SET a = :a', ConditionExpression: 'foo(a)', ExpressionAttributeValues: { ':a': { S: 'x' } } }),
    'ValidationException',
    'Invalid ConditionExpression: Invalid function name; function: foo',
  );
  await rejects(
    upd({ UpdateExpression: 'SET a = :a, a.b = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } }),
    'ValidationException',
    'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]',
  );
  await rejects(
    upd({ UpdateExpression: 'SET pk = :a', ExpressionAttributeValues: { ':a': { S: 'x' } } }),
    'ValidationException',
    'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key',
  );
  await rejects(
    upd({ UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { SS: [] } } }),
    'ValidationException',
    'ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :a',
  );
  await rejects(
    upd({
      UpdateExpression: 'SET a = :a',
      ConditionExpression: 'n BETWEEN :hi AND :lo',
      ExpressionAttributeValues: { ':a': { S: 'x' }, ':hi': { N: '5' }, ':lo': { N: '1' } },
    }),
    'ValidationException',
    /BETWEEN operator requires upper bound to be greater than or equal to lower bound/,
  );
  await rejects(
    upd({
      UpdateExpression: 'SET a = :a',
      ConditionExpression: 'begins_with(a, :n)',
      ExpressionAttributeValues: { ':a': { S: 'x' }, ':n': { N: '1' } },
    }),
    'ValidationException',
    'Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
  );
  await rejects(
    upd({ UpdateExpression: 'ADD a :a', ExpressionAttributeValues: { ':a': { S: 'x' } } }),
    'ValidationException',
    'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING',
  );
  await rejects(
    upd({
      UpdateExpression: 'SET a = :a',
      ConditionExpression: 'a = :a',
      Expected: { a: { Exists: false } },
      ExpressionAttributeValues: { ':a': { S: 'x' } },
    }),
    'ValidationException',
    /Can not use both expression and non-expression parameters/,
  );
});

test('UpdateExpression: SET arithmetic, if_not_exists, list_append, nested paths, REMOVE, ADD, DELETE; UPDATED_OLD/NEW', async () => {
  const t = await table();
  const key = { pk: { S: 'u' }, sk: { S: '1' } };
  const u = (UpdateExpression: string, values?: Record<string, D.AttributeValue>, ReturnValues: D.ReturnValue = 'ALL_NEW') =>
    ddb.send(new D.UpdateItemCommand({ TableName: t, Key: key, UpdateExpression, ExpressionAttributeValues: values, ReturnValues }));
  let out = await u('SET c = if_not_exists(c, :zero) + :one, m = :m, l = :l', {
    ':zero': { N: '0' },
    ':one': { N: '1' },
    ':m': { M: { a: { M: {} } } },
    ':l': { L: [{ N: '1' }, { N: '2' }] },
  });
  assert.deepEqual(out.Attributes!.c, { N: '1' });
  out = await u('SET c = c - :half, l[5] = :x', { ':half': { N: '0.5' }, ':x': { S: 'x' } });
  assert.deepEqual(out.Attributes!.c, { N: '0.5' });
  out = await u('SET l = list_append(:pre, l)', { ':pre': { L: [{ N: '0' }] } });
  assert.deepEqual(out.Attributes!.l, { L: [{ N: '0' }, { N: '1' }, { N: '2' }, { S: 'x' }] });
  out = await u('ADD c :n, s :s', { ':n': { N: '10' }, ':s': { SS: ['a', 'b'] } }, 'UPDATED_NEW');
  assert.deepEqual(out.Attributes, { c: { N: '10.5' }, s: { SS: ['a', 'b'] } });
  out = await u('DELETE s :s REMOVE l[0]', { ':s': { SS: ['a'] } }, 'UPDATED_OLD');
  assert.deepEqual(out.Attributes, { s: { SS: ['a', 'b'] }, l: { L: [{ N: '0' }] } });
  out = await u('SET m.a.b = :x', { ':x': { S: 'deep' } });
  assert.deepEqual(out.Attributes!.m, { M: { a: { M: { b: { S: 'deep' } } } } });
  await rejects(
    u('SET nope.a = :x', { ':x': { S: 'x' } }),
    'ValidationException',
    'The document path provided in the update expression is invalid for update',
  );
  await rejects(
    u('SET c = c + :x', { ':x': { S: 'x' } }),
    'ValidationException',
    'An operand in the update expression has an incorrect data type',
  );
  await rejects(u('SET c = :big + :big', { ':big': { N: '9'.repeat(38) } }), 'ValidationException', /38 significant digits|overflow/);
  const ghost = { pk: { S: 'ghost' }, sk: { S: '1' } };
  await ddb.send(new D.UpdateItemCommand({ TableName: t, Key: ghost, UpdateExpression: 'REMOVE a' }));
  assert.equal((await ddb.send(new D.GetItemCommand({ TableName: t, Key: ghost }))).Item, undefined, 'deletions alone create no item');
  await ddb.send(new D.UpdateItemCommand({ TableName: t, Key: ghost, AttributeUpdates: {} }));
  assert.deepEqual((await ddb.send(new D.GetItemCommand({ TableName: t, Key: ghost }))).Item, ghost, 'an empty update creates the item');
  out = await u('REMOVE s, m.a.b');
  assert.equal(out.Attributes!.s, undefined);
  assert.deepEqual(out.Attributes!.m, { M: { a: { M: {} } } });
});

test('legacy parameters: Expected, AttributeUpdates, AttributesToGet', async () => {
  const t = await table();
  const key = { pk: { S: 'l' }, sk: { S: '1' } };
  await ddb.send(new D.PutItemCommand({ TableName: t, Item: { ...key, n: { N: '1' } }, Expected: { pk: { Exists: false } } }));
  await rejects(
    ddb.send(new D.PutItemCommand({ TableName: t, Item: key, Expected: { pk: { Exists: false } } })),
    'ConditionalCheckFailedException',
    'The conditional request failed',
  );
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: t,
      Key: key,
      AttributeUpdates: { n: { Action: 'ADD', Value: { N: '2' } }, s: { Action: 'PUT', Value: { S: 'v' } } },
      Expected: { n: { ComparisonOperator: 'EQ', AttributeValueList: [{ N: '1' }] } },
    }),
  );
  const got = await ddb.send(new D.GetItemCommand({ TableName: t, Key: key, AttributesToGet: ['n', 's'] }));
  assert.deepEqual(got.Item, { n: { N: '3' }, s: { S: 'v' } });
});

test('UpdateTable adds a GSI with backfill and removes it; streams and TTL settings', async () => {
  const t = await table();
  await ddb.send(new D.PutItemCommand({ TableName: t, Item: { pk: { S: 'a' }, sk: { S: '1' }, g: { S: 'G' } } }));
  await ddb.send(new D.PutItemCommand({ TableName: t, Item: { pk: { S: 'b' }, sk: { S: '1' } } }));
  const up = await ddb.send(
    new D.UpdateTableCommand({
      TableName: t,
      AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexUpdates: [
        { Create: { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } } },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
    }),
  );
  assert.equal(up.TableDescription!.GlobalSecondaryIndexes![0].IndexName, 'byG');
  assert.match(up.TableDescription!.LatestStreamArn!, /\/stream\//);
  const q = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      IndexName: 'byG',
      KeyConditionExpression: 'g = :g',
      ExpressionAttributeValues: { ':g': { S: 'G' } },
    }),
  );
  assert.deepEqual(q.Items, [{ pk: { S: 'a' }, sk: { S: '1' }, g: { S: 'G' } }]);
  await ddb.send(new D.UpdateTableCommand({ TableName: t, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byG' } }] }));
  await rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: t,
        IndexName: 'byG',
        KeyConditionExpression: 'g = :g',
        ExpressionAttributeValues: { ':g': { S: 'G' } },
      }),
    ),
    'ValidationException',
    'The table does not have the specified index: byG',
  );
  await ddb.send(new D.UpdateTimeToLiveCommand({ TableName: t, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } }));
  const ttl = await ddb.send(new D.DescribeTimeToLiveCommand({ TableName: t }));
  assert.deepEqual(ttl.TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'exp' });
  await rejects(
    ddb.send(new D.UpdateTimeToLiveCommand({ TableName: t, TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } })),
    'ValidationException',
    'TimeToLive is already enabled',
  );
  const cb = await ddb.send(new D.DescribeContinuousBackupsCommand({ TableName: t }));
  assert.equal(cb.ContinuousBackupsDescription!.ContinuousBackupsStatus, 'ENABLED');
  const limits = await ddb.send(new D.DescribeLimitsCommand({}));
  assert.equal(limits.TableMaxReadCapacityUnits, 40000);
  const ep = await ddb.send(new D.DescribeEndpointsCommand({}));
  assert.equal(ep.Endpoints![0].Address, 'dynamodb.us-east-1.amazonaws.com');
});

test('responses carry x-amz-crc32 of the body', async () => {
  const res = await fetch(nimbus.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: '{}',
  });
  const body = Buffer.from(await res.arrayBuffer());
  const { crc32 } = await import('node:zlib');
  assert.equal(res.headers.get('x-amz-crc32'), String(crc32(body)));
});

test('ReturnConsumedCapacity TOTAL and INDEXES', async () => {
  const t = await table();
  const out = await ddb.send(
    new D.PutItemCommand({ TableName: t, Item: { pk: { S: 'a' }, sk: { S: '1' } }, ReturnConsumedCapacity: 'TOTAL' }),
  );
  assert.deepEqual({ ...out.ConsumedCapacity }, { TableName: t, CapacityUnits: 1, WriteCapacityUnits: 1 });
  const get = await ddb.send(
    new D.GetItemCommand({
      TableName: t,
      Key: { pk: { S: 'a' }, sk: { S: '1' } },
      ReturnConsumedCapacity: 'INDEXES',
      ConsistentRead: true,
    }),
  );
  assert.equal(get.ConsumedCapacity!.Table!.CapacityUnits, 1);
});

test('binary attributes keep their bytes through updates: conditions, contains, begins_with and a binary GSI key', async () => {
  const t = await table({
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'bin', AttributeType: 'B' },
    ],
    GlobalSecondaryIndexes: [
      { IndexName: 'byBin', KeySchema: [{ AttributeName: 'bin', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
    ],
  });
  const key = { pk: { S: 'b' }, sk: { S: '1' } };
  await ddb.send(new D.PutItemCommand({ TableName: t, Item: { ...key, bin: { B: Buffer.from([1, 2, 3]) }, n: { N: '1' } } }));
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: t,
      Key: key,
      UpdateExpression: 'SET n = n + :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    }),
  );
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: t,
      Key: key,
      UpdateExpression: 'SET n = n + :one',
      ConditionExpression: 'bin = :b AND begins_with(bin, :p) AND contains(bin, :c)',
      ExpressionAttributeValues: {
        ':one': { N: '1' },
        ':b': { B: Buffer.from([1, 2, 3]) },
        ':p': { B: Buffer.from([1, 2]) },
        ':c': { B: Buffer.from([2, 3]) },
      },
    }),
  );
  const q = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      IndexName: 'byBin',
      KeyConditionExpression: 'bin = :b',
      ExpressionAttributeValues: { ':b': { B: Buffer.from([1, 2, 3]) } },
    }),
  );
  assert.equal(q.Items!.length, 1);
  assert.equal(q.Items![0].n.N, '3');
});
