// Target tracking through SDK v3: PutScalingPolicy creates AWS's two alarms in CloudWatch (shown by
// DescribeAlarms and DescribePolicies, deleted with the policy); a high metric published for the group
// carries AlarmHigh into ALARM as the clock advances and the group scales out proportionally
// (ceil(capacity × metric / target)) and launches instances; a low one scales in after the warmup;
// DisableScaleIn drops AlarmLow; a predefined metric's alarm watches AWS/EC2; bad configurations refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from '@aws-sdk/client-auto-scaling';
import * as E from '@aws-sdk/client-ec2';
import * as C from '@aws-sdk/client-cloudwatch';
import { serverForFile, clientConfig, advanceClock, rejects } from '../helpers.js';

let asg: A.AutoScalingClient;
let ec2: E.EC2Client;
let cw: C.CloudWatchClient;
const nimbus = serverForFile(async () => {
  asg = new A.AutoScalingClient(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  cw = new C.CloudWatchClient(clientConfig(nimbus.url));
});

async function group(name: string, min: number, max: number) {
  const vpcs = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcs.Vpcs![0].VpcId!] }] }));
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  await asg.send(
    new A.CreateLaunchConfigurationCommand({
      LaunchConfigurationName: `${name}-lc`,
      ImageId: images.Images![0].ImageId!,
      InstanceType: 't3.micro',
    }),
  );
  await asg.send(
    new A.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchConfigurationName: `${name}-lc`,
      MinSize: min,
      MaxSize: max,
      VPCZoneIdentifier: subnets.Subnets![0].SubnetId,
    }),
  );
}

const describe = async (name: string) =>
  (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0];
const clockMs = async () => ((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs;

/** One datapoint a minute, from the current virtual time on. */
async function publish(group: string, values: number[]) {
  const now = await clockMs();
  const MetricData = values.map((v, i) => ({
    MetricName: 'CPUUtilization',
    Dimensions: [{ Name: 'AutoScalingGroupName', Value: group }],
    Value: v,
    Timestamp: new Date(now + i * 60_000),
  }));
  await cw.send(new C.PutMetricDataCommand({ Namespace: 'App', MetricData }));
}

test("a target tracking policy creates AWS's alarms, scales out on a high metric and in on a low one, and takes its alarms with it", async () => {
  await group('tt', 1, 4);
  const custom = {
    Namespace: 'App',
    MetricName: 'CPUUtilization',
    Dimensions: [{ Name: 'AutoScalingGroupName', Value: 'tt' }],
    Statistic: 'Average' as const,
  };
  const put = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'tt',
      PolicyName: 'cpu50',
      PolicyType: 'TargetTrackingScaling',
      EstimatedInstanceWarmup: 120,
      TargetTrackingConfiguration: { CustomizedMetricSpecification: custom, TargetValue: 50 },
    }),
  );
  assert.equal(put.Alarms!.length, 2);
  const [high, low] = put.Alarms!;
  assert.match(high.AlarmName!, /^TargetTracking-tt-AlarmHigh-[0-9a-f-]{36}$/);
  assert.match(low.AlarmName!, /^TargetTracking-tt-AlarmLow-[0-9a-f-]{36}$/);
  assert.equal(high.AlarmARN, `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${high.AlarmName}`);

  const alarms = (await cw.send(new C.DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-tt-' }))).MetricAlarms!;
  const h = alarms.find((a) => a.AlarmName === high.AlarmName)!;
  const l = alarms.find((a) => a.AlarmName === low.AlarmName)!;
  assert.deepEqual(
    [h.Threshold, h.ComparisonOperator, h.EvaluationPeriods, h.DatapointsToAlarm, h.Period, h.Namespace],
    [50, 'GreaterThanThreshold', 3, 3, 60, 'App'],
  );
  assert.deepEqual([l.Threshold, l.ComparisonOperator, l.EvaluationPeriods, l.DatapointsToAlarm], [45, 'LessThanThreshold', 15, 15]);
  assert.deepEqual(h.AlarmActions, [put.PolicyARN]);
  assert.match(h.AlarmDescription!, /^DO NOT EDIT OR DELETE\. For TargetTrackingScaling policy arn:aws:autoscaling:/);
  const described = (await asg.send(new A.DescribePoliciesCommand({ AutoScalingGroupName: 'tt' }))).ScalingPolicies![0];
  assert.deepEqual(described.Alarms, put.Alarms);
  assert.equal(described.TargetTrackingConfiguration!.DisableScaleIn, false);

  // 90% for three minutes: ceil(1 × 90 / 50) = 2
  await publish('tt', [90, 90, 90]);
  await advanceClock(nimbus.url, '4m');
  let g = await describe('tt');
  assert.equal(g.DesiredCapacity, 2);
  assert.equal(g.Instances!.length, 2);
  const acts = await asg.send(new A.DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'tt' }));
  assert.match(
    acts.Activities![0].Cause!,
    new RegExp(`a monitor alarm ${high.AlarmName} in state ALARM triggered policy cpu50 changing the desired capacity from 1 to 2\\.`),
  );
  const running = await ec2.send(
    new E.DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:aws:autoscaling:groupName', Values: ['tt'] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    }),
  );
  assert.equal(running.Reservations!.flatMap((r) => r.Instances!).length, 2);

  // 100% sustained past the warmup: ceil(2 × 100 / 50) = 4, the group's maximum
  await publish('tt', [100, 100, 100, 100]);
  await advanceClock(nimbus.url, '4m');
  assert.equal((await describe('tt')).DesiredCapacity, 4);

  // 10% for fifteen minutes: ceil(4 × 10 / 50) = 1
  await publish('tt', Array(16).fill(10));
  await advanceClock(nimbus.url, '17m');
  g = await describe('tt');
  assert.equal(g.DesiredCapacity, 1);
  const cause = (await asg.send(new A.DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'tt' }))).Activities![0].Cause!;
  assert.match(
    cause,
    new RegExp(`a monitor alarm ${low.AlarmName} in state ALARM triggered policy cpu50 changing the desired capacity from 4 to 1\\.`),
  );

  // DisableScaleIn: only AlarmHigh remains, under the same name
  const updated = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'tt',
      PolicyName: 'cpu50',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { CustomizedMetricSpecification: custom, TargetValue: 50, DisableScaleIn: true },
    }),
  );
  assert.deepEqual(updated.Alarms, [high]);
  assert.equal((await cw.send(new C.DescribeAlarmsCommand({ AlarmNames: [low.AlarmName!] }))).MetricAlarms!.length, 0);

  await rejects(asg.send(new A.ExecutePolicyCommand({ AutoScalingGroupName: 'tt', PolicyName: 'cpu50' })), 'ValidationError', 400);
  await asg.send(new A.DeletePolicyCommand({ AutoScalingGroupName: 'tt', PolicyName: 'cpu50' }));
  assert.equal((await cw.send(new C.DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-tt-' }))).MetricAlarms!.length, 0);
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'tt', ForceDelete: true }));
});

