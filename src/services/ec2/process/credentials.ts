// The instance profile's role as IMDS hands it to the instance: the role found through IAM
// (rt.invoke GetInstanceProfile), and temporary credentials issued as STS issues an assumed role's
// (`assumed-role/<role>/<instance-id>`), so they are verified and authorized under IAM enforcement,
// and expire six hours (of real time, as the instance sees time) after they were issued.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../../kit.js';

export interface ProfileRole {
  profileArn: string;
  profileId: string;
  roleName: string;
  roleArn: string;
  roleId: string;
}

/**
 * Credentials handed to an instance. Their times are real ones: the SDK inside the instance ages
 * them by its own clock, which a virtual clock advance does not move (so an advance carries their
 * virtual expiry along instead of expiring them under it: `carryOver`).
 */
export interface RoleCredentials {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
  /** real epoch ms */
  issuedAt: number;
  /** real epoch ms */
  expiresAt: number;
}

/** How long issued credentials live (IMDS's are about 6 hours); new ones are issued when less than one remains. */
const LIFETIME_MS = 6 * 3600_000;
const RENEW_BEFORE_MS = 3600_000;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomId = (n: number) => Array.from(randomBytes(n), (b) => BASE32[b & 31]).join('');

/** The first role of an instance profile (by its ARN), or undefined when IAM knows none. */
export async function profileRole(
  rt: Runtime,
  where: { account: string; region: string },
  profileArn: string,
): Promise<ProfileRole | undefined> {
  const name = profileArn.slice(profileArn.lastIndexOf('/') + 1);
  try {
    const out = await rt.invoke<{
      InstanceProfile: { Arn: string; InstanceProfileId: string; Roles?: Array<{ RoleName: string; Arn: string; RoleId: string }> };
    }>('iam', 'GetInstanceProfile', { InstanceProfileName: name }, where);
    const role = out.InstanceProfile.Roles?.[0];
    if (!role) return undefined;
    return {
      profileArn: out.InstanceProfile.Arn,
      profileId: out.InstanceProfile.InstanceProfileId,
      roleName: role.RoleName,
      roleArn: role.Arn,
      roleId: role.RoleId,
    };
  } catch {
    return undefined; // no such profile, or IAM is not served: IMDS has no role to offer
  }
}

/** Credentials for the role, reused while more than an hour of them remains. */
export function roleCredentials(
  rt: Runtime,
  account: string,
  role: ProfileRole,
  instanceId: string,
  held: RoleCredentials | undefined,
): RoleCredentials {
  const real = rt.clock.real().getTime();
  if (held && held.roleArn === role.roleArn && held.expiresAt - real > RENEW_BEFORE_MS) return held;
  const accessKeyId = 'ASIA' + randomId(16);
  const secretAccessKey = randomBytes(30).toString('base64');
  const token = 'IQoJb3JpZ2luX2VjE' + randomBytes(96).toString('base64');
  rt.credentials.issue({
    accessKeyId,
    secretAccessKey,
    sessionToken: token,
    expiresAt: rt.clock.nowMs() + LIFETIME_MS,
    principal: {
      kind: 'assumed-role',
      account,
      arn: `arn:aws:sts::${account}:assumed-role/${role.roleName}/${instanceId}`,
      userId: `${role.roleId}:${instanceId}`,
      accessKeyId,
      sessionToken: token,
      session: { roleArn: role.roleArn },
    },
  });
  return { roleArn: role.roleArn, accessKeyId, secretAccessKey, token, issuedAt: real, expiresAt: real + LIFETIME_MS };
}

/** After a clock advance: the credentials' virtual expiry is as far ahead as their real one. */
export function carryOver(rt: Runtime, c: RoleCredentials): void {
  const issued = rt.credentials.get(c.accessKeyId);
  if (issued) rt.credentials.issue({ ...issued, expiresAt: rt.clock.nowMs() + (c.expiresAt - rt.clock.real().getTime()) });
}
