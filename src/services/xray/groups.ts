// Groups (a name and a filter expression; the Default group exists), encryption settings, tags of
// groups and sampling rules.
import { randomBytes } from 'node:crypto';
import { ServiceError, type RequestContext, type Runtime } from '../../kit.js';
import type { Group, Tag, XrayProvider } from '../../generated/xray.js';
import { xrayStores, type GroupRecord, type XrayStore } from './store.js';
import { FilterError, parseFilter } from './filter.js';
import { rulesOf } from './sampling.js';

const invalid = (message: string) => new ServiceError('InvalidRequestException', message, 400);

/** Parses a filter expression as the API does: InvalidRequestException when X-Ray would refuse it. */
export function filterOf(expr: string) {
  try {
    return parseFilter(expr);
  } catch (e) {
    if (e instanceof FilterError) throw invalid(`Invalid filter expression: ${e.message}`);
    throw e;
  }
}

const shape = (g: GroupRecord): Group => ({
  GroupName: g.name,
  GroupARN: g.arn,
  FilterExpression: g.filter,
  InsightsConfiguration: g.insights ?? { InsightsEnabled: false, NotificationsEnabled: false },
});

export function groupsOf(store: XrayStore): GroupRecord[] {
  if (!store.groups.has('Default'))
    store.groups.put('Default', {
      name: 'Default',
      arn: `arn:aws:xray:${store.scope.region}:${store.scope.account}:group/Default`,
      tags: [],
    });
  return [...store.groups.scan({})].map(([, g]) => g);
}

/** A group by name or ARN; InvalidRequestException when there is none. */
export function findGroup(store: XrayStore, name?: string, arn?: string): GroupRecord {
  groupsOf(store);
  const g = name ? store.groups.get(name) : groupsOf(store).find((x) => x.arn === arn);
  if (!name && !arn) throw invalid('Either GroupName or GroupARN must be specified.');
  if (!g) throw invalid('Group not found');
  return g;
}

export function groupHandlers(rt: Runtime): XrayProvider {
  const stores = xrayStores(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const tagged = (ctx: RequestContext, arn: string): { tags: Tag[]; save(tags: Tag[]): void } => {
    const store = storeOf(ctx);
    const rule = /:sampling-rule\/(.+)$/.exec(arn)?.[1];
    if (rule) {
      rulesOf(store, ctx.clock.nowMs());
      const r = store.rules.get(rule);
      if (r) return { tags: r.tags, save: (tags) => store.rules.put(rule, { ...r, tags }) };
    }
    const g = groupsOf(store).find((x) => x.arn === arn);
    if (g) return { tags: g.tags, save: (tags) => store.groups.put(g.name, { ...g, tags }) };
    throw new ServiceError('ResourceNotFoundException', `Resource ${arn} not found.`, 404);
  };
  return {
    CreateGroup: ({ GroupName, FilterExpression, InsightsConfiguration, Tags }, ctx) => {
      const store = storeOf(ctx);
      groupsOf(store);
      if (store.groups.has(GroupName)) throw invalid('Group already exists');
      if (FilterExpression !== undefined) filterOf(FilterExpression);
      const arn = `arn:aws:xray:${ctx.region}:${ctx.account}:group/${GroupName}/${randomBytes(20).toString('base64url').toUpperCase().slice(0, 26)}`;
      const g: GroupRecord = { name: GroupName, arn, filter: FilterExpression, insights: InsightsConfiguration, tags: Tags ?? [] };
      store.groups.put(GroupName, g);
      return { Group: shape(g) };
    },
    GetGroup: ({ GroupName, GroupARN }, ctx) => ({ Group: shape(findGroup(storeOf(ctx), GroupName, GroupARN)) }),
    GetGroups: (_i, ctx) => ({ Groups: groupsOf(storeOf(ctx)).map(shape) }),
    UpdateGroup: ({ GroupName, GroupARN, FilterExpression, InsightsConfiguration }, ctx) => {
      const store = storeOf(ctx);
      const g = findGroup(store, GroupName, GroupARN);
      if (FilterExpression !== undefined) filterOf(FilterExpression);
      const next = { ...g, filter: FilterExpression ?? g.filter, insights: InsightsConfiguration ?? g.insights };
      store.groups.put(g.name, next);
      return { Group: shape(next) };
    },
    DeleteGroup: ({ GroupName, GroupARN }, ctx) => {
      const store = storeOf(ctx);
      const g = findGroup(store, GroupName, GroupARN);
      if (g.name === 'Default') throw invalid('The Default group cannot be deleted.');
      store.groups.delete(g.name);
      return {};
    },
    PutEncryptionConfig: ({ KeyId, Type }, ctx) => {
      if (Type === 'KMS' && !KeyId) throw invalid('KeyId is required when Type is KMS.');
      let keyArn: string | undefined;
      if (Type === 'KMS') {
        const kms = rt.integrations.kms;
        try {
          keyArn = kms ? kms.describeKey(ctx.account, ctx.region, KeyId!).arn : KeyId;
        } catch (e) {
          if (e instanceof ServiceError) throw invalid(`Key ${KeyId} is not a valid KMS key.`);
          throw e;
        }
      }
      const config = { Type, KeyId: keyArn, Status: 'ACTIVE' as const };
      storeOf(ctx).settings.put('encryption', config);
      return { EncryptionConfig: config };
    },
    GetEncryptionConfig: (_i, ctx) => ({ EncryptionConfig: storeOf(ctx).settings.get('encryption') ?? { Type: 'NONE', Status: 'ACTIVE' } }),
    TagResource: ({ ResourceARN, Tags }, ctx) => {
      const r = tagged(ctx, ResourceARN);
      const merged = new Map(r.tags.map((t) => [t.Key, t.Value]));
      for (const t of Tags) merged.set(t.Key, t.Value);
      r.save([...merged].map(([Key, Value]) => ({ Key, Value })));
      return {};
    },
    UntagResource: ({ ResourceARN, TagKeys }, ctx) => {
      const r = tagged(ctx, ResourceARN);
      r.save(r.tags.filter((t) => !TagKeys.includes(t.Key)));
      return {};
    },
    ListTagsForResource: ({ ResourceARN }, ctx) => ({ Tags: tagged(ctx, ResourceARN).tags }),
  };
}
