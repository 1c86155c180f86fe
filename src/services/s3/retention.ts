// Per-version settings changed in place: Object Lock retention and legal hold, object ACLs.
import type { S3Provider } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import type { S3Store, BucketRecord } from './store.js';
import { readable, saveInPlace } from './objects.js';
import { aclPolicy } from './acl.js';
import { requestedAcl } from './grantees.js';
import { checkAclUpdate, effectiveAcl, ownerOf } from './ownership.js';
import { owner } from './attributes.js';
import { pastRetention } from './lock.js';
import { invalidRequest, malformedXml } from './errors.js';

const lockedBucket = (store: S3Store, name: string): BucketRecord => {
  const b = store.bucket(name);
  if (!b.objectLock) throw invalidRequest('Bucket is missing Object Lock Configuration');
  return b;
};

export function retentionHandlers(store: S3Store): S3Provider {
  return {
    PutObjectRetention: (input, ctx) => {
      const b = lockedBucket(store, input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      const r = input.Retention ?? {};
      if (r.Mode && r.Mode !== 'GOVERNANCE' && r.Mode !== 'COMPLIANCE') throw malformedXml();
      if (r.RetainUntilDate && r.RetainUntilDate <= ctx.clock.now()) throw pastRetention();
      const l = rec.lock ?? {};
      const active = l.mode && l.until && l.until > ctx.clock.now();
      // COMPLIANCE can only be extended; GOVERNANCE only changed with the bypass header
      const shortens = !r.RetainUntilDate || (l.until && r.RetainUntilDate < l.until) || r.Mode !== l.mode;
      if (active && shortens && (l.mode === 'COMPLIANCE' || !input.BypassGovernanceRetention)) {
        throw new ServiceError('AccessDenied', 'Access Denied because object protected by object lock.', 403);
      }
      rec.lock = { ...l, mode: r.Mode, until: r.RetainUntilDate };
      saveInPlace(store, b, rec);
      return {};
    },
    GetObjectRetention: (input) => {
      const b = lockedBucket(store, input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      if (!rec.lock?.mode)
        throw new ServiceError('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', 404);
      return { Retention: { Mode: rec.lock.mode as 'GOVERNANCE', RetainUntilDate: rec.lock.until } };
    },
    PutObjectLegalHold: (input) => {
      const b = lockedBucket(store, input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      const status = input.LegalHold?.Status;
      if (status !== 'ON' && status !== 'OFF') throw malformedXml();
      rec.lock = { ...rec.lock, legalHold: status };
      saveInPlace(store, b, rec);
      return {};
    },
    GetObjectLegalHold: (input) => {
      const b = lockedBucket(store, input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      if (!rec.lock?.legalHold)
        throw new ServiceError('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', 404);
      return { LegalHold: { Status: rec.lock.legalHold as 'ON' } };
    },
    PutObjectAcl: (input) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      const acl = requestedAcl(store, ownerOf(b, rec), input);
      checkAclUpdate(b, acl);
      rec.acl = acl ?? 'private';
      saveInPlace(store, b, rec);
      return {};
    },
    GetObjectAcl: (input) => {
      const b = store.bucket(input.Bucket);
      const rec = readable(store, b, input.Key, input.VersionId);
      const by = ownerOf(b, rec);
      return { ...aclPolicy(by, effectiveAcl(b, rec.acl), b.owner), Owner: owner(by) };
    },
  };
}
