// Registries and their schemas (each schema a list of versions), resource policies, tags, search.
import { randomUUID } from 'node:crypto';
import { ServiceError, type RequestContext, type Runtime } from '../../kit.js';
import type { SchemasProvider, Type } from '../../generated/schemas.js';
import { checkContent, ContentError, exportDraft4 } from './infer.js';

export interface RegistryRecord {
  name: string;
  arn: string;
  description?: string;
  tags: Record<string, string>;
  policy?: { text: string; revision: string };
}
export interface SchemaVersion {
  version: string;
  content: string;
  type: Type;
  created: Date;
}
export interface SchemaRecord {
  registry: string;
  name: string;
  arn: string;
  description?: string;
  tags: Record<string, string>;
  versions: SchemaVersion[];
  /** the highest version number given so far (deleted versions are not reused) */
  last: number;
  modified: Date;
}
export interface DiscovererRecord {
  id: string;
  arn: string;
  source: string;
  description?: string;
  state: 'STARTED' | 'STOPPED';
  crossAccount: boolean;
  tags: Record<string, string>;
}

export function schemaStores(rt: Runtime) {
  return rt.shared('schemas/stores', () =>
    rt.stores('schemas', (scope) => ({
      registries: scope.collection<RegistryRecord>('registries'),
      schemas: scope.collection<SchemaRecord>('schemas'),
      discoverers: scope.collection<DiscovererRecord>('discoverers'),
    })),
  );
}
export type SchemaStore = ReturnType<ReturnType<typeof schemaStores>['get']>;

export const err = (code: string, message: string) => new ServiceError(code, message, undefined, { Code: code });
export const notFound = (message: string) => err('NotFoundException', message);
export const DISCOVERED = 'discovered-schemas';

export function registryArn(account: string, region: string, name: string) {
  return `arn:aws:schemas:${region}:${account}:registry/${name}`;
}

/** The registry, created when it is the discoverers' own and missing. */
export function ensureRegistry(store: SchemaStore, account: string, region: string, name: string): RegistryRecord {
  let r = store.registries.get(name);
  if (!r)
    store.registries.put(
      name,
      (r = { name, arn: registryArn(account, region, name), tags: {}, description: 'Schemas discovered from events' }),
    );
  return r;
}

/** Adds a version to a schema (creating the schema), unless its content is the latest one's. */
export function putVersion(
  store: SchemaStore,
  account: string,
  region: string,
  registry: string,
  name: string,
  type: Type,
  content: string,
  now: Date,
  description?: string,
): SchemaRecord {
  const key = `${registry}|${name}`;
  const s = store.schemas.get(key) ?? {
    registry,
    name,
    arn: `arn:aws:schemas:${region}:${account}:schema/${registry}/${name}`,
    tags: {},
    versions: [],
    last: 0,
    modified: now,
  };
  const latest = s.versions.at(-1);
  const next: SchemaRecord = { ...s, description: description ?? s.description, modified: now };
  if (!latest || latest.content !== content || latest.type !== type) {
    next.last = s.last + 1;
    next.versions = [...s.versions, { version: String(s.last + 1), content, type, created: now }];
  }
  store.schemas.put(key, next);
  return next;
}

