// DynamoDB's wire dialect: its request ids, its response checksum and its fully qualified error types.
import { randomBytes } from 'node:crypto';
import type { ServiceProfile } from '../types.js';
import { ServiceError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** DynamoDB's `x-amzn-RequestId`: 52 uppercase letters and digits (the UUID it replaces is not used). */
export function dynamoRequestId(): string {
  const bytes = randomBytes(52);
  let id = '';
  for (const b of bytes) id += ALPHABET[b % 36];
  return id;
}

/**
 * `__type` as DynamoDB sends it: its own errors in `com.amazonaws.dynamodb.v20120810`, the request
 * framework's (Coral) in theirs: validation, throttling, and the service layer's (signature, unknown
 * operation, unreadable JSON).
 */
export const dynamoErrorNamespaces = {
  modelled: 'com.amazonaws.dynamodb.v20120810',
  byCode: {
    ValidationException: 'com.amazon.coral.validate',
    ThrottlingException: 'com.amazon.coral.availability',
  },
  other: 'com.amazon.coral.service',
};

// the table (control-plane) operations throttle with ThrottlingException; item reads and writes with ProvisionedThroughputExceededException
const CONTROL_PLANE = /^(Create|Delete|Update|Describe|List|Tag|Untag|Enable|Disable|Restore|Export|Import|Get.*Policy|Put.*Policy)/;
const throttling = (operation: string) =>
  CONTROL_PLANE.test(operation) && !/^(UpdateItem|DeleteItem|GetItem)$/.test(operation)
    ? new ServiceError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400)
    : new ServiceError(
        'ProvisionedThroughputExceededException',
        'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
        400,
      );

export const dynamoProfile: ServiceProfile = {
  responseChecksum: 'crc32',
  errors: { internal: () => new ServiceError('InternalServerError', 'Internal server error', 500, {}, false), throttling },
  requestId: dynamoRequestId,
  // the request framework's serialization errors spell their message member `Message`
  wire: { errorNamespaces: dynamoErrorNamespaces, messageMembers: { SerializationException: 'Message' } },
};
