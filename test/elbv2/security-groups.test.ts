// Security groups filter what load balancers send to instance targets (process-mode instances
// serving HTTP on 8080). ALB: an instance whose group does not let the ALB's group in fails its
// checks with Target.Timeout, the ALB answers 504 and a REJECT flow log records the drop; a rule
// naming the ALB's group, a CIDR holding its node, a group swapped in by ModifyInstanceAttribute let
// it through, each from the next check or request on; revoking shuts it again. NLB without security
// groups: its checks come from its node in the VPC, its connections carry the client's address, so a
// subnet CIDR passes the checks but resets the connections, 0.0.0.0/0 lets both in. Skipped where
// EC2 has no process mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
let logs: CloudWatchLogsClient;
let iam: IAMClient;
const nimbus = serverForFile(() => {
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  logs = new CloudWatchLogsClient(clientConfig(nimbus.url));
  iam = new IAMClient(clientConfig(nimbus.url));
});

const SERVER = `#!/usr/bin/env node
require('http').createServer((req, res) => res.end('hello from ' + process.env.NIMBUS_INSTANCE_ID)).listen(8080, process.env.NIMBUS_BIND_ADDRESS);
`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function get(host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: nimbus.port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A GET over a raw TCP connection: what came back, or the error that ended it. */
function rawGet(port: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write('GET / HTTP/1.1\r\nHost: nlb\r\nConnection: close\r\n\r\n'));
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    sock.on('close', () => resolve(got));
    sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A VPC with two subnets, a group without ingress rules and a process-mode instance in it serving 8080. */
async function network(cidr: string) {
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16` }))).Vpc!.VpcId!;
  const subnets = await Promise.all(
    ['a', 'b'].map(
      async (z, i) =>
        (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${cidr}.${i + 1}.0/24`, AvailabilityZone: `us-east-1${z}` })))
          .Subnet!.SubnetId!,
    ),
  );
  const group = async (name: string) =>
    (await ec2.send(new E.CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }))).GroupId!;
  const webSg = await group(`web-${cidr}`);
  const images = await ec2.send(new E.DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*'] }] }));
  const inst = (
    await ec2.send(
      new E.RunInstancesCommand({
        ImageId: images.Images![0].ImageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnets[0],
        SecurityGroupIds: [webSg],
        UserData: Buffer.from(SERVER).toString('base64'),
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'nimbus:run', Value: 'process' }] }],
      }),
    )
  ).Instances![0];
  // the instance boots and its server listens (in real time) before any check is judged
  const at = () => nimbus.runtime.integrations.ec2!.endpoint!('000000000000', 'us-east-1', inst.InstanceId!, 8080);
  for (let i = 0; i < 100; i++) {
    const where = at();
    const up =
      where &&
      (await new Promise<boolean>((r) => {
        const s = net.connect(where, () => r(true)).on('error', () => r(false));
        s.on('connect', () => s.destroy());
      }));
    if (up) break;
    if (i % 10 === 9) await advanceClock(nimbus.url, '10s');
    await pause(100);
  }
  return { vpcId, subnets, webSg, group, id: inst.InstanceId!, ip: inst.PrivateIpAddress! };
}

async function health(tgArn: string) {
  return (await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions![0].TargetHealth!;
}

/** Two check intervals later (thresholds of 2): the state the checks settle on. */
async function afterChecks(tgArn: string) {
  await advanceClock(nimbus.url, '10s');
  await advanceClock(nimbus.url, '10s');
  return health(tgArn);
}

const tcp8080 = (peer: Partial<E.IpPermission>): E.IpPermission[] => [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, ...peer }];

