// An ALB's HTTP listener answers on its own port of 127.0.0.1 too (SDK v3 for the control plane;
// node:http and curl for traffic): a listener on a free port forwards to a local server registered as
// an IP target and applies its rules there; the gateway-port route still answers; a moved listener
// answers on its new port only; a deleted one no longer listens.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig } from '../helpers.js';

let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
const nimbus = serverForFile(() => {
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
});

const target = http.createServer((req, res) =>
  res.writeHead(200, { 'content-type': 'text/plain' }).end(`target ${req.url} ${req.headers['x-forwarded-port']} ${req.headers.host}`),
);
after(() => {
  target.closeAllConnections();
  target.close();
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A GET straight to 127.0.0.1:port with a Host header; the status and body, or the socket error's code. */
function get(port: number, path: string, host: string): Promise<{ status: number; body: string } | string> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    req.end();
  });
}

test('an ALB HTTP listener serves its rules and targets on its own port, moves with ModifyListener and closes with DeleteListener', async () => {
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetPort = (target.address() as net.AddressInfo).port;
  const vpcs = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  const vpcId = vpcs.Vpcs![0].VpcId!;
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  const zones = [...new Map(subnets.Subnets!.map((s) => [s.AvailabilityZone, s.SubnetId!])).values()];
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'ports', Subnets: zones.slice(0, 2) }))).LoadBalancers![0];
  const dns = lb.DNSName!;
  const tg = (
    await elb.send(new L.CreateTargetGroupCommand({ Name: 'ports', TargetType: 'ip', Protocol: 'HTTP', Port: targetPort, VpcId: vpcId }))
  ).TargetGroups![0];
  await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: targetPort }] }));
  const port = await freePort();
  const listener = (
    await elb.send(
      new L.CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    )
  ).Listeners![0];
  await elb.send(
    new L.CreateRuleCommand({
      ListenerArn: listener.ListenerArn,
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', Values: ['/fixed*'] }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '418', ContentType: 'text/plain', MessageBody: 'teapot' } }],
    }),
  );

  // straight to the listener's port: the target answers, with the client's Host and the listener's port
  assert.deepEqual(await get(port, '/hello?x=1', `${dns}:${port}`), { status: 200, body: `target /hello?x=1 ${port} ${dns}:${port}` });
  assert.deepEqual(await get(port, '/fixed', dns), { status: 418, body: 'teapot' });
  // a body declared larger than Nimbus buffers is refused with ELB's own page, read as on the gateway's port
  const refused = await new Promise<string>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(`POST /big HTTP/1.1\r\nHost: ${dns}\r\nContent-Length: 200000000\r\n\r\nx`));
    let got = '';
    c.on('data', (d) => (got += d))
      .on('end', () => resolve(got))
      .on('close', () => resolve(got))
      .on('error', reject);
  });
  assert.match(refused, /^HTTP\/1\.1 413 /);
  assert.match(refused, /server: awselb\/2\.0/i);
  // curl resolves *.localhost to 127.0.0.1 itself
  const { stdout } = await promisify(execFile)('curl', ['-s', '--max-time', '10', `http://${dns}:${port}/curl`]);
  assert.equal(stdout, `target /curl ${port} ${dns}:${port}`);
  // the gateway-port path form still reaches the same listener
  assert.deepEqual(await get(nimbus.port, `/_nimbus/elb/ports/${port}/via-gateway`, `127.0.0.1:${nimbus.port}`), {
    status: 200,
    body: `target /via-gateway ${port} 127.0.0.1:${nimbus.port}`,
  });

  const moved = await freePort();
  await elb.send(new L.ModifyListenerCommand({ ListenerArn: listener.ListenerArn, Port: moved }));
  assert.equal(await get(port, '/', dns), 'ECONNREFUSED');
  assert.deepEqual(await get(moved, '/moved', dns), { status: 200, body: `target /moved ${moved} ${dns}` });

  await elb.send(new L.DeleteListenerCommand({ ListenerArn: listener.ListenerArn }));
  assert.equal(await get(moved, '/', dns), 'ECONNREFUSED');
  await elb.send(new L.DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn }));
});
