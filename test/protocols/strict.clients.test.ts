// Smithy's malformed-request protocol tests (smithy-aws-protocol-tests restJson1/malformedRequests:
// MalformedInteger, MalformedLong, MalformedByte, MalformedDouble, MalformedBoolean, MalformedBlob,
// MalformedTimestampBody*, MalformedList, MalformedMap, MalformedUnion, MalformedRequestBody), ported to
// members of real service models and sent as raw HTTP to a running server: the SDKs refuse to send these.
// Smithy states them for restJson1; the same values are run through awsJson 1.0 (DynamoDB, SQS),
// awsJson 1.1 (KMS, CloudWatch Logs, ACM) and rpc-v2-cbor (CloudWatch) where the wire format can carry
// them. Each rejected value must answer 400 SerializationException in the protocol's shape; each accepted
// value must get past parsing (any answer but SerializationException), so the table cannot pass by
// rejecting everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder, Encoder } from 'cbor-x';
import { serverForFile, runCli } from '../helpers.js';
import { formatAmzDate } from '../../src/gateway/sigv4.js';

const nimbus = serverForFile();

/** SigV4-shaped headers naming a scope; the key `test` is not issued, so Nimbus routes by the scope without verifying. */
function signed(service: string): Record<string, string> {
  const date = formatAmzDate(new Date());
  return {
    'X-Amz-Date': date,
    Authorization: `AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
  };
}

interface Answer {
  status: number;
  /** the error code as the protocol carries it, namespace stripped */
  code?: string;
  message?: string;
}

type Send = (value: string) => Promise<Answer>;

const cborDecoder = new Decoder({ mapsAsObjects: true, useRecords: false });
const cborEncoder = new Encoder({ useRecords: false, tagUint8Array: false });

async function answer(res: Response, kind: 'json' | 'rest-json' | 'cbor'): Promise<Answer> {
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status < 300) return { status: res.status };
  if (kind === 'cbor') {
    assert.equal(res.headers.get('smithy-protocol'), 'rpc-v2-cbor');
    const doc = cborDecoder.decode(body) as Record<string, string>;
    return { status: res.status, code: doc.__type?.split('#').pop(), message: doc.message };
  }
  const doc = JSON.parse(body.toString('utf8')) as Record<string, string>;
  if (kind === 'json') {
    assert.equal(res.headers.get('x-amzn-errortype'), doc.__type?.split('#').pop(), 'X-Amzn-ErrorType matches __type');
    return { status: res.status, code: doc.__type?.split('#').pop(), message: doc.message ?? doc.Message };
  }
  return { status: res.status, code: res.headers.get('x-amzn-errortype')?.split(':')[0], message: doc.message ?? doc.Message };
}

/** An awsJson call whose body is `template` with `$value` replaced by the raw JSON text of the case. */
function json(version: '1.0' | '1.1', signing: string, target: string, template: string): Send {
  return async (value) => {
    const res = await fetch(`${nimbus.url}/`, {
      method: 'POST',
      headers: { 'Content-Type': `application/x-amz-json-${version}`, 'X-Amz-Target': target, ...signed(signing) },
      body: template.replace('$value', value),
    });
    assert.equal(res.headers.get('content-type'), `application/x-amz-json-${version}`);
    return answer(res, 'json');
  };
}

/** A restJson1 call: `$value` in the path, the query string or the body template. */
function restJson(signing: string, method: string, path: string, template?: string): Send {
  return async (value) => {
    const res = await fetch(`${nimbus.url}${path.replace('$value', value)}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...signed(signing) },
      body: template?.replace('$value', value),
    });
    return answer(res, 'rest-json');
  };
}

