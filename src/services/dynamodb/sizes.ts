// Sizes kept up to date as items change, never by rescanning: each table's item count and bytes
// (DescribeTable's ItemCount / TableSizeBytes), each index's (IndexSizeBytes / ItemCount) and, on
// tables with local secondary indexes, each item collection's (the 10 GB limit and
// ItemCollectionMetrics). AWS refreshes DescribeTable's figures about every six hours; Nimbus shows
// exact ones at once.
//
// Sizes follow DynamoDB's item size rules (attribute names + values: values.ts itemSize). An index
// entry is the projected item (table key, index key, projected attributes). An item collection is
// the partition's base items plus their LSI entries, each entry counting the 100 bytes of overhead
// the developer guide gives an index item ("Storage considerations for local secondary indexes").
//
// The 10 GB limit can be lowered to test it: NIMBUS_DYNAMODB_ITEM_COLLECTION_LIMIT=<bytes> in the
// environment, or POST /_nimbus/dynamodb/limits {"itemCollectionSizeBytes": <bytes>} (GET shows it).
import type { ItemCollectionMetrics } from '../../generated/dynamodb.js';
import type { Runtime } from '../../runtime.js';
import type { Collection } from '../../state/engine.js';
import type { StoreScope } from '../../state/stores.js';
import { ServiceError } from '../errors.js';
import { encodeValue } from './keys.js';
import type { IndexMeta, TableMeta } from './meta.js';
import { normaliseValue, type Item, type Value } from './values.js';

export interface Tally {
  items: number;
  bytes: number;
}
export interface TableStats extends Tally {
  indexes: Record<string, Tally>;
}

/** What one item occupies: its bytes in the table and, per index of the table (same order), its entry if it has one. */
export interface Footprint {
  bytes: number;
  entries: Array<{ key: string; item: Item; bytes: number } | undefined>;
}

export const INDEX_ENTRY_OVERHEAD = 100;
const GB = 1024 ** 3;
export const DEFAULT_COLLECTION_LIMIT = 10 * GB;

/** The item collection size limit of a runtime (bytes), from the environment unless set through the admin route. */
export function collectionLimits(rt: Runtime): { itemCollectionSizeBytes: number } {
  return rt.shared('dynamodb/collection-limits', () => {
    const env = Number(process.env.NIMBUS_DYNAMODB_ITEM_COLLECTION_LIMIT);
    return { itemCollectionSizeBytes: Number.isSafeInteger(env) && env > 0 ? env : DEFAULT_COLLECTION_LIMIT };
  });
}

export const collectionFull = () => new ServiceError('ItemCollectionSizeLimitExceededException', 'Collection size exceeded.', 400);

const hasLsi = (t: TableMeta) => t.indexes.some((i) => i.kind === 'LSI');

export class Sizes {
  private readonly stats: Collection<TableStats>;
  /** item collection bytes, keyed `<table id>/<encoded partition key>` */
  private readonly collections: Collection<number>;

  constructor(
    scope: StoreScope,
    private readonly rt: Runtime,
    private readonly footprint: (t: TableMeta, item: Item) => Footprint,
    private readonly scanItems: (t: TableMeta) => Iterable<[string, Item]>,
  ) {
    this.stats = scope.collection('stats');
    this.collections = scope.collection('collection-sizes');
  }

  /** A new table starts empty. */
  created(t: TableMeta): void {
    this.stats.put(t.id, { items: 0, bytes: 0, indexes: {} });
  }

  dropped(t: TableMeta): void {
    this.stats.delete(t.id);
    this.collections.clear(`${t.id}/`);
  }

  of(t: TableMeta): TableStats {
    return this.stats.get(t.id) ?? this.recount(t);
  }

