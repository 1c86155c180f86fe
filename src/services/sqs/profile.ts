// SQS's wire dialect: validation by its own rules, the query path of a queue URL, and the fully
// qualified `__type` of its JSON errors (`com.amazonaws.sqs#QueueDoesNotExist`, beside the
// `x-amzn-query-error` header its protocol's awsQueryCompatible trait adds).
import type { ServiceProfile } from '../types.js';
import { ServiceError } from '../errors.js';

export const sqsProfile: ServiceProfile = {
  validateInput: false,
  errors: { throttling: () => new ServiceError('RequestThrottled', 'The request was denied due to request throttling.', 400) },
  // an unsigned query request on a queue URL (`/<account>/<queue>`) is for SQS
  routing: { queryPath: /^\/\d{12}\/[^/]+$/ },
  wire: {
    errorNamespaces: {
      modelled: 'com.amazonaws.sqs',
      // the request framework's (Coral) own failures: signature, credentials, unknown operation, unreadable JSON
      byCode: Object.fromEntries(
        [
          'UnrecognizedClientException',
          'InvalidSignatureException',
          'IncompleteSignatureException',
          'MissingAuthenticationTokenException',
          'ExpiredTokenException',
          'AccessDeniedException',
          'UnknownOperationException',
          'SerializationException',
          'InternalFailure',
          'MissingAuthenticationToken',
        ].map((c) => [c, 'com.amazon.coral.service']),
      ),
      other: 'com.amazonaws.sqs',
    },
  },
};
