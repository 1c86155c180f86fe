// The AWS restXml protocol (S3, Route 53, CloudFront): HTTP bindings from rest.ts, XML bodies.
import type { ServiceModel, ShapeRef } from './model.js';
import type { HttpResponse, Protocol } from './types.js';
import { ServiceError } from '../services/errors.js';
import { errorStatus, faultType } from './errors.js';
import { parseRest, resolveRestOperation, serializeRest, writeHeaderBindings, type RestBodyCodec } from './rest.js';
import { escapeXml, parseXml, XmlReader, XmlWriter, type XmlNode } from './xml.js';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

const malformed = () =>
  new ServiceError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

function parseBody(body: Buffer): XmlNode {
  try {
    return parseXml(body.toString('utf8'));
  } catch {
    throw malformed();
  }
}

// Output roots carry the service namespace; botocore only records it on input refs, so take the first one.
const namespaces = new WeakMap<ServiceModel, string | undefined>();
function serviceNamespace(model: ServiceModel): string | undefined {
  if (!namespaces.has(model)) {
    const ns =
      model.metadata.xmlNamespace ??
      Object.values(model.operations)
        .map((op) => op.input?.xmlNamespace?.uri)
        .find((uri) => uri !== undefined);
    namespaces.set(model, ns);
  }
  return namespaces.get(model);
}
const xmlns = (uri: string | undefined) => (uri ? ` xmlns="${uri}"` : '');

const codec: RestBodyCodec = {
  contentType: 'application/xml',
  strictText: false, // S3 reads its headers the lenient way it always has
  // S3 answers InvalidArgument for a header or query value it cannot read
  invalid: (message, inBody) => (inBody ? malformed() : new ServiceError('InvalidArgument', message, 400)),

  readBody(model, shape, isBodyMember, body) {
    const reader = new XmlReader(model, malformed);
    return reader.structure(shape, parseBody(body), (_name, ref) => isBodyMember(ref));
  },

  readPayload(model, ref, body) {
    const root = parseBody(body);
    // a structure payload's root element is the modelled one (`<Tagging>`, `<Delete>`); S3 refuses others
    const shape = model.shape(ref.shape);
    if (shape.type === 'structure' && root.name !== (ref.locationName ?? shape.locationName ?? ref.shape)) throw malformed();
    return new XmlReader(model, malformed).value(ref, root);
  },

  writeBody: (model, op, shape, isBodyMember, value) => writeBody(model, op, shape, isBodyMember, value),

  writePayload(model, ref, value) {
    const shape = model.shape(ref.shape);
    const name = ref.locationName ?? shape.locationName ?? ref.shape;
    const withNs: ShapeRef = { ...ref, xmlNamespace: ref.xmlNamespace ?? shape.xmlNamespace ?? nsRef(serviceNamespace(model)) };
    return XML_DECL + new XmlWriter(model).element(name, withNs, value);
  },
};

function writeBody(...[model, op, shape, isBodyMember, value, rootName]: [...Parameters<RestBodyCodec['writeBody']>, string?]): string {
  const ns = xmlns(op.output?.xmlNamespace?.uri ?? shape.xmlNamespace?.uri ?? serviceNamespace(model));
  const root = rootName ?? op.output?.locationName ?? shape.locationName ?? op.output!.shape;
  const { attrs, inner } = new XmlWriter(model).structureBody(shape, value, (ref) => !isBodyMember(ref));
  return `${XML_DECL}<${root}${ns}${attrs}>${inner}</${root}>`;
}

/** The codec writing an output under the root element the dialect names (`ListBucketResult`), when it names one. */
function rooted(root: string | undefined): RestBodyCodec {
  if (!root) return codec;
  return { ...codec, writeBody: (model, op, shape, isBodyMember, value) => writeBody(model, op, shape, isBodyMember, value, root) };
}

/**
 * A dialect's unwrapped output (Smithy's @s3UnwrappedXmlOutput: S3's GetBucketLocation answers
 * `<LocationConstraint>` with the member's text directly instead of wrapping it in an output element).
 */
const unwrapped: RestBodyCodec = {
  ...codec,
  writeBody(model, op, shape, isBodyMember, value) {
    const ns = xmlns(op.output?.xmlNamespace?.uri ?? shape.xmlNamespace?.uri ?? serviceNamespace(model));
    const [name, ref] = Object.entries(shape.members ?? {}).find(([, r]) => isBodyMember(r))!;
    const v = value[name];
    const tag = ref.locationName ?? name;
    return `${XML_DECL}<${tag}${ns}>${v === undefined || v === null ? '' : escapeXml(String(v))}</${tag}>`;
  },
};
const nsRef = (uri: string | undefined) => (uri ? { uri } : undefined);

export const restXml: Protocol = {
  name: 'rest-xml',
  family: 'json',
  routesByBody: false,
  resolveOperation: resolveRestOperation,
  requestedOperation: () => undefined, // without a model a rest request names no operation
  parse: (model, operation, req) => parseRest(model, operation, req, codec),
  serialize: (model, operation, output, ctx) =>
    serializeRest(
      model,
      operation,
      output,
      ctx.dialect?.unwrappedOutputs?.includes(operation) ? unwrapped : rooted(ctx.dialect?.outputRoots?.[operation]),
    ),

  // `<ErrorResponse><Error>…</Error><RequestId/></ErrorResponse>`, except in the noErrorWrapping dialect (S3's):
  // a bare `<Error>` that also carries RequestId and HostId, and fields such as Key or BucketName.
  serializeError(model, _operation, err, ctx): HttpResponse {
    const headers: HttpResponse['headers'] = { 'Content-Type': 'application/xml' };
    const shape = model?.errorShape(err.code)?.shape;
    const written = model && shape ? writeHeaderBindings(model, shape, err.fields, headers).written : new Set<string>();
    const writer = model ? new XmlWriter(model) : undefined;
    let fields = '';
    for (const [k, v] of Object.entries(err.fields)) {
      if (v === undefined || v === null || written.has(k)) continue;
      const ref = shape?.members?.[k];
      fields += ref && writer ? writer.element(ref.locationName ?? k, ref, v) : `<${k}>${escapeXml(String(v))}</${k}>`;
    }
    const codeAndMessage = `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>`;
    const body = ctx.dialect?.noErrorWrapping
      ? `${XML_DECL}<Error>${codeAndMessage}${fields}<RequestId>${escapeXml(ctx.requestId)}</RequestId>` +
        `<HostId>${escapeXml(ctx.hostId ?? Buffer.from(ctx.requestId).toString('base64'))}</HostId></Error>`
      : `${XML_DECL}<ErrorResponse><Error><Type>${faultType(model, err)}</Type>${codeAndMessage}${fields}</Error>` +
        `<RequestId>${escapeXml(ctx.requestId)}</RequestId></ErrorResponse>`;
    return { status: errorStatus(model, err), headers, body };
  },
};
