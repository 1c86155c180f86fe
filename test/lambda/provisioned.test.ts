// Provisioned concurrency configs: IN_PROGRESS then READY on the virtual clock, environments started
// ahead of the first invocation, AWS's errors, list and delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  ListProvisionedConcurrencyConfigsCommand,
  PublishVersionCommand,
  CreateAliasCommand,
  PutFunctionConcurrencyCommand,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { serverForFile, rejects, advanceClock } from '../helpers.js';
import { lambdaClient, createFunction, decode } from '../lambda-helpers.js';

const server = serverForFile();
const client = () => lambdaClient(server.url);

test('a provisioned config is IN_PROGRESS, READY once the clock moves on, and its environment is warm before the first call', async () => {
  const c = client();
  await createFunction(c, 'warm', 'nodejs20.x', 'index.handler', {
    'index.js': 'exports.handler = async () => ({ init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE });',
  });
  await c.send(new PublishVersionCommand({ FunctionName: 'warm' }));
  await c.send(new CreateAliasCommand({ FunctionName: 'warm', Name: 'prod', FunctionVersion: '1' }));
  const put = await c.send(
    new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'prod', ProvisionedConcurrentExecutions: 2 }),
  );
  assert.equal(put.Status, 'IN_PROGRESS');
  assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
  assert.equal(put.AvailableProvisionedConcurrentExecutions, 0);
  await advanceClock(server.url, '1m');
  const got = await c.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'prod' }));
  assert.equal(got.Status, 'READY');
  assert.equal(got.AvailableProvisionedConcurrentExecutions, 2);
  assert.equal(got.AllocatedProvisionedConcurrentExecutions, 2);

  const r = await c.send(new InvokeCommand({ FunctionName: 'warm', Qualifier: 'prod', LogType: 'Tail' }));
  assert.deepEqual(JSON.parse(decode(r.Payload)), { init: 'provisioned-concurrency' });
  assert.doesNotMatch(Buffer.from(r.LogResult!, 'base64').toString(), /Init Duration/);
  const onDemand = await c.send(new InvokeCommand({ FunctionName: 'warm' }));
  assert.deepEqual(JSON.parse(decode(onDemand.Payload)), { init: 'on-demand' });

  const list = await c.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'warm' }));
  assert.equal(list.ProvisionedConcurrencyConfigs?.length, 1);
  assert.equal(list.ProvisionedConcurrencyConfigs?.[0].FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:warm:prod');
  await c.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'prod' }));
  await rejects(
    c.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'warm', Qualifier: 'prod' })),
    'ProvisionedConcurrencyConfigNotFoundException',
    404,
  );
  assert.deepEqual(
    (await c.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'warm' }))).ProvisionedConcurrencyConfigs,
    [],
  );
});

test('provisioned concurrency refuses $LATEST, unknown aliases and more than the reserved concurrency', async () => {
  const c = client();
  await createFunction(c, 'limited', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async () => 1;' });
  await c.send(new PublishVersionCommand({ FunctionName: 'limited' }));
  await rejects(
    c.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'limited', Qualifier: '$LATEST', ProvisionedConcurrentExecutions: 1 }),
    ),
    'InvalidParameterValueException',
    400,
  );
  await rejects(
    c.send(
      new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'limited', Qualifier: 'nosuch', ProvisionedConcurrentExecutions: 1 }),
    ),
    'ResourceNotFoundException',
    404,
  );
  await rejects(
    c.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'limited', Qualifier: '1', ProvisionedConcurrentExecutions: 0 })),
    'ValidationException',
    400,
  );
  await c.send(new PutFunctionConcurrencyCommand({ FunctionName: 'limited', ReservedConcurrentExecutions: 1 }));
  await rejects(
    c.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: 'limited', Qualifier: '1', ProvisionedConcurrentExecutions: 2 })),
    'InvalidParameterValueException',
    400,
  );
  await rejects(
    c.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'limited', Qualifier: '1' })),
    'ProvisionedConcurrencyConfigNotFoundException',
    404,
  );
});
