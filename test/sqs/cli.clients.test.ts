// SQS through the AWS CLI v1 (JSON protocol), the AWS CLI v2 2.9 (query protocol) and boto3:
// queues, messages, DLQ and FIFO, and errors as each client prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { serverForFile, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

async function aws(cli: string, ...args: string[]): Promise<any> {
  const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', 'sqs', ...args]);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`AWS CLI ${name}: queues — create with attributes and tags, list, attributes, tags, purge, delete`, async () => {
    const q = `cli-${name}-queue`;
    const { QueueUrl } = await aws(
      cli,
      'create-queue',
      '--queue-name',
      q,
      '--attributes',
      'VisibilityTimeout=40,DelaySeconds=1',
      '--tags',
      'team=core',
    );
    assert.equal(QueueUrl, `${nimbus.url}/000000000000/${q}`);
    assert.equal((await aws(cli, 'create-queue', '--queue-name', q, '--attributes', 'VisibilityTimeout=40')).QueueUrl, QueueUrl);
    assert.equal((await aws(cli, 'get-queue-url', '--queue-name', q)).QueueUrl, QueueUrl);
    assert.ok((await aws(cli, 'list-queues', '--queue-name-prefix', `cli-${name}`)).QueueUrls.includes(QueueUrl));
    const { Attributes } = await aws(cli, 'get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'All');
    assert.equal(Attributes.VisibilityTimeout, '40');
    assert.equal(Attributes.DelaySeconds, '1');
    assert.equal(Attributes.QueueArn, `arn:aws:sqs:us-east-1:000000000000:${q}`);
    await aws(cli, 'set-queue-attributes', '--queue-url', QueueUrl, '--attributes', 'VisibilityTimeout=50');
    assert.deepEqual(
      (await aws(cli, 'get-queue-attributes', '--queue-url', QueueUrl, '--attribute-names', 'VisibilityTimeout')).Attributes,
      { VisibilityTimeout: '50' },
    );
    await aws(cli, 'tag-queue', '--queue-url', QueueUrl, '--tags', 'env=dev');
    await aws(cli, 'untag-queue', '--queue-url', QueueUrl, '--tag-keys', 'team');
    assert.deepEqual((await aws(cli, 'list-queue-tags', '--queue-url', QueueUrl)).Tags, { env: 'dev' });
    await aws(cli, 'purge-queue', '--queue-url', QueueUrl);
    const again = await runCli(cli, ['--endpoint-url', nimbus.url, 'sqs', 'purge-queue', '--queue-url', QueueUrl]);
    assert.match(again.stderr, /\(AWS\.SimpleQueueService\.PurgeQueueInProgress\)/);
    await aws(cli, 'delete-queue', '--queue-url', QueueUrl);
    const gone = await runCli(cli, ['--endpoint-url', nimbus.url, 'sqs', 'get-queue-url', '--queue-name', q]);
    assert.notEqual(gone.code, 0);
    assert.match(
      gone.stderr,
      /An error occurred \(AWS\.SimpleQueueService\.NonExistentQueue\) when calling the GetQueueUrl operation: The specified queue does not exist/,
    );
  });

  test(`AWS CLI ${name}: messages — send with attributes, batch, receive with filters, change visibility, delete`, async () => {
    const { QueueUrl } = await aws(cli, 'create-queue', '--queue-name', `cli-${name}-msgs`);
    const sent = await aws(
      cli,
      'send-message',
      '--queue-url',
      QueueUrl,
      '--message-body',
      'héllo',
      '--message-attributes',
      JSON.stringify({
        'a.b': { DataType: 'String', StringValue: 'x' },
        bin: { DataType: 'Binary', BinaryValue: 'AAEC' },
        n: { DataType: 'Number', StringValue: '3' },
      }),
    );
    assert.equal(sent.MD5OfMessageBody, createHash('md5').update('héllo').digest('hex'));
    assert.match(sent.MD5OfMessageAttributes, /^[0-9a-f]{32}$/);
    const batch = await aws(
      cli,
      'send-message-batch',
      '--queue-url',
      QueueUrl,
      '--entries',
      JSON.stringify([
        { Id: 'one', MessageBody: 'b1' },
        { Id: 'two', MessageBody: 'b2' },
      ]),
    );
    assert.deepEqual(batch.Successful.map((e: { Id: string }) => e.Id).sort(), ['one', 'two']);
    const { Messages } = await aws(
      cli,
      'receive-message',
      '--queue-url',
      QueueUrl,
      '--max-number-of-messages',
      '10',
      '--attribute-names',
      'All',
      '--message-attribute-names',
      'a.*',
      'bin',
    );
    assert.equal(Messages.length, 3);
    const first = Messages.find((m: { Body: string }) => m.Body === 'héllo');
    assert.deepEqual(Object.keys(first.MessageAttributes).sort(), ['a.b', 'bin']);
    // v1 sends a blob argument's text as its bytes; v2 (cli_binary_format raw-in-base64-out) decodes it
    assert.equal(first.MessageAttributes.bin.BinaryValue, name === 'v1' ? Buffer.from('AAEC').toString('base64') : 'AAEC');
    assert.equal(first.Attributes.ApproximateReceiveCount, '1');
    assert.equal(first.Attributes.SenderId, '000000000000');
    await aws(
      cli,
      'change-message-visibility',
      '--queue-url',
      QueueUrl,
      '--receipt-handle',
      first.ReceiptHandle,
      '--visibility-timeout',
      '0',
    );
    const del = await aws(
      cli,
      'delete-message-batch',
      '--queue-url',
      QueueUrl,
      '--entries',
      JSON.stringify(
        Messages.filter((m: { Body: string }) => m.Body !== 'héllo').map((m: { ReceiptHandle: string }, i: number) => ({
          Id: `d${i}`,
          ReceiptHandle: m.ReceiptHandle,
        })),
      ),
    );
    assert.equal(del.Successful.length, 2);
    const again = await aws(cli, 'receive-message', '--queue-url', QueueUrl);
    assert.equal(again.Messages[0].Body, 'héllo');
    await aws(cli, 'delete-message', '--queue-url', QueueUrl, '--receipt-handle', again.Messages[0].ReceiptHandle);
    const bad = await runCli(cli, [
      '--endpoint-url',
      nimbus.url,
      'sqs',
      'delete-message',
      '--queue-url',
      QueueUrl,
      '--receipt-handle',
      'bogus',
    ]);
    assert.match(bad.stderr, /\(ReceiptHandleIsInvalid\).*The input receipt handle "bogus" is not a valid receipt handle\./);
    const many = await runCli(cli, [
      '--endpoint-url',
      nimbus.url,
      'sqs',
      'send-message-batch',
      '--queue-url',
      QueueUrl,
      '--entries',
      JSON.stringify(Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'x' }))),
    ]);
    assert.match(many.stderr, /\(AWS\.SimpleQueueService\.TooManyEntriesInBatchRequest\)/);
    const invalid = await runCli(cli, ['--endpoint-url', nimbus.url, 'sqs', 'create-queue', '--queue-name', 'bad name']);
    assert.match(invalid.stderr, /\(InvalidParameterValue\).*Can only include alphanumeric characters/);
  });

  test(`AWS CLI ${name}: dead-letter queue and FIFO`, async () => {
    const dlq = await aws(cli, 'create-queue', '--queue-name', `cli-${name}-dlq`);
    const dlqArn = (await aws(cli, 'get-queue-attributes', '--queue-url', dlq.QueueUrl, '--attribute-names', 'QueueArn')).Attributes
      .QueueArn;
    const src = await aws(
      cli,
      'create-queue',
      '--queue-name',
      `cli-${name}-src`,
      '--attributes',
      JSON.stringify({ VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) }),
    );
    await aws(cli, 'send-message', '--queue-url', src.QueueUrl, '--message-body', 'poison');
    assert.equal((await aws(cli, 'receive-message', '--queue-url', src.QueueUrl)).Messages.length, 1);
    assert.equal((await aws(cli, 'receive-message', '--queue-url', src.QueueUrl)).Messages, undefined);
    assert.equal((await aws(cli, 'receive-message', '--queue-url', dlq.QueueUrl)).Messages[0].Body, 'poison');
    assert.deepEqual((await aws(cli, 'list-dead-letter-source-queues', '--queue-url', dlq.QueueUrl)).queueUrls, [src.QueueUrl]);

    const fifo = await aws(
      cli,
      'create-queue',
      '--queue-name',
      `cli-${name}.fifo`,
      '--attributes',
      'FifoQueue=true,ContentBasedDeduplication=true',
    );
    const a = await aws(cli, 'send-message', '--queue-url', fifo.QueueUrl, '--message-body', 'first', '--message-group-id', 'g');
    assert.match(a.SequenceNumber, /^\d{20}$/);
    const dup = await aws(cli, 'send-message', '--queue-url', fifo.QueueUrl, '--message-body', 'first', '--message-group-id', 'g');
    assert.equal(dup.MessageId, a.MessageId);
    await aws(cli, 'send-message', '--queue-url', fifo.QueueUrl, '--message-body', 'second', '--message-group-id', 'g');
    const got = await aws(
      cli,
      'receive-message',
      '--queue-url',
      fifo.QueueUrl,
      '--max-number-of-messages',
      '10',
      '--attribute-names',
      'All',
    );
    assert.deepEqual(
      got.Messages.map((m: { Body: string }) => m.Body),
      ['first', 'second'],
    );
    assert.equal(got.Messages[0].Attributes.MessageGroupId, 'g');
    const noGroup = await runCli(cli, [
      '--endpoint-url',
      nimbus.url,
      'sqs',
      'send-message',
      '--queue-url',
      fifo.QueueUrl,
      '--message-body',
      'x',
    ]);
    assert.match(noGroup.stderr, /\(MissingParameter\).*The request must contain the parameter MessageGroupId\./);
  });
}

