// Tags of alarms, metric streams and Contributor Insights rules: TagResource, UntagResource,
// ListTagsForResource by the resource's ARN.
import { ServiceError, type Stores, type RequestContext } from '../../kit.js';
import type { CloudwatchProvider } from '../../generated/cloudwatch.js';
import type { CloudWatchStore } from './store.js';

interface Tagged {
  tags: Record<string, string>;
  save(tags: Record<string, string>): void;
}

export function tagHandlers(stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  const find = (ctx: RequestContext, arn: string): Tagged => {
    const m = /^arn:aws[a-z-]*:cloudwatch:([^:]+):(\d{12}):(alarm:|metric-stream\/|insight-rule\/)(.+)$/.exec(arn);
    if (!m) throw new ServiceError('InvalidParameterValue', `The value ${arn} for parameter ResourceARN is invalid.`, 400);
    const [, region, account, kind, name] = m;
    const store = stores.get(account, region);
    const mine = account === ctx.account;
    const missing = (type: string) =>
      new ServiceError('ResourceNotFoundException', `${type} ${name} does not exist.`, 404, { ResourceType: type, ResourceId: name });
    if (kind === 'alarm:') {
      const a = mine ? store.alarms.get(name) : undefined;
      if (!a) throw missing('Alarm');
      return { tags: a.tags ?? {}, save: (tags) => store.alarms.put(name, { ...a, tags }) };
    }
    if (kind === 'metric-stream/') {
      const s = mine ? store.streams.get(name) : undefined;
      if (!s) throw missing('MetricStream');
      return { tags: s.tags, save: (tags) => store.streams.put(name, { ...s, tags }) };
    }
    const r = mine ? store.insightRules.get(name) : undefined;
    if (!r) throw missing('InsightRule');
    return { tags: r.tags, save: (tags) => store.insightRules.put(name, { ...r, tags }) };
  };
  return {
    TagResource: (input, ctx) => {
      const t = find(ctx, input.ResourceARN);
      const tags = { ...t.tags, ...Object.fromEntries(input.Tags.map((x) => [x.Key, x.Value])) };
      if (Object.keys(tags).length > 50)
        throw new ServiceError('LimitExceededException', 'The maximum number of tags for a resource is 50.', 400);
      t.save(tags);
      return {};
    },
    UntagResource: (input, ctx) => {
      const t = find(ctx, input.ResourceARN);
      const tags = { ...t.tags };
      input.TagKeys.forEach((k) => delete tags[k]);
      t.save(tags);
      return {};
    },
    ListTagsForResource: (input, ctx) => {
      const t = find(ctx, input.ResourceARN);
      return { Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) };
    },
  };
}
