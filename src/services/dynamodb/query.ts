// Query and Scan. A Query is one range scan of the table's (or index's) ordered collection: the
// partition key fixes the prefix, the sort key condition the bounds (see keys.ts for why ' ', '!'
// and '"' bound them). A Scan reads the collection in key order, which is partition-hash order
// (keys.ts); a parallel Scan's segment is one slice of the hash space, so also a range. Limit
// counts items read, the 1 MB page is cut on items read (sized by DynamoDB's item size rules,
// values.ts itemSize), and the filter applies afterwards, as DynamoDB does.
import type { QueryInput, ScanInput, Select } from '../../generated/dynamodb.js';
import type { ScanOptions } from '../../state/engine.js';
import type { Condition, Operand, Path } from './expressions/ast.js';
import { evaluate, project } from './expressions/evaluate.js';
import { conditionAttributes } from './expressions/paths.js';
import { RequestExpressions, noMixing } from './expressions/request.js';
import { fromAttributesToGet, fromConditions } from './expressions/legacy.js';
import { HASH_DIGITS, encodeValue, itemKey, keyOf, partitionPrefix, type KeyDef } from './keys.js';
import type { DynamoStore, IndexMeta, TableMeta } from './store.js';
import { getTable } from './tables.js';
import { compareValues, invalid, invalidParam, itemSize, normaliseItem, typeOf, type Item, type Value } from './values.js';
import { consumed, readUnits } from './capacity.js';

const PAGE_BYTES = 1024 * 1024;

interface Source {
  t: TableMeta;
  idx?: IndexMeta;
  key: KeyDef;
}

function source(store: DynamoStore, tableName: string, indexName: string | undefined): Source {
  const t = getTable(store, tableName);
  if (!indexName) return { t, key: t.key };
  const idx = t.indexes.find((i) => i.name === indexName);
  if (!idx) throw invalid(`The table does not have the specified index: ${indexName}`);
  return { t, idx, key: idx.key };
}

interface KeyRange {
  hash: Value;
  op?: string;
  values: Value[];
}

/** The key condition as (partition value, sort key operator and operands), or DynamoDB's refusal. */
function keyRange(cond: Condition, key: KeyDef): KeyRange {
  const parts: Condition[] = [];
  const flatten = (c: Condition) => {
    if (c.k === 'and') {
      flatten(c.a);
      flatten(c.b);
    } else parts.push(c);
  };
  flatten(cond);
  const nameOf = (o: Operand): string | undefined =>
    o.k === 'path' && o.path.length === 1 && typeof o.path[0] === 'string' ? o.path[0] : undefined;
  const valueOf = (o: Operand): Value => {
    if (o.k !== 'value') throw invalid('Invalid KeyConditionExpression: Query key condition not supported');
    return o.value;
  };
  let hash: Value | undefined;
  let range: { op: string; values: Value[] } | undefined;
  for (const p of parts) {
    if (p.k === 'or' || p.k === 'not' || p.k === 'in')
      throw invalid(`Invalid operator used in KeyConditionExpression: ${p.k.toUpperCase()}`);
    let name: string | undefined, op: string, values: Value[];
    if (p.k === 'cmp') {
      if (p.op === '<>') throw invalid('Invalid operator used in KeyConditionExpression: <>');
      name = nameOf(p.a) ?? nameOf(p.b);
      op = p.op;
      values = [valueOf(nameOf(p.a) ? p.b : p.a)];
      if (!nameOf(p.a)) op = ({ '<': '>', '>': '<', '<=': '>=', '>=': '<=' } as Record<string, string>)[op] ?? op;
    } else if (p.k === 'between') {
      name = nameOf(p.a);
      op = 'BETWEEN';
      values = [valueOf(p.lo), valueOf(p.hi)];
    } else if (p.k === 'fn' && p.name === 'begins_with') {
      name = nameOf(p.args[0]);
      op = 'begins_with';
      values = [valueOf(p.args[1])];
    } else {
      throw invalid(`Invalid operator used in KeyConditionExpression: ${p.k === 'fn' ? p.name : p.k}`);
    }
    if (name === key.hash && op === '=' && !hash) hash = values[0];
    else if (name === key.range && !range) range = { op, values };
    else if (name !== key.hash && name !== key.range)
      throw invalid(`Query condition missed key schema element: ${key.range && name !== undefined && hash ? key.range : key.hash}`);
    else throw invalid('Query key condition not supported');
  }
  if (!hash) throw invalid(`Query condition missed key schema element: ${key.hash}`);
  if (typeOf(hash) !== key.hashType) throw invalidParam('Condition parameter type does not match schema type');
  if (range) {
    if (range.op === 'begins_with' && key.rangeType === 'N')
      throw invalid(
        'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N',
      );
    if (range.values.some((v) => typeOf(v) !== key.rangeType)) throw invalidParam('Condition parameter type does not match schema type');
  }
  return { hash, ...(range ?? { values: [] }) };
}

