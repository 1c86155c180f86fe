// Elastic Load Balancing v2 through SDK v3: an application load balancer across two subnets of the
// default VPC, a target group with health check settings, a listener with rules, instances registered
// and turning healthy on the virtual clock, tags, attributes, and ELB's errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig, advanceClock, rejects } from '../helpers.js';

let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
const nimbus = serverForFile(async () => {
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

async function defaultNetwork() {
  const vpcs = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const vpcId = vpcs.Vpcs![0].VpcId!;
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  const byZone = new Map(subnets.Subnets!.map((s) => [s.AvailabilityZone!, s.SubnetId!]));
  return { vpcId, subnets: [...byZone.values()] };
}

async function instances(count: number, subnetId: string): Promise<string[]> {
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  const run = await ec2.send(
    new E.RunInstancesCommand({
      ImageId: images.Images![0].ImageId,
      MinCount: count,
      MaxCount: count,
      InstanceType: 't3.micro',
      SubnetId: subnetId,
    }),
  );
  return run.Instances!.map((i) => i.InstanceId!);
}

test('an ALB across two subnets, a target group and a listener: registered instances turn healthy as the clock advances', async () => {
  const { vpcId, subnets } = await defaultNetwork();
  const lb = (
    await elb.send(
      new L.CreateLoadBalancerCommand({ Name: 'web-alb', Subnets: subnets.slice(0, 2), Tags: [{ Key: 'env', Value: 'test' }] }),
    )
  ).LoadBalancers![0];
  assert.match(lb.LoadBalancerArn!, /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer\/app\/web-alb\/[0-9a-f]{16}$/);
  assert.match(lb.DNSName!, /^web-alb-\d+\.us-east-1\.elb\.localhost$/);
  assert.equal(lb.Type, 'application');
  assert.equal(lb.Scheme, 'internet-facing');
  assert.equal(lb.VpcId, vpcId);
  assert.equal(lb.State!.Code, 'active');
  assert.equal(lb.AvailabilityZones!.length, 2);
  assert.equal(lb.SecurityGroups!.length, 1, 'the VPC default security group');

  const tg = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'web',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 3,
      }),
    )
  ).TargetGroups![0];
  assert.equal(tg.HealthCheckPath, '/health');
  assert.equal(tg.HealthCheckTimeoutSeconds, 5);
  assert.equal(tg.UnhealthyThresholdCount, 2);
  assert.equal(tg.Matcher!.HttpCode, '200');
  assert.deepEqual(tg.LoadBalancerArns, []);

  const ids = await instances(2, subnets[0]);
  await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: ids.map((Id) => ({ Id })) }));
  let health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.Reason),
    ['Target.NotInUse', 'Target.NotInUse'],
    'no listener forwards to it yet',
  );

  const listener = (
    await elb.send(
      new L.CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    )
  ).Listeners![0];
  assert.equal(listener.DefaultActions![0].ForwardConfig!.TargetGroups![0].TargetGroupArn, tg.TargetGroupArn);
  const described = await elb.send(new L.DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  assert.deepEqual(
    described.TargetGroups!.map((t) => t.LoadBalancerArns),
    [[lb.LoadBalancerArn]],
  );

  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State),
    ['initial', 'initial'],
  );
  assert.equal(health.TargetHealthDescriptions![0].HealthCheckPort, '80');
  await advanceClock(nimbus.url, '20s');
  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.Reason),
    ['Elb.InitialHealthChecking', 'Elb.InitialHealthChecking'],
  );
  await advanceClock(nimbus.url, '15s');
  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State),
    ['healthy', 'healthy'],
  );

  await ec2.send(new E.StopInstancesCommand({ InstanceIds: [ids[1]] }));
  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: ids[1] }] }));
  assert.equal(health.TargetHealthDescriptions![0].TargetHealth!.State, 'unused');
  assert.equal(health.TargetHealthDescriptions![0].TargetHealth!.Reason, 'Target.InvalidState');

  await elb.send(new L.DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: ids[1] }] }));
  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    health.TargetHealthDescriptions!.map((d) => d.Target!.Id),
    [ids[0]],
  );

  // rules: path and host conditions, fixed responses and redirects; the default rule comes last
  const rule = (
    await elb.send(
      new L.CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down' } }],
      }),
    )
  ).Rules![0];
  assert.deepEqual(rule.Conditions![0].PathPatternConfig!.Values, ['/api/*']);
  await elb.send(
    new L.CreateRuleCommand({
      ListenerArn: listener.ListenerArn,
      Priority: 5,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['old.example.com'] } }],
      Actions: [{ Type: 'redirect', RedirectConfig: { Host: 'new.example.com', StatusCode: 'HTTP_301' } }],
    }),
  );
  await rejects(
    elb.send(
      new L.CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: 5,
        Conditions: [{ Field: 'path-pattern', Values: ['/x'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    ),
    'PriorityInUseException',
    400,
  );
  const rules = await elb.send(new L.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }));
  assert.deepEqual(
    rules.Rules!.map((r) => r.Priority),
    ['5', '10', 'default'],
  );
  assert.equal(rules.Rules![0].Actions![0].RedirectConfig!.Path, '/#{path}');
  assert.equal(rules.Rules![2].IsDefault, true);
  await rejects(elb.send(new L.DeleteRuleCommand({ RuleArn: rules.Rules![2].RuleArn })), 'OperationNotPermittedException', 400);
  await elb.send(new L.SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: rules.Rules![0].RuleArn, Priority: 20 }] }));
  assert.deepEqual(
    (await elb.send(new L.DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules!.map((r) => r.Priority),
    ['10', '20', 'default'],
  );

  // tags and attributes
  await elb.send(new L.AddTagsCommand({ ResourceArns: [lb.LoadBalancerArn!, tg.TargetGroupArn!], Tags: [{ Key: 'team', Value: 'web' }] }));
  const tags = await elb.send(new L.DescribeTagsCommand({ ResourceArns: [lb.LoadBalancerArn!] }));
  assert.deepEqual(tags.TagDescriptions![0].Tags!.map((t) => t.Key).sort(), ['env', 'team']);
  await elb.send(
    new L.ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }],
    }),
  );
  await rejects(elb.send(new L.DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn })), 'OperationNotPermittedException', 400);
  await rejects(
    elb.send(new L.ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn, Attributes: [{ Key: 'nope', Value: 'x' }] })),
    'ValidationError',
    400,
  );
  const tgAttrs = await elb.send(new L.DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.equal(tgAttrs.Attributes!.find((a) => a.Key === 'deregistration_delay.timeout_seconds')!.Value, '300');

  // a target group in use cannot be deleted; the load balancer's deletion takes its listeners with it
  await rejects(elb.send(new L.DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn })), 'ResourceInUseException', 400);
  await elb.send(
    new L.ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
    }),
  );
  await elb.send(new L.DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  await rejects(elb.send(new L.DescribeListenersCommand({ ListenerArns: [listener.ListenerArn!] })), 'ListenerNotFoundException', 400);
  await elb.send(new L.DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
  await rejects(
    elb.send(new L.DescribeTargetGroupsCommand({ TargetGroupArns: [tg.TargetGroupArn!] })),
    'TargetGroupNotFoundException',
    400,
  );
});

