// The contract between the gateway and the wire protocols.
import type { Readable } from 'node:stream';
import type { ServiceModel } from './model.js';
import type { ServiceError } from '../services/errors.js';

export interface HttpRequest {
  method: string;
  /** the raw (still percent-encoded) path, without the query string; path-style for S3 */
  path: string;
  /** the raw query string without '?' */
  rawQuery: string;
  /** decoded query parameters; a key given twice keeps every value in order */
  query: Map<string, string[]>;
  /** lowercased header names; repeated headers joined with ', ' */
  headers: Record<string, string>;
  /** the decoded body (after aws-chunked framing is removed); empty when streamed */
  body: Buffer;
  /** set instead of `body` when the operation's input payload is a streaming blob */
  bodyStream?: Readable;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: Buffer | string | Readable;
}

export interface SerializeContext {
  requestId: string;
  /** the protocol the request came in with; an rpc service may be reached through several */
  service: string;
  /** how the service departs from its protocol's usual shapes (its profile's `wire`) */
  dialect?: WireDialect;
  /** the extended request id an error body carries as HostId (default: the request id in base64) */
  hostId?: string;
}

/**
 * A service's departures from its protocol's usual wire shapes, declared in its profile (Smithy
 * states them as traits of the service: restXml's `noErrorWrapping`, `@s3UnwrappedXmlOutput`).
 */
export interface WireDialect {
  /** errors are a bare `<Error>` carrying RequestId and HostId, not wrapped in `<ErrorResponse>` */
  noErrorWrapping?: boolean;
  /** operations whose XML output is the single body member's element itself, not wrapped in the output's */
  unwrappedOutputs?: readonly string[];
  /** the root element of an operation's XML output where the model does not name it (Smithy's @xmlName) */
  outputRoots?: Readonly<Record<string, string>>;
  /**
   * JSON errors' `__type` fully qualified as the service sends it: `modelled` is the Smithy namespace of
   * the model's error shapes (`com.amazonaws.sqs`), `byCode` the namespace of codes the service's
   * framework sends (`ValidationException` → `com.amazon.coral.validate`), `other` that of any other code.
   * SDKs strip everything up to `#`.
   */
  errorNamespaces?: { modelled: string; byCode?: Readonly<Record<string, string>>; other?: string };
  /** JSON errors whose message member is spelled otherwise than `message` (DynamoDB's SerializationException: `Message`) */
  messageMembers?: Readonly<Record<string, string>>;
}

/**
 * The family a protocol belongs to, which decides how the gateway spells failures common to all
 * services (a bad key, an unknown operation, unreadable input): `query` (query, ec2) or `json`
 * (json, cbor, rest-json, rest-xml).
 */
export type ProtocolFamily = 'query' | 'json';

/** One wire protocol: parses any operation's input and writes any output or error, from the model. */
export interface Protocol {
  readonly name: string;
  readonly family: ProtocolFamily;
  /** True when the operation name is only known from the body (query's Action=…). */
  readonly routesByBody: boolean;
  /** The operation the request names, or undefined when it names none the model knows. */
  resolveOperation(model: ServiceModel, req: HttpRequest): string | undefined;
  /** The operation name as the request spells it, even when the model does not know it (for errors). */
  requestedOperation(req: HttpRequest): string | undefined;
  parse(model: ServiceModel, operation: string, req: HttpRequest): Record<string, unknown>;
  serialize(model: ServiceModel, operation: string, output: unknown, ctx: SerializeContext): HttpResponse;
  /** `model` is undefined for services Nimbus has no model of. */
  serializeError(model: ServiceModel | undefined, operation: string | undefined, err: ServiceError, ctx: SerializeContext): HttpResponse;
}
