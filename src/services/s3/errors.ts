// S3's errors, with the messages and extra fields AWS sends.
import { ServiceError } from '../errors.js';

export const noSuchBucket = (BucketName: string) =>
  new ServiceError('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName });
export const noSuchKey = (Key: string) => new ServiceError('NoSuchKey', 'The specified key does not exist.', 404, { Key });
export const noSuchVersion = (Key: string, VersionId: string) =>
  new ServiceError('NoSuchVersion', 'The specified version does not exist.', 404, { Key, VersionId });
export const noSuchUpload = (UploadId: string) =>
  new ServiceError(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    404,
    { UploadId },
  );
export const invalidArgument = (message: string, ArgumentName?: string, ArgumentValue?: string) =>
  new ServiceError('InvalidArgument', message, 400, { ArgumentName, ArgumentValue });
export const invalidRequest = (message: string) => new ServiceError('InvalidRequest', message, 400);
export const preconditionFailed = (Condition: string) =>
  new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, { Condition });
/** a 304 carries the object's ETag and Last-Modified, and no body */
export const notModified = (rec: { etag: string; lastModified: Date }) =>
  new ServiceError('NotModified', 'Not Modified', 304).withHeaders({ ETag: rec.etag, 'Last-Modified': rec.lastModified.toUTCString() });
export const malformedXml = () =>
  new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
export const incompleteBody = () =>
  new ServiceError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
/** A bucket subresource that was never configured (NoSuchCORSConfiguration, NoSuchLifecycleConfiguration, …). */
export const noSuchConfig = (code: string, message: string, BucketName: string) => new ServiceError(code, message, 404, { BucketName });
