// EventBridge delivery through the SDK v3: API destinations doing real HTTP to a server this test
// starts (Basic, API key and OAuth connections, HttpParameters), retry policies on the virtual
// clock ending in the dead-letter queue with EventBridge's attributes, errors that are not retried,
// SQS FIFO targets with MessageGroupId, a CloudWatch Logs target.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  PutEventsCommand,
  CreateConnectionCommand,
  DescribeConnectionCommand,
  CreateApiDestinationCommand,
  DescribeApiDestinationCommand,
  ListConnectionsCommand,
  ListApiDestinationsCommand,
  UpdateApiDestinationCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeauthorizeConnectionCommand,
  UpdateConnectionCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, GetQueueAttributesCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { advanceClock, clientConfig, rejects, serverForFile } from '../helpers.js';

let eb: EventBridgeClient;
let sqs: SQSClient;
let logs: CloudWatchLogsClient;
const nimbus = serverForFile(() => {
  eb = new EventBridgeClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
  logs = new CloudWatchLogsClient(clientConfig(nimbus.url));
});

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
/** The local endpoint: answers each path with the statuses queued for it (then 200), and records what it got. */
const seen: Seen[] = [];
const answers = new Map<string, number[]>();
let endpoint: http.Server;
let base = '';
before(async () => {
  endpoint = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = new URL(req.url!, 'http://x').pathname;
      if (path === '/oauth/token') {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'tok-123', expires_in: 3600 }));
        return;
      }
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const queued = answers.get(path);
      const status = queued?.length ? queued.shift()! : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => endpoint.close(() => r())));

/** Waits for a condition the server's asynchronous work makes true (fails after 5 s). */
async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (let i = 0; i < 250; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const hits = (path: string) => seen.filter((s) => new URL(s.url, 'http://x').pathname === path);

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, ...(name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true' } } : {}) }),
  );
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function receiveAll(url: string) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], AttributeNames: ['All'] }),
  );
  return Messages;
}

async function destination(name: string, path: string, auth: 'basic' | 'key' | 'oauth' = 'key', method: 'POST' | 'PUT' | 'GET' = 'POST') {
  const params = {
    basic: { AuthorizationType: 'BASIC' as const, AuthParameters: { BasicAuthParameters: { Username: 'ada', Password: 's3cret' } } },
    key: {
      AuthorizationType: 'API_KEY' as const,
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k-42' },
        InvocationHttpParameters: {
          HeaderParameters: [
            { Key: 'x-team', Value: 'blue', IsValueSecret: false },
            { Key: 'x-hidden', Value: 'h', IsValueSecret: true },
          ],
        },
      },
    },
    oauth: {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS' as const,
      AuthParameters: {
        OAuthParameters: {
          ClientParameters: { ClientID: 'cid', ClientSecret: 'csecret' },
          AuthorizationEndpoint: `${base}/oauth/token`,
          HttpMethod: 'POST' as const,
        },
      },
    },
  }[auth];
  const { ConnectionArn } = await eb.send(new CreateConnectionCommand({ Name: `${name}-conn`, ...params }));
  const { ApiDestinationArn } = await eb.send(
    new CreateApiDestinationCommand({ Name: name, ConnectionArn, InvocationEndpoint: `${base}${path}`, HttpMethod: method }),
  );
  return { connection: ConnectionArn!, arn: ApiDestinationArn! };
}

