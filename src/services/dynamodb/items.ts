// Single-item writes and reads. A write is prepared (validated, condition checked, new image
// computed) then applied; transactions prepare every action before applying any.
import type {
  CancellationReason,
  DeleteItemInput,
  ItemCollectionMetrics,
  GetItemInput,
  PutItemInput,
  ReturnValue,
  ReturnValuesOnConditionCheckFailure,
  UpdateItemInput,
} from '../../generated/dynamodb.js';
import { ServiceError } from '../errors.js';
import type { Condition, Path, UpdateAction } from './expressions/ast.js';
import { evaluate, project } from './expressions/evaluate.js';
import { applyUpdate, checkPaths } from './expressions/update.js';
import { RequestExpressions, noMixing } from './expressions/request.js';
import { fromAttributeUpdates, fromAttributesToGet, fromExpected } from './expressions/legacy.js';
import { checkItemKey, checkKeyParam, encodeValue, itemKey } from './keys.js';
import type { DynamoStore, TableMeta } from './store.js';
import { getTable } from './tables.js';
import { MAX_ITEM_SIZE, invalid, invalidParam, itemSize, normaliseItem, typeOf, type Item } from './values.js';

export interface PreparedWrite {
  t: TableMeta;
  key: string;
  old?: Item;
  next?: Item;
  /** the paths an update touched, for UPDATED_OLD / UPDATED_NEW */
  paths?: Path[];
}

export const conditionFailed = (old: Item | undefined, rv: ReturnValuesOnConditionCheckFailure | undefined) =>
  new ServiceError('ConditionalCheckFailedException', 'The conditional request failed', 400, rv === 'ALL_OLD' && old ? { Item: old } : {});

export function check(cond: Condition | undefined, old: Item | undefined, rv: ReturnValuesOnConditionCheckFailure | undefined): void {
  if (cond && !evaluate(old, cond)) throw conditionFailed(old, rv);
}

/** The table, the validated key, its encoding and the item stored under it (if any). */
export function locate(store: DynamoStore, tableName: string, keyInput: Item) {
  const t = getTable(store, tableName);
  const k = normaliseItem(keyInput);
  checkKeyParam(t.key, k);
  const key = itemKey(t.key, k);
  return { t, k, key, old: store.items(t).get(key) };
}

/** Secondary index keys of a new image: of the declared type and not empty, when present. */
function checkIndexKeys(t: TableMeta, item: Item): void {
  for (const idx of t.indexes) {
    for (const [name, type] of [
      [idx.key.hash, idx.key.hashType],
      [idx.key.range, idx.key.rangeType],
    ] as const) {
      const v = name ? item[name] : undefined;
      if (!v) continue;
      if (typeOf(v) !== type)
        throw invalidParam(`Type mismatch for Index Key ${name} Expected: ${type} Actual: ${typeOf(v)} IndexName: ${idx.name}`);
      if (v.S === '' || (v.B && v.B.length === 0)) {
        throw invalid(
          `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${v.S === '' ? 'string' : 'binary'} value. IndexName: ${idx.name}, IndexKey: ${name}`,
        );
      }
    }
  }
}

export function checkNewImage(t: TableMeta, item: Item): void {
  checkIndexKeys(t, item);
  if (itemSize(item) > MAX_ITEM_SIZE) throw invalid('Item size has exceeded the maximum allowed size');
}

