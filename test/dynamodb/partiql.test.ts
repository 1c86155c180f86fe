// DynamoDB PartiQL: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig } from '../helpers.js';

let ddb: D.DynamoDBClient;
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
  await ddb.send(
    new D.CreateTableCommand({
      TableName: 'music',
      AttributeDefinitions: [
        { AttributeName: 'artist', AttributeType: 'S' },
        { AttributeName: 'song', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'artist', KeyType: 'HASH' },
        { AttributeName: 'song', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

const exec = (Statement: string, Parameters?: D.AttributeValue[], extra: Partial<D.ExecuteStatementInput> = {}) =>
  ddb.send(new D.ExecuteStatementCommand({ Statement, Parameters, ...extra }));

test('INSERT, SELECT with WHERE and parameters, UPDATE, DELETE', async () => {
  await exec(`INSERT INTO "music" VALUE {'artist': 'Acme', 'song': 'One', 'year': 1999, 'tags': <<'rock', 'pop'>>, 'info': {'len': 3.5}}`);
  await exec(`INSERT INTO music VALUE {'artist': ?, 'song': ?, 'year': ?}`, [{ S: 'Acme' }, { S: 'Two' }, { N: '2001' }]);
  await exec(`INSERT INTO music VALUE {'artist': 'Other', 'song': 'Three', 'year': 2001}`);
  await assert.rejects(
    exec(`INSERT INTO music VALUE {'artist': 'Acme', 'song': 'One'}`),
    (e: Error) => e.name === 'DuplicateItemException' && e.message === 'Duplicate primary key exists in table',
  );
  const acme = await exec(`SELECT song, "year" FROM music WHERE artist = ? AND "year" >= 1999`, [{ S: 'Acme' }]);
  assert.deepEqual(acme.Items, [
    { song: { S: 'One' }, year: { N: '1999' } },
    { song: { S: 'Two' }, year: { N: '2001' } },
  ]);
  const all2001 = await exec(`SELECT * FROM music WHERE "year" = 2001 AND begins_with(song, 'T')`);
  assert.equal(all2001.Items!.length, 2);
  const missing = await exec(`SELECT song FROM music WHERE info IS MISSING`);
  assert.deepEqual(missing.Items!.map((i) => i.song.S).sort(), ['Three', 'Two']);
  await exec(`UPDATE music SET plays = 1 SET info.len = info.len + 1 WHERE artist = 'Acme' AND song = 'One'`);
  const one = await exec(`SELECT plays, info FROM music WHERE artist = 'Acme' AND song = 'One'`);
  assert.deepEqual(one.Items, [{ plays: { N: '1' }, info: { M: { len: { N: '4.5' } } } }]);
  await assert.rejects(
    exec(`UPDATE music SET plays = 2 WHERE artist = 'Acme' AND song = 'Nope'`),
    (e: Error) => e.name === 'ConditionalCheckFailedException',
  );
  await assert.rejects(
    exec(`DELETE FROM music WHERE artist = 'Acme'`),
    /Where clause does not contain a mandatory equality on all key attributes/,
  );
  await exec(`DELETE FROM music WHERE artist = 'Other' AND song = 'Three'`);
  const paged = await exec(`SELECT * FROM music`, undefined, { Limit: 1 });
  assert.equal(paged.Items!.length, 1);
  const rest = await exec(`SELECT * FROM music`, undefined, { NextToken: paged.NextToken });
  assert.equal(rest.Items!.length, 1);
  await assert.rejects(exec(`SELEC * FROM music`), /Statement wasn't well formed/);
});

test('BatchExecuteStatement answers per statement; ExecuteTransaction is all or nothing', async () => {
  const batch = await ddb.send(
    new D.BatchExecuteStatementCommand({
      Statements: [
        { Statement: `INSERT INTO music VALUE {'artist': 'B', 'song': 'x'}` },
        { Statement: `INSERT INTO music VALUE {'artist': 'B', 'song': 'x'}` },
        { Statement: `SELECT * FROM music WHERE artist = 'B' AND song = 'x'` },
      ],
    }),
  );
  assert.equal(batch.Responses![0].Error, undefined);
  assert.equal(batch.Responses![1].Error!.Code, 'DuplicateItem');
  assert.deepEqual(batch.Responses![2].Item, { artist: { S: 'B' }, song: { S: 'x' } });
  const cancelled = await ddb
    .send(
      new D.ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: `INSERT INTO music VALUE {'artist': 'T', 'song': 'new'}` },
          { Statement: `UPDATE music SET n = 1 WHERE artist = 'B' AND song = 'missing'` },
        ],
      }),
    )
    .catch((e) => e as D.TransactionCanceledException);
  assert.ok(cancelled instanceof D.TransactionCanceledException);
  assert.deepEqual(
    cancelled.CancellationReasons!.map((r) => r.Code),
    ['None', 'ConditionalCheckFailed'],
  );
  const none = await exec(`SELECT * FROM music WHERE artist = 'T'`);
  assert.deepEqual(none.Items, []);
  await ddb.send(
    new D.ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `INSERT INTO music VALUE {'artist': 'T', 'song': 'new'}` },
        { Statement: `DELETE FROM music WHERE artist = 'B' AND song = 'x'` },
      ],
    }),
  );
  const reads = await ddb.send(
    new D.ExecuteTransactionCommand({
      TransactStatements: [
        { Statement: `SELECT * FROM music WHERE artist = 'T' AND song = 'new'` },
        { Statement: `SELECT * FROM music WHERE artist = 'B' AND song = 'x'` },
      ],
    }),
  );
  assert.deepEqual(
    reads.Responses!.map((r) => r.Item?.song?.S),
    ['new', undefined],
  );
});
