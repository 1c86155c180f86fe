// An ALB that really forwards HTTP (SDK v3 for the control plane; node:http and curl for traffic):
// two local servers as IP targets seen round robin, one stopped and its health checks failing as the
// clock advances, then traffic only to the other; AWSALB stickiness; rules to fixed responses and
// redirects; ELB's own 502/503/504; a Lambda target; an instance target through EC2's endpoint.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as L from '@aws-sdk/client-elastic-load-balancing-v2';
import * as E from '@aws-sdk/client-ec2';
import { serverForFile, clientConfig, advanceClock } from '../helpers.js';
import { lambdaClient, createFunction } from '../lambda-helpers.js';

let elb: L.ElasticLoadBalancingV2Client;
let ec2: E.EC2Client;
const nimbus = serverForFile(async () => {
  elb = new L.ElasticLoadBalancingV2Client(clientConfig(nimbus.url));
  ec2 = new E.EC2Client(clientConfig(nimbus.url));
  await setup();
});

interface Backend {
  name: string;
  server: http.Server;
  port: number;
  health: number;
}
const backends: Backend[] = [];
/** the headers of every request any backend was sent, in order */
const seenAll: http.IncomingHttpHeaders[] = [];

/** A local HTTP server answering with its name; `/health` answers `health`; `/hang` never answers. */
async function backend(name: string, health = 200): Promise<Backend> {
  const b = { name, health } as Backend;
  b.server = http.createServer((req, res) => {
    if (req.url === '/health') return res.writeHead(b.health).end();
    if (req.url?.startsWith('/hang')) return;
    seenAll.push(req.headers);
    res.writeHead(200, { 'content-type': 'text/plain', 'x-backend': name }).end(`${name} ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => b.server.listen(0, '127.0.0.1', r));
  b.port = (b.server.address() as AddressInfo).port;
  backends.push(b);
  return b;
}
const stop = (b: Backend) =>
  new Promise<void>((r) => {
    b.server.closeAllConnections();
    b.server.close(() => r());
  });
after(async () => {
  for (const b of backends) if (b.server.listening) await stop(b);
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}
/** A request to the gateway with a chosen Host (Node does not resolve *.localhost by itself). */
function send(
  path: string,
  host: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: nimbus.port, path, method: opts.method ?? 'GET', headers: { host, ...opts.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

let dns = '';
let host = '';
let lbArn = '';
let listenerArn = '';
let vpcId = '';
let a: Backend;
let b: Backend;
let c: Backend;
let web: L.TargetGroup;
const get = (path: string, opts: Parameters<typeof send>[2] = {}) => send(path, host, opts);
const who = async (n: number, headers: Record<string, string> = {}) => {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await get('/', { headers })).body.split(' ')[0]);
  return out;
};
const states = async (tgArn: string) =>
  (await elb.send(new L.DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!.map((d) => ({
    port: d.Target!.Port,
    state: d.TargetHealth!.State,
    reason: d.TargetHealth!.Reason,
    description: d.TargetHealth!.Description,
  }));
/** Target health by backend name (DescribeTargetHealth lists targets in its own order). */
const byBackend = async (tgArn: string) =>
  Object.fromEntries((await states(tgArn)).map((x) => [backends.find((b) => b.port === x.port)!.name, x]));

async function setup() {
  const vpcs = await ec2.send(new E.DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  vpcId = vpcs.Vpcs![0].VpcId!;
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
  const zones = [...new Map(subnets.Subnets!.map((s) => [s.AvailabilityZone!, s.SubnetId!])).values()];
  const lb = (await elb.send(new L.CreateLoadBalancerCommand({ Name: 'fwd', Subnets: zones.slice(0, 2) }))).LoadBalancers![0];
  lbArn = lb.LoadBalancerArn!;
  dns = lb.DNSName!;
  host = `${dns}:${nimbus.port}`;
  [a, b, c] = [await backend('A'), await backend('B'), await backend('C', 404)];
  web = (
    await elb.send(
      new L.CreateTargetGroupCommand({
        Name: 'web',
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
        HealthCheckPath: '/health',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 2,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      }),
    )
  ).TargetGroups![0];
  await elb.send(
    new L.RegisterTargetsCommand({
      TargetGroupArn: web.TargetGroupArn,
      Targets: [a, b, c].map((x) => ({ Id: '127.0.0.1', Port: x.port })),
    }),
  );
  listenerArn = (
    await elb.send(
      new L.CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
      }),
    )
  ).Listeners![0].ListenerArn!;
}

test('health checks probe the targets as the clock advances; traffic goes round robin to the healthy ones, with forwarding headers', async () => {
  assert.deepEqual(
    (await states(web.TargetGroupArn!)).map((s) => s.reason),
    ['Elb.RegistrationInProgress', 'Elb.RegistrationInProgress', 'Elb.RegistrationInProgress'],
  );
  await advanceClock(nimbus.url, '30s');
  const after = await byBackend(web.TargetGroupArn!);
  assert.deepEqual([after.A.state, after.B.state, after.C.state], ['healthy', 'healthy', 'unhealthy']);
  assert.equal(after.C.reason, 'Target.ResponseCodeMismatch');
  assert.equal(after.C.description, 'Health checks failed with these codes: [404]');

  const seen = await who(6);
  assert.deepEqual(seen.filter((x) => x === 'A').length, 3, seen.join());
  assert.deepEqual(seen.filter((x) => x === 'B').length, 3, seen.join());
  assert.notEqual(seen[0], seen[1], 'round robin alternates');

  const res = await get('/items?x=1', {
    method: 'POST',
    body: 'hello',
    headers: { 'x-forwarded-for': '203.0.113.9', 'content-type': 'text/plain' },
  });
  assert.equal(res.status, 200);
  assert.match(res.body, /^[AB] POST \/items\?x=1$/);
  const h = seenAll.at(-1)!;
  assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'http');
  assert.equal(h['x-forwarded-port'], '80');
  assert.match(String(h['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  assert.equal(h.host, host, 'the Host header is passed on');
});

test('the path form /_nimbus/elb/<name>/<port>/ and the DNS name through curl reach the same listener', async () => {
  const viaPath = await send('/_nimbus/elb/fwd/80/deep/path?q=1', `127.0.0.1:${nimbus.port}`);
  assert.equal(viaPath.status, 200);
  assert.match(viaPath.body, /^[AB] GET \/deep\/path\?q=1$/);
  const byDnsInPath = await send(`/_nimbus/elb/${dns}/80/`, `127.0.0.1:${nimbus.port}`);
  assert.equal(byDnsInPath.status, 200);
  const { stdout } = await promisify(execFile)('curl', ['-s', '--max-time', '10', `http://${dns}:${nimbus.port}/curl`]);
  assert.match(stdout, /^[AB] GET \/curl$/);
  assert.equal((await send('/_nimbus/elb/fwd/81/', `127.0.0.1:${nimbus.port}`)).status, 404, 'no listener on 81');
});

test('sticky sessions: an AWSALB cookie pins the client to one target for the duration', async () => {
  await elb.send(
    new L.ModifyTargetGroupAttributesCommand({
      TargetGroupArn: web.TargetGroupArn,
      Attributes: [
        { Key: 'stickiness.enabled', Value: 'true' },
        { Key: 'stickiness.lb_cookie.duration_seconds', Value: '120' },
      ],
    }),
  );
  const first = await get('/');
  const cookies = ([] as string[]).concat(first.headers['set-cookie'] ?? []);
  const awsalb = cookies.find((x) => x.startsWith('AWSALB='))!;
  assert.match(awsalb, /^AWSALB=[^;]+; Expires=[^;]+; Path=\/$/);
  assert.ok(cookies.some((x) => /^AWSALBCORS=[^;]+; Expires=[^;]+; Path=\/; SameSite=None; Secure$/.test(x)));
  const pinned = first.body.split(' ')[0];
  const cookie = awsalb.split(';')[0];
  assert.deepEqual(await who(5, { cookie }), Array(5).fill(pinned));
  await advanceClock(nimbus.url, '3m');
  const later = await who(4, { cookie });
  assert.ok(later.includes('A') && later.includes('B'), `an expired cookie pins no more: ${later.join()}`);
  await elb.send(
    new L.ModifyTargetGroupAttributesCommand({
      TargetGroupArn: web.TargetGroupArn,
      Attributes: [{ Key: 'stickiness.enabled', Value: 'false' }],
    }),
  );
});

test('rules: fixed responses, redirects with placeholders, header, method, query, host and source-ip conditions', async () => {
  const rule = (Priority: number, Conditions: L.RuleCondition[], action: L.Action) =>
    elb.send(new L.CreateRuleCommand({ ListenerArn: listenerArn, Priority, Conditions, Actions: [action] }));
  const fixed = (StatusCode: string, MessageBody: string): L.Action => ({
    Type: 'fixed-response',
    FixedResponseConfig: { StatusCode, ContentType: 'text/plain', MessageBody },
  });
  await rule(10, [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/maintenance/*'] } }], fixed('503', 'down for maintenance'));
  await rule(20, [{ Field: 'path-pattern', Values: ['/old/*'] }], {
    Type: 'redirect',
    RedirectConfig: { StatusCode: 'HTTP_301', Path: '/new/#{path}' },
  });
  await rule(30, [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['y*'] } }], fixed('200', 'canary'));
  await rule(40, [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['DELETE'] } }], fixed('405', 'no deleting'));
  await rule(50, [{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'debug', Value: 'true' }] } }], fixed('200', 'debugging'));
  await rule(60, [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.*.test'] } }], fixed('200', 'api host'));
  await rule(70, [{ Field: 'source-ip', SourceIpConfig: { Values: ['192.0.2.0/24'] } }], fixed('403', 'elsewhere'));

  const m = await get('/maintenance/now');
  assert.deepEqual([m.status, m.body, m.headers['content-type']], [503, 'down for maintenance', 'text/plain']);
  const r = await get('/old/page?x=1');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, `http://${dns}:${nimbus.port}/new/old/page?x=1`);
  assert.match(r.body, /<center><h1>301 Moved Permanently<\/h1><\/center>/);
  const viaPath = await send('/_nimbus/elb/fwd/80/old/x', `127.0.0.1:${nimbus.port}`);
  assert.equal(
    viaPath.headers.location,
    `http://127.0.0.1:${nimbus.port}/_nimbus/elb/fwd/80/new/old/x`,
    'the path form stays on its prefix',
  );
  assert.equal((await get('/', { headers: { 'x-canary': 'YES' } })).body, 'canary');
  assert.equal((await get('/anything', { method: 'DELETE' })).status, 405);
  assert.equal((await get('/?debug=TRUE')).body, 'debugging');
  assert.equal((await send('/_nimbus/elb/fwd/80/', 'api.shop.test')).body, 'api host');
  assert.match((await get('/')).body, /^[AB] GET \/$/, 'a client outside 192.0.2.0/24 is forwarded');
});

test("ELB's own answers: 503 with no target, 502 when the target refuses, 504 past the idle timeout", async () => {
  const tg = async (Name: string, ports: number[]) => {
    const g = (await elb.send(new L.CreateTargetGroupCommand({ Name, TargetType: 'ip', Protocol: 'HTTP', Port: 80, VpcId: vpcId })))
      .TargetGroups![0];
    if (ports.length)
      await elb.send(
        new L.RegisterTargetsCommand({ TargetGroupArn: g.TargetGroupArn, Targets: ports.map((Port) => ({ Id: '127.0.0.1', Port })) }),
      );
    return g.TargetGroupArn!;
  };
  const closed = await backend('closed');
  await stop(closed);
  const paths: [string, string][] = [
    ['/empty', await tg('empty', [])],
    ['/refused', await tg('refused', [closed.port])],
    ['/hang', await tg('hang', [a.port])],
  ];
  for (const [i, [p, arn]] of paths.entries()) {
    await elb.send(
      new L.CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 100 + i,
        Conditions: [{ Field: 'path-pattern', Values: [p] }],
        Actions: [{ Type: 'forward', TargetGroupArn: arn }],
      }),
    );
  }
  const empty = await get('/empty');
  assert.equal(empty.status, 503);
  assert.equal(empty.headers.server, 'awselb/2.0');
  assert.equal(
    empty.body,
    '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n',
  );
  const refused = await get('/refused');
  assert.equal(refused.status, 502);
  assert.match(refused.body, /<title>502 Bad Gateway<\/title>/);
  await elb.send(
    new L.ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lbArn,
      Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '1' }],
    }),
  );
  const hang = await get('/hang');
  assert.equal(hang.status, 504);
  assert.match(hang.body, /<title>504 Gateway Time-out<\/title>/);
  await elb.send(
    new L.ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lbArn,
      Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '60' }],
    }),
  );
});

test('a Lambda target gets the ALB event; multi-value headers when the target group enables them', async () => {
  const lambda = lambdaClient(nimbus.url);
  const fn = await createFunction(lambda, 'alb-echo', 'nodejs20.x', 'index.handler', {
    'index.js': `exports.handler = async (event) => ({ statusCode: 202, statusDescription: '202 Accepted', headers: { 'content-type': 'application/json', 'x-from': 'lambda' }, multiValueHeaders: { 'x-multi': ['1', '2'], 'content-type': ['application/json'] }, body: JSON.stringify(event) });`,
  });
  const tg = (await elb.send(new L.CreateTargetGroupCommand({ Name: 'fn', TargetType: 'lambda' }))).TargetGroups![0];
  await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: fn.FunctionArn! }] }));
  await elb.send(
    new L.CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 200,
      Conditions: [{ Field: 'path-pattern', Values: ['/fn*'] }],
      Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }),
  );
  const res = await get('/fn/call?k=1&k=2', { method: 'POST', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 202);
  assert.equal(res.headers['x-from'], 'lambda');
  const event = JSON.parse(res.body);
  assert.equal(event.httpMethod, 'POST');
  assert.equal(event.path, '/fn/call');
  assert.deepEqual(event.queryStringParameters, { k: '2' });
  assert.equal(event.body, '{"hello":"world"}');
  assert.equal(event.isBase64Encoded, false);
  assert.equal(event.requestContext.elb.targetGroupArn, tg.TargetGroupArn);
  assert.equal(event.headers['x-forwarded-proto'], 'http');
  assert.equal(event.headers['x-forwarded-port'], '80');

  await elb.send(
    new L.ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tg.TargetGroupArn,
      Attributes: [{ Key: 'lambda.multi_value_headers.enabled', Value: 'true' }],
    }),
  );
  const multi = await get('/fn?k=1&k=2');
  assert.deepEqual(multi.headers['x-multi'], '1, 2');
  const ev2 = JSON.parse(multi.body);
  assert.deepEqual(ev2.multiValueQueryStringParameters, { k: ['1', '2'] });
  assert.deepEqual(ev2.multiValueHeaders['x-forwarded-port'], ['80']);
});

test('instance targets are reached where EC2 says the instance serves the port', async () => {
  const images = await ec2.send(
    new E.DescribeImagesCommand({
      Owners: ['amazon'],
      Filters: [
        { Name: 'name', Values: ['al2023-ami-*'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
    }),
  );
  const run = await ec2.send(
    new E.RunInstancesCommand({ ImageId: images.Images![0].ImageId, MinCount: 1, MaxCount: 1, InstanceType: 't3.micro' }),
  );
  const id = run.Instances![0].InstanceId!;
  const served = await backend('I');
  const ec2i = nimbus.runtime.integrations.ec2!;
  const real = ec2i.endpoint;
  // an instance serving port 8080 as a local process would, until EC2's process mode answers for it
  ec2i.endpoint = (_acct, _region, instanceId, port) =>
    instanceId === id && port === 8080 ? { host: '127.0.0.1', port: served.port } : real?.(_acct, _region, instanceId, port);
  try {
    const tg = (
      await elb.send(
        new L.CreateTargetGroupCommand({
          Name: 'inst',
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 10,
          HealthyThresholdCount: 2,
        }),
      )
    ).TargetGroups![0];
    await advanceClock(nimbus.url, '1m');
    await elb.send(new L.RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: id }] }));
    await elb.send(
      new L.CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 300,
        Conditions: [{ Field: 'path-pattern', Values: ['/inst'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    );
    await advanceClock(nimbus.url, '30s');
    assert.deepEqual(
      (await states(tg.TargetGroupArn!)).map((s) => s.state),
      ['healthy'],
    );
    assert.equal((await get('/inst')).body, 'I GET /inst');
    served.health = 500;
    await advanceClock(nimbus.url, '30s');
    assert.deepEqual(
      (await states(tg.TargetGroupArn!)).map((s) => [s.state, s.reason]),
      [['unhealthy', 'Target.ResponseCodeMismatch']],
    );
  } finally {
    ec2i.endpoint = real;
  }
});

test('a stopped target fails its health checks after the clock advances; traffic goes only to the other', async () => {
  await stop(b);
  await advanceClock(nimbus.url, '30s');
  const s = await byBackend(web.TargetGroupArn!);
  assert.deepEqual([s.A.state, s.B.state, s.C.state], ['healthy', 'unhealthy', 'unhealthy']);
  assert.deepEqual([s.B.reason, s.B.description], ['Target.FailedHealthChecks', 'Health checks failed']);
  const timeline = (await (await fetch(`${nimbus.url}/_nimbus/clock/events?service=elbv2&kind=target-health`)).json()) as {
    events: { resource: string; detail: Record<string, unknown> }[];
  };
  assert.ok(
    timeline.events.some(
      (e) => e.resource === web.TargetGroupArn && e.detail.port === b.port && e.detail.from === 'healthy' && e.detail.to === 'unhealthy',
    ),
    'the clock timeline notes the change',
  );
  assert.deepEqual(await who(6), Array(6).fill('A'));
});
