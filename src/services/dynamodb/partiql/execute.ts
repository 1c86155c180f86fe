// Running PartiQL statements: SELECT as a partition range scan when the WHERE clause fixes the
// partition key (else a table scan), writes as prepared writes on one item named by its full key.
import type {
  BatchExecuteStatementInput,
  CancellationReason,
  ExecuteStatementInput,
  ExecuteTransactionInput,
} from '../../../generated/dynamodb.js';
import type { Runtime } from '../../../runtime.js';
import { ServiceError } from '../../errors.js';
import type { Condition } from '../expressions/ast.js';
import { evaluate, project } from '../expressions/evaluate.js';
import { applyUpdate, checkPaths } from '../expressions/update.js';
import { apply, applyTransaction, checkNewImage, conditionFailed, transactionCanceled, type PreparedWrite } from '../items.js';
import { checkItemKey, itemKey, partitionPrefix } from '../keys.js';
import type { DynamoStore, TableMeta } from '../store.js';
import { getTable } from '../tables.js';
import { invalid, itemSize, normaliseItem, typeOf, type Item, type Value } from '../values.js';
import { parseStatement, type Statement } from './parser.js';

const PAGE_BYTES = 1024 * 1024;

/** Equalities `attr = value` at the top level of a WHERE clause (joined by AND). */
function equalities(c: Condition | undefined, out: Record<string, Value> = {}): Record<string, Value> {
  if (!c) return out;
  if (c.k === 'and') {
    equalities(c.a, out);
    equalities(c.b, out);
  } else if (c.k === 'cmp' && c.op === '=' && c.a.k === 'path' && c.a.path.length === 1 && c.b.k === 'value') {
    out[c.a.path[0] as string] = c.b.value;
  }
  return out;
}

function fullKey(t: TableMeta, where: Condition | undefined): string {
  const eq = equalities(where);
  const key: Item = {};
  for (const name of [t.key.hash, t.key.range]) {
    if (!name) continue;
    if (!eq[name]) throw invalid('Where clause does not contain a mandatory equality on all key attributes');
    key[name] = eq[name];
  }
  checkItemKey(t.key, key);
  return itemKey(t.key, key);
}

const duplicate = () => new ServiceError('DuplicateItemException', 'Duplicate primary key exists in table');

function prepareWrite(store: DynamoStore, st: Statement, rv?: string): PreparedWrite {
  const t = getTable(store, st.table);
  if (st.k === 'insert') {
    const item = normaliseItem(st.item);
    checkItemKey(t.key, item);
    const key = itemKey(t.key, item);
    checkNewImage(t, item);
    if (store.items(t).has(key)) throw duplicate();
    return { t, key, next: item };
  }
  if (st.k === 'select') throw invalid('Only write statements are allowed here');
  const key = fullKey(t, st.where);
  const old = store.items(t).get(key);
  if (!old || (st.where && !evaluate(old, st.where))) throw conditionFailed(old, rv as never);
  if (st.k === 'delete') return { t, key, old };
  checkPaths(
    st.actions,
    [t.key.hash, t.key.range].filter((x): x is string => !!x),
  );
  const next = applyUpdate(old, st.actions);
  checkNewImage(t, next);
  return { t, key, old, next };
}

function select(store: DynamoStore, st: Extract<Statement, { k: 'select' }>, limit: number | undefined, nextToken: string | undefined) {
  const t = getTable(store, st.table);
  const idx = st.index ? t.indexes.find((i) => i.name === st.index) : undefined;
  if (st.index && !idx) throw invalid(`The table does not have the specified index: ${st.index}`);
  const key = idx?.key ?? t.key;
  // a partition value of another type than the key's matches nothing: the filter below decides
  const eqHash = equalities(st.where)[key.hash];
  const hash = eqHash && typeOf(eqHash) === key.hashType ? eqHash : undefined;
  const coll = idx ? store.index(t, idx) : store.items(t);
  const after = nextToken ? Buffer.from(nextToken, 'base64url').toString() : undefined;
  const items: Item[] = [];
  let scanned = 0,
    size = 0,
    last: string | undefined;
  for (const [k, item] of coll.scan({ ...(hash ? { prefix: partitionPrefix(hash) } : {}), after })) {
    scanned++;
    size += itemSize(item);
    last = k;
    if (!st.where || evaluate(item, st.where)) items.push(st.paths ? project(item, st.paths) : item);
    if (scanned === limit || size >= PAGE_BYTES) break;
  }
  const cut = last !== undefined && (scanned === limit || size >= PAGE_BYTES);
  return { Items: items, ...(cut ? { NextToken: Buffer.from(last!).toString('base64url') } : {}) };
}

export function executeStatement(rt: Runtime, store: DynamoStore, input: ExecuteStatementInput) {
  const st = parseStatement(input.Statement, input.Parameters);
  if (st.k === 'select') return select(store, st, input.Limit, input.NextToken);
  rt.engine.transaction(() => apply(store, prepareWrite(store, st, input.ReturnValuesOnConditionCheckFailure)));
  return { Items: [] };
}

export function batchExecute(rt: Runtime, store: DynamoStore, input: BatchExecuteStatementInput) {
  if (input.Statements.length > 25) throw invalid('Too many items requested for the BatchExecuteStatement call');
  return {
    Responses: input.Statements.map((s) => {
      let table: string | undefined;
      try {
        const st = parseStatement(s.Statement, s.Parameters);
        table = st.table;
        if (st.k === 'select') {
          const t = getTable(store, st.table);
          const item = store.items(t).get(fullKey(t, st.where));
          const hit = item && (!st.where || evaluate(item, st.where));
          return { TableName: st.table, ...(hit ? { Item: st.paths ? project(item, st.paths) : item } : {}) };
        }
        rt.engine.transaction(() => apply(store, prepareWrite(store, st, s.ReturnValuesOnConditionCheckFailure)));
        return { TableName: st.table };
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
        const code = e.code.replace(/Exception$/, '');
        return { ...(table ? { TableName: table } : {}), Error: { Code: code as 'ConditionalCheckFailed', Message: e.message } };
      }
    }),
  };
}

export function executeTransaction(rt: Runtime, store: DynamoStore, input: ExecuteTransactionInput) {
  const statements = input.TransactStatements.map((s) => parseStatement(s.Statement, s.Parameters));
  const reads = statements.filter((s) => s.k === 'select').length;
  if (reads && reads !== statements.length) throw invalid('Transaction must contain either read or write statements');
  if (reads) {
    return {
      Responses: statements.map((st) => {
        const t = getTable(store, st.table);
        const item = store.items(t).get(fullKey(t, (st as { where?: Condition }).where));
        return item ? { Item: item } : {};
      }),
    };
  }
  return rt.engine.transaction(() => {
    const reasons: CancellationReason[] = [];
    const writes: PreparedWrite[] = [];
    for (const [i, st] of statements.entries()) {
      try {
        writes.push(prepareWrite(store, st, input.TransactStatements[i].ReturnValuesOnConditionCheckFailure));
        reasons.push({ Code: 'None' });
      } catch (e) {
        if (!(e instanceof ServiceError) || !['ConditionalCheckFailedException', 'DuplicateItemException'].includes(e.code)) throw e;
        reasons.push({
          Code: e.code.replace(/Exception$/, ''),
          Message: e.message,
          ...(e.fields.Item ? { Item: e.fields.Item as Item } : {}),
        });
      }
    }
    if (reasons.some((r) => r.Code !== 'None')) throw transactionCanceled(reasons);
    applyTransaction(store, writes);
    return { Responses: [] };
  });
}
