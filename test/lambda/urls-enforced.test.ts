// Function URLs when IAM is enforced: NONE needs the function's resource policy to grant
// lambda:InvokeFunctionUrl to everyone; AWS_IAM asks the authorizer about the signer's policies,
// and another account's signer also needs the function's policy to grant it the URL (AWS_IAM).
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

async function user(name: string, actions: string[], admin = iam()) {
  await admin.send(new CreateUserCommand({ UserName: name }));
  if (actions.length) {
    await admin.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }),
      }),
    );
  }
  const k = (await admin.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
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

test("AWS_IAM from another account: the function's policy must grant it lambda:InvokeFunctionUrl for AWS_IAM, and its own policies allow it", async () => {
  const c = lambda();
  await createFunction(c, 'shared', 'nodejs20.x', 'index.handler', FN);
  const url = pathUrl((await c.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'shared', AuthType: 'AWS_IAM' }))).FunctionUrl!);
  const root = (account: string) => ({ accessKeyId: account, secretAccessKey: 'x' });
  const adminB = new IAMClient(clientConfig(server.url, { credentials: root('222222222222') }));
  const [allowed, bare] = [await user('b-caller', ['lambda:InvokeFunctionUrl'], adminB), await user('b-bare', [], adminB)];
  const status = async (creds: { accessKeyId: string; secretAccessKey: string }) => (await signedGet(url, creds)).status;
  // no statement for account B yet: AWS's plain refusal
  const refused = await signedGet(url, root('222222222222'));
  assert.equal(refused.status, 403);
  assert.deepEqual(await refused.json(), { Message: 'Forbidden' });
  assert.equal(await status(allowed), 403);
  const grant = (StatementId: string, Principal: string, FunctionUrlAuthType: 'AWS_IAM' | 'NONE') =>
    c.send(
      new AddPermissionCommand({ FunctionName: 'shared', StatementId, Action: 'lambda:InvokeFunctionUrl', Principal, FunctionUrlAuthType }),
    );
  await grant('b', '222222222222', 'AWS_IAM');
  const yes = await signedGet(url, allowed);
  assert.equal(yes.status, 200);
  assert.equal(await yes.text(), 'arn:aws:iam::222222222222:user/b-caller');
  assert.equal(await status(root('222222222222')), 200);
  // the caller's own account must allow it too
  assert.equal(await status(bare), 403);
  // a statement for NONE URLs does not open an AWS_IAM one
  await grant('c', '333333333333', 'NONE');
  assert.equal(await status(root('333333333333')), 403);
});
