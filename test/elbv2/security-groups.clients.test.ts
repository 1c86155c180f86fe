// The learner's classic mistake through the AWS CLI v2: an ALB with its own security group in front
// of a process-mode instance whose group does not let it in. describe-target-health says
// Target.Timeout and curl gets the ALB's 504; authorize-security-group-ingress --source-group lets
// the ALB in, and after the next checks the target is healthy and curl reaches the instance.
// Skipped where EC2 has no process mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile, runCli, advanceClock, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

async function aws(...args: string[]): Promise<any> {
  const r = await runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

const SERVER = `#!/usr/bin/env node
require('http').createServer((req, res) => res.end('hello')).listen(8080, process.env.NIMBUS_BIND_ADDRESS);
`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('AWS CLI v2: Target.Timeout and 504 until the instance security group lets the ALB security group in', async (t) => {
  if (!nimbus.runtime.integrations.ec2?.endpoint) return t.skip('EC2 has no process mode here');
  const vpc = (await aws('ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true')).Vpcs[0].VpcId;
  const subnets = (
    await aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc}`, 'Name=availability-zone,Values=us-east-1a,us-east-1b')
  ).Subnets.map((s: { SubnetId: string }) => s.SubnetId);
  const group = async (name: string) =>
    (await aws('ec2', 'create-security-group', '--group-name', name, '--description', name, '--vpc-id', vpc)).GroupId;
  const [albSg, webSg] = [await group('alb-sg'), await group('web-sg')];
  await aws('ec2', 'authorize-security-group-ingress', '--group-id', albSg, '--protocol', 'tcp', '--port', '80', '--cidr', '0.0.0.0/0');
  const image = (await aws('ec2', 'describe-images', '--owners', 'amazon', '--filters', 'Name=name,Values=al2023-ami-*')).Images[0].ImageId;
  const id = (
    await aws(
      'ec2',
      'run-instances',
      '--image-id',
      image,
      '--instance-type',
      't3.micro',
      '--subnet-id',
      subnets[0],
      '--security-group-ids',
      webSg,
      '--user-data',
      SERVER,
      '--tag-specifications',
      'ResourceType=instance,Tags=[{Key=nimbus:run,Value=process}]',
    )
  ).Instances[0].InstanceId;
  try {
    const lb = (await aws('elbv2', 'create-load-balancer', '--name', 'cli-sg', '--subnets', ...subnets, '--security-groups', albSg))
      .LoadBalancers[0];
    const tg = (
      await aws(
        'elbv2',
        'create-target-group',
        '--name',
        'cli-sg',
        '--protocol',
        'HTTP',
        '--port',
        '8080',
        '--vpc-id',
        vpc,
        '--health-check-interval-seconds',
        '10',
        '--healthy-threshold-count',
        '2',
        '--unhealthy-threshold-count',
        '2',
      )
    ).TargetGroups[0];
    await aws('elbv2', 'register-targets', '--target-group-arn', tg.TargetGroupArn, '--targets', `Id=${id}`);
    await aws(
      'elbv2',
      'create-listener',
      '--load-balancer-arn',
      lb.LoadBalancerArn,
      '--protocol',
      'HTTP',
      '--port',
      '80',
      '--default-actions',
      `Type=forward,TargetGroupArn=${tg.TargetGroupArn}`,
    );
    const health = async () =>
      (await aws('elbv2', 'describe-target-health', '--target-group-arn', tg.TargetGroupArn)).TargetHealthDescriptions[0].TargetHealth;
    const curl = async () => {
      const r = await runCli('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `Host: ${lb.DNSName}`, `${nimbus.url}/`]);
      return r.stdout;
    };
    // once the instance is running, two checks in a row time out
    for (let i = 0; i < 10 && (await health()).State !== 'unhealthy'; i++) await advanceClock(nimbus.url, '10s');
    assert.deepEqual(await health(), { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' });
    assert.equal(await curl(), '504');

    await aws(
      'ec2',
      'authorize-security-group-ingress',
      '--group-id',
      webSg,
      '--protocol',
      'tcp',
      '--port',
      '8080',
      '--source-group',
      albSg,
    );
    // the instance's server starts in real time; its checks pass once it listens
    for (let i = 0; i < 30 && (await health()).State !== 'healthy'; i++) {
      await advanceClock(nimbus.url, '10s');
      await pause(200);
    }
    assert.deepEqual(await health(), { State: 'healthy' });
    assert.equal(await curl(), '200');
  } finally {
    await aws('ec2', 'terminate-instances', '--instance-ids', id);
  }
});
