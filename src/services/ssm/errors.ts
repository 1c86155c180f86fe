// Parameter Store's error codes and messages, as AWS spells them.
import { ServiceError } from '../../kit.js';

export const validation = (message: string) => new ServiceError('ValidationException', message, 400);
/** GetParameter answers ParameterNotFound with an empty message; the other operations name the parameter. */
export const parameterNotFound = (name?: string) =>
  new ServiceError('ParameterNotFound', name === undefined ? '' : `Parameter ${name} not found.`, 400);
export const versionNotFound = (name: string, version: number | string) =>
  new ServiceError(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`,
    400,
  );
export const alreadyExists = () =>
  new ServiceError(
    'ParameterAlreadyExists',
    'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    400,
  );
export const invalidNextToken = () => new ServiceError('InvalidNextToken', 'The specified token is not valid.', 400);
export const invalidFilterKey = (message: string) => new ServiceError('InvalidFilterKey', message, 400);
export const invalidFilterOption = (message: string) => new ServiceError('InvalidFilterOption', message, 400);
export const invalidFilterValue = (message: string) => new ServiceError('InvalidFilterValue', message, 400);
