// What every service provider sees: the caller, the place, the time. Providers never touch HTTP.
import type { Clock } from '../state/clock.js';

export interface Principal {
  /** 'anonymous' only for unsigned requests (S3 public access, presigned POST forms). */
  kind: 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous';
  account: string;
  arn: string;
  userId: string;
  accessKeyId?: string;
  sessionToken?: string;
  /** a session's own context (STS AssumeRole, GetFederationToken): session policies, tags, its role */
  session?: { roleArn?: string; parentArn?: string; policies?: string[]; tags?: Record<string, string>; transitive?: string[]; sourceIdentity?: string };
}

export interface RequestContext {
  requestId: string;
  service: string;
  operation: string;
  account: string;
  region: string;
  principal: Principal;
  /** lowercased request headers, as received */
  headers: Record<string, string | string[] | undefined>;
  clock: Clock;
}

export type Handler<I, O> = (input: I, ctx: RequestContext) => O | Promise<O>;

/** A provider: the typed handlers of one service, keyed by operation name. */
export type Provider = Record<string, Handler<any, any> | undefined>;
