// Load balancing and Auto Scaling through the AWS CLI v1, the AWS CLI v2 and boto3: an ALB on two
// default subnets with a target group and a listener, an Auto Scaling group registering its
// instances there, scaling, and the services' errors as each client prints them; an ALB built with
// the CLI forwarding curl's requests to two local servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serverForFile, runCli, advanceClock, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

async function aws(cli: string, ...args: string[]): Promise<any> {
  const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  test(`AWS CLI ${name}: ALB, target group, listener; an Auto Scaling group registering its instances; errors`, async () => {
    const vpc = (await aws(cli, 'ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true')).Vpcs[0].VpcId;
    const subnets = (
      await aws(
        cli,
        'ec2',
        'describe-subnets',
        '--filters',
        `Name=vpc-id,Values=${vpc}`,
        'Name=availability-zone,Values=us-east-1a,us-east-1b',
      )
    ).Subnets.map((s: { SubnetId: string }) => s.SubnetId);
    const lb = (await aws(cli, 'elbv2', 'create-load-balancer', '--name', `cli-${name}`, '--subnets', ...subnets)).LoadBalancers[0];
    assert.match(lb.DNSName, new RegExp(`^cli-${name}-\\d+\\.us-east-1\\.elb\\.localhost$`));
    const tg = (
      await aws(
        cli,
        'elbv2',
        'create-target-group',
        '--name',
        `tg-${name}`,
        '--protocol',
        'HTTP',
        '--port',
        '80',
        '--vpc-id',
        vpc,
        '--health-check-path',
        '/up',
      )
    ).TargetGroups[0];
    await aws(
      cli,
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
    const image = (await aws(cli, 'ec2', 'describe-images', '--owners', 'amazon', '--filters', 'Name=name,Values=al2023-ami-*-x86_64'))
      .Images[0].ImageId;
    await aws(
      cli,
      'autoscaling',
      'create-launch-configuration',
      '--launch-configuration-name',
      `lc-${name}`,
      '--image-id',
      image,
      '--instance-type',
      't3.micro',
    );
    await aws(
      cli,
      'autoscaling',
      'create-auto-scaling-group',
      '--auto-scaling-group-name',
      `asg-${name}`,
      '--launch-configuration-name',
      `lc-${name}`,
      '--min-size',
      '1',
      '--max-size',
      '3',
      '--desired-capacity',
      '2',
      '--vpc-zone-identifier',
      subnets.join(','),
      '--target-group-arns',
      tg.TargetGroupArn,
    );
    const group = (await aws(cli, 'autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', `asg-${name}`))
      .AutoScalingGroups[0];
    assert.equal(group.Instances.length, 2);
    const health = await aws(cli, 'elbv2', 'describe-target-health', '--target-group-arn', tg.TargetGroupArn);
    assert.deepEqual(
      health.TargetHealthDescriptions.map((d: { Target: { Id: string } }) => d.Target.Id).sort(),
      group.Instances.map((i: { InstanceId: string }) => i.InstanceId).sort(),
    );
    await aws(cli, 'autoscaling', 'set-desired-capacity', '--auto-scaling-group-name', `asg-${name}`, '--desired-capacity', '3');
    const acts = await aws(cli, 'autoscaling', 'describe-scaling-activities', '--auto-scaling-group-name', `asg-${name}`);
    assert.equal(acts.Activities.length, 3);

    const dup = await runCli(cli, [
      '--endpoint-url',
      nimbus.url,
      'elbv2',
      'create-load-balancer',
      '--name',
      `cli-${name}`,
      '--type',
      'network',
      '--subnets',
      subnets[0],
    ]);
    assert.match(
      dup.stderr,
      /An error occurred \(DuplicateLoadBalancerName\) when calling the CreateLoadBalancer operation: A load balancer with the same name exists, but with different settings/,
    );
    const big = await runCli(cli, [
      '--endpoint-url',
      nimbus.url,
      'autoscaling',
      'set-desired-capacity',
      '--auto-scaling-group-name',
      `asg-${name}`,
      '--desired-capacity',
      '9',
    ]);
    assert.match(
      big.stderr,
      /\(ValidationError\) when calling the SetDesiredCapacity operation: New SetDesiredCapacity value 9 is above max value 3 for the AutoScalingGroup\./,
    );
    const inUse = await runCli(cli, [
      '--endpoint-url',
      nimbus.url,
      'autoscaling',
      'delete-auto-scaling-group',
      '--auto-scaling-group-name',
      `asg-${name}`,
    ]);
    assert.match(inUse.stderr, /\(ResourceInUse\)/);
    await aws(cli, 'autoscaling', 'delete-auto-scaling-group', '--auto-scaling-group-name', `asg-${name}`, '--force-delete');
    await aws(cli, 'elbv2', 'delete-load-balancer', '--load-balancer-arn', lb.LoadBalancerArn);
    await aws(cli, 'elbv2', 'delete-target-group', '--target-group-arn', tg.TargetGroupArn);
  });
}

test('boto3: ALB, target group, registered instances healthy after the clock advances, an Auto Scaling group, waiters and errors', async () => {
  const script = `
import boto3, sys, json, urllib.request
url = sys.argv[1]
kw = dict(endpoint_url=url, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
ec2, elb, asg = boto3.client('ec2', **kw), boto3.client('elbv2', **kw), boto3.client('autoscaling', **kw)
vpc = ec2.describe_vpcs(Filters=[{'Name': 'is-default', 'Values': ['true']}])['Vpcs'][0]['VpcId']
subnets = [s['SubnetId'] for s in ec2.describe_subnets(Filters=[{'Name': 'vpc-id', 'Values': [vpc]}, {'Name': 'availability-zone', 'Values': ['us-east-1a', 'us-east-1c']}])['Subnets']]
lb = elb.create_load_balancer(Name='boto-alb', Subnets=subnets)['LoadBalancers'][0]
elb.get_waiter('load_balancer_available').wait(LoadBalancerArns=[lb['LoadBalancerArn']], WaiterConfig={'Delay': 1, 'MaxAttempts': 3})
tg = elb.create_target_group(Name='boto-tg', Protocol='HTTP', Port=8080, VpcId=vpc)['TargetGroups'][0]
elb.create_listener(LoadBalancerArn=lb['LoadBalancerArn'], Protocol='HTTP', Port=80, DefaultActions=[{'Type': 'forward', 'TargetGroupArn': tg['TargetGroupArn']}])
ami = ec2.describe_images(Owners=['amazon'], Filters=[{'Name': 'name', 'Values': ['al2023-ami-*-x86_64']}])['Images'][0]['ImageId']
lt = ec2.create_launch_template(LaunchTemplateName='boto-lt', LaunchTemplateData={'ImageId': ami, 'InstanceType': 't3.micro'})['LaunchTemplate']
asg.create_auto_scaling_group(AutoScalingGroupName='boto-asg', LaunchTemplate={'LaunchTemplateName': 'boto-lt'}, MinSize=2, MaxSize=2, VPCZoneIdentifier=','.join(subnets), TargetGroupARNs=[tg['TargetGroupArn']])
req = urllib.request.Request(url + '/_nimbus/clock', data=json.dumps({'advance': '10m'}).encode(), method='POST')
urllib.request.urlopen(req).read()
states = [d['TargetHealth']['State'] for d in elb.describe_target_health(TargetGroupArn=tg['TargetGroupArn'])['TargetHealthDescriptions']]
assert states == ['healthy', 'healthy'], states
inst = asg.describe_auto_scaling_instances()['AutoScalingInstances']
assert sorted(i['LifecycleState'] for i in inst) == ['InService', 'InService'], inst
try:
    elb.describe_target_groups(Names=['nope'])
    raise SystemExit('should fail')
except elb.exceptions.TargetGroupNotFoundException as e:
    assert e.response['Error']['Code'] == 'TargetGroupNotFound', e.response
try:
    asg.create_auto_scaling_group(AutoScalingGroupName='boto-asg', LaunchTemplate={'LaunchTemplateName': 'boto-lt'}, MinSize=0, MaxSize=1, VPCZoneIdentifier=subnets[0])
    raise SystemExit('should fail')
except asg.exceptions.AlreadyExistsFault as e:
    assert e.response['ResponseMetadata']['HTTPStatusCode'] == 400
asg.delete_auto_scaling_group(AutoScalingGroupName='boto-asg', ForceDelete=True)
elb.delete_load_balancer(LoadBalancerArn=lb['LoadBalancerArn'])
elb.get_waiter('load_balancers_deleted').wait(LoadBalancerArns=[lb['LoadBalancerArn']], WaiterConfig={'Delay': 1, 'MaxAttempts': 3})
print('ok')
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ok');
});

test('AWS CLI v2: an ALB forwarding to two local servers, seen round robin through curl; a stopped one taken out after the clock advances', async () => {
  const servers = await Promise.all(
    ['A', 'B'].map(async (name) => {
      const server = http.createServer((req, res) => res.writeHead(200).end(req.url === '/health' ? 'ok' : name));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return { name, server, port: (server.address() as AddressInfo).port };
    }),
  );
  const cli = AWS_CLI_V2;
  try {
    const vpc = (await aws(cli, 'ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true')).Vpcs[0].VpcId;
    const subnets = (
      await aws(
        cli,
        'ec2',
        'describe-subnets',
        '--filters',
        `Name=vpc-id,Values=${vpc}`,
        'Name=availability-zone,Values=us-east-1a,us-east-1b',
      )
    ).Subnets.map((s: { SubnetId: string }) => s.SubnetId);
    const lb = (await aws(cli, 'elbv2', 'create-load-balancer', '--name', 'cli-fwd', '--subnets', ...subnets)).LoadBalancers[0];
    const tg = (
      await aws(
        cli,
        'elbv2',
        'create-target-group',
        '--name',
        'cli-fwd',
        '--target-type',
        'ip',
        '--protocol',
        'HTTP',
        '--port',
        '80',
        '--vpc-id',
        vpc,
        '--health-check-path',
        '/health',
        '--health-check-interval-seconds',
        '10',
        '--healthy-threshold-count',
        '2',
        '--unhealthy-threshold-count',
        '2',
      )
    ).TargetGroups[0];
    await aws(
      cli,
      'elbv2',
      'register-targets',
      '--target-group-arn',
      tg.TargetGroupArn,
      '--targets',
      ...servers.map((x) => `Id=127.0.0.1,Port=${x.port}`),
    );
    const listener = (
      await aws(
        cli,
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
      )
    ).Listeners[0];
    await aws(
      cli,
      'elbv2',
      'create-rule',
      '--listener-arn',
      listener.ListenerArn,
      '--priority',
      '5',
      '--conditions',
      'Field=path-pattern,Values=/ping',
      '--actions',
      JSON.stringify([
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'pong' } },
      ]),
    );
    await advanceClock(nimbus.url, '30s');
    const health = async () =>
      (await aws(cli, 'elbv2', 'describe-target-health', '--target-group-arn', tg.TargetGroupArn)).TargetHealthDescriptions.map(
        (d: { Target: { Port: number }; TargetHealth: { State: string; Reason?: string } }) => [
          servers.find((x) => x.port === d.Target.Port)!.name,
          d.TargetHealth.State,
          d.TargetHealth.Reason ?? '',
        ],
      ).sort();
    assert.deepEqual(await health(), [
      ['A', 'healthy', ''],
      ['B', 'healthy', ''],
    ]);
    const curl = async (path: string) =>
      (await runCli('curl', ['-s', '--max-time', '10', `http://${lb.DNSName}:${nimbus.port}${path}`])).stdout;
    const seen = [await curl('/'), await curl('/'), await curl('/'), await curl('/')];
    assert.deepEqual([...seen].sort(), ['A', 'A', 'B', 'B']);
    assert.equal(await curl('/ping'), 'pong');
    await new Promise((r) => servers[1].server.close(r));
    await advanceClock(nimbus.url, '30s');
    assert.deepEqual(await health(), [
      ['A', 'healthy', ''],
      ['B', 'unhealthy', 'Target.FailedHealthChecks'],
    ]);
    assert.deepEqual([await curl('/'), await curl('/'), await curl('/')], ['A', 'A', 'A']);
  } finally {
    for (const x of servers) if (x.server.listening) x.server.close();
  }
});
