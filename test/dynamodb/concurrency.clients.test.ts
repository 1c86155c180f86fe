// DynamoDB under concurrent writers, and across a kill -9 with persistence on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as D from '@aws-sdk/client-dynamodb';
import { startServer, clientConfig, spawnServer } from '../helpers.js';

const createTable = (ddb: D.DynamoDBClient, name: string) =>
  ddb.send(
    new D.CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

test('16 writers doing conditional (read, compare-and-set) increments on one item lose no update', async () => {
  const nimbus = await startServer();
  try {
    const ddb = new D.DynamoDBClient(clientConfig(nimbus.url, { maxAttempts: 1 }));
    await createTable(ddb, 'counter');
    await ddb.send(new D.PutItemCommand({ TableName: 'counter', Item: { id: { S: 'c' }, n: { N: '0' } } }));
    const perWriter = 8;
    let conflicts = 0;
    const writer = async () => {
      for (let done = 0; done < perWriter;) {
        const { Item } = await ddb.send(new D.GetItemCommand({ TableName: 'counter', Key: { id: { S: 'c' } }, ConsistentRead: true }));
        const n = Number(Item!.n.N);
        try {
          await ddb.send(
            new D.UpdateItemCommand({
              TableName: 'counter',
              Key: { id: { S: 'c' } },
              UpdateExpression: 'SET n = :next',
              ConditionExpression: 'n = :seen',
              ExpressionAttributeValues: { ':next': { N: String(n + 1) }, ':seen': { N: String(n) } },
            }),
          );
          done++;
        } catch (e) {
          if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
    const { Item } = await ddb.send(new D.GetItemCommand({ TableName: 'counter', Key: { id: { S: 'c' } } }));
    assert.equal(Item!.n.N, String(16 * perWriter));
    assert.ok(conflicts > 0, 'the writers did contend');
  } finally {
    await nimbus.stop();
  }
});

test('transfers in transactions under contention keep the total and never overdraw', async () => {
  const nimbus = await startServer();
  try {
    const ddb = new D.DynamoDBClient(clientConfig(nimbus.url, { maxAttempts: 1 }));
    await createTable(ddb, 'bank');
    const accounts = ['a', 'b', 'c', 'd'];
    for (const id of accounts) await ddb.send(new D.PutItemCommand({ TableName: 'bank', Item: { id: { S: id }, balance: { N: '100' } } }));
    const worker = async (w: number) => {
      for (let i = 0; i < 30; i++) {
        const from = accounts[(w + i) % 4],
          to = accounts[(w + i + 1 + (i % 3)) % 4];
        const amount = String(1 + ((w * 7 + i) % 40));
        try {
          await ddb.send(
            new D.TransactWriteItemsCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: 'bank',
                    Key: { id: { S: from } },
                    UpdateExpression: 'SET balance = balance - :x',
                    ConditionExpression: 'balance >= :x',
                    ExpressionAttributeValues: { ':x': { N: amount } },
                  },
                },
                {
                  Update: {
                    TableName: 'bank',
                    Key: { id: { S: to } },
                    UpdateExpression: 'SET balance = balance + :x',
                    ExpressionAttributeValues: { ':x': { N: amount } },
                  },
                },
              ],
            }),
          );
        } catch (e) {
          if ((e as Error).name !== 'TransactionCanceledException') throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
    const { Items } = await ddb.send(new D.ScanCommand({ TableName: 'bank', ConsistentRead: true }));
    const balances = Items!.map((i) => Number(i.balance.N));
    assert.equal(
      balances.reduce((a, b) => a + b, 0),
      400,
    );
    assert.ok(
      balances.every((b) => b >= 0),
      JSON.stringify(balances),
    );
  } finally {
    await nimbus.stop();
  }
});

test('kill -9 with persistence on loses no acknowledged write', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-ddb-kill-'));
  const first = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  const acked: number[] = [];
  {
    const ddb = new D.DynamoDBClient(clientConfig(first.url, { maxAttempts: 1 }));
    await createTable(ddb, 'durable');
    let next = 0;
    let killed = false;
    const writer = async () => {
      while (!killed) {
        const i = next++;
        try {
          await ddb.send(new D.PutItemCommand({ TableName: 'durable', Item: { id: { S: `item-${i}` }, i: { N: String(i) } } }));
          acked.push(i);
        } catch {
          return; // the server died mid-request: not acknowledged
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    // kill once a good number of writes are acknowledged (a loaded machine is slower)
    for (let waited = 0; acked.length < 200 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await first.kill9(); // while writes are in flight
    killed = true;
    await Promise.all(writers);
    ddb.destroy();
  }
  assert.ok(acked.length > 50, `only ${acked.length} writes before the kill`);
  const second = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  try {
    const ddb = new D.DynamoDBClient(clientConfig(second.url));
    const found = new Set<string>();
    let start: Record<string, D.AttributeValue> | undefined;
    do {
      const out = await ddb.send(new D.ScanCommand({ TableName: 'durable', ExclusiveStartKey: start }));
      for (const item of out.Items!) found.add(item.id.S!);
      start = out.LastEvaluatedKey;
    } while (start);
    const lost = acked.filter((i) => !found.has(`item-${i}`));
    assert.deepEqual(lost, []);
  } finally {
    await second.stop();
  }
});
