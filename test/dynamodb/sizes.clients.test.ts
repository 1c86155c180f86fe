// Sizes DynamoDB reports and enforces: DescribeTable's TableSizeBytes / ItemCount and each index's
// IndexSizeBytes / ItemCount, kept as items change; ItemCollectionMetrics; the item collection size
// limit of tables with local secondary indexes (lowered through the admin route or the environment).
//
// Expected sizes are worked out by hand from DynamoDB's rules: a string is its name's UTF-8 bytes plus
// its own; a number its name plus (significant digits / 2, rounded up) + 1; a map or list 3 bytes
// plus 1 per element (plus the key's bytes for a map); a boolean 1. An LSI entry counts 100 bytes of
// overhead in its item collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as D from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { serverForFile, clientConfig, rejects, spawnServer } from '../helpers.js';

let ddb: D.DynamoDBClient;
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
});

async function setLimit(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await fetch(`${url}/_nimbus/dynamodb/limits`, { method: 'POST', body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
}

async function sizes(client: D.DynamoDBClient, name: string) {
  const t = (await client.send(new D.DescribeTableCommand({ TableName: name }))).Table!;
  const idx = Object.fromEntries(
    [...(t.GlobalSecondaryIndexes ?? []), ...(t.LocalSecondaryIndexes ?? [])].map((i) => [i.IndexName!, [i.ItemCount, i.IndexSizeBytes]]),
  );
  return { table: [t.ItemCount, t.TableSizeBytes], ...idx };
}

test('DescribeTable: item counts and bytes of the table and its GSIs follow puts, updates, deletes and index changes', async () => {
  const S = (n: string) => ({ AttributeName: n, AttributeType: 'S' as const });
  await ddb.send(
    new D.CreateTableCommand({
      TableName: 'sized',
      AttributeDefinitions: [S('pk'), S('g')],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        { IndexName: 'g-all', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
        { IndexName: 'g-keys', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        {
          IndexName: 'g-inc',
          KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['a'] },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  assert.deepEqual(await sizes(ddb, 'sized'), { table: [0, 0], 'g-all': [0, 0], 'g-keys': [0, 0], 'g-inc': [0, 0] });
  const put = (Item: Record<string, D.AttributeValue>) => ddb.send(new D.PutItemCommand({ TableName: 'sized', Item }));
  // pk 2+1, g 1+1, a 1+5, b 1+5 = 17; keys only: pk + g = 5; include a: 11
  await put({ pk: { S: 'a' }, g: { S: 'x' }, a: { S: '12345' }, b: { S: 'hello' } });
  // not in any GSI: 3 + 2 = 5
  await put({ pk: { S: 'b' }, a: { S: '1' } });
  assert.deepEqual(await sizes(ddb, 'sized'), { table: [2, 22], 'g-all': [1, 17], 'g-keys': [1, 5], 'g-inc': [1, 11] });

  // item b enters the GSIs: 3 + 2 + 2 = 7
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: 'sized',
      Key: { pk: { S: 'b' } },
      UpdateExpression: 'SET g = :y',
      ExpressionAttributeValues: { ':y': { S: 'y' } },
    }),
  );
  assert.deepEqual(await sizes(ddb, 'sized'), { table: [2, 24], 'g-all': [2, 24], 'g-keys': [2, 10], 'g-inc': [2, 18] });

  // numbers, maps, lists, booleans: n 1 + (ceil(5/2) + 1) = 5 -> 8 with pk;
  // m 1 + 3 + (1 + 1 + 1) = 7, l 1 + 3 + (1 + 2) + (1 + 1) = 9 -> 19 with pk
  await put({ pk: { S: 'c' }, n: { N: '123.45' } });
  await put({ pk: { S: 'd' }, m: { M: { k: { S: 'v' } } }, l: { L: [{ N: '1' }, { BOOL: true }] } });
  assert.deepEqual((await sizes(ddb, 'sized')).table, [4, 24 + 8 + 19]);

  // a replacement counts once; a delete takes the item out of the table and its indexes
  await put({ pk: { S: 'c' }, n: { N: '1' } }); // 3 + 1 + 2 = 6
  await ddb.send(new D.DeleteItemCommand({ TableName: 'sized', Key: { pk: { S: 'a' } } }));
  await ddb.send(new D.DeleteItemCommand({ TableName: 'sized', Key: { pk: { S: 'nothing' } } }));
  assert.deepEqual(await sizes(ddb, 'sized'), { table: [3, 7 + 6 + 19], 'g-all': [1, 7], 'g-keys': [1, 5], 'g-inc': [1, 7] });

  // transactions and PartiQL go through the same accounting
  await ddb.send(
    new D.TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: 'sized', Item: { pk: { S: 'e' } } } },
        { Delete: { TableName: 'sized', Key: { pk: { S: 'd' } } } },
      ],
    }),
  );
  await ddb.send(new D.ExecuteStatementCommand({ Statement: `INSERT INTO "sized" VALUE {'pk': 'f', 'g': 'z'}` }));
  assert.deepEqual(await sizes(ddb, 'sized'), { table: [4, 7 + 6 + 3 + 5], 'g-all': [2, 12], 'g-keys': [2, 10], 'g-inc': [2, 12] });

  // a GSI added later counts its backfilled entries (a only on b: pk + a = 5); a removed one is gone
  await ddb.send(
    new D.UpdateTableCommand({
      TableName: 'sized',
      AttributeDefinitions: [S('a')],
      GlobalSecondaryIndexUpdates: [
        {
          Create: { IndexName: 'late', KeySchema: [{ AttributeName: 'a', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        },
      ],
    }),
  );
  await ddb.send(new D.UpdateTableCommand({ TableName: 'sized', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'g-keys' } }] }));
  assert.deepEqual(await sizes(ddb, 'sized'), { table: [4, 21], 'g-all': [2, 12], 'g-inc': [2, 12], late: [1, 5] });

  // a table deleted and created again under the same name starts from nothing
  await ddb.send(new D.DeleteTableCommand({ TableName: 'sized' }));
  await ddb.send(
    new D.CreateTableCommand({
      TableName: 'sized',
      AttributeDefinitions: [S('pk')],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  assert.deepEqual(await sizes(ddb, 'sized'), { table: [0, 0] });
});

// A table with a local secondary index on n, keys only. Item sizes (see the header):
//   {pk 'p', sk '1', n 7, buf 100 x}: 3 + 3 + 3 + 103 = 112 in the table; LSI entry pk + sk + n = 9 (+100) -> 221
//   {pk 'p', sk '2', buf 100 x}: 109, no LSI entry -> 109
async function lsiTable(client: D.DynamoDBClient, name: string) {
  await client.send(
    new D.CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'n', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'by-n',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'n', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}
const item = (pk: string, sk: string, buf: number, n?: number): Record<string, D.AttributeValue> => ({
  pk: { S: pk },
  sk: { S: sk },
  buf: { S: 'x'.repeat(buf) },
  ...(n !== undefined ? { n: { N: String(n) } } : {}),
});

const full = (e: Record<string, unknown>) => assert.equal(e.message, 'Collection size exceeded.');

test('item collection limit: a write that would grow a full collection is refused; shrinking writes and other partitions are not', async (t) => {
  t.after(() => setLimit(nimbus.url, { itemCollectionSizeBytes: 10 * 1024 ** 3 }));
  await lsiTable(ddb, 'coll');
  const put = (Item: Record<string, D.AttributeValue>) =>
    ddb.send(new D.PutItemCommand({ TableName: 'coll', Item, ReturnItemCollectionMetrics: 'SIZE' }));
  await put(item('p', '1', 100, 7));
  await put(item('p', '2', 100));
  // 221 + 109 = 330 used; room for one more byte than an item of 220
  assert.deepEqual(await setLimit(nimbus.url, { itemCollectionSizeBytes: 330 + 220 }), {
    status: 200,
    json: { itemCollectionSizeBytes: 550 },
  });
  await rejects(put(item('p', '3', 100, 7)), 'ItemCollectionSizeLimitExceededException', 400, full);
  const exact = await put(item('p', '3', 99, 7)); // 220: exactly at the limit
  assert.deepEqual(exact.ItemCollectionMetrics, { ItemCollectionKey: { pk: { S: 'p' } }, SizeEstimateRangeGB: [0, 1] });
  // one byte more, by update or by a new LSI entry, is refused; the item is unchanged
  await rejects(
    ddb.send(
      new D.UpdateItemCommand({
        TableName: 'coll',
        Key: { pk: { S: 'p' }, sk: { S: '3' } },
        UpdateExpression: 'SET buf = :p',
        ExpressionAttributeValues: { ':p': { S: 'x'.repeat(100) } },
      }),
    ),
    'ItemCollectionSizeLimitExceededException',
    400,
    full,
  );
  await rejects(
    ddb.send(
      new D.UpdateItemCommand({
        TableName: 'coll',
        Key: { pk: { S: 'p' }, sk: { S: '2' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '1' } },
      }),
    ),
    'ItemCollectionSizeLimitExceededException',
    400,
    full,
  );
  const kept = await ddb.send(new D.GetItemCommand({ TableName: 'coll', Key: { pk: { S: 'p' }, sk: { S: '3' } } }));
  assert.equal(kept.Item!.buf.S!.length, 99);
  // another item collection is not affected
  await put(item('q', '1', 100, 7));
  // shrinking is allowed, and frees room
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: 'coll',
      Key: { pk: { S: 'p' }, sk: { S: '1' } },
      UpdateExpression: 'SET buf = :p',
      ExpressionAttributeValues: { ':p': { S: 'x' } },
    }),
  );
  await put(item('p', '4', 80));
  // a lower limit than the collection's size: still readable and shrinkable, not growable
  await setLimit(nimbus.url, { itemCollectionSizeBytes: 100 });
  await rejects(put(item('p', '5', 1)), 'ItemCollectionSizeLimitExceededException', 400, full);
  await ddb.send(new D.DeleteItemCommand({ TableName: 'coll', Key: { pk: { S: 'p' }, sk: { S: '4' } } }));
  const q = await ddb.send(
    new D.QueryCommand({ TableName: 'coll', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }),
  );
  assert.deepEqual(
    q.Items!.map((i) => i.sk.S),
    ['1', '2', '3'],
  );
  // a table without LSIs has no item collection limit
  await ddb.send(
    new D.CreateTableCommand({
      TableName: 'plain',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const plain = await ddb.send(
    new D.PutItemCommand({
      TableName: 'plain',
      Item: { pk: { S: 'p' }, buf: { S: 'x'.repeat(1000) } },
      ReturnItemCollectionMetrics: 'SIZE',
    }),
  );
  assert.equal(plain.ItemCollectionMetrics, undefined);
});

test('item collection limit in batches, transactions and PartiQL: nothing of the refused request is written', async (t) => {
  t.after(() => setLimit(nimbus.url, { itemCollectionSizeBytes: 10 * 1024 ** 3 }));
  await lsiTable(ddb, 'multi');
  await ddb.send(new D.PutItemCommand({ TableName: 'multi', Item: item('p', '1', 100, 7) }));
  await setLimit(nimbus.url, { itemCollectionSizeBytes: 221 + 109 });
  const count = async (pk: string) =>
    (
      await ddb.send(
        new D.QueryCommand({
          TableName: 'multi',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: pk } },
          Select: 'COUNT',
        }),
      )
    ).Count;

  // two items of 109 into a collection with room for one
  await rejects(
    ddb.send(
      new D.BatchWriteItemCommand({
        RequestItems: {
          multi: [
            { PutRequest: { Item: item('q', '1', 100) } },
            { PutRequest: { Item: item('p', '2', 100) } },
            { PutRequest: { Item: item('p', '3', 100) } },
          ],
        },
      }),
    ),
    'ItemCollectionSizeLimitExceededException',
    400,
    full,
  );
  assert.deepEqual([await count('p'), await count('q')], [1, 0]);

  await rejects(
    ddb.send(
      new D.TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'multi', Item: item('q', '1', 100) } },
          { Put: { TableName: 'multi', Item: item('p', '2', 200) } },
        ],
      }),
    ),
    'TransactionCanceledException',
    400,
    (e) => {
      assert.equal(
        e.message,
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ItemCollectionSizeLimitExceeded]',
      );
      assert.deepEqual(e.CancellationReasons, [
        { Code: 'None' },
        { Code: 'ItemCollectionSizeLimitExceeded', Message: 'Collection size exceeded.' },
      ]);
    },
  );
  assert.deepEqual([await count('p'), await count('q')], [1, 0]);

  const big = `'${'x'.repeat(200)}'`;
  await rejects(
    ddb.send(new D.ExecuteStatementCommand({ Statement: `INSERT INTO "multi" VALUE {'pk': 'p', 'sk': '2', 'buf': ${big}}` })),
    'ItemCollectionSizeLimitExceededException',
    400,
    full,
  );
  const batch = await ddb.send(
    new D.BatchExecuteStatementCommand({
      Statements: [
        { Statement: `INSERT INTO "multi" VALUE {'pk': 'p', 'sk': '2', 'buf': ${big}}` },
        { Statement: `INSERT INTO "multi" VALUE {'pk': 'q', 'sk': '2', 'buf': 'x'}` },
      ],
    }),
  );
  assert.deepEqual(
    batch.Responses!.map((r) => r.Error),
    [{ Code: 'ItemCollectionSizeLimitExceeded', Message: 'Collection size exceeded.' }, undefined],
  );
  await rejects(
    ddb.send(
      new D.ExecuteTransactionCommand({
        TransactStatements: [{ Statement: `INSERT INTO "multi" VALUE {'pk': 'p', 'sk': '2', 'buf': ${big}}` }],
      }),
    ),
    'TransactionCanceledException',
    400,
    (e) => assert.deepEqual(e.CancellationReasons, [{ Code: 'ItemCollectionSizeLimitExceeded', Message: 'Collection size exceeded.' }]),
  );
  assert.deepEqual([await count('p'), await count('q')], [1, 1]);
});

