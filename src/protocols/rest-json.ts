// The AWS restJson1 protocol (Lambda, API Gateway, …): HTTP bindings from rest.ts, JSON bodies.
import type { ServiceModel, Shape, ShapeRef } from './model.js';
import type { HttpResponse, Protocol } from './types.js';
import { ServiceError } from '../services/errors.js';
import { fromDocument, JSON_FLAVOUR, toDocument } from './document.js';
import { errorStatus } from './errors.js';
import { parseJsonBody } from './json.js';
import { parseRest, resolveRestOperation, serializeRest, writeHeaderBindings, type RestBodyCodec } from './rest.js';

const bad = (message: string) => new ServiceError('SerializationException', message);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonValue(body: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(body)); // invalid UTF-8 throws
  } catch {
    throw bad('The request body is not valid JSON.');
  }
}

/** Body members as a JSON object, keyed by `locationName` (the Smithy jsonName) or member name. */
function writeMembers(model: ServiceModel, shape: Shape, value: Record<string, unknown>, include: (ref: ShapeRef) => boolean) {
  const doc: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    if (!include(ref)) continue;
    const v = toDocument(model, ref, value[name], JSON_FLAVOUR);
    if (v !== undefined) doc[ref.locationName ?? name] = v;
  }
  return doc;
}

const codec: RestBodyCodec = {
  contentType: 'application/json',
  strictText: true,
  invalid: (message) => bad(message),

  readBody(model, shape, isBodyMember, body) {
    const doc = parseJsonBody(body); // SerializationException unless a JSON object
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (!isBodyMember(ref)) continue;
      const v = fromDocument(model, ref, doc[ref.locationName ?? name], JSON_FLAVOUR, name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  },

  readPayload: (model, ref, body) => fromDocument(model, ref, parseJsonValue(body), JSON_FLAVOUR),

  writeBody: (model, _op, shape, isBodyMember, value) => JSON.stringify(writeMembers(model, shape, value, isBodyMember)),

  writePayload: (model, ref, value) => JSON.stringify(toDocument(model, ref, value, JSON_FLAVOUR)),
};

export const restJson: Protocol = {
  name: 'rest-json',
  family: 'json',
  routesByBody: false,
  resolveOperation: resolveRestOperation,
  requestedOperation: () => undefined, // without a model a rest request names no operation
  parse: (model, operation, req) => parseRest(model, operation, req, codec),
  serialize: (model, operation, output) => serializeRest(model, operation, output, codec),

  // The code travels in `X-Amzn-ErrorType` (what restJson1 servers send and clients read first);
  // the body holds the error shape's members, the message under the shape's own spelling of it.
  serializeError(model, _operation, err): HttpResponse {
    const headers: HttpResponse['headers'] = { 'Content-Type': 'application/json', 'x-amzn-ErrorType': err.code };
    const shape = model?.errorShape(err.code)?.shape;
    let body: Record<string, unknown> = { ...err.fields };
    if (model && shape) {
      const { written } = writeHeaderBindings(model, shape, err.fields, headers);
      const modelled = writeMembers(model, shape, err.fields, (ref) => ref.location === undefined);
      const unmodelled = Object.fromEntries(Object.entries(err.fields).filter(([k]) => !shape.members?.[k] && !written.has(k)));
      body = { ...unmodelled, ...modelled };
    }
    const messageKey = Object.keys(shape?.members ?? {}).find((k) => k.toLowerCase() === 'message') ?? 'message';
    body = { [messageKey]: err.message, ...body };
    return { status: errorStatus(model, err), headers, body: JSON.stringify(body) };
  },
};
