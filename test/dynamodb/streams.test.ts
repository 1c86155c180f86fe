// DynamoDB Streams: records written with each item change, read through the dynamodbstreams API;
// TTL deletions on the virtual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as D from '@aws-sdk/client-dynamodb';
import * as S from '@aws-sdk/client-dynamodb-streams';
import { serverForFile, clientConfig } from '../helpers.js';

let ddb: D.DynamoDBClient;
let streams: S.DynamoDBStreamsClient;
const nimbus = serverForFile(async () => {
  ddb = new D.DynamoDBClient(clientConfig(nimbus.url));
  streams = new S.DynamoDBStreamsClient(clientConfig(nimbus.url));
});

async function table(name: string, view: D.StreamViewType): Promise<string> {
  const out = await ddb.send(
    new D.CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: view },
    }),
  );
  return out.TableDescription!.LatestStreamArn!;
}

async function read(arn: string, type: S.ShardIteratorType = 'TRIM_HORIZON', SequenceNumber?: string) {
  const { StreamDescription } = await streams.send(new S.DescribeStreamCommand({ StreamArn: arn }));
  const shard = StreamDescription!.Shards![0].ShardId!;
  const { ShardIterator } = await streams.send(
    new S.GetShardIteratorCommand({ StreamArn: arn, ShardId: shard, ShardIteratorType: type, SequenceNumber }),
  );
  return streams.send(new S.GetRecordsCommand({ ShardIterator }));
}

const advance = (d: string) => fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: d }) });

test('INSERT, MODIFY and REMOVE records with NEW_AND_OLD_IMAGES; no record for an unchanged put', async () => {
  const arn = await table('streamed', 'NEW_AND_OLD_IMAGES');
  await ddb.send(new D.PutItemCommand({ TableName: 'streamed', Item: { id: { S: '1' }, v: { N: '1' } } }));
  await ddb.send(new D.PutItemCommand({ TableName: 'streamed', Item: { id: { S: '1' }, v: { N: '1' } } }));
  await ddb.send(
    new D.UpdateItemCommand({
      TableName: 'streamed',
      Key: { id: { S: '1' } },
      UpdateExpression: 'SET v = :two',
      ExpressionAttributeValues: { ':two': { N: '2' } },
    }),
  );
  await ddb.send(new D.DeleteItemCommand({ TableName: 'streamed', Key: { id: { S: '1' } } }));
  const { Records, NextShardIterator } = await read(arn);
  assert.deepEqual(
    Records!.map((r) => r.eventName),
    ['INSERT', 'MODIFY', 'REMOVE'],
  );
  assert.deepEqual(Records![1].dynamodb!.OldImage, { id: { S: '1' }, v: { N: '1' } });
  assert.deepEqual(Records![1].dynamodb!.NewImage, { id: { S: '1' }, v: { N: '2' } });
  assert.deepEqual(Records![2].dynamodb!.Keys, { id: { S: '1' } });
  assert.equal(Records![0].eventSource, 'aws:dynamodb');
  assert.equal(Records![0].dynamodb!.StreamViewType, 'NEW_AND_OLD_IMAGES');
  assert.ok(NextShardIterator);
  const seqs = Records!.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2]);
  const after = await read(arn, 'AFTER_SEQUENCE_NUMBER', Records![0].dynamodb!.SequenceNumber);
  assert.deepEqual(
    after.Records!.map((r) => r.eventName),
    ['MODIFY', 'REMOVE'],
  );
  const at = await read(arn, 'AT_SEQUENCE_NUMBER', Records![2].dynamodb!.SequenceNumber);
  assert.deepEqual(
    at.Records!.map((r) => r.eventName),
    ['REMOVE'],
  );
  const latest = await read(arn, 'LATEST');
  assert.deepEqual(latest.Records, []);
  const list = await streams.send(new S.ListStreamsCommand({ TableName: 'streamed' }));
  assert.deepEqual(
    list.Streams!.map((s) => s.StreamArn),
    [arn],
  );
});

test('KEYS_ONLY records carry only keys; a disabled stream closes its shard', async () => {
  const arn = await table('keysonly', 'KEYS_ONLY');
  await ddb.send(new D.PutItemCommand({ TableName: 'keysonly', Item: { id: { S: 'k' }, v: { N: '1' } } }));
  const { Records } = await read(arn);
  assert.equal(Records!.length, 1);
  assert.equal(Records![0].dynamodb!.NewImage, undefined);
  await ddb.send(new D.UpdateTableCommand({ TableName: 'keysonly', StreamSpecification: { StreamEnabled: false } }));
  const desc = await streams.send(new S.DescribeStreamCommand({ StreamArn: arn }));
  assert.equal(desc.StreamDescription!.StreamStatus, 'DISABLED');
  const closed = await read(arn);
  assert.equal(closed.NextShardIterator, undefined);
});

test('TTL deletes expired items when the clock moves, as service deletions in the stream; records expire after 24 h', async () => {
  const arn = await table('ttl', 'OLD_IMAGE');
  await ddb.send(new D.UpdateTimeToLiveCommand({ TableName: 'ttl', TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } }));
  const now = Math.floor(Date.now() / 1000);
  await ddb.send(new D.PutItemCommand({ TableName: 'ttl', Item: { id: { S: 'soon' }, exp: { N: String(now + 3600) } } }));
  await ddb.send(new D.PutItemCommand({ TableName: 'ttl', Item: { id: { S: 'later' }, exp: { N: String(now + 10 * 86400) } } }));
  await ddb.send(new D.PutItemCommand({ TableName: 'ttl', Item: { id: { S: 'never' } } }));
  await advance('2h');
  const scan = await ddb.send(new D.ScanCommand({ TableName: 'ttl' }));
  assert.deepEqual(scan.Items!.map((i) => i.id.S).sort(), ['later', 'never']);
  const { Records } = await read(arn);
  const removal = Records!.find((r) => r.eventName === 'REMOVE')!;
  assert.deepEqual(removal.userIdentity, { PrincipalId: 'dynamodb.amazonaws.com', Type: 'Service' });
  assert.equal(removal.dynamodb!.OldImage!.id.S, 'soon');
  await advance('25h');
  const trimmed = await read(arn);
  assert.deepEqual(
    trimmed.Records!.map((r) => r.dynamodb!.Keys!.id.S),
    [],
  );
});

test('TTL is also checked lazily: an item already expired is gone when the table is next read', async () => {
  await table('lazyttl', 'KEYS_ONLY');
  await ddb.send(new D.UpdateTimeToLiveCommand({ TableName: 'lazyttl', TimeToLiveSpecification: { Enabled: true, AttributeName: 'exp' } }));
  await ddb.send(
    new D.PutItemCommand({ TableName: 'lazyttl', Item: { id: { S: 'past' }, exp: { N: String(Math.floor(Date.now() / 1000) - 10) } } }),
  );
  await ddb.send(new D.PutItemCommand({ TableName: 'lazyttl', Item: { id: { S: 'ancient' }, exp: { N: '1000' } } })); // > 5 years old: ignored, as AWS does
  const scan = await ddb.send(new D.ScanCommand({ TableName: 'lazyttl' }));
  assert.deepEqual(
    scan.Items!.map((i) => i.id.S),
    ['ancient'],
  );
});
