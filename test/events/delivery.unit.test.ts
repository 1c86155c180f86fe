// Pure parts of EventBridge delivery: the retry back-off, which errors are retried, bus policies
// as PutPermission writes them and as cross-account PutEvents reads them, API destination URLs,
// the input transformer's reserved variables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoff, retryable } from '../../src/services/events/deliver.js';
import { mayPut, putPermission, removePermission } from '../../src/services/events/policy.js';
import { destinationUrl } from '../../src/services/events/http.js';
import { targetInput } from '../../src/services/events/input.js';
import { ServiceError } from '../../src/services/errors.js';

test('back-off doubles from 1 s with jitter between half and all of it, capped at 5 minutes', () => {
  assert.equal(
    backoff(0, () => 0),
    500,
  );
  assert.equal(
    backoff(0, () => 1),
    1000,
  );
  assert.equal(
    backoff(3, () => 1),
    8000,
  );
  assert.equal(
    backoff(3, () => 0),
    4000,
  );
  assert.equal(
    backoff(50, () => 1),
    300_000,
  );
  assert.equal(
    backoff(50, () => 0),
    150_000,
  );
  for (let n = 0; n < 30; n++) assert.ok(backoff(n + 1, () => 1) >= backoff(n, () => 1));
});

test('missing resources, refused permissions and invalid requests are not retried; throttling, 5xx and connection errors are', () => {
  for (const code of [
    'AWS.SimpleQueueService.NonExistentQueue',
    'ResourceNotFoundException',
    'NotFound',
    'AccessDeniedException',
    'ValidationException',
    'NotImplemented',
  ]) {
    assert.equal(retryable(new ServiceError(code, 'x')), false, code);
  }
  for (const code of ['ThrottlingException', 'InternalException', 'ServiceUnavailable', 'KMS.DisabledException'])
    assert.equal(retryable(new ServiceError(code, 'x')), true, code);
  assert.equal(retryable(new ServiceError('HttpStatus400', 'x', undefined, { retryable: false })), false);
  assert.equal(retryable(new ServiceError('HttpStatus429', 'x', undefined, { retryable: true })), true);
});

const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/shared';