/** An rpc-v2-cbor call; the value is a JavaScript expression's result, encoded as CBOR. */
function cbor(operation: string, doc: (value: unknown) => unknown): (value: unknown) => Promise<Answer> {
  return async (value) => {
    const res = await fetch(`${nimbus.url}/service/GraniteServiceVersion20100801/operation/${operation}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/cbor',
        Accept: 'application/cbor',
        'Smithy-Protocol': 'rpc-v2-cbor',
        ...signed('monitoring'),
      },
      body: new Uint8Array(cborEncoder.encode(doc(value))),
    });
    return answer(res, 'cbor');
  };
}

interface Family<V = string> {
  /** the Smithy test ids this family ports */
  smithy: string;
  where: string;
  send: (value: V) => Promise<Answer>;
  rejected: V[];
  accepted: V[];
}

const show = (v: unknown) =>
  typeof v === 'string' ? v : v instanceof Uint8Array ? `bytes(${v.length})` : (JSON.stringify(v) ?? String(v));

function run<V>(f: Family<V>) {
  test(`${f.smithy}: ${f.where}`, async (t) => {
    for (const v of f.rejected) {
      await t.test(`rejects ${show(v)}`, async () => {
        const a = await f.send(v);
        assert.equal(a.status, 400, `status for ${show(v)}: ${JSON.stringify(a)}`);
        assert.equal(a.code, 'SerializationException', `code for ${show(v)}: ${JSON.stringify(a)}`);
        assert.equal(typeof a.message, 'string');
      });
    }
    for (const v of f.accepted) {
      await t.test(`accepts ${show(v)}`, async () => {
        const a = await f.send(v);
        assert.notEqual(a.code, 'SerializationException', `${show(v)} was refused: ${JSON.stringify(a)}`);
        assert.ok(a.status < 500 || a.status === 501, `${show(v)}: ${JSON.stringify(a)}`);
      });
    }
  });
}

// Smithy's value lists (testParameters), shared by the families below
const INT_BODY_BAD = ['"123"', 'true', '1.001', '2ABC', '0x42', 'Infinity', '"Infinity"', '-Infinity', '"-Infinity"', 'NaN', '"NaN"'];
const INT_TEXT_BAD = ['true', '1.001', '2ABC', '0x42', 'Infinity', '-Infinity', 'NaN'];
const INT_OVERFLOW = ['-9223372000000000000', '9223372000000000000', '123000000000000000000000', '2147483648', '-2147483649'];
const LONG_OVERFLOW = ['-184467440737095500000', '184467440737095500000', '123000000000000000000000'];
const BOOL_WORDS = [
  'True',
  'TRUE',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  '1',
  'on',
  'On',
  'ON',
  'False',
  'FALSE',
  'n',
  'N',
  'no',
  'No',
  'NO',
  '0',
  'off',
  'Off',
  'OFF',
];
const BOOL_BODY_BAD = [...['true', 'false', ...BOOL_WORDS].map((w) => JSON.stringify(w)), ...BOOL_WORDS];
const BLOB_BAD = ['blob', '"xyz"', '"YmxvYg="', '[98, 108, 11, 98]', '["b", "l","o","b"]', '981081198', 'true', '[][]', '"-_=="'];
const EPOCH_TS_BAD = [
  '"1985-04-12T23:20:50.52Z"',
  '"1985-04-12T23:20:50Z"',
  '"1996-12-19T16:39:57-08:00"', // date-time
  '"1515531081.1234"',
  '"1515531081"', // stringified epoch seconds
  'true',
  '1515531081ABC',
  '0x42',
  '1515531081.123.456',
  'Infinity',
  '"Infinity"',
  '-Infinity',
  '"-Infinity"',
  'NaN',
  '"NaN"',
  '"Tue, 29 Apr 2014 18:30:38 GMT"', // http-date
];
const BAD_BODIES = [
  '{[',
  '{ "int": 10 }abc',
  'abc{ "int": 10 }',
  '{\n "int": 10 // the integer should be 10\n}',
  '{\n "int": 10 /* the integer should be 10 */\n}',
  '{"int" :\u000c10}',
  "{'int': 10}",
  '{"int": 10,}',
  '[{ "int": 10}]',
  '10',
  'null',
];

// ---------------------------------------------------------------- awsJson 1.0: DynamoDB, SQS

const ddb = (op: string, template: string) => json('1.0', 'dynamodb', `DynamoDB_20120810.${op}`, template);

run({
  smithy: 'MalformedInteger (body, underflow/overflow, malformed values)',
  where: 'DynamoDB Scan Limit (integer)',
  send: ddb('Scan', '{"TableName": "strict-missing", "Limit": $value}'),
  rejected: [...INT_BODY_BAD, ...INT_OVERFLOW],
  accepted: ['5', '2147483647', '1e2'],
});

run({
  smithy: 'MalformedLong (body)',
  where: 'DynamoDB CreateTable ProvisionedThroughput.ReadCapacityUnits (long)',
  send: ddb(
    'CreateTable',
    '{"TableName": "strict-long", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], ' +
      '"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "ProvisionedThroughput": {"ReadCapacityUnits": $value, "WriteCapacityUnits": 1}}',
  ),
  rejected: [...INT_BODY_BAD, ...LONG_OVERFLOW],
  accepted: ['9007199254740993'], // beyond 2^53 but a long: over DynamoDB's limit, not malformed
});

run({
  smithy: 'MalformedBoolean (body: string coercion, bad literals)',
  where: 'DynamoDB GetItem ConsistentRead (boolean)',
  send: ddb('GetItem', '{"TableName": "strict-missing", "Key": {"id": {"S": "a"}}, "ConsistentRead": $value}'),
  rejected: BOOL_BODY_BAD,
  accepted: ['true', 'false'],
});

run({
  smithy: 'MalformedBlob (body: invalid base64)',
  where: 'DynamoDB PutItem Item.b.B (blob)',
  send: ddb('PutItem', '{"TableName": "strict-missing", "Item": {"id": {"S": "a"}, "b": {"B": $value}}}'),
  rejected: BLOB_BAD,
  accepted: ['"YmxvYg=="', '"Ymxv"', '""'],
});

run({
  smithy: 'MalformedTimestampBodyDefault (epoch-seconds)',
  where: 'DynamoDB RestoreTableToPointInTime RestoreDateTime (timestamp)',
  send: ddb(
    'RestoreTableToPointInTime',
    '{"SourceTableName": "strict-missing", "TargetTableName": "strict-target", "RestoreDateTime": $value}',
  ),
  rejected: EPOCH_TS_BAD,
  accepted: ['1515531081', '1515531081.1234'],
});

run({
  smithy: 'MalformedList (dense list with a null item, unclosed list)',
  where: 'DynamoDB GetItem AttributesToGet (list of strings)',
  send: ddb('GetItem', '{"TableName": "strict-missing", "Key": {"id": {"S": "a"}}, "AttributesToGet": $value}'),
  rejected: ['["a", null, "b", "c"]', '["a", "b", "c" }'],
  accepted: ['["a", "b", "c"]'],
});

run({
  smithy: 'MalformedMap (null value, null key)',
  where: 'DynamoDB GetItem Key (map)',
  send: ddb('GetItem', '{"TableName": "strict-missing", "Key": $value}'),
  rejected: ['{"abc": null}', '{ null: "abc" }'],
  accepted: ['{"abc": {"S": "x"}}'],
});

run({
  smithy: 'MalformedRequestBody (invalid JSON, technically valid JSON)',
  where: 'DynamoDB ListTables',
  send: ddb('ListTables', '$value'),
  rejected: BAD_BODIES,
  accepted: ['{}', '{"Limit": 10}'],
});

run({
  smithy: 'MalformedInteger (body)',
  where: 'SQS (JSON) ReceiveMessage MaxNumberOfMessages (integer)',
  send: json(
    '1.0',
    'sqs',
    'AmazonSQS.ReceiveMessage',
    '{"QueueUrl": "http://localhost:4566/000000000000/strict-missing", "MaxNumberOfMessages": $value}',
  ),
  rejected: [...INT_BODY_BAD, '9223372000000000000'],
  accepted: ['5'],
});

// ---------------------------------------------------------------- awsJson 1.1: KMS, CloudWatch Logs, ACM

run({
  smithy: 'MalformedInteger (body)',
  where: 'KMS GenerateRandom NumberOfBytes (integer)',
  send: json('1.1', 'kms', 'TrentService.GenerateRandom', '{"NumberOfBytes": $value}'),
  rejected: [...INT_BODY_BAD, ...INT_OVERFLOW],
  accepted: ['32'],
});

run({
  smithy: 'MalformedBlob (body)',
  where: 'KMS Encrypt Plaintext (blob)',
  send: json('1.1', 'kms', 'TrentService.Encrypt', '{"KeyId": "alias/strict-missing", "Plaintext": $value}'),
  rejected: BLOB_BAD,
  accepted: ['"YmxvYg=="'],
});

run({
  smithy: 'MalformedLong (body)',
  where: 'CloudWatch Logs GetLogEvents startTime (long)',
  send: json('1.1', 'logs', 'Logs_20140328.GetLogEvents', '{"logGroupName": "strict", "logStreamName": "strict", "startTime": $value}'),
  rejected: [...INT_BODY_BAD, ...LONG_OVERFLOW],
  accepted: ['1515531081000'],
});

run({
  smithy: 'MalformedUnion (known and unknown fields, no fields, empty object, array, unknown member)',
  where: 'CloudWatch Logs PutIntegration resourceConfig (union)',
  send: json(
    '1.1',
    'logs',
    'Logs_20140328.PutIntegration',
    '{"integrationName": "strict", "integrationType": "OPENSEARCH", "resourceConfig": $value}',
  ),
  rejected: [
    '{"openSearchResourceConfig": {"dataSourceRoleArn": "arn:aws:iam::000000000000:role/r", "dashboardViewerPrincipals": ["p"], "retentionDays": 1}, "unknownField": "three"}',
    '{"openSearchResourceConfig": null}',
    '{  }',
    '["openSearchResourceConfig"]',
    '{"unknown": "hello"}',
  ],
  accepted: [
    '{"openSearchResourceConfig": {"dataSourceRoleArn": "arn:aws:iam::000000000000:role/r", "dashboardViewerPrincipals": ["p"], "retentionDays": 1}}',
  ],
});

run({
  smithy: 'MalformedUnion (multiple fields set)',
  where: 'ACM SearchCertificates FilterStatement (union)',
  send: json('1.1', 'acm', 'CertificateManager.SearchCertificates', '{"FilterStatement": $value}'),
  rejected: ['{"And": [], "Or": []}', '{"Not": {"Filter": {"CertificateArn": "a"}}, "Filter": {"CertificateArn": "a"}}'],
  accepted: ['{"Filter": {"CertificateArn": "a"}}'],
});

// ---------------------------------------------------------------- restJson1: Lambda, OpenSearch

const LAMBDA = '/2015-03-31/functions';

run({
  smithy: 'MalformedInteger (query: underflow/overflow, malformed values)',
  where: 'Lambda ListFunctions ?MaxItems (integer)',
  send: restJson('lambda', 'GET', `${LAMBDA}?MaxItems=$value`),
  rejected: [...INT_TEXT_BAD, ...INT_OVERFLOW],
  accepted: ['5', '2147483647'],
});

run({
  smithy: 'MalformedLong (path: underflow/overflow, malformed values)',
  where: 'Lambda AddLayerVersionPermission /layers/{LayerName}/versions/{VersionNumber} (long)',
  send: restJson(
    'lambda',
    'POST',
    '/2018-10-31/layers/strict/versions/$value/policy',
    '{"StatementId": "s", "Action": "lambda:GetLayerVersion", "Principal": "*"}',
  ),
  rejected: [...INT_TEXT_BAD, ...LONG_OVERFLOW],
  accepted: ['1'],
});

run({
  smithy: 'MalformedTimestampQueryDefault (date-time)',
  where: 'Lambda ListDurableExecutionsByFunction ?StartedAfter (timestamp)',
  send: restJson('lambda', 'GET', '/2025-12-01/functions/strict/durable-executions?StartedAfter=$value'),
  rejected: [
    'Tue%2C%2029%20Apr%202014%2018%3A30%3A38%20GMT',
    '1515531081',
    '1515531081.1234',
    '1996-12-19T16%3A39%3A57-08%3A00',
    '1996-12-19T16%3A39%3A57',
    '19961219T163957Z',
    '1996-12-19%2016%3A39%3A57Z',
  ],
  accepted: ['1985-04-12T23%3A20%3A50.52Z', '1985-04-12T23%3A20%3A50Z'],
});

const CREATE = (member: string) =>
  `{"FunctionName": "strict", "Role": "arn:aws:iam::000000000000:role/r", "Runtime": "nodejs20.x", "Handler": "i.h", "Code": {"ZipFile": "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}, ${member}}`;

run({
  smithy: 'MalformedInteger (body)',
  where: 'Lambda CreateEventSourceMapping BatchSize (integer)',
  send: restJson('lambda', 'POST', '/2015-03-31/event-source-mappings', '{"FunctionName": "strict", "BatchSize": $value}'),
  rejected: [...INT_BODY_BAD, ...INT_OVERFLOW],
  accepted: ['10'],
});

run({
  smithy: 'MalformedTimestampBodyDefault (epoch-seconds)',
  where: 'Lambda CreateEventSourceMapping StartingPositionTimestamp (timestamp)',
  send: restJson('lambda', 'POST', '/2015-03-31/event-source-mappings', '{"FunctionName": "strict", "StartingPositionTimestamp": $value}'),
  rejected: EPOCH_TS_BAD,
  accepted: ['1515531081'],
});

run({
  smithy: 'MalformedBoolean (body)',
  where: 'Lambda CreateFunction Publish (boolean)',
  send: restJson('lambda', 'POST', LAMBDA, CREATE('"Publish": $value')),
  rejected: BOOL_BODY_BAD,
  accepted: ['false'],
});

run({
  smithy: 'MalformedBlob (body)',
  where: 'Lambda CreateFunction Code.ZipFile (blob)',
  send: restJson(
    'lambda',
    'POST',
    LAMBDA,
    '{"FunctionName": "strict", "Role": "arn:aws:iam::000000000000:role/r", "Runtime": "nodejs20.x", "Handler": "i.h", "Code": {"ZipFile": $value}}',
  ),
  rejected: BLOB_BAD,
  accepted: [],
});

run({
  smithy: 'MalformedList, MalformedMap (nulls)',
  where: 'Lambda CreateFunction Layers (list), Environment.Variables (map)',
  send: restJson('lambda', 'POST', LAMBDA, CREATE('$value')),
  rejected: ['"Layers": ["a", null]', '"Environment": {"Variables": {"abc": null}}', '"Layers": ["a" }'],
  accepted: [],
});

run({
  smithy: 'MalformedRequestBody',
  where: 'Lambda CreateFunction',
  send: restJson('lambda', 'POST', LAMBDA, '$value'),
  rejected: BAD_BODIES,
  accepted: [],
});

run({
  smithy: 'MalformedUnion (multiple fields set, unknown member, empty object)',
  where: 'OpenSearch AddDirectQueryDataSource DataSourceType (union)',
  send: restJson(
    'es',
    'POST',
    '/2021-01-01/opensearch/directQueryDataSource',
    '{"DataSourceName": "strict", "OpenSearchArns": ["arn:aws:es:us-east-1:000000000000:domain/d"], "DataSourceType": $value}',
  ),
  rejected: [
    '{"CloudWatchLog": {"RoleArn": "arn:aws:iam::000000000000:role/r"}, "Prometheus": {"RoleArn": "arn:aws:iam::000000000000:role/r", "WorkspaceArn": "w"}}',
    '{"unknown": "hello"}',
    '{}',
  ],
  accepted: ['{"CloudWatchLog": {"RoleArn": "arn:aws:iam::000000000000:role/r"}}'],
});

// ---------------------------------------------------------------- rpc-v2-cbor: CloudWatch

const QUERIES = [{ Id: 'q', MetricStat: { Metric: { Namespace: 'N', MetricName: 'M' }, Period: 60, Stat: 'Sum' } }];
const now = new Date(Date.UTC(2026, 0, 1));

run<unknown>({
  smithy: 'MalformedInteger (as CBOR: strings, booleans, fractions, non-finite, overflow)',
  where: 'CloudWatch GetMetricData MaxDatapoints (integer)',
  send: cbor('GetMetricData', (v) => ({ MetricDataQueries: QUERIES, StartTime: now, EndTime: now, MaxDatapoints: v })),
  rejected: ['123', true, 1.001, Infinity, -Infinity, NaN, 'NaN', 9223372000000000000, 2147483648],
  accepted: [100],
});

run<unknown>({
  smithy: 'MalformedTimestamp (as CBOR: text where tag 1 belongs)',
  where: 'CloudWatch GetMetricData StartTime (timestamp)',
  send: cbor('GetMetricData', (v) => ({ MetricDataQueries: QUERIES, StartTime: v, EndTime: now })),
  rejected: ['1985-04-12T23:20:50.52Z', '1515531081', true, [1]],
  accepted: [now],
});

run<unknown>({
  smithy: 'MalformedList (as CBOR: null in a dense list), MalformedBlob (text where a byte string belongs)',
  where: 'CloudWatch PutMetricData MetricData[0].Values (list of doubles)',
  send: cbor('PutMetricData', (v) => ({ Namespace: 'strict', MetricData: [{ MetricName: 'm', Values: v }] })),
  rejected: [[1, null], ['1'], [true]],
  accepted: [[1, 2.5, NaN]],
});

test('DynamoDB: a wrongly typed AttributeValue gets the messages DynamoDB writes', async () => {
  const put = ddb('PutItem', '{"TableName": "strict-missing", "Item": {"id": $value}}');
  assert.deepEqual(await put('{"S": 123}'), {
    status: 400,
    code: 'SerializationException',
    message: 'NUMBER_VALUE cannot be converted to String',
  });
  assert.deepEqual(await put('{"S": {"S": "asdf"}}'), {
    status: 400,
    code: 'SerializationException',
    message: 'Start of structure or map found where not expected.',
  });
});

// ---------------------------------------------------------------- a real client that skips its own checks

test('boto3 with parameter validation off: DynamoDB answers SerializationException for Limit=1.5 and Limit="5", as AWS does', async () => {
  const script = `
import boto3, sys, json
from botocore.config import Config
c = boto3.client('dynamodb', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test',
                 config=Config(parameter_validation=False, retries={'max_attempts': 1}))
out = []
for limit in [1.5, '5']:
    try:
        c.scan(TableName='strict-missing', Limit=limit)
        out.append('accepted')
    except c.exceptions.ClientError as e:
        out.append([e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'], e.response['Error']['Message']])
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Array<[string, number, string]>;
  assert.deepEqual(
    out.map(([code, status]) => [code, status]),
    [
      ['SerializationException', 400],
      ['SerializationException', 400],
    ],
  );
  assert.equal(out[1][2], 'STRING_VALUE cannot be converted to Integer');
});
