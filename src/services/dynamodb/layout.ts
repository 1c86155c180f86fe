// State written before items were keyed under their partition's hash (keys.ts) is moved to the
// hashed collections when a store opens: each table's items and index entries are read in pages
// from the old collections, written under their new keys, and the old collections cleared, in one
// transaction per table (a crash leaves the table wholly in one layout). A table whose old
// collections are empty has nothing to move, so the check costs one read per collection.
import type { Collection } from '../../state/engine.js';
import type { StoreScope } from '../../state/stores.js';
import { itemKey } from './keys.js';
import type { IndexMeta, TableMeta } from './meta.js';
import type { Item } from './values.js';

const PAGE = 1000;

function holdsAny(c: Collection<Item>): boolean {
  for (const entry of c.scan({ limit: 1 })) return entry !== undefined;
  return false;
}

/** Where the pre-hash layout kept a table's items and an index's entries. */
const legacyItems = (scope: StoreScope, t: TableMeta) => scope.collection<Item>(`items/${t.id}`);
const legacyIndex = (scope: StoreScope, t: TableMeta, idx: IndexMeta) => scope.collection<Item>(`index/${t.id}/${idx.name}`);

export interface HashedLayout {
  items(t: TableMeta): Collection<Item>;
  index(t: TableMeta, idx: IndexMeta): Collection<Item>;
  indexKey(t: TableMeta, idx: IndexMeta, item: Item): string | undefined;
}

/** Moves every table of the scope still in the pre-hash layout; returns how many tables moved. */
export function migrateLayout(scope: StoreScope, tables: TableMeta[], to: HashedLayout, transaction: (fn: () => void) => void): number {
  let moved = 0;
  for (const t of tables) {
    const sources: Array<[Collection<Item>, Collection<Item>, (item: Item) => string | undefined]> = [
      [legacyItems(scope, t), to.items(t), (item) => itemKey(t.key, item)],
      ...t.indexes.map((idx): [Collection<Item>, Collection<Item>, (item: Item) => string | undefined] => [
        legacyIndex(scope, t, idx),
        to.index(t, idx),
        (item) => to.indexKey(t, idx, item),
      ]),
    ];
    const pending = sources.filter(([from]) => holdsAny(from));
    if (!pending.length) continue;
    transaction(() => {
      for (const [from, into, keyOf] of pending) {
        let after: string | undefined;
        for (;;) {
          // a page read before it is written: SQLite refuses writes while a scan is open
          const page = [...from.scan({ after, limit: PAGE })];
          if (!page.length) break;
          after = page[page.length - 1][0];
          for (const [, item] of page) {
            const key = keyOf(item);
            if (key !== undefined) into.put(key, item);
          }
        }
        from.clear();
      }
    });
    moved++;
  }
  return moved;
}
