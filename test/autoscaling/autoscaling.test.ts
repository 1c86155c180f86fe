// Auto Scaling through SDK v3: a group from a launch template across two subnets launches EC2
// instances (visible in DescribeInstances), registers them with its target group, scales out and in,
// holds launches in Pending:Wait under a lifecycle hook, follows scaling policies, replaces an
// instance EC2 stopped running, and answers Auto Scaling's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from '@aws-sdk/client-auto-scaling';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import * as C from '@aws-sdk/client-cloudwatch';
import { serverForFile, clientConfig, advanceClock, rejects } from '../helpers.js';

let asg: A.AutoScalingClient;
let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
const nimbus = serverForFile(async () => {
  asg = new A.AutoScalingClient(clientConfig(nimbus.url));
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

async function network() {
  const vpcs = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const vpcId = vpcs.Vpcs![0].VpcId!;
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  const byZone = new Map(subnets.Subnets!.map((s) => [s.AvailabilityZone!, s.SubnetId!]));
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  return { vpcId, subnets: [...byZone.values()].slice(0, 2), imageId: images.Images![0].ImageId! };
}

async function groupInstances(name: string) {
  const out = await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
  return out.AutoScalingGroups![0].Instances!;
}

async function running(name: string): Promise<string[]> {
  const out = await ec2.send(
    new E.DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:aws:autoscaling:groupName', Values: [name] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    }),
  );
  return out.Reservations!.flatMap((r) => r.Instances!.map((i) => i.InstanceId!)).sort();
}

test('a group of 2 from a launch template launches EC2 instances, registers them in its target group, scales to 3 and to 1', async () => {
  const { vpcId, subnets, imageId } = await network();
  const lt = await ec2.send(
    new E.CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-lt',
      LaunchTemplateData: {
        ImageId: imageId,
        InstanceType: 't3.micro',
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'stack', Value: 'blue' },
              { Key: 'team', Value: 'template' },
            ],
          },
        ],
      },
    }),
  );
  const tg = (await elb.send(new L.CreateTargetGroupCommand({ Name: 'asg-web', Protocol: 'HTTP', Port: 80, VpcId: vpcId })))
    .TargetGroups![0];
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'asg-alb', Subnets: subnets }))).LoadBalancers![0];
  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }),
  );

  await asg.send(
    new A.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web',
      LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId, Version: '$Latest' },
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
      VPCZoneIdentifier: subnets.join(','),
      TargetGroupARNs: [tg.TargetGroupArn!],
      Tags: [{ Key: 'team', Value: 'web', PropagateAtLaunch: true }],
    }),
  );
  let group = (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups![0];
  assert.match(
    group.AutoScalingGroupARN!,
    /^arn:aws:autoscaling:us-east-1:\d{12}:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/web$/,
  );
  assert.equal(group.DesiredCapacity, 2);
  assert.equal(group.AvailabilityZones!.length, 2);
  assert.deepEqual(
    group.Instances!.map((i) => i.LifecycleState),
    ['Pending', 'Pending'],
  );
  assert.equal(new Set(group.Instances!.map((i) => i.AvailabilityZone)).size, 2, 'spread across both zones');
  const ids = group.Instances!.map((i) => i.InstanceId!).sort();
  assert.deepEqual(await running('web'), ids);
  const described = await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: ids }));
  // the group's propagated tags and the template's both apply; the group's value wins on a shared key
  const tags = described.Reservations![0].Instances![0].Tags!;
  assert.deepEqual(
    tags.filter((t) => t.Key === 'team').map((t) => t.Value),
    ['web'],
  );
  assert.ok(tags.some((t) => t.Key === 'stack' && t.Value === 'blue'));

  let health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(health.TargetHealthDescriptions!.map((d) => d.Target!.Id).sort(), ids);
  await advanceClock(nimbus.url, '5m');
  assert.deepEqual(
    (await groupInstances('web')).map((i) => i.LifecycleState),
    ['InService', 'InService'],
  );
  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    health.TargetHealthDescriptions!.map((d) => d.TargetHealth!.State),
    ['healthy', 'healthy'],
  );

  await asg.send(new A.SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 3 }));
  assert.equal((await running('web')).length, 3);
  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.equal(health.TargetHealthDescriptions!.length, 3);

  await asg.send(new A.UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 1 }));
  const left = await running('web');
  assert.equal(left.length, 1);
  group = (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web'] }))).AutoScalingGroups![0];
  assert.deepEqual(
    group.Instances!.map((i) => i.InstanceId),
    left,
  );
  health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(
    health.TargetHealthDescriptions!.map((d) => d.Target!.Id),
    left,
  );

  const instances = await asg.send(new A.DescribeAutoScalingInstancesCommand({}));
  assert.deepEqual(
    instances.AutoScalingInstances!.map((i) => [i.InstanceId, i.AutoScalingGroupName]),
    [[left[0], 'web']],
  );
  const acts = await asg.send(new A.DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web' }));
  assert.equal(acts.Activities!.filter((a) => a.Description!.startsWith('Launching')).length, 3);
  assert.equal(acts.Activities!.filter((a) => a.Description!.startsWith('Terminating')).length, 2);
  assert.match(acts.Activities!.at(-1)!.Cause!, /a user request created an AutoScalingGroup changing the desired capacity from 0 to 2/);
  assert.ok(acts.Activities!.every((a) => a.StatusCode === 'Successful'));

  // an instance EC2 no longer runs is replaced
  await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: left }));
  const after = await groupInstances('web');
  assert.equal(after.length, 1);
  assert.notEqual(after[0].InstanceId, left[0]);

  await rejects(asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web' })), 'ResourceInUseFault', 400);
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web', ForceDelete: true }));
  assert.deepEqual(await running('web'), []);
  assert.deepEqual((await asg.send(new A.DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups, []);
});

test('a launching lifecycle hook holds instances in Pending:Wait until CompleteLifecycleAction or the heartbeat timeout', async () => {
  const { subnets, imageId } = await network();
  await asg.send(new A.CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc', ImageId: imageId, InstanceType: 't3.micro' }));
  await asg.send(
    new A.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'hooked',
      LaunchConfigurationName: 'lc',
      MinSize: 0,
      MaxSize: 3,
      DesiredCapacity: 0,
      VPCZoneIdentifier: subnets.join(','),
    }),
  );
  await asg.send(
    new A.PutLifecycleHookCommand({
      AutoScalingGroupName: 'hooked',
      LifecycleHookName: 'warm',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      HeartbeatTimeout: 300,
      DefaultResult: 'CONTINUE',
    }),
  );
  const hooks = await asg.send(new A.DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'hooked' }));
  assert.equal(hooks.LifecycleHooks![0].HeartbeatTimeout, 300);
  await asg.send(new A.SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 2 }));
  let inst = await groupInstances('hooked');
  assert.deepEqual(
    inst.map((i) => i.LifecycleState),
    ['Pending:Wait', 'Pending:Wait'],
  );
  assert.equal(inst[0].LaunchConfigurationName, 'lc');

  await asg.send(
    new A.CompleteLifecycleActionCommand({
      AutoScalingGroupName: 'hooked',
      LifecycleHookName: 'warm',
      InstanceId: inst[0].InstanceId,
      LifecycleActionResult: 'CONTINUE',
    }),
  );
  await advanceClock(nimbus.url, '60s');
  inst = await groupInstances('hooked');
  assert.deepEqual(inst.map((i) => i.LifecycleState).sort(), ['InService', 'Pending:Wait']);
  await rejects(
    asg.send(
      new A.CompleteLifecycleActionCommand({
        AutoScalingGroupName: 'hooked',
        LifecycleHookName: 'warm',
        InstanceId: inst.find((i) => i.LifecycleState === 'InService')!.InstanceId!,
        LifecycleActionResult: 'CONTINUE',
      }),
    ),
    'ValidationError',
    400,
  );

  await advanceClock(nimbus.url, '5m');
  inst = await groupInstances('hooked');
  assert.deepEqual(
    inst.map((i) => i.LifecycleState),
    ['InService', 'InService'],
    'the heartbeat ran out and the default result CONTINUE applied',
  );

  // simple and step policies
  const simple = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'hooked',
      PolicyName: 'out',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: 5,
    }),
  );
  assert.match(
    simple.PolicyARN!,
    /^arn:aws:autoscaling:us-east-1:\d{12}:scalingPolicy:[0-9a-f-]{36}:autoScalingGroupName\/hooked:policyName\/out$/,
  );
  await asg.send(new A.DeletePolicyCommand({ AutoScalingGroupName: 'hooked', PolicyName: 'out' }));
  await asg.send(new A.DeleteLifecycleHookCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'warm' }));
  const out = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'hooked',
      PolicyName: 'out',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: 5,
    }),
  );
  await asg.send(new A.ExecutePolicyCommand({ PolicyName: out.PolicyARN }));
  let g = (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['hooked'] }))).AutoScalingGroups![0];
  assert.equal(g.DesiredCapacity, 3, 'clamped to MaxSize');
  assert.equal(g.Instances!.length, 3);
  await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'hooked',
      PolicyName: 'in',
      PolicyType: 'StepScaling',
      AdjustmentType: 'ExactCapacity',
      StepAdjustments: [
        { MetricIntervalUpperBound: 0, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 0, ScalingAdjustment: 2 },
      ],
    }),
  );
  await asg.send(new A.ExecutePolicyCommand({ AutoScalingGroupName: 'hooked', PolicyName: 'in', MetricValue: 10, BreachThreshold: 20 }));
  g = (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['hooked'] }))).AutoScalingGroups![0];
  assert.equal(g.DesiredCapacity, 1);
  assert.equal(g.Instances!.length, 1);
  const tt = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'hooked',
      PolicyName: 'cpu',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' } },
    }),
  );
  assert.ok(tt.PolicyARN);
  const policies = await asg.send(new A.DescribePoliciesCommand({ AutoScalingGroupName: 'hooked' }));
  assert.deepEqual(policies.ScalingPolicies!.map((p) => p.PolicyName).sort(), ['cpu', 'in', 'out']);
  await rejects(asg.send(new A.DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'lc' })), 'ResourceInUseFault', 400);
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'hooked', ForceDelete: true }));
  await asg.send(new A.DeleteLaunchConfigurationCommand({ LaunchConfigurationName: 'lc' }));
});