function page<T>(items: T[], token: string | undefined, limit: number | undefined) {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw err('BadRequestException', 'Invalid NextToken.');
  const end = start + (limit ?? 100);
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

export function registryHandlers(rt: Runtime): SchemasProvider {
  const stores = schemaStores(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const registry = (ctx: RequestContext, name: string) => {
    const r = storeOf(ctx).registries.get(name);
    if (!r) throw notFound(`Registry with name ${name} does not exist.`);
    return r;
  };
  const schema = (ctx: RequestContext, reg: string, name: string) => {
    registry(ctx, reg);
    const s = storeOf(ctx).schemas.get(`${reg}|${name}`);
    if (!s) throw notFound(`Schema with name ${name} does not exist.`);
    return s;
  };
  const version = (s: SchemaRecord, v: string | undefined) => {
    const found = v === undefined ? s.versions.at(-1) : s.versions.find((x) => x.version === v);
    if (!found) throw notFound(`Schema version ${v} of ${s.name} does not exist.`);
    return found;
  };
  const check = (type: string, content: string) => {
    try {
      checkContent(type, content);
    } catch (e) {
      if (e instanceof ContentError) throw err('BadRequestException', e.message);
      throw e;
    }
  };
  const describe = (s: SchemaRecord, v: SchemaVersion) => ({
    Content: v.content,
    Description: s.description,
    LastModified: s.modified,
    SchemaArn: s.arn,
    SchemaName: s.name,
    SchemaVersion: v.version,
    Tags: s.tags,
    Type: v.type,
    VersionCreatedDate: v.created,
  });
  /** The resource an ARN names, for tags. */
  const tagged = (ctx: RequestContext, arn: string): { tags: Record<string, string>; save(t: Record<string, string>): void } => {
    const store = storeOf(ctx);
    const m = /^arn:aws[\w-]*:schemas:[^:]*:\d{12}:(registry|schema|discoverer)\/(.+)$/.exec(arn);
    if (m?.[1] === 'registry') {
      const r = registry(ctx, m[2]);
      return { tags: r.tags, save: (tags) => store.registries.put(r.name, { ...r, tags }) };
    }
    if (m?.[1] === 'schema') {
      const [reg, ...rest] = m[2].split('/');
      const s = schema(ctx, reg, rest.join('/'));
      return { tags: s.tags, save: (tags) => store.schemas.put(`${s.registry}|${s.name}`, { ...s, tags }) };
    }
    if (m?.[1] === 'discoverer') {
      const d = store.discoverers.get(m[2]);
      if (!d) throw notFound(`Discoverer with id ${m[2]} does not exist.`);
      return { tags: d.tags, save: (tags) => store.discoverers.put(d.id, { ...d, tags }) };
    }
    throw notFound(`Resource ${arn} does not exist.`);
  };

  return {
    CreateRegistry: ({ RegistryName, Description, Tags }, ctx) => {
      const store = storeOf(ctx);
      if (store.registries.has(RegistryName)) throw err('ConflictException', `Registry with name ${RegistryName} already exists.`);
      if (RegistryName.startsWith('aws.')) throw err('BadRequestException', 'Registry names starting with aws. are reserved.');
      const r: RegistryRecord = {
        name: RegistryName,
        arn: registryArn(ctx.account, ctx.region, RegistryName),
        description: Description,
        tags: Tags ?? {},
      };
      store.registries.put(RegistryName, r);
      return { RegistryArn: r.arn, RegistryName: r.name, Description: r.description, Tags: r.tags };
    },
    DescribeRegistry: ({ RegistryName }, ctx) => {
      const r = registry(ctx, RegistryName);
      return { RegistryArn: r.arn, RegistryName: r.name, Description: r.description, Tags: r.tags };
    },
    UpdateRegistry: ({ RegistryName, Description }, ctx) => {
      const r = { ...registry(ctx, RegistryName), description: Description };
      storeOf(ctx).registries.put(r.name, r);
      return { RegistryArn: r.arn, RegistryName: r.name, Description: r.description, Tags: r.tags };
    },
    DeleteRegistry: ({ RegistryName }, ctx) => {
      registry(ctx, RegistryName);
      const store = storeOf(ctx);
      store.schemas.clear(`${RegistryName}|`);
      store.registries.delete(RegistryName);
    },
    ListRegistries: ({ RegistryNamePrefix, Scope, NextToken, Limit }, ctx) => {
      const all = Scope === 'AWS' ? [] : [...storeOf(ctx).registries.scan({ prefix: RegistryNamePrefix ?? '' })].map(([, r]) => r);
      const { items, next } = page(all, NextToken, Limit);
      return { Registries: items.map((r) => ({ RegistryArn: r.arn, RegistryName: r.name, Tags: r.tags })), NextToken: next };
    },

    CreateSchema: ({ RegistryName, SchemaName, Type, Content, Description, Tags }, ctx) => {
      registry(ctx, RegistryName);
      const store = storeOf(ctx);
      if (store.schemas.has(`${RegistryName}|${SchemaName}`))
        throw err('ConflictException', `Schema with name ${SchemaName} already exists.`);
      check(Type, Content);
      const s = putVersion(store, ctx.account, ctx.region, RegistryName, SchemaName, Type, Content, ctx.clock.now(), Description);
      if (Tags) store.schemas.put(`${RegistryName}|${SchemaName}`, { ...s, tags: Tags });
      const v = s.versions.at(-1)!;
      return {
        Description: s.description,
        LastModified: s.modified,
        SchemaArn: s.arn,
        SchemaName: s.name,
        SchemaVersion: v.version,
        Tags: Tags ?? {},
        Type: v.type,
        VersionCreatedDate: v.created,
      };
    },
    DescribeSchema: ({ RegistryName, SchemaName, SchemaVersion }, ctx) => {
      const s = schema(ctx, RegistryName, SchemaName);
      return describe(s, version(s, SchemaVersion));
    },
    UpdateSchema: ({ RegistryName, SchemaName, Content, Description, Type }, ctx) => {
      const s = schema(ctx, RegistryName, SchemaName);
      const latest = s.versions.at(-1)!;
      const type = Type ?? latest.type;
      if (Content !== undefined) check(type, Content);
      const next = putVersion(
        storeOf(ctx),
        ctx.account,
        ctx.region,
        RegistryName,
        SchemaName,
        type,
        Content ?? latest.content,
        ctx.clock.now(),
        Description,
      );
      return describe(next, next.versions.at(-1)!);
    },
    DeleteSchema: ({ RegistryName, SchemaName }, ctx) => {
      schema(ctx, RegistryName, SchemaName);
      storeOf(ctx).schemas.delete(`${RegistryName}|${SchemaName}`);
    },
    DeleteSchemaVersion: ({ RegistryName, SchemaName, SchemaVersion }, ctx) => {
      const s = schema(ctx, RegistryName, SchemaName);
      version(s, SchemaVersion);
      const versions = s.versions.filter((v) => v.version !== SchemaVersion);
      if (!versions.length) throw err('BadRequestException', 'The only version of a schema cannot be deleted; delete the schema.');
      storeOf(ctx).schemas.put(`${RegistryName}|${SchemaName}`, { ...s, versions });
    },
    ListSchemas: ({ RegistryName, SchemaNamePrefix, NextToken, Limit }, ctx) => {
      registry(ctx, RegistryName);
      const all = [...storeOf(ctx).schemas.scan({ prefix: `${RegistryName}|${SchemaNamePrefix ?? ''}` })].map(([, s]) => s);
      const { items, next } = page(all, NextToken, Limit);
      return {
        Schemas: items.map((s) => ({
          LastModified: s.modified,
          SchemaArn: s.arn,
          SchemaName: s.name,
          Tags: s.tags,
          VersionCount: s.versions.length,
        })),
        NextToken: next,
      };
    },
    ListSchemaVersions: ({ RegistryName, SchemaName, NextToken, Limit }, ctx) => {
      const s = schema(ctx, RegistryName, SchemaName);
      const { items, next } = page(s.versions, NextToken, Limit);
      return {
        SchemaVersions: items.map((v) => ({ SchemaArn: s.arn, SchemaName: s.name, SchemaVersion: v.version, Type: v.type })),
        NextToken: next,
      };
    },
    SearchSchemas: ({ RegistryName, Keywords, NextToken, Limit }, ctx) => {
      registry(ctx, RegistryName);
      const words = Keywords.toLowerCase().split(/\s+/).filter(Boolean);
      const all = [...storeOf(ctx).schemas.scan({ prefix: `${RegistryName}|` })]
        .map(([, s]) => s)
        .filter((s) => words.some((w) => s.name.toLowerCase().includes(w) || s.versions.some((v) => v.content.toLowerCase().includes(w))));
      const { items, next } = page(all, NextToken, Limit);
      return {
        Schemas: items.map((s) => ({
          RegistryName: s.registry,
          SchemaArn: s.arn,
          SchemaName: s.name,
          SchemaVersions: s.versions.map((v) => ({ CreatedDate: v.created, SchemaVersion: v.version, Type: v.type })),
        })),
        NextToken: next,
      };
    },
    ExportSchema: ({ RegistryName, SchemaName, SchemaVersion, Type }, ctx) => {
      const s = schema(ctx, RegistryName, SchemaName);
      const v = version(s, SchemaVersion);
      if (Type !== 'JSONSchemaDraft4') throw err('BadRequestException', `Export to ${Type} is not supported.`);
      const content = v.type === 'JSONSchemaDraft4' ? v.content : exportDraft4(v.content);
      return { Content: content, SchemaArn: s.arn, SchemaName: s.name, SchemaVersion: v.version, Type };
    },

    PutResourcePolicy: ({ Policy, RegistryName, RevisionId }, ctx) => {
      const r = registry(ctx, RegistryName ?? DISCOVERED);
      if (RevisionId !== undefined && r.policy && r.policy.revision !== RevisionId)
        throw err('PreconditionFailedException', 'The revision id does not match the current policy.');
      try {
        JSON.parse(Policy);
      } catch {
        throw err('BadRequestException', 'The policy is not valid JSON.');
      }
      const policy = { text: Policy, revision: randomUUID() };
      storeOf(ctx).registries.put(r.name, { ...r, policy });
      return { Policy: policy.text, RevisionId: policy.revision };
    },
    GetResourcePolicy: ({ RegistryName }, ctx) => {
      const r = registry(ctx, RegistryName ?? DISCOVERED);
      if (!r.policy) throw notFound(`Resource policy of registry ${r.name} does not exist.`);
      return { Policy: r.policy.text, RevisionId: r.policy.revision };
    },
    DeleteResourcePolicy: ({ RegistryName }, ctx) => {
      const r = registry(ctx, RegistryName ?? DISCOVERED);
      if (!r.policy) throw notFound(`Resource policy of registry ${r.name} does not exist.`);
      storeOf(ctx).registries.put(r.name, { ...r, policy: undefined });
    },

    TagResource: ({ ResourceArn, Tags }, ctx) => {
      const t = tagged(ctx, ResourceArn);
      t.save({ ...t.tags, ...Tags });
    },
    UntagResource: ({ ResourceArn, TagKeys }, ctx) => {
      const t = tagged(ctx, ResourceArn);
      t.save(Object.fromEntries(Object.entries(t.tags).filter(([k]) => !TagKeys.includes(k))));
    },
    ListTagsForResource: ({ ResourceArn }, ctx) => ({ Tags: tagged(ctx, ResourceArn).tags }),
  };
}
