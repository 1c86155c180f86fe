// IAM over the query protocol: entities, policies and their versions, access keys, IAM's errors and
// quotas, the simulator; through SDK v3, the AWS CLI v2 and boto3.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  IAMClient,
  CreateUserCommand,
  GetUserCommand,
  DeleteUserCommand,
  CreateGroupCommand,
  AddUserToGroupCommand,
  GetGroupCommand,
  ListGroupsForUserCommand,
  CreateRoleCommand,
  GetRoleCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  ListPolicyVersionsCommand,
  GetPolicyVersionCommand,
  SetDefaultPolicyVersionCommand,
  DeletePolicyVersionCommand,
  AttachUserPolicyCommand,
  AttachRolePolicyCommand,
  ListEntitiesForPolicyCommand,
  PutUserPolicyCommand,
  GetUserPolicyCommand,
  CreateAccessKeyCommand,
  ListAccessKeysCommand,
  GetAccessKeyLastUsedCommand,
  TagRoleCommand,
  ListRoleTagsCommand,
  CreateInstanceProfileCommand,
  AddRoleToInstanceProfileCommand,
  GetInstanceProfileCommand,
  CreateAccountAliasCommand,
  ListAccountAliasesCommand,
  CreateLoginProfileCommand,
  GetLoginProfileCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  SimulatePrincipalPolicyCommand,
  SimulateCustomPolicyCommand,
  DeletePolicyCommand,
  CreateServiceLinkedRoleCommand,
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  DeleteRoleCommand,
  ListPoliciesCommand,
  PutRolePolicyCommand,
  GetCredentialReportCommand,
  GenerateCredentialReportCommand,
} from '@aws-sdk/client-iam';
import { serverForFile, clientConfig, rejects, runCli, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();
const iam = () => new IAMClient(clientConfig(nimbus.url));
const doc = (Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const s3Read = doc([{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }]);
const trust = doc([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);

test('users: create, get, duplicate and missing names in IAM words', async () => {
  const u = (await iam().send(new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'blue' }] }))).User!;
  assert.equal(u.Arn, 'arn:aws:iam::000000000000:user/eng/alice');
  assert.match(u.UserId!, /^AIDA[A-Z2-7]{17}$/);
  await rejects(iam().send(new CreateUserCommand({ UserName: 'alice' })), 'EntityAlreadyExistsException', 409, (e) =>
    assert.equal(e.message, 'User with name alice already exists.'),
  );
  await rejects(iam().send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 404, (e) =>
    assert.equal(e.message, 'The user with name nobody cannot be found.'),
  );
  assert.deepEqual((await iam().send(new GetUserCommand({ UserName: 'alice' }))).User!.Tags, [{ Key: 'team', Value: 'blue' }]);
});

test('groups: membership both ways; a group with members cannot be deleted', async () => {
  await iam().send(new CreateGroupCommand({ GroupName: 'devs' }));
  await iam().send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'alice' }));
  assert.deepEqual(
    (await iam().send(new GetGroupCommand({ GroupName: 'devs' }))).Users!.map((u) => u.UserName),
    ['alice'],
  );
  assert.deepEqual(
    (await iam().send(new ListGroupsForUserCommand({ UserName: 'alice' }))).Groups!.map((g) => g.GroupName),
    ['devs'],
  );
  await rejects(iam().send(new DeleteUserCommand({ UserName: 'alice' })), 'DeleteConflictException', 409);
});

