// Event notifications: the event record as AWS documents it (version 2.1), delivered to the SQS,
// SNS, Lambda and EventBridge destinations of the bucket's notification configuration when those
// services are present in this Nimbus.
import { extendedRequestId } from './profile.js';
import type { Runtime } from '../../runtime.js';
import type { RequestContext } from '../types.js';
import type { NotificationConfiguration, FilterRule } from '../../generated/s3.js';
import type { BucketRecord, ObjectRecord } from './store.js';
import { InFlight } from '../../kit.js';

export class Events {
  /** deliveries to SNS and Lambda: a clock advance whose lifecycle actions sent them waits for them */
  readonly inFlight = new InFlight();

  constructor(private readonly rt: Runtime) {}

  /** `name` without the `s3:` prefix: `ObjectCreated:Put`, `ObjectRemoved:Delete`, … */
  emit(b: BucketRecord, name: string, rec: ObjectRecord, ctx: RequestContext): void {
    const config = b.config.notification as NotificationConfiguration | undefined;
    if (!config) return;
    const record = this.record(b, name, rec, ctx);
    const wanted = (events: string[] | undefined, filter: { Key?: { FilterRules?: FilterRule[] } } | undefined) =>
      (events ?? []).some((e) => e === `s3:${name}` || (e.endsWith(':*') && `s3:${name}`.startsWith(e.slice(0, -1)))) &&
      matchesFilter(rec.key, filter?.Key?.FilterRules);
    const body = (id: string | undefined) =>
      JSON.stringify({ Records: [{ ...record, s3: { ...record.s3, configurationId: id ?? 'notification' } }] });
    const { sqs, sns, lambda, events } = this.rt.integrations;
    const failed = (what: string) => (e: unknown) => this.rt.log.warn(`s3 notification to ${what} failed: ${(e as Error).message}`);
    for (const q of config.QueueConfigurations ?? []) {
      if (!sqs || !wanted(q.Events, q.Filter)) continue;
      try {
        sqs.sendMessage(q.QueueArn, body(q.Id));
      } catch (e) {
        failed(q.QueueArn)(e);
      }
    }
    for (const t of config.TopicConfigurations ?? []) {
      if (sns && wanted(t.Events, t.Filter))
        void this.inFlight.track(sns.publish(t.TopicArn, body(t.Id), { subject: 'Amazon S3 Notification' }).catch(failed(t.TopicArn)));
    }
    for (const f of config.LambdaFunctionConfigurations ?? []) {
      if (lambda && wanted(f.Events, f.Filter))
        void this.inFlight.track(lambda.invoke(f.LambdaFunctionArn, Buffer.from(body(f.Id)), 'Event').catch(failed(f.LambdaFunctionArn)));
    }
    if (config.EventBridgeConfiguration && events) {
      events.putEvent(b.owner, b.region, {
        source: 'aws.s3',
        detailType: name.startsWith('ObjectCreated') ? 'Object Created' : 'Object Deleted',
        detail: {
          version: '0',
          bucket: { name: b.name },
          object: { key: rec.key, size: rec.size, etag: rec.etag.replace(/"/g, ''), 'version-id': rec.versionId },
          'request-id': ctx.requestId,
          requester: ctx.account,
        },
        resources: [`arn:aws:s3:::${b.name}`],
      });
    }
  }

  /** The test event S3 sends to each destination when a configuration is saved. */
  testEvent(b: BucketRecord, config: NotificationConfiguration, ctx: RequestContext): void {
    const body = JSON.stringify({
      Service: 'Amazon S3',
      Event: 's3:TestEvent',
      Time: ctx.clock.now().toISOString(),
      Bucket: b.name,
      RequestId: ctx.requestId,
      HostId: extendedRequestId(ctx.requestId),
    });
    for (const q of config.QueueConfigurations ?? []) {
      try {
        this.rt.integrations.sqs?.sendMessage(q.QueueArn, body);
      } catch {
        /* checked when the configuration was saved */
      }
    }
    for (const t of config.TopicConfigurations ?? []) void this.rt.integrations.sns?.publish(t.TopicArn, body).catch(() => {});
  }

  private record(b: BucketRecord, name: string, rec: ObjectRecord, ctx: RequestContext) {
    const created = name.startsWith('ObjectCreated');
    return {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: b.region,
      eventTime: ctx.clock.now().toISOString(),
      eventName: name,
      userIdentity: { principalId: `AWS:${ctx.principal.userId}` },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': extendedRequestId(ctx.requestId) },
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: b.name, ownerIdentity: { principalId: b.owner }, arn: `arn:aws:s3:::${b.name}` },
        object: {
          key: eventKey(rec.key),
          ...(created ? { size: rec.size, eTag: rec.etag.replace(/"/g, '') } : {}),
          ...(rec.versionId !== 'null' ? { versionId: rec.versionId } : {}),
          sequencer: rec.seq.toString(16).toUpperCase().padStart(16, '0'),
        },
      },
    };
  }
}

/**
 * The key as S3 writes it in events: form-encoded ("red flower.jpg" → "red+flower.jpg", "+" → "%2B",
 * parentheses and "=" encoded too), except that "/" is left as it is.
 */
export function eventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

function matchesFilter(key: string, rules: FilterRule[] | undefined): boolean {
  for (const r of rules ?? []) {
    const v = r.Value ?? '';
    if (r.Name?.toLowerCase() === 'prefix' && !key.startsWith(v)) return false;
    if (r.Name?.toLowerCase() === 'suffix' && !key.endsWith(v)) return false;
  }
  return true;
}
