// Delivery: SNS → SQS fan-out with filter policies, FIFO, dead-letter queues; HTTP subscriptions to a
// local server (confirmation, notifications, retries); Lambda through the integration interface;
// the AWS CLIs and boto3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerify } from 'node:crypto';
import {
  SNSClient,
  CreateTopicCommand,
  SubscribeCommand,
  PublishCommand,
  PublishBatchCommand,
  GetSubscriptionAttributesCommand,
  SetSubscriptionAttributesCommand,
  UnsubscribeCommand,
  ListSubscriptionsByTopicCommand,
  ConfirmSubscriptionCommand,
} from '@aws-sdk/client-sns';
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand, GetQueueAttributesCommand, DeleteQueueCommand } from '@aws-sdk/client-sqs';
import { serverForFile, startServer, clientConfig, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

let sns: SNSClient;
let sqs: SQSClient;
const nimbus = serverForFile(async () => {
  sns = new SNSClient(clientConfig(nimbus.url));
  sqs = new SQSClient(clientConfig(nimbus.url));
});

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function receiveAll(url: string, max = 10) {
  const out = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
  );
  return out.Messages ?? [];
}

const advance = (by: string) => fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: by }) });
const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('SNS → SQS: the JSON envelope exactly as AWS lays it out, signed with the key at SigningCertURL', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'envelope' }));
  const q = await queue('envelope-q');
  const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn }));
  const pub = await sns.send(
    new PublishCommand({
      TopicArn,
      Message: 'Hello "world"',
      Subject: 'Greeting',
      MessageAttributes: {
        color: { DataType: 'String', StringValue: 'blue' },
        n: { DataType: 'Number', StringValue: '3' },
        b: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
      },
    }),
  );
  const [m] = await receiveAll(q.url);
  const body = m.Body!;
  const e = JSON.parse(body);
  assert.deepEqual(Object.keys(e), [
    'Type',
    'MessageId',
    'TopicArn',
    'Subject',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
    'UnsubscribeURL',
    'MessageAttributes',
  ]);
  assert.ok(body.startsWith(`{\n  "Type" : "Notification",\n  "MessageId" : "${pub.MessageId}",\n  "TopicArn" : "${TopicArn}",\n`), body);
  assert.match(body, /\n {2}"MessageAttributes" : \{\n {4}"color" : \{"Type":"String","Value":"blue"\},\n/);
  assert.equal(e.Message, 'Hello "world"');
  assert.equal(e.Subject, 'Greeting');
  assert.match(e.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(e.SignatureVersion, '1');
  assert.deepEqual(e.MessageAttributes, {
    color: { Type: 'String', Value: 'blue' },
    n: { Type: 'Number', Value: '3' },
    b: { Type: 'Binary', Value: Buffer.from('hi').toString('base64') },
  });
  // as AWS writes it (https://sns.<region>.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:…), on the host Nimbus was reached at
  assert.equal(e.UnsubscribeURL, `${nimbus.url}/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`);
  assert.equal(m.MessageAttributes, undefined, 'enveloped messages carry no SQS attributes');

  const pem = await (await fetch(e.SigningCertURL)).text();
  const canonical = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].map((k) => `${k}\n${e[k]}\n`).join('');
  assert.ok(createVerify('RSA-SHA1').update(canonical).verify(pem, e.Signature, 'base64'), 'signature verifies');

  // the UnsubscribeURL works as a plain GET
  const res = await fetch(e.UnsubscribeURL);
  assert.equal(res.status, 200);
  assert.equal((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.length, 0);
});

