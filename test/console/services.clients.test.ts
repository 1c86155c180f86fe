// The console in Chromium: SQS, SNS and DynamoDB pages against the real APIs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { clientConfig } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startRig();
});
after(() => rig?.stop());

test('SQS: create a queue, send a message, poll and receive it, delete it', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/sqs`);
  await page.getByText('No queues in this region yet').waitFor();
  await page.getByLabel('Queue name').fill('console-queue');
  await page.getByRole('button', { name: 'Create queue' }).click();
  await page.getByRole('heading', { name: 'Queue console-queue' }).waitFor();
  await page.getByText('arn:aws:sqs:us-east-1:000000000000:console-queue').waitFor();

  await page.getByLabel('Message body').fill('hello queue');
  await page.getByRole('button', { name: 'Send message' }).click();
  await page.getByText(/^Sent message /).waitFor();
  await page.getByTestId('counts').getByText('1 available').waitFor();

  // a message sent by an SDK shows too
  const sqs = new SQSClient(clientConfig(rig.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'console-queue' }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from the sdk' }));

  await page.getByRole('button', { name: 'Poll for messages' }).click();
  const table = page.getByRole('table', { name: 'Received messages' });
  await table.getByText('hello queue').waitFor();
  await table.getByText('from the sdk').waitFor();
  await shot(page, 'sqs-received');
  await table.getByRole('row').filter({ hasText: 'hello queue' }).getByRole('button', { name: 'Delete' }).click();
  await table.getByText('hello queue').waitFor({ state: 'detached' });
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  assert.equal(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible, '1', 'only the SDK message is still in flight');
  const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  assert.equal(again.Messages, undefined, 'nothing visible: one deleted, one in flight');

  // a dead-letter queue set in the page; an invalid one refused by SQS
  await sqs.send(new CreateQueueCommand({ QueueName: 'console-dlq' }));
  await page.getByLabel('Dead-letter queue ARN').fill('arn:aws:sqs:us-east-1:000000000000:console-dlq');
  await page.getByLabel('Maximum receives').fill('2');
  await page.getByRole('button', { name: 'Save redrive policy' }).click();
  await page.getByText('"maxReceiveCount":2').waitFor();
  const redrive = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }));
  assert.deepEqual(JSON.parse(redrive.Attributes!.RedrivePolicy!), {
    deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:console-dlq',
    maxReceiveCount: 2,
  });
  await page.getByLabel('Maximum receives').fill('0');
  await page.getByRole('button', { name: 'Save redrive policy' }).click();
  await page.getByTestId('error').getByText('InvalidParameterValue').waitFor();
  sqs.destroy();
});

test('SNS: create a topic, subscribe a queue, publish', async () => {
  const { page } = rig;
  const sqs = new SQSClient(clientConfig(rig.url));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'topic-target' }));
  await page.goto(`${rig.url}/_nimbus/console/#/sns`);
  await page.getByLabel('Topic name').fill('console-topic');
  await page.getByRole('button', { name: 'Create topic' }).click();
  await page.getByRole('heading', { name: 'Topic console-topic' }).waitFor();
  await page.getByLabel('Endpoint').fill('arn:aws:sqs:us-east-1:000000000000:topic-target');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.getByRole('table', { name: 'Subscriptions' }).getByText('topic-target').waitFor();
  await page.getByLabel('Message', { exact: true }).fill('fan out');
  await page.getByLabel('Message attributes').fill('{"color": "red"}');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.getByText(/^Published message /).waitFor();
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  const envelope = JSON.parse(got.Messages![0].Body!);
  assert.equal(envelope.Message, 'fan out');
  assert.equal(envelope.MessageAttributes.color.Value, 'red');
  await page.getByLabel('Message attributes').fill('{color: red}');
  await page.getByRole('button', { name: 'Publish' }).click();
  await page
    .getByTestId('error')
    .getByText(/must be a JSON object/)
    .waitFor();
  assert.equal(await page.getByText(/^Published message /).count(), 0, 'the failed publish left no message id shown');

  // an email subscription's deliveries land in the outbox the page shows
  await page.getByLabel('Protocol').selectOption('email-json');
  await page.getByLabel('Endpoint').fill('ops@example.com');
  await page.getByRole('button', { name: 'Subscribe', exact: true }).click();
  await page.getByRole('table', { name: 'Subscriptions' }).getByText('ops@example.com').waitFor();
  await page.getByRole('table', { name: 'Outbox' }).getByText('email-json: ops@example.com').waitFor();
  sqs.destroy();
});

