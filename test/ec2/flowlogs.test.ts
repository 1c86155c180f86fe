// VPC flow logs: created for a VPC, a subnet and a network interface (IAM role and log group checked),
// described with filters, deleted; records in the default v2 format (or a custom one) land in
// CloudWatch Logs for the traffic Nimbus reports through rt.integrations.ec2.recordFlow, and in S3 as
// gzip files per 5-minute window once the clock has passed it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ec2';
import { CloudWatchLogsClient, GetLogEventsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { S3Client, CreateBucketCommand, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { serverForFile, clientConfig, rejects, advanceClock } from '../helpers.js';

let ec2: E.EC2Client;
let logs: CloudWatchLogsClient;
let roleArn: string;
const nimbus = serverForFile(async () => {
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  logs = new CloudWatchLogsClient(clientConfig(nimbus.url));
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  roleArn = (
    await new IAMClient(clientConfig(nimbus.url)).send(
      new CreateRoleCommand({ RoleName: 'flow-logs', AssumeRolePolicyDocument: JSON.stringify(trust) }),
    )
  ).Role!.Arn!;
});

async function launch() {
  const ami = (await ec2.send(new E.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'architecture', Values: ['x86_64'] }] })))
    .Images![0].ImageId!;
  return (await ec2.send(new E.RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances![0];
}

test('flow logs on a VPC and an interface record the flows Nimbus carries, in v2 and a custom format', async () => {
  const i = await launch();
  const eni = i.NetworkInterfaces![0].NetworkInterfaceId!;
  const vpcLog = await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'VPC',
      ResourceIds: [i.VpcId!],
      TrafficType: 'ALL',
      LogGroupName: 'vpc-flows',
      DeliverLogsPermissionArn: roleArn,
      TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [{ Key: 'Name', Value: 'vpc' }] }],
    }),
  );
  assert.equal(vpcLog.FlowLogIds!.length, 1);
  assert.deepEqual(vpcLog.Unsuccessful, []);
  const custom = '${version} ${vpc-id} ${instance-id} ${srcaddr} ${dstaddr} ${dstport} ${action} ${flow-direction}';
  const eniLog = await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'NetworkInterface',
      ResourceIds: [eni],
      TrafficType: 'ACCEPT',
      DeliverLogsPermissionArn: roleArn,
      LogDestination: 'arn:aws:logs:us-east-1:000000000000:log-group:eni-flows',
      LogFormat: custom,
      MaxAggregationInterval: 60,
    }),
  );
  const d = (await ec2.send(new E.DescribeFlowLogsCommand({ FlowLogIds: eniLog.FlowLogIds }))).FlowLogs![0];
  assert.deepEqual(
    [d.LogGroupName, d.DeliverLogsStatus, d.FlowLogStatus, d.LogFormat, d.MaxAggregationInterval, d.ResourceId],
    ['eni-flows', 'SUCCESS', 'ACTIVE', custom, 60, eni],
  );
  const v = (await ec2.send(new E.DescribeFlowLogsCommand({ Filter: [{ Name: 'resource-id', Values: [i.VpcId!] }] }))).FlowLogs![0];
  assert.equal(
    v.LogFormat,
    '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}',
  );
  assert.deepEqual(v.Tags, [{ Key: 'Name', Value: 'vpc' }]);

  // what a load balancer forwarding to this instance reports
  const start = Math.floor(nimbus.clock.now().getTime() / 1000) * 1000;
  nimbus.runtime.integrations.ec2!.recordFlow!('000000000000', 'us-east-1', {
    instanceId: i.InstanceId,
    srcAddr: '10.0.0.9',
    srcPort: 40000,
    dstPort: 80,
    bytes: 3000,
    start,
    end: start + 1000,
  });
  const stream = `${eni}-all`;
  const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'vpc-flows' }))).logStreams!.map((s) => s.logStreamName);
  assert.deepEqual(streams, [stream]);
  const line = (await logs.send(new GetLogEventsCommand({ logGroupName: 'vpc-flows', logStreamName: stream }))).events![0].message;
  assert.equal(
    line,
    `2 000000000000 ${eni} 10.0.0.9 ${i.PrivateIpAddress} 40000 80 6 3 3000 ${start / 1000} ${start / 1000 + 1} ACCEPT OK`,
  );
  const customLine = (await logs.send(new GetLogEventsCommand({ logGroupName: 'eni-flows', logStreamName: `${eni}-accept` }))).events![0]
    .message;
  assert.equal(customLine, `5 ${i.VpcId} ${i.InstanceId} 10.0.0.9 ${i.PrivateIpAddress} 80 ACCEPT ingress`);

  await ec2.send(new E.DeleteFlowLogsCommand({ FlowLogIds: vpcLog.FlowLogIds }));
  const gone = await ec2.send(new E.DeleteFlowLogsCommand({ FlowLogIds: vpcLog.FlowLogIds }));
  assert.equal(gone.Unsuccessful![0].Error!.Code, 'InvalidFlowLogId.NotFound');
  assert.equal((await ec2.send(new E.DescribeFlowLogsCommand({ FlowLogIds: vpcLog.FlowLogIds }))).FlowLogs!.length, 0);
});

