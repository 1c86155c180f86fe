// EC2 with Parameter Store: RunInstances and launch templates take `resolve:ssm:<parameter>` as their
// ImageId (a public /aws/service/… parameter, or the account's own, with a version or label selector).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import { SSMClient, GetParameterCommand, PutParameterCommand, LabelParameterVersionCommand } from '@aws-sdk/client-ssm';
import { serverForFile, clientConfig, rejects } from '../helpers.js';

let ec2: E.EC2Client;
let ssm: SSMClient;
const nimbus = serverForFile(() => {
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  ssm = new SSMClient(clientConfig(nimbus.url));
});

const AL2023 = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';

test('RunInstances with resolve:ssm: launches the image the parameter names', async () => {
  const ami = (await ssm.send(new GetParameterCommand({ Name: AL2023 }))).Parameter!.Value!;
  const images = await ec2.send(new E.DescribeImagesCommand({ ImageIds: [ami] }));
  assert.equal(images.Images![0].Architecture, 'x86_64');
  const r = await ec2.send(
    new E.RunInstancesCommand({ ImageId: `resolve:ssm:${AL2023}`, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
  );
  assert.equal(r.Instances![0].ImageId, ami);

  // the account's own parameter, read at a labelled version
  const arm = (await ssm.send(new GetParameterCommand({ Name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64' })))
    .Parameter!.Value!;
  await ssm.send(new PutParameterCommand({ Name: '/golden/ami', Value: ami, Type: 'String', DataType: 'aws:ec2:image' }));
  await ssm.send(new PutParameterCommand({ Name: '/golden/ami', Value: arm, Overwrite: true }));
  await ssm.send(new LabelParameterVersionCommand({ Name: '/golden/ami', ParameterVersion: 1, Labels: ['stable'] }));
  const pinned = await ec2.send(
    new E.RunInstancesCommand({ ImageId: 'resolve:ssm:/golden/ami:stable', InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
  );
  assert.equal(pinned.Instances![0].ImageId, ami);
  const latest = await ec2.send(
    new E.RunInstancesCommand({ ImageId: 'resolve:ssm:/golden/ami', InstanceType: 't4g.micro', MinCount: 1, MaxCount: 1 }),
  );
  assert.equal(latest.Instances![0].ImageId, arm);
});

test('a launch template keeps resolve:ssm: and RunInstances resolves it at launch', async () => {
  const ami = (await ssm.send(new GetParameterCommand({ Name: AL2023 }))).Parameter!.Value!;
  const t = await ec2.send(
    new E.CreateLaunchTemplateCommand({
      LaunchTemplateName: 'from-ssm',
      LaunchTemplateData: { ImageId: `resolve:ssm:${AL2023}`, InstanceType: 't3.small' },
    }),
  );
  const r = await ec2.send(
    new E.RunInstancesCommand({ LaunchTemplate: { LaunchTemplateId: t.LaunchTemplate!.LaunchTemplateId }, MinCount: 1, MaxCount: 1 }),
  );
  assert.equal(r.Instances![0].ImageId, ami);
});

test('resolve:ssm: with a missing parameter or one that holds no AMI id is InvalidParameterValue', async () => {
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: 'resolve:ssm:/no/such', MinCount: 1, MaxCount: 1 })),
    'InvalidParameterValue',
    400,
  );
  await ssm.send(new PutParameterCommand({ Name: '/not/ami', Value: 'hello', Type: 'String' }));
  await rejects(
    ec2.send(new E.RunInstancesCommand({ ImageId: 'resolve:ssm:/not/ami', MinCount: 1, MaxCount: 1 })),
    'InvalidParameterValue',
    400,
  );
});
