// DynamoDB's state in one account and region: table descriptions, items (one ordered collection per
// table, keyed by itemKey: partition hash first, so a scan reads partitions in hash order), secondary indexes (one collection each, maintained on every write in
// the same SQLite transaction) and stream records, which dynamodbstreams reads through rt.integrations.
import type { Runtime } from '../../runtime.js';
import type { Collection } from '../../state/engine.js';
import type { Stores, StoreScope } from '../../state/stores.js';
import type { KeySchemaElement, StreamViewType } from '../../generated/dynamodb.js';
import type { IndexMeta, TableMeta } from './meta.js';
import { encodeKey, encodeValue, keyOf, partitionPrefix } from './keys.js';
import { equalValues, itemSize, type Item } from './values.js';
import { Sizes, type Footprint } from './sizes.js';
import { migrateLayout } from './layout.js';

export type { IndexMeta, TableMeta } from './meta.js';

/** A stream as ListStreams/DescribeStream show it; it outlives its table by 24 hours. */
export interface StreamMeta {
  id: string;
  arn: string;
  label: string;
  tableName: string;
  viewType: StreamViewType;
  keySchema: KeySchemaElement[];
  created: number;
  shardId: string;
  /** when the stream was disabled (or its table deleted) */
  closed?: number;
}

export interface StreamRecordData {
  seq: string;
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  time: number;
  keys: Item;
  newImage?: Item;
  oldImage?: Item;
  size: number;
  /** set for TTL deletions */
  service?: boolean;
}

/** The first element of a scan, closing it (an open scan blocks writes). */
export function first<T>(it: Iterable<T>): T | undefined {
  for (const x of it) return x;
  return undefined;
}

export const RETENTION_MS = 24 * 3600 * 1000;
const SEQ_DIGITS = 21;

export class DynamoStore {
  readonly tables: Collection<TableMeta>;
  readonly streams: Collection<StreamMeta>;
  readonly records: Collection<StreamRecordData>;
  readonly tokens: Collection<{ hash: string; at: number }>;
  readonly sizes: Sizes;
  private readonly collections = new Map<string, Collection<Item>>();

  constructor(
    private readonly scope: StoreScope,
    private readonly rt: Runtime,
  ) {
    this.tables = scope.collection('tables');
    this.streams = scope.collection('streams');
    this.records = scope.collection('records');
    this.tokens = scope.collection('tokens');
    this.sizes = new Sizes(
      scope,
      rt,
      (t, item) => this.footprint(t, item),
      (t) => this.items(t).scan(),
    );
    const moved = migrateLayout(
      scope,
      [...this.tables.scan()].map(([, t]) => t),
      this,
      (fn) => rt.engine.transaction(fn),
    );
    if (moved) rt.log.info(`dynamodb: ${moved} table(s) of ${scope.account}/${scope.region} moved to the hashed key layout`);
  }

  get account() {
    return this.scope.account;
  }
  get region() {
    return this.scope.region;
  }

  private coll(name: string): Collection<Item> {
    let c = this.collections.get(name);
    if (!c) this.collections.set(name, (c = this.scope.collection<Item>(name)));
    return c;
  }

  items(t: TableMeta): Collection<Item> {
    return this.coll(`items-by-hash/${t.id}`);
  }
  index(t: TableMeta, idx: IndexMeta): Collection<Item> {
    return this.coll(`index-by-hash/${t.id}/${idx.name}`);
  }

  /** Where an item sits in an index, or undefined when it lacks the index's key attributes (sparse). */
  indexKey(t: TableMeta, idx: IndexMeta, item: Item): string | undefined {
    const h = item[idx.key.hash];
    if (!h || !(idx.key.hashType in h)) return undefined;
    let k = partitionPrefix(h);
    if (idx.key.range) {
      const r = item[idx.key.range];
      if (!r || !(idx.key.rangeType! in r)) return undefined;
      k += encodeValue(r) + '!';
    }
    return k + encodeKey(t.key, item);
  }

