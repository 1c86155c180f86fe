// Amazon SQS: standard and FIFO queues, long polling, dead-letter queues and message move tasks,
// over both its wire protocols (JSON 1.0 and query). SQS validates its own input with its own
// error codes (InvalidParameterValue, MissingParameter, …), so the model's generic validation is off.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { RequestContext } from '../types.js';
import type { StoreScope } from '../../state/stores.js';
import type { Collection } from '../../state/engine.js';
import type {
  SqsProvider, SendMessageRequest, SendMessageResult, Message, BatchResultErrorEntry, ListMessageMoveTasksResultEntry,
} from '../../generated/sqs.js';
import { ServiceError } from '../errors.js';
import { sqsQueueUrl } from '../../kit.js';
import { Queue, type Msg, type QueueRecord, type StoredMessage } from './queue.js';
import { MoveTasks, type MoveTask } from './move-tasks.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import {
  MAX_MESSAGE_SIZE, READ_ONLY, checkBody, checkFifoId, checkInt, checkMessageAttributes, checkQueueAttributes,
  defaultAttributes, invalidParameter, switchEncryption, missingParameter, normalizeAttributes, selectAttributes,
} from './attributes.js';

class SqsStore {
  readonly queues: Collection<QueueRecord>;
  readonly tasks: Collection<MoveTask>;
  /** queue name → when it was deleted: the name cannot be used again for 60 seconds */
  readonly deleted: Collection<number>;
  readonly cache = new Map<string, Queue>();
  constructor(readonly scope: StoreScope) {
    this.queues = scope.collection('queues');
    this.tasks = scope.collection('tasks');
    this.deleted = scope.collection('deleted');
  }
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;
const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]+)$/;
const QUEUE_URL = /^(?:[a-z]+:\/\/[^/]+)?\/?(?:queue\/[a-z0-9-]+\/)?(\d{12})\/([A-Za-z0-9_.-]+)\/?$/;
const RECEIPT = /^([0-9a-f]{16}):(\d{17}):([A-Za-z0-9_-]{16})$/;
const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'SequenceNumber',
  'MessageDeduplicationId', 'MessageGroupId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn'];
