// The checks every protocol makes on scalar values, as AWS's frontends make them (Smithy's
// malformed-request protocol tests state them): integers fit their type, numbers are decimal,
// blobs are canonical base64, timestamps have the format the model gives the member.
import type { Shape, TimestampFormat } from './model.js';
import { parseTimestamp } from './timestamps.js';

/** Inclusive ranges; a long is judged as far as a double tells (9223372036854775807 reads as 2^63). */
const INTEGER_RANGES: Partial<Record<Shape['type'], readonly [number, number]>> = {
  byte: [-(2 ** 7), 2 ** 7 - 1],
  short: [-(2 ** 15), 2 ** 15 - 1],
  integer: [-(2 ** 31), 2 ** 31 - 1],
  long: [-(2 ** 63), 2 ** 63],
};

/** Whether `n` is a whole number that the integer shape `type` can hold. */
export function fitsInteger(type: Shape['type'], n: number): boolean {
  const range = INTEGER_RANGES[type];
  return Number.isInteger(n) && (range === undefined || (n >= range[0] && n <= range[1]));
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

/** An integer from text, or undefined when the text is not one the shape can hold ("1.0", "0x42", overflow). */
export function integerFromText(type: Shape['type'], text: string): number | undefined {
  if (!INTEGER_TEXT.test(text)) return undefined;
  const n = Number(text);
  return fitsInteger(type, n) ? n : undefined;
}

/** A float from text: decimal or exponent notation, or NaN / Infinity / -Infinity (no hex, no trailing junk). */
export function floatFromText(text: string): number | undefined {
  return DECIMAL_TEXT.test(text) || NON_FINITE.has(text) ? Number(text) : undefined;
}

export const isNonFiniteName = (s: string) => NON_FINITE.has(s);

// RFC 4648 base64 with its padding (what every SDK writes); no URL-safe alphabet, no missing '='.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes canonical base64; returns the reason when `text` is not (Coral's wording for the length). */
export function decodeBase64(text: string): Buffer | string {
  if (text.length % 4 !== 0) return `Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`;
  if (!BASE64.test(text)) return 'Invalid base64 character or padding';
  return Buffer.from(text, 'base64');
}

// RFC 3339 date-time in UTC (Smithy's date-time: no offsets, no other ISO 8601 forms)
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/i;
// RFC 7231 IMF-fixdate (Smithy's http-date)
const HTTP_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const EPOCH_TEXT = /^-?\d+(?:\.\d+)?$/;

const validDate = (d: Date) => (Number.isNaN(d.getTime()) ? undefined : d);

/** A timestamp in exactly the wire format `format` names, from text or (epoch seconds) a JSON/CBOR number. */
export function timestampIn(format: TimestampFormat, v: unknown): Date | undefined {
  switch (format) {
    case 'unixTimestamp':
      if (typeof v === 'number') return Number.isFinite(v) ? new Date(v * 1000) : undefined;
      return typeof v === 'string' && EPOCH_TEXT.test(v) ? new Date(Number(v) * 1000) : undefined;
    case 'iso8601':
      return typeof v === 'string' && DATE_TIME.test(v) ? validDate(new Date(v)) : undefined;
    case 'rfc822':
      return typeof v === 'string' && HTTP_DATE.test(v) ? validDate(new Date(v)) : undefined;
    default:
      return undefined;
  }
}

/** How strictly text-bound values are read: rest-json follows Smithy; query and XML keep their leniencies. */
export interface TextRules {
  /** booleans exactly `true`/`false`, blobs canonical base64, timestamps only in `timestampFormat` */
  strict: boolean;
  /** the member's timestamp format where the binding gives one (strict only) */
  timestampFormat?: TimestampFormat;
}

const LENIENT: TextRules = { strict: false };

/** Parses the text form of a scalar shape; `invalid` builds the error for text that does not fit. */
export function scalarFromString(shape: Shape, text: string, invalid: (message: string) => Error, rules: TextRules = LENIENT): unknown {
  const t = rules.strict ? text : text.trim();
  switch (shape.type) {
    case 'integer':
    case 'long':
    case 'short':
    case 'byte':
    case 'biginteger': {
      const n = integerFromText(shape.type, t);
      if (n === undefined) throw invalid(`Expected ${shape.type === 'long' ? 'a long' : 'an integer'} value, got '${text.slice(0, 64)}'`);
      return n;
    }
    case 'float':
    case 'double':
    case 'bigdecimal': {
      const n = floatFromText(t);
      if (n === undefined) throw invalid(`Expected a number, got '${text.slice(0, 64)}'`);
      return n;
    }
    case 'boolean': {
      const b = rules.strict ? t : t.toLowerCase();
      if (b !== 'true' && b !== 'false') throw invalid(`Expected true or false, got '${text.slice(0, 64)}'`);
      return b === 'true';
    }
    case 'timestamp': {
      const d = rules.strict ? timestampIn(rules.timestampFormat ?? 'iso8601', t) : lenientTimestamp(t);
      if (!d) throw invalid(`Expected a timestamp, got '${text.slice(0, 64)}'`);
      return d;
    }
    case 'blob': {
      if (!rules.strict) return Buffer.from(text, 'base64');
      const b = decodeBase64(t);
      if (typeof b === 'string') throw invalid(b);
      return b;
    }
    default:
      return text;
  }
}

function lenientTimestamp(text: string): Date | undefined {
  try {
    return parseTimestamp(text);
  } catch {
    return undefined;
  }
}
