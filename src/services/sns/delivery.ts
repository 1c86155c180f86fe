// Delivering a published message to each subscription's endpoint: the SNS JSON envelope (as AWS
// formats and signs it), SQS and Lambda through rt.integrations, HTTP/S POSTs with the delivery
// policy's retries (timed on the virtual clock), an outbox for email/SMS/mobile endpoints, and the
// subscription's dead-letter queue when a delivery finally fails.
import { createHash, createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { InFlight, type Runtime, type MessageAttributeValue, type Collection } from '../../kit.js';
import type { SubRecord, TopicRecord } from './model.js';
import { effectiveSubDeliveryPolicy } from './model.js';
import { topicMetric } from './metrics.js';
import { retryDelays } from './retry-policy.js';

export const CERT_PATH = '/_nimbus/sns/SimpleNotificationService-nimbus.pem';

/** One published message, as every subscription sees it. */
export interface Notification {
  type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  messageId: string;
  topicArn: string;
  /** a string, or per-protocol texts with a `default` (MessageStructure=json) */
  message: string | Record<string, string>;
  subject?: string;
  attributes?: Record<string, MessageAttributeValue>;
  timestamp: string;
  fifo: boolean;
  groupId?: string;
  dedupId?: string;
  seq?: string;
  /** SubscriptionConfirmation / UnsubscribeConfirmation */
  token?: string;
}

export interface OutboxRecord {
  id: string;
  at: string;
  account: string;
  region: string;
  protocol: string;
  endpoint: string;
  topicArn?: string;
  subscriptionArn?: string;
  type: string;
  messageId: string;
  subject?: string;
  /** what the endpoint receives: the text, or the JSON envelope for email-json */
  message: string;
  messageAttributes?: Record<string, { Type: string; Value: string }>;
  subscribeUrl?: string;
  token?: string;
}

/** The MessageStructure=json key a subscription reads: its protocol, or the platform (GCM, APNS…) of a mobile endpoint. */
export const structureKey = (protocol: string, endpoint: string) =>
  protocol === 'application' ? (/:endpoint\/([^/]+)\//.exec(endpoint)?.[1] ?? protocol) : protocol;

export function contentFor(n: Notification, protocol: string): string {
  return typeof n.message === 'string' ? n.message : (n.message[protocol] ?? n.message.default);
}

const attrValue = (a: MessageAttributeValue) =>
  a.DataType.startsWith('Binary') ? (a.BinaryValue ?? Buffer.alloc(0)).toString('base64') : (a.StringValue ?? '');

export function envelopeAttributes(attrs: Record<string, MessageAttributeValue> | undefined) {
  if (!attrs || Object.keys(attrs).length === 0) return undefined;
  return Object.fromEntries(Object.entries(attrs).map(([k, a]) => [k, { Type: a.DataType, Value: attrValue(a) }]));
}

export const subscribeUrl = (baseUrl: string, topicArn: string, token: string) =>
  `${baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}&Version=2010-03-31`;
/** As AWS writes it: the subscription ARN as is (colons unescaped), no Version. */
export const unsubscribeUrl = (baseUrl: string, subArn: string) => `${baseUrl}/?Action=Unsubscribe&SubscriptionArn=${subArn}`;

/** AWS's own layout: `"Key" : value`, two-space indent, attributes one compact object per line. */
function awsJson(entries: Array<[string, unknown]>): string {
  const lines = entries.map(([k, v]) => {
    if (k !== 'MessageAttributes') return `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`;
    const inner = Object.entries(v as object).map(([n, a]) => `    ${JSON.stringify(n)} : ${JSON.stringify(a)}`);
    return `  "MessageAttributes" : {\n${inner.join(',\n')}\n  }`;
  });
  return `{\n${lines.join(',\n')}\n}`;
}

/** An HTTP/S delivery not yet done: kept in the state so a restart resumes it (attempt = the next to make, at `due`). */
interface HttpDelivery {
  n: Notification;
  sub: SubRecord;
  attempt: number;
  due: number;
}

export class Delivery {
  private key?: { privateKey: string; publicKey: string };
  private readonly keyStore: Collection<{ privateKey: string; publicKey: string }>;
  readonly outbox: Collection<OutboxRecord>;
  private readonly httpPending: Collection<HttpDelivery>;
  private outboxSeq = 0;
  /** retries waiting for their time on the virtual clock */
  private readonly pending = new Set<{ due: number; run: (done: () => void) => void; timer: NodeJS.Timeout }>();
  /** HTTP and Lambda deliveries under way (first attempts, retries an advance resumed) until they end or wait again */
  private readonly active = new InFlight();

  constructor(
    private readonly rt: Runtime,
    private readonly topicOf: (arn: string) => TopicRecord | undefined,
    private readonly subExists: (s: SubRecord) => boolean,
  ) {
    // state of no one account: SNS's system scope
    const system = rt
      .stores('sns', (scope) => ({
        signing: scope.collection<{ privateKey: string; publicKey: string }>('signing'),
        outbox: scope.collection<OutboxRecord>('outbox'),
        httpPending: scope.collection<HttpDelivery>('http-pending'),
      }))
      .system();
    this.keyStore = system.signing;
    this.outbox = system.outbox;
    this.httpPending = system.httpPending;
    rt.clock.onAdvance(() => {
      for (const p of [...this.pending]) if (p.due <= rt.clock.nowMs()) this.fire(p, true);
      return this.active.settled();
    });
    // deliveries a stopped server left unfinished resume once every service is up (the DLQ may be SQS's)
    const unfinished = [...this.httpPending.scan()];
    setImmediate(() => {
      for (const [id, d] of unfinished) void this.wait(d.due - rt.clock.nowMs()).then((done) => this.httpAttempts(id, d).finally(done));
    });
  }

  /** The signing key pair, made once and kept with the state so signatures verify across restarts. */
  /** HTTP(S) deliveries not yet ended: the next attempt (0 is the first) and when it is due (virtual epoch ms). */
  httpDeliveries(): { messageId: string; subscriptionArn: string; endpoint: string; attempt: number; due: number }[] {
    return [...this.httpPending.scan()].map(([, d]) => ({
      messageId: d.n.messageId,
      subscriptionArn: d.sub.arn,
      endpoint: d.sub.endpoint,
      attempt: d.attempt,
      due: d.due,
    }));
  }

  publicKey(): string {
    return this.signingKey().publicKey;
  }

  private signingKey() {
    this.key ??= this.keyStore.get('key');
    if (!this.key) {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.key = {
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
      };
      this.keyStore.put('key', this.key);
    }
    return this.key;
  }

  /** SignatureVersion 1 (SHA1withRSA) or 2 (SHA256withRSA) over the canonical string AWS documents. */
  private sign(fields: Record<string, string | undefined>, version: string): string {
    const names =
      fields.Type === 'Notification'
        ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
        : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
    const text = names
      .filter((n) => fields[n] !== undefined)
      .map((n) => `${n}\n${fields[n]}\n`)
      .join('');
    return createSign(version === '2' ? 'RSA-SHA256' : 'RSA-SHA1')
      .update(text)
      .sign(this.signingKey().privateKey, 'base64');
  }

  /** The JSON envelope SQS, HTTP/S and email-json subscribers receive. */
  envelope(n: Notification, sub: SubRecord): string {
    const message = contentFor(n, sub.protocol);
    const topic = this.topicOf(n.topicArn);
    const version = topic?.attributes.SignatureVersion ?? '1';
    const e: Array<[string, unknown]> = [
      ['Type', n.type],
      ['MessageId', n.messageId],
    ];
    let signed: Record<string, string | undefined>;
    if (n.type === 'Notification') {
      if (n.fifo && n.seq) e.push(['SequenceNumber', n.seq]);
      e.push(['TopicArn', n.topicArn]);
      if (n.subject !== undefined) e.push(['Subject', n.subject]);
      e.push(['Message', message], ['Timestamp', n.timestamp]);
      signed = { Type: n.type, MessageId: n.messageId, TopicArn: n.topicArn, Subject: n.subject, Message: message, Timestamp: n.timestamp };
    } else {
      const url = subscribeUrl(sub.baseUrl, n.topicArn, n.token!);
      e.push(['Token', n.token], ['TopicArn', n.topicArn], ['Message', message], ['SubscribeURL', url], ['Timestamp', n.timestamp]);
      signed = {
        Type: n.type,
        MessageId: n.messageId,
        Token: n.token,
        TopicArn: n.topicArn,
        Message: message,
        SubscribeURL: url,
        Timestamp: n.timestamp,
      };
    }
    // FIFO topics' notifications carry no signature
    if (!(n.fifo && n.type === 'Notification')) {
      e.push(['SignatureVersion', version], ['Signature', this.sign(signed, version)], ['SigningCertURL', sub.baseUrl + CERT_PATH]);
    }
    if (n.type === 'Notification') {
      e.push(['UnsubscribeURL', unsubscribeUrl(sub.baseUrl, sub.arn)]);
      const attrs = envelopeAttributes(n.attributes);
      if (attrs) e.push(['MessageAttributes', attrs]);
    }
    return awsJson(e);
  }

  private raw(sub: SubRecord): boolean {
    return (sub.attributes.RawMessageDelivery ?? '').toLowerCase() === 'true';
  }

  /** Delivers to one subscription. SQS and the outbox are written before this returns; HTTP and Lambda go on in the background. */
  deliver(n: Notification, sub: SubRecord, account: string, region: string): void {
    switch (sub.protocol) {
      case 'sqs':
        return this.toSqs(n, sub);
      case 'http':
      case 'https':
        return this.toHttp(n, sub);
      case 'lambda':
        return void this.toLambda(n, sub);
      default:
        return this.toOutbox(n, sub, account, region);
    }
  }

  private sqsOptions(n: Notification, sub: SubRecord, queueArn: string, body: string) {
    const opts: { attributes?: Record<string, MessageAttributeValue>; messageGroupId?: string; deduplicationId?: string } = {};
    if (this.raw(sub) && n.attributes && Object.keys(n.attributes).length) opts.attributes = n.attributes;
    if (queueArn.endsWith('.fifo')) {
      if (n.groupId) opts.messageGroupId = n.groupId;
      opts.deduplicationId = n.dedupId ?? createHash('sha256').update(body).digest('hex');
    } else if (n.groupId && !n.fifo) {
      opts.messageGroupId = n.groupId; // fair queues: a standard topic passes the group on
    }
    return opts;
  }

  private toSqs(n: Notification, sub: SubRecord): void {
    const body = this.raw(sub) ? contentFor(n, 'sqs') : this.envelope(n, sub);
    const sqs = this.rt.integrations.sqs;
    try {
      if (!sqs) throw new Error('SQS is not available');
      sqs.sendMessage(sub.endpoint, body, this.sqsOptions(n, sub, sub.endpoint, body));
      this.counted(n, true);
    } catch (e) {
      this.failed(n, sub, body, (e as Error).message);
    }
  }

  /** The message the endpoint would have received goes to the subscription's RedrivePolicy queue, if any. */
  private failed(n: Notification, sub: SubRecord, body: string, why: string): void {
    this.counted(n, false);
    let dlq: string | undefined;
    try {
      dlq = (JSON.parse(sub.attributes.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    } catch {
      /* validated when set */
    }
    if (!dlq || !this.rt.integrations.sqs) {
      this.rt.log.warn(`sns: delivery of ${n.messageId} to ${sub.protocol}:${sub.endpoint} failed (${why}); no dead-letter queue`);
      return;
    }
    try {
      this.rt.integrations.sqs.sendMessage(dlq, body, this.sqsOptions(n, sub, dlq, body));
      this.rt.log.info(`sns: delivery of ${n.messageId} to ${sub.endpoint} failed (${why}); moved to ${dlq}`);
    } catch (e) {
      this.rt.log.warn(
        `sns: delivery of ${n.messageId} failed (${why}) and its dead-letter queue ${dlq} refused it: ${(e as Error).message}`,
      );
    }
  }

  // ---- HTTP/S ----

  /** Publishing is acknowledged once the delivery is recorded; the attempts run in the background. */
  private toHttp(n: Notification, sub: SubRecord): void {
    const id = randomUUID();
    const d: HttpDelivery = { n, sub, attempt: 0, due: this.rt.clock.nowMs() };
    this.httpPending.put(id, d);
    void this.httpAttempts(id, d);
  }

  /** Never rejects: a failure (the state closed under a pending retry) is logged. */
  private httpAttempts(id: string, d: HttpDelivery): Promise<void> {
    return this.tryHttp(id, d).catch((e) =>
      this.rt.log.warn(`sns: delivery of ${d.n.messageId} to ${d.sub.endpoint} stopped: ${(e as Error).message}`),
    );
  }

  private async tryHttp(id: string, d: HttpDelivery): Promise<void> {
    const { n, sub } = d;
    if (d.attempt > 0 && !this.subExists(sub)) return void this.httpPending.delete(id); // unsubscribed meanwhile
    const raw = n.type === 'Notification' && this.raw(sub);
    const body = raw ? contentFor(n, sub.protocol) : this.envelope(n, sub);
    const policy = effectiveSubDeliveryPolicy(this.topicOf(n.topicArn), sub);
    const headers: Record<string, string> = {
      'content-type': String(policy.requestPolicy?.headerContentType ?? 'text/plain; charset=UTF-8'),
      'user-agent': 'Amazon Simple Notification Service Agent',
      'x-amz-sns-message-type': n.type,
      'x-amz-sns-message-id': n.messageId,
      'x-amz-sns-topic-arn': n.topicArn,
    };
    if (n.type === 'Notification') headers['x-amz-sns-subscription-arn'] = sub.arn;
    if (raw) headers['x-amz-sns-rawdelivery'] = 'true';
    const delays = n.type === 'UnsubscribeConfirmation' ? [] : retryDelays(policy.healthyRetryPolicy);

    let done = this.underWay();
    try {
      for (let attempt = d.attempt; ; attempt++) {
        let outcome: 'ok' | 'retry' | 'fail';
        let why: string;
        // the delay counts from the attempt, so a clock advance made while the answer travels still counts
        const started = this.rt.clock.nowMs();
        try {
          const res = await fetch(sub.endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000), redirect: 'manual' });
          await res.arrayBuffer().catch(() => undefined);
          why = `HTTP ${res.status}`;
          outcome = res.status >= 200 && res.status < 300 ? 'ok' : res.status === 429 || res.status >= 500 ? 'retry' : 'fail';
        } catch (e) {
          why = (e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message;
          outcome = 'retry';
        }
        if (outcome === 'ok') {
          this.counted(n, true);
          return void this.httpPending.delete(id);
        }
        if (outcome === 'fail' || attempt >= delays.length) {
          this.httpPending.delete(id);
          if (n.type === 'Notification') this.failed(n, sub, body, why);
          else this.rt.log.warn(`sns: ${n.type} to ${sub.endpoint} failed: ${why}`);
          return;
        }
        const due = started + delays[attempt] * 1000;
        this.httpPending.put(id, { n, sub, attempt: attempt + 1, due });
        done();
        done = await this.wait(due - this.rt.clock.nowMs());
        if (!this.subExists(sub)) return void this.httpPending.delete(id); // unsubscribed meanwhile
      }
    } finally {
      done();
    }
  }

  /**
   * Waits on the virtual clock: a real timer, or sooner when the clock is advanced past it. Resolves
   * with `done`, which the caller calls once the work it resumes has ended or waits again: a clock
   * advance that resumed it answers after that.
   */
  wait(ms: number): Promise<() => void> {
    if (ms <= 0) return Promise.resolve(() => {});
    return new Promise((resolve) => {
      const entry = { due: this.rt.clock.nowMs() + ms, run: resolve, timer: setTimeout(() => this.fire(entry, false), ms) };
      entry.timer.unref();
      this.pending.add(entry);
    });
  }

  private fire(p: { run: (done: () => void) => void; timer: NodeJS.Timeout }, byAdvance: boolean): void {
    if (!this.pending.delete(p as never)) return;
    clearTimeout(p.timer);
    p.run(byAdvance ? this.underWay() : () => {});
  }

  /** Marks delivery work as under way (a clock advance waits for it); returns what ends it. */
  private underWay(): () => void {
    let done = () => {};
    void this.active.track(new Promise<void>((resolve) => (done = resolve)));
    return done;
  }

  // ---- Lambda ----

  private lambdaEvent(n: Notification, sub: SubRecord): string {
    const message = contentFor(n, 'lambda');
    const topic = this.topicOf(n.topicArn);
    const version = topic?.attributes.SignatureVersion ?? '1';
    const attrs = envelopeAttributes(n.attributes) ?? {};
    return JSON.stringify({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: sub.arn,
          Sns: {
            Type: 'Notification',
            MessageId: n.messageId,
            TopicArn: n.topicArn,
            Subject: n.subject ?? null,
            Message: message,
            Timestamp: n.timestamp,
            SignatureVersion: version,
            Signature: this.sign(
              {
                Type: 'Notification',
                MessageId: n.messageId,
                TopicArn: n.topicArn,
                Subject: n.subject,
                Message: message,
                Timestamp: n.timestamp,
              },
              version,
            ),
            SigningCertUrl: sub.baseUrl + CERT_PATH,
            UnsubscribeUrl: unsubscribeUrl(sub.baseUrl, sub.arn),
            MessageAttributes: attrs,
          },
        },
      ],
    });
  }

  /** Asynchronous invocation; a failure is retried twice (a second apart on the virtual clock), then redriven. */
  private async toLambda(n: Notification, sub: SubRecord): Promise<void> {
    const payload = this.lambdaEvent(n, sub);
    const lambda = this.rt.integrations.lambda;
    let done = this.underWay();
    try {
      for (let attempt = 0; ; attempt++) {
        let why: string;
        try {
          if (!lambda) throw new Error('Lambda is not available');
          if (!lambda.functionExists(sub.endpoint)) throw new Error('Function not found');
          const r = await lambda.invoke(sub.endpoint, Buffer.from(payload), 'Event');
          if (r.statusCode < 300 && !r.functionError) return this.counted(n, true);
          why = r.functionError ?? `status ${r.statusCode}`;
        } catch (e) {
          why = (e as Error).message;
        }
        if (!lambda || attempt >= 2) return this.failed(n, sub, this.envelope(n, sub), why);
        done();
        done = await this.wait(1000);
      }
    } finally {
      done();
    }
  }

  // ---- email, email-json, sms, application, firehose: recorded ----

  private toOutbox(n: Notification, sub: SubRecord, account: string, region: string): void {
    const record: OutboxRecord = {
      id: randomUUID(),
      at: n.timestamp,
      account,
      region,
      protocol: sub.protocol,
      endpoint: sub.endpoint,
      topicArn: n.topicArn,
      subscriptionArn: sub.pending ? undefined : sub.arn,
      type: n.type,
      messageId: n.messageId,
      message: sub.protocol === 'email-json' ? this.envelope(n, sub) : contentFor(n, structureKey(sub.protocol, sub.endpoint)),
    };
    if (n.subject !== undefined && sub.protocol !== 'sms') record.subject = n.subject;
    const attrs = envelopeAttributes(n.attributes);
    if (attrs) record.messageAttributes = attrs;
    if (n.token) {
      record.token = n.token;
      record.subscribeUrl = subscribeUrl(sub.baseUrl, n.topicArn, n.token);
    }
    this.record(record);
    this.counted(n, true);
  }

  /** NumberOfNotificationsDelivered / Failed, for notifications (not subscription confirmations). */
  private counted(n: Notification, ok: boolean): void {
    if (n.type === 'Notification') topicMetric(this.rt, n.topicArn, ok ? 'NumberOfNotificationsDelivered' : 'NumberOfNotificationsFailed');
  }

  record(r: OutboxRecord): void {
    // keys in publishing order: virtual ms, then a counter for the same millisecond
    const key = `${String(this.rt.clock.nowMs()).padStart(15, '0')}-${String(this.outboxSeq++ % 1e9).padStart(9, '0')}`;
    this.outbox.put(key, r);
  }
}
