// SSM Parameter Store through the SDK v3: String, StringList and SecureString parameters, versions,
// selectors, labels, hierarchies and paging, filters, tags, public AMI parameters, and AWS's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SSMClient,
  PutParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  GetParametersByPathCommand,
  DeleteParameterCommand,
  DeleteParametersCommand,
  DescribeParametersCommand,
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  UnlabelParameterVersionCommand,
  AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-ssm';
import { KMSClient, CreateKeyCommand, CreateAliasCommand, DecryptCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let ssm: SSMClient;
let kms: KMSClient;
const nimbus = serverForFile(() => {
  ssm = new SSMClient(clientConfig(nimbus.url));
  kms = new KMSClient(clientConfig(nimbus.url));
});

test('PutParameter then GetParameter: versions count up with Overwrite, selectors pick a version', async () => {
  const put = await ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db1', Type: 'String', Description: 'the host' }));
  assert.deepEqual([put.Version, put.Tier], [1, 'Standard']);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db2', Type: 'String' })),
    'ParameterAlreadyExists',
    400,
    (e) =>
      assert.equal(e.message, 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.'),
  );
  assert.equal((await ssm.send(new PutParameterCommand({ Name: '/app/db/host', Value: 'db2', Overwrite: true }))).Version, 2);
  const p = (await ssm.send(new GetParameterCommand({ Name: '/app/db/host' }))).Parameter!;
  assert.equal(p.Value, 'db2');
  assert.equal(p.Version, 2);
  assert.equal(p.Type, 'String');
  assert.equal(p.DataType, 'text');
  assert.equal(p.ARN, 'arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host');
  const v1 = (await ssm.send(new GetParameterCommand({ Name: '/app/db/host:1' }))).Parameter!;
  assert.deepEqual([v1.Value, v1.Selector, v1.Name], ['db1', ':1', '/app/db/host']);
  assert.equal((await ssm.send(new GetParameterCommand({ Name: p.ARN }))).Parameter!.Value, 'db2');
  await rejects(ssm.send(new GetParameterCommand({ Name: '/app/db/host:7' })), 'ParameterVersionNotFound', 400, (e) =>
    assert.equal(e.message, 'Systems Manager could not find version 7 of /app/db/host. Verify the version and try again.'),
  );
  await rejects(ssm.send(new GetParameterCommand({ Name: '/app/nothing' })), 'ParameterNotFound', 400);
  // the description is kept by an overwrite that does not give one
  const history = (await ssm.send(new GetParameterHistoryCommand({ Name: '/app/db/host' }))).Parameters!;
  assert.deepEqual(
    history.map((h) => [h.Version, h.Value, h.Description]),
    [
      [1, 'db1', 'the host'],
      [2, 'db2', 'the host'],
    ],
  );
  assert.equal(history[0].LastModifiedUser, 'arn:aws:iam::000000000000:root');
});

test('SecureString: encrypted with alias/aws/ssm or a customer key, decrypted only WithDecryption', async () => {
  await ssm.send(new PutParameterCommand({ Name: '/app/secret', Value: 's3cr3t', Type: 'SecureString' }));
  const hidden = (await ssm.send(new GetParameterCommand({ Name: '/app/secret' }))).Parameter!;
  assert.notEqual(hidden.Value, 's3cr3t');
  // the stored value is a KMS ciphertext whose context is the parameter's ARN
  const plain = await kms.send(
    new DecryptCommand({ CiphertextBlob: Buffer.from(hidden.Value!, 'base64'), EncryptionContext: { PARAMETER_ARN: hidden.ARN! } }),
  );
  assert.equal(Buffer.from(plain.Plaintext!).toString(), 's3cr3t');
  assert.match(plain.KeyId!, /:key\//);
  assert.equal((await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }))).Parameter!.Value, 's3cr3t');
  const meta = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: ['/app/secret'] }] })))
    .Parameters!;
  assert.equal(meta[0].KeyId, 'alias/aws/ssm');

  const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/params', TargetKeyId: key }));
  await ssm.send(new PutParameterCommand({ Name: '/app/token', Value: 'tok', Type: 'SecureString', KeyId: 'alias/params' }));
  const got = await ssm.send(new GetParametersCommand({ Names: ['/app/token', '/app/secret', '/app/missing'], WithDecryption: true }));
  assert.deepEqual(got.Parameters!.map((x) => x.Value).sort(), ['s3cr3t', 'tok']);
  assert.deepEqual(got.InvalidParameters, ['/app/missing']);
  await rejects(
    ssm.send(new PutParameterCommand({ Name: '/app/t2', Value: 'x', Type: 'SecureString', KeyId: 'alias/none' })),
    'InvalidKeyId',
    400,
  );
  await rejects(
    ssm.send(new PutParameterCommand({ Name: '/app/t3', Value: 'x', Type: 'String', KeyId: 'alias/params' })),
    'ValidationException',
    400,
  );
  await kms.send(new DisableKeyCommand({ KeyId: key }));
  await rejects(ssm.send(new GetParameterCommand({ Name: '/app/token', WithDecryption: true })), 'DisabledException');
});