test('SNS → SQS fan-out with filter policies on attributes and on the body; raw delivery keeps attributes', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fanout' }));
  const all = await queue('fan-all');
  const rugby = await queue('fan-rugby');
  const big = await queue('fan-big');
  const raw = await queue('fan-raw');
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: all.arn }));
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: rugby.arn,
      Attributes: { FilterPolicy: JSON.stringify({ sport: ['rugby', { prefix: 'foot' }] }) },
    }),
  );
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: big.arn,
      Attributes: {
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: JSON.stringify({ order: { total: [{ numeric: ['>=', 100] }] } }),
      },
    }),
  );
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: raw.arn, Attributes: { RawMessageDelivery: 'true' } }));

  const send = (Message: string, sport?: string) =>
    sns.send(
      new PublishCommand({
        TopicArn,
        Message,
        ...(sport ? { MessageAttributes: { sport: { DataType: 'String', StringValue: sport } } } : {}),
      }),
    );
  await send(JSON.stringify({ order: { total: 150 } }), 'rugby');
  await send(JSON.stringify({ order: { total: 20 } }), 'football');
  await send('not json', 'chess');
  await send(JSON.stringify({ order: { total: 999 } }));

  assert.equal((await receiveAll(all.url)).length, 4);
  const r = await receiveAll(rugby.url);
  assert.deepEqual(r.map((m) => JSON.parse(m.Body!).MessageAttributes.sport.Value).sort(), ['football', 'rugby']);
  const b = await receiveAll(big.url);
  assert.deepEqual(b.map((m) => JSON.parse(JSON.parse(m.Body!).Message).order.total).sort(), [150, 999]);
  const raws = await receiveAll(raw.url);
  assert.equal(raws.length, 4);
  const first = raws.find((m) => m.Body === JSON.stringify({ order: { total: 150 } }))!;
  assert.deepEqual(first.MessageAttributes, { sport: { DataType: 'String', StringValue: 'rugby' } });

  // PublishBatch entries are filtered and delivered the same way
  await sns.send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: 'a', Message: 'batch rugby', MessageAttributes: { sport: { DataType: 'String', StringValue: 'rugby' } } },
        { Id: 'b', Message: 'batch chess', MessageAttributes: { sport: { DataType: 'String', StringValue: 'chess' } } },
      ],
    }),
  );
  const rb = await receiveAll(rugby.url);
  assert.deepEqual(
    rb.map((m) => JSON.parse(m.Body!).Message),
    ['batch rugby'],
  );
  const rr = await receiveAll(raw.url);
  assert.deepEqual(rr.map((m) => [m.Body, m.MessageAttributes?.sport?.StringValue]).sort(), [
    ['batch chess', 'chess'],
    ['batch rugby', 'rugby'],
  ]);
});

test('FIFO topic → FIFO queue: order within the group, deduplication, MessageGroupId passed on', async () => {
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: 'orders.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }),
  );
  const q = await queue('orders-q.fifo', { FifoQueue: 'true' });
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
  for (const m of ['one', 'two', 'three', 'two']) await sns.send(new PublishCommand({ TopicArn, Message: m, MessageGroupId: 'g1' }));
  await sns.send(
    new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [
        { Id: 'a', Message: 'four', MessageGroupId: 'g1' },
        { Id: 'b', Message: 'five', MessageGroupId: 'g1' },
      ],
    }),
  );
  const got = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId'] }),
  );
  assert.deepEqual(
    got.Messages?.map((m) => m.Body),
    ['one', 'two', 'three', 'four', 'five'],
  );
  assert.equal(got.Messages?.[0].Attributes?.MessageGroupId, 'g1');

  // enveloped: FIFO notifications carry a SequenceNumber and no signature
  const env = await queue('orders-env.fifo', { FifoQueue: 'true' });
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: env.arn }));
  const pub = await sns.send(new PublishCommand({ TopicArn, Message: 'six', MessageGroupId: 'g2' }));
  const [m] = await receiveAll(env.url);
  const e = JSON.parse(m.Body!);
  assert.deepEqual(Object.keys(e), ['Type', 'MessageId', 'SequenceNumber', 'TopicArn', 'Message', 'Timestamp', 'UnsubscribeURL']);
  assert.equal(e.SequenceNumber, pub.SequenceNumber);
});

