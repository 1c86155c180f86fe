// A .nimbus directory written before items were keyed by partition hash (the fixture was written
// by that Nimbus: three tables, a GSI, an LSI, a stream) is moved to the hashed layout when it is
// opened: every item and index entry is found again, Scan follows hash order, and a second open
// finds nothing left to move.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as D from '@aws-sdk/client-dynamodb';
import { clientConfig, startServer } from '../helpers.js';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'dynamodb-legacy', 'nimbus.sqlite');
const hashOf = (s: string) => createHash('md5').update('Outliers').update(s, 'utf8').digest('hex').slice(0, 8);

async function namespaces(dataDir: string): Promise<Map<string, number>> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(join(dataDir, 'nimbus.sqlite'), { readonly: true });
  const rows = db.prepare("SELECT ns, count(*) AS n FROM kv WHERE ns LIKE 'dynamodb/%' GROUP BY ns").all() as { ns: string; n: number }[];
  db.close();
  return new Map(rows.map((r) => [r.ns.split('/').slice(3).join('/'), r.n]));
}

async function scanAll(ddb: D.DynamoDBClient, input: D.ScanCommandInput) {
  const items: Record<string, D.AttributeValue>[] = [];
  let start: Record<string, D.AttributeValue> | undefined;
  do {
    const out = await ddb.send(new D.ScanCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

test('a data directory in the pre-hash layout is migrated on open and reads as before', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-layout-'));
  try {
    copyFileSync(FIXTURE, join(dataDir, 'nimbus.sqlite'));
    const before = await namespaces(dataDir);
    assert.ok(
      [...before.keys()].some((ns) => ns.startsWith('items/')),
      'the fixture is in the old layout',
    );

    for (const round of [1, 2]) {
      const nimbus = await startServer({ ephemeral: false, dataDir });
      const ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
      try {
        const hashScan = await scanAll(ddb, { TableName: 'legacy-hash', Limit: 9 });
        const ids = Array.from({ length: 50 }, (_, i) => `item-${String(i).padStart(2, '0')}`);
        assert.deepEqual(
          hashScan.map((i) => i.id.S),
          [...ids].sort((a, b) => (hashOf(a) < hashOf(b) ? -1 : 1)),
        );
        const got = await ddb.send(new D.GetItemCommand({ TableName: 'legacy-hash', Key: { id: { S: 'item-07' } } }));
        assert.deepEqual(got.Item, { id: { S: 'item-07' }, n: { N: '7' } });
        assert.equal((await ddb.send(new D.DescribeTableCommand({ TableName: 'legacy-hash' }))).Table!.ItemCount, 50);

        const q = await ddb.send(
          new D.QueryCommand({
            TableName: 'legacy-range',
            KeyConditionExpression: 'pk = :p AND sk BETWEEN :s AND :e',
            ExpressionAttributeValues: { ':p': { S: 'p-c' }, ':s': { N: '2' }, ':e': { N: '5' } },
          }),
        );
        assert.deepEqual(
          q.Items!.map((i) => i.body.S),
          ['c2', 'c3', 'c4', 'c5'],
        );
        const g = await ddb.send(
          new D.QueryCommand({
            TableName: 'legacy-range',
            IndexName: 'by-g',
            KeyConditionExpression: 'g = :g',
            ExpressionAttributeValues: { ':g': { S: 'g-1' } },
          }),
        );
        assert.equal(g.Count, 15);
        assert.deepEqual([...new Set(g.Items!.map((i) => i.sk.N))], ['1', '3', '5']);
        const l = await ddb.send(
          new D.QueryCommand({
            TableName: 'legacy-range',
            IndexName: 'by-l',
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: 'p-a' } },
          }),
        );
        assert.deepEqual(
          l.Items!.map((i) => i.l.S),
          ['l-0', 'l-1', 'l-2', 'l-3', 'l-4', 'l-5'],
        );
        assert.equal((await scanAll(ddb, { TableName: 'legacy-range', IndexName: 'by-g' })).length, 30 + round - 1);

        const nums = await scanAll(ddb, { TableName: 'legacy-num' });
        assert.deepEqual(
          nums.map((i) => Number(i.n.N)).sort((a, b) => a - b),
          Array.from({ length: 20 }, (_, i) => i * 7 - 40),
        );
        assert.ok((await ddb.send(new D.GetItemCommand({ TableName: 'legacy-num', Key: { n: { N: '-40' } } }))).Item);

        // writes after the move land in the new layout and are found by both reads
        await ddb.send(
          new D.PutItemCommand({
            TableName: 'legacy-range',
            Item: { pk: { S: 'p-c' }, sk: { N: String(10 + round) }, g: { S: 'g-new' }, l: { S: 'l-9' }, body: { S: 'new' } },
          }),
        );
        assert.equal(
          (
            await ddb.send(
              new D.QueryCommand({
                TableName: 'legacy-range',
                KeyConditionExpression: 'pk = :p',
                ExpressionAttributeValues: { ':p': { S: 'p-c' } },
              }),
            )
          ).Count,
          6 + round,
        );
      } finally {
        ddb.destroy();
        await nimbus.stop();
      }
      const after = await namespaces(dataDir);
      assert.deepEqual(
        [...after.keys()].filter((ns) => /^(items|index)\//.test(ns)),
        [],
        `round ${round}: nothing left in the old collections`,
      );
      assert.equal(
        [...after]
          .filter(([ns]) => ns.startsWith('items-by-hash/'))
          .map(([, n]) => n)
          .sort((a, b) => a - b)
          .join(','),
        `20,${30 + round},50`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
