// Queues: CreateQueue (idempotent for the same attributes; a deleted name waits 60 seconds),
// GetQueueUrl, ListQueues, DeleteQueue, PurgeQueue, tags and ListDeadLetterSourceQueues.
import { randomBytes } from 'node:crypto';
import { ServiceError } from '../../kit.js';
import type { SqsProvider } from '../../generated/sqs.js';
import type { QueueRecord } from './queue.js';
import { type SqsState, noQueue } from './store.js';
import { checkInt, defaultAttributes, invalidParameter, missingParameter } from './attributes.js';
import { checkQueueName, token, untoken } from './validate.js';
import { settle } from './policies.js';

const NAME_REUSE_MS = 60_000;
const PURGE_INTERVAL_MS = 60_000;

type Handlers = Pick<
  SqsProvider,
  | 'CreateQueue'
  | 'GetQueueUrl'
  | 'ListQueues'
  | 'DeleteQueue'
  | 'PurgeQueue'
  | 'TagQueue'
  | 'UntagQueue'
  | 'ListQueueTags'
  | 'ListDeadLetterSourceQueues'
>;

export function queueHandlers(s: SqsState): Handlers {
  const { rt } = s;
  return {
    CreateQueue: ({ QueueName, Attributes = {}, tags }, ctx) => {
      if (QueueName === undefined) throw missingParameter('QueueName');
      const fifo = checkQueueName(QueueName, Attributes);
      const attrs = settle(s, Attributes, fifo, ctx.account, ctx.region, QueueName, true);
      for (const k of ['Policy', 'RedrivePolicy']) if (attrs[k] === '') delete attrs[k];
      const existing = s.lookup(ctx.account, ctx.region, QueueName);
      if (existing) {
        for (const [k, v] of Object.entries(attrs)) {
          if ((existing.rec.attributes[k] ?? '') !== v) {
            throw new ServiceError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${k}`);
          }
        }
        return { QueueUrl: s.urlOf(existing.rec, ctx) };
      }
      const now = rt.clock.nowMs();
      const deleted = s.store(ctx.account, ctx.region).deleted;
      const deletedMs = deleted.get(QueueName);
      if (deletedMs !== undefined && now - deletedMs < NAME_REUSE_MS) {
        throw new ServiceError(
          'QueueDeletedRecently',
          'You must wait 60 seconds after deleting a queue before you can create another with the same name.',
        );
      }
      if (deletedMs !== undefined) deleted.delete(QueueName);
      const rec: QueueRecord = {
        name: QueueName,
        account: ctx.account,
        region: ctx.region,
        incarnation: randomBytes(8).toString('hex'),
        attributes: { ...defaultAttributes(fifo, attrs), ...attrs },
        tags: tags ?? {},
        createdMs: now,
        modifiedMs: now,
      };
      s.store(ctx.account, ctx.region).queues.put(QueueName, rec);
      return { QueueUrl: s.urlOf(rec, ctx) };
    },

    GetQueueUrl: ({ QueueName, QueueOwnerAWSAccountId }, ctx) => {
      if (QueueName === undefined) throw missingParameter('QueueName');
      const q = s.lookup(QueueOwnerAWSAccountId ?? ctx.account, ctx.region, QueueName);
      if (!q) throw noQueue(ctx);
      return { QueueUrl: s.urlOf(q.rec, ctx) };
    },

    ListQueues: ({ QueueNamePrefix, NextToken, MaxResults }, ctx) => {
      checkInt(MaxResults, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000.');
      if (NextToken !== undefined && MaxResults === undefined)
        throw invalidParameter('MaxResults is a mandatory parameter when you provide a value for NextToken.');
      const limit = MaxResults ?? 1000;
      const names: string[] = [];
      for (const [name] of s
        .store(ctx.account, ctx.region)
        .queues.scan({ prefix: QueueNamePrefix, after: untoken(NextToken), limit: limit + 1 }))
        names.push(name);
      const more = MaxResults !== undefined && names.length > limit;
      const page = names.slice(0, limit);
      return {
        ...(page.length ? { QueueUrls: page.map((name) => s.urlOf({ account: ctx.account, name }, ctx)) } : {}),
        ...(more ? { NextToken: token(page[page.length - 1]) } : {}),
      };
    },

    DeleteQueue: ({ QueueUrl }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      s.tx(() => {
        const store = s.store(q.rec.account, q.rec.region);
        store.queues.delete(q.rec.name);
        store.deleted.put(q.rec.name, rt.clock.nowMs());
        q.drop();
      });
    },

    PurgeQueue: ({ QueueUrl }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      const now = rt.clock.nowMs();
      if (q.rec.purgedMs !== undefined && now - q.rec.purgedMs < PURGE_INTERVAL_MS) {
        throw new ServiceError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${q.rec.name} is allowed every 60 seconds.`);
      }
      s.tx(() => {
        q.purge();
        s.touch(q, (rec) => (rec.purgedMs = now));
      });
    },

    TagQueue: ({ QueueUrl, Tags }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      if (!Tags || Object.keys(Tags).length === 0) throw missingParameter('Tags');
      const count = Object.keys({ ...q.rec.tags, ...Tags }).length;
      if (count > 50) throw invalidParameter(`Too many tags added for queue ${q.rec.name}.`);
      s.touch(q, (rec) => Object.assign(rec.tags, Tags));
    },

    UntagQueue: ({ QueueUrl, TagKeys }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      if (!TagKeys || TagKeys.length === 0) throw missingParameter('TagKeys');
      s.touch(q, (rec) => TagKeys.forEach((k) => delete rec.tags[k]));
    },

    ListQueueTags: ({ QueueUrl }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      return Object.keys(q.rec.tags).length ? { Tags: q.rec.tags } : {};
    },

    ListDeadLetterSourceQueues: ({ QueueUrl, NextToken, MaxResults }, ctx) => {
      const dlq = s.queueOf(QueueUrl, ctx);
      checkInt(MaxResults, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000.');
      const limit = MaxResults ?? 1000;
      const names: string[] = [];
      for (const [name, rec] of s.store(dlq.rec.account, dlq.rec.region).queues.scan({ after: untoken(NextToken) })) {
        const p = rec.attributes.RedrivePolicy;
        if (p && JSON.parse(p).deadLetterTargetArn === dlq.arn) names.push(name);
        if (names.length > limit) break;
      }
      const page = names.slice(0, limit);
      return {
        queueUrls: page.map((name) => s.urlOf({ account: dlq.rec.account, name }, ctx)),
        ...(MaxResults !== undefined && names.length > limit ? { NextToken: token(page[page.length - 1]) } : {}),
      };
    },
  };
}