  projectForIndex(t: TableMeta, idx: IndexMeta, item: Item): Item {
    const type = idx.projection.ProjectionType ?? 'ALL';
    if (type === 'ALL') return item;
    const keep = new Set([
      t.key.hash,
      t.key.range,
      idx.key.hash,
      idx.key.range,
      ...(type === 'INCLUDE' ? (idx.projection.NonKeyAttributes ?? []) : []),
    ]);
    return Object.fromEntries(Object.entries(item).filter(([k]) => keep.has(k)));
  }

  /** The item's size and its entry in each index (undefined where sparse). */
  footprint(t: TableMeta, item: Item): Footprint {
    const bytes = itemSize(item);
    return {
      bytes,
      entries: t.indexes.map((idx) => {
        const key = this.indexKey(t, idx, item);
        if (!key) return undefined;
        const entry = this.projectForIndex(t, idx, item);
        return { key, item: entry, bytes: entry === item ? bytes : itemSize(entry) };
      }),
    };
  }

  /**
   * Replaces (or deletes, next undefined) one item, keeping indexes, sizes and the stream in step.
   * Throws ItemCollectionSizeLimitExceededException, writing nothing, when the item's collection is full.
   */
  write(t: TableMeta, key: string, old: Item | undefined, next: Item | undefined, opts: { service?: boolean } = {}): void {
    if (!old && !next) return;
    this.rt.engine.transaction(() => {
      const before = old && this.footprint(t, old);
      const after = next && this.footprint(t, next);
      this.sizes.record(t, (next ?? old)![t.key.hash], before, after);
      const items = this.items(t);
      if (next) items.put(key, next);
      else items.delete(key);
      t.indexes.forEach((idx, i) => {
        const b = before?.entries[i],
          a = after?.entries[i];
        if (b && b.key !== a?.key) this.index(t, idx).delete(b.key);
        if (a) this.index(t, idx).put(a.key, a.item);
      });
      if (t.stream?.enabled && !(old && next && equalValues({ M: old }, { M: next }))) {
        this.appendRecord(t, old, next, opts.service);
      }
    });
  }

  private appendRecord(t: TableMeta, old: Item | undefined, next: Item | undefined, service?: boolean): void {
    const stream = t.stream!;
    const last = first(this.records.scan({ prefix: stream.id + '/', reverse: true, limit: 1 }));
    const n = last ? BigInt(last[1].seq) + 1n : 1n;
    const seq = n.toString().padStart(SEQ_DIGITS, '0');
    const view = stream.viewType;
    const keys = keyOf(t.key, (next ?? old)!);
    const rec: StreamRecordData = {
      seq,
      eventID: `${seq.slice(-12)}${t.id.slice(0, 20)}`.replace(/-/g, ''),
      eventName: !old ? 'INSERT' : !next ? 'REMOVE' : 'MODIFY',
      time: this.rt.clock.nowMs(),
      keys,
      ...(next && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES') ? { newImage: next } : {}),
      ...(old && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES') ? { oldImage: old } : {}),
      size: itemSize(keys) + (next && view.startsWith('NEW') ? itemSize(next) : 0) + (old && view.includes('OLD') ? itemSize(old) : 0),
      ...(service ? { service: true } : {}),
    };
    this.records.put(`${stream.id}/${seq}`, rec);
  }

  /** Drops records and streams older than the 24-hour retention. */
  trimStreams(now: number): void {
    for (const [arn, s] of [...this.streams.scan()]) {
      const old: string[] = [];
      for (const [k, r] of this.records.scan({ prefix: s.id + '/' })) {
        if (r.time >= now - RETENTION_MS) break;
        old.push(k);
      }
      for (const k of old) this.records.delete(k);
      if (s.closed !== undefined && s.closed < now - RETENTION_MS) {
        this.records.clear(s.id + '/');
        this.streams.delete(arn);
      }
    }
  }
}

/** The one set of DynamoDB stores of a runtime (its streams reach dynamodbstreams through rt.integrations). */
export function dynamoStores(rt: Runtime): Stores<DynamoStore> {
  return rt.shared('dynamodb/stores', () => rt.stores('dynamodb', (scope) => new DynamoStore(scope, rt)));
}
