// Enforcement on Lambda: Invoke is lambda:InvokeFunction on the function's ARN (qualified when the
// call is), and a function policy (AddPermission) naming a user allows it without an identity policy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { LambdaClient, InvokeCommand, AddPermissionCommand } from '@aws-sdk/client-lambda';
import { serverForFile, clientConfig, rejects } from '../helpers.js';
import { createFunction, lambdaClient, decode } from '../lambda-helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
const iam = () => new IAMClient(clientConfig(nimbus.url));
const FN = 'arn:aws:lambda:us-east-1:000000000000:function:greet';

async function user(name: string, statements: unknown[]): Promise<LambdaClient> {
  await iam().send(new CreateUserCommand({ UserName: name }));
  if (statements.length)
    await iam().send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
      }),
    );
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return new LambdaClient(clientConfig(nimbus.url, { credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }));
}

test('a function policy naming a user lets it invoke; without one it needs an identity policy', async () => {
  await iam().send(
    new CreateRoleCommand({
      RoleName: 'lambda-role',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    }),
  );
  await createFunction(lambdaClient(nimbus.url), 'greet', 'nodejs20.x', 'index.handler', {
    'index.js': 'exports.handler = async (e) => ({ hi: e.name });',
  });
  const frank = await user('frank', []);
  await rejects(
    frank.send(new InvokeCommand({ FunctionName: 'greet', Payload: JSON.stringify({ name: 'f' }) })),
    'AccessDeniedException',
    403,
    (e) =>
      assert.equal(
        e.message,
        `User: arn:aws:iam::000000000000:user/frank is not authorized to perform: lambda:InvokeFunction on resource: ${FN} because no identity-based policy allows the lambda:InvokeFunction action`,
      ),
  );
  await lambdaClient(nimbus.url).send(
    new AddPermissionCommand({
      FunctionName: 'greet',
      StatementId: 'frank',
      Action: 'lambda:InvokeFunction',
      Principal: 'arn:aws:iam::000000000000:user/frank',
    }),
  );
  const out = await frank.send(new InvokeCommand({ FunctionName: 'greet', Payload: JSON.stringify({ name: 'f' }) }));
  assert.deepEqual(JSON.parse(decode(out.Payload)), { hi: 'f' });
});

test('an identity policy on the unqualified ARN does not cover a qualified call', async () => {
  const gina = await user('gina', [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: FN }]);
  const out = await gina.send(new InvokeCommand({ FunctionName: FN, Payload: JSON.stringify({ name: 'g' }) }));
  assert.deepEqual(JSON.parse(decode(out.Payload)), { hi: 'g' });
  await rejects(
    gina.send(new InvokeCommand({ FunctionName: 'greet', Qualifier: '$LATEST', Payload: '{}' })),
    'AccessDeniedException',
    403,
    (e) => assert.match(String(e.message), /on resource: arn:aws:lambda:us-east-1:000000000000:function:greet:\$LATEST /),
  );
});