test('DynamoDB: create a table, put an item in the editor, query it; bad items show the error', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/dynamodb`);
  await page.getByText('No tables in this region yet').waitFor();
  await page.getByLabel('Table name').fill('console-table');
  await page.getByLabel('Sort key name').fill('sk');
  await page.getByRole('button', { name: 'Create table' }).click();
  await page.getByRole('heading', { name: 'Table console-table' }).waitFor();
  await page.getByText('arn:aws:dynamodb:us-east-1:000000000000:table/console-table').waitFor();
  await page.getByLabel('TTL attribute').fill('expiresAt');
  await page.getByRole('button', { name: 'Enable TTL' }).click();
  await page.getByText(/ENABL(ED|ING) on attribute expiresAt/).waitFor();

  await page.getByRole('button', { name: 'Create item' }).click();
  const editor = page.getByLabel('Item JSON');
  await editor.fill('{"pk": "user#1", "sk": "profile", "name": "Ada", "age": 36}');
  await page.getByRole('button', { name: 'Save item' }).click();
  await editor.waitFor({ state: 'detached' });
  const ddb = new DynamoDBClient(clientConfig(rig.url));
  const stored = await ddb.send(new GetItemCommand({ TableName: 'console-table', Key: { pk: { S: 'user#1' }, sk: { S: 'profile' } } }));
  assert.deepEqual(stored.Item?.age, { N: '36' });

  // malformed JSON: refused before sending; a key-less item: DynamoDB's own ValidationException
  await page.getByRole('button', { name: 'Create item' }).click();
  await editor.fill('{"pk": "user#2", ');
  await page.getByRole('button', { name: 'Save item' }).click();
  await page
    .getByTestId('error')
    .getByText(/not valid JSON/)
    .waitFor();
  await editor.fill('{"name": "no keys"}');
  await page.getByRole('button', { name: 'Save item' }).click();
  const err = page.getByTestId('error');
  await err.getByText('ValidationException').waitFor();
  assert.match(await err.innerText(), /Missing the key pk/);
  await shot(page, 'dynamodb-validation-error');
  await page.getByLabel('Item format').getByText('DynamoDB JSON').click();
  await editor.fill('{"pk": {"S": "user#1"}, "sk": {"S": "settings"}, "theme": {"S": "dark"}}');
  await page.getByRole('button', { name: 'Save item' }).click();
  await editor.waitFor({ state: 'detached' });

  await page.getByRole('tab', { name: 'Query' }).click();
  await page.getByLabel('Partition key value').fill('user#1');
  await page.getByLabel('Sort key condition').selectOption('begins_with');
  await page.getByLabel('Sort key value', { exact: true }).fill('pro');
  await page.getByRole('button', { name: 'Run query' }).click();
  const items = page.getByRole('table', { name: 'Items' });
  await items.getByText('Ada').waitFor();
  assert.equal(await items.getByText('dark').count(), 0, 'the settings item does not begin with pro');
  await page.getByRole('tab', { name: 'Scan' }).click();
  await page.getByRole('button', { name: 'Run scan' }).click();
  await items.getByText('dark').waitFor();
  await page.getByText('Page 1: 2 items').waitFor();
  await shot(page, 'dynamodb-items');
  ddb.destroy();
});
