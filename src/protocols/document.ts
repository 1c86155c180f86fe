// Shape-driven conversion between wire documents (JSON or CBOR values) and handler values
// (Date for timestamps, Buffer for blobs). Used by the json, rest-json and rpc-v2-cbor protocols.
import type { ServiceModel, ShapeRef, TimestampFormat } from './model.js';
import { formatTimestamp, parseTimestamp } from './timestamps.js';
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

export const JSON_FLAVOUR: DocumentFlavour = { blobs: 'base64', timestamps: 'json', nonFinite: 'strings', errorCode: 'SerializationException' };
export const CBOR_FLAVOUR: DocumentFlavour = { blobs: 'bytes', timestamps: 'cbor', nonFinite: 'floats', errorCode: 'SerializationException' };

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function wrongType(f: DocumentFlavour, path: string, expected: string): ServiceError {
  return new ServiceError(f.errorCode, `Expected ${expected} at ${path || 'the top level'}`);
}

/** Wire value → handler value, checking types. Unknown structure members are dropped, as AWS does. */
export function fromDocument(model: ServiceModel, ref: ShapeRef, v: unknown, f: DocumentFlavour, path = ''): unknown {
  if (v === null || v === undefined) return undefined;
  const shape = model.shape(ref.shape);
  switch (shape.type) {
    case 'structure': {
      if (!isPlainObject(v)) throw wrongType(f, path, 'an object');
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const key = member.locationName && member.location === undefined ? member.locationName : name;
        const value = fromDocument(model, member, v[key], f, path ? `${path}.${name}` : name);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(v)) throw wrongType(f, path, 'a list');
      return v.map((item, i) => fromDocument(model, shape.member!, item, f, `${path}[${i}]`) ?? null);
    case 'map': {
      if (!isPlainObject(v)) throw wrongType(f, path, 'a map');
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const value = fromDocument(model, shape.value!, item, f, `${path}.${k}`);
        if (value !== undefined) out[k] = value;
      }
      return out;
    }
    case 'timestamp':
      return parseTimestamp(v, path);
    case 'blob':
      if (f.blobs === 'bytes' && v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      if (typeof v !== 'string') throw wrongType(f, path, 'a base64 string');
      return Buffer.from(v, 'base64');
    case 'boolean':
      if (typeof v !== 'boolean') throw wrongType(f, path, 'a boolean');
      return v;
    case 'integer': case 'long': case 'short': case 'byte': case 'float': case 'double': case 'bigdecimal': case 'biginteger':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      if (typeof v === 'string' && (v === 'NaN' || v === 'Infinity' || v === '-Infinity')) return Number(v);
      throw wrongType(f, path, 'a number');
    case 'string':
      if (typeof v !== 'string') throw wrongType(f, path, 'a string');
      return v;
    default:
      return v; // document: any JSON value
  }
}

/** Handler value → wire value. */
export function toDocument(model: ServiceModel, ref: ShapeRef, v: unknown, f: DocumentFlavour, defaultTs: TimestampFormat = 'unixTimestamp'): unknown {
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
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) out[k] = toDocument(model, shape.value!, item, f, defaultTs) ?? null;
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
    case 'float': case 'double':
      return Number.isFinite(v) || f.nonFinite === 'floats' ? v : String(v); // NaN/Infinity travel as strings in JSON
    default:
      return v;
  }
}
