// Topics: CreateTopic (idempotent for the same attributes and tags), attributes, ListTopics,
// DeleteTopic, permissions, data protection policies and tags.
import { ServiceError } from '../../kit.js';
import type { RequestContext } from '../../kit.js';
import type { SnsProvider } from '../../generated/sns.js';
import { topicArn as makeTopicArn, topicAttributes, defaultPolicy, parseTopicArn } from './model.js';
import type { SnsState } from './store.js';
import {
  PAGE,
  boolAttr,
  checkJson,
  checkTags,
  checkTopicAttribute,
  checkTopicName,
  decodeToken,
  dedupeTags,
  encodeToken,
  invalid,
} from './validate.js';

type Handlers = Pick<
  SnsProvider,
  | 'CreateTopic'
  | 'GetTopicAttributes'
  | 'SetTopicAttributes'
  | 'ListTopics'
  | 'DeleteTopic'
  | 'AddPermission'
  | 'RemovePermission'
  | 'GetDataProtectionPolicy'
  | 'PutDataProtectionPolicy'
  | 'TagResource'
  | 'UntagResource'
  | 'ListTagsForResource'
>;

export function topicHandlers(s: SnsState): Handlers {
  const { rt } = s;

  function taggable(arn: string, ctx: RequestContext) {
    try {
      return s.getTopic(arn, ctx, 'ResourceArn');
    } catch (e) {
      if (e instanceof ServiceError && e.code === 'NotFound') throw new ServiceError('ResourceNotFound', 'Resource does not exist');
      throw e;
    }
  }

  return {
    CreateTopic: ({ Name, Attributes = {}, Tags, DataProtectionPolicy }, ctx) => {
      const fifo = boolAttr(Attributes.FifoTopic ?? 'false');
      checkTopicName(Name, fifo);
      for (const [k, v] of Object.entries(Attributes)) checkTopicAttribute(k, v, fifo, true);
      checkTags(Tags ?? []);
      const attributes = { ...Attributes };
      delete attributes.FifoTopic;
      if (DataProtectionPolicy !== undefined) attributes.DataProtectionPolicy = DataProtectionPolicy;
      const store = s.store(ctx.account, ctx.region);
      const arn = makeTopicArn(ctx.region, ctx.account, Name);
      return rt.engine.transaction(() => {
        const existing = store.topics.get(Name);
        if (existing) {
          // CreateTopic is idempotent for the same name and settings
          const differs = Object.entries(attributes).some(
            ([k, v]) => (existing.attributes[k] ?? (k === 'Policy' ? defaultPolicy(existing) : undefined)) !== v,
          );
          if (differs) throw invalid('Attributes Reason: Topic already exists with different attributes');
          const tagsDiffer = (Tags ?? []).some((t) => !existing.tags.some((e) => e.Key === t.Key && e.Value === t.Value));
          if (tagsDiffer) throw invalid('Tags Reason: Topic already exists with different tags');
          return { TopicArn: existing.arn };
        }
        store.topics.put(Name, {
          arn,
          name: Name,
          owner: ctx.account,
          fifo,
          attributes,
          tags: dedupeTags([], Tags ?? []),
          deleted: 0,
          seq: 0,
        });
        return { TopicArn: arn };
      });
    },

    GetTopicAttributes: ({ TopicArn }, ctx) => {
      const { store, topic } = s.getTopic(TopicArn, ctx);
      return { Attributes: topicAttributes(topic, s.subsOf(store, topic)) };
    },

    SetTopicAttributes: ({ TopicArn, AttributeName, AttributeValue = '' }, ctx) => {
      const { store, topic } = s.getTopic(TopicArn, ctx);
      checkTopicAttribute(AttributeName, AttributeValue, topic.fifo, false);
      if (AttributeValue === '' && AttributeName !== 'DisplayName') delete topic.attributes[AttributeName];
      else topic.attributes[AttributeName] = AttributeValue;
      store.topics.put(topic.name, topic);
    },

    ListTopics: ({ NextToken }, ctx) => {
      const store = s.store(ctx.account, ctx.region);
      const page = [...store.topics.scan({ after: decodeToken(NextToken), limit: PAGE + 1 })];
      const more = page.length > PAGE;
      const items = page.slice(0, PAGE);
      return {
        Topics: items.map(([, t]) => ({ TopicArn: t.arn })),
        ...(more ? { NextToken: encodeToken(items[items.length - 1][0]) } : {}),
      };
    },

    DeleteTopic: ({ TopicArn }, ctx) => {
      const ref = parseTopicArn(TopicArn);
      if (ref.region !== ctx.region) throw invalid('TopicArn');
      const store = s.store(ref.account, ref.region);
      // deleting a topic that does not exist is not an error
      rt.engine.transaction(() => {
        for (const [k, sub] of [...store.subs.scan({ prefix: ref.name + '/' })]) {
          store.tokens.delete(sub.token);
          store.subs.delete(k);
        }
        store.dedup.clear(ref.name + '/');
        store.topics.delete(ref.name);
      });
    },

    AddPermission: ({ TopicArn, Label, AWSAccountId, ActionName }, ctx) => {
      const { store, topic } = s.getTopic(TopicArn, ctx);
      const policy = JSON.parse(topic.attributes.Policy ?? defaultPolicy(topic)) as { Statement: Array<{ Sid?: string }> };
      if (policy.Statement.some((st) => st.Sid === Label)) throw invalid('Statement already exists');
      if (!ActionName.length || !AWSAccountId.length) throw invalid(!ActionName.length ? 'ActionName' : 'AWSAccountId');
      policy.Statement.push({
        Sid: Label,
        Effect: 'Allow',
        Principal: {
          AWS: AWSAccountId.length === 1 ? `arn:aws:iam::${AWSAccountId[0]}:root` : AWSAccountId.map((a) => `arn:aws:iam::${a}:root`),
        },
        Action: ActionName.length === 1 ? `SNS:${ActionName[0]}` : ActionName.map((a) => `SNS:${a}`),
        Resource: topic.arn,
      } as { Sid: string });
      topic.attributes.Policy = JSON.stringify(policy);
      store.topics.put(topic.name, topic);
    },

    RemovePermission: ({ TopicArn, Label }, ctx) => {
      const { store, topic } = s.getTopic(TopicArn, ctx);
      const policy = JSON.parse(topic.attributes.Policy ?? defaultPolicy(topic)) as { Statement: Array<{ Sid?: string }> };
      policy.Statement = policy.Statement.filter((st) => st.Sid !== Label);
      topic.attributes.Policy = JSON.stringify(policy);
      store.topics.put(topic.name, topic);
    },

    GetDataProtectionPolicy: ({ ResourceArn }, ctx) => {
      const { topic } = s.getTopic(ResourceArn, ctx, 'ResourceArn');
      return { DataProtectionPolicy: topic.attributes.DataProtectionPolicy ?? '' };
    },

    PutDataProtectionPolicy: ({ ResourceArn, DataProtectionPolicy }, ctx) => {
      const { store, topic } = s.getTopic(ResourceArn, ctx, 'ResourceArn');
      checkJson('DataProtectionPolicy', DataProtectionPolicy);
      topic.attributes.DataProtectionPolicy = DataProtectionPolicy;
      store.topics.put(topic.name, topic);
    },

    TagResource: ({ ResourceArn, Tags }, ctx) => {
      const { store, topic } = taggable(ResourceArn, ctx);
      checkTags(Tags);
      const tags = dedupeTags(topic.tags, Tags);
      if (tags.length > 50) throw new ServiceError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded');
      topic.tags = tags;
      store.topics.put(topic.name, topic);
      return {};
    },

    UntagResource: ({ ResourceArn, TagKeys }, ctx) => {
      const { store, topic } = taggable(ResourceArn, ctx);
      topic.tags = topic.tags.filter((t) => !TagKeys.includes(t.Key));
      store.topics.put(topic.name, topic);
      return {};
    },

    ListTagsForResource: ({ ResourceArn }, ctx) => ({ Tags: taggable(ResourceArn, ctx).topic.tags }),
  };
}
