// Cross-account access to a function: a full ARN in another account reaches that account's
// function only where its resource policy (AddPermission) grants the caller the action; under IAM
// enforcement the caller's own policies must allow it too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddPermissionCommand,
  CreateAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  InvokeWithResponseStreamCommand,
  LambdaClient,
  ListAliasesCommand,
  PublishVersionCommand,
  RemovePermissionCommand,
  InvokeAsyncCommand,
  type InvokeWithResponseStreamResponseEvent,
} from '@aws-sdk/client-lambda';
import { IAMClient, CreateRoleCommand, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { serverForFile, clientConfig, rejects, startServer } from '../helpers.js';
import { createFunction, decode } from '../lambda-helpers.js';

const server = serverForFile();
const OWNER = '111111111111';
const CALLER = '222222222222';
const as = (url: string, account: string, secret = 'test') =>
  new LambdaClient(clientConfig(url, { credentials: { accessKeyId: account, secretAccessKey: secret } }));
const FN = { 'index.js': 'exports.handler = async (e, ctx) => ({ arn: ctx.invokedFunctionArn, got: e });' };
const arnOf = (name: string, q?: string) => `arn:aws:lambda:us-east-1:${OWNER}:function:${name}${q ? `:${q}` : ''}`;
const denial = (who: string, action: string, arn: string) =>
  `User: ${who} is not authorized to perform: ${action} on resource: ${arn} because no resource-based policy allows the ${action} action`;

test('another account invokes a function by ARN only once its policy names that account', async () => {
  const owner = as(server.url, OWNER);
  const caller = as(server.url, CALLER);
  await createFunction(owner, 'shared', 'nodejs20.x', 'index.handler', FN);
  const arn = arnOf('shared');
  await rejects(caller.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('{}') })), 'AccessDeniedException', 403, (e) =>
    assert.equal(e.message, denial(`arn:aws:iam::${CALLER}:root`, 'lambda:InvokeFunction', arn)),
  );
  // a function that does not exist in the other account is no different: nothing allows it
  await rejects(caller.send(new InvokeCommand({ FunctionName: arnOf('nope') })), 'AccessDeniedException', 403);
  // the caller's own account has no such function
  await rejects(caller.send(new InvokeCommand({ FunctionName: 'shared' })), 'ResourceNotFoundException', 404);

  await owner.send(
    new AddPermissionCommand({ FunctionName: 'shared', StatementId: 'xaccount', Action: 'lambda:InvokeFunction', Principal: CALLER }),
  );
  const r = await caller.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from('{"n":1}') }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.ExecutedVersion, '$LATEST');
  assert.deepEqual(JSON.parse(decode(r.Payload)), { arn, got: { n: 1 } });
  // the partial ARN form names the account too
  assert.equal((await caller.send(new InvokeCommand({ FunctionName: `${OWNER}:function:shared` }))).StatusCode, 200);

  // InvokeFunction does not open the configuration: GetFunction needs its own statement
  await rejects(caller.send(new GetFunctionCommand({ FunctionName: arn })), 'AccessDeniedException', 403, (e) =>
    assert.equal(e.message, denial(`arn:aws:iam::${CALLER}:root`, 'lambda:GetFunction', arn)),
  );
  await owner.send(
    new AddPermissionCommand({ FunctionName: 'shared', StatementId: 'read', Action: 'lambda:GetFunction', Principal: CALLER }),
  );
  assert.equal((await caller.send(new GetFunctionCommand({ FunctionName: arn }))).Configuration?.FunctionArn, arn);

  // streamed and asynchronous invocations follow the same policy
  const s = await caller.send(new InvokeWithResponseStreamCommand({ FunctionName: arn, Payload: Buffer.from('{"s":1}') }));
  const chunks: Buffer[] = [];
  for await (const ev of s.EventStream as AsyncIterable<InvokeWithResponseStreamResponseEvent>)
    if (ev.PayloadChunk?.Payload) chunks.push(Buffer.from(ev.PayloadChunk.Payload));
  assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString()).got, { s: 1 });
  // InvokeAsync is its own (deprecated) action
  await rejects(
    caller.send(new InvokeAsyncCommand({ FunctionName: arn, InvokeArgs: Buffer.from('{}') })),
    'AccessDeniedException',
    403,
    (e) => assert.equal(e.message, denial(`arn:aws:iam::${CALLER}:root`, 'lambda:InvokeAsync', arn)),
  );
  await owner.send(
    new AddPermissionCommand({ FunctionName: 'shared', StatementId: 'async', Action: 'lambda:InvokeAsync', Principal: CALLER }),
  );
  assert.equal((await caller.send(new InvokeAsyncCommand({ FunctionName: arn, InvokeArgs: Buffer.from('{}') }))).Status, 202);

  await owner.send(new RemovePermissionCommand({ FunctionName: 'shared', StatementId: 'xaccount' }));
  await rejects(caller.send(new InvokeCommand({ FunctionName: arn })), 'AccessDeniedException', 403);
});

