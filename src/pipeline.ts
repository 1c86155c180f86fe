// The seams of the request pipeline that services fill: authorize (IAM enforcement) runs after the
// input is parsed and before the handler; record (CloudTrail, request log, metrics) runs after the
// answer is known. The gateway calls them for every AWS call; it knows nothing of who listens.
import type { Principal } from './services/types.js';
import type { ServiceError } from './services/errors.js';

/** One AWS call as the gateway saw it, before the handler runs. */
export interface CallInfo {
  requestId: string;
  service: string;
  operation: string;
  /** the wire protocol the caller spoke (`rest-xml`, `query`, `json`, …): picks how a denial is spelled */
  protocol: string;
  account: string;
  region: string;
  principal: Principal;
  /** the parsed, typed input of the operation */
  input: unknown;
  /** lowercased request headers, as received */
  headers: Record<string, string | string[] | undefined>;
  sourceIp: string;
  userAgent?: string;
  /** true when the request came over TLS (never, today: aws:SecureTransport is false) */
  secure: boolean;
  /** virtual time of the call */
  time: Date;
}

/** The call and its outcome. */
export interface CallRecord extends CallInfo {
  status: number;
  output?: unknown;
  error?: ServiceError;
  durationMs: number;
}

/** Throws a ServiceError to refuse the call; anything else lets it through. */
export type Authorizer = (call: CallInfo) => void | Promise<void>;
export type Recorder = (call: CallRecord) => void;

export class Pipeline {
  private readonly authorizers: Authorizer[] = [];
  private readonly recorders: Recorder[] = [];

  /** Adds a check every call must pass before its handler runs. */
  onAuthorize(fn: Authorizer): void {
    this.authorizers.push(fn);
  }

  /** Adds an observer of every finished call (its failures are logged, never answered). */
  onRecord(fn: Recorder): void {
    this.recorders.push(fn);
  }

  get authorizing(): boolean {
    return this.authorizers.length > 0;
  }

  get recording(): boolean {
    return this.recorders.length > 0;
  }

  async authorize(call: CallInfo): Promise<void> {
    for (const fn of this.authorizers) await fn(call);
  }

  record(call: CallRecord, onError: (e: unknown) => void): void {
    for (const fn of this.recorders) {
      try {
        fn(call);
      } catch (e) {
        onError(e);
      }
    }
  }
}
