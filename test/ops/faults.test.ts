// Fault injection through the admin API, seen by real SDK v3 clients: each effect answers the error
// AWS gives (spelled per service), the SDK retries it until maxAttempts and surfaces the AWS code;
// a fault on one operation, region or zone leaves the rest working; rate 0 never fires; expiry on the
// virtual clock ends a fault; the request log and the dashboard see it all.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, CreateTableCommand, GetItemCommand, DescribeTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { serverForFile, clientConfig, advanceClock, rejects } from '../helpers.js';

const nimbus = serverForFile();

/** retries without backoff delays: the test sees the attempts, not the waiting */
const retries = (maxAttempts: number, region = 'us-east-1') => ({
  retryStrategy: new ConfiguredRetryStrategy(maxAttempts, () => 0),
  region,
});
const s3 = (attempts = 3, region?: string) =>
  new S3Client(clientConfig(nimbus.url, { forcePathStyle: true, ...retries(attempts, region) }));
const sqs = (attempts = 3) => new SQSClient(clientConfig(nimbus.url, retries(attempts)));
const ddb = (attempts = 3) => new DynamoDBClient(clientConfig(nimbus.url, retries(attempts)));

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${nimbus.url}${path}`, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
async function inject(fault: Record<string, unknown>): Promise<any> {
  const r = await admin('POST', '/_nimbus/faults', fault);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
const attemptsOf = (e: Record<string, unknown>) => (e.$metadata as { attempts?: number }).attempts;

beforeEach(async () => {
  await admin('DELETE', '/_nimbus/faults');
});

test('an unavailable fault on GetObject: the SDK retries to maxAttempts and fails with ServiceUnavailable 503; other operations work', async () => {
  const c = s3(3);
  await c.send(new CreateBucketCommand({ Bucket: 'fault-bucket' }));
  await c.send(new PutObjectCommand({ Bucket: 'fault-bucket', Key: 'a.txt', Body: 'hello' }));
  const fault = await inject({ service: 's3', operations: ['GetObject'], effect: 'unavailable', description: 'get outage' });
  assert.match(fault.id, /^fault-[0-9a-f]{8}$/);
  assert.deepEqual(fault.error, { code: 'ServiceUnavailable', status: 503 });
  await admin('DELETE', '/_nimbus/requests');

  await rejects(c.send(new GetObjectCommand({ Bucket: 'fault-bucket', Key: 'a.txt' })), 'ServiceUnavailable', 503, (e) =>
    assert.equal(attemptsOf(e), 3),
  );
  await c.send(new PutObjectCommand({ Bucket: 'fault-bucket', Key: 'b.txt', Body: 'still writable' }));
  const listed = await c.send(new ListObjectsV2Command({ Bucket: 'fault-bucket' }));
  assert.deepEqual(
    listed.Contents?.map((o) => o.Key),
    ['a.txt', 'b.txt'],
  );

  const log = await admin('GET', '/_nimbus/requests?service=s3&status=5xx');
  assert.equal(log.body.requests.length, 3);
  for (const r of log.body.requests) {
    assert.equal(r.operation, 'GetObject');
    assert.equal(r.status, 503);
    assert.equal(r.errorCode, 'ServiceUnavailable');
    assert.equal(r.faultId, fault.id);
  }
  const listedFault = (await admin('GET', '/_nimbus/faults')).body.faults[0];
  assert.equal(listedFault.hits, 3);
  assert.deepEqual((await admin('GET', `/_nimbus/faults/${fault.id}`)).body, listedFault);

  // removed: GetObject answers again
  assert.equal((await admin('DELETE', `/_nimbus/faults/${fault.id}`)).status, 200);
  const got = await c.send(new GetObjectCommand({ Bucket: 'fault-bucket', Key: 'a.txt' }));
  assert.equal(await got.Body!.transformToString(), 'hello');
  assert.equal((await admin('DELETE', `/_nimbus/faults/${fault.id}`)).status, 404);
  assert.equal((await admin('GET', `/_nimbus/faults/${fault.id}`)).body.active, false);
  assert.equal((await admin('GET', '/_nimbus/faults/fault-none')).status, 404);
});

test('throttle answers each service its own throttling error, and the SDK retries it', async () => {
  await inject({ service: 's3', effect: 'throttle' });
  await rejects(s3(2).send(new ListObjectsV2Command({ Bucket: 'fault-bucket' })), 'SlowDown', 503, (e) => assert.equal(attemptsOf(e), 2));

  await inject({ service: 'sqs', effect: 'throttle' });
  await rejects(sqs(2).send(new ListQueuesCommand({})), 'RequestThrottled', 400, (e) => assert.equal(attemptsOf(e), 2));

  await inject({ service: 'dynamodb', effect: 'throttle' });
  await rejects(
    ddb(2).send(new GetItemCommand({ TableName: 't', Key: { id: { S: '1' } } })),
    'ProvisionedThroughputExceededException',
    400,
    (e) => assert.equal(attemptsOf(e), 2),
  );
  await rejects(ddb(2).send(new DescribeTableCommand({ TableName: 't' })), 'ThrottlingException', 400, (e) =>
    assert.equal(attemptsOf(e), 2),
  );

  await inject({ service: 'kms', effect: 'throttle' });
  const kms = new KMSClient(clientConfig(nimbus.url, retries(2)));
  await rejects(kms.send(new ListKeysCommand({})), 'ThrottlingException', 400, (e) => assert.equal(attemptsOf(e), 2));
});

test('throttle over the query protocol is written as query XML (SQS RequestThrottled)', async () => {
  await inject({ service: 'sqs', operations: ['GetQueueAttributes'], effect: 'throttle' });
  // an unsigned query request on a queue URL is SQS's
  const res = await fetch(`${nimbus.url}/000000000000/any-queue`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=GetQueueAttributes&AttributeName.1=All&Version=2012-11-05',
  });
  assert.equal(res.status, 400);
  const xml = await res.text();
  assert.match(xml, /<ErrorResponse/);
  assert.match(xml, /<Code>RequestThrottled<\/Code>/);
});

test('error answers the internal error as the service spells it', async () => {
  await inject({ service: 's3', operations: ['ListBuckets'], effect: 'error' });
  await rejects(s3(2).send(new (await import('@aws-sdk/client-s3')).ListBucketsCommand({})), 'InternalError', 500, (e) =>
    assert.equal(attemptsOf(e), 2),
  );
  await inject({ service: 'dynamodb', operations: ['ListTables'], effect: 'error' });
  await rejects(ddb(2).send(new ListTablesCommand({})), 'InternalServerError', 500, (e) => assert.equal(attemptsOf(e), 2));
  await inject({ service: 'sqs', operations: ['ListQueues'], effect: 'error' });
  await rejects(sqs(2).send(new ListQueuesCommand({})), 'InternalFailure', 500, (e) => assert.equal(attemptsOf(e), 2));
});

test('a rate 0 fault never fires', async () => {
  const f = await inject({ service: 'sqs', effect: 'unavailable', rate: 0 });
  const c = sqs(1);
  const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: 'rate-zero' }));
  for (let i = 0; i < 20; i++) await c.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
  const listed = (await admin('GET', '/_nimbus/faults')).body.faults.find((x: any) => x.id === f.id);
  assert.equal(listed.hits, 0);
  const dash = (await admin('GET', '/_nimbus/health/dashboard?region=us-east-1')).body;
  assert.equal(dash.regions[0].services.find((s: any) => s.service === 'sqs').status, 'operational');
});

test('a fault with a duration ends when the virtual clock passes its end', async () => {
  const f = await inject({ service: 'dynamodb', operations: ['ListTables'], effect: 'unavailable', duration: '1h' });
  assert.equal(Date.parse(f.endTime) - Date.parse(f.startTime), 3_600_000);
  await rejects(ddb(1).send(new ListTablesCommand({})), 'ServiceUnavailable', 503);
  await advanceClock(nimbus.url, '2h');
  await ddb(1).send(new ListTablesCommand({}));
  assert.deepEqual((await admin('GET', '/_nimbus/faults')).body.faults, []);
  const ended = (await admin('GET', '/_nimbus/faults?all=true')).body.faults.find((x: any) => x.id === f.id);
  assert.equal(ended.active, false);
  assert.equal(ended.endTime, f.endTime);
  const history = (await admin('GET', '/_nimbus/health/dashboard')).body.history.filter((h: any) => h.faultId === f.id);
  assert.deepEqual(
    history.map((h: any) => [h.event, h.region, h.service, h.previous, h.status, h.time]),
    [
      ['end', '*', 'dynamodb', 'degraded', 'operational', f.endTime],
      ['start', '*', 'dynamodb', 'operational', 'degraded', f.startTime],
    ],
  );
});

test('a regional fault leaves other regions working', async () => {
  await inject({ service: 's3', region: 'eu-west-1', effect: 'unavailable' });
  await s3(1, 'us-east-1').send(new ListObjectsV2Command({ Bucket: 'fault-bucket' }));
  await rejects(s3(1, 'eu-west-1').send(new (await import('@aws-sdk/client-s3')).ListBucketsCommand({})), 'ServiceUnavailable', 503);
  const dash = (await admin('GET', '/_nimbus/health/dashboard')).body;
  const status = (region: string) =>
    dash.regions.find((r: any) => r.region === region).services.find((s: any) => s.service === 's3').status;
  assert.equal(status('eu-west-1'), 'disrupted');
  assert.equal(status('us-east-1'), 'operational');
  assert.equal(dash.regions.find((r: any) => r.region === 'eu-west-1').status, 'disrupted');
  assert.equal(dash.status, 'disrupted');
});

test('a zone fault hits calls naming the zone, degrades the region, marks the zone', async () => {
  const f = await inject({ service: 'dynamodb', availabilityZone: 'use1-az1', effect: 'unavailable' });
  assert.equal(f.region, 'us-east-1');
  assert.equal(f.availabilityZone, 'us-east-1a');
  const c = ddb(1);
  await c.send(
    new CreateTableCommand({
      TableName: 'zones',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await c.send(new GetItemCommand({ TableName: 'zones', Key: { id: { S: 'us-east-1b' } } }));
  await rejects(c.send(new GetItemCommand({ TableName: 'zones', Key: { id: { S: 'us-east-1a' } } })), 'ServiceUnavailable', 503);
  const region = (await admin('GET', '/_nimbus/health/dashboard?region=us-east-1')).body.regions[0];
  assert.equal(region.services.find((s: any) => s.service === 'dynamodb').status, 'degraded');
  const zone = region.availabilityZones.find((z: any) => z.zoneName === 'us-east-1a');
  assert.deepEqual([zone.zoneId, zone.status, zone.faults], ['use1-az1', 'disrupted', [f.id]]);
  assert.equal(region.availabilityZones.find((z: any) => z.zoneName === 'us-east-1b').status, 'operational');
  assert.equal(region.status, 'disrupted');
});

test('latency delays the call and lets it succeed', async () => {
  await admin('DELETE', '/_nimbus/requests');
  await inject({ service: 'sqs', operations: ['ListQueues'], effect: 'latency', latencyMs: 50 });
  await sqs(1).send(new ListQueuesCommand({}));
  const [r] = (await admin('GET', '/_nimbus/requests?operation=ListQueues')).body.requests;
  assert.equal(r.status, 200);
  assert.ok(r.latencyMs >= 50, `latency ${r.latencyMs}`);
});

test('timeout holds the call and closes the connection unanswered; the SDK retries and fails', async () => {
  await admin('DELETE', '/_nimbus/requests');
  await inject({ service: 'sqs', operations: ['ListQueues'], effect: 'timeout', latencyMs: 10 });
  await assert.rejects(sqs(2).send(new ListQueuesCommand({})), (e: any) => {
    assert.equal(e.$metadata?.httpStatusCode, undefined);
    assert.equal(e.$metadata?.attempts, 2);
    return true;
  });
  const logged = (await admin('GET', '/_nimbus/requests?operation=ListQueues&status=error')).body.requests;
  assert.equal(logged.length, 2);
  assert.deepEqual([logged[0].status, logged[0].errorCode], [0, 'RequestTimeout']);
});

test('the admin API refuses bad faults with a message', async () => {
  const cases: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [{ effect: 'unavailable' }, /"service" is required/],
    [{ service: 'nope', effect: 'unavailable' }, /service nope is not served/],
    [{ service: 's3', effect: 'explode' }, /"effect" must be one of/],
    [{ service: 's3', effect: 'error', operations: ['GetThing'] }, /s3 has no operation GetThing/],
    [{ service: 's3', effect: 'error', rate: 2 }, /"rate" must be a number from 0 to 1/],
    [{ service: 's3', effect: 'error', region: 'mars-1' }, /unknown region mars-1/],
    [{ service: 's3', effect: 'error', region: 'eu-west-1', availabilityZone: 'us-east-1a' }, /not in region eu-west-1/],
    [{ service: 's3', effect: 'error', duration: 'soon' }, /"duration" must be a duration/],
    [{ service: 's3', effect: 'error', latencyMs: 5 }, /applies only to the latency and timeout/],
    [{ service: 's3', effect: 'latency', latencyMs: -1 }, /"latencyMs" must be/],
    [{ service: 's3', effect: 'error', colour: 'red' }, /unknown field\(s\) colour/],
    [
      [
        { service: 's3', effect: 'error' },
        { service: 's3', effect: 'bad' },
      ],
      /"effect" must be one of/,
    ],
  ];
  for (const [body, message] of cases) {
    const r = await admin('POST', '/_nimbus/faults', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.body.error, message);
  }
  // the refused list added none of its faults
  assert.deepEqual((await admin('GET', '/_nimbus/faults')).body.faults, []);
  const many = await admin('POST', '/_nimbus/faults', [
    { service: 's3', effect: 'latency', latencyMs: 0 },
    { service: '*', effect: 'throttle', rate: 0 },
  ]);
  assert.equal(many.status, 201);
  assert.equal(many.body.faults.length, 2);
  assert.equal((await admin('DELETE', '/_nimbus/faults')).body.removed, 2);
});

test('the request log filters by service, status and operation and is bounded', async () => {
  await admin('DELETE', '/_nimbus/requests');
  const c = sqs(1);
  await c.send(new ListQueuesCommand({}));
  await rejects(c.send(new SendMessageCommand({ QueueUrl: `${nimbus.url}/000000000000/missing`, MessageBody: 'x' })), 'QueueDoesNotExist');
  const all = (await admin('GET', '/_nimbus/requests?service=sqs')).body;
  assert.equal(all.capacity, 1000);
  assert.deepEqual(
    all.requests.map((r: any) => r.operation),
    ['SendMessage', 'ListQueues'],
  );
  const [failed] = (await admin('GET', '/_nimbus/requests?status=4xx')).body.requests;
  assert.equal(failed.errorCode, 'QueueDoesNotExist');
  assert.equal(failed.principal, 'arn:aws:iam::000000000000:root');
  assert.equal(failed.account, '000000000000');
  assert.equal(failed.region, 'us-east-1');
  assert.match(failed.requestId, /\S/);
  assert.equal((await admin('GET', '/_nimbus/requests?status=2xx&limit=1')).body.requests.length, 1);
  assert.equal((await admin('GET', `/_nimbus/requests?after=${all.requests[1].seq}`)).body.requests.length, 1);
  assert.equal((await admin('GET', '/_nimbus/requests?status=teapot')).status, 400);
  assert.equal((await admin('GET', '/_nimbus/requests?limit=-1')).status, 400);
});

test('regions list zones by name and id', async () => {
  const all = (await admin('GET', '/_nimbus/regions')).body.regions;
  assert.ok(all.length >= 20);
  const [one] = (await admin('GET', '/_nimbus/regions?region=us-east-1')).body.regions;
  assert.equal(one.name, 'US East (N. Virginia)');
  assert.deepEqual(one.availabilityZones[0], { zoneName: 'us-east-1a', zoneId: 'use1-az1', region: 'us-east-1' });
  assert.equal((await admin('GET', '/_nimbus/regions?region=mars-1')).status, 404);
  assert.equal((await admin('GET', '/_nimbus/health/dashboard?region=mars-1')).status, 404);
});

test('a reset removes the faults and their history', async () => {
  await inject({ service: 's3', effect: 'unavailable' });
  assert.equal((await admin('POST', '/_nimbus/reset')).status, 200);
  assert.deepEqual((await admin('GET', '/_nimbus/faults?all=true')).body.faults, []);
  const dash = (await admin('GET', '/_nimbus/health/dashboard')).body;
  assert.deepEqual([dash.status, dash.history], ['operational', []]);
  await s3(1).send(new (await import('@aws-sdk/client-s3')).ListBucketsCommand({}));
});