test("a principal of * opens a function to every account, unless a condition (SourceAccount) restricts it to a service's calls", async () => {
  const owner = as(server.url, OWNER);
  const caller = as(server.url, CALLER);
  await createFunction(owner, 'public', 'nodejs20.x', 'index.handler', FN);
  await createFunction(owner, 'svc-only', 'nodejs20.x', 'index.handler', FN);
  await owner.send(new AddPermissionCommand({ FunctionName: 'public', StatementId: 'all', Action: 'lambda:*', Principal: '*' }));
  await owner.send(
    new AddPermissionCommand({
      FunctionName: 'svc-only',
      StatementId: 'all',
      Action: 'lambda:InvokeFunction',
      Principal: '*',
      SourceAccount: CALLER,
    }),
  );
  assert.equal((await caller.send(new InvokeCommand({ FunctionName: arnOf('public') }))).StatusCode, 200);
  await rejects(caller.send(new InvokeCommand({ FunctionName: arnOf('svc-only') })), 'AccessDeniedException', 403);
});

test('a permission on an alias opens that alias only: the other account must name it in the ARN', async () => {
  const owner = as(server.url, OWNER);
  const caller = as(server.url, CALLER);
  await createFunction(owner, 'aliased', 'nodejs20.x', 'index.handler', FN);
  await owner.send(new PublishVersionCommand({ FunctionName: 'aliased' }));
  await owner.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'prod', FunctionVersion: '1' }));
  await owner.send(
    new AddPermissionCommand({ FunctionName: 'aliased:prod', StatementId: 'xaccount', Action: 'lambda:InvokeFunction', Principal: CALLER }),
  );
  const r = await caller.send(new InvokeCommand({ FunctionName: arnOf('aliased', 'prod') }));
  assert.equal(r.ExecutedVersion, '1');
  assert.equal(JSON.parse(decode(r.Payload)).arn, arnOf('aliased', 'prod'));
  await rejects(caller.send(new InvokeCommand({ FunctionName: arnOf('aliased') })), 'AccessDeniedException', 403);
  await rejects(caller.send(new ListAliasesCommand({ FunctionName: arnOf('aliased') })), 'AccessDeniedException', 403, (e) =>
    assert.equal(e.message, denial(`arn:aws:iam::${CALLER}:root`, 'lambda:ListAliases', arnOf('aliased'))),
  );
});

test("under IAM enforcement the function policy and the caller's own policies must both allow the invoke", async () => {
  const enforced = await startServer({ enforceIam: true });
  try {
    const iamOf = (account: string) =>
      new IAMClient(clientConfig(enforced.url, { credentials: { accessKeyId: account, secretAccessKey: 'test' } }));
    await iamOf(OWNER).send(
      new CreateRoleCommand({
        RoleName: 'lambda-role',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const owner = as(enforced.url, OWNER);
    await createFunction(owner, 'guarded', 'nodejs20.x', 'index.handler', FN, { Role: `arn:aws:iam::${OWNER}:role/lambda-role` });
    const arn = arnOf('guarded');
    const root = as(enforced.url, CALLER);
    await rejects(root.send(new InvokeCommand({ FunctionName: arn })), 'AccessDeniedException', 403, (e) =>
      assert.equal(e.message, denial(`arn:aws:iam::${CALLER}:root`, 'lambda:InvokeFunction', arn)),
    );
    await owner.send(
      new AddPermissionCommand({ FunctionName: 'guarded', StatementId: 'xaccount', Action: 'lambda:InvokeFunction', Principal: CALLER }),
    );
    assert.equal((await root.send(new InvokeCommand({ FunctionName: arn }))).StatusCode, 200);

    // a user of the calling account needs its own identity policy as well
    const iam = iamOf(CALLER);
    await iam.send(new CreateUserCommand({ UserName: 'dev' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }))).AccessKey!;
    const dev = new LambdaClient(
      clientConfig(enforced.url, { credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } }),
    );
    await rejects(dev.send(new InvokeCommand({ FunctionName: arn })), 'AccessDeniedException', 403, (e) =>
      assert.equal(
        e.message,
        `User: arn:aws:iam::${CALLER}:user/dev is not authorized to perform: lambda:InvokeFunction on resource: ${arn} because no identity-based policy allows the lambda:InvokeFunction action`,
      ),
    );
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'dev',
        PolicyName: 'invoke',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: '*' }],
        }),
      }),
    );
    assert.equal((await dev.send(new InvokeCommand({ FunctionName: arn }))).StatusCode, 200);
  } finally {
    await enforced.stop();
  }
});
