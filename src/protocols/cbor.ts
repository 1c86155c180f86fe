// Smithy RPC v2 CBOR: POST /service/<ServiceName>/operation/<Operation>, `Smithy-Protocol: rpc-v2-cbor`.
import { Decoder, Encoder } from 'cbor-x';
import type { Protocol } from './types.js';
import { ServiceError } from '../services/errors.js';
import { CBOR_FLAVOUR, fromDocument, toDocument } from './document.js';
import { errorStatus, queryCompatibleErrorHeader, shapeErrorCode } from './errors.js';

// mapsAsObjects: plain objects, as the shapes expect; useRecords off: standard CBOR only
const decoder = new Decoder({ mapsAsObjects: true, useRecords: false });
const encoder = new Encoder({ useRecords: false, tagUint8Array: false });

const PATH = /^\/service\/([^/]+)\/operation\/([^/?]+)$/;

export function cborPath(path: string): { service: string; operation: string } | undefined {
  const m = PATH.exec(path);
  return m ? { service: safeDecode(m[1]), operation: safeDecode(m[2]) } : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a malformed escape names no service or operation
  }
}

const HEADERS = { 'content-type': 'application/cbor', 'smithy-protocol': 'rpc-v2-cbor' };

export const cbor: Protocol = {
  name: 'smithy-rpc-v2-cbor',
  family: 'json',
  routesByBody: false,

  resolveOperation(model, req) {
    const p = cborPath(req.path);
    return p && model.operations[p.operation] ? p.operation : undefined;
  },

  requestedOperation: (req) => cborPath(req.path)?.operation,

  parse(model, operation, req) {
    const op = model.operations[operation];
    let doc: unknown = {};
    if (req.body.length > 0) {
      try {
        doc = decoder.decode(req.body);
      } catch {
        throw new ServiceError('SerializationException', 'The request body is not valid CBOR.');
      }
      if (doc === null || doc === undefined) throw new ServiceError('SerializationException', 'The request body is not a CBOR map.');
    }
    if (!op.input) return {};
    return fromDocument(model, op.input, doc, CBOR_FLAVOUR) as Record<string, unknown>;
  },

  serialize(model, operation, output) {
    const op = model.operations[operation];
    const doc = op.output && output ? toDocument(model, op.output, output, CBOR_FLAVOUR) : {};
    return { status: 200, headers: { ...HEADERS }, body: encoder.encode(doc) };
  },

  serializeError(model, _operation, err) {
    const headers: Record<string, string> = { ...HEADERS };
    const compat = queryCompatibleErrorHeader(model, err);
    if (compat) headers['x-amzn-query-error'] = compat;
    // the Smithy namespace is the service ID squashed (CloudWatch: com.amazonaws.cloudwatch, not its endpoint prefix monitoring)
    const ns = model ? `com.amazonaws.${model.metadata.serviceId.toLowerCase().replace(/[\s-]/g, '')}#` : '';
    const fields =
      model?.errorShape(err.code) && Object.keys(err.fields).length
        ? (toDocument(model, { shape: model.errorShape(err.code)!.name }, err.fields, CBOR_FLAVOUR) as Record<string, unknown>)
        : err.fields;
    const body = encoder.encode({ __type: ns + shapeErrorCode(model, err), message: err.message, ...fields });
    return { status: errorStatus(model, err), headers, body };
  },
};
