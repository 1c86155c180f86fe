// VPC flow logs see what load balancers forward: a process-mode instance serving HTTP behind an ALB, a
// flow log on its VPC to CloudWatch Logs (default format) and one on its subnet (a custom format); each
// request through the ALB lands as an ingress and an egress record at the instance's interface, read
// back with the Logs client; then a TCP connection through an NLB to the same instance; the same
// records in a flow log to S3 once the clock passes their 5-minute windows. Skipped where
// EC2 has no process mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import { CloudWatchLogsClient, GetLogEventsCommand, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { S3Client, CreateBucketCommand, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { gunzipSync } from 'node:zlib';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
let logs: CloudWatchLogsClient;
let iam: IAMClient;
let s3: S3Client;
const nimbus = serverForFile(() => {
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  logs = new CloudWatchLogsClient(clientConfig(nimbus.url));
  iam = new IAMClient(clientConfig(nimbus.url));
  s3 = new S3Client({ ...clientConfig(nimbus.url), forcePathStyle: true });
});

const SERVER = `#!/usr/bin/env node
require('http').createServer((req, res) => res.end('hello from ' + process.env.NIMBUS_INSTANCE_ID)).listen(8080, process.env.NIMBUS_BIND_ADDRESS);
`;

function get(host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: nimbus.port, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** An HTTP/1.0-style GET over a raw TCP connection; everything the other end sent. */
function rawGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write('GET / HTTP/1.1\r\nHost: nlb\r\nConnection: close\r\n\r\n'));
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    sock.on('close', () => resolve(got));
    sock.on('error', reject);
  });
}

