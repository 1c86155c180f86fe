// A Network Load Balancer really forwards TCP (SDK v3 for the control plane; node:net for traffic): a
// TCP listener listens on its own port of 127.0.0.1, connections go round robin to two local TCP
// servers registered as IP targets, a stopped one fails its TCP health checks as the clock advances
// and traffic goes to the other; a moved listener answers on its new port; with no target registered
// the connection is reset; a deleted listener (or load balancer) no longer listens; a PROXY protocol
// v2 header when the target group asks for one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';

let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
const nimbus = serverForFile(() => {
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A TCP server that answers each line with its name and the line. */
async function echo(name: string): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    sock.on('data', (d) => sock.end(`${name}:${d.toString()}`));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Sends one line through a port; the answer, or the socket error's code. */
function talk(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let got = '';
    sock.on('connect', () => sock.write(line));
    sock.on('data', (d) => (got += d.toString()));
    sock.on('end', () => resolve(got));
    sock.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

test('an NLB forwards TCP on its listener port round robin to healthy targets; moved, emptied and deleted listeners answer accordingly', async () => {
  const vpcs = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const vpcId = vpcs.Vpcs![0].VpcId!;
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'tcp', Type: 'network', Subnets: [subnets.Subnets![0].SubnetId!] })))
    .LoadBalancers![0];
  const [a, b] = [await echo('A'), await echo('B')];
  const tg = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'tcp',
        TargetType: 'ip',
        Protocol: 'TCP',
        Port: 7000,
        VpcId: vpcId,
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups![0];
  assert.equal(tg.HealthCheckProtocol, 'TCP');
  await elb.send(
    new L.RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [a, b].map((x) => ({ Id: '127.0.0.1', Port: x.port })) }),
  );
  const port = await freePort();
  const listener = (
    await elb.send(
      new L.CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'TCP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    )
  ).Listeners![0];
  await advanceClock(nimbus.url, '30s');
  const states = async () =>
    (await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions!.map((d) => [
      d.Target!.Port === a.port ? 'A' : 'B',
      d.TargetHealth!.State,
    ]);
  assert.deepEqual((await states()).sort(), [
    ['A', 'healthy'],
    ['B', 'healthy'],
  ]);
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await talk(port, `hello ${i}`));
  assert.deepEqual(answers.map((x) => x.split(':')[0]).sort(), ['A', 'A', 'B', 'B']);
  assert.ok(answers.every((x, i) => x.endsWith(`:hello ${i}`)));

  // B stops: its TCP checks fail as the clock advances, and every connection goes to A
  await new Promise((r) => b.server.close(r));
  await advanceClock(nimbus.url, '30s');
  assert.deepEqual((await states()).sort(), [
    ['A', 'healthy'],
    ['B', 'unhealthy'],
  ]);
  for (let i = 0; i < 3; i++) assert.equal(await talk(port, 'again'), 'A:again');

  // the listener moves: the old port no longer listens
  const moved = await freePort();
  await elb.send(new L.ModifyListenerCommand({ ListenerArn: listener.ListenerArn, Port: moved }));
  assert.equal(await talk(port, 'old'), 'ECONNREFUSED');
  assert.equal(await talk(moved, 'new'), 'A:new');

  // no target registered: the connection is reset
  await elb.send(
    new L.DeregisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [a, b].map((x) => ({ Id: '127.0.0.1', Port: x.port })) }),
  );
  assert.equal(await talk(moved, 'nobody'), 'ECONNRESET');

  await elb.send(new L.DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
  assert.equal(await talk(moved, 'gone'), 'ECONNREFUSED');

  // a new listener on the same port serves at once
  await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: a.port }] }));
  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'TCP',
      Port: moved,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }),
  );
  assert.equal(await talk(moved, 'back'), 'A:back');
  // deleting the load balancer closes its listeners
  await elb.send(new L.DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
  assert.equal(await talk(moved, 'closed'), 'ECONNREFUSED');
});

