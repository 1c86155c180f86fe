// Object Lock: retention (GOVERNANCE, COMPLIANCE) and legal hold, checked against the virtual clock.
import { ServiceError } from '../errors.js';
import type { ObjectLockConfiguration } from '../../generated/s3.js';
import type { BucketRecord, ObjectRecord } from './store.js';
import { invalidArgument, invalidRequest } from './errors.js';

type LockInput = { ObjectLockMode?: string; ObjectLockRetainUntilDate?: Date; ObjectLockLegalHoldStatus?: string };
const DAY = 86_400_000;

export const pastRetention = () => invalidArgument('The retain until date must be in the future!');

/** The lock a new version gets: from the request, else the bucket's default retention. */
export function lockFromInput(b: BucketRecord, input: LockInput, now: Date): ObjectRecord['lock'] {
  const asked = input.ObjectLockMode || input.ObjectLockRetainUntilDate || input.ObjectLockLegalHoldStatus;
  if (!b.objectLock) {
    if (asked) throw invalidRequest('Bucket is missing Object Lock Configuration');
    return undefined;
  }
  if (!!input.ObjectLockMode !== !!input.ObjectLockRetainUntilDate) {
    throw invalidRequest('x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied');
  }
  if (input.ObjectLockMode && input.ObjectLockMode !== 'GOVERNANCE' && input.ObjectLockMode !== 'COMPLIANCE') {
    throw invalidArgument('Unknown wormMode directive.', 'x-amz-object-lock-mode', input.ObjectLockMode);
  }
  if (input.ObjectLockRetainUntilDate && input.ObjectLockRetainUntilDate <= now) throw pastRetention();
  const lock: NonNullable<ObjectRecord['lock']> = {};
  if (input.ObjectLockMode) {
    lock.mode = input.ObjectLockMode;
    lock.until = input.ObjectLockRetainUntilDate;
  } else {
    const rule = (b.config.objectLock as ObjectLockConfiguration | undefined)?.Rule?.DefaultRetention;
    if (rule?.Mode) {
      lock.mode = rule.Mode;
      lock.until = new Date(now.getTime() + (rule.Days ?? 0) * DAY + (rule.Years ?? 0) * 365 * DAY);
    }
  }
  if (input.ObjectLockLegalHoldStatus) lock.legalHold = input.ObjectLockLegalHoldStatus;
  return lock;
}

const denied = () => new ServiceError('AccessDenied', 'Access Denied because object protected by object lock.', 403);

/** A version under legal hold, COMPLIANCE retention or (without the bypass header) GOVERNANCE retention cannot be deleted. */
export function checkLockedDelete(rec: ObjectRecord, bypassGovernance: boolean, now: Date): void {
  const l = rec.lock;
  if (!l) return;
  if (l.legalHold === 'ON') throw denied();
  if (l.mode && l.until && l.until > now && (l.mode === 'COMPLIANCE' || !bypassGovernance)) throw denied();
}
