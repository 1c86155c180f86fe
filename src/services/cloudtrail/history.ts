// The event history: management events of the last 90 days per account and region, recorded in
// batches off the request path and answered by LookupEvents newest first.
import type { CallRecord, Collection, Runtime, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { LookupEventsRequest, LookupEventsResponse } from '../../generated/cloudtrail.js';
import { toEvent, type StoredEvent } from './record.js';

const RETENTION_MS = 90 * 86_400_000;
/**
 * How long calls gather before they are written: one transaction (and one SQLite commit) for all
 * calls of the window rather than one for each turn of the event loop, which cost more than a small
 * call itself. Readers never wait for it: LookupEvents, a clock advance and closing flush first.
 */
const BATCH_MS = 50;
const pad = (ms: number) => String(ms).padStart(15, '0');

export interface HistoryScope {
  events: Collection<StoredEvent>;
}

export class History {
  private pending: CallRecord[] = [];
  private scheduled = false;
  readonly stores: Stores<HistoryScope>;
  /** listeners of each recorded event (trails) */
  readonly sinks: ((call: CallRecord, event: StoredEvent, record: Record<string, unknown>) => void)[] = [];

  constructor(private readonly rt: Runtime) {
    this.stores = rt.stores('cloudtrail', (s) => ({ events: s.collection<StoredEvent>('events') }));
  }

  /** Queues a call; the batch is turned into events BATCH_MS later. */
  add(call: CallRecord): void {
    this.pending.push(call);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.flush(), BATCH_MS).unref();
    }
  }

  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      this.write(batch);
    } catch (e) {
      // the runtime closed with calls still queued (a stopped server): nothing left to keep them in
      this.rt.log.debug(`cloudtrail: ${batch.length} events not recorded: ${(e as Error).message}`);
    }
  }

  private write(batch: CallRecord[]): void {
    this.rt.engine.transaction(() => {
      for (const call of batch) {
        try {
          const { event, record } = toEvent(call);
          if (record.managementEvent) this.stores.get(call.account, call.region).events.put(`${pad(event.time)}/${event.id}`, event);
          for (const sink of this.sinks) sink(call, event, record);
        } catch (e) {
          this.rt.log.error(`cloudtrail: ${(e as Error).stack ?? e}`);
        }
      }
    });
  }

  lookup(account: string, region: string, input: LookupEventsRequest): LookupEventsResponse {
    this.flush();
    if (input.EventCategory === 'insight') return { Events: [] }; // Nimbus raises no Insights events
    const attrs = input.LookupAttributes ?? [];
    if (attrs.length > 1) throw new ServiceError('InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
    const max = input.MaxResults ?? 50;
    if (max < 1 || max > 50)
      throw new ServiceError('InvalidMaxResultsException', 'Value for MaxResults is invalid. It must be between 1 and 50.');
    if (input.StartTime && input.EndTime && input.StartTime > input.EndTime) {
      throw new ServiceError('InvalidTimeRangeException', 'Start time must be equal to or earlier than end time.');
    }
    const events = this.stores.get(account, region).events;
    const cutoff = this.rt.clock.nowMs() - RETENTION_MS;
    for (const [k] of [...events.scan({ before: pad(cutoff) })]) events.delete(k);
    const from = pad(Math.max(cutoff, input.StartTime?.getTime() ?? 0));
    let before = input.EndTime ? pad(input.EndTime.getTime() + 1) : undefined;
    if (input.NextToken) {
      const t = Buffer.from(input.NextToken, 'base64url').toString();
      if (!/^\d{15}\//.test(t)) throw new ServiceError('InvalidNextTokenException', 'Invalid NextToken.');
      before = t;
    }
    const match = matcher(attrs[0]);
    const out: StoredEvent[] = [];
    let last: string | undefined;
    let more = false;
    for (const [k, e] of events.scan({ from, before, reverse: true })) {
      if (!match(e)) continue;
      if (out.length === max) {
        more = true;
        break;
      }
      out.push(e);
      last = k;
    }
    return {
      Events: out.map((e) => ({
        EventId: e.id,
        EventName: e.name,
        ReadOnly: String(e.readOnly),
        AccessKeyId: e.accessKeyId || undefined,
        EventTime: new Date(e.time),
        EventSource: e.source,
        Username: e.username || undefined,
        Resources: e.resources,
        CloudTrailEvent: e.json,
      })),
      ...(more && last ? { NextToken: Buffer.from(last).toString('base64url') } : {}),
    };
  }
}

function matcher(attr: { AttributeKey: string; AttributeValue: string } | undefined): (e: StoredEvent) => boolean {
  if (!attr) return () => true;
  const v = attr.AttributeValue;
  switch (attr.AttributeKey) {
    case 'EventId':
      return (e) => e.id === v;
    case 'EventName':
      return (e) => e.name === v;
    case 'EventSource':
      return (e) => e.source === v;
    case 'ReadOnly':
      return (e) => String(e.readOnly) === v;
    case 'Username':
      return (e) => e.username === v;
    case 'AccessKeyId':
      return (e) => e.accessKeyId === v;
    case 'ResourceName':
      return (e) => e.resources.some((r) => r.ResourceName === v);
    case 'ResourceType':
      return (e) => e.resources.some((r) => r.ResourceType === v);
    default:
      throw new ServiceError('InvalidLookupAttributesException', `Invalid attribute key: ${attr.AttributeKey}`);
  }
}
