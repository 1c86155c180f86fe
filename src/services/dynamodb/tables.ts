// Control plane: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables, TTL, tags,
// backups status, limits and endpoints.
import { randomUUID } from 'node:crypto';
import type {
  AttributeDefinition,
  CreateTableInput,
  DynamodbProvider,
  KeySchemaElement,
  Projection,
  ProvisionedThroughput,
  StreamSpecification,
  TableDescription,
  UpdateTableInput,
} from '../../generated/dynamodb.js';
import type { RequestContext } from '../types.js';
import { ServiceError } from '../errors.js';
import type { DynamoStore, IndexMeta, TableMeta } from './store.js';
import type { KeyDef } from './keys.js';
import { invalid, invalidParam, itemSize } from './values.js';

export const notFound = (name?: string) =>
  new ServiceError(
    'ResourceNotFoundException',
    name ? `Requested resource not found: Table: ${name} not found` : 'Requested resource not found',
  );

export function getTable(store: DynamoStore, name: string, detailed = false): TableMeta {
  // TableName may also be the table's ARN
  const t = store.tables.get(name.startsWith('arn:') ? name.replace(/^.*:table\//, '') : name);
  if (!t) throw notFound(detailed ? name : undefined);
  return t;
}

/** A table named by name or ARN (tag operations take ARNs). */
function tableByArn(store: DynamoStore, arn: string): TableMeta {
  const m = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/([^/]+)$/.exec(arn);
  const t = m ? store.tables.get(m[1]) : undefined;
  if (!t) throw new ServiceError('ResourceNotFoundException', `Requested resource not found: ResourcArn: ${arn} not found`);
  return t;
}

function keyDef(schema: KeySchemaElement[], defs: AttributeDefinition[]): KeyDef {
  const hash = schema.filter((k) => k.KeyType === 'HASH');
  const range = schema.filter((k) => k.KeyType === 'RANGE');
  if (schema[0]?.KeyType !== 'HASH') throw invalid(`Invalid KeySchema: The first KeySchemaElement is not a HASH key type`);
  if (hash.length !== 1 || range.length > 1 || schema.length > 2)
    throw invalid('Invalid KeySchema: Some index key attribute have no definition');
  if (range.length && range[0].AttributeName === hash[0].AttributeName)
    throw invalid(`Invalid KeySchema: Both the Hash Key and the Range Key element in the KeySchema have the same name`);
  const typeOf = (name: string) => {
    const d = defs.find((x) => x.AttributeName === name);
    if (!d)
      throw invalidParam(
        `Some index key attributes are not defined in AttributeDefinitions. Keys: [${schema.map((k) => k.AttributeName).join(', ')}], AttributeDefinitions: [${defs.map((x) => x.AttributeName).join(', ')}]`,
      );
    return d.AttributeType;
  };
  return {
    hash: hash[0].AttributeName,
    hashType: typeOf(hash[0].AttributeName),
    ...(range.length ? { range: range[0].AttributeName, rangeType: typeOf(range[0].AttributeName) } : {}),
  };
}

function checkProjection(p: Projection | undefined, name: string): Projection {
  if (!p) throw invalidParam(`Projection is required for index: ${name}`);
  const type = p.ProjectionType ?? 'ALL';
  if (type === 'INCLUDE' && !p.NonKeyAttributes?.length)
    throw invalidParam(`ProjectionType is INCLUDE, but NonKeyAttributes is not specified`);
  if (type !== 'INCLUDE' && p.NonKeyAttributes?.length) throw invalidParam(`ProjectionType is ${type}, but NonKeyAttributes is specified`);
  return { ProjectionType: type, ...(type === 'INCLUDE' ? { NonKeyAttributes: p.NonKeyAttributes } : {}) };
}

function throughput(mode: string, pt: ProvisionedThroughput | undefined, index?: string): { read: number; write: number } {
  if (mode === 'PAY_PER_REQUEST') {
    if (pt) throw invalidParam(`Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`);
    return { read: 0, write: 0 };
  }
  if (!pt && index) throw invalidParam(`ProvisionedThroughput must be specified for index: ${index}`);
  if (!pt) throw invalidParam('ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  return { read: pt.ReadCapacityUnits, write: pt.WriteCapacityUnits };
}

function streamOf(spec: StreamSpecification | undefined, t: { arn: string; id: string }, now: number): TableMeta['stream'] {
  if (!spec?.StreamEnabled) return undefined;
  if (!spec.StreamViewType) throw invalidParam('StreamViewType is required when StreamEnabled is true');
  const label = new Date(now).toISOString().replace('Z', '');
  return { id: `${t.id}@${now}`, arn: `${t.arn}/stream/${label}`, label, viewType: spec.StreamViewType, enabled: true };
}

function registerStream(store: DynamoStore, t: TableMeta, now: number): void {
  if (!t.stream) return;
  const shard = `shardId-${String(now).padStart(20, '0')}-${t.stream.id.replace(/[^0-9a-f]/g, '').slice(0, 8)}`;
  store.streams.put(t.stream.arn, {
    id: t.stream.id,
    arn: t.stream.arn,
    label: t.stream.label,
    tableName: t.name,
    viewType: t.stream.viewType,
    keySchema: t.keySchema,
    created: now,
    shardId: shard,
  });
}

function closeStream(store: DynamoStore, t: TableMeta, now: number): void {
  if (!t.stream) return;
  const s = store.streams.get(t.stream.arn);
  if (s && s.closed === undefined) store.streams.put(s.arn, { ...s, closed: now });
}

function newIndex(
  kind: 'LSI' | 'GSI',
  i: { IndexName: string; KeySchema: KeySchemaElement[]; Projection: Projection; ProvisionedThroughput?: ProvisionedThroughput },
  defs: AttributeDefinition[],
  mode: string,
): IndexMeta {
  const key = keyDef(i.KeySchema, defs);
  const pt = kind === 'GSI' ? throughput(mode, i.ProvisionedThroughput, i.IndexName) : undefined;
  return {
    name: i.IndexName,
    kind,
    keySchema: i.KeySchema,
    key,
    projection: checkProjection(i.Projection, i.IndexName),
    ...(pt ? { read: pt.read, write: pt.write } : {}),
  };
}

/** A new table's (and index's) warm throughput, in units per second, as AWS reports it. */
const WARM = { ReadUnitsPerSecond: 12000, WriteUnitsPerSecond: 4000 };

/**
 * A table's description. Tables and indexes are usable at once: CreateTable answers CREATING (and an
 * UpdateTable that adds an index answers UPDATING with the index CREATING), and the next
 * DescribeTable already sees ACTIVE, so waiters return on their first poll.
 */
export function describe(
  store: DynamoStore,
  t: TableMeta,
  status: TableDescription['TableStatus'] = 'ACTIVE',
  creatingIndex?: string,
): TableDescription {
  // kept up to date by every write (sizes.ts); a table being created or deleted shows none
  const stats = status === 'ACTIVE' ? store.sizes.of(t) : undefined;
  const pt = (read: number, write: number) => ({ NumberOfDecreasesToday: 0, ReadCapacityUnits: read, WriteCapacityUnits: write });
  const indexDesc = (idx: IndexMeta) => ({
    IndexName: idx.name,
    KeySchema: idx.keySchema,
    Projection: idx.projection,
    IndexSizeBytes: stats?.indexes[idx.name]?.bytes ?? 0,
    ItemCount: stats?.indexes[idx.name]?.items ?? 0,
    IndexArn: `${t.arn}/index/${idx.name}`,
  });
  const lsis = t.indexes.filter((i) => i.kind === 'LSI');
  const gsis = t.indexes.filter((i) => i.kind === 'GSI');
  return {
    AttributeDefinitions: t.attributeDefinitions,
    TableName: t.name,
    KeySchema: t.keySchema,
    TableStatus: status,
    CreationDateTime: new Date(t.created),
    ProvisionedThroughput: pt(t.read, t.write),
    TableSizeBytes: stats?.bytes ?? 0,
    ItemCount: stats?.items ?? 0,
    TableArn: t.arn,
    TableId: t.id,
    ...(t.billingMode === 'PAY_PER_REQUEST'
      ? { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: new Date(t.created) } }
      : {}),
    ...(lsis.length ? { LocalSecondaryIndexes: lsis.map(indexDesc) } : {}),
    ...(gsis.length
      ? {
          GlobalSecondaryIndexes: gsis.map((g) => {
            const IndexStatus = status === 'CREATING' || g.name === creatingIndex ? ('CREATING' as const) : ('ACTIVE' as const);
            return {
              ...indexDesc(g),
              IndexStatus,
              ProvisionedThroughput: pt(g.read ?? 0, g.write ?? 0),
              WarmThroughput: { ...WARM, Status: IndexStatus },
            };
          }),
        }
      : {}),
    ...(t.stream ? { LatestStreamLabel: t.stream.label, LatestStreamArn: t.stream.arn } : {}),
    ...(t.stream?.enabled ? { StreamSpecification: { StreamEnabled: true, StreamViewType: t.stream.viewType } } : {}),
    ...(t.sse
      ? {
          SSEDescription: {
            Status: 'ENABLED',
            SSEType: 'KMS',
            KMSMasterKeyArn: t.sse.kmsKeyArn ?? `arn:aws:kms:${store.region}:${store.account}:key/${t.id}`,
          },
        }
      : {}),
    ...(t.tableClass !== 'STANDARD' ? { TableClassSummary: { TableClass: t.tableClass as 'STANDARD' } } : {}),
    DeletionProtectionEnabled: t.deletionProtection,
    WarmThroughput: { ...WARM, Status: status },
  };
}

/** What DeleteTable answers: the table's identity and counters, not its schema (as AWS does). */
function deletedDescription(store: DynamoStore, t: TableMeta): TableDescription {
  const d = describe(store, t, 'DELETING');
  return {
    TableName: d.TableName,
    TableStatus: d.TableStatus,
    ProvisionedThroughput: d.ProvisionedThroughput,
    TableSizeBytes: d.TableSizeBytes,
    ItemCount: d.ItemCount,
    TableArn: d.TableArn,
    TableId: d.TableId,
    ...(d.BillingModeSummary ? { BillingModeSummary: d.BillingModeSummary } : {}),
    ...(d.SSEDescription ? { SSEDescription: d.SSEDescription } : {}),
    ...(d.TableClassSummary ? { TableClassSummary: d.TableClassSummary } : {}),
    DeletionProtectionEnabled: d.DeletionProtectionEnabled,
  };
}

function createTable(store: DynamoStore, input: CreateTableInput, ctx: RequestContext): TableDescription {
  const name = input.TableName;
  if (store.tables.has(name)) throw new ServiceError('ResourceInUseException', `Table already exists: ${name}`);
  const defs = input.AttributeDefinitions ?? [];
  const schema = input.KeySchema ?? [];
  const key = keyDef(schema, defs);
  const mode = input.BillingMode ?? 'PROVISIONED';
  const { read, write } = throughput(mode, input.ProvisionedThroughput);
  const indexes: IndexMeta[] = [];
  const names = new Set<string>();
  const addIndex = (idx: IndexMeta) => {
    if (names.has(idx.name)) throw invalidParam(`Duplicate index name: ${idx.name}`);
    names.add(idx.name);
    indexes.push(idx);
  };
  for (const l of input.LocalSecondaryIndexes ?? []) {
    if (!key.range)
      throw invalidParam('Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex');
    const idx = newIndex('LSI', l, defs, mode);
    if (idx.key.hash !== key.hash)
      throw invalidParam(
        `Index KeySchema does not have the same leading hash key as table KeySchema for index: ${l.IndexName}. index hash key: ${idx.key.hash}, table hash key: ${key.hash}`,
      );
    if (!idx.key.range) throw invalidParam(`Index KeySchema does not have a range key for index: ${l.IndexName}`);
    addIndex(idx);
  }
  for (const g of input.GlobalSecondaryIndexes ?? []) addIndex(newIndex('GSI', g, defs, mode));
  if ((input.LocalSecondaryIndexes?.length ?? 0) > 5) throw invalidParam('Number of LocalSecondaryIndexes exceeds per-table limit of 5');
  if ((input.GlobalSecondaryIndexes?.length ?? 0) > 20) throw invalidParam('GlobalSecondaryIndex count exceeds the per-table limit of 20');
  const used = new Set([key.hash, key.range, ...indexes.flatMap((i) => [i.key.hash, i.key.range])].filter(Boolean));
  if (defs.length !== used.size || defs.some((d) => !used.has(d.AttributeName))) {
    throw invalidParam('Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
  }
  const now = ctx.clock.nowMs();
  const id = randomUUID();
  const arn = `arn:aws:dynamodb:${store.region}:${store.account}:table/${name}`;
  const t: TableMeta = {
    name,
    id,
    arn,
    created: now,
    keySchema: schema,
    attributeDefinitions: defs,
    key,
    billingMode: mode,
    read,
    write,
    indexes,
    stream: streamOf(input.StreamSpecification, { arn, id }, now),
    ...(input.SSESpecification?.Enabled ? { sse: { kmsKeyArn: input.SSESpecification.KMSMasterKeyId } } : {}),
    tags: Object.fromEntries((input.Tags ?? []).map((x) => [x.Key, x.Value])),
    deletionProtection: input.DeletionProtectionEnabled ?? false,
    pitr: false,
    tableClass: input.TableClass ?? 'STANDARD',
  };
  store.tables.put(name, t);
  store.sizes.created(t);
  registerStream(store, t, now);
  return describe(store, t, 'CREATING');
}

function updateTable(
  store: DynamoStore,
  input: UpdateTableInput,
  ctx: RequestContext,
  rtTransaction: <R>(fn: () => R) => R,
): TableDescription {
  const t = getTable(store, input.TableName, true);
  const changes = [
    input.ProvisionedThroughput,
    input.BillingMode,
    input.StreamSpecification,
    input.GlobalSecondaryIndexUpdates,
    input.SSESpecification,
    input.ReplicaUpdates,
    input.DeletionProtectionEnabled,
    input.TableClass,
  ];
  if (changes.every((c) => c === undefined)) {
    throw invalid(
      'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required',
    );
  }
  const pt = input.ProvisionedThroughput;
  if (pt && !input.BillingMode && t.billingMode === 'PROVISIONED' && pt.ReadCapacityUnits === t.read && pt.WriteCapacityUnits === t.write) {
    throw invalid(
      `The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${t.read}. Requested ReadCapacityUnits: ${pt.ReadCapacityUnits}. Current WriteCapacityUnits provisioned for the table: ${t.write}. Requested WriteCapacityUnits: ${pt.WriteCapacityUnits}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`,
    );
  }
  const now = ctx.clock.nowMs();
  const defs = [...t.attributeDefinitions];
  for (const d of input.AttributeDefinitions ?? []) if (!defs.some((x) => x.AttributeName === d.AttributeName)) defs.push(d);
  if (input.BillingMode) t.billingMode = input.BillingMode;
  if (input.ProvisionedThroughput || input.BillingMode) {
    const pt = throughput(
      t.billingMode,
      input.ProvisionedThroughput ??
        (t.billingMode === 'PROVISIONED' ? { ReadCapacityUnits: t.read || 5, WriteCapacityUnits: t.write || 5 } : undefined),
    );
    t.read = pt.read;
    t.write = pt.write;
  }
  if (input.DeletionProtectionEnabled !== undefined) t.deletionProtection = input.DeletionProtectionEnabled;
  if (input.TableClass) t.tableClass = input.TableClass;
  if (input.SSESpecification)
    t.sse = input.SSESpecification.Enabled === false ? undefined : { kmsKeyArn: input.SSESpecification.KMSMasterKeyId };
  if (input.StreamSpecification) {
    const enable = input.StreamSpecification.StreamEnabled;
    if (enable && t.stream?.enabled) throw invalidParam(`Table already has an enabled stream: ${t.stream.arn}`);
    if (!enable && !t.stream?.enabled) throw invalidParam('Table does not have a stream enabled');
    if (enable) {
      t.stream = streamOf(input.StreamSpecification, t, now);
      registerStream(store, t, now);
    } else {
      closeStream(store, t, now);
      t.stream = { ...t.stream!, enabled: false };
    }
  }
  rtTransaction(() => {
    for (const u of input.GlobalSecondaryIndexUpdates ?? []) {
      if (u.Create) {
        if (t.indexes.some((i) => i.name === u.Create!.IndexName)) throw invalidParam(`Attempting to create an index which already exists`);
        const idx = newIndex('GSI', u.Create, defs, t.billingMode);
        t.indexes.push(idx);
        // backfill: every existing item with the index's key attributes
        const built = { items: 0, bytes: 0 };
        for (const [, item] of [...store.items(t).scan()]) {
          const key = store.indexKey(t, idx, item);
          if (!key) continue;
          const entry = store.projectForIndex(t, idx, item);
          store.index(t, idx).put(key, entry);
          built.items++;
          built.bytes += itemSize(entry);
        }
        store.sizes.indexBuilt(t, idx, built);
      } else if (u.Delete) {
        const idx = t.indexes.find((i) => i.kind === 'GSI' && i.name === u.Delete!.IndexName);
        if (!idx)
          throw new ServiceError('ResourceNotFoundException', `Requested resource not found: Index: ${u.Delete.IndexName} not found`);
        store.index(t, idx).clear();
        store.sizes.indexDropped(t, idx);
        t.indexes = t.indexes.filter((i) => i !== idx);
      } else if (u.Update) {
        const idx = t.indexes.find((i) => i.kind === 'GSI' && i.name === u.Update!.IndexName);
        if (!idx)
          throw new ServiceError('ResourceNotFoundException', `Requested resource not found: Index: ${u.Update.IndexName} not found`);
        if (u.Update.ProvisionedThroughput) {
          idx.read = u.Update.ProvisionedThroughput.ReadCapacityUnits;
          idx.write = u.Update.ProvisionedThroughput.WriteCapacityUnits;
        }
      }
    }
    const used = new Set([t.key.hash, t.key.range, ...t.indexes.flatMap((i) => [i.key.hash, i.key.range])].filter(Boolean));
    t.attributeDefinitions = defs.filter((d) => used.has(d.AttributeName));
    store.tables.put(t.name, t);
  });
  const created = input.GlobalSecondaryIndexUpdates?.find((u) => u.Create)?.Create?.IndexName;
  return describe(store, t, created ? 'UPDATING' : 'ACTIVE', created);
}

export function tableHandlers(store: (ctx: RequestContext) => DynamoStore, transaction: <R>(fn: () => R) => R): DynamodbProvider {
  return {
    CreateTable: (input, ctx) => ({ TableDescription: createTable(store(ctx), input, ctx) }),

    DescribeTable: ({ TableName }, ctx) => {
      const s = store(ctx);
      return { Table: describe(s, getTable(s, TableName, true)) };
    },

    UpdateTable: (input, ctx) => ({ TableDescription: updateTable(store(ctx), input, ctx, transaction) }),

    DeleteTable: ({ TableName }, ctx) => {
      const s = store(ctx);
      const t = getTable(s, TableName, true);
      if (t.deletionProtection)
        throw invalid('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
      const desc = deletedDescription(s, t);
      transaction(() => {
        closeStream(s, t, ctx.clock.nowMs());
        s.items(t).clear();
        for (const idx of t.indexes) s.index(t, idx).clear();
        s.sizes.dropped(t);
        s.tables.delete(t.name);
      });
      return { TableDescription: desc };
    },

    ListTables: ({ ExclusiveStartTableName, Limit }, ctx) => {
      const limit = Limit ?? 100;
      const names = [...store(ctx).tables.scan({ after: ExclusiveStartTableName, limit: limit + 1 })].map(([k]) => k);
      const page = names.slice(0, limit);
      return { TableNames: page, ...(names.length > limit ? { LastEvaluatedTableName: page[page.length - 1] } : {}) };
    },

    UpdateTimeToLive: ({ TableName, TimeToLiveSpecification: spec }, ctx) => {
      const s = store(ctx);
      const t = getTable(s, TableName, true);
      if (spec.Enabled && t.ttl?.enabled) throw invalid('TimeToLive is already enabled');
      if (!spec.Enabled && !t.ttl?.enabled) throw invalid('TimeToLive is already disabled');
      t.ttl = { attribute: spec.AttributeName, enabled: spec.Enabled };
      s.tables.put(t.name, t);
      return { TimeToLiveSpecification: spec };
    },

    DescribeTimeToLive: ({ TableName }, ctx) => {
      const t = getTable(store(ctx), TableName, true);
      return {
        TimeToLiveDescription: t.ttl?.enabled
          ? { TimeToLiveStatus: 'ENABLED', AttributeName: t.ttl.attribute }
          : { TimeToLiveStatus: 'DISABLED' },
      };
    },

    DescribeContinuousBackups: ({ TableName }, ctx) => {
      const t = getTable(store(ctx), TableName, true);
      return {
        ContinuousBackupsDescription: {
          ContinuousBackupsStatus: 'ENABLED',
          PointInTimeRecoveryDescription: {
            PointInTimeRecoveryStatus: t.pitr ? 'ENABLED' : 'DISABLED',
            ...(t.pitr ? { RecoveryPeriodInDays: 35 } : {}),
          },
        },
      };
    },

    UpdateContinuousBackups: ({ TableName, PointInTimeRecoverySpecification }, ctx) => {
      const s = store(ctx);
      const t = getTable(s, TableName, true);
      t.pitr = PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled;
      s.tables.put(t.name, t);
      return {
        ContinuousBackupsDescription: {
          ContinuousBackupsStatus: 'ENABLED',
          PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: t.pitr ? 'ENABLED' : 'DISABLED' },
        },
      };
    },

    DescribeLimits: () => ({
      AccountMaxReadCapacityUnits: 80000,
      AccountMaxWriteCapacityUnits: 80000,
      TableMaxReadCapacityUnits: 40000,
      TableMaxWriteCapacityUnits: 40000,
    }),

    DescribeEndpoints: (_input, ctx) => ({ Endpoints: [{ Address: `dynamodb.${ctx.region}.amazonaws.com`, CachePeriodInMinutes: 1440 }] }),

    TagResource: ({ ResourceArn, Tags }, ctx) => {
      const s = store(ctx);
      const t = tableByArn(s, ResourceArn);
      for (const tag of Tags) t.tags[tag.Key] = tag.Value;
      s.tables.put(t.name, t);
    },

    UntagResource: ({ ResourceArn, TagKeys }, ctx) => {
      const s = store(ctx);
      const t = tableByArn(s, ResourceArn);
      for (const k of TagKeys) delete t.tags[k];
      s.tables.put(t.name, t);
    },

    ListTagsOfResource: ({ ResourceArn, NextToken }, ctx) => {
      const t = tableByArn(store(ctx), ResourceArn);
      const all = Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value }));
      const start = NextToken ? Number(NextToken) : 0;
      const page = all.slice(start, start + 100);
      return { Tags: page, ...(start + 100 < all.length ? { NextToken: String(start + 100) } : {}) };
    },
  };
}
