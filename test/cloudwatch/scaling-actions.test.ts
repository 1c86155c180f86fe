// An alarm whose action is an Auto Scaling policy runs it on the transition into ALARM and again each
// minute the alarm stays there; a clock advance answers only once the scaling it caused (desired
// capacity and the instances launched for it) is done, for the repeats as for the first run. The
// action is handed to Auto Scaling a moment late here, so that only CloudWatch's own tracking (not
// Auto Scaling's settling after the advance, which may happen to queue behind it) makes the advance wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as A from '@aws-sdk/client-auto-scaling';
import * as E from '@aws-sdk/client-ec2';
import * as C from '@aws-sdk/client-cloudwatch';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let asg: A.AutoScalingClient;
let ec2: E.EC2Client;
let cw: C.CloudWatchClient;
const nimbus = serverForFile(() => {
  asg = new A.AutoScalingClient(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  cw = new C.CloudWatchClient(clientConfig(nimbus.url));
});

const clockNow = async () => new Date(((await (await fetch(`${nimbus.url}/_nimbus/clock`)).json()) as { epochMs: number }).epochMs);
const group = async () =>
  (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['busy'] }))).AutoScalingGroups![0];

test('an alarm staying in ALARM runs its scaling policy again each minute, and each advance waits for the scaling', async () => {
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
  const images = await ec2.send(new E.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }] }));
  await asg.send(
    new A.CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'busy-lc',
      ImageId: images.Images![0].ImageId!,
      InstanceType: 't3.micro',
    }),
  );
  await asg.send(
    new A.CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'busy',
      LaunchConfigurationName: 'busy-lc',
      MinSize: 1,
      MaxSize: 5,
      DesiredCapacity: 1,
      VPCZoneIdentifier: subnets.Subnets![0].SubnetId!,
    }),
  );
  const policy = await asg.send(
    new A.PutScalingPolicyCommand({
      AutoScalingGroupName: 'busy',
      PolicyName: 'add-one',
      AdjustmentType: 'ChangeInCapacity',
      ScalingAdjustment: 1,
      Cooldown: 60,
    }),
  );
  const integration = nimbus.runtime.integrations.autoscaling!;
  const alarmAction = integration.alarmAction.bind(integration);
  integration.alarmAction = (...args) => new Promise((r) => setTimeout(r, 50)).then(() => alarmAction(...args));
  const Dimensions = [{ Name: 'AutoScalingGroupName', Value: 'busy' }];
  await cw.send(
    new C.PutMetricAlarmCommand({
      AlarmName: 'busy-high',
      Namespace: 'App',
      MetricName: 'Load',
      Dimensions,
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 70,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [policy.PolicyARN!],
    }),
  );
  const busyMinute = async () =>
    cw.send(
      new C.PutMetricDataCommand({
        Namespace: 'App',
        MetricData: [{ MetricName: 'Load', Dimensions, Value: 95, Timestamp: await clockNow() }],
      }),
    );
  await busyMinute();
  await advanceClock(nimbus.url, '60s');
  assert.equal((await cw.send(new C.DescribeAlarmsCommand({ AlarmNames: ['busy-high'] }))).MetricAlarms![0].StateValue, 'ALARM');
  let g = await group();
  assert.deepEqual([g.DesiredCapacity, g.Instances!.length], [2, 2], 'the transition ran the policy');
  for (const want of [3, 4]) {
    await busyMinute();
    await advanceClock(nimbus.url, '60s');
    g = await group();
    assert.deepEqual([g.DesiredCapacity, g.Instances!.length], [want, want], 'the repeat ran the policy, and the advance waited for it');
  }
  // a repeat records no history: one state change, one action
  const history = await cw.send(new C.DescribeAlarmHistoryCommand({ AlarmName: 'busy-high', HistoryItemType: 'Action' }));
  assert.equal(history.AlarmHistoryItems!.length, 1);
  integration.alarmAction = alarmAction;
  await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'busy', ForceDelete: true }));
});
