// What an injected fault answers: the error AWS gives for that failure, spelled as the service spells
// it (its profile's `errors`), so an SDK's retry strategy treats it as it would the real one.
import { ServiceError } from '../services/errors.js';
import type { ServiceProfile } from '../services/types.js';
import type { FaultEffect } from './faults.js';

/** The error for an effect that fails the call; undefined for latency and timeout (which do not answer an error). */
export function faultError(effect: FaultEffect, profile: ServiceProfile, operation: string): ServiceError | undefined {
  switch (effect) {
    case 'unavailable':
      return new ServiceError('ServiceUnavailable', 'Service is unable to handle request.', 503, {}, false);
    case 'error':
      return (
        profile.errors?.internal?.() ??
        new ServiceError(
          'InternalFailure',
          'The request processing has failed because of an unknown error, exception or failure.',
          500,
          {},
          false,
        )
      );
    case 'throttle':
      return profile.errors?.throttling?.(operation) ?? new ServiceError('ThrottlingException', 'Rate exceeded', 400);
    default:
      return undefined;
  }
}
