// The instance profile's role as IMDS hands it to the instance: the role found through IAM
// (rt.invoke GetInstanceProfile), and temporary credentials issued as STS issues an assumed role's
// (`assumed-role/<role>/<instance-id>`), so they are verified and authorized under IAM enforcement.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../../kit.js';

export interface ProfileRole {
  profileArn: string;
  profileId: string;
  roleName: string;
  roleArn: string;
  roleId: string;
}

export interface RoleCredentials {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** How long issued credentials live (IMDS's are about 6 hours); new ones are issued when less than one remains. */
const LIFETIME_MS = 6 * 3600_000;
const RENEW_BEFORE_MS = 3600_000;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomId = (n: number) => Array.from(randomBytes(n), (b) => BASE32[b & 31]).join('');

/** The first role of an instance profile (by its ARN), or undefined when IAM knows none. */
export async function profileRole(rt: Runtime, where: { account: string; region: string }, profileArn: string): Promise<ProfileRole | undefined> {
  const name = profileArn.slice(profileArn.lastIndexOf('/') + 1);
  try {
    const out = await rt.invoke<{ InstanceProfile: { Arn: string; InstanceProfileId: string; Roles?: Array<{ RoleName: string; Arn: string; RoleId: string }> } }>(
      'iam', 'GetInstanceProfile', { InstanceProfileName: name }, where,
    );
    const role = out.InstanceProfile.Roles?.[0];
    if (!role) return undefined;
    return { profileArn: out.InstanceProfile.Arn, profileId: out.InstanceProfile.InstanceProfileId, roleName: role.RoleName, roleArn: role.Arn, roleId: role.RoleId };
  } catch {
    return undefined; // no such profile, or IAM is not served: IMDS has no role to offer
  }
}

/** Credentials for the role, reused while more than an hour of them remains. */
export function roleCredentials(rt: Runtime, account: string, role: ProfileRole, instanceId: string, held: RoleCredentials | undefined): RoleCredentials {
  const now = rt.clock.nowMs();
  if (held && held.roleArn === role.roleArn && held.expiresAt - now > RENEW_BEFORE_MS) return held;
  const accessKeyId = 'ASIA' + randomId(16);
  const secretAccessKey = randomBytes(30).toString('base64');
  const token = 'IQoJb3JpZ2luX2VjE' + randomBytes(96).toString('base64');
  const expiresAt = now + LIFETIME_MS;
  rt.credentials.issue({
    accessKeyId,
    secretAccessKey,
    sessionToken: token,
    expiresAt,
    principal: {
      kind: 'assumed-role', account, arn: `arn:aws:sts::${account}:assumed-role/${role.roleName}/${instanceId}`, userId: `${role.roleId}:${instanceId}`,
      accessKeyId, sessionToken: token, session: { roleArn: role.roleArn },
    },
  });
  return { roleArn: role.roleArn, accessKeyId, secretAccessKey, token, issuedAt: now, expiresAt };
}