test('failed deliveries go to the subscription dead-letter queue', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'redrive' }));
  const dlq = await queue('redrive-dlq');
  const gone = await queue('redrive-gone');
  await sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: gone.arn,
      Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
    }),
  );
  await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
  const pub = await sns.send(new PublishCommand({ TopicArn, Message: 'lost?' }));
  const [m] = await receiveAll(dlq.url);
  assert.equal(JSON.parse(m.Body!).MessageId, pub.MessageId);
  assert.equal(JSON.parse(m.Body!).Message, 'lost?');
});

/** A local HTTP endpoint that records what SNS posts and answers with the statuses it is given. */
async function endpoint(statuses: number[] = []) {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('HTTP subscription: SubscriptionConfirmation POSTed, SubscribeURL confirms, notifications arrive with SNS headers', async () => {
  const ep = await endpoint();
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'webhook' }));
    const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: ep.url }));
    assert.equal(sub.SubscriptionArn, 'pending confirmation');
    await until(() => ep.received.length === 1);
    const conf = ep.received[0];
    assert.equal(conf.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    assert.equal(conf.headers['x-amz-sns-topic-arn'], TopicArn);
    assert.equal(conf.headers['content-type'], 'text/plain; charset=UTF-8');
    assert.equal(conf.headers['user-agent'], 'Amazon Simple Notification Service Agent');
    const c = JSON.parse(conf.body);
    assert.deepEqual(Object.keys(c), [
      'Type',
      'MessageId',
      'Token',
      'TopicArn',
      'Message',
      'SubscribeURL',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
    ]);
    assert.equal(conf.headers['x-amz-sns-message-id'], c.MessageId);
    const pem = await (await fetch(c.SigningCertURL)).text();
    const canonical = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
      .map((k) => `${k}\n${c[k]}\n`)
      .join('');
    assert.ok(createVerify('RSA-SHA1').update(canonical).verify(pem, c.Signature, 'base64'));

    const confirm = await fetch(c.SubscribeURL);
    assert.equal(confirm.status, 200);
    const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await confirm.text())![1];
    assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes?.PendingConfirmation, 'false');

    const pub = await sns.send(
      new PublishCommand({ TopicArn, Message: 'ping', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }),
    );
    await until(() => ep.received.length === 2);
    const n = ep.received[1];
    assert.equal(n.headers['x-amz-sns-message-type'], 'Notification');
    assert.equal(n.headers['x-amz-sns-subscription-arn'], arn);
    assert.equal(n.headers['x-amz-sns-message-id'], pub.MessageId);
    const body = JSON.parse(n.body);
    assert.equal(body.Message, 'ping');
    assert.equal(body.Type, 'Notification');
    assert.deepEqual(body.MessageAttributes, { k: { Type: 'String', Value: 'v' } });

    await sns.send(
      new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }),
    );
    await sns.send(new PublishCommand({ TopicArn, Message: 'raw ping' }));
    await until(() => ep.received.length === 3);
    assert.equal(ep.received[2].body, 'raw ping');
    assert.equal(ep.received[2].headers['x-amz-sns-rawdelivery'], 'true');

    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    await until(() => ep.received.length === 4);
    assert.equal(ep.received[3].headers['x-amz-sns-message-type'], 'UnsubscribeConfirmation');
  } finally {
    await ep.close();
  }
});

