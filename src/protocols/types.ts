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
}

/** One wire protocol: parses any operation's input and writes any output or error, from the model. */
export interface Protocol {
  readonly name: string;
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
