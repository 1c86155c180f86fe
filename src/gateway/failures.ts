// The failures the gateway answers itself, spelled by the service's profile where it has its own
// spelling, else by its protocol family (query: InvalidAction…; json: UnknownOperationException…).
import type { Runtime } from '../runtime.js';
import type { ServiceModel } from '../protocols/model.js';
import type { HttpRequest, Protocol } from '../protocols/types.js';
import { queryParams } from '../protocols/query.js';
import type { ServiceProfile } from '../services/types.js';
import { ServiceError } from '../services/errors.js';

/** A path whose percent-escapes do not decode (`%ZZ`, a cut UTF-8 sequence): InvalidURI, for every service. */
export function checkPath(path: string): void {
  if (!path.includes('%')) return;
  try {
    decodeURIComponent(path);
  } catch {
    throw new ServiceError('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
}

export function notImplementedService(service: string, operation: string | undefined): ServiceError {
  return new ServiceError(
    'NotImplemented',
    `The service ${service}${operation ? ` (operation ${operation})` : ''} is not served by Nimbus yet.`,
    501,
    {},
    false,
  );
}

export function unknownOperation(protocol: Protocol, req: HttpRequest, profile: ServiceProfile): ServiceError {
  const named = protocol.requestedOperation(req);
  if (protocol.family === 'query') {
    return named
      ? new ServiceError('InvalidAction', `The action ${named} is not valid for this web service.`)
      : new ServiceError('MissingAction', 'Missing Action');
  }
  if (profile.errors?.unknownOperation) return profile.errors.unknownOperation();
  return new ServiceError('UnknownOperationException', named ? `Unknown operation ${named}` : 'Unknown operation', 400);
}

/** A query-family request's Version must be the model's API version, when given. */
export function checkVersion(protocol: Protocol, model: ServiceModel, operation: string, req: HttpRequest): void {
  if (protocol.family !== 'query') return;
  const version = queryParams(req).get('Version');
  if (version !== undefined && version !== model.metadata.apiVersion) {
    throw new ServiceError('InvalidAction', `Could not find operation ${operation} for version ${version.slice(0, 64)}`);
  }
}

/**
 * Runs a recursive reader of the input (parse, validate). A RangeError there is the input's doing
 * (nesting deeper than the stack, a length no array can have): the malformed-input error.
 */
export function unreadable<T>(protocol: Protocol, profile: ServiceProfile, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const code = profile.errors?.malformedInput ?? (protocol.family === 'query' ? 'MalformedInput' : 'SerializationException');
    throw new ServiceError(code, 'The request nests too deeply or holds a value out of range.', 400);
  }
}

/** Anything a handler throws that is no ServiceError: logged, and answered as the service's internal error. */
export function toServiceError(e: unknown, service: string | undefined, profile: ServiceProfile, rt: Runtime): ServiceError {
  if (e instanceof ServiceError) return e;
  rt.log.error(`internal error in ${service ?? 'gateway'}: ${(e as Error)?.stack ?? e}`);
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
}