test('bad input: the role, the log group, the destination, duplicates and unknown resources', async () => {
  const vpc = (await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }))).Vpcs![0].VpcId!;
  const create = (extra: Partial<E.CreateFlowLogsCommandInput>) =>
    ec2.send(
      new E.CreateFlowLogsCommand({
        ResourceType: 'VPC',
        ResourceIds: [vpc],
        TrafficType: 'REJECT',
        LogGroupName: 'bad-flows',
        DeliverLogsPermissionArn: roleArn,
        ...extra,
      } as E.CreateFlowLogsCommandInput),
    );
  await rejects(create({ DeliverLogsPermissionArn: undefined }), 'InvalidParameter', 400, (e) =>
    assert.equal(e.message, "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs."),
  );
  await rejects(create({ LogDestination: 'arn:aws:logs:us-east-1:000000000000:log-group:x' }), 'InvalidParameter', 400);
  await rejects(create({ MaxAggregationInterval: 30 }), 'InvalidParameter', 400);
  await rejects(create({ LogFormat: '${version} ${nonsense}' }), 'InvalidParameter', 400);
  await rejects(
    create({ LogDestinationType: 's3', LogGroupName: undefined, LogDestination: 'arn:aws:s3:::bucket' }),
    'InvalidParameter',
    400,
    (e) => assert.equal(e.message, 'DeliverLogsPermissionArn is not applicable for s3 delivery'),
  );
  const ok = await create({});
  assert.equal(ok.FlowLogIds!.length, 1);
  const again = await create({ ResourceIds: [vpc, 'vpc-0000000000000000f'] });
  assert.deepEqual(
    again.Unsuccessful!.map((u) => u.Error!.Code),
    ['FlowLogAlreadyExists', 'InvalidVpcID.NotFound'],
  );
  const noRole = await create({ TrafficType: 'ALL', DeliverLogsPermissionArn: 'arn:aws:iam::000000000000:role/missing' });
  const d = (await ec2.send(new E.DescribeFlowLogsCommand({ FlowLogIds: noRole.FlowLogIds }))).FlowLogs![0];
  assert.deepEqual([d.DeliverLogsStatus, d.DeliverLogsErrorMessage], ['FAILED', 'Access error']);
  const failed = await ec2.send(new E.DescribeFlowLogsCommand({ Filter: [{ Name: 'deliver-log-status', Values: ['FAILED'] }] }));
  assert.deepEqual(
    failed.FlowLogs!.map((f) => f.FlowLogId),
    noRole.FlowLogIds,
  );
});

