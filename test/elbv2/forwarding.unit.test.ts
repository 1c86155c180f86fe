// The ALB's pure pieces: rule conditions and their wildcards, rule order, weighted picks, redirect
// locations, health check matchers and the health state machine, the Lambda event and its answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseActions,
  conditionMatches,
  inCidr,
  pickWeighted,
  redirectLocation,
  wildcard,
  type Incoming,
} from '../../src/services/elbv2/routing.js';
import { codeMatches, judge } from '../../src/services/elbv2/probe.js';
import { afterCheck } from '../../src/services/elbv2/health.js';
import { albEvent, albResponse } from '../../src/services/elbv2/lambda-target.js';
import { cookie } from '../../src/services/elbv2/select.js';
import { elbPage } from '../../src/services/elbv2/proxy.js';
import type { TgRecord } from '../../src/services/elbv2/store.js';

const req = (over: Partial<Incoming> = {}): Incoming => ({
  method: 'GET',
  path: '/api/v1/users',
  rawQuery: 'a=1&debug=TRUE',
  headers: { host: 'Shop.Example.com:8080', 'x-canary': 'Yes' },
  sourceIp: '10.1.2.3',
  ...over,
});

test('wildcards: * any run, ? one character; path patterns are case-sensitive, hosts are not', () => {
  assert.ok(wildcard('/api/*', '/api/v1/users', false));
  assert.ok(wildcard('/api/v?/users', '/api/v1/users', false));
  assert.ok(!wildcard('/API/*', '/api/v1', false));
  assert.ok(wildcard('*.example.com', 'SHOP.example.com', true));
  assert.ok(!wildcard('/a.b', '/axb', false), 'a dot is literal');
});

test('conditions: path, host (port ignored), header, method, query (decoded, key optional), source IP', () => {
  assert.ok(conditionMatches({ Field: 'path-pattern', Values: ['/img/*', '/api/*'] }, req()));
  assert.ok(conditionMatches({ Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } }, req()));
  assert.ok(conditionMatches({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Canary', Values: ['yes'] } }, req()));
  assert.ok(!conditionMatches({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Other', Values: ['*'] } }, req()));
  assert.ok(conditionMatches({ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST', 'GET'] } }, req()));
  assert.ok(
    !conditionMatches({ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['get'] } }, req()),
    'methods are case-sensitive',
  );
  assert.ok(conditionMatches({ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'debug', Value: 'true' }] } }, req()));
  assert.ok(conditionMatches({ Field: 'query-string', QueryStringConfig: { Values: [{ Value: '1' }] } }, req()));
  assert.ok(
    conditionMatches({ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'q', Value: 'a b' }] } }, req({ rawQuery: 'q=a%20b' })),
  );
  assert.ok(conditionMatches({ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } }, req()));
  assert.ok(!conditionMatches({ Field: 'source-ip', SourceIpConfig: { Values: ['192.168.0.0/16'] } }, req()));
  assert.ok(inCidr('::ffff:127.0.0.1', '127.0.0.0/8'));
  assert.ok(inCidr('1.2.3.4', '0.0.0.0/0'));
});

test('rules: the lowest priority number whose conditions all match wins; else the defaults; actions by Order', () => {
  const fixed = (body: string) => [
    { Type: 'fixed-response' as const, Order: 1, FixedResponseConfig: { StatusCode: '200', MessageBody: body } },
  ];
  const rules = [
    { priority: 20, conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }], actions: fixed('twenty') },
    {
      priority: 5,
      conditions: [
        { Field: 'path-pattern', Values: ['/api/*'] },
        { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['POST'] } },
      ],
      actions: fixed('five'),
    },
    { priority: 10, conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }], actions: fixed('ten') },
  ];
  assert.equal(chooseActions(rules, fixed('default'), req())[0].FixedResponseConfig!.MessageBody, 'ten');
  assert.equal(chooseActions(rules, fixed('default'), req({ method: 'POST' }))[0].FixedResponseConfig!.MessageBody, 'five');
  assert.equal(chooseActions(rules, fixed('default'), req({ path: '/' }))[0].FixedResponseConfig!.MessageBody, 'default');
});

test('weighted target groups: weight 0 never, otherwise in proportion', () => {
  const groups = [
    { TargetGroupArn: 'a', Weight: 1 },
    { TargetGroupArn: 'b', Weight: 0 },
    { TargetGroupArn: 'c', Weight: 3 },
  ];
  assert.equal(pickWeighted(groups, 0)!.TargetGroupArn, 'a');
  assert.equal(pickWeighted(groups, 0.24)!.TargetGroupArn, 'a');
  assert.equal(pickWeighted(groups, 0.25)!.TargetGroupArn, 'c');
  assert.equal(pickWeighted(groups, 0.999)!.TargetGroupArn, 'c');
});

