// BatchGetItem (up to 100 keys) and BatchWriteItem (up to 25 puts/deletes): every request checked
// before any is applied; the writes then go in one SQLite transaction. Nothing is throttled, so
// UnprocessedKeys / UnprocessedItems come back empty.
import type { BatchGetItemInput, BatchWriteItemInput, ConsumedCapacity } from '../../generated/dynamodb.js';
import type { Runtime } from '../../runtime.js';
import { apply, collectionMetrics, getItem, preparePut, prepareDelete, type PreparedWrite } from './items.js';
import type { DynamoStore } from './store.js';
import { invalid, itemSize, typeOf, type Item } from './values.js';
import { getTable } from './tables.js';
import { indexWrites } from './index-writes.js';
import { consumed, readUnits, writeUnits } from './capacity.js';

export function batchGet(store: DynamoStore, input: BatchGetItemInput) {
  const total = Object.values(input.RequestItems).reduce((n, r) => n + r.Keys.length, 0);
  if (total > 100) throw invalid('Too many items requested for the BatchGetItem call');
  const Responses: Record<string, Item[]> = {};
  const capacity: ConsumedCapacity[] = [];
  for (const [table, req] of Object.entries(input.RequestItems)) {
    const seen = new Set<string>();
    const found: Item[] = [];
    let units = 0;
    for (const key of req.Keys) {
      const id = JSON.stringify(key);
      if (seen.has(id)) throw invalid('Provided list of item keys contains duplicates');
      seen.add(id);
      const { item } = getItem(store, {
        TableName: table,
        Key: key,
        ProjectionExpression: req.ProjectionExpression,
        ExpressionAttributeNames: req.ExpressionAttributeNames,
        AttributesToGet: req.AttributesToGet,
      });
      units += readUnits(item ? itemSize(item) : 0, req.ConsistentRead);
      if (item) found.push(item);
    }
    Responses[table] = found;
    const c = consumed(input.ReturnConsumedCapacity, table, units, false);
    if (c) capacity.push(c);
  }
  return { Responses, UnprocessedKeys: {}, ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
}

/** A batch put whose item lacks a key attribute, or has one of another type, is refused as a key mismatch. */
function putKeyMatches(store: DynamoStore, table: string, item: Item): void {
  const { key } = getTable(store, table);
  for (const [name, type] of [
    [key.hash, key.hashType],
    [key.range, key.rangeType],
  ] as const) {
    const v = name ? item[name] : undefined;
    if (name && (!v || typeof v !== 'object' || typeOf(v) !== type)) throw invalid('The provided key element does not match the schema');
  }
}

export function batchWrite(rt: Runtime, store: DynamoStore, input: BatchWriteItemInput) {
  const total = Object.values(input.RequestItems).reduce((n, r) => n + r.length, 0);
  if (total > 25) throw invalid('Too many items requested for the BatchWriteItem call');
  return rt.engine.transaction(() => {
    const writes: PreparedWrite[] = [];
    const keys: Item[] = [];
    const capacity: ConsumedCapacity[] = [];
    for (const [table, reqs] of Object.entries(input.RequestItems)) {
      const seen = new Set<string>();
      let units = 0;
      for (const r of reqs) {
        if (!!r.PutRequest === !!r.DeleteRequest)
          throw invalid('Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes');
        if (r.PutRequest) putKeyMatches(store, table, r.PutRequest.Item);
        const w = r.PutRequest
          ? preparePut(store, { TableName: table, Item: r.PutRequest.Item })
          : prepareDelete(store, { TableName: table, Key: r.DeleteRequest!.Key });
        if (seen.has(w.key)) throw invalid('Provided list of item keys contains duplicates');
        seen.add(w.key);
        units +=
          writeUnits(Math.max(itemSize(w.next ?? {}), itemSize(w.old ?? {}))) + indexWrites(store, w).reduce((n, i) => n + i.units, 0);
        writes.push(w);
        keys.push(r.PutRequest ? r.PutRequest.Item : r.DeleteRequest!.Key);
      }
      const c = consumed(input.ReturnConsumedCapacity, table, units, true);
      if (c) capacity.push(c);
    }
    for (const w of writes) apply(store, w);
    const metrics =
      input.ReturnItemCollectionMetrics === 'SIZE'
        ? collectionMetrics(
            store,
            writes.map((w, i) => ({ w, key: keys[i] })),
          )
        : undefined;
    return {
      UnprocessedItems: {},
      ...(capacity.length ? { ConsumedCapacity: capacity } : {}),
      ...(metrics ? { ItemCollectionMetrics: metrics } : {}),
    };
  });
}