/** Scan bounds for a key range. Index keys continue after the sort key, table keys end with it: both end in '!'. */
function bounds(r: KeyRange): ScanOptions {
  const p = partitionPrefix(r.hash);
  if (!r.op) return { prefix: p };
  const x = p + encodeValue(r.values[0]);
  switch (r.op) {
    case '=':
      return { prefix: x + '!' };
    case '<':
      return { prefix: p, before: x + '!' };
    case '<=':
      return { prefix: p, before: x + '"' };
    case '>':
      return { prefix: p, from: x + '"' };
    case '>=':
      return { prefix: p, from: x + '!' };
    case 'begins_with':
      return { prefix: x };
    case 'BETWEEN': {
      if (compareValues(r.values[0], r.values[1])! > 0) throwBetween(r);
      return { prefix: p, from: x + '!', before: p + encodeValue(r.values[1]) + '"' };
    }
  }
  return { prefix: p };
}

function throwBetween(r: KeyRange): never {
  const show = (v: Value) => `AttributeValue: {${typeOf(v)}:${v.S ?? v.N ?? v.B?.toString('base64')}}`;
  throw invalid(
    `Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: ${show(r.values[0])}, upper bound operand: ${show(r.values[1])}`,
  );
}

/** Where a page starts: the storage key of ExclusiveStartKey in the scanned collection. */
function startKey(store: DynamoStore, src: Source, esk: Item | undefined): string | undefined {
  if (!esk) return undefined;
  const k = normaliseItem(esk);
  const needed = [src.t.key.hash, src.t.key.range, src.idx?.key.hash, src.idx?.key.range].filter((x): x is string => !!x);
  const types: [string | undefined, string | undefined][] = [
    [src.t.key.hash, src.t.key.hashType],
    [src.t.key.range, src.t.key.rangeType],
    [src.idx?.key.hash, src.idx?.key.hashType],
    [src.idx?.key.range, src.idx?.key.rangeType],
  ];
  const badType = types.some(([n, type]) => n && k[n] && typeOf(k[n]) !== type);
  if (badType || needed.some((n) => !k[n]) || Object.keys(k).some((n) => !needed.includes(n))) {
    throw invalid('The provided starting key is invalid: The provided key element does not match the schema');
  }
  return src.idx ? store.indexKey(src.t, src.idx, k) : itemKey(src.t.key, k);
}

function lastKey(src: Source, item: Item): Item {
  const k = keyOf(src.t.key, item);
  if (src.idx) Object.assign(k, keyOf(src.idx.key, item));
  return k;
}

interface ReadOptions {
  select?: Select;
  limit?: number;
  filter?: Condition;
  paths?: Path[];
}

interface Page {
  Items?: Item[];
  Count: number;
  ScannedCount: number;
  LastEvaluatedKey?: Item;
  size: number;
}

