// dynamodb:LeadingKeys under enforcement: a user confined to the items whose partition key is its
// own name, through GetItem, PutItem, Query and BatchWriteItem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  DynamoDBClient,
  CreateTableCommand,
  PutItemCommand,
  GetItemCommand,
  QueryCommand,
  BatchWriteItemCommand,
} from '@aws-sdk/client-dynamodb';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/notes';

test('ForAllValues:StringEquals dynamodb:LeadingKeys ${aws:username} confines a user to its partition', async () => {
  const iam = new IAMClient(clientConfig(nimbus.url));
  await new DynamoDBClient(clientConfig(nimbus.url)).send(
    new CreateTableCommand({
      TableName: 'notes',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'owner', AttributeType: 'S' },
        { AttributeName: 'id', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'owner', KeyType: 'HASH' },
        { AttributeName: 'id', KeyType: 'RANGE' },
      ],
    }),
  );
  await iam.send(new CreateUserCommand({ UserName: 'hank' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'hank',
      PolicyName: 'own-items',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
            Resource: TABLE,
            Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${aws:username}'] } },
          },
        ],
      }),
    }),
  );
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'hank' }))).AccessKey!;
  const ddb = new DynamoDBClient(
    clientConfig(nimbus.url, { credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }),
  );

  await ddb.send(new PutItemCommand({ TableName: 'notes', Item: { owner: { S: 'hank' }, id: { S: '1' } } }));
  const got = await ddb.send(new GetItemCommand({ TableName: 'notes', Key: { owner: { S: 'hank' }, id: { S: '1' } } }));
  assert.equal(got.Item?.owner.S, 'hank');
  const q = await ddb.send(
    new QueryCommand({
      TableName: 'notes',
      KeyConditionExpression: '#o = :o',
      ExpressionAttributeNames: { '#o': 'owner' },
      ExpressionAttributeValues: { ':o': { S: 'hank' } },
    }),
  );
  assert.equal(q.Count, 1);

  await rejects(
    ddb.send(new PutItemCommand({ TableName: 'notes', Item: { owner: { S: 'ivy' }, id: { S: '1' } } })),
    'AccessDeniedException',
    400,
    (e) =>
      assert.equal(
        e.message,
        `User: arn:aws:iam::000000000000:user/hank is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:PutItem action`,
      ),
  );
  await rejects(
    ddb.send(
      new QueryCommand({
        TableName: 'notes',
        KeyConditionExpression: '#o = :o',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':o': { S: 'ivy' } },
      }),
    ),
    'AccessDeniedException',
    400,
  );
  // one foreign item in a batch denies the batch
  await rejects(
    ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          notes: [
            { PutRequest: { Item: { owner: { S: 'hank' }, id: { S: '2' } } } },
            { PutRequest: { Item: { owner: { S: 'ivy' }, id: { S: '2' } } } },
          ],
        },
      }),
    ),
    'AccessDeniedException',
    400,
  );
  await ddb.send(
    new BatchWriteItemCommand({ RequestItems: { notes: [{ PutRequest: { Item: { owner: { S: 'hank' }, id: { S: '3' } } } }] } }),
  );
});