test('PutPermission writes one statement per id, replacing an id given again; RemovePermission takes it out', () => {
  let p = putPermission(undefined, BUS, { Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'a' });
  p = putPermission(p, BUS, { Action: 'events:PutEvents', Principal: '444455556666', StatementId: 'b' });
  p = putPermission(p, BUS, { Action: 'events:PutEvents', Principal: '777788889999', StatementId: 'a' });
  const doc = JSON.parse(p);
  assert.deepEqual(
    doc.Statement.map((s: { Sid: string }) => s.Sid),
    ['b', 'a'],
  );
  assert.equal(doc.Statement[1].Principal.AWS, 'arn:aws:iam::777788889999:root');
  assert.equal(removePermission(removePermission(p, 'a', false), 'b', false), undefined);
  assert.throws(() => removePermission(p, 'zz', false), /Statement with the provided id does not exist/);
  assert.throws(() => removePermission(undefined, 'a', false), /does not have a policy/);
  assert.equal(removePermission(p, undefined, true), undefined);
  assert.throws(() => putPermission(undefined, BUS, { Action: 'events:PutEvents', Principal: 'bob', StatementId: 'x' }), /Principal/);
  assert.throws(
    () =>
      putPermission(undefined, BUS, {
        Action: 'events:PutEvents',
        Principal: '111122223333',
        StatementId: 'x',
        Condition: { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-1' },
      }),
    /condition/,
  );
  assert.throws(() => putPermission(undefined, BUS, { Policy: 'nope' }), /not valid JSON/);
});

test('mayPut: principals by account, root ARN or "*"; actions with wildcards; Deny wins; a conditional statement does not allow', () => {
  const policy = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
  const allow = (Principal: unknown, Action: unknown = 'events:PutEvents', Resource: unknown = BUS) => ({
    Effect: 'Allow',
    Principal,
    Action,
    Resource,
  });
  assert.equal(mayPut(undefined, '111122223333', BUS), false);
  assert.equal(mayPut(policy(allow({ AWS: 'arn:aws:iam::111122223333:root' })), '111122223333', BUS), true);
  assert.equal(mayPut(policy(allow({ AWS: '111122223333' })), '111122223333', BUS), true);
  assert.equal(mayPut(policy(allow({ AWS: ['444455556666', '111122223333'] })), '111122223333', BUS), true);
  assert.equal(mayPut(policy(allow({ AWS: 'arn:aws:iam::111122223333:root' })), '444455556666', BUS), false);
  assert.equal(mayPut(policy(allow('*')), '444455556666', BUS), true);
  assert.equal(mayPut(policy(allow('*', 'events:*')), '444455556666', BUS), true);
  assert.equal(mayPut(policy(allow('*', 'events:PutRule')), '444455556666', BUS), false);
  assert.equal(
    mayPut(policy(allow('*', 'events:PutEvents', 'arn:aws:events:us-east-1:000000000000:event-bus/other')), '444455556666', BUS),
    false,
  );
  assert.equal(
    mayPut(policy(allow('*', 'events:PutEvents', 'arn:aws:events:us-east-1:000000000000:event-bus/*')), '444455556666', BUS),
    true,
  );
  assert.equal(mayPut(policy(allow('*'), { ...allow({ AWS: '444455556666' }), Effect: 'Deny' }), '444455556666', BUS), false);
  assert.equal(mayPut(policy({ ...allow('*'), Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }), '444455556666', BUS), false);
});

test('API destination URLs: each * takes the next path value (encoded), query parameters from the connection then the target', () => {
  assert.equal(
    destinationUrl('https://api.example.com/a/*/b/*', { PathParameterValues: ['x y', 'z'] }, undefined).href,
    'https://api.example.com/a/x%20y/b/z',
  );
  const u = destinationUrl(
    'http://h/p?keep=1',
    { QueryStringParameters: { mode: 'fast', shared: 'target' } },
    {
      QueryStringParameters: [
        { Key: 'shared', Value: 'conn' },
        { Key: 'c', Value: '1' },
      ],
    },
  );
  assert.deepEqual(Object.fromEntries(u.searchParams), { keep: '1', shared: 'target', c: '1', mode: 'fast' });
});

test('input transformer: reserved variables, strings escaped inside quotes, JSON elsewhere', () => {
  const event = {
    version: '0',
    id: 'e1',
    'detail-type': 'T',
    source: 's',
    account: '1',
    time: '2024-01-01T00:00:00Z',
    region: 'r',
    resources: [],
    detail: { q: 'say "hi"', n: 3, o: { a: 1 } },
  };
  const rule = { name: 'r1', arn: 'arn:aws:events:r:1:rule/r1' };
  const out = (template: string, paths: Record<string, string> = {}) =>
    targetInput({ InputTransformer: { InputTemplate: template, InputPathsMap: paths } }, event, rule);
  assert.deepEqual(JSON.parse(out('{"q": "<q>", "raw": <q>, "n": <n>, "o": <o>}', { q: '$.detail.q', n: '$.detail.n', o: '$.detail.o' })), {
    q: 'say "hi"',
    raw: 'say "hi"',
    n: 3,
    o: { a: 1 },
  });
  assert.deepEqual(
    JSON.parse(out('{"name": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "t": <aws.events.event.ingestion-time>}')),
    { name: 'r1', arn: rule.arn, t: event.time },
  );
  const envelope = JSON.parse(out('{"e": <aws.events.event>, "full": <aws.events.event.json>}'));
  assert.equal(envelope.e.detail, undefined);
  assert.equal(envelope.e.id, 'e1');
  assert.deepEqual(envelope.full.detail, event.detail);
  assert.equal(out('order <n> of <q>', { n: '$.detail.n', q: '$.detail.q' }), 'order 3 of say "hi"');
  assert.equal(JSON.parse(out('{"missing": <m>}', { m: '$.detail.none' })).missing, null);
});

test('JSONPath as EventBridge evaluates it: dots, indexes, quoted names, wildcards giving arrays', async () => {
  const { jsonPath } = await import('../../src/services/events/input.js');
  const doc = { detail: { 'a-b': 1, items: [{ id: 'x' }, { id: 'y' }, {}], o: { p: 1, q: 2 } }, resources: ['r0', 'r1'] };
  assert.equal(jsonPath(doc, '$.detail.a-b'), 1);
  assert.equal(jsonPath(doc, "$.detail['a-b']"), 1);
  assert.equal(jsonPath(doc, '$.resources[1]'), 'r1');
  assert.deepEqual(jsonPath(doc, '$.detail.items[*].id'), ['x', 'y']);
  assert.deepEqual(jsonPath(doc, '$.detail.o.*'), [1, 2]);
  assert.equal(jsonPath(doc, '$.detail.none.deeper'), undefined);
  assert.equal(jsonPath(doc, 'detail'), undefined);
  assert.deepEqual(jsonPath(doc, '$'), doc);
});
