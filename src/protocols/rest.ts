// The HTTP bindings shared by rest-json and rest-xml: which operation a method + path + query names
// (from the model's `http.requestUri` templates), and the members bound to the URI, the query string,
// headers and the status code. Bodies are left to a RestBodyCodec.
import type { Readable } from 'node:stream';
import type { Operation, ServiceModel, Shape, ShapeRef, TimestampFormat } from './model.js';
import type { HttpRequest, HttpResponse } from './types.js';
import type { ServiceError } from '../services/errors.js';
import { formatTimestamp } from './timestamps.js';
import { decodeBase64, scalarFromString, type TextRules } from './scalars.js';
import { EVENT_STREAM_CONTENT_TYPE, eventStreamBody, isEventStream } from './eventstream.js';

/** What rest-json and rest-xml do differently: the body format and the error codes for bad input. */
export interface RestBodyCodec {
  readonly contentType: string;
  /** Header, query and label values held to Smithy's rules (rest-json) rather than read leniently (S3). */
  readonly strictText: boolean;
  /** The error for a malformed body (`inBody`) or an unreadable header, query or label value. */
  invalid(message: string, inBody: boolean): ServiceError;
  /** The input members without an HTTP binding, from a non-empty body. */
  readBody(model: ServiceModel, shape: Shape, isBodyMember: (ref: ShapeRef) => boolean, body: Buffer): Record<string, unknown>;
  /** A structure (or union/document) payload member, from a non-empty body. */
  readPayload(model: ServiceModel, ref: ShapeRef, body: Buffer): unknown;
  /** The output members without an HTTP binding. */
  writeBody(
    model: ServiceModel,
    op: Operation,
    shape: Shape,
    isBodyMember: (ref: ShapeRef) => boolean,
    value: Record<string, unknown>,
  ): string;
  writePayload(model: ServiceModel, ref: ShapeRef, value: unknown): string;
}

const isBodyMember = (ref: ShapeRef) => ref.location === undefined;

// ---------------------------------------------------------------- routing

interface Route {
  operation: string;
  pattern: RegExp;
  /** label names in the order of the pattern's groups */
  labels: string[];
  /** literal query keys of the template (`?uploads`, `?list-type=2`); value undefined = any value */
  query: Array<[string, string | undefined]>;
  literalSegments: number;
  /** required members bound to the query string or a header: requests that carry them are more specific */
  required: Array<{ query?: string; header?: string }>;
  /** botocore keeps deprecated twins of some operations on the same URI (S3's GetBucketLifecycle) */
  deprecated: boolean;
  order: number;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compileRoute(model: ServiceModel, operation: string, op: Operation, order: number): Route {
  const [template, qs] = op.http.requestUri.split('?', 2) as [string, string | undefined];
  const labels: string[] = [];
  let literalSegments = 0;
  const path = template.length > 1 ? template.replace(/\/+$/, '') : template;
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) {
        if (segment) literalSegments++;
        return escapeRe(segment);
      }
      return segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const m = /^\{([^}+]+)(\+)?\}$/.exec(part);
          if (!m) return escapeRe(part);
          labels.push(m[1]);
          return m[2] ? '(.+)' : '([^/]+)'; // a greedy label keeps its '/'
        })
        .join('');
    })
    .join('/');
  const query = (qs ? qs.split('&') : []).map((p): [string, string | undefined] => {
    const eq = p.indexOf('=');
    return eq < 0 ? [p, undefined] : [p.slice(0, eq), p.slice(eq + 1)];
  });
  const input = op.input ? model.shape(op.input.shape) : undefined;
  const required = (input?.required ?? []).flatMap((name): Route['required'] => {
    const ref = input!.members?.[name];
    const key = ref?.locationName ?? name;
    if (ref?.location === 'header') return [{ header: key.toLowerCase() }];
    if (ref?.location === 'querystring' && model.shape(ref.shape).type !== 'map') return [{ query: key }];
    return [];
  });
  const deprecated = !!(op as { deprecated?: boolean }).deprecated;
  return { operation, pattern: new RegExp(`^${source}/?$`), labels, query, literalSegments, required, deprecated, order };
}

const routeCache = new WeakMap<ServiceModel, { byMethod: Map<string, Route[]>; byOperation: Map<string, Route> }>();

