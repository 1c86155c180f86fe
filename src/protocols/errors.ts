// What every protocol needs to know about an error: its HTTP status and its query-protocol code.
import type { ServiceModel } from './model.js';
import type { ServiceError } from '../services/errors.js';

export function errorStatus(model: ServiceModel | undefined, err: ServiceError): number {
  if (err.status) return err.status;
  const shape = model?.errorShape(err.code)?.shape;
  return shape?.error?.httpStatusCode ?? (isSenderFault(model, err) ? 400 : 500);
}

/** The code the query protocol uses: the model's `error.code` where it differs from the shape name. */
export function queryErrorCode(model: ServiceModel | undefined, err: ServiceError): string {
  return model?.errorShape(err.code)?.shape.error?.code ?? err.code;
}

/** The code the json and cbor protocols use (`__type`): the error shape's name, even when thrown by its query code. */
export function shapeErrorCode(model: ServiceModel | undefined, err: ServiceError): string {
  return model?.errorShape(err.code)?.name ?? err.code;
}

const isSenderFault = (model: ServiceModel | undefined, err: ServiceError) => {
  const shape = model?.errorShape(err.code)?.shape;
  if (shape?.error?.senderFault !== undefined) return shape.error.senderFault;
  if (shape?.fault) return false;
  // botocore writes senderFault only for client errors; a modelled 5xx is the service's fault
  if (shape?.error?.httpStatusCode) return shape.error.httpStatusCode < 500;
  return err.senderFault;
};

export const faultType = (model: ServiceModel | undefined, err: ServiceError) => (isSenderFault(model, err) ? 'Sender' : 'Receiver');

/** `x-amzn-query-error: Code;Sender` for services that moved from query to JSON/CBOR (SQS, CloudWatch). */
export function queryCompatibleErrorHeader(model: ServiceModel | undefined, err: ServiceError): string | undefined {
  if (!model?.metadata.awsQueryCompatible) return undefined;
  return `${queryErrorCode(model, err)};${faultType(model, err)}`;
}
