// The console in Chromium: a Lambda function's deployed code (its package downloaded and unzipped in
// the browser) edited and deployed back; a DynamoDB global secondary index created from the page and
// queried, a stream enabled; tabs moved with the arrow keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { zipSync, strToU8 } from 'fflate';
import { LambdaClient, CreateFunctionCommand, GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { DynamoDBClient, CreateTableCommand, PutItemCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { clientConfig } from '../helpers.js';
import { startRig, shot, type ConsoleRig } from './console-helpers.js';

let rig: ConsoleRig;
before(async () => {
  rig = await startRig();
});
after(() => rig?.stop());

test('Lambda: the deployed code shows in the editor (two files), is edited and deployed back', async () => {
  const { page } = rig;
  const lambda = new LambdaClient(clientConfig(rig.url));
  const pkg = zipSync({
    'index.mjs': strToU8("import { greet } from './lib/greet.mjs';\nexport const handler = async (e) => ({ msg: greet(e.name) });\n"),
    'lib/greet.mjs': strToU8('export const greet = (n) => `hello ${n}`;\n'),
  });
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'greeter',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::000000000000:role/lambda',
      Code: { ZipFile: pkg },
    }),
  );
  const before = (await lambda.send(new GetFunctionCommand({ FunctionName: 'greeter' }))).Configuration!.CodeSha256;
  await page.goto(`${rig.url}/_nimbus/console/#/lambda`);
  await page.getByRole('link', { name: 'greeter' }).click();
  const code = page.getByLabel('Function code', { exact: true });
  await page.waitForFunction(() =>
    (document.querySelector('textarea[aria-label="Function code"]') as HTMLTextAreaElement)?.value.includes("from './lib/greet.mjs'"),
  );
  await page.getByLabel('Code file').selectOption('lib/greet.mjs');
  assert.match(await code.inputValue(), /hello \$\{n\}/);
  await code.fill('export const greet = (n) => `bonjour ${n}`;\n');
  assert.match(await page.getByLabel('Code file').innerText(), /lib\/greet\.mjs \(edited\)/);
  await page.getByRole('button', { name: 'Deploy' }).click();
  await page.getByRole('button', { name: 'Deploy' }).and(page.locator(':disabled')).waitFor();
  const after = (await lambda.send(new GetFunctionCommand({ FunctionName: 'greeter' }))).Configuration!.CodeSha256;
  assert.notEqual(after, before);
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'greeter', Payload: JSON.stringify({ name: 'Ada' }) }));
  assert.deepEqual(JSON.parse(Buffer.from(out.Payload!).toString()), { msg: 'bonjour Ada' }, 'both files were deployed, one edited');
  await shot(page, 'lambda-code');
  lambda.destroy();
});

test('DynamoDB: create a global secondary index with UpdateTable, query it; enable the stream', async () => {
  const { page } = rig;
  const ddb = new DynamoDBClient(clientConfig(rig.url));
  await ddb.send(
    new CreateTableCommand({
      TableName: 'orders',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  for (const [id, customer, total] of [
    ['o1', 'ada', '30'],
    ['o2', 'bob', '12'],
    ['o3', 'ada', '7'],
  ]) {
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: id }, customer: { S: customer }, total: { N: total } } }));
  }
  await page.goto(`${rig.url}/_nimbus/console/#/dynamodb`);
  await page.getByRole('link', { name: 'orders' }).click();
  await page.getByText('No global secondary indexes.').waitFor();
  await page.getByLabel('Index name').fill('by-customer');
  await page.getByLabel('Index partition key', { exact: true }).fill('customer');
  await page.getByLabel('Index sort key', { exact: true }).fill('total');
  await page.getByLabel('Index sort key type').selectOption('N');
  await page.getByRole('button', { name: 'Create index' }).click();
  await page.getByRole('table', { name: 'Global secondary indexes' }).getByText('customer (partition), total (sort)').waitFor();
  const desc = await ddb.send(new DescribeTableCommand({ TableName: 'orders' }));
  assert.equal(desc.Table!.GlobalSecondaryIndexes?.[0].IndexName, 'by-customer');

  await page.getByRole('tab', { name: 'Scan' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Query' }).getAttribute('aria-selected'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Query');
  await page.getByLabel('Table or index').selectOption('by-customer');
  await page.getByLabel('Partition key value').fill('ada');
  await page.getByRole('button', { name: 'Run query' }).click();
  const items = page.getByRole('table', { name: 'Items' });
  await items.getByText('o3').waitFor();
  await items.getByText('o1').waitFor();
  assert.equal(await items.getByText('o2').count(), 0);

  await page.getByRole('button', { name: 'Create index' }).click();
  await page
    .getByTestId('error')
    .getByText(/ValidationException|ResourceInUseException/)
    .waitFor();

  await page.getByLabel('Stream view type').selectOption('NEW_IMAGE');
  await page.getByRole('button', { name: 'Enable stream' }).click();
  await page
    .getByTestId('stream-status')
    .getByText(/Enabled \(NEW_IMAGE\)/)
    .waitFor();
  const streamArn = (await ddb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!.LatestStreamArn!;
  assert.match(streamArn, /^arn:aws:dynamodb:us-east-1:000000000000:table\/orders\/stream\//);
  await page.getByTestId('stream-status').getByText(streamArn).waitFor();
  await shot(page, 'dynamodb-indexes');
  ddb.destroy();
});

test('keyboard: arrow keys, Home and End move between tabs and select them', async () => {
  const { page } = rig;
  await page.goto(`${rig.url}/_nimbus/console/#/iam`);
  const users = page.getByRole('tab', { name: 'Users' });
  await users.focus();
  await page.keyboard.press('ArrowLeft');
  const policies = page.getByRole('tab', { name: 'Policies and simulator' });
  assert.equal(await policies.getAttribute('aria-selected'), 'true', 'wraps to the last');
  await page.getByLabel('Resources to simulate').waitFor();
  await policies.focus();
  await page.keyboard.press('Home');
  assert.equal(await users.getAttribute('aria-selected'), 'true');
  assert.equal(await users.getAttribute('tabindex'), '0');
  assert.equal(await policies.getAttribute('tabindex'), '-1', 'only the selected tab is a Tab stop');
  await page.keyboard.press('End');
  assert.equal(await policies.getAttribute('aria-selected'), 'true');
});