test("an ALB reaches an instance only through the instance's security groups: Target.Timeout and 504 until they let it in", async (t) => {
  if (!nimbus.runtime.integrations.ec2?.endpoint) return t.skip('EC2 has no process mode here');
  const net1 = await network('10.92');
  const { vpcId, subnets, webSg, id } = net1;
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
  const role = (await iam.send(new CreateRoleCommand({ RoleName: 'sg-flows', AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!;
  await ec2.send(
    new E.CreateFlowLogsCommand({
      ResourceType: 'VPC',
      ResourceIds: [vpcId],
      TrafficType: 'REJECT',
      LogGroupName: 'sg-rejects',
      DeliverLogsPermissionArn: role.Arn,
    }),
  );
  const albSg = await net1.group('alb');
  await ec2.send(
    new E.AuthorizeSecurityGroupIngressCommand({
      GroupId: albSg,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    }),
  );
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'sg-alb', Subnets: subnets, SecurityGroups: [albSg] })))
    .LoadBalancers![0];
  const tg = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'sg-web',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups![0];
  const tgArn = tg.TargetGroupArn!;
  await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: id }] }));
  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
    }),
  );
  const host = `${lb.DNSName}:${nimbus.port}`;
  try {
    // the instance's group has no rule for the ALB: checks time out, requests get ELB's 504 page
    assert.deepEqual(await afterChecks(tgArn), { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' });
    const denied = await get(host);
    assert.equal(denied.status, 504);
    assert.match(denied.body, /504 Gateway Time-out/);
    const rejects = (
      await logs.send(new GetLogEventsCommand({ logGroupName: 'sg-rejects', logStreamName: `${await eniOf(id)}-reject` }))
    ).events!.map((e) => e.message!.split(' '));
    assert.ok(rejects.length >= 1);
    assert.match(rejects[0][3], /^10\.92\.1\.\d+$/, "from the ALB's node in the instance's subnet");
    assert.deepEqual([rejects[0][4], rejects[0][6], rejects[0][12]], [net1.ip, '8080', 'REJECT']);

    // let the ALB's group in: healthy from the next checks, and requests reach the instance
    const fromAlb = tcp8080({ UserIdGroupPairs: [{ GroupId: albSg }] });
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: fromAlb }));
    assert.deepEqual(await afterChecks(tgArn), { State: 'healthy' });
    assert.deepEqual(await get(host), { status: 200, body: `hello from ${id}` });

    // revoked: the very next request is dropped
    await ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: fromAlb }));
    assert.equal((await get(host)).status, 504);

    // a CIDR holding the ALB's node lets it in; one that does not (the other subnet) does not
    await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: tcp8080({ IpRanges: [{ CidrIp: '10.92.2.0/24' }] }) }),
    );
    assert.equal((await get(host)).status, 504);
    await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: tcp8080({ IpRanges: [{ CidrIp: '10.92.1.0/24' }] }) }),
    );
    assert.deepEqual(await get(host), { status: 200, body: `hello from ${id}` });

    // the instance moved to a group with no rules, then to one allowing all traffic from the ALB's group
    const bare = await net1.group('bare');
    await ec2.send(new E.ModifyInstanceAttributeCommand({ InstanceId: id, Groups: [bare] }));
    assert.deepEqual(await afterChecks(tgArn), { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' });
    await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({
        GroupId: bare,
        IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: albSg }] }],
      }),
    );
    assert.deepEqual(await afterChecks(tgArn), { State: 'healthy' });
    assert.deepEqual(await get(host), { status: 200, body: `hello from ${id}` });

    // the interface moved to a closed group: the next request is dropped, and the instance shows its new group
    const closed = await net1.group('closed');
    await ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: await eniOf(id), Groups: [closed] }));
    assert.equal((await get(host)).status, 504);
    await assert.rejects(
      ec2.send(new E.ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: 'eni-0123456789abcdef0', Groups: [closed] })),
      {
        name: 'InvalidNetworkInterfaceID.NotFound',
        message: "The networkInterface ID 'eni-0123456789abcdef0' does not exist",
      },
    );
    const described = await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [id] }));
    assert.deepEqual(
      described.Reservations![0].Instances![0].SecurityGroups!.map((g) => g.GroupId),
      [closed],
    );
  } finally {
    await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
  }
});

async function eniOf(id: string): Promise<string> {
  const r = await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations![0].Instances![0].NetworkInterfaces![0].NetworkInterfaceId!;
}

test("an NLB without security groups: checks come from its node in the VPC, connections carry the client's address", async (t) => {
  if (!nimbus.runtime.integrations.ec2?.endpoint) return t.skip('EC2 has no process mode here');
  const { vpcId, subnets, webSg, id } = await network('10.93');
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'sg-nlb', Type: 'network', Subnets: [subnets[0]] })))
    .LoadBalancers![0];
  const tg = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'sg-tcp',
        Protocol: 'TCP',
        Port: 8080,
        VpcId: vpcId,
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups![0];
  const tgArn = tg.TargetGroupArn!;
  await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: id }] }));
  const port = await freePort();
  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'TCP',
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
    }),
  );
  try {
    // nothing lets it in: failed checks (Target.Timeout is an ALB reason) and reset connections
    assert.deepEqual(await afterChecks(tgArn), {
      State: 'unhealthy',
      Reason: 'Target.FailedHealthChecks',
      Description: 'Health checks failed',
    });
    assert.equal(await rawGet(port), 'ECONNRESET');

    // the node's subnet: the checks pass, but the client (outside the VPC) is still kept out
    await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: tcp8080({ IpRanges: [{ CidrIp: '10.93.1.0/24' }] }) }),
    );
    assert.deepEqual(await afterChecks(tgArn), { State: 'healthy' });
    assert.equal(await rawGet(port), 'ECONNRESET');

    // open to the world: the client's connection reaches the instance
    await ec2.send(
      new E.AuthorizeSecurityGroupIngressCommand({ GroupId: webSg, IpPermissions: tcp8080({ IpRanges: [{ CidrIp: '0.0.0.0/0' }] }) }),
    );
    assert.match(await rawGet(port), new RegExp(`^HTTP/1.1 200 OK\\r\\n[\\s\\S]*hello from ${id}$`));
  } finally {
    await ec2.send(new E.TerminateInstancesCommand({ InstanceIds: [id] }));
  }
});
