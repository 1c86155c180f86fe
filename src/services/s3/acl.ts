// Canned ACLs as the grants S3 reports for them (stored and returned; enforced once IAM lands).
import type { AccessControlPolicy, Grant } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import { owner } from './attributes.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const group = (URI: string, Permission: Grant['Permission']): Grant => ({ Grantee: { Type: 'Group', URI }, Permission });

const CANNED = new Set([
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
]);

export function checkCannedAcl(acl: string | undefined): void {
  if (acl !== undefined && !CANNED.has(acl))
    throw new ServiceError('InvalidArgument', '', 400, { ArgumentName: 'x-amz-acl', ArgumentValue: acl });
}

const user = (account: string, Permission: Grant['Permission']): Grant => {
  const o = owner(account);
  return { Grantee: { Type: 'CanonicalUser', ID: o.ID, DisplayName: o.DisplayName }, Permission };
};

/**
 * The ACL a canned name (or a full policy) stands for, owned by `account`; the bucket-owner-* names
 * grant the bucket's owner (`bucketOwner`, when another account owns the object) too.
 */
export function aclPolicy(account: string, acl: string | AccessControlPolicy | undefined, bucketOwner = account): AccessControlPolicy {
  if (acl !== undefined && typeof acl !== 'string') return { Owner: acl.Owner ?? owner(account), Grants: acl.Grants ?? [] };
  const o = owner(account);
  const grants: Grant[] = [user(account, 'FULL_CONTROL')];
  if (bucketOwner !== account && acl === 'bucket-owner-full-control') grants.push(user(bucketOwner, 'FULL_CONTROL'));
  if (bucketOwner !== account && acl === 'bucket-owner-read') grants.push(user(bucketOwner, 'READ'));
  if (acl === 'public-read' || acl === 'public-read-write') grants.push(group(ALL_USERS, 'READ'));
  if (acl === 'public-read-write') grants.push(group(ALL_USERS, 'WRITE'));
  if (acl === 'authenticated-read') grants.push(group(AUTH_USERS, 'READ'));
  return { Owner: o, Grants: grants };
}
