// Tags of alarms: TagResource, UntagResource, ListTagsForResource by alarm ARN.
import { ServiceError, type Stores, type RequestContext } from '../../kit.js';
import type { CloudwatchProvider } from '../../generated/cloudwatch.js';
import type { CloudWatchStore, AlarmRecord } from './store.js';

export function tagHandlers(stores: Stores<CloudWatchStore>): Partial<CloudwatchProvider> {
  const find = (ctx: RequestContext, arn: string): [CloudWatchStore, AlarmRecord] => {
    const m = /^arn:aws[a-z-]*:cloudwatch:([^:]+):(\d{12}):alarm:(.+)$/.exec(arn);
    if (!m) throw new ServiceError('InvalidParameterValue', `The value ${arn} for parameter ResourceARN is invalid.`, 400);
    const store = stores.get(m[2], m[1]);
    const a = m[2] === ctx.account ? store.alarms.get(m[3]) : undefined;
    if (!a) throw new ServiceError('ResourceNotFoundException', `Alarm ${m[3]} does not exist.`, 404, { ResourceType: 'Alarm', ResourceId: m[3] });
    return [store, a];
  };
  return {
    TagResource: (input, ctx) => {
      const [store, a] = find(ctx, input.ResourceARN);
      const tags = { ...a.tags, ...Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])) };
      if (Object.keys(tags).length > 50) throw new ServiceError('LimitExceededException', 'The maximum number of tags for a resource is 50.', 400);
      store.alarms.put(a.AlarmName, { ...a, tags });
      return {};
    },
    UntagResource: (input, ctx) => {
      const [store, a] = find(ctx, input.ResourceARN);
      const tags = { ...a.tags };
      input.TagKeys.forEach((k) => delete tags[k]);
      store.alarms.put(a.AlarmName, { ...a, tags });
      return {};
    },
    ListTagsForResource: (input, ctx) => {
      const [, a] = find(ctx, input.ResourceARN);
      return { Tags: Object.entries(a.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
    },
  };
}