export function preparePut(store: DynamoStore, input: PutItemInput): PreparedWrite {
  noMixing(
    { Expected: input.Expected },
    { ConditionExpression: input.ConditionExpression },
    { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues },
  );
  const ex = new RequestExpressions(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const cond = ex.condition(input.ConditionExpression) ?? fromExpected(input.Expected, input.ConditionalOperator);
  ex.finish();
  const t = getTable(store, input.TableName);
  const item = normaliseItem(input.Item);
  checkItemKey(t.key, item);
  checkNewImage(t, item);
  const key = itemKey(t.key, item);
  const old = store.items(t).get(key);
  check(cond, old, input.ReturnValuesOnConditionCheckFailure);
  return { t, key, old, next: item };
}

export function prepareDelete(store: DynamoStore, input: DeleteItemInput): PreparedWrite {
  noMixing(
    { Expected: input.Expected },
    { ConditionExpression: input.ConditionExpression },
    { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues },
  );
  const ex = new RequestExpressions(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const cond = ex.condition(input.ConditionExpression) ?? fromExpected(input.Expected, input.ConditionalOperator);
  ex.finish();
  const { t, key, old } = locate(store, input.TableName, input.Key);
  check(cond, old, input.ReturnValuesOnConditionCheckFailure);
  return { t, key, old };
}

export function prepareUpdate(store: DynamoStore, input: UpdateItemInput): PreparedWrite {
  noMixing(
    { Expected: input.Expected, AttributeUpdates: input.AttributeUpdates },
    { UpdateExpression: input.UpdateExpression, ConditionExpression: input.ConditionExpression },
    { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues },
  );
  const ex = new RequestExpressions(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const actions: UpdateAction[] = ex.update(input.UpdateExpression) ?? fromAttributeUpdates(input.AttributeUpdates) ?? [];
  const cond = ex.condition(input.ConditionExpression) ?? fromExpected(input.Expected, input.ConditionalOperator);
  ex.finish();
  const { t, k, key, old } = locate(store, input.TableName, input.Key);
  checkPaths(
    actions,
    [t.key.hash, t.key.range].filter((x): x is string => !!x),
  );
  check(cond, old, input.ReturnValuesOnConditionCheckFailure);
  // deletions alone do not create a missing item (an empty update does)
  if (!old && actions.length && actions.every((a) => a.k === 'REMOVE' || a.k === 'DELETE')) return { t, key, paths: [] };
  const next = applyUpdate(old ?? k, actions);
  checkNewImage(t, next);
  return { t, key, old, next, paths: actions.map((a) => a.path) };
}

export function apply(store: DynamoStore, w: PreparedWrite): void {
  if (w.next || w.old) store.write(w.t, w.key, w.old, w.next);
}

export const transactionCanceled = (reasons: CancellationReason[]) =>
  new ServiceError(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    400,
    { CancellationReasons: reasons },
  );

/**
 * Applies a transaction's checked writes (undefined: an action that writes nothing). A write whose
 * item collection is full cancels the transaction; the caller's SQLite transaction then rolls back.
 */
export function applyTransaction(store: DynamoStore, writes: Array<PreparedWrite | undefined>): void {
  const reasons: CancellationReason[] = writes.map((w) => {
    try {
      if (w) apply(store, w);
      return { Code: 'None' };
    } catch (e) {
      if (!(e instanceof ServiceError) || e.code !== 'ItemCollectionSizeLimitExceededException') throw e;
      return { Code: 'ItemCollectionSizeLimitExceeded', Message: e.message };
    }
  });
  if (reasons.some((r) => r.Code !== 'None')) throw transactionCanceled(reasons);
}

/** The Attributes a write answers with, per ReturnValues. */
export function returned(w: PreparedWrite, rv: ReturnValue | undefined): Item | undefined {
  switch (rv ?? 'NONE') {
    case 'ALL_OLD':
      return w.old;
    case 'ALL_NEW':
      return w.next;
    case 'UPDATED_OLD':
      return w.old && nonEmpty(project(w.old, w.paths ?? []));
    case 'UPDATED_NEW':
      return w.next && nonEmpty(project(w.next, w.paths ?? []));
    default:
      return undefined;
  }
}

const nonEmpty = (item: Item) => (Object.keys(item).length ? item : undefined);

export function getItem(store: DynamoStore, input: GetItemInput): { t: TableMeta; item?: Item } {
  noMixing(
    { AttributesToGet: input.AttributesToGet },
    { ProjectionExpression: input.ProjectionExpression },
    { names: input.ExpressionAttributeNames },
  );
  const ex = new RequestExpressions(input.ExpressionAttributeNames, undefined);
  const paths = ex.projection(input.ProjectionExpression) ?? fromAttributesToGet(input.AttributesToGet);
  ex.finish();
  const { t, old: item } = locate(store, input.TableName, input.Key);
  return { t, item: item && paths ? project(item, paths) : item };
}

/** BatchWriteItem's and TransactWriteItems' ItemCollectionMetrics: per table with LSIs, one per item collection written. */
export function collectionMetrics(
  store: DynamoStore,
  writes: Array<{ w: PreparedWrite; key: Item }>,
): Record<string, ItemCollectionMetrics[]> | undefined {
  const out: Record<string, ItemCollectionMetrics[]> = {};
  const seen = new Set<string>();
  for (const { w, key } of writes) {
    const m = store.sizes.metrics(w.t, key);
    if (!m) continue;
    const id = `${w.t.name}/${encodeValue(m.ItemCollectionKey![w.t.key.hash])}`;
    if (seen.has(id)) continue;
    seen.add(id);
    (out[w.t.name] ??= []).push(m);
  }
  return Object.keys(out).length ? out : undefined;
}