function readPage(store: DynamoStore, src: Source, range: ScanOptions, o: ReadOptions): Page {
  const coll = src.idx ? store.index(src.t, src.idx) : store.items(src.t);
  // an LSI (or a table read through one) fetches attributes its projection lacks from the table
  const fetchBase = src.idx?.kind === 'LSI' && src.idx.projection.ProjectionType !== 'ALL' && (o.select === 'ALL_ATTRIBUTES' || !!o.paths);
  const items: Item[] = [];
  let scanned = 0,
    size = 0,
    last: Item | undefined;
  for (const [, stored] of coll.scan(range)) {
    const item = fetchBase ? (store.items(src.t).get(itemKey(src.t.key, stored)) ?? stored) : stored;
    scanned++;
    size += itemSize(item);
    last = item;
    if (!o.filter || evaluate(item, o.filter, 'FilterExpression')) items.push(o.paths ? project(item, o.paths) : item);
    if (scanned === o.limit || size >= PAGE_BYTES) break;
  }
  const cut = last && (scanned === o.limit || size >= PAGE_BYTES);
  return {
    ...(o.select === 'COUNT' ? {} : { Items: items }),
    Count: items.length,
    ScannedCount: scanned,
    ...(cut ? { LastEvaluatedKey: lastKey(src, last!) } : {}),
    size,
  };
}

function checkSelect(src: Source, select: Select | undefined, hasProjection: boolean): Select | undefined {
  if (select === 'SPECIFIC_ATTRIBUTES' && !hasProjection)
    throw invalid('1 validation error detected: Value SPECIFIC_ATTRIBUTES for Select requires ProjectionExpression or AttributesToGet');
  if (hasProjection && select && select !== 'SPECIFIC_ATTRIBUTES') {
    throw invalid(
      'Cannot specify the Select parameter with a value other than SPECIFIC_ATTRIBUTES when ProjectionExpression or AttributesToGet is given',
    );
  }
  if (select === 'ALL_PROJECTED_ATTRIBUTES' && !src.idx)
    throw invalid('One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is supported only for index queries');
  if (select === 'ALL_ATTRIBUTES' && src.idx?.kind === 'GSI' && src.idx.projection.ProjectionType !== 'ALL') {
    throw invalidParam(
      `Select type ALL_ATTRIBUTES is not supported for global secondary index ${src.idx.name} because its projection type is not ALL`,
    );
  }
  return select;
}

/** KeyConditions take only the operators a key range can use (legacy parameters have their own message). */
function checkKeyConditions(conds: QueryInput['KeyConditions']): QueryInput['KeyConditions'] {
  for (const c of Object.values(conds ?? {})) {
    if (!['EQ', 'LE', 'LT', 'GE', 'GT', 'BEGINS_WITH', 'BETWEEN'].includes(c.ComparisonOperator)) {
      throw invalid('Attempted conditional constraint is not an indexable operation');
    }
  }
  return conds;
}

