// S3 Object Ownership: who owns an object another account writes, and which ACLs a bucket accepts.
// BucketOwnerEnforced (the default for new buckets) disables ACLs: a write may name no ACL or only
// bucket-owner-full-control, ACL updates are refused, and the bucket owner owns every object.
// ObjectWriter leaves a written object to its writer; BucketOwnerPreferred gives it to the bucket
// owner when the writer sends bucket-owner-full-control. A bucket without ownership controls (they
// were deleted) behaves as ObjectWriter, as buckets did before the setting existed.
import type { AccessControlPolicy } from '../../generated/s3.js';
import type { RequestContext } from '../types.js';
import { ServiceError } from '../errors.js';
import type { BucketRecord, S3Store } from './store.js';
import { owner } from './attributes.js';
import { requestedAcl, type GrantHeaders } from './grantees.js';

export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
type Acl = string | AccessControlPolicy | undefined;

export const aclNotSupported = () => new ServiceError('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
const aclWithOwnership = () =>
  new ServiceError(
    'InvalidBucketAclWithObjectOwnership',
    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    400,
  );

export function objectOwnership(b: BucketRecord): ObjectOwnership {
  const controls = b.config.ownershipControls as { Rules?: { ObjectOwnership?: ObjectOwnership }[] } | undefined;
  return controls?.Rules?.[0]?.ObjectOwnership ?? 'ObjectWriter';
}

const enforced = (b: BucketRecord) => objectOwnership(b) === 'BucketOwnerEnforced';

/** An ACL that grants nothing beyond the given owners' FULL_CONTROL (the form a bucket without ACLs accepts). */
function ownersOnly(acl: AccessControlPolicy, owners: string[]): boolean {
  const ids = new Set(owners.map((a) => owner(a).ID));
  return (acl.Grants ?? []).every((g) => g.Permission === 'FULL_CONTROL' && g.Grantee?.Type === 'CanonicalUser' && ids.has(g.Grantee.ID!));
}

/** An object write's ACL (PutObject, CopyObject, CreateMultipartUpload, a POST form): none or bucket-owner-full-control while ACLs are off. */
export function checkWriteAcl(b: BucketRecord, writer: string, acl: Acl): void {
  if (!enforced(b) || acl === undefined || acl === 'bucket-owner-full-control') return;
  if (typeof acl !== 'string' && ownersOnly(acl, [b.owner, writer]) && acl.Grants?.length) return;
  throw aclNotSupported();
}

/** PutObjectAcl and PutBucketAcl: refused while ACLs are off, but for the bucket owner's own full control. */
export function checkAclUpdate(b: BucketRecord, acl: Acl): void {
  if (!enforced(b) || acl === 'bucket-owner-full-control') return;
  if (acl !== undefined && typeof acl !== 'string' && acl.Grants?.length && ownersOnly(acl, [b.owner])) return;
  throw aclNotSupported();
}

/** CreateBucket's ACL under the ownership it asks for: a bucket without ACLs may only be private. */
export function checkCreateAcl(ownership: string | undefined, account: string, acl: Acl): void {
  if ((ownership ?? 'BucketOwnerEnforced') !== 'BucketOwnerEnforced' || acl === undefined || acl === 'private') return;
  if (typeof acl !== 'string' && ownersOnly(acl, [account])) return;
  throw aclWithOwnership();
}

/** PutBucketOwnershipControls to BucketOwnerEnforced: the bucket's ACL must grant nothing beyond its owner. */
export function checkEnforceable(b: BucketRecord, ownership: string | undefined): void {
  if (ownership !== 'BucketOwnerEnforced') return;
  const acl = b.config.acl as AccessControlPolicy | undefined;
  if (acl && !ownersOnly(acl, [b.owner])) throw aclWithOwnership();
}

/** The account writing an object (an anonymous writer's objects go to the bucket owner). */
export const writerOf = (b: BucketRecord, ctx: RequestContext): string => (ctx.principal.kind === 'anonymous' ? b.owner : ctx.account);

/** The account that owns an object written by `writer` with `acl` (stored only when it is not the bucket owner). */
export function writtenBy(b: BucketRecord, writer: string, acl: Acl): string | undefined {
  const mode = objectOwnership(b);
  if (writer === b.owner || mode === 'BucketOwnerEnforced') return undefined;
  if (mode === 'BucketOwnerPreferred' && acl === 'bucket-owner-full-control') return undefined;
  return writer;
}

/** A new object's ACL fields: the ACL the request names (checked against the bucket's ownership) and its owner when not the bucket's. */
export function newObjectAcl(store: S3Store, b: BucketRecord, ctx: RequestContext, input: GrantHeaders): { acl: Acl; owner?: string } {
  const writer = writerOf(b, ctx);
  const acl = requestedAcl(store, writer, input);
  checkWriteAcl(b, writer, acl);
  const by = writtenBy(b, writer, acl);
  return by === undefined ? { acl } : { acl, owner: by };
}

/** The account an object belongs to now: the bucket owner while ACLs are off, else its writer. */
export const ownerOf = (b: BucketRecord, rec: { owner?: string }): string => (enforced(b) ? b.owner : (rec.owner ?? b.owner));

/** The ACL an object shows: while ACLs are off, the bucket owner's full control whatever was stored. */
export const effectiveAcl = (b: BucketRecord, acl: Acl): Acl => (enforced(b) ? undefined : acl);