test('boto3: queues, messages with attributes, long polling, DLQ and FIFO', async () => {
  const script = `
import boto3, json, sys, hashlib
sqs = boto3.client('sqs', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
out = {}
url = sqs.create_queue(QueueName='boto-q', Attributes={'VisibilityTimeout': '20'})['QueueUrl']
out['url'] = url
r = sqs.send_message(QueueUrl=url, MessageBody='hi', MessageAttributes={'k': {'DataType': 'String', 'StringValue': 'v'}})
out['md5ok'] = r['MD5OfMessageBody'] == hashlib.md5(b'hi').hexdigest()
m = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=['All'], AttributeNames=['All'])['Messages'][0]
out['body'] = m['Body']; out['attr'] = m['MessageAttributes']['k']['StringValue']; out['count'] = m['Attributes']['ApproximateReceiveCount']
sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])
out['empty'] = 'Messages' not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
try:
    sqs.get_queue_url(QueueName='nope')
except sqs.exceptions.QueueDoesNotExist as e:
    out['missing'] = e.response['Error']['Code']
try:
    sqs.send_message_batch(QueueUrl=url, Entries=[{'Id': 'a', 'MessageBody': 'x'}, {'Id': 'a', 'MessageBody': 'y'}])
except sqs.exceptions.BatchEntryIdsNotDistinct as e:
    out['dupids'] = e.response['Error']['Code']
dlq = sqs.create_queue(QueueName='boto-dlq')['QueueUrl']
arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
src = sqs.create_queue(QueueName='boto-src', Attributes={'VisibilityTimeout': '0', 'RedrivePolicy': json.dumps({'deadLetterTargetArn': arn, 'maxReceiveCount': 1})})['QueueUrl']
sqs.send_message(QueueUrl=src, MessageBody='bad')
sqs.receive_message(QueueUrl=src)
sqs.receive_message(QueueUrl=src)
out['dlq'] = sqs.receive_message(QueueUrl=dlq)['Messages'][0]['Body']
fifo = sqs.create_queue(QueueName='boto.fifo', Attributes={'FifoQueue': 'true'})['QueueUrl']
for i in range(5):
    sqs.send_message(QueueUrl=fifo, MessageBody=str(i), MessageGroupId='g', MessageDeduplicationId='d%d' % i)
sqs.send_message(QueueUrl=fifo, MessageBody='dup', MessageGroupId='g', MessageDeduplicationId='d0')
out['fifo'] = [m['Body'] for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)['Messages']]
print(json.dumps(out))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out, {
    url: `${nimbus.url}/000000000000/boto-q`,
    md5ok: true,
    body: 'hi',
    attr: 'v',
    count: '1',
    empty: true,
    missing: 'AWS.SimpleQueueService.NonExistentQueue',
    dupids: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    dlq: 'bad',
    fifo: ['0', '1', '2', '3', '4'],
  });
});