test('ReturnItemCollectionMetrics=SIZE: ItemCollectionMetrics on single writes, per table in batches and transactions (lib-dynamodb too)', async () => {
  await lsiTable(ddb, 'metrics');
  const p = { pk: { S: 'p' } };
  const expected = { ItemCollectionKey: p, SizeEstimateRangeGB: [0, 1] };
  const put = await ddb.send(
    new D.PutItemCommand({ TableName: 'metrics', Item: item('p', '1', 10, 1), ReturnItemCollectionMetrics: 'SIZE' }),
  );
  assert.deepEqual(put.ItemCollectionMetrics, expected);
  const none = await ddb.send(new D.PutItemCommand({ TableName: 'metrics', Item: item('p', '1', 10, 1) }));
  assert.equal(none.ItemCollectionMetrics, undefined);
  const upd = await ddb.send(
    new D.UpdateItemCommand({
      TableName: 'metrics',
      Key: { ...p, sk: { S: '1' } },
      UpdateExpression: 'SET n = :n',
      ExpressionAttributeValues: { ':n': { N: '2' } },
      ReturnItemCollectionMetrics: 'SIZE',
    }),
  );
  assert.deepEqual(upd.ItemCollectionMetrics, expected);
  const del = await ddb.send(
    new D.DeleteItemCommand({ TableName: 'metrics', Key: { ...p, sk: { S: '1' } }, ReturnItemCollectionMetrics: 'SIZE' }),
  );
  assert.deepEqual(del.ItemCollectionMetrics, expected);

  const batch = await ddb.send(
    new D.BatchWriteItemCommand({
      RequestItems: {
        metrics: [
          { PutRequest: { Item: item('p', '1', 1) } },
          { PutRequest: { Item: item('p', '2', 1) } },
          { PutRequest: { Item: item('q', '1', 1) } },
        ],
      },
      ReturnItemCollectionMetrics: 'SIZE',
    }),
  );
  assert.deepEqual(batch.ItemCollectionMetrics, {
    metrics: [expected, { ItemCollectionKey: { pk: { S: 'q' } }, SizeEstimateRangeGB: [0, 1] }],
  });
  const tx = await ddb.send(
    new D.TransactWriteItemsCommand({
      TransactItems: [
        { Delete: { TableName: 'metrics', Key: { ...p, sk: { S: '2' } } } },
        { ConditionCheck: { TableName: 'metrics', Key: { pk: { S: 'q' }, sk: { S: '1' } }, ConditionExpression: 'attribute_exists(pk)' } },
      ],
      ReturnItemCollectionMetrics: 'SIZE',
    }),
  );
  assert.deepEqual(tx.ItemCollectionMetrics, { metrics: [expected] });

  const doc = DynamoDBDocumentClient.from(ddb);
  const docPut = await doc.send(
    new PutCommand({ TableName: 'metrics', Item: { pk: 'r', sk: '1', n: 5 }, ReturnItemCollectionMetrics: 'SIZE' }),
  );
  assert.deepEqual(docPut.ItemCollectionMetrics, { ItemCollectionKey: { pk: 'r' }, SizeEstimateRangeGB: [0, 1] });
  const docBatch = await doc.send(
    new BatchWriteCommand({
      RequestItems: { metrics: [{ DeleteRequest: { Key: { pk: 'r', sk: '1' } } }] },
      ReturnItemCollectionMetrics: 'SIZE',
    }),
  );
  assert.deepEqual(docBatch.ItemCollectionMetrics, { metrics: [{ ItemCollectionKey: { pk: 'r' }, SizeEstimateRangeGB: [0, 1] }] });
});

