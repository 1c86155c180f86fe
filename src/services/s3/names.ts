// Bucket naming rules (general purpose buckets) and the region a CreateBucket request may name.
import { ServiceError } from '../errors.js';
import type { CreateBucketConfiguration } from '../../generated/s3.js';

const invalidName = (BucketName: string) =>
  new ServiceError('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName });

/** 3–63 lowercase letters, digits, dots and hyphens; starts and ends with a letter or digit; not an IP address; no reserved prefixes or suffixes. */
export function checkBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!ok) throw invalidName(name);
}

/** The region a new bucket lives in: us-east-1 takes no constraint, every other region its own name. */
export function bucketRegion(requestRegion: string, config: CreateBucketConfiguration | undefined): string {
  const lc = config?.LocationConstraint;
  if (lc === undefined || (lc as string) === '') {
    if (requestRegion !== 'us-east-1') {
      throw new ServiceError(
        'IllegalLocationConstraintException',
        'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.',
        400,
      );
    }
    return 'us-east-1';
  }
  if ((lc as string) === 'us-east-1')
    throw new ServiceError('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, { LocationConstraint: lc });
  const region = lc === 'EU' ? 'eu-west-1' : lc;
  if (region !== requestRegion) {
    throw new ServiceError(
      'IllegalLocationConstraintException',
      `The ${lc} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    );
  }
  return region;
}
