// Every request member that carries an AttributeValue, given values of the wrong type (or malformed
// ones): DynamoDB answers 400 with a client error, never a 5xx. Raw JSON, so the SDK cannot reshape
// what is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile } from '../helpers.js';
import { ddbRaw } from '../dynamodb-raw.js';

const nimbus = serverForFile(async () => {
  await call('CreateTable', {
    TableName: 'fuzz',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'g', AttributeType: 'S' },
      { AttributeName: 'lr', AttributeType: 'B' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      { IndexName: 'byG', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'byLr',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'lr', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  await call('CreateTable', {
    TableName: 'fuzzb',
    AttributeDefinitions: [
      { AttributeName: 'h', AttributeType: 'N' },
      { AttributeName: 'r', AttributeType: 'B' },
    ],
    KeySchema: [
      { AttributeName: 'h', KeyType: 'HASH' },
      { AttributeName: 'r', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  });
  await call('PutItem', { TableName: 'fuzzb', Item: { h: { N: '1' }, r: { B: 'AQ==' } } });
  await call('PutItem', {
    TableName: 'fuzz',
    Item: {
      pk: { S: 'p' },
      sk: { N: '1' },
      g: { S: 'x' },
      n: { N: '5' },
      s: { S: 'str' },
      ss: { SS: ['a'] },
      ns: { NS: ['1'] },
      bs: { BS: ['AQ=='] },
      l: { L: [{ N: '1' }] },
      m: { M: { a: { N: '1' } } },
      b: { B: 'AQ==' },
      t: { BOOL: true },
      z: { NULL: true },
    },
  });
});

const call = (op: string, body: unknown) => ddbRaw(nimbus.url, op, body);

/** Wrong or malformed AttributeValues. */
const BAD: unknown[] = [
  { BOOL: true },
  { NULL: true },
  { NULL: false },
  { M: {} },
  { M: { a: { BOOL: true } } },
  { M: { a: {} } },
  { SS: ['a'] },
  { SS: [] },
  { NS: [] },
  { BS: [] },
  { NS: ['x'] },
  { NS: ['1', '1.0'] },
  { L: [] },
  { L: [{ N: 'x' }] },
  { B: 'AQ==' },
  { B: '' },
  { N: 'abc' },
  { N: '' },
  { N: '1e400' },
  { N: '1' },
  { S: '' },
  { S: 'a' },
  {},
  { S: 'a', N: '1' },
  { S: 1 },
  { N: 1 },
  { SS: 'a' },
  { L: {} },
  { M: [] },
  { BOOL: 'yes' },
  null,
  'x',
  1,
  [],
];

/** Requests with one AttributeValue slot (the placeholder X) filled by each bad value. */
const X = Symbol('x');
const SHAPES: [string, unknown][] = [
  ['PutItem', { TableName: 'fuzz', Item: { pk: X, sk: { N: '1' } } }],
  ['PutItem', { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: X } }],
  ['PutItem', { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: { N: '2' }, g: X } }],
  ['PutItem', { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: { N: '2' }, lr: X } }],
  ['PutItem', { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: { N: '2' }, other: X } }],
  ['PutItem', { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: { N: '1' } }, Expected: { n: { Value: X } } }],
  [
    'PutItem',
    { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: { N: '1' } }, Expected: { n: { ComparisonOperator: 'GT', AttributeValueList: [X] } } },
  ],
  [
    'PutItem',
    {
      TableName: 'fuzz',
      Item: { pk: { S: 'p' }, sk: { N: '1' } },
      Expected: { ss: { ComparisonOperator: 'CONTAINS', AttributeValueList: [X] } },
    },
  ],
  [
    'PutItem',
    {
      TableName: 'fuzz',
      Item: { pk: { S: 'p' }, sk: { N: '1' } },
      Expected: { n: { ComparisonOperator: 'BETWEEN', AttributeValueList: [X, X] } },
    },
  ],
  [
    'PutItem',
    { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: { N: '1' } }, Expected: { n: { ComparisonOperator: 'IN', AttributeValueList: [X] } } },
  ],
  ['GetItem', { TableName: 'fuzz', Key: { pk: X, sk: { N: '1' } } }],
  ['GetItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: X } }],
  ['DeleteItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: X } }],
  ['DeleteItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '9' } }, Expected: { n: { Value: X } } }],
  [
    'UpdateItem',
    {
      TableName: 'fuzz',
      Key: { pk: X, sk: { N: '1' } },
      UpdateExpression: 'SET q = :one',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    },
  ],
  ['UpdateItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { n: { Action: 'ADD', Value: X } } }],
  ['UpdateItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { ss: { Action: 'ADD', Value: X } } }],
  ['UpdateItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { l: { Action: 'ADD', Value: X } } }],
  ['UpdateItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { ss: { Action: 'DELETE', Value: X } } }],
  [
    'UpdateItem',
    { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { fresh: { Action: 'DELETE', Value: X } } },
  ],
  ['UpdateItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { g: { Action: 'PUT', Value: X } } }],
  ['UpdateItem', { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, AttributeUpdates: { sk: { Action: 'PUT', Value: X } } }],
  ...[
    'SET q = :v',
    'SET g = :v',
    'SET lr = :v',
    'SET sk = :v',
    'SET n = n + :v',
    'SET n = :v - n',
    'SET s = s + :v',
    'SET l = list_append(l, :v)',
    'SET l = list_append(:v, l)',
    'SET q = if_not_exists(q, :v)',
    'SET m.a = :v',
    'SET l[0] = :v',
    'ADD n :v',
    'ADD ss :v',
    'ADD ns :v',
    'ADD bs :v',
    'ADD fresh :v',
    'ADD l :v',
    'ADD s :v',
    'DELETE ss :v',
    'DELETE ns :v',
    'DELETE fresh :v',
    'DELETE n :v',
    'DELETE bs :v',
    'SET n = n + n, q = :v',
  ].map((u): [string, unknown] => [
    'UpdateItem',
    { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: { N: '1' } }, UpdateExpression: u, ExpressionAttributeValues: { ':v': X } },
  ]),
  ...[
    'n = :v',
    'n < :v',
    'n <> :v',
    'n BETWEEN :v AND :v',
    'n IN (:v)',
    'contains(ss, :v)',
    'contains(s, :v)',
    'contains(l, :v)',
    'contains(b, :v)',
    'begins_with(s, :v)',
    'begins_with(b, :v)',
    'attribute_type(n, :v)',
    'size(l) = :v',
    'size(ss) > :v',
    'attribute_exists(n) AND :v = :v',
    'm = :v',
    'l = :v',
    'z = :v',
    't = :v',
  ].map((c): [string, unknown] => [
    'PutItem',
    {
      TableName: 'fuzz',
      Item: { pk: { S: 'p' }, sk: { N: '1' }, n: { N: '5' } },
      ConditionExpression: c,
      ExpressionAttributeValues: { ':v': X },
    },
  ]),
  ['Query', { TableName: 'fuzz', KeyConditionExpression: 'pk = :v', ExpressionAttributeValues: { ':v': X } }],
  ['Query', { TableName: 'fuzz', KeyConditionExpression: 'pk = :p AND sk > :v', ExpressionAttributeValues: { ':p': { S: 'p' }, ':v': X } }],
  [
    'Query',
    {
      TableName: 'fuzz',
      KeyConditionExpression: 'pk = :p AND sk BETWEEN :v AND :v',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':v': X },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzz',
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':v': X },
    },
  ],
  ['Query', { TableName: 'fuzz', IndexName: 'byG', KeyConditionExpression: 'g = :v', ExpressionAttributeValues: { ':v': X } }],
  [
    'Query',
    {
      TableName: 'fuzz',
      IndexName: 'byLr',
      KeyConditionExpression: 'pk = :p AND lr > :v',
      ExpressionAttributeValues: { ':p': { S: 'p' }, ':v': X },
    },
  ],
  ['Query', { TableName: 'fuzz', KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [X] } } }],
  [
    'Query',
    {
      TableName: 'fuzz',
      KeyConditions: {
        pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'p' }] },
        sk: { ComparisonOperator: 'BEGINS_WITH', AttributeValueList: [X] },
      },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzz',
      KeyConditions: { pk: { ComparisonOperator: 'EQ', AttributeValueList: [{ S: 'p' }] } },
      QueryFilter: { n: { ComparisonOperator: 'NE', AttributeValueList: [X] } },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzz',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'p' } },
      ExclusiveStartKey: { pk: X, sk: { N: '1' } },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzz',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'p' } },
      ExclusiveStartKey: { pk: { S: 'p' }, sk: X },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzz',
      IndexName: 'byG',
      KeyConditionExpression: 'g = :p',
      ExpressionAttributeValues: { ':p': { S: 'x' } },
      ExclusiveStartKey: { pk: { S: 'p' }, sk: { N: '1' }, g: X },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzz',
      IndexName: 'byLr',
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'p' } },
      ExclusiveStartKey: { pk: { S: 'p' }, sk: { N: '1' }, lr: X },
    },
  ],
  ['Scan', { TableName: 'fuzz', ExclusiveStartKey: { pk: X, sk: { N: '1' } } }],
  ['Scan', { TableName: 'fuzz', ExclusiveStartKey: { pk: { S: 'p' }, sk: X } }],
  ['Scan', { TableName: 'fuzz', IndexName: 'byG', ExclusiveStartKey: { pk: { S: 'p' }, sk: { N: '1' }, g: X } }],
  ['Scan', { TableName: 'fuzz', Segment: 0, TotalSegments: 2, ExclusiveStartKey: { pk: X, sk: { N: '1' } } }],
  ['Scan', { TableName: 'fuzz', ScanFilter: { n: { ComparisonOperator: 'LT', AttributeValueList: [X] } } }],
  ['Scan', { TableName: 'fuzz', ScanFilter: { ss: { ComparisonOperator: 'NOT_CONTAINS', AttributeValueList: [X] } } }],
  ['Scan', { TableName: 'fuzz', FilterExpression: 'contains(l, :v) OR n > :v', ExpressionAttributeValues: { ':v': X } }],
  ['BatchGetItem', { RequestItems: { fuzz: { Keys: [{ pk: X, sk: { N: '1' } }] } } }],
  ['BatchGetItem', { RequestItems: { fuzz: { Keys: [{ pk: { S: 'p' }, sk: X }] } } }],
  ['BatchWriteItem', { RequestItems: { fuzz: [{ PutRequest: { Item: { pk: X, sk: { N: '1' } } } }] } }],
  ['BatchWriteItem', { RequestItems: { fuzz: [{ PutRequest: { Item: { pk: { S: 'p' }, sk: { N: '3' }, g: X } } }] } }],
  ['BatchWriteItem', { RequestItems: { fuzz: [{ DeleteRequest: { Key: { pk: { S: 'p' }, sk: X } } }] } }],
  ['TransactGetItems', { TransactItems: [{ Get: { TableName: 'fuzz', Key: { pk: X, sk: { N: '1' } } } }] }],
  ['TransactWriteItems', { TransactItems: [{ Put: { TableName: 'fuzz', Item: { pk: { S: 'p' }, sk: { N: '4' }, g: X } } }] }],
  ['TransactWriteItems', { TransactItems: [{ Delete: { TableName: 'fuzz', Key: { pk: { S: 'p' }, sk: X } } }] }],
  [
    'TransactWriteItems',
    {
      TransactItems: [
        {
          ConditionCheck: {
            TableName: 'fuzz',
            Key: { pk: { S: 'p' }, sk: { N: '1' } },
            ConditionExpression: 'n > :v',
            ExpressionAttributeValues: { ':v': X },
          },
        },
      ],
    },
  ],
  [
    'TransactWriteItems',
    {
      TransactItems: [
        {
          Update: {
            TableName: 'fuzz',
            Key: { pk: { S: 'p' }, sk: { N: '1' } },
            UpdateExpression: 'ADD n :v',
            ExpressionAttributeValues: { ':v': X },
          },
        },
      ],
    },
  ],
  ['PutItem', { TableName: 'fuzzb', Item: { h: X, r: { B: 'AQ==' } } }],
  ['PutItem', { TableName: 'fuzzb', Item: { h: { N: '1' }, r: X } }],
  ['GetItem', { TableName: 'fuzzb', Key: { h: X, r: { B: 'AQ==' } } }],
  ['Query', { TableName: 'fuzzb', KeyConditionExpression: 'h = :v', ExpressionAttributeValues: { ':v': X } }],
  [
    'Query',
    {
      TableName: 'fuzzb',
      KeyConditionExpression: 'h = :h AND r BETWEEN :v AND :v',
      ExpressionAttributeValues: { ':h': { N: '1' }, ':v': X },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzzb',
      KeyConditionExpression: 'h = :h AND begins_with(r, :v)',
      ExpressionAttributeValues: { ':h': { N: '1' }, ':v': X },
    },
  ],
  [
    'Query',
    {
      TableName: 'fuzzb',
      KeyConditionExpression: 'h = :h',
      ExpressionAttributeValues: { ':h': { N: '1' } },
      ExclusiveStartKey: { h: { N: '1' }, r: X },
    },
  ],
  ['Scan', { TableName: 'fuzzb', ExclusiveStartKey: { h: X, r: { B: 'AQ==' } } }],
  ['DeleteItem', { TableName: 'fuzzb', Key: { h: { N: '1' }, r: X } }],
  ['ExecuteStatement', { Statement: 'SELECT * FROM fuzzb WHERE h = ?', Parameters: [X] }],
  ['ExecuteStatement', { Statement: 'SELECT * FROM fuzz WHERE pk = ?', Parameters: [X] }],
  ['ExecuteStatement', { Statement: 'SELECT * FROM fuzz WHERE pk = ? AND sk = ?', Parameters: [{ S: 'p' }, X] }],
  ['ExecuteStatement', { Statement: "INSERT INTO fuzz VALUE {'pk': ?, 'sk': 9}", Parameters: [X] }],
  ['ExecuteStatement', { Statement: "INSERT INTO fuzz VALUE {'pk': 'p', 'sk': ?}", Parameters: [X] }],
  ['ExecuteStatement', { Statement: "UPDATE fuzz SET n = n + ? WHERE pk = 'p' AND sk = 1", Parameters: [X] }],
  ['ExecuteStatement', { Statement: "UPDATE fuzz SET g = ? WHERE pk = 'p' AND sk = 1", Parameters: [X] }],
  ['ExecuteStatement', { Statement: 'DELETE FROM fuzz WHERE pk = ? AND sk = 1', Parameters: [X] }],
  ['ExecuteStatement', { Statement: "SELECT * FROM fuzz WHERE pk = 'p'", ExclusiveStartKey: undefined, Parameters: [X] }],
  ['BatchExecuteStatement', { Statements: [{ Statement: 'SELECT * FROM fuzz WHERE pk = ? AND sk = 1', Parameters: [X] }] }],
  ['ExecuteTransaction', { TransactStatements: [{ Statement: "UPDATE fuzz SET n = ? WHERE pk = 'p' AND sk = 1", Parameters: [X] }] }],
];