test('DescribeTable: an LSI counts its entries without the overhead; the admin route refuses a bad limit', async () => {
  await lsiTable(ddb, 'lsi-sizes');
  await ddb.send(new D.PutItemCommand({ TableName: 'lsi-sizes', Item: item('p', '1', 100, 7) }));
  await ddb.send(new D.PutItemCommand({ TableName: 'lsi-sizes', Item: item('p', '2', 100) }));
  assert.deepEqual(await sizes(ddb, 'lsi-sizes'), { table: [2, 112 + 109], 'by-n': [1, 9] });
  for (const body of [
    {},
    { itemCollectionSizeBytes: 0 },
    { itemCollectionSizeBytes: 1.5 },
    { itemCollectionSizeBytes: '100' },
    'nonsense',
  ]) {
    const r = await setLimit(nimbus.url, body);
    assert.equal(r.status, 400, JSON.stringify(body));
  }
  const got = await (await fetch(`${nimbus.url}/_nimbus/dynamodb/limits`)).json();
  assert.deepEqual(got, { itemCollectionSizeBytes: 10 * 1024 ** 3 });
});

test('NIMBUS_DYNAMODB_ITEM_COLLECTION_LIMIT sets the limit; sizes and collections survive kill -9', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-sizes-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn'], {
    NIMBUS_DYNAMODB_ITEM_COLLECTION_LIMIT: String(221 + 109),
  });
  try {
    const c1 = new D.DynamoDBClient(clientConfig(first.url));
    await lsiTable(c1, 'kept');
    await c1.send(new D.PutItemCommand({ TableName: 'kept', Item: item('p', '1', 100, 7) }));
    await c1.send(new D.PutItemCommand({ TableName: 'kept', Item: item('p', '2', 100) }));
    await rejects(
      c1.send(new D.PutItemCommand({ TableName: 'kept', Item: item('p', '3', 0) })),
      'ItemCollectionSizeLimitExceededException',
      400,
      full,
    );
    c1.destroy();
  } finally {
    await first.kill9();
  }
  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn'], {
    NIMBUS_DYNAMODB_ITEM_COLLECTION_LIMIT: String(221 + 109 + 9),
  });
  try {
    const c2 = new D.DynamoDBClient(clientConfig(second.url));
    assert.deepEqual(await sizes(c2, 'kept'), { table: [2, 221], 'by-n': [1, 9] });
    // the collection's 330 bytes were kept: 9 more fit (pk 3, sk 3, buf '' 3), 10 do not
    await rejects(
      c2.send(new D.PutItemCommand({ TableName: 'kept', Item: item('p', '33', 0) })),
      'ItemCollectionSizeLimitExceededException',
      400,
      full,
    );
    await c2.send(new D.PutItemCommand({ TableName: 'kept', Item: item('p', '3', 0) }));
    c2.destroy();
  } finally {
    await second.stop();
  }
});

