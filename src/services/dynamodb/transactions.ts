// TransactWriteItems and TransactGetItems: all actions checked, then all applied, inside one SQLite
// transaction (and one synchronous turn of the event loop, so no other request interleaves).
import { createHash } from 'node:crypto';
import type {
  CancellationReason,
  ConsumedCapacity,
  ReturnConsumedCapacity,
  TransactGetItemsInput,
  TransactWriteItemsInput,
} from '../../generated/dynamodb.js';
import { consumed, readUnits, writeUnits } from './capacity.js';
import type { Runtime } from '../../runtime.js';
import type { RequestContext } from '../types.js';
import { ServiceError } from '../errors.js';
import {
  applyTransaction,
  check,
  collectionMetrics,
  getItem,
  locate,
  prepareDelete,
  preparePut,
  prepareUpdate,
  transactionCanceled,
  type PreparedWrite,
} from './items.js';
import { RequestExpressions } from './expressions/request.js';
import type { DynamoStore } from './store.js';
import { invalid, itemSize } from './values.js';

const TOKEN_TTL_MS = 10 * 60 * 1000;

function conditionCheck(
  store: DynamoStore,
  c: NonNullable<TransactWriteItemsInput['TransactItems'][number]['ConditionCheck']>,
): PreparedWrite {
  const ex = new RequestExpressions(c.ExpressionAttributeNames, c.ExpressionAttributeValues);
  const cond = ex.condition(c.ConditionExpression)!;
  ex.finish();
  const { t, key, old } = locate(store, c.TableName, c.Key);
  check(cond, old, c.ReturnValuesOnConditionCheckFailure);
  return { t, key, old, next: old };
}

export function transactWrite(rt: Runtime, store: DynamoStore, input: TransactWriteItemsInput, ctx: RequestContext) {
  const items = input.TransactItems;
  const hash = createHash('sha256').update(JSON.stringify(items)).digest('hex');
  return rt.engine.transaction(() => {
    const now = ctx.clock.nowMs();
    if (input.ClientRequestToken) {
      const prior = store.tokens.get(input.ClientRequestToken);
      if (prior && prior.at > now - TOKEN_TTL_MS) {
        if (prior.hash !== hash)
          throw new ServiceError(
            'IdempotentParameterMismatchException',
            'The request uses the same client token as a previous, but non-identical request.',
          );
        return {};
      }
    }
    const writes: Array<PreparedWrite | undefined> = [];
    const reasons: CancellationReason[] = [];
    const seen = new Set<string>();
    for (const a of items) {
      const kinds = [a.ConditionCheck, a.Put, a.Delete, a.Update].filter(Boolean).length;
      if (kinds !== 1) throw invalid('TransactItems can only contain one of Check, Put, Update or Delete');
      let w: PreparedWrite | undefined;
      try {
        if (a.ConditionCheck) w = conditionCheck(store, a.ConditionCheck);
        else if (a.Put) w = preparePut(store, a.Put);
        else if (a.Delete) w = prepareDelete(store, a.Delete);
        else w = prepareUpdate(store, a.Update!);
        reasons.push({ Code: 'None' });
      } catch (e) {
        if (!(e instanceof ServiceError) || e.code !== 'ConditionalCheckFailedException') throw e;
        reasons.push({
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(e.fields.Item ? { Item: e.fields.Item as never } : {}),
        });
      }
      if (w) {
        const id = `${w.t.name}\u0001${w.key}`;
        if (seen.has(id)) throw invalid('Transaction request cannot include multiple operations on one item');
        seen.add(id);
      }
      writes.push(w);
    }
    if (reasons.some((r) => r.Code !== 'None')) throw transactionCanceled(reasons);
    applyTransaction(
      store,
      writes.map((w, i) => (items[i].ConditionCheck ? undefined : w)),
    );
    if (input.ClientRequestToken) store.tokens.put(input.ClientRequestToken, { hash, at: now });
    const metrics =
      input.ReturnItemCollectionMetrics === 'SIZE'
        ? collectionMetrics(
            store,
            items.flatMap((a, i) => (a.ConditionCheck ? [] : [{ w: writes[i]!, key: a.Put?.Item ?? a.Update?.Key ?? a.Delete!.Key }])),
          )
        : undefined;
    return {
      ...capacity(
        input.ReturnConsumedCapacity,
        writes.map((w) => [w!.t.name, 2 * writeUnits(itemSize(w!.next ?? w!.old ?? {}))]),
        true,
      ),
      ...(metrics ? { ItemCollectionMetrics: metrics } : {}),
    };
  });
}

export function transactGet(store: DynamoStore, input: TransactGetItemsInput) {
  const reads = input.TransactItems.map(({ Get }) => ({ table: Get.TableName, item: getItem(store, Get).item }));
  return {
    Responses: reads.map(({ item }) => (item ? { Item: item } : {})),
    ...capacity(
      input.ReturnConsumedCapacity,
      reads.map(({ table, item }) => [table, 2 * readUnits(item ? itemSize(item) : 0, true)]),
      false,
    ),
  };
}

/** Transactions cost twice the units of plain reads and writes, summed per table. */
function capacity(
  mode: ReturnConsumedCapacity | undefined,
  units: Array<[string, number]>,
  write: boolean,
): { ConsumedCapacity?: ConsumedCapacity[] } {
  const per = new Map<string, number>();
  for (const [table, n] of units) per.set(table, (per.get(table) ?? 0) + n);
  const list = [...per].map(([table, n]) => consumed(mode, table, n, write)).filter((c): c is ConsumedCapacity => !!c);
  return list.length ? { ConsumedCapacity: list } : {};
}
