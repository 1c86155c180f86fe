// An encoded authorization failure message (EC2's UnauthorizedOperation) still decodes after Nimbus
// restarts on the same data directory: the key that seals it is persisted with IAM's state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient, CreateUserCommand, CreateAccessKeyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { EC2Client, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { STSClient, DecodeAuthorizationMessageCommand } from '@aws-sdk/client-sts';
import { startServer, clientConfig, rejects } from '../helpers.js';

test('a denial encoded before a restart decodes after it, for the same user with the same key', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-denial-'));
  try {
    let nimbus = await startServer({ enforceIam: true, ephemeral: false, dataDir });
    let creds: { accessKeyId: string; secretAccessKey: string };
    let encoded = '';
    try {
      const iam = new IAMClient(clientConfig(nimbus.url));
      await iam.send(new CreateUserCommand({ UserName: 'olga' }));
      await iam.send(
        new PutUserPolicyCommand({
          UserName: 'olga',
          PolicyName: 'p',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sts:DecodeAuthorizationMessage', Resource: '*' }],
          }),
        }),
      );
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'olga' }))).AccessKey!;
      creds = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
      await rejects(
        new EC2Client(clientConfig(nimbus.url, { credentials: creds })).send(new CreateVpcCommand({ CidrBlock: '10.7.0.0/16' })),
        'UnauthorizedOperation',
        403,
        (e) => {
          encoded = /Encoded authorization failure message: (\S+)$/.exec(String(e.message))![1];
        },
      );
    } finally {
      await nimbus.stop();
    }
    nimbus = await startServer({ enforceIam: true, ephemeral: false, dataDir });
    try {
      const out = await new STSClient(clientConfig(nimbus.url, { credentials: creds })).send(
        new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }),
      );
      const d = JSON.parse(out.DecodedMessage!);
      assert.equal(d.allowed, false);
      assert.equal(d.context.action, 'ec2:CreateVpc');
      assert.equal(d.context.principal.arn, 'arn:aws:iam::000000000000:user/olga');
    } finally {
      await nimbus.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