test("bad input answers Auto Scaling's errors", async () => {
  const { subnets, imageId } = await network();
  await asg.send(new A.CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'bad-lc', ImageId: imageId, InstanceType: 't3.micro' }));
  await rejects(
    asg.send(new A.CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'bad-lc', ImageId: imageId, InstanceType: 't3.micro' })),
    'AlreadyExistsFault',
    400,
  );
  await rejects(
    asg.send(new A.CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'x', ImageId: imageId, InstanceType: 'z9.huge' })),
    'ValidationError',
    400,
  );
  const base = { MinSize: 0, MaxSize: 2, VPCZoneIdentifier: subnets.join(',') };
  await rejects(asg.send(new A.CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', ...base })), 'ValidationError', 400);
  await rejects(
    asg.send(new A.CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', LaunchConfigurationName: 'nope', ...base })),
    'ValidationError',
    400,
  );
  await rejects(
    asg.send(
      new A.CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', LaunchConfigurationName: 'bad-lc', ...base, DesiredCapacity: 5 }),
    ),
    'ValidationError',
    400,
    (e) => assert.match(String(e.message), /Desired capacity:5 must be between the specified min size:0 and max size:2/),
  );
  await rejects(
    asg.send(
      new A.CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'g',
        LaunchConfigurationName: 'bad-lc',
        MinSize: 0,
        MaxSize: 1,
        VPCZoneIdentifier: 'subnet-00000000000000000',
      }),
    ),
    'ValidationError',
    400,
  );
  await rejects(
    asg.send(
      new A.CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', LaunchTemplate: { LaunchTemplateName: 'missing' }, ...base }),
    ),
    'ValidationError',
    400,
  );
  await rejects(
    asg.send(
      new A.CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'g',
        LaunchConfigurationName: 'bad-lc',
        ...base,
        TargetGroupARNs: ['arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/none/0000000000000000'],
      }),
    ),
    'ValidationError',
    400,
  );
  await asg.send(new A.CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', LaunchConfigurationName: 'bad-lc', ...base }));
  await rejects(
    asg.send(new A.CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'g', LaunchConfigurationName: 'bad-lc', ...base })),
    'AlreadyExistsFault',
    400,
  );
  await rejects(asg.send(new A.SetDesiredCapacityCommand({ AutoScalingGroupName: 'g', DesiredCapacity: 3 })), 'ValidationError', 400, (e) =>
    assert.match(String(e.message), /above max value 2/),
  );
  await rejects(asg.send(new A.SetDesiredCapacityCommand({ AutoScalingGroupName: 'nope', DesiredCapacity: 1 })), 'ValidationError', 400);
  await rejects(
    asg.send(
      new A.PutScalingPolicyCommand({ AutoScalingGroupName: 'g', PolicyName: 'p', AdjustmentType: 'Sideways', ScalingAdjustment: 1 }),
    ),
    'ValidationError',
    400,
  );
  await rejects(
    asg.send(
      new A.PutLifecycleHookCommand({
        AutoScalingGroupName: 'g',
        LifecycleHookName: 'h',
        LifecycleTransition: 'autoscaling:EC2_INSTANCE_DANCING',
      }),
    ),
    'ValidationError',
    400,
  );
  await rejects(asg.send(new A.ExecutePolicyCommand({ AutoScalingGroupName: 'g', PolicyName: 'none' })), 'ValidationError', 400);
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g' }));
  await rejects(asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'g' })), 'ValidationError', 400);
});