test('redirects fill #{protocol}, #{host}, #{port}, #{path}, #{query}', () => {
  const src = { protocol: 'HTTP', host: 'a.example', port: '80', path: 'old/page', query: 'x=1' };
  assert.equal(redirectLocation({ Protocol: 'HTTPS', Port: '443' }, src), 'https://a.example:443/old/page?x=1');
  assert.equal(redirectLocation({ Path: '/new/#{path}', Query: '' }, src), 'http://a.example:80/new/old/page');
  assert.equal(redirectLocation({ Host: 'b.#{host}', Path: '/' }, src), 'http://b.a.example:80/?x=1');
});

test('matchers: single codes, lists and ranges; a mismatch names the code', () => {
  assert.ok(codeMatches(200, undefined));
  assert.ok(codeMatches(302, '200,302'));
  assert.ok(codeMatches(204, '200-299'));
  assert.ok(!codeMatches(404, '200-399'));
  assert.deepEqual(judge(404, '200'), {
    ok: false,
    reason: 'Target.ResponseCodeMismatch',
    description: 'Health checks failed with these codes: [404]',
  });
});

test('health: thresholds of consecutive checks move initial → healthy → unhealthy → healthy', () => {
  const hc = { healthy: 3, unhealthy: 2 } as TgRecord['hc'];
  const pass = { ok: true };
  const fail = { ok: false, reason: 'Target.Timeout' as const, description: 'Request timed out' };
  let h = { state: 'initial' as const, ok: 0, fail: 0 } as Parameters<typeof afterCheck>[0];
  h = afterCheck(afterCheck(h, pass, hc), pass, hc);
  assert.equal(h.state, 'initial');
  h = afterCheck(h, pass, hc);
  assert.equal(h.state, 'healthy');
  h = afterCheck(h, fail, hc);
  assert.equal(h.state, 'healthy', 'one failure is below the unhealthy threshold');
  h = afterCheck(afterCheck(h, pass, hc), fail, hc);
  assert.equal(h.state, 'healthy', 'failures must be consecutive');
  h = afterCheck(h, fail, hc);
  assert.deepEqual([h.state, h.reason], ['unhealthy', 'Target.Timeout']);
  h = afterCheck(afterCheck(afterCheck(h, pass, hc), pass, hc), pass, hc);
  assert.deepEqual([h.state, h.reason], ['healthy', undefined]);
});

test('the Lambda event (single and multi-value) and the answer mapped back', () => {
  const r = {
    method: 'POST',
    path: '/fn',
    rawQuery: 'k=1&k=2&s=a%20b',
    headers: { 'content-type': 'application/json', accept: 'a, b' },
    body: Buffer.from('{"x":1}'),
  };
  const single = albEvent('arn:tg', r, false);
  assert.deepEqual(single.queryStringParameters, { k: '2', s: 'a%20b' }, 'the last value, not decoded');
  assert.equal(single.body, '{"x":1}');
  assert.equal(single.isBase64Encoded, false);
  assert.deepEqual(single.requestContext, { elb: { targetGroupArn: 'arn:tg' } });
  const multi = albEvent('arn:tg', { ...r, headers: { 'content-type': 'image/png' }, body: Buffer.from([1, 2]) }, true);
  assert.deepEqual(multi.multiValueQueryStringParameters, { k: ['1', '2'], s: ['a%20b'] });
  assert.equal(multi.isBase64Encoded, true);
  assert.equal(multi.body, 'AQI=');
  const res = albResponse(
    Buffer.from(
      JSON.stringify({ statusCode: 201, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: 'aGk=', isBase64Encoded: true }),
    ),
    true,
  )!;
  assert.equal(res.status, 201);
  assert.deepEqual(res.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(String(res.body), 'hi');
  assert.equal(albResponse(Buffer.from('"just a string"'), false), undefined, 'no statusCode: the load balancer answers 502');
});

test('cookies are read from a Cookie header; ELB pages have its HTML shape', () => {
  assert.equal(cookie('a=1; AWSALB=xyz; b=2', 'AWSALB'), 'xyz');
  assert.equal(cookie('AWSALBCORS=q', 'AWSALB'), undefined);
  const page = elbPage(503);
  assert.equal(page.headers.server, 'awselb/2.0');
  assert.equal(Buffer.byteLength(String(page.body)), 162, 'the length ELB answers with');
  assert.equal(Buffer.byteLength(String(elbPage(502).body)), 122);
});
