// Tags on parameters: AddTagsToResource, RemoveTagsFromResource, ListTagsForResource (ResourceType
// Parameter; the other taggable SSM resources are not served).
import { ServiceError, type RequestContext } from '../../kit.js';
import type { SsmProvider } from '../../generated/ssm.js';
import type { Catalog } from './catalog.js';
import type { ParameterRecord } from './store.js';
import { parseSelector } from './validate.js';

const MAX_TAGS = 50;

export function checkTags(tags: { Key: string; Value: string }[]): void {
  if (new Set(tags.map((t) => t.Key)).size > MAX_TAGS)
    throw new ServiceError('TooManyTagsError', 'The Tags parameter contains too many tags.', 400);
  for (const t of tags)
    if (/^aws:/i.test(t.Key)) throw new ServiceError('InvalidParameters', 'Tag keys prefixed with aws: are reserved for use by AWS.', 400);
}

export function tagHandlers(catalog: Catalog): Partial<SsmProvider> {
  function target(ctx: RequestContext, type: string, id: string): ParameterRecord {
    if (type !== 'Parameter') throw new ServiceError('InvalidResourceType', 'The resource type is not valid.', 400);
    const { name } = parseSelector(id);
    const rec = catalog.stores.get(ctx.account, ctx.region).parameters.get(name);
    if (!rec)
      throw new ServiceError(
        'InvalidResourceId',
        'The resource ID is not valid. Verify that you entered the correct ID and try again.',
        400,
      );
    return rec;
  }
  const save = (ctx: RequestContext, rec: ParameterRecord) => catalog.stores.get(ctx.account, ctx.region).parameters.put(rec.name, rec);

  return {
    AddTagsToResource: (input, ctx) => {
      const rec = target(ctx, input.ResourceType, input.ResourceId);
      const added = input.Tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
      const tags = [...rec.tags.filter((t) => !added.some((a) => a.Key === t.Key)), ...added];
      checkTags(tags);
      save(ctx, { ...rec, tags });
      return {};
    },
    RemoveTagsFromResource: (input, ctx) => {
      const rec = target(ctx, input.ResourceType, input.ResourceId);
      save(ctx, { ...rec, tags: rec.tags.filter((t) => !input.TagKeys.includes(t.Key)) });
      return {};
    },
    ListTagsForResource: (input, ctx) => ({ TagList: target(ctx, input.ResourceType, input.ResourceId).tags }),
  };
}
