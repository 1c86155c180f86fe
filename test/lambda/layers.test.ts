// Layers (published, listed, attached: their modules found by node and python functions) and a
// runtime whose interpreter the machine lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PublishLayerVersionCommand,
  GetLayerVersionCommand,
  ListLayersCommand,
  ListLayerVersionsCommand,
  InvokeCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { serverForFile, rejects } from '../helpers.js';
import { lambdaClient, createFunction, decode, zip, ROLE } from '../lambda-helpers.js';

const server = serverForFile();

test('a layer version is published, listed, and its modules are found by node and python functions', async () => {
  const c = lambdaClient(server.url);
  const l1 = await c.send(
    new PublishLayerVersionCommand({
      LayerName: 'shared',
      Content: {
        ZipFile: zip({
          'nodejs/node_modules/greet/index.js': 'module.exports = (n) => "hi " + n;',
          'python/greet.py': 'def greet(n):\n    return "hey " + n\n',
        }),
      },
      CompatibleRuntimes: ['nodejs20.x', 'python3.12'],
    }),
  );
  assert.equal(l1.Version, 1);
  assert.equal(l1.LayerVersionArn, 'arn:aws:lambda:us-east-1:000000000000:layer:shared:1');
  const l2 = await c.send(
    new PublishLayerVersionCommand({
      LayerName: 'shared',
      Content: {
        ZipFile: zip({
          'nodejs/node_modules/greet/index.js': 'module.exports = (n) => "hello " + n;',
          'python/greet.py': 'def greet(n):\n    return "hello " + n\n',
        }),
      },
    }),
  );
  assert.equal(l2.Version, 2);
  assert.equal(
    (await c.send(new GetLayerVersionCommand({ LayerName: 'shared', VersionNumber: 1 }))).Content?.CodeSha256,
    l1.Content?.CodeSha256,
  );
  assert.deepEqual(
    (await c.send(new ListLayerVersionsCommand({ LayerName: 'shared' }))).LayerVersions!.map((v) => v.Version),
    [2, 1],
  );
  const layers = (await c.send(new ListLayersCommand({}))).Layers!;
  assert.equal(layers.length, 1);
  assert.equal(layers[0].LatestMatchingVersion?.Version, 2);

  await createFunction(
    c,
    'withlayer',
    'nodejs20.x',
    'index.handler',
    { 'index.js': 'const greet = require("greet"); exports.handler = async (e) => greet(e.n);' },
    { Layers: [l1.LayerVersionArn] },
  );
  assert.equal(
    decode((await c.send(new InvokeCommand({ FunctionName: 'withlayer', Payload: Buffer.from('{"n":"ann"}') }))).Payload),
    '"hi ann"',
  );
  assert.equal(
    (await c.send(new GetFunctionConfigurationCommand({ FunctionName: 'withlayer' }))).Layers?.[0].CodeSize,
    l1.Content?.CodeSize,
  );
  await createFunction(
    c,
    'pylayer',
    'python3.12',
    'app.handler',
    { 'app.py': 'from greet import greet\ndef handler(e, c):\n    return greet(e["n"])\n' },
    { Layers: [l2.LayerVersionArn] },
  );
  assert.equal(
    decode((await c.send(new InvokeCommand({ FunctionName: 'pylayer', Payload: Buffer.from('{"n":"bo"}') }))).Payload),
    '"hello bo"',
  );
  await rejects(
    c.send(
      new CreateFunctionCommand({
        FunctionName: 'badlayer',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'i.h',
        Code: { ZipFile: zip({ a: 'b' }) },
        Layers: ['arn:aws:lambda:us-east-1:000000000000:layer:shared:9'],
      }),
    ),
    'InvalidParameterValueException',
    400,
  );
});

test('a python runtime without python3 on the machine is refused with a clear error', async () => {
  const c = lambdaClient(server.url);
  process.env.NIMBUS_LAMBDA_PYTHON = '/nonexistent/python3';
  try {
    await rejects(
      c.send(
        new CreateFunctionCommand({
          FunctionName: 'nopy',
          Runtime: 'python3.13',
          Role: ROLE,
          Handler: 'a.b',
          Code: { ZipFile: zip({ 'a.py': '' }) },
        }),
      ),
      'InvalidParameterValueException',
      400,
      (e) => assert.match(e.message as string, /python3\.13 needs python3 on the machine running Nimbus/),
    );
  } finally {
    delete process.env.NIMBUS_LAMBDA_PYTHON;
  }
});
