// The AWS JSON 1.0 / 1.1 protocol: POST / with `X-Amz-Target: <TargetPrefix>.<Operation>`.
import type { ServiceModel, ShapeRef } from './model.js';
import { EVENT_STREAM_CONTENT_TYPE, eventStreamBody, isEventStream } from './eventstream.js';
import type { HttpRequest, HttpResponse, Protocol, SerializeContext, WireDialect } from './types.js';
import { ServiceError } from '../services/errors.js';
import { fromDocument, JSON_FLAVOUR, toDocument } from './document.js';
import { errorStatus, queryCompatibleErrorHeader, shapeErrorCode } from './errors.js';

function target(req: HttpRequest): { prefix: string; operation: string } | undefined {
  const t = req.headers['x-amz-target'];
  const dot = t ? t.lastIndexOf('.') : -1;
  return dot > 0 ? { prefix: t.slice(0, dot), operation: t.slice(dot + 1) } : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(utf8.decode(body)); // invalid UTF-8 throws, as AWS refuses it
  } catch {
    throw new ServiceError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ServiceError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return doc as Record<string, unknown>;
}

const contentType = (model: ServiceModel | undefined) => `application/x-amz-json-${model?.metadata.jsonVersion ?? '1.0'}`;

export const json: Protocol = {
  name: 'json',
  family: 'json',
  routesByBody: false,

  resolveOperation(model, req) {
    const t = target(req);
    if (!t || !model.operations[t.operation]) return undefined;
    return t.operation;
  },

  requestedOperation: (req) => target(req)?.operation,

  parse(model, operation, req) {
    const op = model.operations[operation];
    const doc = parseJsonBody(req.body);
    if (!op.input) return {};
    return fromDocument(model, op.input, doc, JSON_FLAVOUR) as Record<string, unknown>;
  },

  serialize(model, operation, output, _ctx: SerializeContext): HttpResponse {
    const op = model.operations[operation];
    const stream = op.output && eventStreamMember(model, op.output);
    if (stream && output) {
      // an event-stream output: the body is the stream of the member's events
      const writer = {
        contentType: 'application/json',
        write: (m: ServiceModel, ref: ShapeRef, v: unknown) => JSON.stringify(toDocument(m, ref, v, JSON_FLAVOUR)),
      };
      const rest = { ...(output as Record<string, unknown>), [stream[0]]: undefined };
      const initial = JSON.stringify(toDocument(model, op.output!, rest, JSON_FLAVOUR) ?? {});
      const body = eventStreamBody(model, stream[1], (output as Record<string, unknown>)[stream[0]] ?? [], writer, initial);
      return { status: 200, headers: { 'content-type': EVENT_STREAM_CONTENT_TYPE }, body };
    }
    const doc = op.output && output ? toDocument(model, op.output, output, JSON_FLAVOUR) : {};
    return { status: 200, headers: { 'content-type': contentType(model) }, body: JSON.stringify(doc) };
  },

  serializeError(model, _operation, err, ctx) {
    const code = shapeErrorCode(model, err);
    const headers: Record<string, string> = { 'content-type': contentType(model), 'x-amzn-errortype': code };
    const compat = queryCompatibleErrorHeader(model, err);
    if (compat) headers['x-amzn-query-error'] = compat;
    const body = {
      __type: qualifiedType(model, err, code, ctx.dialect),
      [ctx.dialect?.messageMembers?.[code] ?? 'message']: err.message,
      ...errorFields(model, err),
    };
    return { status: errorStatus(model, err), headers, body: JSON.stringify(body) };
  },
};

/** `__type` in the namespace the service's dialect gives the code (the bare code without one). */
function qualifiedType(model: ServiceModel | undefined, err: ServiceError, code: string, dialect: WireDialect | undefined): string {
  const ns = dialect?.errorNamespaces;
  if (!ns) return code;
  const namespace = model?.errorShape(err.code) ? ns.modelled : (ns.byCode?.[code] ?? ns.other);
  return namespace ? `${namespace}#${code}` : code;
}

/** The error shape's extra members, converted like any output. */
export function errorFields(model: ServiceModel | undefined, err: ServiceError): Record<string, unknown> {
  const found = model?.errorShape(err.code);
  if (!found || Object.keys(err.fields).length === 0) return err.fields;
  const fields = toDocument(model!, { shape: found.name }, err.fields, JSON_FLAVOUR) as Record<string, unknown>;
  delete fields.message;
  delete fields.Message;
  return fields;
}

/** The output's event-stream member, if it has one: `[name, ref]`. */
function eventStreamMember(model: ServiceModel, output: ShapeRef): [string, ShapeRef] | undefined {
  return Object.entries(model.shape(output.shape).members ?? {}).find(([, ref]) => isEventStream(model, ref));
}