const fill = (shape: unknown, v: unknown): unknown =>
  shape === X
    ? v
    : Array.isArray(shape)
      ? shape.map((s) => fill(s, v))
      : shape && typeof shape === 'object'
        ? Object.fromEntries(Object.entries(shape).map(([k, s]) => [k, fill(s, v)]))
        : shape;

test('no AttributeValue of the wrong type or shape makes a 5xx (every member that takes one)', async () => {
  const failures: string[] = [];
  for (const [op, shape] of SHAPES) {
    for (const v of BAD) {
      const body = fill(shape, v);
      const { status, json } = await call(op, body);
      if (status >= 500 || (typeof json.__type !== 'string' && status >= 400))
        failures.push(`${status} ${op} ${JSON.stringify(body)} → ${JSON.stringify(json)}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('an ExclusiveStartKey of the wrong type is a ValidationException naming the schema mismatch', async () => {
  for (const bad of [{ BOOL: true }, { NULL: true }, { M: {} }, { SS: ['a'] }]) {
    for (const op of ['Query', 'Scan']) {
      const body = {
        TableName: 'fuzz',
        ExclusiveStartKey: { pk: bad, sk: { N: '1' } },
        ...(op === 'Query' ? { KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } } } : {}),
      };
      const { status, json } = await call(op, body);
      assert.equal(status, 400);
      assert.match(String(json.__type), /ValidationException$/);
      assert.equal(json.message, 'The provided starting key is invalid: The provided key element does not match the schema');
    }
  }
});