test('flow logs to S3 publish a gzip file per 5-minute window once the clock passes it, in plain and Hive-compatible folders', async () => {
  const s3 = new S3Client({ ...clientConfig(nimbus.url), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'flow-files' }));
  const i = await launch();
  const eni = i.NetworkInterfaces![0].NetworkInterfaceId!;
  const plain = await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'NetworkInterface',
      ResourceIds: [eni],
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::flow-files/plain',
    }),
  );
  const hive = await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'Subnet',
      ResourceIds: [i.SubnetId!],
      TrafficType: 'ACCEPT',
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::flow-files/hive/',
      LogFormat: '${srcaddr} ${dstaddr} ${dstport} ${bytes}',
      DestinationOptions: { FileFormat: 'plain-text', HiveCompatiblePartitions: true, PerHourPartition: true },
    }),
  );
  const d = (await ec2.send(new E.DescribeFlowLogsCommand({ FlowLogIds: [...plain.FlowLogIds!, ...hive.FlowLogIds!] }))).FlowLogs!;
  const byId = Object.fromEntries(d.map((f) => [f.FlowLogId, [f.LogDestinationType, f.LogDestination, f.DestinationOptions]]));
  assert.deepEqual(byId[plain.FlowLogIds![0]], [
    's3',
    'arn:aws:s3:::flow-files/plain',
    { FileFormat: 'plain-text', HiveCompatiblePartitions: false, PerHourPartition: false },
  ]);
  assert.deepEqual(byId[hive.FlowLogIds![0]], [
    's3',
    'arn:aws:s3:::flow-files/hive/',
    { FileFormat: 'plain-text', HiveCompatiblePartitions: true, PerHourPartition: true },
  ]);

  // two flows an hour ahead of the clock: their window is not over yet
  const at = Math.floor(nimbus.clock.now().getTime() / 3_600_000) * 3_600_000 + 3_600_000 + 60_000;
  for (const [port, bytes] of [
    [80, 500],
    [443, 700],
  ])
    nimbus.runtime.integrations.ec2!.recordFlow!('000000000000', 'us-east-1', {
      instanceId: i.InstanceId,
      srcAddr: '10.0.0.9',
      srcPort: 40000,
      dstPort: port,
      bytes,
      start: at,
      end: at + 1000,
    });
  const list = async () => (await s3.send(new ListObjectsV2Command({ Bucket: 'flow-files' }))).Contents?.map((o) => o.Key!) ?? [];
  assert.deepEqual(await list(), []);
  await advanceClock(nimbus.url, '2h');
  const keys = await list();
  assert.equal(keys.length, 2, keys.join());
  const day = new Date(at).toISOString().slice(0, 10).split('-');
  const hour = new Date(at).toISOString().slice(11, 13);
  const stamp = `${day.join('')}T${hour}00Z`;
  const plainKey = keys.find((k) => k.startsWith('plain/'))!;
  assert.match(
    plainKey,
    new RegExp(
      `^plain/AWSLogs/000000000000/vpcflowlogs/us-east-1/${day.join('/')}/000000000000_vpcflowlogs_us-east-1_${plain.FlowLogIds![0]}_${stamp}_[0-9a-f]{8}\\.log\\.gz$`,
    ),
  );
  const hiveKey = keys.find((k) => k.startsWith('hive/'))!;
  assert.match(
    hiveKey,
    new RegExp(
      `^hive/AWSLogs/aws-account-id=000000000000/aws-service=vpcflowlogs/aws-region=us-east-1/year=${day[0]}/month=${day[1]}/day=${day[2]}/hour=${hour}/000000000000_vpcflowlogs_us-east-1_${hive.FlowLogIds![0]}_${stamp}_[0-9a-f]{8}\\.log\\.gz$`,
    ),
  );
  const read = async (Key: string) =>
    gunzipSync(Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'flow-files', Key }))).Body!.transformToByteArray()))
      .toString()
      .trimEnd()
      .split('\n');
  const plainLines = await read(plainKey);
  assert.equal(
    plainLines[0],
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  );
  assert.deepEqual(
    plainLines.slice(1),
    [80, 443].map(
      (port, n) =>
        `2 000000000000 ${eni} 10.0.0.9 ${i.PrivateIpAddress} 40000 ${port} 6 1 ${[500, 700][n]} ${at / 1000} ${at / 1000 + 1} ACCEPT OK`,
    ),
  );
  assert.deepEqual(await read(hiveKey), [
    'srcaddr dstaddr dstport bytes',
    `10.0.0.9 ${i.PrivateIpAddress} 80 500`,
    `10.0.0.9 ${i.PrivateIpAddress} 443 700`,
  ]);
});