function routes(model: ServiceModel) {
  let r = routeCache.get(model);
  if (!r) {
    r = { byMethod: new Map(), byOperation: new Map() };
    let order = 0;
    for (const [name, op] of Object.entries(model.operations)) {
      const route = compileRoute(model, name, op, order++);
      const list = r.byMethod.get(op.http.method) ?? [];
      list.push(route);
      r.byMethod.set(op.http.method, list);
      r.byOperation.set(name, route);
    }
    routeCache.set(model, r);
  }
  return r;
}

/**
 * The operation a request names. Among the templates that match, the most specific wins: more literal
 * query keys, then more literal path segments, then the one whose required query/header members are all
 * present (and most numerous), then the non-deprecated one, then model order.
 * The required-members rule is S3's routing quirk, stated generically: botocore gives PutObject, CopyObject,
 * UploadPart and UploadPartCopy the same `PUT /{Bucket}/{Key+}`, so a request is CopyObject when it carries
 * `x-amz-copy-source`, UploadPart with `?partNumber&uploadId`, UploadPartCopy with both, else PutObject;
 * likewise `GET /{Bucket}/{Key+}?uploadId=…` is ListParts, else GetObject.
 */
export function resolveRestOperation(model: ServiceModel, req: HttpRequest): string | undefined {
  let best: Route | undefined;
  let bestScore: number[] = [];
  for (const r of routes(model).byMethod.get(req.method.toUpperCase()) ?? []) {
    if (!r.pattern.test(req.path)) continue;
    if (!r.query.every(([k, v]) => req.query.get(k)?.some((x) => v === undefined || x === v))) continue;
    const present = r.required.filter((p) => (p.query ? req.query.has(p.query) : req.headers[p.header!] !== undefined)).length;
    const score = [r.query.length, r.literalSegments, present === r.required.length ? 1 : 0, present, r.deprecated ? 0 : 1, -r.order];
    if (!best || isGreater(score, bestScore)) [best, bestScore] = [r, score];
  }
  return best?.operation;
}

function isGreater(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a stray '%' is data, not an error
  }
};

/** The decoded label values of an operation's URI template for this path. */
function pathLabels(model: ServiceModel, operation: string, path: string): Record<string, string> {
  const route = routes(model).byOperation.get(operation);
  const m = route?.pattern.exec(path);
  const out: Record<string, string> = {};
  if (route && m) route.labels.forEach((label, i) => (out[label] = safeDecode(m[i + 1])));
  return out;
}

// ---------------------------------------------------------------- input

/** Splits a list header: comma-separated, strings may be double-quoted; HTTP dates contain a comma themselves. */
export function splitHeaderList(raw: string, httpDates: boolean): string[] {
  if (raw.trim() === '') return [];
  if (httpDates) {
    const parts = raw.split(',');
    const out: string[] = [];
    for (let i = 0; i < parts.length; i += 2)
      out.push(
        parts
          .slice(i, i + 2)
          .join(',')
          .trim(),
      );
    return out;
  }
  const out: string[] = [];
  let i = 0;
  while (i <= raw.length) {
    while (raw[i] === ' ' || raw[i] === '\t') i++;
    if (raw[i] === '"') {
      let s = '';
      for (i++; i < raw.length && raw[i] !== '"'; i++) s += raw[i] === '\\' ? (raw[++i] ?? '') : raw[i];
      out.push(s);
      const comma = raw.indexOf(',', i);
      i = comma < 0 ? raw.length + 1 : comma + 1;
    } else {
      const comma = raw.indexOf(',', i);
      const end = comma < 0 ? raw.length : comma;
      out.push(raw.slice(i, end).trim());
      i = end + 1;
    }
  }
  return out;
}

const isJsonValue = (ref: ShapeRef, shape: Shape) => !!(ref.jsonvalue || (shape as { jsonvalue?: boolean }).jsonvalue);

/** How a bound value's text is read: timestamps default to http-date in headers, date-time elsewhere. */
function textRules(strict: boolean, ref: ShapeRef, shape: Shape, defaultTs: TimestampFormat): TextRules {
  return { strict, timestampFormat: ref.timestampFormat ?? shape.timestampFormat ?? defaultTs };
}

