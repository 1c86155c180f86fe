// AWS Signature Version 4: parsing the Authorization header / presigned query, recomputing the
// signature exactly as AWS does, and the time checks. Error codes and messages are AWS's own:
// the s3v4 variant (a service's profile says `signing: 's3v4'`) speaks its own dialect
// (AuthorizationHeaderMalformed, RequestTimeTooSkewed, …), every other service the shared one
// (IncompleteSignature, SignatureDoesNotMatch "Signature expired: …").
import { createHash, createHmac } from 'node:crypto';
import type { ChunkVerification } from './aws-chunked.js';

import {
  ALGORITHM,
  EMPTY_SHA256,
  MAX_EXPIRES_S,
  MISMATCH,
  S3V4,
  S3_CREDENTIAL_SHAPE,
  S3_MISMATCH,
  S3_NO_DATE,
  S3_QUERY_MISSING,
  TERMINATOR,
  UNSIGNED_PAYLOAD,
  accessDenied,
  formatAmzDate,
  header,
  headerMalformed,
  incomplete,
  invalidArgument,
  mismatch,
  parseAmzDate,
  queryError,
  type AuthKind,
  type AuthRequest,
  type ParsedAuth,
  type SigningVariant,
} from './sigv4-base.js';

export { EMPTY_SHA256, UNSIGNED_PAYLOAD, S3V4, formatAmzDate, parseAmzDate } from './sigv4-base.js';
export type { AuthKind, AuthRequest, HeaderMap, ParsedAuth, SigningVariant } from './sigv4-base.js';
export { checkPresignedExpiry, checkSkew, checkV2PresignedExpiry } from './sigv4-time.js';

// ---- parsing ---------------------------------------------------------------------------------

function decode(s: string): string {
  if (!s.includes('%')) return s; // '+' stays literal: SDKs never send it for a space
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** First value of each query parameter, decoded. Only built when the query may carry auth. */
function authQuery(raw: string): Record<string, string> {
  const q: Record<string, string> = Object.create(null);
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    if (!(k in q)) q[k] = eq < 0 ? '' : decode(part.slice(eq + 1));
  }
  return q;
}

function emptyAuth(kind: AuthKind, s3: boolean): ParsedAuth {
  return {
    kind,
    accessKeyId: '',
    date: undefined,
    region: undefined,
    service: undefined,
    signedHeaders: [],
    signature: '',
    amzDate: new Date(NaN),
    amzDateString: '',
    expiresSeconds: undefined,
    sessionToken: undefined,
    payloadHash: '',
    s3,
  };
}

/**
 * Reads the request's credentials. `variant` is the signing variant of the service the gateway
 * routed the request to (`s3v4` picks that variant's rules and error dialect); by default plain v4.
 */
