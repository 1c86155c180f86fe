// DynamoDB reads: Query (sort orders, operators, paging, indexes), Scan, batches, transactions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig } from '../helpers.js';

let ddb: D.DynamoDBClient;
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
});

let n = 0;
async function table(skType: 'S' | 'N' | 'B', extra: Partial<D.CreateTableCommandInput> = {}): Promise<string> {
  const name = `q${++n}`.padEnd(3, '_');
  await ddb.send(
    new D.CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: skType },
        ...(extra.AttributeDefinitions ?? []),
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      ...extra,
      ...(extra.AttributeDefinitions
        ? {
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: skType },
              ...extra.AttributeDefinitions,
            ],
          }
        : {}),
    }),
  );
  return name;
}

async function putAll(t: string, items: Record<string, D.AttributeValue>[]) {
  for (let i = 0; i < items.length; i += 25) {
    await ddb.send(
      new D.BatchWriteItemCommand({ RequestItems: { [t]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
}

const skOf = (items: Record<string, D.AttributeValue>[] | undefined) =>
  (items ?? []).map((i) => i.sk.N ?? i.sk.S ?? Buffer.from(i.sk.B!).toString('hex'));

test('numeric sort keys come back in numeric order, negatives and decimals included', async () => {
  const t = await table('N');
  const nums = [
    '-1e10',
    '-100',
    '-2.5',
    '-2',
    '-0.001',
    '0',
    '0.001',
    '1',
    '1.5',
    '2',
    '10',
    '100',
    '12345678901234567890123456789012345678',
    '1e100',
  ];
  await putAll(
    t,
    [...nums].reverse().map((v) => ({ pk: { S: 'p' }, sk: { N: v } })),
  );
  const q = await ddb.send(
    new D.QueryCommand({ TableName: t, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }),
  );
  const expected = nums.map((v) => String(Number(v) === 1e100 ? '1' + '0'.repeat(100) : v === '-1e10' ? '-10000000000' : v));
  assert.deepEqual(skOf(q.Items), expected);
  const rev = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'p' } },
      ScanIndexForward: false,
    }),
  );
  assert.deepEqual(skOf(rev.Items), [...expected].reverse());
  const between = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':a': { N: '-2' }, ':b': { N: '1.5' } },
    }),
  );
  assert.deepEqual(skOf(between.Items), ['-2', '-0.001', '0', '0.001', '1', '1.5']);
  const ops: Array<[string, string, string[]]> = [
    ['<', '1', ['-10000000000', '-100', '-2.5', '-2', '-0.001', '0', '0.001']],
    ['<=', '1', ['-10000000000', '-100', '-2.5', '-2', '-0.001', '0', '0.001', '1']],
    ['>', '10', ['100', '12345678901234567890123456789012345678', '1' + '0'.repeat(100)]],
    ['>=', '100', ['100', '12345678901234567890123456789012345678', '1' + '0'.repeat(100)]],
    ['=', '-2.50', ['-2.5']],
  ];
  for (const [op, v, want] of ops) {
    const out = await ddb.send(
      new D.QueryCommand({
        TableName: t,
        KeyConditionExpression: `pk = :p AND sk ${op} :v`,
        ExpressionAttributeValues: { ':p': { S: 'p' }, ':v': { N: v } },
      }),
    );
    assert.deepEqual(skOf(out.Items), want, op);
  }
});

test('string sort keys order by UTF-8 bytes (code points), not UTF-16; begins_with', async () => {
  const t = await table('S');
  const strs = ['a', 'ab', 'abc', 'b', 'z', '\u00e9', '\uff61', '\u{1F600}'];
  await putAll(
    t,
    strs.map((s) => ({ pk: { S: 'p' }, sk: { S: s } })),
  );
  const q = await ddb.send(
    new D.QueryCommand({ TableName: t, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }),
  );
  assert.deepEqual(skOf(q.Items), strs);
  const bw = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :a)',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':a': { S: 'ab' } },
    }),
  );
  assert.deepEqual(skOf(bw.Items), ['ab', 'abc']);
  const gt = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      KeyConditionExpression: 'pk = :p AND sk > :a',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':a': { S: 'ab' } },
    }),
  );
  assert.deepEqual(skOf(gt.Items), strs.slice(2));
});

