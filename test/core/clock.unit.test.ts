// The clock's listeners: the work they return is awaited by settled(), within a bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clock, InFlight } from '../../src/state/clock.js';

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

test('settled() waits for the promises listeners return, and for work they start while it waits', async () => {
  const clock = new Clock();
  const done: string[] = [];
  const work = new InFlight();
  clock.onAdvance(() => undefined);
  clock.onAdvance(() => {
    work.track(
      later(20).then(() => {
        done.push('first');
        // started while settled() already waits: still awaited
        work.track(later(20).then(() => done.push('second')));
      }),
    );
    return work.settled();
  });
  await clock.advanceSettled(60_000);
  assert.deepEqual(done, ['first', 'second']);
});

test('a listener whose work fails or never settles does not hang the advance: it is reported', async () => {
  const warnings: string[] = [];
  const clock = new Clock(
    () => 5000,
    [],
    (m) => warnings.push(m),
  );
  clock.onAdvance(() => Promise.reject(new Error('boom')));
  clock.onAdvance(() => new Promise(() => undefined));
  assert.equal(clock.advance(1000).getTime(), 6000);
  await clock.settled(50);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /boom/);
  assert.match(warnings[1], /still runs after 50 ms/);
});

test('a clock whose listeners start nothing is settled at once; it never moves backwards', async () => {
  const clock = new Clock();
  clock.onAdvance(() => undefined);
  await clock.advanceSettled(1);
  await assert.rejects(clock.advanceSettled(-1), RangeError);
});