test('HTTP retries follow the delivery policy on the virtual clock; a 4xx goes straight to the dead-letter queue', async () => {
  const ep = await endpoint([200, 503, 500]);
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'retry' }));
    const policy = { healthyRetryPolicy: { numRetries: 3, minDelayTarget: 30, maxDelayTarget: 30 } };
    const sub = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'http',
        Endpoint: ep.url,
        ReturnSubscriptionArn: true,
        Attributes: { DeliveryPolicy: JSON.stringify(policy) },
      }),
    );
    await until(() => ep.received.length === 1);
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: JSON.parse(ep.received[0].body).Token }));
    const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }))).Attributes!;
    assert.equal(JSON.parse(attrs.EffectiveDeliveryPolicy!).healthyRetryPolicy.minDelayTarget, 30);

    await sns.send(new PublishCommand({ TopicArn, Message: 'eventually' }));
    await until(() => ep.received.length === 2); // 503
    assert.equal((await advance('29s')).status, 200);
    assert.equal((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.length, 1); // a round trip
    assert.equal(ep.received.length, 2, 'no retry before the 30 s delay');
    assert.equal((await advance('2s')).status, 200);
    await until(() => ep.received.length === 3); // 500
    await advance('31s');
    await until(() => ep.received.length === 4); // 200
    assert.equal(JSON.parse(ep.received[3].body).Message, 'eventually');

    // a client error (404) is not retried: the message goes to the dead-letter queue at once
    const dlq = await queue('http-dlq');
    const ep2 = await endpoint([200, 404]);
    try {
      const s2 = await sns.send(
        new SubscribeCommand({
          TopicArn,
          Protocol: 'http',
          Endpoint: ep2.url,
          ReturnSubscriptionArn: true,
          Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) },
        }),
      );
      await until(() => ep2.received.length === 1);
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: JSON.parse(ep2.received[0].body).Token }));
      assert.equal(
        (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: s2.SubscriptionArn }))).Attributes?.PendingConfirmation,
        'false',
      );
      const gone = await sns.send(new PublishCommand({ TopicArn, Message: 'nobody home' }));
      await until(() => ep2.received.length === 2);
      // the dead-lettering follows the 404 answer: long-poll for it
      const got =
        (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }))).Messages ?? [];
      assert.equal(got.length, 1);
      assert.equal(JSON.parse(got[0].Body!).MessageId, gone.MessageId);
    } finally {
      await ep2.close();
    }
  } finally {
    await ep.close().catch(() => undefined);
  }
});

test('Lambda subscriptions invoke through the Lambda integration with the SNS event record', async () => {
  const calls: Array<{ arn: string; payload: any; type: string }> = [];
  const fn = 'arn:aws:lambda:us-east-1:000000000000:function:handler';
  const had = nimbus.runtime.integrations.lambda;
  nimbus.runtime.integrations.lambda = {
    functionExists: (arn) => arn === fn,
    invoke: async (arn, payload, type) => {
      calls.push({ arn, payload: JSON.parse(payload.toString()), type });
      return { statusCode: 202 };
    },
  };
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'to-lambda' }));
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'lambda', Endpoint: fn }));
    assert.notEqual(SubscriptionArn, 'pending confirmation');
    const pub = await sns.send(new PublishCommand({ TopicArn, Message: 'invoke me', Subject: 'S' }));
    await until(() => calls.length === 1);
    assert.equal(calls[0].arn, fn);
    assert.equal(calls[0].type, 'Event');
    const rec = calls[0].payload.Records[0];
    assert.equal(rec.EventSource, 'aws:sns');
    assert.equal(rec.EventVersion, '1.0');
    assert.equal(rec.EventSubscriptionArn, SubscriptionArn);
    assert.equal(rec.Sns.MessageId, pub.MessageId);
    assert.equal(rec.Sns.Message, 'invoke me');
    assert.equal(rec.Sns.Subject, 'S');
    assert.ok(rec.Sns.SigningCertUrl && rec.Sns.UnsubscribeUrl);
  } finally {
    nimbus.runtime.integrations.lambda = had;
  }
});

