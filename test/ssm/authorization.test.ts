// SSM under IAM enforcement: parameter operations are authorized on the parameter's ARN
// (arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>), each name of a
// GetParameters or DeleteParameters on its own, GetParametersByPath on the path's ARN.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  SSMClient,
  PutParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  GetParametersByPathCommand,
  DeleteParametersCommand,
  AddTagsToResourceCommand,
  DescribeParametersCommand,
} from '@aws-sdk/client-ssm';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });
type Creds = { accessKeyId: string; secretAccessKey: string };
const root = { accessKeyId: 'test', secretAccessKey: 'test' };
const ssm = (c: Creds = root) => new SSMClient(clientConfig(nimbus.url, { credentials: c }));
const ARN = 'arn:aws:ssm:us-east-1:000000000000:parameter';

async function userWith(name: string, actions: string[], resource: string): Promise<SSMClient> {
  const iam = new IAMClient(clientConfig(nimbus.url, { credentials: root }));
  await iam.send(new CreateUserCommand({ UserName: name }));
  const PolicyDocument = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] });
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'ssm', PolicyDocument }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return ssm({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });
}

const denied = (user: string, action: string, resource: string) => (e: Record<string, unknown>) =>
  assert.equal(
    e.message,
    `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
  );

test('ssm:GetParameter allowed on parameter/app/*: /app/x (and a version selector) reads, /other/y is AccessDeniedException', async () => {
  for (const Name of ['/app/x', '/app/deep/z', '/other/y', 'plain'])
    await ssm().send(new PutParameterCommand({ Name, Value: `v${Name}`, Type: 'String' }));
  const reader = await userWith('reader', ['ssm:GetParameter'], `${ARN}/app/*`);
  assert.equal((await reader.send(new GetParameterCommand({ Name: '/app/x' }))).Parameter?.Value, 'v/app/x');
  assert.equal((await reader.send(new GetParameterCommand({ Name: '/app/deep/z:1' }))).Parameter?.Value, 'v/app/deep/z');
  await rejects(
    reader.send(new GetParameterCommand({ Name: '/other/y' })),
    'AccessDeniedException',
    400,
    denied('reader', 'ssm:GetParameter', `${ARN}/other/y`),
  );
  await rejects(
    reader.send(new GetParameterCommand({ Name: 'plain' })),
    'AccessDeniedException',
    400,
    denied('reader', 'ssm:GetParameter', `${ARN}/plain`),
  );
  // another action on an allowed parameter is not allowed
  await rejects(reader.send(new GetParametersCommand({ Names: ['/app/x'] })), 'AccessDeniedException', 400);
  // a root-level wildcard in the policy names parameters without a leading slash too
  const plain = await userWith('plain-reader', ['ssm:GetParameter'], `${ARN}/plain`);
  assert.equal((await plain.send(new GetParameterCommand({ Name: 'plain' }))).Parameter?.Value, 'vplain');
});

test('GetParameters and DeleteParameters ask for every name; GetParametersByPath for the path; tags on the parameter', async () => {
  for (const Name of ['/svc/a', '/svc/b', '/priv/c']) await ssm().send(new PutParameterCommand({ Name, Value: 'v', Type: 'String' }));
  const svc = await userWith(
    'svc',
    ['ssm:GetParameters', 'ssm:GetParametersByPath', 'ssm:DeleteParameters', 'ssm:AddTagsToResource', 'ssm:PutParameter'],
    `${ARN}/svc*`,
  );
  assert.equal((await svc.send(new GetParametersCommand({ Names: ['/svc/a', '/svc/b'] }))).Parameters?.length, 2);
  await rejects(
    svc.send(new GetParametersCommand({ Names: ['/svc/a', '/priv/c'] })),
    'AccessDeniedException',
    400,
    denied('svc', 'ssm:GetParameters', `${ARN}/priv/c`),
  );
  assert.equal((await svc.send(new GetParametersByPathCommand({ Path: '/svc' }))).Parameters?.length, 2);
  await rejects(
    svc.send(new GetParametersByPathCommand({ Path: '/priv' })),
    'AccessDeniedException',
    400,
    denied('svc', 'ssm:GetParametersByPath', `${ARN}/priv`),
  );
  await svc.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/svc/a', Tags: [{ Key: 'k', Value: 'v' }] }));
  await rejects(
    svc.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: '/priv/c', Tags: [{ Key: 'k', Value: 'v' }] })),
    'AccessDeniedException',
    400,
    denied('svc', 'ssm:AddTagsToResource', `${ARN}/priv/c`),
  );
  await svc.send(new PutParameterCommand({ Name: '/svc/new', Value: 'n', Type: 'String' }));
  await rejects(svc.send(new PutParameterCommand({ Name: '/priv/new', Value: 'n', Type: 'String' })), 'AccessDeniedException', 400);
  await rejects(svc.send(new DeleteParametersCommand({ Names: ['/svc/b', '/priv/c'] })), 'AccessDeniedException', 400);
  assert.deepEqual((await svc.send(new DeleteParametersCommand({ Names: ['/svc/b'] }))).DeletedParameters, ['/svc/b']);
  // DescribeParameters names no parameter: it is asked on *
  await rejects(svc.send(new DescribeParametersCommand({})), 'AccessDeniedException', 400, denied('svc', 'ssm:DescribeParameters', '*'));
});