const QUEUE_ATTRIBUTES = ['Policy', 'VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible', 'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn', 'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'RedrivePolicy', 'FifoQueue', 'ContentBasedDeduplication', 'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds', 'DeduplicationScope', 'FifoThroughputLimit', 'RedriveAllowPolicy', 'SqsManagedSseEnabled'];
const MAX_BATCH = 10;
const NAME_REUSE_MS = 60_000;
const MAX_VISIBILITY_S = 43_200;

const pad = (seq: number) => String(seq).padStart(17, '0');
const seconds = (ms: number) => String(Math.floor(ms / 1000));
const token = (v: string) => Buffer.from(v).toString('base64');
const untoken = (v: string | undefined) => (v ? Buffer.from(v, 'base64').toString() : undefined);

/** The query protocol's clients were told "for this wsdl version"; JSON clients are not. */
const noQueue = (ctx?: RequestContext) =>
  new ServiceError('QueueDoesNotExist', ctx && !ctx.headers['x-amz-target'] ? 'The specified queue does not exist for this wsdl version.' : 'The specified queue does not exist.');

function create(rt: Runtime): SqsProvider {
  const stores = rt.stores('sqs', (scope) => new SqsStore(scope));
  const tx = <R>(fn: () => R) => rt.engine.transaction(fn);
  /** queues with long polls waiting: a clock advance may have made messages visible */
  const polled = new Set<Queue>();
  rt.clock.onAdvance(() => polled.forEach((q) => q.notify()));

  function lookup(account: string, region: string, name: string): Queue | undefined {
    const store = stores.get(account, region);
    const rec = store.queues.get(name);
    const cached = store.cache.get(name);
    if (!rec) {
      if (cached) store.cache.delete(name);
      return undefined;
    }
    // the record is the truth (a reset or re-creation replaces it): the in-memory index follows it
    if (cached && cached.rec.incarnation === rec.incarnation) {
      cached.rec = rec;
      return cached;
    }
    const q = new Queue(rec, `arn:aws:sqs:${region}:${account}:${name}`, {
      content: store.scope.collection(`m/${name}`),
      state: store.scope.collection(`s/${name}`),
      dedup: store.scope.collection(`d/${name}`),
      attempts: store.scope.collection(`a/${name}`),
    });
    store.cache.set(name, q);
    return q;
  }

  const byArn = (arn: string): Queue | undefined => {
    const m = QUEUE_ARN.exec(arn);
    return m ? lookup(m[2], m[1], m[3]) : undefined;
  };

  function queueOf(url: string | undefined, ctx: RequestContext): Queue {
    if (!url) throw missingParameter('QueueUrl');
    const m = QUEUE_URL.exec(url);
    const q = m ? lookup(m[1], ctx.region, m[2]) : undefined;
    if (!q) throw noQueue(ctx);
    return q;
  }

  /** The URL clients reach this queue at: the host they called, so requests sent to it come back here. */
  const urlOf = (q: { account: string; name: string; region?: string }, ctx: RequestContext) =>
    sqsQueueUrl(rt.config, ctx.headers.host, { region: q.region ?? ctx.region, account: q.account, name: q.name });

  function touch(q: Queue, change: (rec: QueueRecord) => void): void {
    const rec = structuredClone(q.rec);
    change(rec);
    rec.modifiedMs = rt.clock.nowMs();
    stores.get(rec.account, rec.region).queues.put(rec.name, rec);
    q.rec = rec;
  }

  // ---------------------------------------------------------------- attributes

  /** Normalizes and checks attribute values that name other queues or hold JSON. */
  function settle(attrs: Record<string, string>, fifo: boolean, account: string, region: string, name: string, creating: boolean): Record<string, string> {
    checkQueueAttributes(attrs, fifo, creating);
    const out = { ...attrs };
    const policy = out.RedrivePolicy;
    if (policy !== undefined && policy !== '') out.RedrivePolicy = redrivePolicy(policy, fifo, `arn:aws:sqs:${region}:${account}:${name}`);
    if (out.RedriveAllowPolicy) checkRedriveAllow(out.RedriveAllowPolicy);
    if (out.Policy) {
      try {
        JSON.parse(out.Policy);
      } catch {
        throw new ServiceError('InvalidAttributeValue', 'Invalid value for the parameter Policy.');
      }
    }
    return out;
  }

  function redrivePolicy(value: string, fifo: boolean, sourceArn: string): string {
    const bad = (reason: string) => invalidParameter(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
    let p: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    try {
      p = JSON.parse(value);
    } catch {
      throw bad('Redrive policy is not a valid JSON map.');
    }
    if (typeof p !== 'object' || p === null) throw bad('Redrive policy is not a valid JSON map.');
    if (p.deadLetterTargetArn === undefined) throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
    if (p.maxReceiveCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
    const count = Number(p.maxReceiveCount);
    if (!Number.isInteger(count) || count < 1 || count > 1000) {
      throw bad(`Invalid value for maxReceiveCount: ${p.maxReceiveCount}, valid values are from 1 to 1000 both inclusive.`);
    }
    const target = byArn(String(p.deadLetterTargetArn));
    if (!target) throw bad('Dead-letter target does not exist.');
    if (target.fifo !== fifo) throw bad('Dead-letter queue must be same type of queue as the source.');
    const allow = target.rec.attributes.RedriveAllowPolicy;
    if (allow) {
      const a = JSON.parse(allow) as { redrivePermission: string; sourceQueueArns?: string[] };
      if (a.redrivePermission === 'denyAll' || (a.redrivePermission === 'byQueue' && !a.sourceQueueArns?.includes(sourceArn))) {
        throw bad('Dead-letter target owner does not allow this source queue to redrive messages.');
      }
    }
    return JSON.stringify({ deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: count });
  }

  function checkRedriveAllow(value: string): void {
    const bad = (reason: string) => invalidParameter(`Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: ${reason}`);
    let a: { redrivePermission?: unknown; sourceQueueArns?: unknown };
    try {
      a = JSON.parse(value);
    } catch {
      throw bad('Amazon SQS can\'t parse the redrive allow policy.');
    }
    if (!['allowAll', 'denyAll', 'byQueue'].includes(String(a?.redrivePermission))) throw bad('Invalid value for redrivePermission.');
    const arns = a.sourceQueueArns;
    if (a.redrivePermission === 'byQueue' && (!Array.isArray(arns) || arns.length < 1 || arns.length > 10)) {
      throw bad('Amazon SQS requires 1 to 10 source queue ARNs when redrivePermission is byQueue.');
    }
    if (a.redrivePermission !== 'byQueue' && arns !== undefined) throw bad('sourceQueueArns is only allowed when redrivePermission is byQueue.');
  }

  function queueAttributes(q: Queue, names: string[]): Record<string, string> {
    for (const n of names) if (n !== 'All' && !QUEUE_ATTRIBUTES.includes(n)) throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${n}.`);
    const all = names.includes('All');
    const counts = q.counts(rt.clock.nowMs());
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

  // ---------------------------------------------------------------- messages

  interface Sent extends SendMessageResult { MessageId: string; MD5OfMessageBody: string }

  function send(q: Queue, e: Omit<SendMessageRequest, 'QueueUrl'>, senderId: string): Sent {
    const body = checkBody(e.MessageBody);
    const size = Buffer.byteLength(body) + checkMessageAttributes(e.MessageAttributes);
    checkMessageAttributes(e.MessageSystemAttributes, true);
    if (size > q.maxMessageSize) throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${q.maxMessageSize} bytes.`);
    checkInt(e.DelaySeconds, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900.');
    checkFifoId(e.MessageGroupId, 'MessageGroupId');
    checkFifoId(e.MessageDeduplicationId, 'MessageDeduplicationId');
    const now = rt.clock.nowMs();
    const attributes = normalizeAttributes(e.MessageAttributes);
    const systemAttributes = normalizeAttributes(e.MessageSystemAttributes);
    const result = {
      MD5OfMessageBody: md5Hex(body),
      MD5OfMessageAttributes: md5OfAttributes(attributes),
      MD5OfMessageSystemAttributes: md5OfAttributes(systemAttributes),
    };
    let dedupKey: string | undefined;
    let dedupId: string | undefined;
    if (q.fifo) {
      if (e.DelaySeconds) {
        throw invalidParameter(`Value ${e.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
      }
      if (!e.MessageGroupId) throw missingParameter('MessageGroupId');
      dedupId = e.MessageDeduplicationId;
      if (!dedupId) {
        if (q.rec.attributes.ContentBasedDeduplication !== 'true') {
          throw invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
        }
        dedupId = createHash('sha256').update(body).digest('hex');
      }
      dedupKey = q.rec.attributes.DeduplicationScope === 'messageGroup' ? `${e.MessageGroupId}\u0000${dedupId}` : dedupId;
      const dup = q.findDuplicate(dedupKey, now);
      if (dup) return { ...result, MessageId: dup.messageId, SequenceNumber: dup.sequenceNumber };
    } else if (e.MessageDeduplicationId !== undefined) {
      throw invalidParameter(`Value ${e.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.`);
    }
    const seq = q.nextSeq(now);
    const system: Record<string, string> = { SenderId: senderId, SentTimestamp: String(now) };
    if (e.MessageGroupId) system.MessageGroupId = e.MessageGroupId;
    if (q.fifo) {
      system.MessageDeduplicationId = dedupId!;
      system.SequenceNumber = String(10n ** 19n + BigInt(seq));
    }
    if (systemAttributes?.AWSTraceHeader?.StringValue) system.AWSTraceHeader = systemAttributes.AWSTraceHeader.StringValue;
    const id = randomUUID();
    const delay = q.fifo ? q.delaySeconds : (e.DelaySeconds ?? q.delaySeconds);
    const stored: StoredMessage = {
      id, body, md5Body: result.MD5OfMessageBody, attributes, md5Attributes: result.MD5OfMessageAttributes,
      system, sentMs: now, availableMs: now + delay * 1000,
    };
    // no savepoint needed: nothing can fail between its writes, and the engine commits them together
    q.add(pad(seq), stored, dedupKey);
    return { ...result, MessageId: id, SequenceNumber: system.SequenceNumber };
  }

  /** Moves a message that was received too often to the queue's dead-letter queue, if it exists. */
  function deadLetterOf(q: Queue): ((m: Msg) => void) | undefined {
    const policy = q.rec.attributes.RedrivePolicy;
    if (!policy) return undefined;
    const target = byArn(JSON.parse(policy).deadLetterTargetArn);
    if (!target) return undefined;
    return (m) => moveMessage(q, m, target, { DeadLetterQueueSourceArn: q.arn });
  }

  function moveMessage(from: Queue, m: Msg, to: Queue, extra: Record<string, string> = {}): void {
    const now = rt.clock.nowMs();
    const content = from.content(m);
    from.remove(m);
    to.add(pad(to.nextSeq(now)), { ...content, system: { ...content.system, ...extra }, availableMs: now });
  }

  function receipt(q: Queue, m: Msg): string {
    return token(`${q.rec.incarnation}:${m.key}:${m.token}`);
  }

  function parseReceipt(q: Queue, handle: string | undefined): { key: string; token: string } {
    if (!handle) throw missingParameter('ReceiptHandle');
    const m = RECEIPT.exec(untoken(handle) ?? '');
    if (!m || m[1] !== q.rec.incarnation) {
      throw new ServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    }
    return { key: m[2], token: m[3] };
  }

  function deleteMessage(q: Queue, handle: string | undefined): void {
    const r = parseReceipt(q, handle);
    const m = q.byReceipt(r.key);
    if (!m) return; // already deleted: deleting again succeeds
    if (q.fifo && (m.token !== r.token || m.visibleAt <= rt.clock.nowMs())) {
      throw invalidParameter(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    }
    tx(() => q.remove(m));
  }

  function changeVisibility(q: Queue, handle: string | undefined, timeout: number | undefined): void {
    const r = parseReceipt(q, handle);
    if (timeout === undefined) throw missingParameter('VisibilityTimeout');
    checkInt(timeout, 'VisibilityTimeout', 0, 43_200, 'VisibilityTimeout must be an integer between 0 and 43200');
    const m = q.byReceipt(r.key);
    if (!m || m.token !== r.token) {
      throw invalidParameter(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
    }
    const now = rt.clock.nowMs();
    if (m.visibleAt <= now) throw new ServiceError('MessageNotInflight', 'The message referred to is not in flight.');
    // 12 hours at most from the receive that returned the handle (in whole seconds), however often it is extended
    if (Math.floor((now - (m.receivedMs ?? m.firstReceiveMs ?? now)) / 1000) + timeout > MAX_VISIBILITY_S) {
      throw invalidParameter(`Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds].`);
    }
    tx(() => q.setVisibility(m, timeout * 1000, now));
  }

  function toMessage(q: Queue, m: Msg, systemNames: string[], attributeNames: string[] | undefined): Message {
    const c = q.content(m);
    const all = systemNames.includes('All');
    const system: Record<string, string> = {
      ...c.system,
      ApproximateReceiveCount: String(m.receives),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveMs),
    };
    const attrs: Record<string, string> = {};
    for (const n of SYSTEM_ATTRIBUTES) if (system[n] !== undefined && (all || systemNames.includes(n))) attrs[n] = system[n];
    const selected = selectAttributes(c.attributes, attributeNames);
    return {
      MessageId: c.id,
      ReceiptHandle: receipt(q, m),
      MD5OfBody: c.md5Body,
      Body: c.body,
      ...(Object.keys(attrs).length ? { Attributes: attrs } : {}),
      ...(selected ? { MessageAttributes: selected, MD5OfMessageAttributes: md5OfAttributes(selected) } : {}),
    };
  }

  /** Waits until the queue changes (a send, a visibility change, a clock advance) or `ms` pass. */
  function changed(q: Queue, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        q.waiters.delete(done);
        if (q.waiters.size === 0) polled.delete(q);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      q.waiters.add(done);
      polled.add(q);
    });
  }

  // ---------------------------------------------------------------- batches

  function checkBatch<E extends { Id: string }>(entries: E[] | undefined, entryName: string): E[] {
    if (!entries || entries.length === 0) throw new ServiceError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
    if (entries.length > MAX_BATCH) {
      throw new ServiceError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH}. You have sent ${entries.length}.`);
    }
    const seen = new Set<string>();
    for (const e of entries) {
      if (typeof e.Id !== 'string' || !BATCH_ID.test(e.Id)) {
        throw new ServiceError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
      }
      if (seen.has(e.Id)) throw new ServiceError('BatchEntryIdsNotDistinct', `Id ${e.Id} repeated.`);
      seen.add(e.Id);
    }
    return entries;
  }

  /** Runs each entry; its ServiceError becomes a Failed entry, as SQS reports per-entry failures. */
  function batch<E extends { Id: string }, R>(entries: E[], run: (e: E) => R): { Successful: R[]; Failed: BatchResultErrorEntry[] } {
    const Successful: R[] = [];
    const Failed: BatchResultErrorEntry[] = [];
    tx(() => {
      for (const e of entries) {
        try {
          Successful.push(run(e));
        } catch (err) {
          if (!(err instanceof ServiceError)) throw err;
          Failed.push({ Id: e.Id, SenderFault: err.senderFault, Code: err.code, Message: err.message });
        }
      }
    });
    return { Successful, Failed };
  }

  // ---------------------------------------------------------------- move tasks

  const moveTasks = new MoveTasks(rt, {
    byArn,
    records: (arn) => {
      const m = QUEUE_ARN.exec(arn)!;
      return stores.get(m[2], m[1]).tasks;
    },
    moveMessage,
  });
  moveTasks.resume();

  function taskEntry(t: MoveTask): ListMessageMoveTasksResultEntry {
    return {
      ...(t.status === 'RUNNING' ? { TaskHandle: token(JSON.stringify({ taskId: t.id, sourceArn: t.sourceArn })) } : {}),
      Status: t.status,
      SourceArn: t.sourceArn,
      ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
      ...(t.rate !== undefined ? { MaxNumberOfMessagesPerSecond: t.rate } : {}),
      ApproximateNumberOfMessagesMoved: t.moved,
      ApproximateNumberOfMessagesToMove: t.toMove,
      ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
      StartedTimestamp: t.startedMs,
    };
  }

  const isDeadLetterQueue = (arn: string) => {
    const m = QUEUE_ARN.exec(arn)!;
    const store = stores.get(m[2], m[1]);
    for (const [name] of store.queues.scan()) {
      const p = lookup(m[2], m[1], name)?.rec.attributes.RedrivePolicy;
      if (p && JSON.parse(p).deadLetterTargetArn === arn) return true;
    }
    return false;
  };

  // ---------------------------------------------------------------- integration

  rt.integrations.sqs = {
    sendMessage(queueArn, body, opts = {}) {
      const q = byArn(queueArn);
      if (!q) throw new ServiceError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
      const sent = send(q, {
        MessageBody: body,
        MessageAttributes: opts.attributes,
        MessageGroupId: opts.messageGroupId,
        MessageDeduplicationId: opts.deduplicationId,
        DelaySeconds: opts.delaySeconds,
      }, q.rec.account);
      return { messageId: sent.MessageId };
    },
    queueExists: (queueArn) => byArn(queueArn) !== undefined,
  };

  // ---------------------------------------------------------------- handlers

  return {
    CreateQueue: ({ QueueName, Attributes = {}, tags }, ctx) => {
      if (QueueName === undefined) throw missingParameter('QueueName');
      const fifo = QueueName.endsWith('.fifo');
      if (Attributes.FifoQueue === 'true' && !fifo) {
        throw invalidParameter('The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
      }
      if (!QUEUE_NAME.test(fifo ? QueueName.slice(0, -5) + '_fifo' : QueueName) || (fifo && Attributes.FifoQueue !== 'true')) {
        throw invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
      }
      const attrs = settle(Attributes, fifo, ctx.account, ctx.region, QueueName, true);
      for (const k of ['Policy', 'RedrivePolicy']) if (attrs[k] === '') delete attrs[k];
      const existing = lookup(ctx.account, ctx.region, QueueName);
      if (existing) {
        for (const [k, v] of Object.entries(attrs)) {
          if ((existing.rec.attributes[k] ?? '') !== v) {
            throw new ServiceError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${k}`);
          }
        }
        return { QueueUrl: urlOf(existing.rec, ctx) };
      }
      const now = rt.clock.nowMs();
      const deleted = stores.get(ctx.account, ctx.region).deleted;
      const deletedMs = deleted.get(QueueName);
      if (deletedMs !== undefined && now - deletedMs < NAME_REUSE_MS) {
        throw new ServiceError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
      }
      if (deletedMs !== undefined) deleted.delete(QueueName);
      const rec: QueueRecord = {
        name: QueueName, account: ctx.account, region: ctx.region, incarnation: randomBytes(8).toString('hex'),
        attributes: { ...defaultAttributes(fifo, attrs), ...attrs }, tags: tags ?? {}, createdMs: now, modifiedMs: now,
      };
      stores.get(ctx.account, ctx.region).queues.put(QueueName, rec);
      return { QueueUrl: urlOf(rec, ctx) };
    },

    GetQueueUrl: ({ QueueName, QueueOwnerAWSAccountId }, ctx) => {
      if (QueueName === undefined) throw missingParameter('QueueName');
      const q = lookup(QueueOwnerAWSAccountId ?? ctx.account, ctx.region, QueueName);
      if (!q) throw noQueue(ctx);
      return { QueueUrl: urlOf(q.rec, ctx) };
    },

    ListQueues: ({ QueueNamePrefix, NextToken, MaxResults }, ctx) => {
      checkInt(MaxResults, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000.');
      if (NextToken !== undefined && MaxResults === undefined) throw invalidParameter('MaxResults is a mandatory parameter when you provide a value for NextToken.');
      const limit = MaxResults ?? 1000;
      const names: string[] = [];
      for (const [name] of stores.get(ctx.account, ctx.region).queues.scan({ prefix: QueueNamePrefix, after: untoken(NextToken), limit: limit + 1 })) names.push(name);
      const more = MaxResults !== undefined && names.length > limit;
      const page = names.slice(0, limit);
      return {
        ...(page.length ? { QueueUrls: page.map((name) => urlOf({ account: ctx.account, name }, ctx)) } : {}),
        ...(more ? { NextToken: token(page[page.length - 1]) } : {}),
      };
    },

    DeleteQueue: ({ QueueUrl }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      tx(() => {
        const store = stores.get(q.rec.account, q.rec.region);
        store.queues.delete(q.rec.name);
        store.deleted.put(q.rec.name, rt.clock.nowMs());
        q.drop();
      });
    },

    PurgeQueue: ({ QueueUrl }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      const now = rt.clock.nowMs();
      if (q.rec.purgedMs !== undefined && now - q.rec.purgedMs < 60_000) {
        throw new ServiceError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${q.rec.name} is allowed every 60 seconds.`);
      }
      tx(() => {
        q.purge();
        touch(q, (rec) => (rec.purgedMs = now));
      });
    },

    GetQueueAttributes: ({ QueueUrl, AttributeNames }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      const attrs = queueAttributes(q, AttributeNames ?? []);
      return Object.keys(attrs).length ? { Attributes: attrs } : {};
    },

    SetQueueAttributes: ({ QueueUrl, Attributes }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      if (!Attributes) throw missingParameter('Attributes');
      for (const k of Object.keys(Attributes)) if (READ_ONLY.includes(k)) throw new ServiceError('InvalidAttributeName', `Unknown Attribute ${k}.`);
      const attrs = settle(Attributes, q.fifo, q.rec.account, q.rec.region, q.rec.name, false);
      touch(q, (rec) => {
        switchEncryption(rec.attributes, attrs);
        for (const [k, v] of Object.entries(attrs)) {
          if (v === '' && ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId'].includes(k)) delete rec.attributes[k];
          else rec.attributes[k] = v;
        }
      });
      q.notify(); // a shorter wait or delay may apply to waiting polls
    },

    TagQueue: ({ QueueUrl, Tags }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      if (!Tags || Object.keys(Tags).length === 0) throw missingParameter('Tags');
      const count = Object.keys({ ...q.rec.tags, ...Tags }).length;
      if (count > 50) throw invalidParameter(`Too many tags added for queue ${q.rec.name}.`);
      touch(q, (rec) => Object.assign(rec.tags, Tags));
    },

    UntagQueue: ({ QueueUrl, TagKeys }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      if (!TagKeys || TagKeys.length === 0) throw missingParameter('TagKeys');
      touch(q, (rec) => TagKeys.forEach((k) => delete rec.tags[k]));
    },

    ListQueueTags: ({ QueueUrl }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      return Object.keys(q.rec.tags).length ? { Tags: q.rec.tags } : {};
    },

    AddPermission: ({ QueueUrl, Label, AWSAccountIds, Actions }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      if (!Label) throw missingParameter('Label');
      if (!AWSAccountIds?.length) throw missingParameter('AWSAccountId');
      if (!Actions?.length) throw missingParameter('ActionName');
      const policy = q.rec.attributes.Policy ? JSON.parse(q.rec.attributes.Policy) : { Version: '2012-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
      policy.Statement ??= [];
      if (policy.Statement.some((s: { Sid?: string }) => s.Sid === Label)) {
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
      touch(q, (rec) => (rec.attributes.Policy = JSON.stringify(policy)));
    },

    RemovePermission: ({ QueueUrl, Label }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      const policy = q.rec.attributes.Policy ? JSON.parse(q.rec.attributes.Policy) : { Statement: [] };
      const statements = (policy.Statement ?? []).filter((s: { Sid?: string }) => s.Sid !== Label);
      if (statements.length === (policy.Statement ?? []).length) {
        throw invalidParameter(`Value ${Label} for parameter Label is invalid. Reason: can't find label on existing policy.`);
      }
      touch(q, (rec) => {
        if (statements.length) rec.attributes.Policy = JSON.stringify({ ...policy, Statement: statements });
        else delete rec.attributes.Policy;
      });
    },

    SendMessage: (input, ctx) => send(queueOf(input.QueueUrl, ctx), input, ctx.principal.userId),

    SendMessageBatch: ({ QueueUrl, Entries }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      const entries = checkBatch(Entries, 'SendMessageBatchRequestEntry');
      let total = 0;
      for (const e of entries) total += Buffer.byteLength(e.MessageBody ?? '') + checkMessageAttributesSize(e.MessageAttributes);
      if (total > MAX_MESSAGE_SIZE) {
        throw new ServiceError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_MESSAGE_SIZE} bytes. You have sent ${total} bytes.`);
      }
      return batch(entries, (e) => {
        const { MessageId, MD5OfMessageBody, MD5OfMessageAttributes, MD5OfMessageSystemAttributes, SequenceNumber } = send(q, e, ctx.principal.userId);
        return { Id: e.Id, MessageId, MD5OfMessageBody, MD5OfMessageAttributes, MD5OfMessageSystemAttributes, SequenceNumber };
      });
    },

    ReceiveMessage: async (input, ctx) => {
      let q = queueOf(input.QueueUrl, ctx);
      const max = input.MaxNumberOfMessages ?? 1;
      checkInt(max, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.');
      checkInt(input.WaitTimeSeconds, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.');
      checkInt(input.VisibilityTimeout, 'VisibilityTimeout', 0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
      const attemptId = input.ReceiveRequestAttemptId;
      checkFifoId(attemptId, 'ReceiveRequestAttemptId');
      const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
      const reply = (from: Queue, msgs: Msg[]) => ({ Messages: msgs.map((m) => toMessage(from, m, systemNames, input.MessageAttributeNames)) });
      // a retried FIFO receive gets what its attempt got, if nothing changed since (standard queues ignore the id)
      const dedupAttempt = q.fifo ? attemptId : undefined;
      if (dedupAttempt !== undefined) {
        const first = q;
        const again = tx(() => first.replay(dedupAttempt, (input.VisibilityTimeout ?? first.visibilityTimeout) * 1000, rt.clock.nowMs()));
        if (again) return reply(first, again);
      }
      const deadline = Date.now() + (input.WaitTimeSeconds ?? q.waitSeconds) * 1000;
      for (;;) {
        const now = rt.clock.nowMs();
        const visibility = (input.VisibilityTimeout ?? q.visibilityTimeout) * 1000;
        const policy = q.rec.attributes.RedrivePolicy;
        const maxReceives = policy ? Number(JSON.parse(policy).maxReceiveCount) : undefined;
        const dlq = deadLetterOf(q);
        const current = q;
        const got = tx(() => {
          const msgs = current.receive(max, visibility, now, dlq && maxReceives, dlq ?? (() => {}));
          if (msgs.length && dedupAttempt !== undefined) current.remember(dedupAttempt, msgs, now);
          return msgs;
        });
        if (got.length) return reply(current, got);
        const left = deadline - Date.now();
        if (left <= 0) return {};
        const next = q.nextVisibleAt(now);
        await changed(q, next === undefined ? left : Math.min(left, next - rt.clock.nowMs()));
        // the queue may have been deleted or re-created meanwhile
        const again = lookup(q.rec.account, q.rec.region, q.rec.name);
        if (!again) return {};
        q = again;
      }
    },

    DeleteMessage: ({ QueueUrl, ReceiptHandle }, ctx) => deleteMessage(queueOf(QueueUrl, ctx), ReceiptHandle),

    DeleteMessageBatch: ({ QueueUrl, Entries }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      return batch(checkBatch(Entries, 'DeleteMessageBatchRequestEntry'), (e) => {
        deleteMessage(q, e.ReceiptHandle);
        return { Id: e.Id };
      });
    },

    ChangeMessageVisibility: ({ QueueUrl, ReceiptHandle, VisibilityTimeout }, ctx) =>
      changeVisibility(queueOf(QueueUrl, ctx), ReceiptHandle, VisibilityTimeout),

    ChangeMessageVisibilityBatch: ({ QueueUrl, Entries }, ctx) => {
      const q = queueOf(QueueUrl, ctx);
      return batch(checkBatch(Entries, 'ChangeMessageVisibilityBatchRequestEntry'), (e) => {
        changeVisibility(q, e.ReceiptHandle, e.VisibilityTimeout);
        return { Id: e.Id };
      });
    },

    ListDeadLetterSourceQueues: ({ QueueUrl, NextToken, MaxResults }, ctx) => {
      const dlq = queueOf(QueueUrl, ctx);
      checkInt(MaxResults, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000.');
      const limit = MaxResults ?? 1000;
      const names: string[] = [];
      for (const [name, rec] of stores.get(dlq.rec.account, dlq.rec.region).queues.scan({ after: untoken(NextToken) })) {
        const p = rec.attributes.RedrivePolicy;
        if (p && JSON.parse(p).deadLetterTargetArn === dlq.arn) names.push(name);
        if (names.length > limit) break;
      }
      const page = names.slice(0, limit);
      return {
        queueUrls: page.map((name) => urlOf({ account: dlq.rec.account, name }, ctx)),
        ...(MaxResults !== undefined && names.length > limit ? { NextToken: token(page[page.length - 1]) } : {}),
      };
    },

    StartMessageMoveTask: ({ SourceArn, DestinationArn, MaxNumberOfMessagesPerSecond }) => {
      if (!SourceArn) throw missingParameter('SourceArn');
      const source = byArn(SourceArn);
      if (!source) throw new ServiceError('ResourceNotFoundException', 'The resource that you specified for the SourceArn parameter doesn\'t exist.', 404);
      if (!isDeadLetterQueue(SourceArn)) throw invalidParameter('Source queue must be configured as a Dead Letter Queue.');
      if (DestinationArn && !byArn(DestinationArn)) {
        throw new ServiceError('ResourceNotFoundException', 'The resource that you specified for the DestinationArn parameter doesn\'t exist.', 404);
      }
      checkInt(MaxNumberOfMessagesPerSecond, 'MaxNumberOfMessagesPerSecond', 1, 500, 'MaxNumberOfMessagesPerSecond must be between 1 and 500.');
      if (moveTasks.runningFor(SourceArn)) {
        throw invalidParameter('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
      }
      const t = moveTasks.start(SourceArn, DestinationArn, MaxNumberOfMessagesPerSecond, source.counts(rt.clock.nowMs()).visible);
      return { TaskHandle: taskEntry(t).TaskHandle };
    },

    CancelMessageMoveTask: ({ TaskHandle }) => {
      let id: string | undefined;
      try {
        id = JSON.parse(untoken(TaskHandle) ?? '').taskId;
      } catch {
        throw invalidParameter('Value for parameter TaskHandle is invalid.');
      }
      const t = typeof id === 'string' ? moveTasks.cancel(id) : undefined;
      if (!t) throw new ServiceError('ResourceNotFoundException', 'Task does not exist.', 404);
      return { ApproximateNumberOfMessagesMoved: t.moved };
    },

    ListMessageMoveTasks: ({ SourceArn, MaxResults }) => {
      if (!SourceArn) throw missingParameter('SourceArn');
      if (!QUEUE_ARN.test(SourceArn)) {
        throw invalidParameter('You must use this format to specify the SourceArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>');
      }
      if (!byArn(SourceArn)) throw new ServiceError('ResourceNotFoundException', 'The resource that you specified for the SourceArn parameter doesn\'t exist.', 404);
      checkInt(MaxResults, 'MaxResults', 1, 10, 'MaxResults must be an integer between 1 and 10.');
      return { Results: moveTasks.list(SourceArn, MaxResults ?? 1).map(taskEntry) };
    },
  };
}

/** Bytes of message attributes for the batch size limit, before each entry is validated on its own. */
function checkMessageAttributesSize(attrs: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: Buffer }> | undefined): number {
  let size = 0;
  for (const [k, a] of Object.entries(attrs ?? {})) {
    size += Buffer.byteLength(k) + Buffer.byteLength(a?.DataType ?? '') + (a?.BinaryValue?.length ?? Buffer.byteLength(a?.StringValue ?? ''));
  }
  return size;
}

export const sqs: ServiceDefinition = { name: 'sqs', create, validateInput: false };
