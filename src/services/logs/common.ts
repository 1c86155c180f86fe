// What the Logs handlers share: AWS's error texts, ARNs, group lookup by name or identifier, paging tokens.
import { ServiceError } from '../../kit.js';
import type { GroupRecord, LogsStore } from './store.js';

export const invalidParameter = (message: string) => new ServiceError('InvalidParameterException', message, 400);
export const noGroup = () => new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.', 400);
export const noStream = () => new ServiceError('ResourceNotFoundException', 'The specified log stream does not exist.', 400);
export const badToken = () => invalidParameter('The specified nextToken is invalid.');

export const groupArn = (region: string, account: string, name: string) => `arn:aws:logs:${region}:${account}:log-group:${name}`;
export const streamArn = (region: string, account: string, group: string, stream: string) =>
  `${groupArn(region, account, group)}:log-stream:${stream}`;

const GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:(.+?)(?::\*)?$/;

/** A group name from logGroupName or logGroupIdentifier (a name or an ARN, with or without `:*`). */
export function groupNameOf(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw invalidParameter('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (id === undefined) throw invalidParameter('Either logGroupName or logGroupIdentifier is required.');
  const m = GROUP_ARN.exec(id);
  return m ? m[3] : id;
}

/** A log group ARN's parts (TagResource, subscription destinations). */
export function parseGroupArn(arn: string): { region: string; account: string; name: string } | undefined {
  const m = GROUP_ARN.exec(arn);
  return m ? { region: m[1], account: m[2], name: m[3] } : undefined;
}

export function group(store: LogsStore, name: string): GroupRecord {
  const g = store.groups.get(name);
  if (!g) throw noGroup();
  return g;
}

/** opaque paging tokens */
export const encodeToken = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
export function decodeToken<T extends string | number>(token: string | undefined, type: 'string' | 'number' = 'string'): T | undefined {
  if (token === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    throw badToken();
  }
  if (typeof v !== type || (type === 'number' && (!Number.isInteger(v) || (v as number) < 0))) throw badToken();
  return v as T;
}

export function checkLimit(limit: number | undefined, max: number, dflt: number): number {
  if (limit === undefined) return dflt;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw invalidParameter(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : `less than or equal to ${max}`}`,
    );
  }
  return limit;
}

/** the retention cutoff of a group at `now` (epoch ms): events before it are gone */
export const cutoff = (g: GroupRecord, now: number) => (g.retentionInDays ? now - g.retentionInDays * 86_400_000 : 0);
