// Spot requests, Reserved Instance offerings and flow logs through the AWS CLI v1 and v2 and boto3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForFile, runCli, advanceClock, AWS_CLI_V1, AWS_CLI_V2 } from '../helpers.js';

const nimbus = serverForFile();

for (const [name, cli] of [
  ['v1', AWS_CLI_V1],
  ['v2', AWS_CLI_V2],
] as const) {
  const ok = async (...args: string[]) => {
    const r = await runCli(cli, ['--endpoint-url', nimbus.url, '--output', 'json', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout ? JSON.parse(r.stdout) : {};
  };

  test(`AWS CLI ${name}: request-spot-instances, describe and cancel; reserved instance offerings and a purchase`, async () => {
    const image = 'resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64';
    const r = await ok(
      'ec2',
      'request-spot-instances',
      '--instance-count',
      '1',
      '--launch-specification',
      JSON.stringify({ ImageId: image, InstanceType: 't3.micro' }),
    );
    const id = r.SpotInstanceRequests[0].SpotInstanceRequestId;
    await advanceClock(nimbus.url, '30s');
    const d = await ok('ec2', 'describe-spot-instance-requests', '--spot-instance-request-ids', id);
    assert.equal(d.SpotInstanceRequests[0].State, 'active');
    assert.match(d.SpotInstanceRequests[0].InstanceId, /^i-/);
    const c = await ok('ec2', 'cancel-spot-instance-requests', '--spot-instance-request-ids', id);
    assert.equal(c.CancelledSpotInstanceRequests[0].State, 'cancelled');

    const offers = await ok(
      'ec2',
      'describe-reserved-instances-offerings',
      '--instance-type',
      'c5.large',
      '--offering-class',
      'convertible',
      '--product-description',
      'Linux/UNIX',
      '--offering-type',
      'No Upfront',
    );
    assert.equal(offers.ReservedInstancesOfferings.length, 2);
    const offer = offers.ReservedInstancesOfferings[0];
    assert.equal(offer.RecurringCharges[0].Frequency, 'Hourly');
    const bought = await ok(
      'ec2',
      'purchase-reserved-instances-offering',
      '--reserved-instances-offering-id',
      offer.ReservedInstancesOfferingId,
      '--instance-count',
      '1',
    );
    const ri = await ok('ec2', 'describe-reserved-instances', '--reserved-instances-ids', bought.ReservedInstancesId);
    assert.deepEqual([ri.ReservedInstances[0].InstanceType, ri.ReservedInstances[0].OfferingClass], ['c5.large', 'convertible']);
  });
}

test('boto3: create_flow_logs on the default VPC, describe_flow_logs, delete_flow_logs', async () => {
  const script = `
import sys, json, boto3
kw = dict(endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
ec2 = boto3.client('ec2', **kw)
iam = boto3.client('iam', **kw)
role = iam.create_role(RoleName='flows', AssumeRolePolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'Service': 'vpc-flow-logs.amazonaws.com'}, 'Action': 'sts:AssumeRole'}]}))['Role']['Arn']
vpc = ec2.describe_vpcs(Filters=[{'Name': 'is-default', 'Values': ['true']}])['Vpcs'][0]['VpcId']
created = ec2.create_flow_logs(ResourceType='VPC', ResourceIds=[vpc], TrafficType='ALL', LogGroupName='py-flows', DeliverLogsPermissionArn=role)
fl = ec2.describe_flow_logs(Filters=[{'Name': 'log-group-name', 'Values': ['py-flows']}])['FlowLogs']
deleted = ec2.delete_flow_logs(FlowLogIds=created['FlowLogIds'])
print(json.dumps({'ids': len(created['FlowLogIds']), 'status': fl[0]['DeliverLogsStatus'], 'resource': fl[0]['ResourceId'] == vpc, 'unsuccessful': deleted['Unsuccessful']}))
`;
  const r = await runCli('python3', ['-c', script, nimbus.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { ids: 1, status: 'SUCCESS', resource: true, unsuccessful: [] });
});