test("API destination: real HTTP with the connection's API key and headers, the target's path, header and query parameters", async () => {
  const d = await destination('orders-api', '/orders/*/items');
  assert.match(d.arn, /^arn:aws:events:us-east-1:000000000000:api-destination\/orders-api\/[0-9a-f-]{36}$/);
  await eb.send(new PutRuleCommand({ Name: 'to-api', EventPattern: JSON.stringify({ source: ['shop.api'] }) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'to-api',
      Targets: [
        {
          Id: 'api',
          Arn: d.arn,
          HttpParameters: { PathParameterValues: ['o-7'], HeaderParameters: { 'x-order': 'o-7' }, QueryStringParameters: { mode: 'fast' } },
          InputTransformer: { InputPathsMap: { id: '$.detail.id' }, InputTemplate: '{"order": <id>}' },
        },
      ],
    }),
  );
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop.api', DetailType: 'Order', Detail: '{"id":"o-7"}' }] }));
  const [got] = await until('the endpoint to be called', () => (hits('/orders/o-7/items').length ? hits('/orders/o-7/items') : undefined));
  assert.equal(got.method, 'POST');
  assert.equal(new URL(got.url, 'http://x').searchParams.get('mode'), 'fast');
  assert.equal(got.headers['x-api-key'], 'k-42');
  assert.equal(got.headers['x-team'], 'blue');
  assert.equal(got.headers['x-hidden'], 'h');
  assert.equal(got.headers['x-order'], 'o-7');
  assert.match(String(got.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(got.body), { order: 'o-7' });

  // Describe never shows a secret
  const c = await eb.send(new DescribeConnectionCommand({ Name: 'orders-api-conn' }));
  assert.equal(c.ConnectionState, 'AUTHORIZED');
  assert.equal(c.AuthorizationType, 'API_KEY');
  assert.deepEqual(c.AuthParameters!.ApiKeyAuthParameters, { ApiKeyName: 'x-api-key' });
  assert.equal(c.AuthParameters!.InvocationHttpParameters!.HeaderParameters!.find((h) => h.Key === 'x-hidden')!.Value, undefined);
  assert.match(c.SecretArn!, /^arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection\/orders-api-conn\//);
  const api = await eb.send(new DescribeApiDestinationCommand({ Name: 'orders-api' }));
  assert.equal(api.ApiDestinationState, 'ACTIVE');
  assert.equal(api.HttpMethod, 'POST');
  assert.equal((await eb.send(new ListApiDestinationsCommand({ ConnectionArn: d.connection }))).ApiDestinations!.length, 1);
  assert.ok((await eb.send(new ListConnectionsCommand({ NamePrefix: 'orders' }))).Connections!.some((x) => x.Name === 'orders-api-conn'));
  const upd = await eb.send(new UpdateApiDestinationCommand({ Name: 'orders-api', InvocationRateLimitPerSecond: 5 }));
  assert.equal(upd.ApiDestinationArn, d.arn);
  assert.equal((await eb.send(new DescribeApiDestinationCommand({ Name: 'orders-api' }))).InvocationRateLimitPerSecond, 5);

  await rejects(
    eb.send(
      new CreateConnectionCommand({
        Name: 'bad',
        AuthorizationType: 'BASIC',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'a', ApiKeyValue: 'b' } },
      }),
    ),
    'ValidationException',
    400,
  );
  await rejects(
    eb.send(
      new CreateApiDestinationCommand({
        Name: 'x',
        ConnectionArn: 'arn:aws:events:us-east-1:000000000000:connection/none/1',
        InvocationEndpoint: `${base}/x`,
        HttpMethod: 'POST',
      }),
    ),
    'ResourceNotFoundException',
    400,
  );
  await rejects(eb.send(new DescribeConnectionCommand({ Name: 'none' })), 'ResourceNotFoundException', 400);
  // AWS calls https only; plain http is accepted for loopback hosts (the local servers of these tests)
  await rejects(
    eb.send(
      new CreateApiDestinationCommand({
        Name: 'plain',
        ConnectionArn: d.connection,
        InvocationEndpoint: 'http://example.com/hook',
        HttpMethod: 'POST',
      }),
    ),
    'ValidationException',
    400,
    (e) => assert.equal(e.message, 'Parameter InvocationEndpoint is not valid: it must be an https URL.'),
  );
  await rejects(
    eb.send(new UpdateApiDestinationCommand({ Name: 'orders-api', InvocationEndpoint: 'ftp://example.com/hook' })),
    'ValidationException',
    400,
  );
  await eb.send(new UpdateApiDestinationCommand({ Name: 'orders-api', InvocationEndpoint: 'https://example.com/hook' }));
});

