// Shape-driven conversion between wire documents (JSON or CBOR values) and handler values
// (Date for timestamps, Buffer for blobs). Used by the json, rest-json and rpc-v2-cbor protocols.
import type { ServiceModel, Shape, ShapeRef, TimestampFormat } from './model.js';
import { formatTimestamp } from './timestamps.js';
import { decodeBase64, fitsInteger, isNonFiniteName, timestampIn } from './scalars.js';
import { ServiceError } from '../services/errors.js';

export interface DocumentFlavour {
  /** json: base64 strings; cbor: byte strings */
  blobs: 'base64' | 'bytes';
  /** json: epoch seconds numbers by default; cbor: Date (encoded as tag 1) */
  timestamps: 'json' | 'cbor';
  /** json: NaN and ±Infinity as the strings "NaN", "Infinity", "-Infinity"; cbor: native floats */
  nonFinite: 'strings' | 'floats';
  /** the error code for values of the wrong type */
  errorCode: string;
}

export const JSON_FLAVOUR: DocumentFlavour = {
  blobs: 'base64',
  timestamps: 'json',
  nonFinite: 'strings',
  errorCode: 'SerializationException',
};
export const CBOR_FLAVOUR: DocumentFlavour = {
  blobs: 'bytes',
  timestamps: 'cbor',
  nonFinite: 'floats',
  errorCode: 'SerializationException',
};

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** The name Coral's JSON reader gives a value in its errors ("NUMBER_VALUE cannot be converted to String", as DynamoDB
 * answers; STRING_VALUE seen likewise, the boolean and CBOR names by analogy). */
function token(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return 'STRING_VALUE';
    case 'number':
    case 'bigint':
      return 'NUMBER_VALUE';
    case 'boolean':
      return v ? 'TRUE_VALUE' : 'FALSE_VALUE';
    default:
      return v instanceof Uint8Array ? 'BYTE_STRING' : v instanceof Date ? 'TIMESTAMP' : 'VALUE';
  }
}

const TYPE_NAMES: Partial<Record<Shape['type'], string>> = {
  structure: 'Structure',
  list: 'List',
  map: 'Map',
  string: 'String',
  boolean: 'Boolean',
  blob: 'Blob',
  timestamp: 'Date',
  integer: 'Integer',
  long: 'Long',
  short: 'Short',
  byte: 'Byte',
  float: 'Float',
  double: 'Double',
  bigdecimal: 'BigDecimal',
  biginteger: 'BigInteger',
};

/** A value of the wrong type (or out of its type's range), in Coral's words. */
function mismatch(f: DocumentFlavour, shape: Shape, v: unknown): ServiceError {
  if (Array.isArray(v)) return new ServiceError(f.errorCode, 'Start of list found where not expected');
  if (isPlainObject(v)) return new ServiceError(f.errorCode, 'Start of structure or map found where not expected.');
  return new ServiceError(f.errorCode, `${token(v)} cannot be converted to ${TYPE_NAMES[shape.type] ?? shape.type}`);
}

const bad = (f: DocumentFlavour, message: string) => new ServiceError(f.errorCode, message);

/**
 * Wire value → handler value, checking types as AWS does (Smithy's malformed-request tests): integers
 * whole and in range, canonical base64, timestamps in the member's format, no nulls in lists and maps,
 * exactly one known member in a union. Unknown structure members are dropped, as AWS does.
 */
