// Function URLs when IAM is enforced: NONE needs the function's resource policy to grant
// lambda:InvokeFunctionUrl to everyone; AWS_IAM asks the authorizer about the signer's policies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IAMClient, CreateRoleCommand, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AddPermissionCommand, CreateFunctionUrlConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { serverForFile, clientConfig } from '../helpers.js';
import { createFunction } from '../lambda-helpers.js';

const server = serverForFile(undefined, { enforceIam: true });
const iam = () => new IAMClient(clientConfig(server.url));
const lambda = () => new LambdaClient(clientConfig(server.url));
const FN = {
  'index.js': 'exports.handler = async (e) => ({ statusCode: 200, body: e.requestContext.authorizer?.iam?.userArn ?? "public" });',
};
const pathUrl = (url: string) => `${server.url}/_nimbus/lambda-url/${new URL(url).hostname.split('.')[0]}/`;

async function signedGet(url: string, creds: { accessKeyId: string; secretAccessKey: string }) {
  const u = new URL(url);
  const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'lambda', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'GET',
    protocol: 'http:',
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query: {},
    headers: { host: u.host },
  });
  return fetch(url, { headers: signed.headers as Record<string, string> });
}

async function user(name: string, actions: string[]) {
  await iam().send(new CreateUserCommand({ UserName: name }));
  if (actions.length) {
    await iam().send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
      }),
    );
  }
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

test("NONE answers 403 until the resource policy lets everyone invoke the URL; AWS_IAM follows the signer's policies", async () => {
  await iam().send(
    new CreateRoleCommand({
      RoleName: 'lambda-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  const c = lambda();
  await createFunction(c, 'pub', 'nodejs20.x', 'index.handler', FN);
  const pub = await c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'pub', AuthType: 'NONE' }));
  assert.equal((await fetch(pathUrl(pub.FunctionUrl!))).status, 403);
  await c.send(
    new AddPermissionCommand({
      FunctionName: 'pub',
      StatementId: 'url',
      Action: 'lambda:InvokeFunctionUrl',
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    }),
  );
  const open = await fetch(pathUrl(pub.FunctionUrl!));
  assert.equal(open.status, 200);
  assert.equal(await open.text(), 'public');

  await createFunction(c, 'priv', 'nodejs20.x', 'index.handler', FN);
  const priv = await c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'priv', AuthType: 'AWS_IAM' }));
  const allowed = await user('caller', ['lambda:InvokeFunctionUrl']);
  const denied = await user('stranger', ['s3:ListAllMyBuckets']);
  const yes = await signedGet(pathUrl(priv.FunctionUrl!), allowed);
  assert.equal(yes.status, 200);
  assert.equal(await yes.text(), 'arn:aws:iam::000000000000:user/caller');
  assert.equal((await signedGet(pathUrl(priv.FunctionUrl!), denied)).status, 403);
  assert.equal((await fetch(pathUrl(priv.FunctionUrl!))).status, 403);
});