function headerValue(model: ServiceModel, ref: ShapeRef, raw: string, invalid: (m: string) => Error, strict: boolean): unknown {
  const shape = model.shape(ref.shape);
  if (shape.type === 'list') {
    const item = shape.member!;
    const itemShape = model.shape(item.shape);
    const rules = textRules(strict, item, itemShape, 'rfc822');
    const httpDates = itemShape.type === 'timestamp' && rules.timestampFormat === 'rfc822';
    return splitHeaderList(raw, httpDates).map((s) => scalarFromString(itemShape, s, invalid, rules));
  }
  if (isJsonValue(ref, shape)) {
    const decoded = decodeBase64(raw.trim()); // a mediaType header is base64 of its content
    try {
      if (typeof decoded === 'string') throw new Error(decoded);
      return JSON.parse(decoded.toString('utf8'));
    } catch {
      throw invalid(`Expected base64-encoded JSON, got '${raw.slice(0, 64)}'`);
    }
  }
  return scalarFromString(shape, raw, invalid, textRules(strict, ref, shape, 'rfc822'));
}

/** The input of a rest-json / rest-xml request, keyed by member name. */
export function parseRest(model: ServiceModel, operation: string, req: HttpRequest, codec: RestBodyCodec): Record<string, unknown> {
  const op = model.operations[operation];
  const input: Record<string, unknown> = {};
  if (!op?.input) return input;
  const shape = model.shape(op.input.shape);
  const members = Object.entries(shape.members ?? {});
  const invalid = (m: string) => codec.invalid(m, false);
  const labels = pathLabels(model, operation, req.path);
  const key = (name: string, ref: ShapeRef) => ref.locationName ?? name;
  // what a query map / prefix-header map must not swallow
  const boundQuery = new Set(
    routes(model)
      .byOperation.get(operation)
      ?.query.map(([k]) => k),
  );
  const boundHeaders = new Set<string>();
  for (const [name, ref] of members) {
    if (ref.location === 'querystring' && model.shape(ref.shape).type !== 'map') boundQuery.add(key(name, ref));
    if (ref.location === 'header') boundHeaders.add(key(name, ref).toLowerCase());
  }

  for (const [name, ref] of members) {
    const shape = model.shape(ref.shape);
    const k = key(name, ref);
    let v: unknown;
    switch (ref.location) {
      case 'uri':
        if (labels[k] !== undefined) v = scalarFromString(shape, labels[k], invalid, textRules(codec.strictText, ref, shape, 'iso8601'));
        break;
      case 'querystring':
        v =
          shape.type === 'map'
            ? queryMap(model, shape, req, boundQuery)
            : queryValue(model, ref, req.query.get(k), invalid, codec.strictText);
        break;
      case 'header': {
        const raw = req.headers[k.toLowerCase()];
        if (raw !== undefined) v = headerValue(model, ref, raw, invalid, codec.strictText);
        break;
      }
      case 'headers': {
        const prefix = k.toLowerCase();
        const map: Record<string, string> = {};
        for (const [h, value] of Object.entries(req.headers)) {
          if (h.startsWith(prefix) && h.length > prefix.length && !boundHeaders.has(h)) map[h.slice(prefix.length)] = value;
        }
        if (Object.keys(map).length) v = map;
        break;
      }
    }
    if (v !== undefined) input[name] = v;
  }

  const payload = shape.payload;
  if (payload) {
    const ref = shape.members![payload];
    const { type, streaming } = model.shape(ref.shape);
    if (ref.streaming || streaming) {
      // the gateway hands streaming payloads over unread; a buffered body is passed on as it is
      const body = req.bodyStream ?? (req.body.length ? req.body : undefined);
      if (body) input[payload] = body;
    } else if (req.body.length) {
      input[payload] = type === 'blob' ? req.body : type === 'string' ? req.body.toString('utf8') : codec.readPayload(model, ref, req.body);
    }
  } else if (req.body.length && members.some(([, ref]) => isBodyMember(ref))) {
    Object.assign(input, codec.readBody(model, shape, isBodyMember, req.body));
  }
  return input;
}

function queryValue(
  model: ServiceModel,
  ref: ShapeRef,
  values: string[] | undefined,
  invalid: (m: string) => Error,
  strict: boolean,
): unknown {
  if (!values?.length) return undefined;
  const shape = model.shape(ref.shape);
  if (shape.type === 'list') {
    const item = model.shape(shape.member!.shape);
    const rules = textRules(strict, shape.member!, item, 'iso8601');
    return values.map((v) => scalarFromString(item, v, invalid, rules));
  }
  return scalarFromString(shape, values[0], invalid, textRules(strict, ref, shape, 'iso8601'));
}

