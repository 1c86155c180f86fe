// What a write costs each secondary index: nothing when its entry is unchanged, one write per
// entry put or removed (a changed index key removes one entry and puts another).
import type { IndexWrite } from './capacity.js';
import { writeUnits } from './capacity.js';
import type { PreparedWrite } from './items.js';
import type { DynamoStore } from './store.js';
import { equalValues, itemSize } from './values.js';

export function indexWrites(store: DynamoStore, w: PreparedWrite): IndexWrite[] {
  return w.t.indexes.map((idx) => {
    const before = w.old && store.indexKey(w.t, idx, w.old) !== undefined ? store.projectForIndex(w.t, idx, w.old) : undefined;
    const after = w.next && store.indexKey(w.t, idx, w.next) !== undefined ? store.projectForIndex(w.t, idx, w.next) : undefined;
    let units = 0;
    if (before && after) {
      if (store.indexKey(w.t, idx, w.old!) !== store.indexKey(w.t, idx, w.next!))
        units = writeUnits(itemSize(before)) + writeUnits(itemSize(after));
      else if (!equalValues({ M: before }, { M: after })) units = writeUnits(Math.max(itemSize(before), itemSize(after)));
    } else if (before || after) {
      units = writeUnits(itemSize((before ?? after)!));
    }
    return { name: idx.name, kind: idx.kind, units };
  });
}