test('a CloudWatch alarm whose action names a scaling policy executes it when the clock carries the alarm into ALARM', async () => {
  const { subnets, imageId } = await network();
  const cw = new C.CloudWatchClient(clientConfig(nimbus.url));
  await asg.send(
    new A.CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'alarm-lc', ImageId: imageId, InstanceType: 't3.micro' }),
  );
  await asg.send(
    new A.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'alarmed',
      LaunchConfigurationName: 'alarm-lc',
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 1,
      VPCZoneIdentifier: subnets.join(','),
    }),
  );
  const policy = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'alarmed',
      PolicyName: 'cpu-high',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: 2,
    }),
  );
  await cw.send(
    new C.PutMetricAlarmCommand({
      AlarmName: 'cpu-high',
      Namespace: 'App',
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'alarmed' }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [policy.PolicyARN!],
    }),
  );
  const now = new Date(((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs);
  await cw.send(
    new C.PutMetricDataCommand({
      Namespace: 'App',
      MetricData: [
        { MetricName: 'CPUUtilization', Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'alarmed' }], Value: 95, Timestamp: now },
      ],
    }),
  );
  await advanceClock(nimbus.url, '60s');
  const alarm = (await cw.send(new C.DescribeAlarmsCommand({ AlarmNames: ['cpu-high'] }))).MetricAlarms![0];
  assert.equal(alarm.StateValue, 'ALARM');
  let g = (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['alarmed'] }))).AutoScalingGroups![0];
  for (let i = 0; i < 20 && g.DesiredCapacity !== 3; i++) {
    await new Promise((r) => setImmediate(r));
    g = (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['alarmed'] }))).AutoScalingGroups![0];
  }
  assert.equal(g.DesiredCapacity, 3);
  assert.equal(g.Instances!.length, 3);
  const history = await cw.send(new C.DescribeAlarmHistoryCommand({ AlarmName: 'cpu-high', HistoryItemType: 'Action' }));
  assert.match(history.AlarmHistoryItems![0].HistorySummary!, /Successfully executed action arn:aws:autoscaling:/);
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'alarmed', ForceDelete: true }));
});

