// Code signing configs: CRUD, attaching one to a function, what refers to it, and AWS's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateCodeSigningConfigCommand,
  DeleteCodeSigningConfigCommand,
  DeleteFunctionCodeSigningConfigCommand,
  GetCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand,
  ListCodeSigningConfigsCommand,
  ListFunctionsByCodeSigningConfigCommand,
  PutFunctionCodeSigningConfigCommand,
  UpdateCodeSigningConfigCommand,
} from '@aws-sdk/client-lambda';
import { serverForFile, rejects } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

const server = serverForFile();
const client = () => lambdaClient(server.url);
const PROFILE = 'arn:aws:signer:us-east-1:000000000000:/signing-profiles/MyProfile/abcdef1234';

test('code signing configs are created, read, updated, attached to a function, listed and deleted', async () => {
  const c = client();
  const { CodeSigningConfig: csc } = await c.send(
    new CreateCodeSigningConfigCommand({ Description: 'prod signing', AllowedPublishers: { SigningProfileVersionArns: [PROFILE] } }),
  );
  assert.match(csc!.CodeSigningConfigId!, /^csc-[a-z0-9]{17}$/);
  assert.equal(csc!.CodeSigningConfigArn, `arn:aws:lambda:us-east-1:000000000000:code-signing-config:${csc!.CodeSigningConfigId}`);
  assert.equal(csc!.CodeSigningPolicies?.UntrustedArtifactOnDeployment, 'Warn');
  const arn = csc!.CodeSigningConfigArn!;
  const upd = await c.send(
    new UpdateCodeSigningConfigCommand({ CodeSigningConfigArn: arn, CodeSigningPolicies: { UntrustedArtifactOnDeployment: 'Enforce' } }),
  );
  assert.equal(upd.CodeSigningConfig?.CodeSigningPolicies?.UntrustedArtifactOnDeployment, 'Enforce');
  assert.equal(upd.CodeSigningConfig?.Description, 'prod signing');
  assert.equal(
    (await c.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: arn }))).CodeSigningConfig?.CodeSigningPolicies
      ?.UntrustedArtifactOnDeployment,
    'Enforce',
  );

  await createFunction(c, 'signed', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async () => 1;' });
  assert.deepEqual(
    await c
      .send(new PutFunctionCodeSigningConfigCommand({ FunctionName: 'signed', CodeSigningConfigArn: arn }))
      .then((r) => [r.FunctionName, r.CodeSigningConfigArn]),
    ['signed', arn],
  );
  assert.equal((await c.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).CodeSigningConfigArn, arn);
  assert.deepEqual((await c.send(new ListFunctionsByCodeSigningConfigCommand({ CodeSigningConfigArn: arn }))).FunctionArns, [
    'arn:aws:lambda:us-east-1:000000000000:function:signed',
  ]);
  await rejects(c.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: arn })), 'ResourceConflictException', 409);
  await c.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }));
  assert.equal((await c.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: 'signed' }))).CodeSigningConfigArn, '');

  const second = await c.send(new CreateCodeSigningConfigCommand({ AllowedPublishers: { SigningProfileVersionArns: [PROFILE] } }));
  const page = await c.send(new ListCodeSigningConfigsCommand({ MaxItems: 1 }));
  assert.equal(page.CodeSigningConfigs?.length, 1);
  const rest = await c.send(new ListCodeSigningConfigsCommand({ MaxItems: 1, Marker: page.NextMarker }));
  assert.equal(rest.CodeSigningConfigs?.length, 1);
  assert.notEqual(rest.CodeSigningConfigs?.[0].CodeSigningConfigId, page.CodeSigningConfigs?.[0].CodeSigningConfigId);
  await c.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: arn }));
  await c.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: second.CodeSigningConfig!.CodeSigningConfigArn! }));
  await rejects(c.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: arn })), 'CodeSigningConfigNotFoundException', 404);
  assert.deepEqual((await c.send(new ListCodeSigningConfigsCommand({}))).CodeSigningConfigs, []);
});

test('code signing configs refuse bad publishers and unknown configs', async () => {
  const c = client();
  await rejects(
    c.send(new CreateCodeSigningConfigCommand({ AllowedPublishers: { SigningProfileVersionArns: ['arn:aws:s3:::not-a-profile'] } })),
    'InvalidParameterValueException',
    400,
  );
  await rejects(
    c.send(new CreateCodeSigningConfigCommand({ AllowedPublishers: { SigningProfileVersionArns: [] } })),
    'ValidationException',
    400,
  );
  const missing = 'arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdef0';
  await rejects(c.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: missing })), 'CodeSigningConfigNotFoundException', 404);
  await createFunction(c, 'unsigned', 'nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async () => 1;' });
  await rejects(
    c.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: 'unsigned', CodeSigningConfigArn: missing })),
    'CodeSigningConfigNotFoundException',
    404,
  );
  await rejects(
    c.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: 'nofn', CodeSigningConfigArn: missing })),
    'CodeSigningConfigNotFoundException',
    404,
  );
});