/** A map bound to the query string takes every parameter no other member (or the URI template) names. */
function queryMap(model: ServiceModel, shape: Shape, req: HttpRequest, bound: Set<string>): unknown {
  const asList = model.shape(shape.value!.shape).type === 'list';
  const out: Record<string, unknown> = {};
  for (const [k, values] of req.query) if (!bound.has(k)) out[k] = asList ? values : values[0];
  return Object.keys(out).length ? out : undefined;
}

// ---------------------------------------------------------------- output

const toDate = (v: unknown) => (v instanceof Date ? v : new Date(v as string | number));

function headerText(model: ServiceModel, ref: ShapeRef, v: unknown): string {
  const shape = model.shape(ref.shape);
  switch (shape.type) {
    case 'list': {
      const itemShape = model.shape(shape.member!.shape);
      return (v as unknown[])
        .map((item) => {
          const t = headerText(model, shape.member!, item);
          return itemShape.type === 'string' && /[,"]/.test(t) ? `"${t.replace(/["\\]/g, '\\$&')}"` : t;
        })
        .join(', ');
    }
    case 'timestamp':
      return String(formatTimestamp(toDate(v), ref.timestampFormat ?? shape.timestampFormat ?? 'rfc822'));
    case 'blob':
      return Buffer.from(v as Uint8Array).toString('base64');
    default:
      return isJsonValue(ref, shape) ? Buffer.from(JSON.stringify(v)).toString('base64') : String(v);
  }
}

/**
 * Writes the header- and prefix-header-bound members of `value` into `headers`.
 * Returns the value of a statusCode-bound member, if any, and the names of the members written.
 */
export function writeHeaderBindings(model: ServiceModel, shape: Shape, value: Record<string, unknown>, headers: HttpResponse['headers']) {
  let status: number | undefined;
  const written = new Set<string>();
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = value[name];
    if (v === undefined || v === null || !ref.location) continue;
    const k = ref.locationName ?? name;
    if (ref.location === 'header') headers[k] = headerText(model, ref, v);
    else if (ref.location === 'headers') for (const [mk, mv] of Object.entries(v as Record<string, unknown>)) headers[k + mk] = String(mv);
    else if (ref.location === 'statusCode') status = Number(v);
    else continue;
    written.add(name);
  }
  return { status, written };
}

const hasHeader = (headers: HttpResponse['headers'], name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);

/** The response for an operation's output: status, bound headers, then the payload member or the body members. */
export function serializeRest(model: ServiceModel, operation: string, output: unknown, codec: RestBodyCodec): HttpResponse {
  const op = model.operations[operation];
  const res: HttpResponse = { status: op.http.responseCode ?? 200, headers: {} };
  if (!op.output || output === undefined || output === null) return res;
  const shape = model.shape(op.output.shape);
  const value = output as Record<string, unknown>;
  const { status } = writeHeaderBindings(model, shape, value, res.headers);
  if (status) res.status = status;

  let contentType = codec.contentType;
  if (shape.payload) {
    const ref = shape.members![shape.payload];
    const type = model.shape(ref.shape).type;
    const v = value[shape.payload];
    if (v === undefined || v === null) return res;
    if (isEventStream(model, ref)) {
      res.body = eventStreamBody(model, ref, v, { contentType: codec.contentType, write: codec.writePayload });
      contentType = EVENT_STREAM_CONTENT_TYPE;
    } else if (type === 'blob' || type === 'string') {
      res.body = v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v) : (v as Buffer | string | Readable);
      contentType = type === 'blob' ? 'application/octet-stream' : 'text/plain';
    } else {
      res.body = codec.writePayload(model, ref, v);
    }
  } else if (Object.values(shape.members ?? {}).some(isBodyMember)) {
    res.body = codec.writeBody(model, op, shape, isBodyMember, value);
  } else {
    return res; // nothing bound to the body: an empty body
  }
  if (!hasHeader(res.headers, 'content-type')) res.headers['Content-Type'] = contentType;
  return res;
}
