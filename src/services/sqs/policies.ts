// Queue attributes and policies: GetQueueAttributes, SetQueueAttributes (redrive and redrive-allow
// policies checked against the queues they name), AddPermission and RemovePermission.
import { ServiceError } from '../../kit.js';
import type { SqsProvider } from '../../generated/sqs.js';
import type { Queue } from './queue.js';
import { type SqsState, queueArn } from './store.js';
import { READ_ONLY, checkQueueAttributes, invalidParameter, missingParameter, switchEncryption } from './attributes.js';
import { checkPolicyJson, checkRedriveAllow, parseRedrivePolicy, redriveAllowed } from './validate.js';

const QUEUE_ATTRIBUTES = [
  'Policy',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
];
/** Attributes an empty value removes. */
const REMOVABLE = ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId'];

const seconds = (ms: number) => String(Math.floor(ms / 1000));

/** Checks and normalizes attributes of CreateQueue or SetQueueAttributes, including those that name other queues or hold JSON. */
export function settle(
  s: SqsState,
  attrs: Record<string, string>,
  fifo: boolean,
  account: string,
  region: string,
  name: string,
  creating: boolean,
): Record<string, string> {
  checkQueueAttributes(attrs, fifo, creating);
  const out = { ...attrs };
  const policy = out.RedrivePolicy;
  if (policy !== undefined && policy !== '') out.RedrivePolicy = redrivePolicy(s, policy, fifo, queueArn(region, account, name));
  if (out.RedriveAllowPolicy) checkRedriveAllow(out.RedriveAllowPolicy);
  if (out.Policy) checkPolicyJson(out.Policy);
  return out;
}

function redrivePolicy(s: SqsState, value: string, fifo: boolean, sourceArn: string): string {
  const bad = (reason: string) => invalidParameter(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  const p = parseRedrivePolicy(value);
  const target = s.byArn(String(p.deadLetterTargetArn));
  if (!target) throw bad('Dead-letter target does not exist.');
  if (target.fifo !== fifo) throw bad('Dead-letter queue must be same type of queue as the source.');
  if (!redriveAllowed(target.rec.attributes.RedriveAllowPolicy, sourceArn)) {
    throw bad('Dead-letter target owner does not allow this source queue to redrive messages.');
  }
  return JSON.stringify(p);
}

function queueAttributes(s: SqsState, q: Queue, names: string[]): Record<string, string> {
  for (const n of names)
    if (n !== 'All' && !QUEUE_ATTRIBUTES.includes(n)) throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  const all = names.includes('All');
  const counts = q.counts(s.rt.clock.nowMs());
  const values: Record<string, string | undefined> = {
    QueueArn: q.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: seconds(q.rec.createdMs),
    LastModifiedTimestamp: seconds(q.rec.modifiedMs),
    ...q.rec.attributes,
  };
  const out: Record<string, string> = {};
  for (const n of all ? QUEUE_ATTRIBUTES : names) if (values[n] !== undefined) out[n] = values[n]!;
  return out;
}

type Handlers = Pick<SqsProvider, 'GetQueueAttributes' | 'SetQueueAttributes' | 'AddPermission' | 'RemovePermission'>;

export function policyHandlers(s: SqsState): Handlers {
  return {
    GetQueueAttributes: ({ QueueUrl, AttributeNames }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      const attrs = queueAttributes(s, q, AttributeNames ?? []);
      return Object.keys(attrs).length ? { Attributes: attrs } : {};
    },

    SetQueueAttributes: ({ QueueUrl, Attributes }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      if (!Attributes) throw missingParameter('Attributes');
      for (const k of Object.keys(Attributes))
        if (READ_ONLY.includes(k)) throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${k}.`);
      const attrs = settle(s, Attributes, q.fifo, q.rec.account, q.rec.region, q.rec.name, false);
      s.touch(q, (rec) => {
        switchEncryption(rec.attributes, attrs);
        for (const [k, v] of Object.entries(attrs)) {
          if (v === '' && REMOVABLE.includes(k)) delete rec.attributes[k];
          else rec.attributes[k] = v;
        }
      });
      q.notify(); // a shorter wait or delay may apply to waiting polls
    },

    AddPermission: ({ QueueUrl, Label, AWSAccountIds, Actions }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      if (!Label) throw missingParameter('Label');
      if (!AWSAccountIds?.length) throw missingParameter('AWSAccountId');
      if (!Actions?.length) throw missingParameter('ActionName');
      const policy = q.rec.attributes.Policy
        ? JSON.parse(q.rec.attributes.Policy)
        : { Version: '2012-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
      policy.Statement ??= [];
      if (policy.Statement.some((st: { Sid?: string }) => st.Sid === Label)) {
        throw invalidParameter(`Value ${Label} for parameter Label is invalid. Reason: Already exists.`);
      }
      const one = <T>(list: T[]) => (list.length === 1 ? list[0] : list);
      policy.Statement.push({
        Sid: Label,
        Effect: 'Allow',
        Principal: { AWS: one(AWSAccountIds.map((a) => `arn:aws:iam::${a}:root`)) },
        Action: one(Actions.map((a) => `SQS:${a}`)),
        Resource: q.arn,
      });
      s.touch(q, (rec) => (rec.attributes.Policy = JSON.stringify(policy)));
    },

    RemovePermission: ({ QueueUrl, Label }, ctx) => {
      const q = s.queueOf(QueueUrl, ctx);
      const policy = q.rec.attributes.Policy ? JSON.parse(q.rec.attributes.Policy) : { Statement: [] };
      const statements = (policy.Statement ?? []).filter((st: { Sid?: string }) => st.Sid !== Label);
      if (statements.length === (policy.Statement ?? []).length) {
        throw invalidParameter(`Value ${Label} for parameter Label is invalid. Reason: can't find label on existing policy.`);
      }
      s.touch(q, (rec) => {
        if (statements.length) rec.attributes.Policy = JSON.stringify({ ...policy, Statement: statements });
        else delete rec.attributes.Policy;
      });
    },
  };
}
