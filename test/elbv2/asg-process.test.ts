// The whole loop with instances that really serve: an Auto Scaling group of two process-mode
// instances (nimbus:run=process through its launch template) serving HTTP behind an ALB; one
// instance's server exits, its health checks fail as the clock advances, the group replaces it, and
// the load balancer keeps answering except briefly. Skipped where EC2 has no process mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import * as A from '@aws-sdk/client-auto-scaling';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
let asg: A.AutoScalingClient;
const nimbus = serverForFile(() => {
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  asg = new A.AutoScalingClient(clientConfig(nimbus.url));
});

// the instance's service: answers its id on 8080 of its own loopback address; /exit makes it exit
const SERVER = `#!/usr/bin/env node
require('http').createServer((req, res) => {
  if (req.url === '/exit') return res.end('bye', () => process.exit(1));
  res.end(process.env.NIMBUS_INSTANCE_ID);
}).listen(8080, process.env.NIMBUS_BIND_ADDRESS);
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

test('an Auto Scaling group of process instances behind an ALB: a server exits, its checks fail, the group replaces it, traffic goes on', async (t) => {
  if (!nimbus.runtime.integrations.ec2?.endpoint) return t.skip('EC2 has no process mode here');
  const vpcId = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.87.0.0/16' }))).Vpc!.VpcId!;
  const subnets = await Promise.all(
    [
      ['10.87.1.0/24', 'us-east-1a'],
      ['10.87.2.0/24', 'us-east-1b'],
    ].map(
      async ([CidrBlock, AvailabilityZone]) =>
        (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock, AvailabilityZone }))).Subnet!.SubnetId!,
    ),
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
  await ec2.send(
    new E.CreateLaunchTemplateCommand({
      LaunchTemplateName: 'web-process',
      LaunchTemplateData: {
        ImageId: images.Images![0].ImageId,
        InstanceType: 't3.micro',
        UserData: Buffer.from(SERVER).toString('base64'),
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'nimbus:run', Value: 'process' }] }],
      },
    }),
  );
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'web-process', Subnets: subnets }))).LoadBalancers![0];
  const tg = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'web-process',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups![0];
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
      AutoScalingGroupName: 'web-process',
      LaunchTemplate: { LaunchTemplateName: 'web-process' },
      MinSize: 2,
      MaxSize: 2,
      DesiredCapacity: 2,
      VPCZoneIdentifier: subnets.join(','),
      TargetGroupARNs: [tg.TargetGroupArn!],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 30,
    }),
  );
  const host = `${lb.DNSName}:${nimbus.port}`;
  const members = async () =>
    (await asg.send(new A.DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web-process'] }))).AutoScalingGroups![0].Instances!;
  const healthy = async () =>
    (await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn })))
      .TargetHealthDescriptions!.filter((d) => d.TargetHealth!.State === 'healthy')
      .map((d) => d.Target!.Id!)
      .sort();

  try {
    // the instances boot, their servers start listening (in real time), their checks pass
    for (let i = 0; i < 60 && (await healthy()).length < 2; i++) {
      await advanceClock(nimbus.url, '10s');
      await pause(100);
    }
    const first = (await members()).map((m) => m.InstanceId!).sort();
    assert.deepEqual(await healthy(), first);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await get(host)).body);
    assert.deepEqual([...seen].sort(), first, 'both instances answer, round robin');

    // one instance's server exits (asked directly, not through the load balancer): the instance runs on, its port refuses
    const [victim, survivor] = first;
    const at = nimbus.runtime.integrations.ec2.endpoint!('000000000000', 'us-east-1', victim, 8080)!;
    const out = await ec2.send(new E.DescribeInstancesCommand({ InstanceIds: [victim] }));
    assert.equal(out.Reservations![0].Instances![0].State!.Name, 'running');
    const bye = await new Promise<string>((resolve, reject) =>
      http
        .get({ host: at.host, port: at.port, path: '/exit', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve(body));
        })
        .on('error', reject),
    );
    assert.equal(bye, 'bye');

    let failures = 0;
    let answered = 0;
    let replaced = false;
    for (let i = 0; i < 60 && !replaced; i++) {
      await advanceClock(nimbus.url, '10s');
      const res = await get(host);
      if (res.status === 200) answered++;
      else failures++;
      const now = (await members()).filter((m) => m.LifecycleState === 'InService').map((m) => m.InstanceId!);
      const ids = await healthy();
      replaced = !now.includes(victim) && now.length === 2 && ids.length === 2 && !ids.includes(victim);
      await pause(50);
    }
    assert.ok(replaced, 'the group replaced the instance and its replacement passed its checks');
    assert.ok(failures <= 2, `traffic failed only briefly (${failures} failures, ${answered} answered)`);
    const after = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const res = await get(host);
      assert.equal(res.status, 200);
      after.add(res.body);
    }
    assert.ok(after.has(survivor) && !after.has(victim) && after.size === 2, [...after].join());
    const acts = (await asg.send(new A.DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'web-process' }))).Activities!;
    assert.ok(
      acts.some(
        (a) =>
          a.Description === `Terminating EC2 instance: ${victim}` && /in response to an ELB system health check failure\.$/.test(a.Cause!),
      ),
    );
  } finally {
    await asg.send(new A.DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web-process', ForceDelete: true }));
  }
});
