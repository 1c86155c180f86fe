// The AWS query protocol (`Action=…&Version=…` form parameters, XML responses) and its EC2 dialect.
import type { ServiceModel, Shape, ShapeRef } from './model.js';
import type { HttpRequest, HttpResponse, Protocol, SerializeContext } from './types.js';
import { ServiceError } from '../services/errors.js';
import { parseTimestamp } from './timestamps.js';
import { decodeBase64, floatFromText, integerFromText } from './scalars.js';
import { escapeXml, XmlWriter } from './xml.js';
import { errorStatus, faultType, queryErrorCode } from './errors.js';

type Params = Map<string, string>;

const paramCache = new WeakMap<HttpRequest, { body: Buffer; params: Params }>();

/** Form parameters from a urlencoded POST body, else from the query string. */
export function queryParams(req: HttpRequest): Params {
  const cached = paramCache.get(req);
  if (cached && cached.body === req.body) return cached.params;
  const params: Params = new Map();
  const ct = req.headers['content-type'] ?? '';
  const source =
    req.method === 'POST' && (ct.startsWith('application/x-www-form-urlencoded') || (ct === '' && req.body.length > 0))
      ? req.body.toString('utf8')
      : req.rawQuery;
  for (const [k, v] of new URLSearchParams(source)) if (!params.has(k)) params.set(k, v);
  paramCache.set(req, { body: req.body, params });
  return params;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

class QueryReader {
  constructor(
    private readonly model: ServiceModel,
    private readonly params: Params,
    private readonly ec2: boolean,
  ) {}

  private memberKey(name: string, ref: ShapeRef): string {
    if (this.ec2) return ref.queryName ?? (ref.locationName ? capitalize(ref.locationName) : name);
    // as in botocore, the target shape's locationName applies when the member has none (SQS: a map named `Attribute`)
    return ref.locationName ?? this.model.shape(ref.shape).locationName ?? name;
  }

  /** Child indexes present below `prefix.` (1-based as clients send them, in numeric order). */
  private indexes(prefix: string): number[] {
    const seen = new Set<number>();
    const p = prefix + '.';
    for (const key of this.params.keys()) {
      if (!key.startsWith(p)) continue;
      const n = Number(key.slice(p.length).split('.', 1)[0]);
      if (Number.isInteger(n) && n > 0) seen.add(n);
    }
    return [...seen].sort((a, b) => a - b);
  }

  private hasPrefix(prefix: string): boolean {
    if (this.params.has(prefix)) return true;
    const p = prefix + '.';
    for (const key of this.params.keys()) if (key.startsWith(p)) return true;
    return false;
  }

  /** The items of a flattened list named by its member's locationName (`AttributeName.1`, not `AttributeNames.1`). */
  private flattenedItemPrefix(ref: ShapeRef, prefix: string): string | undefined {
    const shape = this.model.shape(ref.shape);
    const named = shape.type === 'list' && !this.ec2 && (shape.flattened || ref.flattened) ? shape.member!.locationName : undefined;
    return named ? prefix.split('.').slice(0, -1).concat(named).join('.') : undefined;
  }

  read(ref: ShapeRef, prefix: string): unknown {
    const shape: Shape = this.model.shape(ref.shape);
    switch (shape.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const [name, member] of Object.entries(shape.members ?? {})) {
          const key = prefix ? `${prefix}.${this.memberKey(name, member)}` : this.memberKey(name, member);
          if (!this.hasPrefix(key) && !this.hasPrefix(this.flattenedItemPrefix(member, key) ?? key)) continue;
          const v = this.read(member, key);
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
      case 'list': {
        if (this.params.get(prefix) === '') return [];
        let itemPrefix: string;
        if (this.ec2 || shape.flattened || ref.flattened) {
          // a flattened list's items may be named by the member's locationName instead of the list's
          itemPrefix = this.flattenedItemPrefix(ref, prefix) ?? prefix;
          if (!this.hasPrefix(itemPrefix)) itemPrefix = prefix;
        } else {
          itemPrefix = `${prefix}.${shape.member!.locationName ?? 'member'}`;
        }
        return this.indexes(itemPrefix).map((i) => this.read(shape.member!, `${itemPrefix}.${i}`));
      }
      case 'map': {
        const entryPrefix = shape.flattened || ref.flattened ? prefix : `${prefix}.entry`;
        const keyName = shape.key!.locationName ?? 'key';
        const valueName = shape.value!.locationName ?? 'value';
        const out: Record<string, unknown> = {};
        for (const i of this.indexes(entryPrefix)) {
          const k = this.params.get(`${entryPrefix}.${i}.${keyName}`);
          if (k === undefined) continue;
          out[k] = this.read(shape.value!, `${entryPrefix}.${i}.${valueName}`);
        }
        return out;
      }
      default: {
        const raw = this.params.get(prefix);
        if (raw === undefined) return undefined;
        return scalar(shape, raw, prefix);
      }
    }
  }
}

function scalar(shape: Shape, raw: string, name: string): unknown {
  switch (shape.type) {
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'float':
    case 'double':
    case 'bigdecimal':
    case 'biginteger': {
      const t = raw.trim();
      const integral = shape.type !== 'float' && shape.type !== 'double' && shape.type !== 'bigdecimal';
      const n = integral ? integerFromText(shape.type, t) : floatFromText(t); // in range, decimal (no "0x42")
      if (n === undefined)
        throw new ServiceError('MalformedInput', `Value '${raw.slice(0, 64)}' for parameter ${name} is not a valid number.`);
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false')
        throw new ServiceError('MalformedInput', `Value '${raw.slice(0, 64)}' for parameter ${name} is not a valid boolean.`);
      return raw === 'true';
    case 'timestamp':
      try {
        return parseTimestamp(raw, name);
      } catch {
        throw new ServiceError('MalformedInput', `Value '${raw.slice(0, 64)}' for parameter ${name} is not a valid timestamp.`);
      }
    case 'blob': {
      const b = decodeBase64(raw);
      if (typeof b === 'string') throw new ServiceError('MalformedInput', `Value for parameter ${name} is not valid base64: ${b}`);
      return b;
    }
    default:
      return raw;
  }
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function namespace(model: ServiceModel | undefined): string {
  if (!model) return '';
  const ns = model.metadata.xmlNamespace ?? `http://${model.metadata.endpointPrefix}.amazonaws.com/doc/${model.metadata.apiVersion}/`;
  return ` xmlns="${ns}"`;
}

function makeQueryProtocol(ec2: boolean): Protocol {
  return {
    name: ec2 ? 'ec2' : 'query',
    family: 'query',
    routesByBody: true,

    resolveOperation(model, req) {
      const action = queryParams(req).get('Action');
      return action && model.operations[action] ? action : undefined;
    },

    requestedOperation: (req) => queryParams(req).get('Action'),

    parse(model, operation, req) {
      const op = model.operations[operation];
      if (!op.input) return {};
      return new QueryReader(model, queryParams(req), ec2).read(op.input, '') as Record<string, unknown>;
    },

    serialize(model, operation, output, ctx: SerializeContext): HttpResponse {
      const op = model.operations[operation];
      const w = new XmlWriter(model);
      let inner = '';
      if (op.output && output) {
        const shape = model.shape(op.output.shape);
        inner = w.structureBody(shape, output as Record<string, unknown>).inner;
      }
      let body: string;
      if (ec2) {
        body = `<${operation}Response${namespace(model)}><requestId>${ctx.requestId}</requestId>${inner}</${operation}Response>`;
      } else {
        const wrapper = op.output?.resultWrapper ?? `${operation}Result`;
        const result = op.output ? `<${wrapper}>${inner}</${wrapper}>` : '';
        body = `<${operation}Response${namespace(model)}>${result}<ResponseMetadata><RequestId>${ctx.requestId}</RequestId></ResponseMetadata></${operation}Response>`;
      }
      return { status: 200, headers: { 'content-type': 'text/xml' }, body: XML_DECL + body };
    },

    serializeError(model, _operation, err, ctx) {
      const code = escapeXml(queryErrorCode(model, err));
      const message = escapeXml(err.message);
      const body = ec2
        ? `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${ctx.requestId}</RequestID></Response>`
        : `<ErrorResponse${namespace(model)}><Error><Type>${faultType(model, err)}</Type><Code>${code}</Code><Message>${message}</Message>${errorFieldsXml(model, err)}</Error><RequestId>${ctx.requestId}</RequestId></ErrorResponse>`;
      return { status: errorStatus(model, err), headers: { 'content-type': 'text/xml' }, body: XML_DECL + body };
    },
  };
}

function errorFieldsXml(model: ServiceModel | undefined, err: { code: string; fields: Record<string, unknown> }): string {
  const found = model?.errorShape(err.code);
  if (!found || Object.keys(err.fields).length === 0) return '';
  return new XmlWriter(model!).structureBody(found.shape, err.fields).inner;
}

export const query = makeQueryProtocol(false);
export const ec2 = makeQueryProtocol(true);
