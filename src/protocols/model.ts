// The service models, as committed by `npm run codegen` under models/<service>.json:
// botocore's service-2.json with documentation stripped and overlay corrections applied.
// Shapes keep botocore's field names so the AWS documentation of the format applies as is.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ProtocolName = 'query' | 'ec2' | 'json' | 'rest-json' | 'rest-xml' | 'smithy-rpc-v2-cbor';

export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  queryName?: string;
  xmlNamespace?: { uri: string; prefix?: string };
  xmlAttribute?: boolean;
  flattened?: boolean;
  timestampFormat?: TimestampFormat;
  jsonvalue?: boolean;
  idempotencyToken?: boolean;
  hostLabel?: boolean;
  streaming?: boolean;
  eventpayload?: boolean;
  resultWrapper?: string;
}

export type TimestampFormat = 'iso8601' | 'rfc822' | 'unixTimestamp';

export interface Shape {
  type:
    | 'structure'
    | 'list'
    | 'map'
    | 'string'
    | 'integer'
    | 'long'
    | 'float'
    | 'double'
    | 'boolean'
    | 'timestamp'
    | 'blob'
    | 'bigdecimal'
    | 'biginteger'
    | 'byte'
    | 'short'
    | 'document';
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  payload?: string;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  flattened?: boolean;
  locationName?: string;
  xmlNamespace?: { uri: string; prefix?: string };
  timestampFormat?: TimestampFormat;
  streaming?: boolean;
  eventstream?: boolean;
  event?: boolean;
  union?: boolean;
  exception?: boolean;
  fault?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  document?: boolean;
}

export interface Operation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
  endpoint?: { hostPrefix: string };
  httpChecksum?: Record<string, unknown>;
}

export interface ModelMetadata {
  apiVersion: string;
  endpointPrefix: string;
  protocol: ProtocolName;
  protocols?: ProtocolName[];
  jsonVersion?: string;
  targetPrefix?: string;
  signingName?: string;
  serviceId: string;
  xmlNamespace?: string;
  awsQueryCompatible?: Record<string, unknown>;
  uid?: string;
}

export interface RawModel {
  metadata: ModelMetadata;
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/** A loaded service model with the lookups the protocols need. */
export class ServiceModel {
  readonly metadata: ModelMetadata;
  readonly operations: Record<string, Operation>;
  readonly shapes: Record<string, Shape>;
  /** error code (shape name and, for query-compatible services, the query code) → shape name */
  private readonly errorsByCode = new Map<string, string>();

  constructor(
    readonly name: string,
    raw: RawModel,
  ) {
    this.metadata = raw.metadata;
    this.operations = raw.operations;
    this.shapes = raw.shapes;
    // query codes first, so that a shape's own name always wins over another shape's query code
    for (const [shapeName, shape] of Object.entries(this.shapes)) {
      if (shape.exception && shape.error?.code) this.errorsByCode.set(shape.error.code, shapeName);
    }
    for (const [shapeName, shape] of Object.entries(this.shapes)) {
      if (shape.exception) this.errorsByCode.set(shapeName, shapeName);
    }
  }

  shape(name: string): Shape {
    const s = this.shapes[name];
    if (!s) throw new Error(`model ${this.name}: no shape ${name}`);
    return s;
  }

  /** The error shape for an error code, if the model declares it. */
  errorShape(code: string): { name: string; shape: Shape } | undefined {
    const name = this.errorsByCode.get(code);
    return name ? { name, shape: this.shapes[name] } : undefined;
  }

  /** Smithy service name, e.g. `GraniteServiceVersion20100801`, used by rpc-v2-cbor paths and json `__type`. */
  get targetPrefix(): string | undefined {
    return this.metadata.targetPrefix;
  }
}

const modelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');
const cache = new Map<string, ServiceModel | null>();

/** Loads models/<name>.json once; undefined when Nimbus has no model for that service. */
export function loadModel(name: string): ServiceModel | undefined {
  let m = cache.get(name);
  if (m === undefined) {
    try {
      m = new ServiceModel(name, JSON.parse(readFileSync(join(modelsDir, `${name}.json`), 'utf8')) as RawModel);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      m = null;
    }
    cache.set(name, m);
  }
  return m ?? undefined;
}

/** The index written by codegen: service name → the few metadata fields routing needs. */
export interface ModelIndexEntry {
  endpointPrefix: string;
  signingName: string;
  protocol: ProtocolName;
  protocols: ProtocolName[];
  targetPrefix?: string;
  jsonVersion?: string;
  serviceId: string;
  /** whether models/<name>.json exists; every AWS service is indexed so its protocol is known */
  modelled: boolean;
}

let index: Record<string, ModelIndexEntry> | undefined;
export function modelIndex(): Record<string, ModelIndexEntry> {
  index ??= JSON.parse(readFileSync(join(modelsDir, 'index.json'), 'utf8')) as Record<string, ModelIndexEntry>;
  return index;
}
