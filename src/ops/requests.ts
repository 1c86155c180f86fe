// The request log: the last calls that reached an operation, kept in a fixed ring (no growth, one
// small object per call on the request path), listed newest first by `GET /_nimbus/requests`.
import type { CallInfo, CallRecord } from '../pipeline.js';

export interface LoggedCall {
  seq: number;
  /** virtual epoch ms */
  time: number;
  requestId: string;
  service: string;
  operation: string;
  account: string;
  region: string;
  principal: string;
  status: number;
  errorCode?: string;
  errorMessage?: string;
  latencyMs: number;
  faultId?: string;
}

export interface RequestFilter {
  service?: string;
  operation?: string;
  /** `200`, `4xx`, `error` (any status ≥ 300) */
  status?: string;
  account?: string;
  region?: string;
  after?: number;
  limit: number;
}

export const CAPACITY = 1000;

export class RequestLog {
  private readonly ring: (LoggedCall | undefined)[];
  private next = 0;
  private seq = 0;
  private count = 0;

  constructor(readonly capacity = CAPACITY) {
    this.ring = new Array<LoggedCall | undefined>(capacity);
  }

  /** Every call logged since start or the last clear. */
  get total(): number {
    return this.count;
  }

  add(call: CallRecord, faultId: string | undefined): void {
    const err = call.error;
    this.push(call, call.status, call.durationMs, err?.code, err?.message, faultId);
  }

  /** A call a timeout fault left unanswered: no status (0), error `RequestTimeout`. */
  addUnanswered(call: CallInfo, durationMs: number, faultId: string): void {
    this.push(
      call,
      0,
      durationMs,
      'RequestTimeout',
      'No answer: an injected timeout fault held the request and closed the connection.',
      faultId,
    );
  }

  private push(
    call: CallInfo,
    status: number,
    durationMs: number,
    errorCode: string | undefined,
    errorMessage: string | undefined,
    faultId: string | undefined,
  ): void {
    this.count++;
    this.ring[this.next] = {
      seq: ++this.seq,
      time: call.time.getTime(),
      requestId: call.requestId,
      service: call.service,
      operation: call.operation,
      account: call.account,
      region: call.region,
      principal: call.principal.arn,
      status,
      errorCode,
      errorMessage,
      latencyMs: Math.round(durationMs * 10) / 10,
      faultId,
    };
    this.next = (this.next + 1) % this.capacity;
  }

  /** Matching calls, newest first. */
  list(f: RequestFilter): LoggedCall[] {
    const wants = statusTest(f.status);
    const out: LoggedCall[] = [];
    for (let i = 1; i <= this.capacity && out.length < f.limit; i++) {
      const c = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (!c || (f.after !== undefined && c.seq <= f.after)) break;
      if (f.service && c.service !== f.service) continue;
      if (f.operation && c.operation !== f.operation) continue;
      if (f.account && c.account !== f.account) continue;
      if (f.region && c.region !== f.region) continue;
      if (!wants(c.status)) continue;
      out.push(c);
    }
    return out;
  }

  clear(): number {
    const n = this.ring.filter(Boolean).length;
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
    return n;
  }
}

/** Reads the `status` filter: an exact status, a class (`4xx`), or `error`. Throws RangeError for anything else. */
export function statusTest(s: string | undefined): (status: number) => boolean {
  if (!s) return () => true;
  if (s === 'error') return (n) => n >= 300 || n === 0;
  const cls = /^([1-5])xx$/i.exec(s);
  if (cls) return (n) => Math.floor(n / 100) === Number(cls[1]);
  if (/^\d{1,3}$/.test(s)) return (n) => n === Number(s);
  throw new RangeError(`status must be a status (404), a class (4xx, 5xx) or "error", not ${JSON.stringify(s)}`);
}

export const callView = (c: LoggedCall) => ({
  seq: c.seq,
  time: new Date(c.time).toISOString(),
  requestId: c.requestId,
  service: c.service,
  operation: c.operation,
  account: c.account,
  region: c.region,
  principal: c.principal,
  status: c.status,
  errorCode: c.errorCode ?? null,
  errorMessage: c.errorMessage ?? null,
  latencyMs: c.latencyMs,
  faultId: c.faultId ?? null,
});
