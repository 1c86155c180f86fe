// S3's access control lists, consulted when a bucket policy did not decide and the bucket's ownership allows ACLs.
import type { CallInfo, Runtime } from '../../kit.js';
import type { EvalRequest, Verdict } from './policy/evaluate.js';
import type { Ask } from './actions.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
/** The ACL permission an S3 action needs, and whether the object's ACL (else the bucket's) grants it. */
const ACL_PERMISSION: Record<string, { permission: string; object: boolean }> = {
  's3:GetObject': { permission: 'READ', object: true },
  's3:GetObjectVersion': { permission: 'READ', object: true },
  's3:ListBucket': { permission: 'READ', object: false },
  's3:ListBucketVersions': { permission: 'READ', object: false },
  's3:ListBucketMultipartUploads': { permission: 'READ', object: false },
  's3:PutObject': { permission: 'WRITE', object: false },
  's3:DeleteObject': { permission: 'WRITE', object: false },
  's3:GetObjectAcl': { permission: 'READ_ACP', object: true },
  's3:GetBucketAcl': { permission: 'READ_ACP', object: false },
  's3:PutObjectAcl': { permission: 'WRITE_ACP', object: true },
  's3:PutBucketAcl': { permission: 'WRITE_ACP', object: false },
  's3:GetObjectVersionAcl': { permission: 'READ_ACP', object: true },
  's3:PutObjectVersionAcl': { permission: 'WRITE_ACP', object: true },
  's3:DeleteObjectVersion': { permission: 'WRITE', object: false },
  's3:AbortMultipartUpload': { permission: 'WRITE', object: false },
  's3:ListMultipartUploadParts': { permission: 'READ', object: false },
};

/**
 * S3's ACLs, for the anonymous and other accounts when no bucket policy decided: a grant of the
 * permission the action needs (or FULL_CONTROL) to AllUsers, or for a signed request to
 * AuthenticatedUsers or the caller's account by its canonical id (email grants are stored so).
 * Buckets whose ownership is BucketOwnerEnforced (the default for new buckets) have no ACLs.
 */
export async function s3AclGrants(rt: Runtime, call: CallInfo, ask: Ask, verdict: Verdict, req: EvalRequest): Promise<boolean> {
  if (call.service !== 's3' || verdict.decision !== 'ImplicitDeny' || verdict.policyType !== 'resource-based policy') return false;
  const anonymous = call.principal.kind === 'anonymous';
  if (!anonymous && req.resourceAccount === call.principal.account) return false;
  const need = ACL_PERMISSION[ask.action];
  const input = call.input as Record<string, unknown>;
  if (!need || typeof input.Bucket !== 'string') return false;
  const where = { account: call.principal.account, region: call.region };
  const read = async (op: string, args: Record<string, unknown>) => {
    try {
      return await rt.invoke('s3', op, args, where);
    } catch {
      return undefined;
    }
  };
  const own = (await read('GetBucketOwnershipControls', { Bucket: input.Bucket })) as
    { OwnershipControls?: { Rules?: { ObjectOwnership?: string }[] } } | undefined;
  // a bucket whose ownership controls were deleted has ACLs, as buckets had before the setting (ObjectWriter)
  if ((own?.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? 'ObjectWriter') === 'BucketOwnerEnforced') return false;
  const onObject = need.object && typeof input.Key === 'string';
  const acl = (await read(
    onObject ? 'GetObjectAcl' : 'GetBucketAcl',
    onObject ? { Bucket: input.Bucket, Key: input.Key, VersionId: input.VersionId } : { Bucket: input.Bucket },
  )) as { Grants?: { Grantee?: { URI?: string; ID?: string }; Permission?: string }[] } | undefined;
  const mine = anonymous ? undefined : rt.integrations.s3?.canonicalId(call.principal.account);
  return !!acl?.Grants?.some(
    (g) =>
      (g.Permission === need.permission || g.Permission === 'FULL_CONTROL') &&
      (g.Grantee?.URI === ALL_USERS || (!anonymous && (g.Grantee?.URI === AUTHENTICATED_USERS || (!!mine && g.Grantee?.ID === mine)))),
  );
}
