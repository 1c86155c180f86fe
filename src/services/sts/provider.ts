// AWS Security Token Service: who is calling, and temporary credentials.
import { randomBytes } from 'node:crypto';
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { StsProvider, Credentials } from '../../generated/sts.js';
import type { Principal } from '../types.js';
import { ServiceError } from '../errors.js';
import { DEFAULT_ACCOUNT } from '../../state/credentials.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomId = (n: number) => Array.from(randomBytes(n), (b) => BASE32[b & 31]).join('');

/** The account an access key belongs to: issued keys know theirs; a 12-digit key id names one. */
export function accountOfKey(rt: Runtime, accessKeyId: string): string {
  const issued = rt.credentials.get(accessKeyId);
  if (issued) return issued.principal.account;
  return /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT;
}

/** DurationSeconds within the role's (or user's) maximum; the model's constraints already hold. */
function duration(v: number | undefined, def: number, max: number): number {
  const d = v ?? def;
  if (d > max) throw new ServiceError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  return d;
}

function issue(rt: Runtime, principal: Principal, seconds: number): Credentials {
  const accessKeyId = 'ASIA' + randomId(16);
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = 'FwoGZXIvYXdzE' + randomBytes(96).toString('base64');
  const expiresAt = rt.clock.nowMs() + seconds * 1000;
  rt.credentials.issue({ accessKeyId, secretAccessKey, sessionToken, expiresAt, principal: { ...principal, accessKeyId, sessionToken } });
  return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expiresAt) };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

function create(rt: Runtime): StsProvider {
  return {
    GetCallerIdentity: (_input, ctx) => ({
      UserId: ctx.principal.userId,
      Account: ctx.principal.account,
      Arn: ctx.principal.arn,
    }),

    GetAccessKeyInfo: ({ AccessKeyId }) => ({ Account: accountOfKey(rt, AccessKeyId) }),

    GetSessionToken: ({ DurationSeconds }, ctx) => {
      if (ctx.principal.kind === 'assumed-role' || ctx.principal.sessionToken) {
        throw new ServiceError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
      }
      // account owners' sessions last at most an hour: longer requests are cut, not refused
      const seconds = ctx.principal.kind === 'root' ? Math.min(DurationSeconds ?? 3600, 3600) : (DurationSeconds ?? 43200);
      return { Credentials: issue(rt, ctx.principal, seconds) };
    },

    AssumeRole: ({ RoleArn, RoleSessionName, DurationSeconds, Policy }) => {
      const m = ROLE_ARN.exec(RoleArn);
      if (!m) throw new ServiceError('ValidationError', `${RoleArn} is invalid`);
      if (!SESSION_NAME.test(RoleSessionName)) {
        throw new ServiceError('ValidationError', `1 validation error detected: Value '${RoleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`);
      }
      const [, account, roleName] = m;
      const roleId = 'AROA' + randomId(17);
      const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${RoleSessionName}`;
      const principal: Principal = { kind: 'assumed-role', account, arn, userId: `${roleId}:${RoleSessionName}` };
      return {
        Credentials: issue(rt, principal, duration(DurationSeconds, 3600, 43200)),
        AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: arn },
        ...(Policy ? { PackedPolicySize: Math.min(100, Math.ceil((Policy.length / 2048) * 100)) } : {}),
      };
    },
  };
}

export const sts: ServiceDefinition = { name: 'sts', create };
