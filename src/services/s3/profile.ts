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

/** S3's request id: 16 uppercase hexadecimal characters (taken from a random UUID). */
const requestId = (uuid: string) => uuid.replace(/-/g, '').slice(0, 16).toUpperCase();

/** S3's extended request id (`x-amz-id-2`, the error body's HostId): base64, derived from the request id. */
export const extendedRequestId = (id: string) => createHash('sha512').update(id).digest('base64').slice(0, 76);

/** S3's two request-id headers: the request id and its extended id. */
function requestIdHeaders(id: string): Record<string, string> {
  return { 'x-amz-request-id': id, 'x-amz-id-2': extendedRequestId(id) };
}

/** The root element of each XML output as S3 writes it (Smithy's @xmlName; the botocore model names none). */
const OUTPUT_ROOTS: Record<string, string> = {
  CompleteMultipartUpload: 'CompleteMultipartUploadResult',
  CreateMultipartUpload: 'InitiateMultipartUploadResult',
  CreateSession: 'CreateSessionResult',
  DeleteObjects: 'DeleteResult',
  GetBucketAccelerateConfiguration: 'AccelerateConfiguration',
  GetBucketAcl: 'AccessControlPolicy',
  GetBucketCors: 'CORSConfiguration',
  GetBucketLifecycle: 'LifecycleConfiguration',
  GetBucketLifecycleConfiguration: 'LifecycleConfiguration',
  GetBucketLogging: 'BucketLoggingStatus',
  GetBucketNotification: 'NotificationConfiguration',
  GetBucketNotificationConfiguration: 'NotificationConfiguration',
  GetBucketRequestPayment: 'RequestPaymentConfiguration',
  GetBucketTagging: 'Tagging',
  GetBucketVersioning: 'VersioningConfiguration',
  GetBucketWebsite: 'WebsiteConfiguration',
  GetObjectAcl: 'AccessControlPolicy',
  GetObjectAttributes: 'GetObjectAttributesResponse',
  GetObjectTagging: 'Tagging',
  ListBucketAnalyticsConfigurations: 'ListBucketAnalyticsConfigurationResult',
  ListBucketInventoryConfigurations: 'ListInventoryConfigurationsResult',
  ListBucketMetricsConfigurations: 'ListMetricsConfigurationsResult',
  ListBuckets: 'ListAllMyBucketsResult',
  ListDirectoryBuckets: 'ListAllMyDirectoryBucketsResult',
  ListMultipartUploads: 'ListMultipartUploadsResult',
  ListObjectVersions: 'ListVersionsResult',
  ListObjects: 'ListBucketResult',
  ListObjectsV2: 'ListBucketResult',
  ListParts: 'ListPartsResult',
};

export const s3Profile: ServiceProfile = {
  validateInput: false, // S3 checks its input its own way, with its own codes
  requestId,
  extendedRequestId,
  requestIdHeaders,
  virtualHost: virtualHostBucket,
  // bucket policies decide (public buckets, POST forms), so no request is refused for being unsigned
  anonymous: true,
  signing: 's3v4',
  wire: { noErrorWrapping: true, unwrappedOutputs: ['GetBucketLocation'], outputRoots: OUTPUT_ROOTS },
  // a request that names no service (unsigned, no target, no Action) is an S3 one, as on AWS's own endpoint
  routing: { fallback: true },
  errors: {
    internal: () => new ServiceError('InternalError', 'We encountered an internal error. Please try again.', 500, {}, false),
    throttling: () => new ServiceError('SlowDown', 'Please reduce your request rate.', 503, {}, false),
    malformedInput: 'MalformedXML',
    unknownOperation: () => new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405),
    invalidKey: (accessKeyId) =>
      new ServiceError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, {
        AWSAccessKeyId: accessKeyId,
      }),
    expiredToken: () => new ServiceError('ExpiredToken', 'The provided token has expired.', 400),
    signatureCodesAsIs: true,
  },
};
