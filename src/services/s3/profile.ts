// S3's wire dialect: where it departs from what its protocol (restXml) and the other services do.
// The gateway reads this profile; it never names S3.
import { createHash } from 'node:crypto';
import type { ServiceProfile } from '../types.js';
import { ServiceError } from '../errors.js';

const VHOST_PATTERNS = [/^(.+)\.s3[.-][^:]*(?::\d+)?$/, /^(.+)\.localhost(?::\d+)?$/];

/** The bucket of a virtual-hosted-style request (`bucket.s3.localhost.localstack.cloud`, `bucket.localhost`). */
export function virtualHostBucket(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const h = host.toLowerCase();
  for (const re of VHOST_PATTERNS) {
    const m = re.exec(h);
    if (m && m[1] !== 's3' && !/^s3[.-]/.test(m[1])) return m[1];
  }
  return undefined;
}

/** S3's two request-id headers: a 16-character id and a base64 extended id. */
function requestIdHeaders(requestId: string): Record<string, string> {
  return {
    'x-amz-request-id': requestId.replace(/-/g, '').slice(0, 16).toUpperCase(),
    'x-amz-id-2': createHash('sha256').update(requestId).digest('base64'),
  };
}

export const s3Profile: ServiceProfile = {
  validateInput: false, // S3 checks its input its own way, with its own codes
  requestIdHeaders,
  virtualHost: virtualHostBucket,
  // bucket policies decide (public buckets, POST forms), so no request is refused for being unsigned
  anonymous: true,
  signing: 's3v4',
  wire: { noErrorWrapping: true, unwrappedOutputs: ['GetBucketLocation'] },
  // a request that names no service (unsigned, no target, no Action) is an S3 one, as on AWS's own endpoint
  routing: { fallback: true },
  errors: {
    internal: () => new ServiceError('InternalError', 'We encountered an internal error. Please try again.', 500, {}, false),
    throttling: () => new ServiceError('SlowDown', 'Please reduce your request rate.', 503, {}, false),
    malformedInput: 'MalformedXML',
    unknownOperation: () => new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405),
    invalidKey: (accessKeyId) =>
      new ServiceError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { AWSAccessKeyId: accessKeyId }),
    expiredToken: () => new ServiceError('ExpiredToken', 'The provided token has expired.', 400),
    signatureCodesAsIs: true,
  },
};
