// An AWS error a provider throws; the protocol layer renders it in the caller's wire format.
export class ServiceError extends Error {
  /**
   * @param code the error code as AWS names it (`NoSuchBucket`, `ValidationException`)
   * @param status HTTP status; when omitted, the model's error shape decides (else 400)
   * @param fields extra members of the error shape (`BucketName`, `Key`, …)
   */
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly fields: Record<string, unknown> = {},
    readonly senderFault = true,
  ) {
    super(message);
  }

  /** response headers the error answer carries (S3's `x-amz-delete-marker`, `Allow`, a 304's `ETag`) */
  headers?: Record<string, string>;

  withHeaders(headers: Record<string, string>): this {
    this.headers = { ...this.headers, ...headers };
    return this;
  }
}

export const notImplemented = (service: string, operation: string) =>
  new ServiceError('NotImplemented', `The operation ${operation} of service ${service} is not implemented in Nimbus yet.`, 501, {}, false);