test('GetParametersByPath: one level or recursive, filters, paging with NextToken', async () => {
  for (let i = 0; i < 13; i++)
    await ssm.send(new PutParameterCommand({ Name: `/svc/cfg/k${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: 'String' }));
  await ssm.send(new PutParameterCommand({ Name: '/svc/cfg/deep/x', Value: 'deep', Type: 'StringList' }));
  const first = await ssm.send(new GetParametersByPathCommand({ Path: '/svc/cfg' }));
  assert.equal(first.Parameters!.length, 10);
  const second = await ssm.send(new GetParametersByPathCommand({ Path: '/svc/cfg', NextToken: first.NextToken }));
  assert.equal(second.NextToken, undefined);
  const names = [...first.Parameters!, ...second.Parameters!].map((p) => p.Name);
  assert.equal(names.length, 13);
  assert.ok(!names.includes('/svc/cfg/deep/x'));
  const all: string[] = [];
  let token: string | undefined;
  do {
    const r = await ssm.send(new GetParametersByPathCommand({ Path: '/svc', Recursive: true, MaxResults: 4, NextToken: token }));
    all.push(...r.Parameters!.map((p) => p.Name!));
    token = r.NextToken;
  } while (token);
  assert.equal(all.length, 14);
  const lists = await ssm.send(
    new GetParametersByPathCommand({ Path: '/svc', Recursive: true, ParameterFilters: [{ Key: 'Type', Values: ['StringList'] }] }),
  );
  assert.deepEqual(
    lists.Parameters!.map((p) => p.Name),
    ['/svc/cfg/deep/x'],
  );
  await rejects(
    ssm.send(new GetParametersByPathCommand({ Path: '/svc', ParameterFilters: [{ Key: 'Name', Values: ['x'] }] })),
    'InvalidFilterKey',
    400,
  );
  await rejects(ssm.send(new GetParametersByPathCommand({ Path: '/svc', MaxResults: 11 })), 'ValidationException', 400);
});

test('DescribeParameters: ParameterFilters (Name BeginsWith, Path, Type, Tier, tag:) and legacy Filters', async () => {
  await ssm.send(new PutParameterCommand({ Name: '/desc/a', Value: 'a', Type: 'String', Tags: [{ Key: 'team', Value: 'blue' }] }));
  await ssm.send(new PutParameterCommand({ Name: '/desc/b/c', Value: 'x'.repeat(5000), Type: 'String', Tier: 'Advanced' }));
  const names = async (filters: { Key: string; Option?: string; Values?: string[] }[]) =>
    (await ssm.send(new DescribeParametersCommand({ ParameterFilters: filters }))).Parameters!.map((p) => p.Name);
  assert.deepEqual(await names([{ Key: 'Name', Option: 'BeginsWith', Values: ['/desc/'] }]), ['/desc/a', '/desc/b/c']);
  assert.deepEqual(await names([{ Key: 'Path', Values: ['/desc'] }]), ['/desc/a']);
  assert.deepEqual(await names([{ Key: 'Path', Option: 'Recursive', Values: ['/desc'] }]), ['/desc/a', '/desc/b/c']);
  assert.deepEqual(
    await names([
      { Key: 'Path', Option: 'Recursive', Values: ['/desc'] },
      { Key: 'Tier', Values: ['Advanced'] },
    ]),
    ['/desc/b/c'],
  );
  assert.deepEqual(await names([{ Key: 'tag:team', Values: ['blue'] }]), ['/desc/a']);
  const legacy = await ssm.send(new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['/desc/a'] }] }));
  assert.deepEqual(
    legacy.Parameters!.map((p) => p.Name),
    ['/desc/a'],
  );
  await rejects(
    ssm.send(
      new DescribeParametersCommand({ Filters: [{ Key: 'Name', Values: ['x'] }], ParameterFilters: [{ Key: 'Type', Values: ['String'] }] }),
    ),
    'ValidationException',
    400,
    (e) => assert.equal(e.message, 'You can use either Filters or ParameterFilters in a single request.'),
  );
  await rejects(
    ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'Deep', Values: ['/desc'] }] })),
    'InvalidFilterOption',
    400,
  );
});

test('labels: attached, moved between versions, read as name:label, removed; 10 per version', async () => {
  await ssm.send(new PutParameterCommand({ Name: '/lab/p', Value: 'one', Type: 'String' }));
  await ssm.send(new PutParameterCommand({ Name: '/lab/p', Value: 'two', Type: 'String', Overwrite: true }));
  const r = await ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 1, Labels: ['prod', 'aws-bad', '1st'] }));
  assert.deepEqual([r.ParameterVersion, r.InvalidLabels], [1, ['aws-bad', '1st']]);
  assert.equal((await ssm.send(new GetParameterCommand({ Name: '/lab/p:prod' }))).Parameter!.Value, 'one');
  await ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', Labels: ['prod'] }));
  assert.equal((await ssm.send(new GetParameterCommand({ Name: '/lab/p:prod' }))).Parameter!.Value, 'two');
  const h = (await ssm.send(new GetParameterHistoryCommand({ Name: '/lab/p' }))).Parameters!;
  assert.deepEqual(
    h.map((x) => x.Labels),
    [[], ['prod']],
  );
  const byLabel = await ssm.send(new GetParametersByPathCommand({ Path: '/lab', ParameterFilters: [{ Key: 'Label', Values: ['prod'] }] }));
  assert.deepEqual(
    byLabel.Parameters!.map((p) => p.Value),
    ['two'],
  );
  const un = await ssm.send(new UnlabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 2, Labels: ['prod', 'nope'] }));
  assert.deepEqual([un.RemovedLabels, un.InvalidLabels], [['prod'], ['nope']]);
  await rejects(ssm.send(new GetParameterCommand({ Name: '/lab/p:prod' })), 'ParameterNotFound');
  await rejects(
    ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 9, Labels: ['x'] })),
    'ParameterVersionNotFound',
  );
  await ssm.send(
    new LabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 1, Labels: Array.from({ length: 10 }, (_, i) => `l${i}`) }),
  );
  await rejects(
    ssm.send(new LabelParameterVersionCommand({ Name: '/lab/p', ParameterVersion: 1, Labels: ['l10'] })),
    'ParameterVersionLabelLimitExceeded',
  );
});

test('100 versions at most: the oldest goes, unless it carries a label', async () => {
  await ssm.send(new PutParameterCommand({ Name: 'versions', Value: 'v1', Type: 'String' }));
  await ssm.send(new LabelParameterVersionCommand({ Name: 'versions', ParameterVersion: 1, Labels: ['first'] }));
  for (let i = 2; i <= 100; i++) await ssm.send(new PutParameterCommand({ Name: 'versions', Value: `v${i}`, Overwrite: true }));
  await rejects(
    ssm.send(new PutParameterCommand({ Name: 'versions', Value: 'v101', Overwrite: true })),
    'ParameterMaxVersionLimitExceeded',
    400,
    (e) =>
      assert.match(
        String(e.message),
        /^You attempted to create a new version of versions by calling the PutParameter API with the overwrite flag\. Version 1, the oldest version/,
      ),
  );
  await ssm.send(new UnlabelParameterVersionCommand({ Name: 'versions', ParameterVersion: 1, Labels: ['first'] }));
  assert.equal((await ssm.send(new PutParameterCommand({ Name: 'versions', Value: 'v101', Overwrite: true }))).Version, 101);
  await rejects(ssm.send(new GetParameterCommand({ Name: 'versions:1' })), 'ParameterVersionNotFound');
  const page = await ssm.send(new GetParameterHistoryCommand({ Name: 'versions', MaxResults: 50 }));
  assert.equal(page.Parameters![0].Version, 2);
  const rest = await ssm.send(new GetParameterHistoryCommand({ Name: 'versions', NextToken: page.NextToken }));
  assert.equal(rest.Parameters!.at(-1)!.Version, 101);
});

test('bad input: names, tiers, patterns, data types, types, tags with overwrite', async () => {
  const put = (input: Record<string, unknown>) =>
    ssm.send(new PutParameterCommand({ Name: '/bad/p', Value: 'v', Type: 'String', ...input }));
  await rejects(put({ Name: 'awsThing' }), 'ValidationException', 400, (e) =>
    assert.equal(e.message, 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).'),
  );
  await rejects(put({ Name: '/aws/service/mine' }), 'AccessDeniedException', 400);
  await rejects(put({ Name: 'a/b' }), 'ValidationException', 400, (e) =>
    assert.equal(e.message, 'Parameter name must be a fully qualified name.'),
  );
  await rejects(put({ Name: '/has space' }), 'ValidationException', 400);
  await rejects(put({ Name: '/' + Array.from({ length: 16 }, (_, i) => `l${i}`).join('/') }), 'HierarchyLevelLimitExceededException', 400);
  assert.equal((await put({ Name: '/' + Array.from({ length: 15 }, (_, i) => `l${i}`).join('/') })).Version, 1);
  await rejects(put({ Value: 'x'.repeat(4097) }), 'ValidationException', 400, (e) =>
    assert.match(String(e.message), /^Standard tier parameters support a maximum parameter value of 4096 characters/),
  );
  assert.equal((await put({ Name: '/bad/big', Value: 'x'.repeat(8192), Tier: 'Advanced' })).Tier, 'Advanced');
  await rejects(put({ Name: '/bad/big2', Value: 'x'.repeat(8193), Tier: 'Advanced' }), 'ValidationException', 400);
  assert.equal((await put({ Name: '/bad/it', Value: 'x'.repeat(5000), Tier: 'Intelligent-Tiering' })).Tier, 'Advanced');
  await rejects(put({ Name: '/bad/big', Value: 'y', Tier: 'Standard', Overwrite: true }), 'ValidationException', 400);
  await rejects(put({ Value: 'abc', AllowedPattern: '^\\d+$' }), 'ParameterPatternMismatchException', 400, (e) =>
    assert.equal(e.message, 'Parameter value, cannot be validated against allowedPattern: ^\\d+$'),
  );
  assert.equal((await put({ Name: '/bad/num', Value: '123', AllowedPattern: '^\\d+$' })).Version, 1);
  await rejects(put({ Name: '/bad/num', Value: 'x', Overwrite: true }), 'ParameterPatternMismatchException');
  await rejects(put({ DataType: 'aws:ec2:image', Value: 'not-an-ami' }), 'ValidationException', 400);
  await rejects(put({ DataType: 'Text' }), 'ValidationException', 400, (e) =>
    assert.equal(e.message, 'The following data type is not supported: Text (Data type names are all lowercase.)'),
  );
  await rejects(ssm.send(new PutParameterCommand({ Name: '/bad/notype', Value: 'v' })), 'ValidationException', 400, (e) =>
    assert.equal(e.message, 'A parameter type is required when you create a parameter.'),
  );
  await rejects(put({ Name: '/bad/num', Overwrite: true, Value: '1', Tags: [{ Key: 'a', Value: 'b' }] }), 'ValidationException', 400);
  await rejects(put({ Value: '' }), 'ValidationException', 400);
  await rejects(put({ Type: 'Number' }), 'ValidationException', 400);
});

test('delete and tags: DeleteParameter(s), Add/Remove/ListTagsForResource', async () => {
  await ssm.send(new PutParameterCommand({ Name: '/del/a', Value: 'a', Type: 'String', Tags: [{ Key: 'env', Value: 'dev' }] }));
  await ssm.send(new PutParameterCommand({ Name: '/del/b', Value: 'b', Type: 'String' }));
  await ssm.send(
    new AddTagsToResourceCommand({
      ResourceType: 'Parameter',
      ResourceId: '/del/a',
      Tags: [
        { Key: 'owner', Value: 'me' },
        { Key: 'env', Value: 'prod' },
      ],
    }),
  );
  const tags = (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/del/a' }))).TagList!;
  assert.deepEqual(tags.map((t) => `${t.Key}=${t.Value}`).sort(), ['env=prod', 'owner=me']);
  await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: '/del/a', TagKeys: ['env'] }));
  assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/del/a' }))).TagList, [
    { Key: 'owner', Value: 'me' },
  ]);
  await rejects(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: '/del/none' })), 'InvalidResourceId', 400);
  await ssm.send(new DeleteParameterCommand({ Name: '/del/a' }));
  await rejects(ssm.send(new DeleteParameterCommand({ Name: '/del/a' })), 'ParameterNotFound', 400);
  const r = await ssm.send(new DeleteParametersCommand({ Names: ['/del/b', '/del/zz'] }));
  assert.deepEqual([r.DeletedParameters, r.InvalidParameters], [['/del/b'], ['/del/zz']]);
});

test("public parameters: /aws/service/ami-amazon-linux-latest resolves to the region's catalogue image", async () => {
  const name = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
  const p = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter!;
  assert.match(p.Value!, /^ami-[0-9a-f]{17}$/);
  assert.equal(p.ARN, `arn:aws:ssm:us-east-1::parameter${name}`);
  const west = new SSMClient(clientConfig(nimbus.url, { region: 'eu-west-1' }));
  const w = (await west.send(new GetParameterCommand({ Name: name }))).Parameter!;
  assert.notEqual(w.Value, p.Value);
  const family = await ssm.send(new GetParametersByPathCommand({ Path: '/aws/service/ami-amazon-linux-latest' }));
  assert.ok(family.Parameters!.length >= 3);
  assert.ok(family.Parameters!.some((x) => x.Name === name && x.Value === p.Value));
  const ubuntu = await ssm.send(new GetParametersByPathCommand({ Path: '/aws/service/canonical', Recursive: true }));
  assert.ok(ubuntu.Parameters!.length >= 2);
});