test('roles: the trust policy comes back URL-encoded; tags; malformed and oversize trust policies', async () => {
  const r = (await iam().send(new CreateRoleCommand({ RoleName: 'fn', AssumeRolePolicyDocument: trust, MaxSessionDuration: 7200 }))).Role!;
  assert.match(r.RoleId!, /^AROA/);
  const got = (await iam().send(new GetRoleCommand({ RoleName: 'fn' }))).Role!;
  assert.equal(decodeURIComponent(got.AssumeRolePolicyDocument!), trust);
  assert.equal(got.MaxSessionDuration, 7200);
  await iam().send(new TagRoleCommand({ RoleName: 'fn', Tags: [{ Key: 'env', Value: 'dev' }] }));
  assert.deepEqual((await iam().send(new ListRoleTagsCommand({ RoleName: 'fn' }))).Tags, [{ Key: 'env', Value: 'dev' }]);
  await rejects(
    iam().send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: '{"Version": "2012-10-17", "Statement": [' })),
    'MalformedPolicyDocumentException',
    400,
    (e) => assert.equal(e.message, 'Syntax errors in policy.'),
  );
  await rejects(
    iam().send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: s3Read })),
    'MalformedPolicyDocumentException',
    400,
    (e) => assert.equal(e.message, 'Missing required field Principal'),
  );
  const withResource = doc([{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', Resource: '*' }]);
  await rejects(
    iam().send(new CreateRoleCommand({ RoleName: 'bad', AssumeRolePolicyDocument: withResource })),
    'MalformedPolicyDocumentException',
    400,
    (e) => assert.equal(e.message, 'Has prohibited field Resource'),
  );
  const big = doc(
    Array.from({ length: 40 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${String(i).padStart(12, '1')}:root` },
      Action: 'sts:AssumeRole',
    })),
  );
  await rejects(iam().send(new CreateRoleCommand({ RoleName: 'big', AssumeRolePolicyDocument: big })), 'LimitExceededException', 409, (e) =>
    assert.equal(e.message, 'Cannot exceed quota for ACLSizePerRole: 2048'),
  );
  await rejects(iam().send(new GetRoleCommand({ RoleName: 'ghost' })), 'NoSuchEntityException', 404, (e) =>
    assert.equal(e.message, 'The role with name ghost cannot be found.'),
  );
});

test('managed policies: versions, at most 5, default version, attachments, deletion rules', async () => {
  const arn = (await iam().send(new CreatePolicyCommand({ PolicyName: 'S3Read', PolicyDocument: s3Read }))).Policy!.Arn!;
  assert.equal(arn, 'arn:aws:iam::000000000000:policy/S3Read');
  await rejects(
    iam().send(new CreatePolicyCommand({ PolicyName: 'S3Read', PolicyDocument: s3Read })),
    'EntityAlreadyExistsException',
    409,
    (e) => assert.equal(e.message, 'A policy called S3Read already exists. Duplicate names are not allowed.'),
  );
  for (let i = 2; i <= 5; i++)
    await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: s3Read, SetAsDefault: i === 3 }));
  await rejects(
    iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: s3Read })),
    'LimitExceededException',
    409,
    (e) =>
      assert.equal(
        e.message,
        'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
      ),
  );
  const versions = (await iam().send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
  assert.deepEqual(
    versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId),
    ['v3'],
  );
  await rejects(iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' })), 'DeleteConflictException', 409);
  await iam().send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }));
  await iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v3' }));
  const v = (await iam().send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v5' }))).PolicyVersion!;
  assert.equal(decodeURIComponent(v.Document!), s3Read);
  await iam().send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: arn }));
  await iam().send(new AttachRolePolicyCommand({ RoleName: 'fn', PolicyArn: arn }));
  const ents = await iam().send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
  assert.deepEqual(
    ents.PolicyUsers!.map((u) => u.UserName),
    ['alice'],
  );
  assert.deepEqual(
    ents.PolicyRoles!.map((r) => r.RoleName),
    ['fn'],
  );
  assert.equal((await iam().send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount, 2);
  await rejects(iam().send(new DeletePolicyCommand({ PolicyArn: arn })), 'DeleteConflictException', 409, (e) =>
    assert.equal(e.message, 'Cannot delete a policy attached to entities.'),
  );
  await rejects(
    iam().send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })),
    'NoSuchEntityException',
    404,
    (e) => assert.equal(e.message, 'Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.'),
  );
});

test('AWS managed policies are attachable by ARN and carry their documents', async () => {
  await iam().send(
    new AttachRolePolicyCommand({ RoleName: 'fn', PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }),
  );
  const p = (
    await iam().send(
      new GetPolicyVersionCommand({ PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', VersionId: 'v1' }),
    )
  ).PolicyVersion!;
  assert.deepEqual(JSON.parse(decodeURIComponent(p.Document!)).Statement[0].Action, [
    'logs:CreateLogGroup',
    'logs:CreateLogStream',
    'logs:PutLogEvents',
  ]);
  const names = (await iam().send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1000 }))).Policies!.map((x) => x.PolicyName);
  for (const n of [
    'AdministratorAccess',
    'ReadOnlyAccess',
    'PowerUserAccess',
    'AmazonS3FullAccess',
    'AmazonSQSFullAccess',
    'AmazonDynamoDBFullAccess',
    'AWSLambdaSQSQueueExecutionRole',
  ]) {
    assert.ok(names.includes(n), n);
  }
});

test('inline policies: validated, sized, URL-encoded on the way out', async () => {
  await iam().send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'own', PolicyDocument: s3Read }));
  assert.equal(
    decodeURIComponent((await iam().send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'own' }))).PolicyDocument!),
    s3Read,
  );
  await rejects(
    iam().send(
      new PutUserPolicyCommand({
        UserName: 'alice',
        PolicyName: 'p',
        PolicyDocument: doc([{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]),
      }),
    ),
    'MalformedPolicyDocumentException',
    400,
    (e) => assert.equal(e.message, 'Policy document should not specify a principal.'),
  );
  await rejects(
    iam().send(
      new PutUserPolicyCommand({
        UserName: 'alice',
        PolicyName: 'p',
        PolicyDocument: doc([{ Effect: 'Allow', Action: '*', Resource: 'bucket' }]),
      }),
    ),
    'MalformedPolicyDocumentException',
    400,
    (e) => assert.equal(e.message, 'Resource bucket must be in ARN format or "*".'),
  );
  // IAM accepts actions it does not know
  await iam().send(
    new PutUserPolicyCommand({
      UserName: 'alice',
      PolicyName: 'future',
      PolicyDocument: doc([{ Effect: 'Allow', Action: 'newservice:DoSomething', Resource: '*' }]),
    }),
  );
  const big = doc([{ Effect: 'Allow', Action: Array.from({ length: 200 }, (_, i) => `s3:Action${i}`), Resource: '*' }]);
  await rejects(
    iam().send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'big', PolicyDocument: big })),
    'LimitExceededException',
    409,
    (e) => assert.equal(e.message, 'Maximum policy size of 2048 bytes exceeded for user alice'),
  );
  await iam().send(new PutRolePolicyCommand({ RoleName: 'fn', PolicyName: 'big', PolicyDocument: big }));
});

test('access keys: the secret once, at most 2 per user, last used', async () => {
  await iam().send(new CreateUserCommand({ UserName: 'keys' }));
  const k = (await iam().send(new CreateAccessKeyCommand({ UserName: 'keys' }))).AccessKey!;
  assert.match(k.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
  assert.equal(k.SecretAccessKey!.length, 40);
  await iam().send(new CreateAccessKeyCommand({ UserName: 'keys' }));
  await rejects(iam().send(new CreateAccessKeyCommand({ UserName: 'keys' })), 'LimitExceededException', 409, (e) =>
    assert.equal(e.message, 'Cannot exceed quota for AccessKeysPerUser: 2'),
  );
  const listed = (await iam().send(new ListAccessKeysCommand({ UserName: 'keys' }))).AccessKeyMetadata!;
  assert.equal(listed.length, 2);
  assert.ok(listed.every((m) => m.Status === 'Active' && !('SecretAccessKey' in m)));
  const used = await iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }));
  assert.equal(used.UserName, 'keys');
  assert.equal(used.AccessKeyLastUsed!.ServiceName, 'N/A');
  const asKeys = new IAMClient(
    clientConfig(nimbus.url, { credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } }),
  );
  await asKeys.send(new ListAccessKeysCommand({}));
  const after = (await iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId }))).AccessKeyLastUsed!;
  assert.equal(after.ServiceName, 'iam');
  assert.ok(after.LastUsedDate instanceof Date);
});

test('the credential report lists users and their keys as CSV', async () => {
  await rejects(iam().send(new GetCredentialReportCommand({})), 'CredentialReportNotPresentException', 410);
  assert.equal((await iam().send(new GenerateCredentialReportCommand({}))).State, 'COMPLETE');
  const csv = Buffer.from((await iam().send(new GetCredentialReportCommand({}))).Content!)
    .toString()
    .split('\n');
  assert.match(csv[0], /^user,arn,user_creation_time,password_enabled/);
  const keysLine = csv.find((l) => l.startsWith('keys,'))!.split(',');
  assert.equal(keysLine[8], 'true');
  assert.equal(keysLine[13], 'true');
  // one of its two keys was used, against IAM
  assert.deepEqual([keysLine[12], keysLine[17]].sort(), ['N/A', 'iam']);
});

test('instance profiles, account alias, login profiles, service-linked roles, OIDC providers', async () => {
  await iam().send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web' }));
  await iam().send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'fn' }));
  assert.deepEqual(
    (await iam().send(new GetInstanceProfileCommand({ InstanceProfileName: 'web' }))).InstanceProfile!.Roles!.map((r) => r.RoleName),
    ['fn'],
  );
  await rejects(iam().send(new DeleteRoleCommand({ RoleName: 'fn' })), 'DeleteConflictException', 409);
  await iam().send(new CreateAccountAliasCommand({ AccountAlias: 'my-corp' }));
  assert.deepEqual((await iam().send(new ListAccountAliasesCommand({}))).AccountAliases, ['my-corp']);
  await iam().send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'Sup3r$ecret!', PasswordResetRequired: true }));
  assert.equal((await iam().send(new GetLoginProfileCommand({ UserName: 'alice' }))).LoginProfile!.PasswordResetRequired, true);
  await rejects(iam().send(new GetLoginProfileCommand({ UserName: 'keys' })), 'NoSuchEntityException', 404, (e) =>
    assert.equal(e.message, 'Login Profile for User keys cannot be found.'),
  );
  const slr = (await iam().send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'elasticbeanstalk.amazonaws.com' }))).Role!;
  assert.equal(slr.Arn, 'arn:aws:iam::000000000000:role/aws-service-role/elasticbeanstalk.amazonaws.com/AWSServiceRoleForElasticbeanstalk');
  const oidc = await iam().send(
    new CreateOpenIDConnectProviderCommand({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: ['a'.repeat(40)],
    }),
  );
  assert.equal(oidc.OpenIDConnectProviderArn, 'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com');
  assert.deepEqual(
    (await iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: oidc.OpenIDConnectProviderArn }))).ClientIDList,
    ['sts.amazonaws.com'],
  );
});

test('GetAccountAuthorizationDetails lists users with their groups and policies', async () => {
  const d = await iam().send(new GetAccountAuthorizationDetailsCommand({}));
  const alice = d.UserDetailList!.find((u) => u.UserName === 'alice')!;
  assert.deepEqual(alice.GroupList, ['devs']);
  assert.ok(alice.UserPolicyList!.some((p) => p.PolicyName === 'own'));
  assert.ok(alice.AttachedManagedPolicies!.some((p) => p.PolicyName === 'S3Read'));
  assert.ok(d.Policies!.some((p) => p.PolicyName === 'S3Read' && p.PolicyVersionList!.length === 4));
});

test('SimulatePrincipalPolicy and SimulateCustomPolicy answer with the evaluator', async () => {
  const r = await iam().send(
    new SimulatePrincipalPolicyCommand({
      PolicySourceArn: 'arn:aws:iam::000000000000:user/eng/alice',
      ActionNames: ['s3:GetObject', 's3:PutObject'],
      ResourceArns: ['arn:aws:s3:::b/k'],
    }),
  );
  assert.deepEqual(
    r.EvaluationResults!.map((e) => [e.EvalActionName, e.EvalDecision]),
    [
      ['s3:GetObject', 'allowed'],
      ['s3:PutObject', 'implicitDeny'],
    ],
  );
  const c = await iam().send(
    new SimulateCustomPolicyCommand({
      PolicyInputList: [
        doc([
          { Effect: 'Allow', Action: 's3:*', Resource: '*' },
          { Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        ]),
      ],
      ActionNames: ['s3:DeleteObject'],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyType: 'ip', ContextKeyValues: ['192.0.2.1'] }],
    }),
  );
  assert.equal(c.EvaluationResults![0].EvalDecision, 'explicitDeny');
  await rejects(
    iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: ['{nope'], ActionNames: ['s3:GetObject'] })),
    'MalformedPolicyDocumentException',
    400,
  );
});

test('both AWS CLIs and boto3 drive IAM (boto3 decodes the URL-encoded documents)', async () => {
  for (const [bin, name] of [
    [AWS_CLI_V1, 'cli-v1'],
    [AWS_CLI_V2, 'cli-v2'],
  ]) {
    const made = await runCli(bin, [
      '--endpoint-url',
      nimbus.url,
      'iam',
      'create-user',
      '--user-name',
      name,
      '--query',
      'User.Arn',
      '--output',
      'text',
    ]);
    assert.equal(made.stdout.trim(), `arn:aws:iam::000000000000:user/${name}`, made.stderr);
    const dup = await runCli(bin, ['--endpoint-url', nimbus.url, 'iam', 'create-user', '--user-name', name]);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, new RegExp(`EntityAlreadyExists.*User with name ${name} already exists\\.`));
    const role = await runCli(bin, [
      '--endpoint-url',
      nimbus.url,
      'iam',
      'get-role',
      '--role-name',
      'fn',
      '--query',
      'Role.AssumeRolePolicyDocument.Statement[0].Principal.Service',
      '--output',
      'text',
    ]);
    assert.equal(role.stdout.trim(), 'lambda.amazonaws.com', role.stderr);
  }
  const py = await runCli('python3', [
    '-c',
    `
import boto3
iam = boto3.client('iam', endpoint_url='${nimbus.url}')
role = iam.get_role(RoleName='fn')['Role']
print(role['AssumeRolePolicyDocument']['Statement'][0]['Principal']['Service'])
try:
    iam.get_user(UserName='ghost')
except iam.exceptions.NoSuchEntityException as e:
    print(e.response['Error']['Message'])
`,
  ]);
  assert.equal(py.stdout.trim(), 'lambda.amazonaws.com\nThe user with name ghost cannot be found.', py.stderr);
});