test('binary sort keys order by bytes', async () => {
  const t = await table('B');
  const bins = ['00', '0001', '01', '7f', '80', 'ff'];
  await putAll(
    t,
    [...bins].reverse().map((h) => ({ pk: { S: 'p' }, sk: { B: Buffer.from(h, 'hex') } })),
  );
  const q = await ddb.send(
    new D.QueryCommand({ TableName: t, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } }),
  );
  assert.deepEqual(skOf(q.Items), bins);
});

test('paging: Limit and LastEvaluatedKey both ways, FilterExpression after Limit, Select COUNT, 1 MB pages', async () => {
  const t = await table('N');
  await putAll(
    t,
    Array.from({ length: 50 }, (_, i) => ({
      pk: { S: 'p' },
      sk: { N: String(i) },
      even: { BOOL: i % 2 === 0 },
      pad: { S: 'x'.repeat(30_000) },
    })),
  );
  for (const forward of [true, false]) {
    const seen: string[] = [];
    let start: Record<string, D.AttributeValue> | undefined;
    do {
      const out = await ddb.send(
        new D.QueryCommand({
          TableName: t,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'p' } },
          Limit: 7,
          ExclusiveStartKey: start,
          ScanIndexForward: forward,
          ProjectionExpression: 'sk',
        }),
      );
      seen.push(...skOf(out.Items));
      start = out.LastEvaluatedKey;
    } while (start);
    const all = Array.from({ length: 50 }, (_, i) => String(i));
    assert.deepEqual(seen, forward ? all : all.reverse());
  }
  const filtered = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      KeyConditionExpression: 'pk = :p',
      FilterExpression: 'even = :t',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':t': { BOOL: true } },
      Limit: 10,
    }),
  );
  assert.equal(filtered.ScannedCount, 10);
  assert.equal(filtered.Count, 5);
  const count = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'p' } },
      Select: 'COUNT',
    }),
  );
  assert.equal(count.Items, undefined);
  // 50 items of ~30 KB: the first page stops at 1 MB
  assert.ok(count.Count! >= 34 && count.Count! < 50, String(count.Count));
  assert.ok(count.LastEvaluatedKey);
});

test('key condition errors', async () => {
  const t = await table('S');
  const q = (KeyConditionExpression: string, values: Record<string, D.AttributeValue>) =>
    ddb.send(new D.QueryCommand({ TableName: t, KeyConditionExpression, ExpressionAttributeValues: values }));
  await assert.rejects(q('sk = :s', { ':s': { S: 'x' } }), /Query condition missed key schema element: pk/);
  await assert.rejects(
    q('pk = :p OR sk = :s', { ':p': { S: 'x' }, ':s': { S: 'x' } }),
    /Invalid operator used in KeyConditionExpression: OR/,
  );
  await assert.rejects(
    q('pk = :p', { ':p': { N: '1' } }),
    /One or more parameter values were invalid: Condition parameter type does not match schema type/,
  );
  await assert.rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: t,
        KeyConditionExpression: 'pk = :p',
        FilterExpression: 'sk = :s',
        ExpressionAttributeValues: { ':p': { S: 'x' }, ':s': { S: 'x' } },
      }),
    ),
    /Filter Expression can only contain non-primary key attributes: Primary key attribute: sk/,
  );
  await assert.rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: t,
        KeyConditionExpression: 'pk = :p',
        ExclusiveStartKey: { pk: { S: 'other' }, sk: { S: 'x' } },
        ExpressionAttributeValues: { ':p': { S: 'x' } },
      }),
    ),
    /The provided starting key is outside query boundaries based on provided conditions/,
  );
  await assert.rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: t,
        KeyConditionExpression: 'pk = :p',
        ProjectionExpression: 'a, a.b',
        ExpressionAttributeValues: { ':p': { S: 'x' } },
      }),
    ),
    /Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \[a\], path two: \[a, b\]/,
  );
});

