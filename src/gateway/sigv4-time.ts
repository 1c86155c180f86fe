// SigV4's time checks: the 15-minute skew window, presigned expiry (X-Amz-Expires in the s3v4
// variant), SigV2 presigned expiry.
import { ServiceError } from '../services/errors.js';
import { MAX_SKEW_MS, S3V4, accessDenied, formatAmzDate, isoSeconds, mismatch, type SigningVariant } from './sigv4-base.js';

// ------------------------------------------------------------------------------------

/**
 * A header-signed request must be signed within 15 minutes of now (either way); `now` is the real
 * clock, the one the client signed with.
 */
export function checkSkew(amzDate: Date, now: Date | number, variant: SigningVariant): void {
  const t = amzDate.getTime();
  const n = typeof now === 'number' ? now : now.getTime();
  if (t >= n - MAX_SKEW_MS && t <= n + MAX_SKEW_MS) return;
  if (variant === S3V4) {
    throw new ServiceError('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403, {
      RequestTime: formatAmzDate(t),
      ServerTime: isoSeconds(n),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
  throw t < n
    ? mismatch(
        `Signature expired: ${formatAmzDate(t)} is now earlier than ${formatAmzDate(n - MAX_SKEW_MS)} (${formatAmzDate(n)} - 15 min.)`,
      )
    : mismatch(
        `Signature not yet current: ${formatAmzDate(t)} is still later than ${formatAmzDate(n + MAX_SKEW_MS)} (${formatAmzDate(n)} + 15 min.)`,
      );
}

/**
 * An S3 SigV2 presigned URL (the AWS CLI v1 still makes them) carries only its absolute expiry
 * time, so it is compared with `now` as it is: on the virtual clock, advancing past it expires it.
 */
export function checkV2PresignedExpiry(expiresAt: Date, now: Date | number): void {
  const n = typeof now === 'number' ? now : now.getTime();
  if (n > expiresAt.getTime()) throw accessDenied('Request has expired', { Expires: isoSeconds(expiresAt), ServerTime: isoSeconds(n) });
}

/**
 * A presigned request. S3 honours X-Amz-Expires (AccessDenied "Request has expired", with the
 * X-Amz-Expires / Expires / ServerTime fields S3 adds). Other services ignore X-Amz-Expires and
 * allow the usual 15 minutes around the signing time (STS presigned GetCallerIdentity, as used by
 * EKS tokens, behaves so), failing with the same "Signature expired: …" as a header-signed request.
 */
export function checkPresignedExpiry(amzDate: Date, expiresSeconds: number, now: Date | number, variant: SigningVariant): void {
  if (variant !== S3V4) return checkSkew(amzDate, now, variant);
  const t = amzDate.getTime();
  const n = typeof now === 'number' ? now : now.getTime();
  if (t - n > MAX_SKEW_MS) throw accessDenied('Request is not valid yet');
  const expiresAt = t + expiresSeconds * 1000;
  if (n > expiresAt) {
    throw accessDenied('Request has expired', {
      'X-Amz-Expires': String(expiresSeconds),
      Expires: isoSeconds(expiresAt),
      ServerTime: isoSeconds(n),
    });
  }
}
