// Target tracking through boto3 (Auto Scaling's query protocol) and the AWS CLI v2: the policy answers
// its two alarms, which CloudWatch describes; deleting the policy deletes them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { serverForFile, runCli, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

const PY = `
import boto3, sys, json
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
ec2, asg, cw = boto3.client('ec2', **kw), boto3.client('autoscaling', **kw), boto3.client('cloudwatch', **kw)
image = ec2.describe_images(Owners=['amazon'], Filters=[{'Name': 'name', 'Values': ['al2023-ami-*']}, {'Name': 'architecture', 'Values': ['x86_64']}])['Images'][0]['ImageId']
subnet = ec2.describe_subnets(Filters=[{'Name': 'default-for-az', 'Values': ['true']}])['Subnets'][0]['SubnetId']
asg.create_launch_configuration(LaunchConfigurationName='py-lc', ImageId=image, InstanceType='t3.micro')
asg.create_auto_scaling_group(AutoScalingGroupName='py-tt', LaunchConfigurationName='py-lc', MinSize=0, MaxSize=3, VPCZoneIdentifier=subnet)
p = asg.put_scaling_policy(AutoScalingGroupName='py-tt', PolicyName='cpu', PolicyType='TargetTrackingScaling',
  TargetTrackingConfiguration={'PredefinedMetricSpecification': {'PredefinedMetricType': 'ASGAverageNetworkIn'}, 'TargetValue': 1000.0})
names = [a['AlarmName'] for a in p['Alarms']]
alarms = cw.describe_alarms(AlarmNames=names)['MetricAlarms']
print(json.dumps({'names': names, 'metrics': sorted((a['MetricName'], a['Threshold'], a['EvaluationPeriods']) for a in alarms)}))
`;

test("boto3 and CLI v2: a target tracking policy's alarms, described and deleted with it", async () => {
  const { stdout } = await promisify(execFile)('python3', ['-c', PY, nimbus.url], {
    env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
  });
  const out = JSON.parse(stdout);
  assert.match(out.names[0], /^TargetTracking-py-tt-AlarmHigh-/);
  assert.match(out.names[1], /^TargetTracking-py-tt-AlarmLow-/);
  assert.deepEqual(out.metrics, [
    ['NetworkIn', 900, 15],
    ['NetworkIn', 1000, 3],
  ]);
  const aws = (...args: string[]) => runCli(AWS_CLI_V2, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
  let r = await aws('autoscaling', 'describe-policies', '--auto-scaling-group-name', 'py-tt');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    JSON.parse(r.stdout).ScalingPolicies[0].Alarms.map((a: { AlarmName: string }) => a.AlarmName),
    out.names,
  );
  r = await aws('autoscaling', 'delete-policy', '--auto-scaling-group-name', 'py-tt', '--policy-name', 'cpu');
  assert.equal(r.code, 0, r.stderr);
  r = await aws('cloudwatch', 'describe-alarms', '--alarm-name-prefix', 'TargetTracking-py-tt-');
  assert.deepEqual(JSON.parse(r.stdout).MetricAlarms, []);
});
