// LocalStack drop-in and embedding, in process: /_localstack/ endpoints, the startNimbus API
// (endpoint, credentials, region, clock, reset), LOCALSTACK_HOST URLs and LocalStack hostnames.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest, type AgentOptions } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import {
  S3Client,
  CreateBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  GetObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  CompleteMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { startNimbus, type RunningNimbus } from '../../src/index.js';

/**
 * `*.localhost.localstack.cloud` resolves to 127.0.0.1 through public DNS; tests have none, so this
 * agent's lookup answers 127.0.0.1 for every name: the SDK still sends the LocalStack Host header.
 */
const loopback: LookupFunction = (_host, options, callback) => {
  const cb = callback as (err: null, address: string | { address: string; family: number }[], family?: number) => void;
  if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
};
const loopbackAgent = new Agent({ lookup: loopback } as AgentOptions);
const running: RunningNimbus[] = [];
after(async () => {
  for (const n of running) await n.stop();
  loopbackAgent.destroy();
});

/** GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
}

async function start(options: Parameters<typeof startNimbus>[0] = {}) {
  const n = await startNimbus({ ephemeral: true, port: 0, logLevel: 'silent', ...options });
  running.push(n);
  return n;
}

test('startNimbus({ ephemeral, port: 0 }) gives endpoint, credentials, region and a working server', async () => {
  const n = await start();
  assert.match(n.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(n.credentials, { accessKeyId: 'test', secretAccessKey: 'test' });
  assert.equal(n.region, 'us-east-1');
  const s3 = new S3Client({ endpoint: n.endpoint, region: n.region, credentials: n.credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'embedded' }));
  assert.deepEqual(
    (await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name),
    ['embedded'],
  );

  // reset: all state gone, the same server keeps serving
  await n.reset();
  assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
  await s3.send(new CreateBucketCommand({ Bucket: 'after-reset' }));
  s3.destroy();
});

test('the clock of the API moves Nimbus time (and reset puts it back)', async () => {
  const n = await start();
  const before = n.clock.now().getTime();
  const moved = n.clock.advance(8 * 24 * 3600 * 1000);
  assert.ok(moved.getTime() - before >= 8 * 24 * 3600 * 1000);
  const seen = (await (await fetch(`${n.endpoint}/_nimbus/clock`)).json()) as { epochMs: number; offsetSeconds: number };
  assert.equal(seen.offsetSeconds, 8 * 24 * 3600);
  await n.reset();
  assert.equal(((await (await fetch(`${n.endpoint}/_nimbus/clock`)).json()) as { offsetSeconds: number }).offsetSeconds, 0);
});

test("GET and HEAD /_localstack/health answer LocalStack's shape; /_localstack/info and /init too", async () => {
  const n = await start({ services: ['s3', 'sqs'] });
  const res = await fetch(`${n.endpoint}/_localstack/health`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as { services: Record<string, string>; edition: string; version: string };
  assert.deepEqual(body.services, { s3: 'running', sqs: 'running' }, 'only the services SERVICES asked for');
  assert.equal(body.edition, 'community');
  assert.match(body.version, /^\d+\.\d+\.\d+/);
  const head = await fetch(`${n.endpoint}/_localstack/health`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  const slash = await fetch(`${n.endpoint}/_localstack/health/`);
  assert.equal(slash.status, 200);

  const info = (await (await fetch(`${n.endpoint}/_localstack/info`)).json()) as Record<string, unknown>;
  assert.equal(info.version, body.version);
  assert.equal(typeof info.session_id, 'string');
  const init = (await (await fetch(`${n.endpoint}/_localstack/init`)).json()) as { completed: Record<string, boolean>; scripts: unknown[] };
  assert.deepEqual(init, { completed: { BOOT: false, START: false, READY: false, SHUTDOWN: false }, scripts: [] });
  const ready = (await (await fetch(`${n.endpoint}/_localstack/init/ready`)).json()) as { completed: boolean };
  assert.equal(ready.completed, false);
  assert.equal((await fetch(`${n.endpoint}/_localstack/nothing`)).status, 404);

  // a service left out by SERVICES answers as one Nimbus does not serve
  const ddb = await fetch(n.endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
    body: '{}',
  });
  assert.equal(ddb.status, 501);
});

test('an unknown name in SERVICES is refused with the names Nimbus serves', async () => {
  await assert.rejects(start({ services: ['s3', 'sqs', 'blobstore'] }), /unknown service in SERVICES: blobstore \(Nimbus serves: .*s3.*\)/);
  const n = await start({ services: ['s3', 'rds'] });
  assert.deepEqual(n.unserved, ['rds'], 'an AWS service Nimbus lacks is reported, not refused');
});

test('S3 through <bucket>.s3.localhost.localstack.cloud (forcePathStyle: false), Location with LOCALSTACK_HOST', async () => {
  const n = await start({ localstackHost: 'localhost.localstack.cloud' });
  const s3 = new S3Client({
    endpoint: `http://s3.localhost.localstack.cloud:${n.port}`,
    region: 'eu-west-1',
    credentials: n.credentials,
    forcePathStyle: false,
    requestHandler: { httpAgent: loopbackAgent },
  });
  let hostSeen = '';
  s3.middlewareStack.add(
    (next) => async (args) => {
      hostSeen = (args.request as { hostname: string }).hostname;
      return next(args);
    },
    { step: 'finalizeRequest' },
  );
  const created = await s3.send(
    new CreateBucketCommand({ Bucket: 'vhosted', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
  );
  assert.equal(hostSeen, 'vhosted.s3.localhost.localstack.cloud', 'the SDK addressed the bucket by hostname');
  assert.equal(created.Location, `http://vhosted.s3.localhost.localstack.cloud:${n.port}/`);
  await s3.send(new PutObjectCommand({ Bucket: 'vhosted', Key: 'dir/a.txt', Body: 'through the hostname' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: 'vhosted', Key: 'dir/a.txt' }));
  assert.equal(await got.Body!.transformToString(), 'through the hostname');

  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'vhosted', Key: 'big key' }));
  const part = await s3.send(new UploadPartCommand({ Bucket: 'vhosted', Key: 'big key', UploadId, PartNumber: 1, Body: 'x' }));
  const done = await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: 'vhosted',
      Key: 'big key',
      UploadId,
      MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }),
  );
  assert.equal(done.Location, `http://vhosted.s3.localhost.localstack.cloud:${n.port}/big%20key`);
  s3.destroy();
});

test('queue URLs with LOCALSTACK_HOST: sqs.<region>.localhost.localstack.cloud, usable as the endpoint', async () => {
  const n = await start({ localstackHost: 'localhost.localstack.cloud', sqsEndpointStrategy: 'standard', defaultRegion: 'eu-west-1' });
  const sqs = new SQSClient({ endpoint: n.endpoint, region: 'eu-west-1', credentials: n.credentials });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'ls-jobs' }));
  assert.equal(QueueUrl, `http://sqs.eu-west-1.localhost.localstack.cloud:${n.port}/000000000000/ls-jobs`);
  assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: 'ls-jobs' }))).QueueUrl, QueueUrl);

  // a client pointed at the queue URL's host reaches the same queue
  const viaHost = new SQSClient({
    endpoint: new URL(QueueUrl!).origin,
    region: 'eu-west-1',
    credentials: n.credentials,
    requestHandler: { httpAgent: loopbackAgent },
  });
  await viaHost.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  assert.equal(got.Messages?.[0]?.Body, 'hello');

  // an unsigned query request to the LocalStack SQS host is identified as SQS by its name
  const unsigned = await getWithHost(
    `${n.endpoint}/?Action=GetQueueAttributes&AttributeName.1=QueueArn&QueueUrl=${encodeURIComponent(QueueUrl!)}`,
    `sqs.eu-west-1.localhost.localstack.cloud:${n.port}`,
  );
  assert.match(unsigned, /<Value>arn:aws:sqs:eu-west-1:000000000000:ls-jobs<\/Value>/);
  sqs.destroy();
  viaHost.destroy();
});

test('domain and path queue URL strategies', async () => {
  const d = await start({ localstackHost: 'localhost.localstack.cloud', sqsEndpointStrategy: 'domain' });
  const sqsD = new SQSClient({ endpoint: d.endpoint, region: 'eu-west-1', credentials: d.credentials });
  assert.equal(
    (await sqsD.send(new CreateQueueCommand({ QueueName: 'q' }))).QueueUrl,
    `http://eu-west-1.queue.localhost.localstack.cloud:${d.port}/000000000000/q`,
  );
  const p = await start({ localstackHost: 'localhost.localstack.cloud', sqsEndpointStrategy: 'path' });
  const sqsP = new SQSClient({ endpoint: p.endpoint, region: 'eu-west-1', credentials: p.credentials });
  const { QueueUrl } = await sqsP.send(new CreateQueueCommand({ QueueName: 'q' }));
  assert.equal(QueueUrl, `http://localhost.localstack.cloud:${p.port}/queue/eu-west-1/000000000000/q`);
  await sqsP.send(new SendMessageCommand({ QueueUrl, MessageBody: 'by path' }));
  assert.equal((await sqsP.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body, 'by path');
  sqsD.destroy();
  sqsP.destroy();
});

test('start-up makes no DNS look-ups (LOCALSTACK_HOST is only put in URLs, never resolved)', async () => {
  const dns = (await import('node:dns')).default;
  const original = { lookup: dns.lookup, resolve: dns.resolve, promisesLookup: dns.promises.lookup };
  const asked: string[] = [];
  dns.lookup = ((host: string, ...rest: unknown[]) => {
    asked.push(host);
    return (original.lookup as (...a: unknown[]) => unknown)(host, ...rest);
  }) as typeof dns.lookup;
  dns.resolve = ((host: string, ...rest: unknown[]) => {
    asked.push(host);
    return (original.resolve as (...a: unknown[]) => unknown)(host, ...rest);
  }) as typeof dns.resolve;
  dns.promises.lookup = ((host: string, ...rest: unknown[]) => {
    asked.push(host);
    return (original.promisesLookup as (...a: unknown[]) => unknown)(host, ...rest);
  }) as typeof dns.promises.lookup;
  try {
    const n = await start({ localstackHost: 'localhost.localstack.cloud', services: ['s3', 'sqs'] });
    assert.equal((await fetch(`${n.endpoint}/_localstack/health`)).status, 200);
  } finally {
    Object.assign(dns, { lookup: original.lookup, resolve: original.resolve });
    dns.promises.lookup = original.promisesLookup;
  }
  // an IP literal is answered without the network (the test's own fetch asks for 127.0.0.1)
  assert.deepEqual(
    asked.filter((h) => isIP(h) === 0),
    [],
  );
});