  /**
   * Accounts for one item replaced (before → after; either may be absent). Refuses, before anything
   * is written, a write that grows an item collection past the limit.
   */
  record(t: TableMeta, hash: Value, before: Footprint | undefined, after: Footprint | undefined): void {
    if (hasLsi(t)) this.recordCollection(t, hash, before, after);
    const s = this.of(t);
    s.items += (after ? 1 : 0) - (before ? 1 : 0);
    s.bytes += (after?.bytes ?? 0) - (before?.bytes ?? 0);
    t.indexes.forEach((idx, i) => {
      const b = before?.entries[i],
        a = after?.entries[i];
      if (!a && !b) return;
      const tally = (s.indexes[idx.name] ??= { items: 0, bytes: 0 });
      tally.items += (a ? 1 : 0) - (b ? 1 : 0);
      tally.bytes += (a?.bytes ?? 0) - (b?.bytes ?? 0);
    });
    this.stats.put(t.id, s);
  }

  private recordCollection(t: TableMeta, hash: Value, before: Footprint | undefined, after: Footprint | undefined): void {
    const delta = this.share(t, after) - this.share(t, before);
    if (delta === 0) return;
    const key = `${t.id}/${encodeValue(hash)}`;
    const size = (this.collections.get(key) ?? 0) + delta;
    if (delta > 0 && size > collectionLimits(this.rt).itemCollectionSizeBytes) throw collectionFull();
    if (size > 0) this.collections.put(key, size);
    else this.collections.delete(key);
  }

  /** What an item adds to its collection: itself and its LSI entries. */
  private share(t: TableMeta, f: Footprint | undefined): number {
    if (!f) return 0;
    let n = f.bytes;
    t.indexes.forEach((idx, i) => {
      const e = f.entries[i];
      if (idx.kind === 'LSI' && e) n += e.bytes + INDEX_ENTRY_OVERHEAD;
    });
    return n;
  }

  /** Bytes of the item collection of one partition key value. */
  collectionBytes(t: TableMeta, hash: Value): number {
    if (!this.stats.has(t.id)) this.recount(t);
    return this.collections.get(`${t.id}/${encodeValue(hash)}`) ?? 0;
  }

  /** ItemCollectionMetrics for a write naming this key (or item), on a table with local secondary indexes. */
  metrics(t: TableMeta, keyOrItem: Item): ItemCollectionMetrics | undefined {
    const raw = keyOrItem[t.key.hash];
    if (!hasLsi(t) || !raw) return undefined;
    const hash = normaliseValue(raw);
    const low = Math.floor(this.collectionBytes(t, hash) / GB);
    return { ItemCollectionKey: { [t.key.hash]: hash }, SizeEstimateRangeGB: [low, low + 1] };
  }

  /** A new index's tally, from its backfilled entries. */
  indexBuilt(t: TableMeta, idx: IndexMeta, entries: Tally): void {
    const s = this.of(t);
    s.indexes[idx.name] = entries;
    this.stats.put(t.id, s);
  }

  indexDropped(t: TableMeta, idx: IndexMeta): void {
    const s = this.of(t);
    delete s.indexes[idx.name];
    this.stats.put(t.id, s);
  }

  /** One full count, for a table stored before sizes were kept; from then on they are kept. */
  private recount(t: TableMeta): TableStats {
    const s: TableStats = { items: 0, bytes: 0, indexes: {} };
    const collections = new Map<string, number>();
    for (const [, item] of this.scanItems(t)) {
      const f = this.footprint(t, item);
      s.items++;
      s.bytes += f.bytes;
      t.indexes.forEach((idx, i) => {
        const e = f.entries[i];
        if (!e) return;
        const tally = (s.indexes[idx.name] ??= { items: 0, bytes: 0 });
        tally.items++;
        tally.bytes += e.bytes;
      });
      if (hasLsi(t)) {
        const key = `${t.id}/${encodeValue(item[t.key.hash])}`;
        collections.set(key, (collections.get(key) ?? 0) + this.share(t, f));
      }
    }
    // written after the scan: SQLite refuses writes while a scan is open
    this.rt.engine.transaction(() => {
      this.collections.clear(`${t.id}/`);
      for (const [k, n] of collections) this.collections.put(k, n);
      this.stats.put(t.id, s);
    });
    return s;
  }
}
