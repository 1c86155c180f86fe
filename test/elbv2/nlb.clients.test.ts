// A Network Load Balancer built with the AWS CLI v2 forwards TCP on its listener's port, and listens
// there again after Nimbus is killed (kill -9) and restarted on the same data directory.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, runCli, AWS_CLI_V2 } from '../helpers.js';

const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

async function listen(server: net.Server, port = 0): Promise<number> {
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

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

test('AWS CLI v2: an NLB forwarding TCP to a local server listens again after kill -9 and a restart', async () => {
  const echo = net.createServer((sock) => sock.on('data', (d) => sock.end(`echo:${d.toString()}`)));
  servers.push(echo);
  const targetPort = await listen(echo);
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));

  const dataDir = mkdtempSync(join(tmpdir(), 'nimbus-nlb-restart-'));
  let server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
  const aws = async (...args: string[]) => {
    const r = await runCli(AWS_CLI_V2, ['--endpoint-url', server.url, '--output', 'json', ...args]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim() ? JSON.parse(r.stdout) : {};
  };
  try {
    const vpc = (await aws('ec2', 'describe-vpcs', '--filters', 'Name=is-default,Values=true')).Vpcs[0].VpcId;
    const subnet = (await aws('ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpc}`)).Subnets[0].SubnetId;
    const lb = (await aws('elbv2', 'create-load-balancer', '--name', 'cli-nlb', '--type', 'network', '--subnets', subnet)).LoadBalancers[0];
    const tg = (
      await aws(
        'elbv2',
        'create-target-group',
        '--name',
        'cli-tcp',
        '--protocol',
        'TCP',
        '--port',
        '9000',
        '--vpc-id',
        vpc,
        '--target-type',
        'ip',
      )
    ).TargetGroups[0];
    await aws('elbv2', 'register-targets', '--target-group-arn', tg.TargetGroupArn, '--targets', `Id=127.0.0.1,Port=${targetPort}`);
    const listener = (
      await aws(
        'elbv2',
        'create-listener',
        '--load-balancer-arn',
        lb.LoadBalancerArn,
        '--protocol',
        'TCP',
        '--port',
        String(port),
        '--default-actions',
        `Type=forward,TargetGroupArn=${tg.TargetGroupArn}`,
      )
    ).Listeners[0];
    assert.equal(listener.Port, port);
    assert.equal(await talk(port, 'before'), 'echo:before');

    await server.kill9();
    assert.equal(await talk(port, 'down'), 'ECONNREFUSED');
    server = await spawnServer(['--data-dir', dataDir, '--log-level', 'warn']);
    assert.equal(await talk(port, 'after'), 'echo:after');
  } finally {
    await server.stop();
  }
});