test("bad input answers ELB's errors", async () => {
  const { vpcId, subnets } = await defaultNetwork();
  await rejects(elb.send(new L.CreateLoadBalancerCommand({ Name: 'one-zone', Subnets: [subnets[0]] })), 'ValidationError', 400, (e) =>
    assert.match(String(e.message), /two different Availability Zones/),
  );
  await rejects(
    elb.send(new L.CreateLoadBalancerCommand({ Name: 'bad-subnet', Subnets: ['subnet-00000000000000000', subnets[1]] })),
    'SubnetNotFoundException',
    400,
  );
  await rejects(
    elb.send(new L.CreateLoadBalancerCommand({ Name: 'bad-sg', Subnets: subnets.slice(0, 2), SecurityGroups: ['sg-00000000000000000'] })),
    'InvalidSecurityGroupException',
    400,
  );
  await rejects(elb.send(new L.CreateLoadBalancerCommand({ Name: '-bad', Subnets: subnets.slice(0, 2) })), 'ValidationError', 400);
  const nlb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'net', Type: 'network', Scheme: 'internal', Subnets: [subnets[0]] })))
    .LoadBalancers![0];
  assert.match(nlb.DNSName!, /^internal-net-\d+\.us-east-1\.elb\.localhost$/);
  assert.match(nlb.LoadBalancerArn!, /:loadbalancer\/net\/net\//);
  await rejects(
    elb.send(new L.CreateLoadBalancerCommand({ Name: 'net', Type: 'application', Subnets: subnets.slice(0, 2) })),
    'DuplicateLoadBalancerNameException',
    400,
  );
  await rejects(elb.send(new L.DescribeLoadBalancersCommand({ Names: ['nope'] })), 'LoadBalancerNotFoundException', 400);
  await rejects(
    elb.send(new L.DescribeLoadBalancersCommand({ LoadBalancerArns: [nlb.LoadBalancerArn!.replace(/[0-9a-f]{16}$/, '0000000000000000')] })),
    'LoadBalancerNotFoundException',
    400,
  );

  await rejects(elb.send(new L.CreateTargetGroupCommand({ Name: 'noport', Protocol: 'HTTP', VpcId: vpcId })), 'ValidationError', 400);
  await rejects(
    elb.send(new L.CreateTargetGroupCommand({ Name: 'novpc', Protocol: 'HTTP', Port: 80, VpcId: 'vpc-00000000000000000' })),
    'ValidationError',
    400,
  );
  await rejects(
    elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'slow',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
        HealthCheckIntervalSeconds: 5,
        HealthCheckTimeoutSeconds: 6,
      }),
    ),
    'ValidationError',
    400,
  );
  const tcp = (await elb.send(new L.CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 22, VpcId: vpcId }))).TargetGroups![0];
  assert.equal(tcp.HealthCheckTimeoutSeconds, 10);
  assert.equal(tcp.HealthCheckPath, undefined);
  await rejects(
    elb.send(new L.CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 23, VpcId: vpcId })),
    'DuplicateTargetGroupNameException',
    400,
  );
  await rejects(
    elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tcp.TargetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0' }] })),
    'InvalidTargetException',
    400,
  );
  await rejects(
    elb.send(
      new L.RegisterTargetsCommand({
        TargetGroupArn: tcp.TargetGroupArn!.replace(/[0-9a-f]{16}$/, '0000000000000000'),
        Targets: [{ Id: 'i-0123456789abcdef0' }],
      }),
    ),
    'TargetGroupNotFoundException',
    400,
  );

  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: nlb.LoadBalancerArn,
      Protocol: 'TCP',
      Port: 22,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }],
    }),
  );
  await rejects(
    elb.send(
      new L.CreateListenerCommand({
        LoadBalancerArn: nlb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }],
      }),
    ),
    'ValidationError',
    400,
  );
  await rejects(
    elb.send(
      new L.CreateListenerCommand({
        LoadBalancerArn: nlb.LoadBalancerArn,
        Protocol: 'TCP',
        Port: 22,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
      }),
    ),
    'DuplicateListenerException',
    400,
  );
  await elb.send(new L.DeleteLoadBalancerCommand({ LoadBalancerArn: nlb.LoadBalancerArn }));
  await elb.send(new L.DeleteLoadBalancerCommand({ LoadBalancerArn: nlb.LoadBalancerArn }));
});