test("a predefined metric's alarm watches AWS/EC2 for the group; its ALARM with a datapoint scales the group; deleting the group deletes the alarms", async () => {
  await group('pre', 1, 5);
  const put = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'pre',
      PolicyName: 'cpu',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 40 },
    }),
  );
  const high = (await cw.send(new C.DescribeAlarmsCommand({ AlarmNames: [put.Alarms![0].AlarmName!] }))).MetricAlarms![0];
  assert.deepEqual(
    [high.Namespace, high.MetricName, high.Statistic, high.Dimensions],
    ['AWS/EC2', 'CPUUtilization', 'Average', [{ Name: 'AutoScalingGroupName', Value: 'pre' }]],
  );
  // CloudWatch refuses AWS/ namespaces to PutMetricData: the state is set as the SetAlarmState docs say, with the datapoint
  await cw.send(
    new C.SetAlarmStateCommand({
      AlarmName: high.AlarmName,
      StateValue: 'ALARM',
      StateReason: 'test',
      StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [90], threshold: 40 }),
    }),
  );
  let g = await describe('pre');
  for (let i = 0; i < 20 && g.DesiredCapacity !== 3; i++) g = await describe('pre');
  assert.equal(g.DesiredCapacity, 3, 'ceil(1 × 90 / 40) = 3');
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'pre', ForceDelete: true }));
  assert.equal((await cw.send(new C.DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-pre-' }))).MetricAlarms!.length, 0);
});

test('bad target tracking configurations answer ValidationError', async () => {
  await group('badtt', 0, 1);
  const base = { AutoScalingGroupName: 'badtt', PolicyName: 'p', PolicyType: 'TargetTrackingScaling' };
  await rejects(asg.send(new A.PutScalingPolicyCommand(base)), 'ValidationError', 400);
  await rejects(
    asg.send(new A.PutScalingPolicyCommand({ ...base, TargetTrackingConfiguration: { TargetValue: 50 } })),
    'ValidationError',
    400,
  );
  await rejects(
    asg.send(
      new A.PutScalingPolicyCommand({
        ...base,
        TargetTrackingConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
        },
      }),
    ),
    'ValidationError',
    400,
    (e) => assert.equal(e.message, 'Resource label should be specified for predefined metric type ALBRequestCountPerTarget'),
  );
  await rejects(
    asg.send(
      new A.PutScalingPolicyCommand({
        ...base,
        TargetTrackingConfiguration: { TargetValue: 50, CustomizedMetricSpecification: { MetricName: 'X', Namespace: 'App' } },
      }),
    ),
    'ValidationError',
    400,
  );
  assert.equal((await asg.send(new A.DescribePoliciesCommand({ AutoScalingGroupName: 'badtt' }))).ScalingPolicies!.length, 0);
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'badtt', ForceDelete: true }));
});