test('rt.integrations.sns: other services publish to topics in-process', async () => {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'internal' }));
  const integ = nimbus.runtime.integrations.sns!;
  assert.equal(integ.topicExists(TopicArn!), true);
  assert.equal(integ.topicExists(TopicArn + 'x'), false);
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: '+15555550111' }));
  const { messageId } = await integ.publish(TopicArn!, 'from s3', { subject: 'Amazon S3 Notification' });
  const res = await fetch(`${nimbus.url}/_nimbus/sns/outbox?endpoint=%2B15555550111`);
  const { messages } = (await res.json()) as { messages: Array<{ messageId: string; message: string }> };
  assert.equal(messages[0].messageId, messageId);
  assert.equal(messages[0].message, 'from s3');
  await assert.rejects(integ.publish(TopicArn + 'x', 'x'), /Topic does not exist/);
});

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`AWS CLI ${name}: sns create-topic, subscribe, publish`, async () => {
    const aws = (...args: string[]) => runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', 'sns', ...args]);
    const created = await aws('create-topic', '--name', `cli-${name}`);
    assert.equal(created.code, 0, created.stderr);
    const topic = JSON.parse(created.stdout).TopicArn as string;
    assert.equal(topic, `arn:aws:sns:us-east-1:000000000000:cli-${name}`);
    const sub = await aws('subscribe', '--topic-arn', topic, '--protocol', 'sms', '--notification-endpoint', '+15555550142');
    assert.equal(sub.code, 0, sub.stderr);
    assert.match(JSON.parse(sub.stdout).SubscriptionArn, /^arn:aws:sns:us-east-1:000000000000:cli-/);
    const pub = await aws(
      'publish',
      '--topic-arn',
      topic,
      '--message',
      'from the cli',
      '--message-attributes',
      '{"k":{"DataType":"String","StringValue":"v"}}',
    );
    assert.equal(pub.code, 0, pub.stderr);
    assert.match(JSON.parse(pub.stdout).MessageId, /^[0-9a-f-]{36}$/);
    const bad = await aws('get-topic-attributes', '--topic-arn', `${topic}-missing`);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /An error occurred \(NotFound\) when calling the GetTopicAttributes operation: Topic does not exist/);
  });
}

test('boto3: sns create_topic, subscribe, publish, and the NotFound error code', async () => {
  const script = `
import boto3, json, sys
sns = boto3.client('sns', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
topic = sns.create_topic(Name='boto', Attributes={'DisplayName': 'Boto'})['TopicArn']
sub = sns.subscribe(TopicArn=topic, Protocol='email', Endpoint='b@example.com', ReturnSubscriptionArn=True)['SubscriptionArn']
mid = sns.publish(TopicArn=topic, Message='hi', Subject='s', MessageAttributes={'n': {'DataType': 'Number', 'StringValue': '7'}})['MessageId']
try:
    sns.publish(TopicArn=topic + 'x', Message='x')
    code = None
except sns.exceptions.NotFoundException as e:
    code = e.response['Error']['Code']
print(json.dumps({'topic': topic, 'sub': sub, 'mid': mid, 'code': code, 'name': sns.get_topic_attributes(TopicArn=topic)['Attributes']['DisplayName']}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.topic, 'arn:aws:sns:us-east-1:000000000000:boto');
  assert.match(out.sub, /^arn:aws:sns:us-east-1:000000000000:boto:/);
  assert.match(out.mid, /^[0-9a-f-]{36}$/);
  assert.equal(out.code, 'NotFound');
  assert.equal(out.name, 'Boto');
});

test('with IAM enforced, the SubscribeURL still confirms without a signature (as in AWS)', async () => {
  const server = await startServer({ enforceIam: true });
  const ep = await endpoint();
  try {
    const client = new SNSClient(clientConfig(server.url));
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'strict' }));
    await client.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: ep.url }));
    await until(() => ep.received.length === 1);
    const res = await fetch(JSON.parse(ep.received[0].body).SubscribeURL);
    assert.equal(res.status, 200);
    const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await res.text())?.[1];
    assert.match(arn ?? '', new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    assert.equal(
      (await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes?.PendingConfirmation,
      'false',
    );
    const unsigned = await fetch(`${server.url}/?Action=ListTopics&Version=2010-03-31`);
    assert.equal(unsigned.status, 403, 'other actions still need a signature');
  } finally {
    await ep.close();
    await server.stop();
  }
});