test('Basic and OAuth client-credentials connections authorize the request; a deauthorized OAuth connection fetches a new token', async () => {
  const basic = await destination('basic-api', '/basic', 'basic', 'PUT');
  const oauth = await destination('oauth-api', '/oauth/call', 'oauth');
  await until(
    'the OAuth connection to be authorized',
    async () => (await eb.send(new DescribeConnectionCommand({ Name: 'oauth-api-conn' }))).ConnectionState === 'AUTHORIZED',
  );
  const tokenCall = hits('/oauth/token')[0];
  assert.equal(tokenCall.headers.authorization, `Basic ${Buffer.from('cid:csecret').toString('base64')}`);
  assert.match(tokenCall.body, /grant_type=client_credentials/);
  await eb.send(new PutRuleCommand({ Name: 'auths', EventPattern: JSON.stringify({ source: ['auths'] }) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'auths',
      Targets: [
        { Id: 'b', Arn: basic.arn },
        { Id: 'o', Arn: oauth.arn },
      ],
    }),
  );
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'auths', DetailType: 'x', Detail: '{}' }] }));
  const [b] = await until('the basic endpoint', () => (hits('/basic').length ? hits('/basic') : undefined));
  assert.equal(b.method, 'PUT');
  assert.equal(b.headers.authorization, `Basic ${Buffer.from('ada:s3cret').toString('base64')}`);
  const [o] = await until('the OAuth endpoint', () => (hits('/oauth/call').length ? hits('/oauth/call') : undefined));
  assert.equal(o.headers.authorization, 'Bearer tok-123');

  const de = await eb.send(new DeauthorizeConnectionCommand({ Name: 'oauth-api-conn' }));
  assert.equal(de.ConnectionState, 'DEAUTHORIZING');
  assert.equal((await eb.send(new DescribeConnectionCommand({ Name: 'oauth-api-conn' }))).ConnectionState, 'DEAUTHORIZED');
  const tokensBefore = hits('/oauth/token').length;
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'auths', DetailType: 'x', Detail: '{}' }] }));
  await until('a second OAuth call', () => hits('/oauth/call').length === 2);
  assert.equal(hits('/oauth/token').length, tokensBefore + 1);
  const up = await eb.send(
    new UpdateConnectionCommand({ Name: 'basic-api-conn', AuthParameters: { BasicAuthParameters: { Password: 'new' } } }),
  );
  assert.equal(up.ConnectionState, 'AUTHORIZED');
  await eb.send(new DeleteApiDestinationCommand({ Name: 'basic-api' }));
  await rejects(eb.send(new DescribeApiDestinationCommand({ Name: 'basic-api' })), 'ResourceNotFoundException', 400);
  assert.equal((await eb.send(new DeleteConnectionCommand({ Name: 'basic-api-conn' }))).ConnectionState, 'DELETING');
});

test("a 5xx answer is retried on the virtual clock until MaximumRetryAttempts, then dead-lettered with EventBridge's attributes", async () => {
  const dlq = await queue('eb-retry-dlq');
  const d = await destination('flaky', '/flaky');
  answers.set('/flaky', [500, 503, 502, 500]);
  await eb.send(new PutRuleCommand({ Name: 'flaky', EventPattern: JSON.stringify({ source: ['flaky'] }) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'flaky',
      Targets: [
        {
          Id: 'api',
          Arn: d.arn,
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: dlq.arn },
        },
      ],
    }),
  );
  const { Entries } = await eb.send(new PutEventsCommand({ Entries: [{ Source: 'flaky', DetailType: 'x', Detail: '{"n":1}' }] }));
  await until('the first attempt', () => hits('/flaky').length >= 1);
  // each advance lets the pending retry run; a retry's back-off is counted from its failure
  for (let i = 0; i < 3 && hits('/flaky').length < 3; i++) {
    const n = hits('/flaky').length;
    await advanceClock(nimbus.url, '10m');
    await until(`attempt ${n + 1}`, () => hits('/flaky').length > n);
  }
  const [m] = await until('the dead letter', async () => {
    const ms = await receiveAll(dlq.url);
    return ms.length ? ms : undefined;
  });
  assert.equal(hits('/flaky').length, 3, 'one attempt and two retries');
  const attrs = m.MessageAttributes!;
  assert.equal(attrs.RULE_ARN.StringValue, 'arn:aws:events:us-east-1:000000000000:rule/flaky');
  assert.equal(attrs.TARGET_ARN.StringValue, d.arn);
  assert.equal(attrs.ERROR_CODE.StringValue, 'SDK_CLIENT_ERROR');
  assert.match(attrs.ERROR_MESSAGE.StringValue!, /endpoint returned 502/);
  assert.equal(attrs.EXHAUSTED_RETRY_CONDITION.StringValue, 'MaximumRetryAttemptsExhausted');
  assert.equal(attrs.RETRY_ATTEMPTS.StringValue, '2');
  const event = JSON.parse(m.Body!);
  assert.equal(event.id, Entries![0].EventId);
  assert.deepEqual(event.detail, { n: 1 });
  // nothing more is tried
  await advanceClock(nimbus.url, '1h');
  assert.equal(hits('/flaky').length, 3);
});

