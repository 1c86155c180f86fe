// EC2 under enforcement: a denied call is UnauthorizedOperation carrying an encoded authorization
// failure message, which STS DecodeAuthorizationMessage turns back into the documented JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { EC2Client, DescribeVpcsCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { STSClient, DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

const nimbus = serverForFile(undefined, { enforceIam: true });

test('UnauthorizedOperation carries a message only DecodeAuthorizationMessage can read', async () => {
  const iam = new IAMClient(clientConfig(nimbus.url));
  await iam.send(new CreateUserCommand({ UserName: 'ivan' }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: 'ivan',
      PolicyName: 'p',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 'sts:DecodeAuthorizationMessage'], Resource: '*' }],
      }),
    }),
  );
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'ivan' }))).AccessKey!;
  const creds = { credentials: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } };
  const ec2 = new EC2Client(clientConfig(nimbus.url, creds));
  const vpcs = await ec2.send(new DescribeVpcsCommand({}));
  assert.ok(vpcs.Vpcs?.some((v) => v.IsDefault));
  let encoded = '';
  await rejects(ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })), 'UnauthorizedOperation', 403, (e) => {
    const m =
      /^You are not authorized to perform this operation\. User: arn:aws:iam::000000000000:user\/ivan is not authorized to perform: ec2:CreateVpc on resource: \* because no identity-based policy allows the ec2:CreateVpc action\. Encoded authorization failure message: (\S+)$/.exec(
        String(e.message),
      );
    assert.ok(m, String(e.message));
    encoded = m[1];
  });
  const out = await new STSClient(clientConfig(nimbus.url, creds)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
  const d = JSON.parse(out.DecodedMessage!);
  assert.equal(d.allowed, false);
  assert.equal(d.explicitDeny, false);
  assert.equal(d.context.action, 'ec2:CreateVpc');
  assert.equal(d.context.principal.arn, 'arn:aws:iam::000000000000:user/ivan');
  assert.ok(
    d.context.conditions.items.some(
      (i: { key: string; values: { items: { value: string }[] } }) =>
        i.key === 'aws:requestedregion' && i.values.items[0].value === 'us-east-1',
    ),
  );
});