export function query(store: DynamoStore, input: QueryInput) {
  noMixing(
    { KeyConditions: input.KeyConditions, QueryFilter: input.QueryFilter, AttributesToGet: input.AttributesToGet },
    {
      FilterExpression: input.FilterExpression,
      KeyConditionExpression: input.KeyConditionExpression,
      ProjectionExpression: input.ProjectionExpression,
    },
    { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues },
  );
  const ex = new RequestExpressions(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const keyCond =
    ex.condition(input.KeyConditionExpression, 'KeyConditionExpression') ?? fromConditions(checkKeyConditions(input.KeyConditions));
  const filter = ex.condition(input.FilterExpression, 'FilterExpression') ?? fromConditions(input.QueryFilter, input.ConditionalOperator);
  const paths = ex.projection(input.ProjectionExpression) ?? fromAttributesToGet(input.AttributesToGet);
  ex.finish();
  if (!keyCond) throw invalid('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  const src = source(store, input.TableName, input.IndexName);
  const select = checkSelect(src, input.Select, !!paths);
  if (input.ConsistentRead && src.idx?.kind === 'GSI') throw invalid('Consistent reads are not supported on global secondary indexes');
  const keyNames = [src.key.hash, src.key.range].filter((x): x is string => !!x);
  const inFilter = filter ? [...conditionAttributes(filter)].find((a) => keyNames.includes(a)) : undefined;
  if (inFilter) throw invalid(`Filter Expression can only contain non-primary key attributes: Primary key attribute: ${inFilter}`);
  const range = bounds(keyRange(keyCond, src.key));
  const start = startKey(store, src, input.ExclusiveStartKey);
  const forward = input.ScanIndexForward !== false;
  if (start !== undefined && !start.startsWith(range.prefix!))
    throw invalid('The provided starting key is outside query boundaries based on provided conditions');
  if (start !== undefined)
    Object.assign(
      range,
      forward ? { after: start } : { before: range.before !== undefined && range.before < start ? range.before : start },
    );
  const page = readPage(store, src, { ...range, reverse: !forward }, { select, limit: input.Limit, filter, paths });
  const { size, ...out } = page;
  return {
    ...out,
    ConsumedCapacity: consumed(input.ReturnConsumedCapacity, src.t.name, readUnits(size, input.ConsistentRead), false, src.idx),
  };
}

const HASH_SPACE = 16 ** HASH_DIGITS;
const hashText = (n: number) => n.toString(16).padStart(HASH_DIGITS, '0');

/** Segment `s` of `n`: an equal slice of the partition hash space, as the keys that start in it. */
export function segmentRange(s: number, n: number): ScanOptions {
  const lo = Math.ceil((s * HASH_SPACE) / n);
  const hi = Math.ceil(((s + 1) * HASH_SPACE) / n);
  return { ...(lo > 0 ? { from: hashText(lo) } : {}), ...(hi < HASH_SPACE ? { before: hashText(hi) } : {}) };
}

export function scan(store: DynamoStore, input: ScanInput) {
  noMixing(
    { ScanFilter: input.ScanFilter, AttributesToGet: input.AttributesToGet },
    { FilterExpression: input.FilterExpression, ProjectionExpression: input.ProjectionExpression },
    { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues },
  );
  const ex = new RequestExpressions(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const filter = ex.condition(input.FilterExpression, 'FilterExpression') ?? fromConditions(input.ScanFilter, input.ConditionalOperator);
  const paths = ex.projection(input.ProjectionExpression) ?? fromAttributesToGet(input.AttributesToGet);
  ex.finish();
  const { Segment, TotalSegments } = input;
  if (TotalSegments !== undefined && Segment === undefined)
    throw invalid('The Segment parameter is required but was not present in the request when parameter TotalSegments is present');
  if (Segment !== undefined && TotalSegments === undefined)
    throw invalid('The TotalSegments parameter is required but was not present in the request when Segment parameter is present');
  if (Segment !== undefined && Segment >= TotalSegments!)
    throw invalid(
      `The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${Segment} is not less than TotalSegments: ${TotalSegments}`,
    );
  const src = source(store, input.TableName, input.IndexName);
  const select = checkSelect(src, input.Select, !!paths);
  const start = startKey(store, src, input.ExclusiveStartKey);
  const range: ScanOptions = TotalSegments ? segmentRange(Segment!, TotalSegments) : {};
  if (start !== undefined && ((range.from !== undefined && start < range.from) || (range.before !== undefined && start >= range.before))) {
    throw invalid(
      `The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: ${TotalSegments} Segment: ${Segment}`,
    );
  }
  if (start !== undefined) range.after = start;
  const page = readPage(store, src, range, { select, limit: input.Limit, filter, paths });
  const { size, ...out } = page;
  return {
    ...out,
    ConsumedCapacity: consumed(input.ReturnConsumedCapacity, src.t.name, readUnits(size, input.ConsistentRead), false, src.idx),
  };
}