test('LSI and GSI queries honour projections; ALL_ATTRIBUTES refused on a KEYS_ONLY GSI', async () => {
  const t = await table('S', {
    AttributeDefinitions: [
      { AttributeName: 'lsk', AttributeType: 'N' },
      { AttributeName: 'gpk', AttributeType: 'S' },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'byL',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'lsk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byG',
        KeySchema: [
          { AttributeName: 'gpk', KeyType: 'HASH' },
          { AttributeName: 'lsk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['inc'] },
      },
      { IndexName: 'keys', KeySchema: [{ AttributeName: 'gpk', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
    ],
  });
  await putAll(t, [
    { pk: { S: 'a' }, sk: { S: '1' }, lsk: { N: '3' }, gpk: { S: 'g' }, inc: { S: 'i1' }, other: { S: 'o1' } },
    { pk: { S: 'a' }, sk: { S: '2' }, lsk: { N: '1' }, gpk: { S: 'g' }, inc: { S: 'i2' }, other: { S: 'o2' } },
    { pk: { S: 'b' }, sk: { S: '1' }, lsk: { N: '2' }, gpk: { S: 'g' }, inc: { S: 'i3' } },
    { pk: { S: 'c' }, sk: { S: '1' }, other: { S: 'sparse' } },
  ]);
  const l = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      IndexName: 'byL',
      KeyConditionExpression: 'pk = :a',
      ExpressionAttributeValues: { ':a': { S: 'a' } },
    }),
  );
  assert.deepEqual(
    l.Items!.map((i) => i.sk.S),
    ['2', '1'],
  );
  assert.equal(l.Items![0].other, undefined);
  const lAll = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      IndexName: 'byL',
      KeyConditionExpression: 'pk = :a',
      ExpressionAttributeValues: { ':a': { S: 'a' } },
      Select: 'ALL_ATTRIBUTES',
    }),
  );
  assert.equal(lAll.Items![0].other.S, 'o2');
  const g = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      IndexName: 'byG',
      KeyConditionExpression: 'gpk = :g AND lsk >= :two',
      ExpressionAttributeValues: { ':g': { S: 'g' }, ':two': { N: '2' } },
    }),
  );
  assert.deepEqual(g.Items, [
    { pk: { S: 'b' }, sk: { S: '1' }, lsk: { N: '2' }, gpk: { S: 'g' }, inc: { S: 'i3' } },
    { pk: { S: 'a' }, sk: { S: '1' }, lsk: { N: '3' }, gpk: { S: 'g' }, inc: { S: 'i1' } },
  ]);
  // paging through a GSI with equal index keys
  const seen: string[] = [];
  let start: Record<string, D.AttributeValue> | undefined;
  do {
    const out = await ddb.send(
      new D.QueryCommand({
        TableName: t,
        IndexName: 'keys',
        KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': { S: 'g' } },
        Limit: 1,
        ExclusiveStartKey: start,
      }),
    );
    seen.push(...out.Items!.map((i) => i.pk.S! + i.sk.S!));
    start = out.LastEvaluatedKey;
  } while (start);
  assert.deepEqual(seen.sort(), ['a1', 'a2', 'b1']);
  await assert.rejects(
    ddb.send(
      new D.QueryCommand({
        TableName: t,
        IndexName: 'keys',
        KeyConditionExpression: 'gpk = :g',
        ExpressionAttributeValues: { ':g': { S: 'g' } },
        Select: 'ALL_ATTRIBUTES',
      }),
    ),
    /Select type ALL_ATTRIBUTES is not supported for global secondary index keys because its projection type is not ALL/,
  );
  // the index follows updates and deletes
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: t,
      Key: { pk: { S: 'b' }, sk: { S: '1' } },
      UpdateExpression: 'SET gpk = :h',
      ExpressionAttributeValues: { ':h': { S: 'h' } },
    }),
  );
  await ddb.send(new D.DeleteItemCommand({ TableName: t, Key: { pk: { S: 'a' }, sk: { S: '1' } } }));
  const after = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      IndexName: 'keys',
      KeyConditionExpression: 'gpk = :g',
      ExpressionAttributeValues: { ':g': { S: 'g' } },
    }),
  );
  assert.deepEqual(
    after.Items!.map((i) => i.pk.S! + i.sk.S!),
    ['a2'],
  );
  const scan = await ddb.send(new D.ScanCommand({ TableName: t, IndexName: 'keys' }));
  assert.equal(scan.Count, 2);
});

