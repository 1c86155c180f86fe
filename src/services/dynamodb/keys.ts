// Primary and index keys: validation, and the order-preserving text they are stored under, so that
// a Query is a range scan. Each key value is encoded then ended by '!': strings and binaries as the
// hex of their bytes (hex preserves byte order, i.e. UTF-8 = code point order), numbers with
// encodeNumber. Every encoding character sorts above '!', and '!' above ' ', which bounds ranges.
//
// A stored key starts with its partition's hash (8 hex digits), as DynamoDB places partitions: a
// Scan reads partitions in hash order (within one, by sort key) and a parallel Scan's segment is a
// slice of the hash space. The hash is MD5 over "Outliers" and the partition key's bytes (numbers
// in DynamoDB's binary form), the function found to reproduce DynamoDB's scan order.
import { createHash } from 'node:crypto';
import { encodeNumber, numberBytes, parseDecimal } from './numbers.js';
import { invalid, invalidParam, typeOf, type Item, type Value } from './values.js';

export interface KeyDef {
  hash: string;
  hashType: 'S' | 'N' | 'B';
  range?: string;
  rangeType?: 'S' | 'N' | 'B';
}

export function encodeValue(v: Value): string {
  if (v.S !== undefined) return Buffer.from(v.S, 'utf8').toString('hex');
  if (v.N !== undefined) return encodeNumber(v.N);
  return v.B!.toString('hex');
}

/** The key's text without its partition hash (the table key that ends an index entry's key). */
export function encodeKey(def: KeyDef, item: Item): string {
  const h = encodeValue(item[def.hash]) + '!';
  return def.range ? h + encodeValue(item[def.range]) + '!' : h;
}

/** The bytes DynamoDB hashes for a partition key value. */
function keyBytes(v: Value): Buffer {
  if (v.S !== undefined) return Buffer.from(v.S, 'utf8');
  if (v.N !== undefined) return numberBytes(parseDecimal(v.N));
  return v.B!;
}

export const HASH_DIGITS = 8;

/** Where a partition sits in the hash space: HASH_DIGITS hex digits. */
export function partitionHash(v: Value): string {
  return createHash('md5').update('Outliers').update(keyBytes(v)).digest('hex').slice(0, HASH_DIGITS);
}

/** The prefix every stored key of one partition starts with. */
export const partitionPrefix = (v: Value): string => partitionHash(v) + encodeValue(v) + '!';

/** The storage key of an item in its table (its primary key attributes already checked). */
export const itemKey = (def: KeyDef, item: Item): string => partitionHash(item[def.hash]) + encodeKey(def, item);

export const keyOf = (def: KeyDef, item: Item): Item =>
  def.range ? { [def.hash]: item[def.hash], [def.range]: item[def.range] } : { [def.hash]: item[def.hash] };

const emptyKey = (v: Value) => (v.S !== undefined && v.S === '') || (v.B !== undefined && v.B.length === 0);

/** Checks an item's key attributes (PutItem): present, of the declared type, not empty, within size. */
export function checkItemKey(def: KeyDef, item: Item): void {
  for (const [name, type] of [
    [def.hash, def.hashType],
    [def.range, def.rangeType],
  ] as const) {
    if (!name) continue;
    const v = item[name];
    if (!v) throw invalidParam(`Missing the key ${name} in the item`);
    if (typeOf(v) !== type) throw invalidParam(`Type mismatch for key ${name} expected: ${type} actual: ${typeOf(v)}`);
    if (emptyKey(v))
      throw invalid(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${v.S !== undefined ? 'string' : 'binary'} value. Key: ${name}`,
      );
  }
  checkKeySizes(def, item);
}

function checkKeySizes(def: KeyDef, item: Item): void {
  const size = (v: Value) => (v.S !== undefined ? Buffer.byteLength(v.S) : v.B !== undefined ? v.B.length : 0);
  if (size(item[def.hash]) > 2048) throw invalidParam('Size of hashkey has exceeded the maximum size limit of 2048 bytes');
  if (def.range && size(item[def.range]) > 1024)
    throw invalidParam('Aggregated size of all range keys has exceeded the size limit of 1024 bytes');
}

/** Checks a Key parameter (GetItem, DeleteItem, …): exactly the key attributes, of the right types. */
export function checkKeyParam(def: KeyDef, key: Item | undefined): void {
  const names = Object.keys(key ?? {});
  const expected = def.range ? 2 : 1;
  const ok =
    key &&
    names.length === expected &&
    typeOf(key[def.hash] ?? {}) === def.hashType &&
    key[def.hash] !== undefined &&
    (!def.range || (key[def.range] !== undefined && typeOf(key[def.range]) === def.rangeType));
  if (!ok) throw invalid('The provided key element does not match the schema');
  for (const n of names) {
    if (emptyKey(key![n]))
      throw invalid(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${key![n].S !== undefined ? 'string' : 'binary'} value. Key: ${n}`,
      );
  }
  checkKeySizes(def, key!);
}