test('a table stored before sizes were kept is counted once, on first use, collections included', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-legacy-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const c1 = new D.DynamoDBClient(clientConfig(first.url));
    await lsiTable(c1, 'old');
    await c1.send(new D.PutItemCommand({ TableName: 'old', Item: item('p', '1', 100, 7) }));
    await c1.send(new D.PutItemCommand({ TableName: 'old', Item: item('p', '2', 100) }));
    c1.destroy();
  } finally {
    await first.stop();
  }
  // what an older Nimbus left behind: items and indexes, no sizes
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'nimbus.sqlite'));
  const removed = db
    .prepare('DELETE FROM kv WHERE ns IN (?, ?)')
    .run('dynamodb/000000000000/us-east-1/stats', 'dynamodb/000000000000/us-east-1/collection-sizes').changes;
  db.close();
  assert.equal(removed, 2); // the table's sizes and its one item collection
  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn'], {
    NIMBUS_DYNAMODB_ITEM_COLLECTION_LIMIT: String(221 + 109 + 9),
  });
  try {
    const c2 = new D.DynamoDBClient(clientConfig(second.url));
    assert.deepEqual(await sizes(c2, 'old'), { table: [2, 221], 'by-n': [1, 9] });
    await rejects(
      c2.send(new D.PutItemCommand({ TableName: 'old', Item: item('p', '33', 0) })),
      'ItemCollectionSizeLimitExceededException',
      400,
      full,
    );
    await c2.send(new D.PutItemCommand({ TableName: 'old', Item: item('p', '3', 0) }));
    assert.deepEqual(await sizes(c2, 'old'), { table: [3, 230], 'by-n': [1, 9] });
    c2.destroy();
  } finally {
    await second.stop();
  }
});
