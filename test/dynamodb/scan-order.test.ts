// Scan order as DynamoDB gives it: partitions in the order of their key's hash (not key or insertion
// order), a partition's items by sort key; parallel Scan segments split the hash space, each item in
// exactly one; ExclusiveStartKey resumes in that order; the 1 MB page is cut on DynamoDB's item sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as D from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig } from '../helpers.js';

let ddb: D.DynamoDBClient;
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
});

type Item = Record<string, D.AttributeValue>;

async function create(TableName: string, range?: 'N', extra: Partial<D.CreateTableCommandInput> = {}) {
  await ddb.send(
    new D.CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        ...(range ? [{ AttributeName: 'sk', AttributeType: range }] : []),
        ...(extra.AttributeDefinitions ?? []),
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(range ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
      ...(extra.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: extra.GlobalSecondaryIndexes } : {}),
    }),
  );
}

async function putAll(TableName: string, items: Item[]) {
  for (let i = 0; i < items.length; i += 25) {
    await ddb.send(
      new D.BatchWriteItemCommand({ RequestItems: { [TableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }),
    );
  }
}

/** Every page of a (segment's) Scan, followed through LastEvaluatedKey. */
async function scanAll(input: D.ScanCommandInput): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let start: Item | undefined;
  let pages = 0;
  do {
    const out = await ddb.send(new D.ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
    pages++;
  } while (start);
  return { items, pages };
}

// the partition hash Nimbus places partitions by (see src/services/dynamodb/keys.ts)
const hashOf = (s: string) => createHash('md5').update('Outliers').update(s, 'utf8').digest('hex').slice(0, 8);
const byHash = (a: string, b: string) => (hashOf(a) < hashOf(b) ? -1 : hashOf(a) > hashOf(b) ? 1 : a < b ? -1 : 1);
const pks = (items: Item[]) => items.map((i) => i.pk.S!);

test('Scan returns partitions in hash order, stable, not in key or insertion order', async () => {
  await create('order-hash');
  const keys = Array.from({ length: 40 }, (_, i) => `user-${String(i).padStart(3, '0')}`);
  await putAll(
    'order-hash',
    keys.map((pk, i) => ({ pk: { S: pk }, i: { N: String(i) } })),
  );
  const first = pks((await scanAll({ TableName: 'order-hash' })).items);
  assert.deepEqual(first, [...keys].sort(byHash));
  assert.notDeepEqual(first, keys, 'not insertion (= key) order');
  assert.deepEqual(pks((await scanAll({ TableName: 'order-hash' })).items), first, 'the same order every time');
  // pages of 7 resume where the last ended, in the same order, nothing twice
  const paged = await scanAll({ TableName: 'order-hash', Limit: 7 });
  assert.deepEqual(pks(paged.items), first);
  assert.equal(paged.pages, 6);
});

test("a partition's items stay together, by sort key; Query order is unchanged", async () => {
  await create('order-range', 'N');
  const parts = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
  const items = parts.flatMap((pk) => [5, -1, 30, 2, 0.5].map((sk) => ({ pk: { S: pk }, sk: { N: String(sk) } })));
  await putAll('order-range', items);
  const seen = (await scanAll({ TableName: 'order-range', Limit: 4 })).items.map((i) => `${i.pk.S}/${i.sk.N}`);
  const expected = [...parts].sort(byHash).flatMap((pk) => ['-1', '0.5', '2', '5', '30'].map((sk) => `${pk}/${sk}`));
  assert.deepEqual(seen, expected);
  assert.notDeepEqual([...parts].sort(byHash), parts, 'hash order differs from key order here');
  const q = await ddb.send(
    new D.QueryCommand({
      TableName: 'order-range',
      KeyConditionExpression: 'pk = :p AND sk > :s',
      ExpressionAttributeValues: { ':p': { S: 'charlie' }, ':s': { N: '0' } },
      ScanIndexForward: false,
    }),
  );
  assert.deepEqual(
    q.Items!.map((i) => i.sk.N),
    ['30', '5', '2', '0.5'],
  );
});

test('parallel Scan: segments split the hash space, every item in exactly one, each paged on its own', async () => {
  await create('order-segments', 'N');
  const items = Array.from({ length: 120 }, (_, i) => ({ pk: { S: `p${i % 37}` }, sk: { N: String(i) } }));
  await putAll('order-segments', items);
  const whole = (await scanAll({ TableName: 'order-segments' })).items.map((i) => `${i.pk.S}/${i.sk.N}`);
  for (const total of [1, 2, 3, 4, 7]) {
    const parts: string[][] = [];
    for (let s = 0; s < total; s++) {
      parts.push(
        (await scanAll({ TableName: 'order-segments', Segment: s, TotalSegments: total, Limit: 9 })).items.map(
          (i) => `${i.pk.S}/${i.sk.N}`,
        ),
      );
    }
    // segments in order are the whole scan cut in pieces: each item once, in hash order
    assert.deepEqual(parts.flat(), whole, `TotalSegments ${total}`);
    // a partition never spans segments
    const owner = new Map<string, number>();
    parts.forEach((p, s) => {
      for (const k of p) {
        const pk = k.split('/')[0];
        assert.equal(owner.get(pk) ?? s, s, `${pk} in one segment`);
        owner.set(pk, s);
      }
    });
    if (total > 1) assert.ok(parts.filter((p) => p.length).length > 1, 'more than one segment holds items');
  }
  // a segment's LastEvaluatedKey resumes that segment only: another segment refuses it
  const page = await ddb.send(new D.ScanCommand({ TableName: 'order-segments', Segment: 2, TotalSegments: 4, Limit: 2 }));
  await assert.rejects(
    ddb.send(new D.ScanCommand({ TableName: 'order-segments', Segment: 0, TotalSegments: 4, ExclusiveStartKey: page.LastEvaluatedKey })),
    (e: Error) =>
      e.name === 'ValidationException' &&
      e.message ===
        'The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 4 Segment: 0',
  );
  // segment s holds the partitions whose hash falls in the s-th slice of the space
  const seg = await scanAll({ TableName: 'order-segments', Segment: 1, TotalSegments: 4 });
  for (const i of seg.items) {
    const h = parseInt(hashOf(i.pk.S!), 16);
    assert.ok(h >= 2 ** 30 && h < 2 ** 31, `${i.pk.S} hashes into segment 1 of 4`);
  }
});

test('a GSI scans in the hash order of the index partition key', async () => {
  await create('order-gsi', 'N', {
    AttributeDefinitions: [{ AttributeName: 'g', AttributeType: 'S' }],
    GlobalSecondaryIndexes: [
      { IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
    ],
  });
  const groups = ['red', 'green', 'blue', 'cyan', 'magenta', 'yellow', 'black'];
  await putAll(
    'order-gsi',
    groups.map((g, i) => ({ pk: { S: `k${i}` }, sk: { N: '1' }, g: { S: g } })),
  );
  const out = await scanAll({ TableName: 'order-gsi', IndexName: 'by-g', Limit: 3 });
  assert.deepEqual(
    out.items.map((i) => i.g.S),
    [...groups].sort(byHash),
  );
});

test("the 1 MB page is cut on DynamoDB's item sizes: names plus values, the item that reaches 1 MB included", async () => {
  await create('order-size');
  // each item: "pk" (2) + 4-byte key + "pad" (3) + 100,000 bytes = 100,009 bytes; eleven reach 1 MB (1,048,576)
  const pad = 'x'.repeat(100_000);
  await putAll(
    'order-size',
    Array.from({ length: 15 }, (_, i) => ({ pk: { S: `k-${String(i).padStart(2, '0')}` }, pad: { S: pad } })),
  );
  const first = await ddb.send(new D.ScanCommand({ TableName: 'order-size', Select: 'COUNT' }));
  assert.equal(first.ScannedCount, 11);
  assert.ok(first.LastEvaluatedKey);
  const rest = await ddb.send(new D.ScanCommand({ TableName: 'order-size', Select: 'COUNT', ExclusiveStartKey: first.LastEvaluatedKey }));
  assert.equal(rest.ScannedCount, 4);
  assert.equal(rest.LastEvaluatedKey, undefined);
});