test('a retry that succeeds delivers once; a 4xx answer goes to the dead-letter queue without retries; MaximumEventAgeInSeconds ends retries', async () => {
  const dlq = await queue('eb-age-dlq');
  const d = await destination('once', '/once');
  const bad = await destination('bad-request', '/bad');
  const old = await destination('aging', '/aging');
  answers.set('/once', [500]);
  answers.set('/bad', [400]);
  answers.set('/aging', Array(50).fill(503));
  await eb.send(new PutRuleCommand({ Name: 'mixed', EventPattern: JSON.stringify({ source: ['mixed'] }) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'mixed',
      Targets: [
        { Id: 'once', Arn: d.arn, DeadLetterConfig: { Arn: dlq.arn } },
        { Id: 'bad', Arn: bad.arn, DeadLetterConfig: { Arn: dlq.arn } },
        {
          Id: 'aging',
          Arn: old.arn,
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: dlq.arn },
        },
      ],
    }),
  );
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'mixed', DetailType: 'x', Detail: '{}' }] }));
  const [first] = await until('the 400 dead letter', async () => {
    const ms = await receiveAll(dlq.url);
    return ms.length ? ms : undefined;
  });
  assert.equal(first.MessageAttributes!.TARGET_ARN.StringValue, bad.arn);
  assert.equal(first.MessageAttributes!.RETRY_ATTEMPTS.StringValue, '0');
  assert.equal(first.MessageAttributes!.EXHAUSTED_RETRY_CONDITION, undefined);
  await until('the first attempts', () => hits('/once').length >= 1 && hits('/aging').length >= 1);
  for (let i = 0; i < 10; i++) {
    await advanceClock(nimbus.url, '20s');
    const dead = (await receiveAll(dlq.url)).find((m) => m.MessageAttributes!.TARGET_ARN.StringValue === old.arn);
    if (dead) {
      assert.equal(dead.MessageAttributes!.EXHAUSTED_RETRY_CONDITION.StringValue, 'MaximumEventAgeExhausted');
      break;
    }
    assert.ok(i < 9, 'the aging event was dead-lettered');
  }
  assert.equal(hits('/once').length, 2, 'failed once, then delivered');
  assert.equal(hits('/bad').length, 1);
});

test('a target whose queue is gone is dead-lettered at once (RESOURCE_NOT_FOUND); FIFO targets get their MessageGroupId; a Logs group target', async () => {
  const dlq = await queue('eb-gone-dlq');
  const gone = await queue('eb-gone');
  await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
  const fifo = await queue('eb-orders.fifo');
  await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/events/orders' }));
  await eb.send(new PutRuleCommand({ Name: 'targets', EventPattern: JSON.stringify({ source: ['targets'] }) }));
  await eb.send(
    new PutTargetsCommand({
      Rule: 'targets',
      Targets: [
        { Id: 'gone', Arn: gone.arn, DeadLetterConfig: { Arn: dlq.arn } },
        { Id: 'fifo', Arn: fifo.arn, SqsParameters: { MessageGroupId: 'orders' } },
        { Id: 'logs', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/orders' },
      ],
    }),
  );
  await rejects(
    eb.send(new PutTargetsCommand({ Rule: 'targets', Targets: [{ Id: 'nogroup', Arn: fifo.arn }] })),
    'ValidationException',
    400,
    (e) => assert.equal(e.message, 'Parameter(s) SqsParameters must be specified for target: nogroup.'),
  );
  await rejects(
    eb.send(
      new PutTargetsCommand({
        Rule: 'targets',
        Targets: [{ Id: 'baddlq', Arn: gone.arn, DeadLetterConfig: { Arn: 'arn:aws:sns:us-east-1:000000000000:t' } }],
      }),
    ),
    'ValidationException',
    400,
  );
  await rejects(
    eb.send(
      new PutTargetsCommand({ Rule: 'targets', Targets: [{ Id: 'retry', Arn: gone.arn, RetryPolicy: { MaximumRetryAttempts: 186 } }] }),
    ),
    'ValidationException',
    400,
  );
  await eb.send(new PutEventsCommand({ Entries: [{ Source: 'targets', DetailType: 'x', Detail: '{"k":1}' }] }));
  const [dead] = await receiveAll(dlq.url);
  assert.equal(dead.MessageAttributes!.ERROR_CODE.StringValue, 'RESOURCE_NOT_FOUND');
  assert.equal(dead.MessageAttributes!.RETRY_ATTEMPTS.StringValue, '0');
  const [f] = await receiveAll(fifo.url);
  assert.equal(f.Attributes!.MessageGroupId, 'orders');
  assert.deepEqual(JSON.parse(f.Body!).detail, { k: 1 });
  const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/events/orders' }));
  assert.equal(events.length, 1);
  assert.deepEqual(JSON.parse(events[0].message!).detail, { k: 1 });
});