export function parseAuth(req: AuthRequest, variant?: SigningVariant): ParsedAuth {
  const authz = header(req.headers, 'authorization');
  const raw = req.rawQuery;
  const q = raw && (raw.includes('X-Amz-') || raw.includes('AWSAccessKeyId')) ? authQuery(raw) : undefined;
  const presigned =
    q !== undefined && (q['X-Amz-Algorithm'] !== undefined || q['X-Amz-Credential'] !== undefined || q['X-Amz-Signature'] !== undefined);
  const s3 = variant === S3V4;

  if (authz !== undefined && presigned) {
    if (s3) {
      throw invalidArgument(
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        authz,
      );
    }
    throw mismatch("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  }
  if (authz !== undefined) return parseHeaderAuth(authz, req, s3, q);
  if (presigned) return parsePresigned(q, req, s3);
  if (q?.AWSAccessKeyId !== undefined) {
    // SigV2 query (S3 presigned v2, or the query protocol's SignatureVersion=2): identity only
    const v2 = emptyAuth('v2', s3);
    v2.accessKeyId = q.AWSAccessKeyId;
    v2.sessionToken = header(req.headers, 'x-amz-security-token') ?? q['x-amz-security-token'] ?? q.SecurityToken;
    if (s3 && q.Expires !== undefined && /^\d+$/.test(q.Expires)) v2.v2ExpiresAt = new Date(Number(q.Expires) * 1000);
    return v2;
  }
  return emptyAuth('none', s3);
}

function parseHeaderAuth(authz: string, req: AuthRequest, s3: boolean, q: Record<string, string> | undefined): ParsedAuth {
  const sp = authz.indexOf(' ');
  const algorithm = sp < 0 ? authz : authz.slice(0, sp);
  if (algorithm === 'AWS') {
    // SigV2 `AWS AKID:signature`: identity only
    const v2 = emptyAuth('v2', s3);
    const cred = sp < 0 ? '' : authz.slice(sp + 1).trim();
    const colon = cred.lastIndexOf(':');
    v2.accessKeyId = colon < 0 ? cred : cred.slice(0, colon);
    v2.sessionToken = header(req.headers, 'x-amz-security-token') ?? q?.SecurityToken;
    return v2;
  }
  if (algorithm !== ALGORITHM) {
    throw s3 ? invalidArgument('Unsupported Authorization Type', authz) : incomplete(`Unsupported AWS 'algorithm': '${algorithm}'.`);
  }

  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  if (sp > 0) {
    for (const token of authz.slice(sp + 1).split(/[,\s]+/)) {
      if (!token) continue;
      const eq = token.indexOf('=');
      if (eq < 0) {
        throw s3
          ? headerMalformed(`the authorization component "${token}" is malformed.`)
          : incomplete(`'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authz}'`);
      }
      const key = token.slice(0, eq);
      if (key === 'Credential') credential = token.slice(eq + 1);
      else if (key === 'SignedHeaders') signedHeaders = token.slice(eq + 1);
      else if (key === 'Signature') signature = token.slice(eq + 1);
    }
  }
  const amzDateHeader = header(req.headers, 'x-amz-date');
  const dateHeader = amzDateHeader ?? header(req.headers, 'date');

  if (s3) {
    if (!credential || !signedHeaders || !signature) {
      throw headerMalformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
    }
    if (dateHeader === undefined) throw accessDenied(S3_NO_DATE);
  } else if (!credential || !signedHeaders || !signature || dateHeader === undefined) {
    // AWS lists every missing piece at once, in this order, then echoes the header
    let msg = '';
    if (!credential) msg += "Authorization header requires 'Credential' parameter. ";
    if (!signature) msg += "Authorization header requires 'Signature' parameter. ";
    if (!signedHeaders) msg += "Authorization header requires 'SignedHeaders' parameter. ";
    if (dateHeader === undefined) msg += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
    throw incomplete(msg + 'Authorization=' + authz);
  }

  // X-Amz-Date must be ISO basic; a bare Date header may also be an HTTP date
  let amzDate = parseAmzDate(dateHeader);
  if (!amzDate && amzDateHeader === undefined) {
    const ms = Date.parse(dateHeader);
    if (!Number.isNaN(ms)) amzDate = new Date(ms);
  }
  if (!amzDate) {
    throw s3
      ? accessDenied(S3_NO_DATE)
      : incomplete(`Date must be in ISO-8601 'basic format'. Got '${dateHeader}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  const amzDateString = amzDateHeader !== undefined ? amzDateHeader : formatAmzDate(amzDate);

  const scope = credential.split('/');
  if (scope.length !== 5) {
    throw s3
      ? headerMalformed(S3_CREDENTIAL_SHAPE)
      : incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  checkScope(scope, amzDateString, s3, 'header');
  const signed = signedHeaders.split(';');
  if (!s3 && !signed.includes('host')) throw mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");

  return {
    kind: 'header',
    accessKeyId: scope[0],
    date: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: signed,
    signature,
    amzDate,
    amzDateString,
    expiresSeconds: undefined,
    sessionToken: header(req.headers, 'x-amz-security-token'),
    payloadHash: header(req.headers, 'x-amz-content-sha256') ?? '',
    s3,
  };
}

/** The scope's terminator and date; region and service are the gateway's to judge. */
function checkScope(scope: string[], amzDateString: string, s3: boolean, form: 'header' | 'query'): void {
  const day = amzDateString.slice(0, 8);
  if (s3) {
    if (scope[4] !== TERMINATOR) {
      throw form === 'header'
        ? headerMalformed(S3_CREDENTIAL_SHAPE)
        : queryError('Error parsing the X-Amz-Credential parameter; ' + S3_CREDENTIAL_SHAPE);
    }
    if (scope[1] !== day) {
      const msg = `Invalid credential date "${scope[1]}". This date is not the same as X-Amz-Date: "${day}".`;
      throw form === 'header' ? headerMalformed(msg) : queryError(msg);
    }
    return;
  }
  const problems: string[] = [];
  if (scope[4] !== TERMINATOR) problems.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${scope[4]}'.`);
  if (scope[1] !== day) {
    problems.push(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope[1]}' != '${day}', from '${amzDateString}'.`,
    );
  }
  if (problems.length) throw mismatch(problems.join(' '));
}

function parsePresigned(q: Record<string, string>, req: AuthRequest, s3: boolean): ParsedAuth {
  const algorithm = q['X-Amz-Algorithm'];
  const credential = q['X-Amz-Credential'];
  const signature = q['X-Amz-Signature'];
  const signedHeaders = q['X-Amz-SignedHeaders'];
  const date = q['X-Amz-Date'];
  const expires = q['X-Amz-Expires'];

  let expiresSeconds: number | undefined;
  if (s3) {
    if (algorithm !== undefined && algorithm !== ALGORITHM) throw queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    if (!algorithm || !credential || !signature || !date || !signedHeaders || expires === undefined) throw queryError(S3_QUERY_MISSING);
    if (!/^-?\d+$/.test(expires)) throw queryError('X-Amz-Expires should be a number');
    expiresSeconds = Number(expires);
    if (expiresSeconds < 0) throw queryError('X-Amz-Expires must be non-negative');
    if (expiresSeconds > MAX_EXPIRES_S) throw queryError('X-Amz-Expires must be less than a week (in seconds) that is 604800');
  } else {
    if (!algorithm || !credential || !signature || !signedHeaders || !date) {
      let msg = '';
      if (!algorithm) msg += "AWS query-string parameters must include 'X-Amz-Algorithm'. ";
      if (!credential) msg += "AWS query-string parameters must include 'X-Amz-Credential'. ";
      if (!signature) msg += "AWS query-string parameters must include 'X-Amz-Signature'. ";
      if (!signedHeaders) msg += "AWS query-string parameters must include 'X-Amz-SignedHeaders'. ";
      if (!date) msg += "AWS query-string parameters must include 'X-Amz-Date'. ";
      throw incomplete(msg + 'Re-examine the query-string parameters.');
    }
    if (algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'.`);
    // outside S3 the window is the usual 15 minutes whatever X-Amz-Expires says; keep it informative
    if (expires !== undefined && /^\d+$/.test(expires)) expiresSeconds = Number(expires);
  }

  const amzDate = parseAmzDate(date);
  if (!amzDate) {
    throw s3
      ? queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
      : incomplete(`Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  const scope = credential.split('/');
  if (scope.length !== 5) {
    throw s3
      ? queryError('Error parsing the X-Amz-Credential parameter; ' + S3_CREDENTIAL_SHAPE)
      : incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  checkScope(scope, date, s3, 'query');
  // s3v4 presigned URLs carry no payload hash: UNSIGNED-PAYLOAD unless stated; elsewhere the body's hash
  const payloadHash =
    header(req.headers, 'x-amz-content-sha256') ?? q['X-Amz-Content-Sha256'] ?? q['x-amz-content-sha256'] ?? (s3 ? UNSIGNED_PAYLOAD : '');

  return {
    kind: 'presigned',
    accessKeyId: scope[0],
    date: scope[1],
    region: scope[2],
    service: scope[3],
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    amzDateString: date,
    expiresSeconds,
    sessionToken: q['X-Amz-Security-Token'],
    payloadHash,
    s3,
  };
}

// ---- canonical request -----------------------------------------------------------------------

const HEX = Array.from({ length: 256 }, (_, i) => '%' + i.toString(16).toUpperCase().padStart(2, '0'));
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;

const isUnreserved = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
const hexVal = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;

function encodeNonAscii(s: string, i: number): [string, number] {
  const cp = s.codePointAt(i)!;
  const ch = String.fromCodePoint(cp);
  let out = '';
  for (const b of Buffer.from(ch, 'utf8')) out += HEX[b];
  return [out, ch.length];
}

/**
 * A query name or value as AWS canonicalises it: decoded, then RFC 3986-encoded. Done in one pass
 * over the raw text (a valid %XX is kept, uppercased, or unescaped when unreserved; anything else
 * is encoded) so a malformed escape cannot throw. '+' is a literal plus.
 */
function canonicalComponent(s: string): string {
  if (UNRESERVED.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isUnreserved(c)) {
      out += s[i];
    } else if (c === 0x25 && i + 2 < s.length && hexVal(s.charCodeAt(i + 1)) >= 0 && hexVal(s.charCodeAt(i + 2)) >= 0) {
      const b = hexVal(s.charCodeAt(i + 1)) * 16 + hexVal(s.charCodeAt(i + 2));
      out += isUnreserved(b) ? String.fromCharCode(b) : HEX[b];
      i += 2;
    } else if (c < 0x80) {
      out += HEX[c];
    } else {
      const [enc, len] = encodeNonAscii(s, i);
      out += enc;
      i += len - 1;
    }
  }
  return out;
}

/** Every byte but unreserved ones and '/' percent-encoded: the second encoding non-S3 paths get. */
function encodePath(s: string): string {
  if (UNRESERVED_OR_SLASH.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isUnreserved(c) || c === 0x2f) out += s[i];
    else if (c < 0x80) out += HEX[c];
    else {
      const [enc, len] = encodeNonAscii(s, i);
      out += enc;
      i += len - 1;
    }
  }
  return out;
}

/** RFC 3986 dot-segment removal plus AWS's collapsing of empty segments ('//'), as the SDKs sign. */
function normalizePath(path: string): string {
  if (!path.includes('//') && !path.includes('/.')) return path;
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return (path.startsWith('/') ? '/' : '') + out.join('/') + (out.length && path.endsWith('/') ? '/' : '');
}

export function canonicalUri(path: string, s3: boolean): string {
  if (!path) return '/';
  return s3 ? path : encodePath(normalizePath(path));
}

/** Sorted by encoded name, then value; X-Amz-Signature left out for presigned requests. */
export function canonicalQuery(rawQuery: string, presigned: boolean): string {
  if (!rawQuery) return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = canonicalComponent(eq < 0 ? part : part.slice(0, eq));
    if (presigned && k === 'X-Amz-Signature') continue;
    pairs.push([k, eq < 0 ? '' : canonicalComponent(part.slice(eq + 1))]);
  }
  if (pairs.length > 1) pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let out = '';
  for (let i = 0; i < pairs.length; i++) out += (i ? '&' : '') + pairs[i][0] + '=' + pairs[i][1];
  return out;
}

// only SP and HTAB: \s would also eat U+00A0, a byte a latin1-decoded header value may hold
const SPACES = /[ \t]+/g;
const EDGE_SPACE = /^ | $/g;

/** The canonical request, given the payload hash that enters it. */
export function canonicalRequest(parsed: ParsedAuth, req: AuthRequest, payloadHash: string): string {
  let headers = '';
  for (const name of parsed.signedHeaders) {
    const v = header(req.headers, name);
    // values trimmed, inner runs of whitespace collapsed to one space
    headers += name + ':' + (v === undefined ? '' : v.replace(SPACES, ' ').replace(EDGE_SPACE, '')) + '\n';
  }
  return (
    req.method +
    '\n' +
    canonicalUri(req.path, parsed.s3) +
    '\n' +
    canonicalQuery(req.rawQuery, parsed.kind === 'presigned') +
    '\n' +
    headers +
    '\n' +
    parsed.signedHeaders.join(';') +
    '\n' +
    payloadHash
  );
}

// ---- signing ---------------------------------------------------------------------------------

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

// Four chained HMACs per key and day; most requests reuse a handful of keys, so keep them.
const KEY_CACHE_MAX = 256;
const keyCache = new Map<string, Buffer>();

export function signingKey(secretKey: string, date: string, region: string, service: string): Buffer {
  const id = secretKey + '\n' + date + '\n' + region + '\n' + service;
  let key = keyCache.get(id);
  if (key === undefined) {
    key = hmac(hmac(hmac(hmac('AWS4' + secretKey, date), region), service), TERMINATOR);
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!); // oldest first
    keyCache.set(id, key);
  }
  return key;
}

/** Space-separated hex bytes, as S3 reports StringToSignBytes / CanonicalRequestBytes. */
export const spacedHex = (s: string) =>
  Buffer.from(s, 'utf8')
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

/**
 * Recomputes the signature and throws SignatureDoesNotMatch unless it is the client's. The payload
 * hash is `payloadHashOverride`, else the declared one (parsed.payloadHash), else the sha256 of
 * `req.body`. Returns what an aws-chunked decoder needs to verify the chunks that follow.
 */
export function verify(
  parsed: ParsedAuth,
  req: AuthRequest & { body?: Buffer | string },
  secretKey: string,
  payloadHashOverride?: string,
): ChunkVerification {
  if (parsed.kind !== 'header' && parsed.kind !== 'presigned') throw new Error(`cannot verify a ${parsed.kind} signature`);
  const payloadHash = payloadHashOverride || parsed.payloadHash || (req.body?.length ? sha256Hex(req.body) : EMPTY_SHA256);
  const scope = parsed.date + '/' + parsed.region + '/' + parsed.service + '/' + TERMINATOR;
  const creq = canonicalRequest(parsed, req, payloadHash);
  const sts = ALGORITHM + '\n' + parsed.amzDateString + '\n' + scope + '\n' + sha256Hex(creq);
  const key = signingKey(secretKey, parsed.date!, parsed.region!, parsed.service!);
  const expected = createHmac('sha256', key).update(sts).digest('hex');
  if (expected !== parsed.signature) {
    if (!parsed.s3) throw mismatch(MISMATCH);
    // S3 hands back what it signed, so a client author can diff it against their own
    throw mismatch(S3_MISMATCH, {
      AWSAccessKeyId: parsed.accessKeyId,
      StringToSign: sts,
      SignatureProvided: parsed.signature,
      StringToSignBytes: spacedHex(sts),
      CanonicalRequest: creq,
      CanonicalRequestBytes: spacedHex(creq),
    });
  }
  return { signingKey: key, amzDate: parsed.amzDateString, scope, seedSignature: expected };
}