export function fromDocument(model: ServiceModel, ref: ShapeRef, v: unknown, f: DocumentFlavour, path = ''): unknown {
  if (v === null || v === undefined) return undefined;
  const shape = model.shape(ref.shape);
  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(v)) throw mismatch(f, shape, v);
      if (shape.union) checkUnion(f, ref.shape, shape, v);
      const members = wireMembers(shape);
      const out: Record<string, unknown> = {};
      // walk what was sent, not every member the model has (DynamoDB's AttributeValue has ten, a value sets one)
      for (const key in v) {
        const member = members.get(key);
        if (!member) continue; // unknown members are dropped
        const value = fromDocument(model, member[1], v[key], f, path ? `${path}.${member[0]}` : member[0]);
        if (value !== undefined) out[member[0]] = value;
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(v)) throw mismatch(f, shape, v);
      return v.map((item, i) => {
        if (item === null || item === undefined) throw bad(f, `Null value found in the list at ${path}[${i}]`);
        return fromDocument(model, shape.member!, item, f, `${path}[${i}]`);
      });
    case 'map': {
      if (!isPlainObject(v)) throw mismatch(f, shape, v);
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        if (item === null || item === undefined) throw bad(f, `Null value found in the map at ${path}.${k}`);
        out[k] = fromDocument(model, shape.value!, item, f, `${path}.${k}`);
      }
      return out;
    }
    case 'timestamp': {
      if (f.timestamps === 'cbor') {
        if (v instanceof Date && !Number.isNaN(v.getTime())) return v; // tag 1
        if (typeof v === 'number' && Number.isFinite(v)) return new Date(v * 1000);
        throw mismatch(f, shape, v);
      }
      const format = ref.timestampFormat ?? shape.timestampFormat ?? 'unixTimestamp';
      // epoch seconds travel as a JSON number; "1515531081" is a string where a number belongs
      const d = format === 'unixTimestamp' && typeof v !== 'number' ? undefined : timestampIn(format, v);
      if (!d)
        throw typeof v === 'string' || typeof v === 'number'
          ? bad(f, `Invalid timestamp at ${path}: ${String(v).slice(0, 64)}`)
          : mismatch(f, shape, v);
      return d;
    }
    case 'blob': {
      if (f.blobs === 'bytes') {
        if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        throw mismatch(f, shape, v);
      }
      if (typeof v !== 'string') throw mismatch(f, shape, v);
      const b = decodeBase64(v);
      if (typeof b === 'string') throw bad(f, b);
      return b;
    }
    case 'boolean':
      if (typeof v !== 'boolean') throw mismatch(f, shape, v);
      return v;
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
      if (typeof v === 'number' && fitsInteger(shape.type, v)) return v;
      if (typeof v === 'bigint' && fitsInteger(shape.type, Number(v))) return Number(v);
      throw mismatch(f, shape, v);
    case 'float':
    case 'double':
      if (typeof v === 'number') return v;
      if (f.nonFinite === 'strings' && typeof v === 'string' && isNonFiniteName(v)) return Number(v);
      throw mismatch(f, shape, v);
    case 'bigdecimal':
    case 'biginteger':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      throw mismatch(f, shape, v);
    case 'string':
      if (typeof v !== 'string') throw mismatch(f, shape, v);
      return v;
    default:
      return v; // document: any JSON value
  }
}

const wireIndex = new WeakMap<Shape, Map<string, [name: string, ref: ShapeRef]>>();

/** A structure's members by the key they travel under (the jsonName where one is set). */
function wireMembers(shape: Shape): Map<string, [string, ShapeRef]> {
  let index = wireIndex.get(shape);
  if (!index) {
    index = new Map();
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      index.set(member.locationName && member.location === undefined ? member.locationName : name, [name, member]);
    }
    wireIndex.set(shape, index);
  }
  return index;
}

/** A union carries exactly one member, and one the model knows (`__type` is a type tag, not a member). */
function checkUnion(f: DocumentFlavour, name: string, shape: Shape, v: Record<string, unknown>) {
  let set: string | undefined;
  let count = 0;
  for (const k in v) {
    if (v[k] === null || v[k] === undefined || k === '__type') continue;
    set = k;
    count++;
  }
  if (count !== 1) throw bad(f, `Union ${name} must have exactly one member set, found ${count}`);
  if (!wireMembers(shape).has(set!)) throw bad(f, `Union ${name} has no member ${set}`);
}

/** Handler value → wire value. */
export function toDocument(
  model: ServiceModel,
  ref: ShapeRef,
  v: unknown,
  f: DocumentFlavour,
  defaultTs: TimestampFormat = 'unixTimestamp',
): unknown {
  if (v === null || v === undefined) return undefined;
  const shape = model.shape(ref.shape);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      const obj = v as Record<string, unknown>;
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const value = toDocument(model, member, obj[name], f, defaultTs);
        if (value !== undefined) out[member.locationName && member.location === undefined ? member.locationName : name] = value;
      }
      return out;
    }
    case 'list':
      return (v as unknown[]).map((item) => toDocument(model, shape.member!, item, f, defaultTs) ?? null);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>))
        out[k] = toDocument(model, shape.value!, item, f, defaultTs) ?? null;
      return out;
    }
    case 'timestamp': {
      const d = v instanceof Date ? v : new Date(v as string | number);
      if (f.timestamps === 'cbor') return d;
      return formatTimestamp(d, ref.timestampFormat ?? shape.timestampFormat ?? defaultTs);
    }
    case 'blob': {
      const b = typeof v === 'string' ? Buffer.from(v) : Buffer.from(v as Uint8Array);
      return f.blobs === 'bytes' ? b : b.toString('base64');
    }
    case 'float':
    case 'double':
      return Number.isFinite(v) || f.nonFinite === 'floats' ? v : String(v); // NaN/Infinity travel as strings in JSON
    default:
      return v;
  }
}
