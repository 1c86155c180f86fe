// The delays of an SNS HTTP/S delivery policy, phase by phase.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelays } from '../../src/services/sns/retry-policy.js';

test("AWS's default HTTP/S policy: 3 retries, 20 s apart", () => {
  assert.deepEqual(retryDelays({}), [20, 20, 20]);
});

test('the phases in order: immediate, minimum delay, backoff between the targets, maximum delay', () => {
  const p = { numRetries: 6, numNoDelayRetries: 1, numMinDelayRetries: 1, numMaxDelayRetries: 1, minDelayTarget: 10, maxDelayTarget: 70 };
  // 3 backoff retries, linear: 10 + 60 × (1/4, 2/4, 3/4)
  assert.deepEqual(retryDelays(p), [0, 10, 25, 40, 55, 70]);
  const exp = retryDelays({ ...p, backoffFunction: 'exponential' });
  assert.deepEqual([exp[0], exp[1], exp[5]], [0, 10, 70]);
  assert.ok(exp[2] < exp[3] && exp[3] < exp[4] && exp[4] < 70);
});
