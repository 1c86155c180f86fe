// Versions, aliases (with weighted routing), qualifiers and resource policies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PublishVersionCommand,
  ListVersionsByFunctionCommand,
  CreateAliasCommand,
  UpdateAliasCommand,
  GetAliasCommand,
  ListAliasesCommand,
  DeleteAliasCommand,
  InvokeCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
  AddPermissionCommand,
  GetPolicyCommand,
  RemovePermissionCommand,
  GetFunctionCommand,
} from '@aws-sdk/client-lambda';
import { serverForFile, rejects } from '../helpers.js';
import { lambdaClient, createFunction, decode, zip } from '../lambda-helpers.js';

const server = serverForFile();

test('published versions are frozen; aliases route to them, with weights', async () => {
  const c = lambdaClient(server.url);
  await createFunction(c, 'ver', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async () => "one";' });
  const v1 = await c.send(new PublishVersionCommand({ FunctionName: 'ver', Description: 'first' }));
  assert.equal(v1.Version, '1');
  assert.equal(v1.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:ver:1');
  await c.send(
    new UpdateFunctionCodeCommand({ FunctionName: 'ver', ZipFile: zip({ 'index.js': 'exports.handler = async () => "two";' }) }),
  );
  await waitUntilFunctionUpdatedV2({ client: c, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'ver' });
  assert.equal((await c.send(new PublishVersionCommand({ FunctionName: 'ver' }))).Version, '2');
  // nothing changed: no new version
  assert.equal((await c.send(new PublishVersionCommand({ FunctionName: 'ver' }))).Version, '2');
  const versions = await c.send(new ListVersionsByFunctionCommand({ FunctionName: 'ver' }));
  assert.deepEqual(
    versions.Versions!.map((v) => v.Version),
    ['$LATEST', '1', '2'],
  );

  const inv = async (q?: string) => {
    const r = await c.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: q }));
    return [decode(r.Payload), r.ExecutedVersion];
  };
  assert.deepEqual(await inv('1'), ['"one"', '1']);
  assert.deepEqual(await inv(), ['"two"', '$LATEST']);
  const alias = await c.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' }));
  assert.equal(alias.AliasArn, 'arn:aws:lambda:us-east-1:000000000000:function:ver:live');
  assert.deepEqual(await inv('live'), ['"one"', '1']);
  await c.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 1 } } }));
  assert.deepEqual(await inv('live'), ['"two"', '2']);
  assert.deepEqual((await c.send(new GetAliasCommand({ FunctionName: 'ver', Name: 'live' }))).RoutingConfig, {
    AdditionalVersionWeights: { '2': 1 },
  });
  await c.send(new UpdateAliasCommand({ FunctionName: 'ver', Name: 'live', RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } } }));
  const seen = new Set<string>();
  for (let i = 0; i < 40; i++) seen.add((await inv('live'))[1]!);
  assert.deepEqual([...seen].sort(), ['1', '2']);
  assert.equal((await c.send(new ListAliasesCommand({ FunctionName: 'ver' }))).Aliases!.length, 1);
  assert.equal((await c.send(new GetFunctionCommand({ FunctionName: 'ver', Qualifier: 'live' }))).Configuration?.Version, '1');
  await rejects(
    c.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'live', FunctionVersion: '1' })),
    'ResourceConflictException',
    409,
  );
  await rejects(c.send(new CreateAliasCommand({ FunctionName: 'ver', Name: 'x', FunctionVersion: '9' })), 'ResourceNotFoundException', 404);
  await c.send(new DeleteAliasCommand({ FunctionName: 'ver', Name: 'live' }));
  await rejects(c.send(new InvokeCommand({ FunctionName: 'ver', Qualifier: 'live' })), 'ResourceNotFoundException', 404);
  await rejects(c.send(new InvokeCommand({ FunctionName: 'ver:1', Qualifier: '2' })), 'InvalidParameterValueException', 400);
});

test('AddPermission, GetPolicy, RemovePermission', async () => {
  const c = lambdaClient(server.url);
  const out = await c.send(
    new AddPermissionCommand({
      FunctionName: 'ver',
      StatementId: 's3',
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      SourceArn: 'arn:aws:s3:::bucket',
    }),
  );
  const st = JSON.parse(out.Statement!);
  assert.deepEqual(st.Principal, { Service: 's3.amazonaws.com' });
  assert.deepEqual(st.Condition, { ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::bucket' } });
  await rejects(
    c.send(
      new AddPermissionCommand({ FunctionName: 'ver', StatementId: 's3', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' }),
    ),
    'ResourceConflictException',
    409,
  );
  const policy = JSON.parse((await c.send(new GetPolicyCommand({ FunctionName: 'ver' }))).Policy!);
  assert.equal(policy.Statement[0].Sid, 's3');
  await c.send(new RemovePermissionCommand({ FunctionName: 'ver', StatementId: 's3' }));
  await rejects(c.send(new GetPolicyCommand({ FunctionName: 'ver' })), 'ResourceNotFoundException', 404);
  await rejects(c.send(new RemovePermissionCommand({ FunctionName: 'ver', StatementId: 's3' })), 'ResourceNotFoundException', 404);
});
