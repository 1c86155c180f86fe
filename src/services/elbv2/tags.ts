// Tags on load balancers, target groups, listeners and rules (by ARN), and the account limits.
import { ServiceError, type RequestContext } from '../../kit.js';
import type { Elbv2Provider } from '../../generated/elbv2.js';
import { ElbState, tagList, tagsOf, validation, type Tags } from './store.js';

type Tagged = { arn: string; tags: Tags };

export function tagHandlers(s: ElbState): Partial<Elbv2Provider> {
  const resource = (ctx: RequestContext, arn: string): { rec: Tagged; save: () => void } => {
    const store = s.store(ctx);
    for (const c of [store.lbs, store.tgs, store.listeners, store.rules] as {
      get(k: string): Tagged | undefined;
      put(k: string, v: Tagged): void;
    }[]) {
      const rec = c.get(arn);
      if (rec) return { rec, save: () => c.put(arn, rec) };
    }
    if (arn.includes(':targetgroup/')) throw new ServiceError('TargetGroupNotFound', `Target groups '${arn}' not found`, 400);
    if (arn.includes(':listener-rule/')) throw new ServiceError('RuleNotFound', `One or more rules not found`, 400);
    if (arn.includes(':listener/')) throw new ServiceError('ListenerNotFound', `Listener '${arn}' not found`, 400);
    if (arn.includes(':loadbalancer/')) throw new ServiceError('LoadBalancerNotFound', `Load balancer '${arn}' not found`, 400);
    throw validation(`'${arn}' is not a valid Elastic Load Balancing resource ARN`);
  };
  return {
    AddTags: (input, ctx) => {
      const add = tagsOf(input.Tags);
      if (!Object.keys(add).length) throw validation('At least one tag must be specified');
      for (const arn of input.ResourceArns ?? []) {
        const { rec, save } = resource(ctx, arn);
        const merged = { ...rec.tags, ...add };
        if (Object.keys(merged).length > 50)
          throw new ServiceError(
            'TooManyTags',
            `The quota for the number of tags that can be assigned to a load balancer has been reached`,
            400,
          );
        rec.tags = merged;
        save();
      }
      return {};
    },
    RemoveTags: (input, ctx) => {
      for (const arn of input.ResourceArns ?? []) {
        const { rec, save } = resource(ctx, arn);
        for (const k of input.TagKeys ?? []) delete rec.tags[k];
        save();
      }
      return {};
    },
    DescribeTags: (input, ctx) => {
      if ((input.ResourceArns ?? []).length > 20) throw validation('You can specify up to 20 resource ARNs');
      return {
        TagDescriptions: (input.ResourceArns ?? []).map((arn) => ({ ResourceArn: arn, Tags: tagList(resource(ctx, arn).rec.tags) })),
      };
    },
    DescribeAccountLimits: () => ({
      Limits: [
        ['application-load-balancers', '50'],
        ['target-groups', '3000'],
        ['targets-per-application-load-balancer', '1000'],
        ['listeners-per-application-load-balancer', '50'],
        ['rules-per-application-load-balancer', '100'],
        ['network-load-balancers', '50'],
        ['targets-per-network-load-balancer', '3000'],
        ['listeners-per-network-load-balancer', '50'],
        ['condition-values-per-alb-rule', '5'],
        ['condition-wildcards-per-alb-rule', '5'],
        ['target-groups-per-application-load-balancer', '100'],
        ['target-groups-per-action-on-application-load-balancer', '5'],
      ].map(([Name, Max]) => ({ Name, Max })),
    }),
  };
}