test('Scan: parallel segments cover the table exactly once; filters and paging', async () => {
  const t = await table('N');
  await putAll(
    t,
    Array.from({ length: 60 }, (_, i) => ({ pk: { S: `p${i % 13}` }, sk: { N: String(i) }, v: { N: String(i % 3) } })),
  );
  const seen: string[] = [];
  for (let segment = 0; segment < 4; segment++) {
    let start: Record<string, D.AttributeValue> | undefined;
    do {
      const out = await ddb.send(
        new D.ScanCommand({ TableName: t, Segment: segment, TotalSegments: 4, Limit: 5, ExclusiveStartKey: start }),
      );
      seen.push(...skOf(out.Items));
      start = out.LastEvaluatedKey;
    } while (start);
  }
  assert.deepEqual(
    seen.map(Number).sort((a, b) => a - b),
    Array.from({ length: 60 }, (_, i) => i),
  );
  const f = await ddb.send(
    new D.ScanCommand({ TableName: t, FilterExpression: 'v = :z', ExpressionAttributeValues: { ':z': { N: '0' } } }),
  );
  assert.equal(f.Count, 20);
  assert.equal(f.ScannedCount, 60);
  const legacy = await ddb.send(
    new D.ScanCommand({ TableName: t, ScanFilter: { v: { ComparisonOperator: 'GT', AttributeValueList: [{ N: '0' }] } } }),
  );
  assert.equal(legacy.Count, 40);
  await assert.rejects(ddb.send(new D.ScanCommand({ TableName: t, Segment: 4, TotalSegments: 4 })), /Segment parameter is zero-based/);
});

test('BatchGetItem and BatchWriteItem: limits, duplicates, deletes', async () => {
  const t = await table('N');
  await putAll(
    t,
    Array.from({ length: 30 }, (_, i) => ({ pk: { S: 'b' }, sk: { N: String(i) } })),
  );
  const keys = Array.from({ length: 30 }, (_, i) => ({ pk: { S: 'b' }, sk: { N: String(i) } }));
  const got = await ddb.send(
    new D.BatchGetItemCommand({
      RequestItems: { [t]: { Keys: [...keys, { pk: { S: 'b' }, sk: { N: '999' } }], ProjectionExpression: 'sk' } },
    }),
  );
  assert.equal(got.Responses![t].length, 30);
  assert.deepEqual(got.UnprocessedKeys, {});
  const many = (k: number) => ({ Keys: Array.from({ length: k }, (_, i) => ({ pk: { S: 'b' }, sk: { N: String(i) } })) });
  await assert.rejects(
    ddb.send(new D.BatchGetItemCommand({ RequestItems: { [t]: many(60), other: many(41) } })),
    /Too many items requested for the BatchGetItem call/,
  );
  await assert.rejects(
    ddb.send(new D.BatchGetItemCommand({ RequestItems: { [t]: { Keys: [keys[0], keys[0]] } } })),
    /Provided list of item keys contains duplicates/,
  );
  await assert.rejects(
    ddb.send(
      new D.BatchWriteItemCommand({ RequestItems: { [t]: [{ DeleteRequest: { Key: keys[0] } }, { DeleteRequest: { Key: keys[0] } }] } }),
    ),
    /Provided list of item keys contains duplicates/,
  );
  const del = await ddb.send(
    new D.BatchWriteItemCommand({ RequestItems: { [t]: keys.slice(0, 10).map((Key) => ({ DeleteRequest: { Key } })) } }),
  );
  assert.deepEqual(del.UnprocessedItems, {});
  const count = await ddb.send(
    new D.QueryCommand({
      TableName: t,
      KeyConditionExpression: 'pk = :b',
      ExpressionAttributeValues: { ':b': { S: 'b' } },
      Select: 'COUNT',
    }),
  );
  assert.equal(count.Count, 20);
});

