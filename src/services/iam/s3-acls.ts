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
  )) as Acl | undefined;
  return grants(acl, need.permission, anonymous ? undefined : (rt.integrations.s3?.canonicalId(call.principal.account) ?? ''));
}

type Acl = { Owner?: { ID?: string }; Grants?: { Grantee?: { URI?: string; ID?: string }; Permission?: string }[] };

/** Whether an ACL grants `permission` (or FULL_CONTROL) to AllUsers, or for a signed caller (its canonical id) to AuthenticatedUsers or itself. */
function grants(acl: Acl | undefined, permission: string, mine: string | undefined): boolean {
  return !!acl?.Grants?.some(
    (g) =>
      (g.Permission === permission || g.Permission === 'FULL_CONTROL') &&
      (g.Grantee?.URI === ALL_USERS ||
        (mine !== undefined && (g.Grantee?.URI === AUTHENTICATED_USERS || (!!mine && g.Grantee?.ID === mine)))),
  );
}

/** The object operations only the object's owner (or a grant of its ACL) allows, and the permission each needs. */
const OWNER_OPERATIONS: Record<string, string> = {
  GetObject: 'READ',
  HeadObject: 'READ',
  GetObjectAcl: 'READ_ACP',
  PutObjectAcl: 'WRITE_ACP',
};

/**
 * An object another account wrote into a bucket with ACLs (ObjectWriter) is that account's: no
 * policy of the bucket owner reaches it, so the bucket owner and everyone else (but the writer's
 * account) read it, or its ACL, only through its ACL (bucket-owner-read, bucket-owner-full-control,
 * a grant). The bucket owner may still delete it. True when the object's ACL refuses the call.
 */
export async function objectOwnerRefuses(rt: Runtime, call: CallInfo): Promise<boolean> {
  const permission = OWNER_OPERATIONS[call.operation];
  const input = call.input as Record<string, unknown>;
  if (call.service !== 's3' || !permission || typeof input.Bucket !== 'string' || typeof input.Key !== 'string') return false;
  const where = { account: call.principal.account, region: call.region };
  const read = async (op: string, args: Record<string, unknown>) => {
    try {
      return (await rt.invoke('s3', op, args, where)) as Acl;
    } catch {
      return undefined; // no such object or bucket: the handler answers
    }
  };
  const acl = await read('GetObjectAcl', { Bucket: input.Bucket, Key: input.Key, VersionId: input.VersionId });
  const mine = call.principal.kind === 'anonymous' ? undefined : (rt.integrations.s3?.canonicalId(call.principal.account) ?? '');
  if (!acl?.Owner?.ID || acl.Owner.ID === mine) return false;
  // an object of the bucket owner (every object while ACLs are off) is governed by the bucket's policies
  if (acl.Owner.ID === (await read('GetBucketAcl', { Bucket: input.Bucket }))?.Owner?.ID) return false;
  return !grants(acl, permission, mine);
}
