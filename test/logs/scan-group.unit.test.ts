// scanGroup, the time-ordered merge of a group's named streams, as a module over an in-memory engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteEngine } from '../../src/state/engine.js';
import { Stores } from '../../src/state/stores.js';
import { LogsStore, SEP, seqKey, tsKey, type GroupRecord } from '../../src/services/logs/store.js';
import { scanGroup } from '../../src/services/logs/events.js';

function groupOf(engine: SqliteEngine): { store: LogsStore; g: GroupRecord } {
  const store = new Stores(engine, 'logs', (scope) => new LogsStore(scope)).get('000000000000', 'us-east-1');
  const g: GroupRecord = { name: '/g', created: 0, logGroupClass: 'STANDARD', tags: {}, storedBytes: 0, seq: 0, incarnation: 'i1' };
  let seq = 0;
  for (const s of ['a', 'b'])
    for (const ts of [1, 2, 3]) {
      const key = tsKey(ts * 10 + (s === 'b' ? 5 : 0)) + SEP + seqKey(++seq);
      store.byTime(g).put(key, { s, m: `${s}${ts}`, i: 0 });
      store.byStream(g).put(s + SEP + key, { s, m: `${s}${ts}`, i: 0 });
    }
  return { store, g };
}

const ALL = { from: tsKey(0), before: '\uffff' };

test('named streams merge in time order', async () => {
  const engine = new SqliteEngine({});
  const { store, g } = groupOf(engine);
  await engine.flush();
  assert.deepEqual(
    [...scanGroup(store, g, ALL, ['a', 'b'])].map((e) => e.message),
    ['a1', 'b1', 'a2', 'b2', 'a3', 'b3'],
  );
  engine.close();
});

// Each stream is a store cursor; one left open blocks every write of the engine ("busy"), and a
// write from a timer then ends the process.
test('a merge left early closes its cursors: the engine can write after it', async () => {
  const engine = new SqliteEngine({});
  const { store, g } = groupOf(engine);
  await engine.flush();
  for (const e of scanGroup(store, g, ALL, ['a', 'b'])) if (e.message === 'b1') break;
  assert.doesNotThrow(() => store.groups.put('/g', g));
  await engine.flush();
  engine.close();
});