test('TransactWriteItems: all or nothing, cancellation reasons, idempotency token; TransactGetItems', async () => {
  const t = await table('S');
  const key = (s: string) => ({ pk: { S: 'tx' }, sk: { S: s } });
  await ddb.send(new D.PutItemCommand({ TableName: t, Item: { ...key('a'), n: { N: '1' } } }));
  const cancelled = await ddb
    .send(
      new D.TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: t, Item: { ...key('b'), n: { N: '2' } } } },
          {
            ConditionCheck: {
              TableName: t,
              Key: key('a'),
              ConditionExpression: 'n = :two',
              ExpressionAttributeValues: { ':two': { N: '2' } },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      }),
    )
    .catch((e) => e as D.TransactionCanceledException);
  assert.ok(cancelled instanceof D.TransactionCanceledException);
  assert.equal(
    cancelled.message,
    'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]',
  );
  assert.deepEqual(
    cancelled.CancellationReasons!.map((r) => r.Code),
    ['None', 'ConditionalCheckFailed'],
  );
  assert.equal(cancelled.CancellationReasons![1].Item!.n.N, '1');
  assert.equal((await ddb.send(new D.GetItemCommand({ TableName: t, Key: key('b') }))).Item, undefined);
  const write = (token: string, n: string) =>
    ddb.send(
      new D.TransactWriteItemsCommand({
        ClientRequestToken: token,
        TransactItems: [
          { Update: { TableName: t, Key: key('a'), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: n } } } },
          { Put: { TableName: t, Item: { ...key('b'), n: { N: '2' } } } },
          { Delete: { TableName: t, Key: key('zz') } },
        ],
      }),
    );
  await write('tok-1', '1');
  await write('tok-1', '1'); // replay: not applied twice
  const costed = await ddb.send(
    new D.TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: t, Item: key('c') } }], ReturnConsumedCapacity: 'TOTAL' }),
  );
  assert.deepEqual(
    costed.ConsumedCapacity!.map((c) => [c.TableName, c.CapacityUnits]),
    [[t, 2]],
  );
  await assert.rejects(write('tok-1', '5'), (e: Error) => e.name === 'IdempotentParameterMismatchException');
  const got = await ddb.send(
    new D.TransactGetItemsCommand({
      TransactItems: [
        { Get: { TableName: t, Key: key('a') } },
        { Get: { TableName: t, Key: key('b') } },
        { Get: { TableName: t, Key: key('none') } },
      ],
    }),
  );
  assert.deepEqual(
    got.Responses!.map((r) => r.Item?.n?.N),
    ['2', '2', undefined],
  );
  await assert.rejects(
    ddb.send(
      new D.TransactWriteItemsCommand({
        TransactItems: [{ Put: { TableName: t, Item: key('a') } }, { Delete: { TableName: t, Key: key('a') } }],
      }),
    ),
    /Transaction request cannot include multiple operations on one item/,
  );
});
