// Amazon DynamoDB: tables, items, expressions, queries, batches, transactions, TTL; stream records
// are written with each item change (store.ts) and read by the dynamodbstreams provider.
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { DynamodbProvider } from '../../generated/dynamodb.js';
import type { RequestContext } from '../types.js';
import { dynamoStores, type DynamoStore } from './store.js';
import { tableHandlers } from './tables.js';
import { apply, getItem, prepareDelete, preparePut, prepareUpdate, returned, type PreparedWrite } from './items.js';
import { query, scan } from './query.js';
import { batchGet, batchWrite } from './batch.js';
import { transactGet, transactWrite } from './transactions.js';
import { TtlSweeper } from './ttl.js';
import { batchExecute, executeStatement, executeTransaction } from './partiql/execute.js';
import { consumed, readUnits, writeConsumed, writeUnits } from './capacity.js';
import { indexWrites } from './index-writes.js';
import { invalid, itemSize, type Item } from './values.js';
import { collectionLimits } from './sizes.js';
import { streamsIntegration } from './streams-integration.js';
import { checkTableName } from './names.js';
import { dynamoProfile } from './profile.js';
import { withMetrics } from './metrics.js';

/** GET / POST /_nimbus/dynamodb/limits: the item collection size limit, lowered to test it without writing 10 GB. */
function registerLimitRoutes(rt: Runtime): void {
  rt.admin.route('GET /_nimbus/dynamodb/limits', () => ({ body: collectionLimits(rt) }));
  rt.admin.route('POST /_nimbus/dynamodb/limits', ({ body }) => {
    let n: unknown;
    try {
      n = (JSON.parse(body.toString('utf8')) as { itemCollectionSizeBytes?: unknown }).itemCollectionSizeBytes;
    } catch {
      n = undefined;
    }
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) {
      return { status: 400, body: { error: 'expected {"itemCollectionSizeBytes": <a positive integer>}' } };
    }
    collectionLimits(rt).itemCollectionSizeBytes = n;
    return { body: collectionLimits(rt) };
  });
}

function create(rt: Runtime): DynamodbProvider {
  const stores = dynamoStores(rt);
  rt.integrations.dynamodbStreams = streamsIntegration(stores);
  const ttl = new TtlSweeper(rt);
  // every handler starts here: tables with TTL on that are read are swept lazily
  const store = (ctx: RequestContext, tableName?: string) => {
    const s = stores.get(ctx.account, ctx.region);
    const t = tableName ? s.tables.get(tableName) : undefined;
    if (t?.ttl?.enabled) ttl.sweepIfDue(ctx.account, ctx.region, t);
    return s;
  };
  registerLimitRoutes(rt);
  const tables = tableHandlers(store, (fn) => rt.engine.transaction(fn));
  const writeCapacity = (ctx: RequestContext, mode: string | undefined, w: PreparedWrite) =>
    writeConsumed(mode as never, w.t.name, writeUnits(Math.max(itemSize(w.next ?? {}), itemSize(w.old ?? {}))), indexWrites(store(ctx), w));
  const onlyOld = (rv: string | undefined) => {
    if (rv && rv !== 'NONE' && rv !== 'ALL_OLD') throw invalid('Return values set to invalid value');
  };
  const collection = (ctx: RequestContext, mode: string | undefined, w: PreparedWrite, key: Item) =>
    mode === 'SIZE' ? store(ctx).sizes.metrics(w.t, key) : undefined;
  // a write costs the larger of the old and the new image
  // prepare and apply in one transaction: one commit per write
  const write = (ctx: RequestContext, prepare: (s: DynamoStore) => PreparedWrite) =>
    rt.engine.transaction(() => {
      const s = store(ctx);
      const w = prepare(s);
      apply(s, w);
      return w;
    });

  const handlers: DynamodbProvider = {
    ...tables,

    UpdateTimeToLive: (input, ctx) => {
      const out = tables.UpdateTimeToLive!(input, ctx) as ReturnType<NonNullable<DynamodbProvider['UpdateTimeToLive']>>;
      ttl.track(ctx.account, ctx.region, store(ctx).tables.get(input.TableName)!);
      return out;
    },

    PutItem: (input, ctx) => {
      onlyOld(input.ReturnValues);
      const w = write(ctx, (s) => preparePut(s, input));
      return {
        Attributes: returned(w, input.ReturnValues),
        ConsumedCapacity: writeCapacity(ctx, input.ReturnConsumedCapacity, w),
        ItemCollectionMetrics: collection(ctx, input.ReturnItemCollectionMetrics, w, input.Item),
      };
    },

    DeleteItem: (input, ctx) => {
      onlyOld(input.ReturnValues);
      const w = write(ctx, (s) => prepareDelete(s, input));
      return {
        Attributes: returned(w, input.ReturnValues),
        ConsumedCapacity: writeCapacity(ctx, input.ReturnConsumedCapacity, w),
        ItemCollectionMetrics: collection(ctx, input.ReturnItemCollectionMetrics, w, input.Key),
      };
    },

    UpdateItem: (input, ctx) => {
      const w = write(ctx, (s) => prepareUpdate(s, input));
      return {
        Attributes: returned(w, input.ReturnValues),
        ConsumedCapacity: writeCapacity(ctx, input.ReturnConsumedCapacity, w),
        ItemCollectionMetrics: collection(ctx, input.ReturnItemCollectionMetrics, w, input.Key),
      };
    },

    GetItem: (input, ctx) => {
      const { t, item } = getItem(store(ctx, input.TableName), input);
      return {
        Item: item,
        ConsumedCapacity: consumed(input.ReturnConsumedCapacity, t.name, readUnits(item ? itemSize(item) : 0, input.ConsistentRead), false),
      };
    },

    Query: (input, ctx) => query(store(ctx, input.TableName), input),
    Scan: (input, ctx) => scan(store(ctx, input.TableName), input),
    BatchGetItem: (input, ctx) => batchGet(store(ctx), input),
    BatchWriteItem: (input, ctx) => batchWrite(rt, store(ctx), input),
    TransactWriteItems: (input, ctx) => transactWrite(rt, store(ctx), input, ctx),
    TransactGetItems: (input, ctx) => transactGet(store(ctx), input),
    ExecuteStatement: (input, ctx) => executeStatement(rt, store(ctx), input),
    BatchExecuteStatement: (input, ctx) => batchExecute(rt, store(ctx), input),
    ExecuteTransaction: (input, ctx) => executeTransaction(rt, store(ctx), input),
  };
  return withNameChecks(withMetrics(rt, handlers));
}

/** Every handler whose input names a table checks the name first, as DynamoDB validates before it looks. */
function withNameChecks(handlers: DynamodbProvider): DynamodbProvider {
  const out: Record<string, unknown> = {};
  for (const [op, h] of Object.entries(handlers)) {
    const fn = h as (input: { TableName?: unknown }, ctx: RequestContext) => unknown;
    out[op] = (input: { TableName?: unknown }, ctx: RequestContext) => {
      checkTableName(input?.TableName, op === 'CreateTable');
      return fn(input, ctx);
    };
  }
  return out as DynamodbProvider;
}

// DynamoDB's SDKs verify every response body against x-amz-crc32 when it is present
export const dynamodb: ServiceDefinition = { name: 'dynamodb', create, ...dynamoProfile };