test('with ELB health checks, an instance its target group finds unhealthy is replaced', async () => {
  const { vpcId, subnets, imageId } = await network();
  const tg = (await elb.send(new L.CreateTargetGroupCommand({ Name: 'elb-hc', Protocol: 'HTTP', Port: 80, VpcId: vpcId })))
    .TargetGroups![0];
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'elb-hc', Subnets: subnets }))).LoadBalancers![0];
  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }),
  );
  await asg.send(new A.CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'hc-lc', ImageId: imageId, InstanceType: 't3.micro' }));
  await asg.send(
    new A.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'hc',
      LaunchConfigurationName: 'hc-lc',
      MinSize: 2,
      MaxSize: 2,
      VPCZoneIdentifier: subnets.join(','),
      TargetGroupARNs: [tg.TargetGroupArn!],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 60,
    }),
  );
  await advanceClock(nimbus.url, '5m');
  const before = (await groupInstances('hc')).map((i) => i.InstanceId!).sort();
  assert.equal(before.length, 2);
  await ec2.send(new E.CreateTagsCommand({ Resources: [before[0]], Tags: [{ Key: 'nimbus:health', Value: 'unhealthy' }] }));
  const after = (await groupInstances('hc')).map((i) => i.InstanceId!);
  assert.equal(after.length, 2);
  assert.ok(!after.includes(before[0]), 'the unhealthy instance left the group');
  assert.ok(after.includes(before[1]));
  const acts = await asg.send(new A.DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'hc', MaxRecords: 2 }));
  assert.ok(acts.Activities!.some((a) => /ELB system health check failure/.test(a.Cause!)));
  assert.ok(
    acts.Activities!.some(
      (a) =>
        /^Launching a new EC2 instance: i-/.test(a.Description!) &&
        /an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 2\.$/.test(
          a.Cause!,
        ),
    ),
  );
  const health = await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }));
  assert.deepEqual(health.TargetHealthDescriptions!.map((d) => d.Target!.Id).sort(), [...after].sort());
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'hc', ForceDelete: true }));
});
