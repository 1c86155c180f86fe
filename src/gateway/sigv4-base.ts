// The vocabulary of SigV4 shared by its parser, its verifier and its time checks: the request and
// credential shapes, the error spellings of both dialects, and the amz-date format.
import { ServiceError } from '../services/errors.js';

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const TERMINATOR = 'aws4_request';
export const MAX_SKEW_MS = 15 * 60 * 1000;
export const MAX_EXPIRES_S = 604800;

/** Header names lowercased, as node's IncomingMessage gives them. */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

export interface AuthRequest {
  method: string;
  /** the path exactly as sent (still percent-encoded), without the query */
  path: string;
  /** the query string exactly as sent, without '?' */
  rawQuery: string;
  headers: HeaderMap;
}

export type AuthKind = 'header' | 'presigned' | 'v2' | 'none';

/**
 * What a request claims about its signer. For 'header' and 'presigned' every field is set; for 'v2'
 * only accessKeyId (and sessionToken); for 'none' nothing (strings are '', the date invalid).
 */
export interface ParsedAuth {
  kind: AuthKind;
  accessKeyId: string;
  /** scope date, YYYYMMDD */
  date?: string;
  region?: string;
  /** scope service (the signing name) */
  service?: string;
  signedHeaders: string[];
  signature: string;
  /** signing time, from X-Amz-Date (header or query) or the Date header */
  amzDate: Date;
  /** the signing time as it enters the string to sign: YYYYMMDD'T'HHMMSS'Z' */
  amzDateString: string;
  /** X-Amz-Expires of a presigned request */
  expiresSeconds?: number;
  /** Expires (seconds since the epoch) of an S3 SigV2 presigned URL */
  v2ExpiresAt?: Date;
  sessionToken?: string;
  /** the payload hash the client declared (x-amz-content-sha256, UNSIGNED-PAYLOAD for presigned S3);
   * '' when it is the sha256 of the body, which verify() then needs */
  payloadHash: string;
  /** the s3v4 variant's rules apply: path signed as sent, its error codes */
  s3: boolean;
}

/** botocore's name of the variant that signs the path as sent and honours X-Amz-Expires. */
export const S3V4 = 's3v4';
/** The signing variant a profile declares (`v4` when it declares none). */
export type SigningVariant = string | undefined;

// ---- errors ----------------------------------------------------------------------------------

export const S3_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
export const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
export const S3_MALFORMED = 'The authorization header is malformed; ';
export const S3_CREDENTIAL_SHAPE = 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';
export const S3_QUERY_MISSING =
  'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';
export const S3_NO_DATE = 'AWS authentication requires a valid Date or x-amz-date header';

export const incomplete = (msg: string) => new ServiceError('IncompleteSignature', msg, 400);
export const mismatch = (msg: string, fields?: Record<string, unknown>) => new ServiceError('SignatureDoesNotMatch', msg, 403, fields);
export const headerMalformed = (msg: string) => new ServiceError('AuthorizationHeaderMalformed', S3_MALFORMED + msg, 400);
export const queryError = (msg: string) => new ServiceError('AuthorizationQueryParametersError', msg, 400);
export const accessDenied = (msg: string, fields?: Record<string, unknown>) => new ServiceError('AccessDenied', msg, 403, fields);
export const invalidArgument = (msg: string, value: string) =>
  new ServiceError('InvalidArgument', msg, 400, { ArgumentName: 'Authorization', ArgumentValue: value });

// ---- dates and headers ---------------------------------------------------------------------------------

export function header(h: HeaderMap, name: string): string | undefined {
  const v = h[name];
  return v === undefined || typeof v === 'string' ? v : v.join(',');
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** 'YYYYMMDDTHHMMSSZ' → Date, or undefined when malformed (month 13, day 32, …). */
export function parseAmzDate(s: string): Date | undefined {
  const m = AMZ_DATE.exec(s);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  // Date.UTC rolls over out-of-range fields (and maps years 0–99 to 1900–1999); a round trip catches them
  const fields = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
  return fields.every((f, i) => f === +m[i + 1]) ? d : undefined;
}

/** Date → 'YYYYMMDDTHHMMSSZ' */
export function formatAmzDate(d: Date | number): string {
  const iso = new Date(d).toISOString(); // 2026-11-24T10:10:10.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
}

/** Date → '2026-11-24T10:10:10Z', S3's ServerTime / Expires format. */
export const isoSeconds = (d: Date | number) => new Date(d).toISOString().slice(0, 19) + 'Z';