test('traffic an ALB and an NLB forward to an instance is recorded by the flow logs of its VPC and subnet in CloudWatch Logs and S3', async (t) => {
  if (!nimbus.runtime.integrations.ec2?.endpoint) return t.skip('EC2 has no process mode here');
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const roleArn = (await iam.send(new CreateRoleCommand({ RoleName: 'alb-flow-logs', AssumeRolePolicyDocument: JSON.stringify(trust) })))
    .Role!.Arn!;
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.91.0.0/16' }))).Vpc!.VpcId!;
  const [subnetA, subnetB] = await Promise.all(
    [
      ['10.91.1.0/24', 'us-east-1a'],
      ['10.91.2.0/24', 'us-east-1b'],
    ].map(
      async ([CidrBlock, AvailabilityZone]) =>
        (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock, AvailabilityZone }))).Subnet!.SubnetId!,
    ),
  );
  await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'VPC',
      ResourceIds: [vpcId],
      TrafficType: 'ALL',
      LogGroupName: 'alb-vpc-flows',
      DeliverLogsPermissionArn: roleArn,
    }),
  );
  await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'Subnet',
      ResourceIds: [subnetA],
      TrafficType: 'ACCEPT',
      LogGroupName: 'alb-subnet-flows',
      DeliverLogsPermissionArn: roleArn,
      LogFormat: '${instance-id} ${subnet-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${action} ${flow-direction}',
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: 'alb-flow-files' }));
  await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'VPC',
      ResourceIds: [vpcId],
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::alb-flow-files',
    }),
  );
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  const inst = (
    await ec2.send(
      new E.RunInstancesCommand({
        ImageId: images.Images![0].ImageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetA,
        UserData: Buffer.from(SERVER).toString('base64'),
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'nimbus:run', Value: 'process' }] }],
      }),
    )
  ).Instances![0];
  const id = inst.InstanceId!;
  const eni = inst.NetworkInterfaces![0].NetworkInterfaceId!;
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'flows', Subnets: [subnetA, subnetB] }))).LoadBalancers![0];
  const tg = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'flows',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups![0];
  await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: id }] }));
  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }),
  );
  try {
    const healthy = async () =>
      (await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0].TargetHealth!
        .State;
    // the instance boots and its server starts listening (in real time), then its checks pass
    for (let i = 0; i < 60 && (await healthy()) !== 'healthy'; i++) {
      await advanceClock(nimbus.url, '10s');
      await pause(100);
    }
    assert.equal(await healthy(), 'healthy');
    const host = `${lb.DNSName}:${nimbus.port}`;
    for (let i = 0; i < 2; i++) assert.deepEqual(await get(host, `/page/${i}`), { status: 200, body: `hello from ${id}` });

    // the default v2 format at the VPC: request in from the load balancer's node, answer out to it
    const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: 'alb-vpc-flows' }))).logStreams!;
    assert.deepEqual(
      streams.map((s) => s.logStreamName),
      [`${eni}-all`],
    );
    const lines = (await logs.send(new GetLogEventsCommand({ logGroupName: 'alb-vpc-flows', logStreamName: `${eni}-all` }))).events!.map(
      (e) => e.message!.split(' '),
    );
    assert.equal(lines.length, 4, 'two requests, each an ingress and an egress record');
    const [inbound, outbound] = lines;
    const node = inbound[3];
    assert.match(node, /^10\.91\.1\.\d+$/, "the load balancer's node in the instance's subnet");
    assert.notEqual(node, inst.PrivateIpAddress);
    assert.deepEqual(
      [inbound[0], inbound[1], inbound[2], inbound[4], inbound[6], inbound[7], inbound[12], inbound[13]],
      ['2', '000000000000', eni, inst.PrivateIpAddress, '8080', '6', 'ACCEPT', 'OK'],
    );
    assert.deepEqual([outbound[3], outbound[4], outbound[5], outbound[6]], [inst.PrivateIpAddress, node, '8080', inbound[5]]);
    assert.ok(Number(inbound[9]) > 50 && Number(outbound[9]) > `hello from ${id}`.length, 'bytes of the request and the answer');
    assert.ok(Number(inbound[10]) <= Number(inbound[11]), 'start before end');

    // the custom format at the subnet
    const custom = (
      await logs.send(new GetLogEventsCommand({ logGroupName: 'alb-subnet-flows', logStreamName: `${eni}-accept` }))
    ).events!.map((e) => e.message);
    assert.equal(custom.length, 4);
    assert.equal(custom[0], `${id} ${subnetA} ${node} ${inst.PrivateIpAddress} ${inbound[5]} 8080 ACCEPT ingress`);
    assert.equal(custom[1], `${id} ${subnetA} ${inst.PrivateIpAddress} ${node} 8080 ${inbound[5]} ACCEPT egress`);

    // an NLB to the same instance: its TCP connection is recorded with the client's own address (client IP preservation)
    // an NLB without security groups passes clients' addresses on: the instance's group must let them in (and its health checks)
    await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({
        GroupId: inst.SecurityGroups![0].GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    const nlb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'flows-nlb', Type: 'network', Subnets: [subnetA] })))
      .LoadBalancers![0];
    const tcp = (
      await elb.send(
        new L.CreateTargetGroupCommand({
          Name: 'flows-tcp',
          Protocol: 'TCP',
          Port: 8080,
          VpcId: vpcId,
          HealthCheckIntervalSeconds: 10,
          HealthCheckTimeoutSeconds: 5,
          HealthyThresholdCount: 2,
        }),
      )
    ).TargetGroups![0];
    await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tcp.TargetGroupArn, Targets: [{ Id: id }] }));
    const port = await freePort();
    await elb.send(
      new L.CreateListenerCommand({
        LoadBalancerArn: nlb.LoadBalancerArn,
        Protocol: 'TCP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }],
      }),
    );
    await advanceClock(nimbus.url, '30s');
    const raw = await rawGet(port);
    assert.match(raw, new RegExp(`^HTTP/1.1 200 OK\\r\\n[\\s\\S]*hello from ${id}$`));
    const after = (await logs.send(new GetLogEventsCommand({ logGroupName: 'alb-vpc-flows', logStreamName: `${eni}-all` }))).events!.map(
      (e) => e.message!.split(' '),
    );
    assert.equal(after.length, 6);
    const [tcpIn, tcpOut] = after.slice(4);
    assert.deepEqual([tcpIn[3], tcpIn[4], tcpIn[6]], ['127.0.0.1', inst.PrivateIpAddress, '8080']);
    assert.deepEqual([tcpOut[3], tcpOut[4], tcpOut[5]], [inst.PrivateIpAddress, '127.0.0.1', '8080']);
    assert.equal(Number(tcpOut[9]), Buffer.byteLength(raw), 'the bytes the target sent');

    // the S3 flow log has the same six records once their 5-minute windows are over
    await advanceClock(nimbus.url, '6m');
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'alb-flow-files' }))).Contents!.map((o) => o.Key!);
    assert.ok(keys.every((k) => k.startsWith('AWSLogs/000000000000/vpcflowlogs/us-east-1/') && k.endsWith('.log.gz')));
    const records: string[] = [];
    for (const Key of keys) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: 'alb-flow-files', Key }))).Body!.transformToByteArray();
      records.push(...gunzipSync(Buffer.from(body)).toString().trimEnd().split('\n').slice(1));
    }
    assert.deepEqual(records.sort(), after.map((l) => l.join(' ')).sort());
  } finally {
    await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
  }
});