test('with proxy_protocol_v2.enabled the target gets a PROXY v2 header naming the client and the listener port first; health checks a LOCAL one', async () => {
  const vpcs = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const vpcId = vpcs.Vpcs![0].VpcId!;
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  const subnet = subnets.Subnets![0];
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'proxied', Type: 'network', Subnets: [subnet.SubnetId!] })))
    .LoadBalancers![0];
  // answers what the header says, then the payload after it; notes the health checks' LOCAL headers
  const checks: string[] = [];
  const seen = net.createServer((sock) => {
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    const local = () => buf.length >= 16 && buf[12] === 0x20 && buf.readUInt16BE(14) === 0;
    sock.on('end', () => {
      if (local() && buf.length === 16) checks.push('tcp');
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (local()) {
        const request = buf.subarray(16).toString();
        if (!request.includes('\r\n\r\n')) return;
        checks.push(request.split('\r\n')[0]);
        return void sock.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      }
      if (buf.length <= 28) return;
      const sig = buf.subarray(0, 12).toString('hex');
      const [ver, fam, len] = [buf[12], buf[13], buf.readUInt16BE(14)];
      const src = `${[...buf.subarray(16, 20)].join('.')}:${buf.readUInt16BE(24)}`;
      const dst = `${[...buf.subarray(20, 24)].join('.')}:${buf.readUInt16BE(26)}`;
      sock.end(`${sig} ${ver.toString(16)} ${fam.toString(16)} ${len} ${src} ${dst} ${buf.subarray(16 + len).toString()}`);
    });
  });
  servers.push(seen);
  await new Promise<void>((r) => seen.listen(0, '127.0.0.1', r));
  const tg = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'proxied',
        TargetType: 'ip',
        Protocol: 'TCP',
        Port: 7000,
        VpcId: vpcId,
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups![0];
  await elb.send(
    new L.ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tg.TargetGroupArn,
      Attributes: [{ Key: 'proxy_protocol_v2.enabled', Value: 'true' }],
    }),
  );
  await elb.send(
    new L.RegisterTargetsCommand({
      TargetGroupArn: tg.TargetGroupArn,
      Targets: [{ Id: '127.0.0.1', Port: (seen.address() as net.AddressInfo).port }],
    }),
  );
  const port = await freePort();
  await elb.send(
    new L.CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Protocol: 'TCP',
      Port: port,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }),
  );
  const answer = await new Promise<{ text: string; localPort: number }>((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write('payload'));
    let text = '';
    sock.on('data', (d) => (text += d.toString()));
    sock.on('end', () => resolve({ text, localPort: sock.localPort! }));
    sock.on('error', reject);
  });
  const [sig, ver, fam, len, src, dst, payload] = answer.text.split(' ');
  assert.deepEqual([sig, ver, fam, len, payload], ['0d0a0d0a000d0a515549540a', '21', '11', '12', 'payload']);
  assert.equal(src, `127.0.0.1:${answer.localPort}`);
  // the destination is the load balancer's node in its subnet, on the listener's port
  const [dstIp, dstPort] = dst.split(':');
  assert.equal(Number(dstPort), port);
  assert.equal(dstIp.split('.').slice(0, 2).join('.'), subnet.CidrBlock!.split('.').slice(0, 2).join('.'));

  // health checks send a LOCAL header (no client to name) first, before a TCP close or an HTTP GET
  const health = async () =>
    (await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0].TargetHealth!
      .State;
  await advanceClock(nimbus.url, '30s');
  assert.equal(await health(), 'healthy');
  assert.ok(checks.length >= 1 && !checks.some((c) => c !== 'tcp'), checks.join());
  await elb.send(
    new L.ModifyTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn, HealthCheckProtocol: 'HTTP', HealthCheckPath: '/ping' }),
  );
  checks.length = 0;
  await advanceClock(nimbus.url, '30s');
  assert.equal(await health(), 'healthy');
  assert.ok(checks.length >= 1 && checks.every((c) => c === 'GET /ping HTTP/1.1'), checks.join());
  await elb.send(new L.DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
});
