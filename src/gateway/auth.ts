// Authentication: who signed the request, and is the signature right.
// Keys Nimbus issued are verified against their secret; other keys are accepted unverified (as
// LocalStack does: a 12-digit key id selects that account) unless IAM is enforced.
import type { Runtime } from '../runtime.js';
import type { HttpRequest } from '../protocols/types.js';
import type { ErrorDialect, Principal, SignatureKit } from '../services/types.js';
import type { ProtocolFamily } from '../protocols/types.js';
import type { Identified } from './identify.js';
import { ServiceError } from '../services/errors.js';
import { DEFAULT_ACCOUNT, rootPrincipal } from '../state/credentials.js';
import {
  checkPresignedExpiry,
  checkSkew,
  checkV2PresignedExpiry,
  parseAmzDate,
  parseAuth,
  signingKey,
  spacedHex,
  verify,
  type ParsedAuth,
} from './sigv4.js';
import type { ChunkVerification } from './aws-chunked.js';

export interface AuthResult {
  principal: Principal;
  region: string;
  /** set when the body is aws-chunked with signed chunks and the key is known */
  chunkVerification?: ChunkVerification;
}

const CREDENTIAL = /Credential=([^/,\s]*)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;
const QUERY_CREDENTIAL = /(?:^|&)X-Amz-Credential=([^&]*)/i;

/** The SigV4 scope's service (signing name), read cheaply before the full parse: it routes the request. */
export function signingNameOf(req: HttpRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth) return CREDENTIAL.exec(auth)?.[3];
  const q = QUERY_CREDENTIAL.exec(req.rawQuery);
  if (!q) return undefined;
  try {
    return decodeURIComponent(q[1]).split('/')[3];
  } catch {
    return undefined; // a malformed escape: parseAuth reports the credential
  }
}

/** What picks the spelling of an auth failure: the service's profile, else its protocol family. */
export interface AuthDialect {
  errors?: ErrorDialect;
  family: ProtocolFamily;
}

const dialectOf = (ident: Identified): AuthDialect => ({ errors: ident.profile.errors, family: ident.protocol.family });

/** The same failure is spelled differently by each family of services. */
function invalidKey(d: AuthDialect, accessKeyId: string): ServiceError {
  if (d.errors?.invalidKey) return d.errors.invalidKey(accessKeyId);
  const rpc = d.family === 'query';
  return new ServiceError(
    rpc ? 'InvalidClientTokenId' : 'UnrecognizedClientException',
    'The security token included in the request is invalid.',
    403,
  );
}

function expired(d: AuthDialect): ServiceError {
  if (d.errors?.expiredToken) return d.errors.expiredToken();
  const rpc = d.family === 'query';
  return new ServiceError(
    rpc ? 'ExpiredToken' : 'ExpiredTokenException',
    'The security token included in the request is expired',
    rpc ? 403 : 400,
  );
}

/** JSON-family services call a bad signature InvalidSignatureException. */
function forProtocol(e: unknown, d: AuthDialect): never {
  if (e instanceof ServiceError && e.code === 'SignatureDoesNotMatch' && !d.errors?.signatureCodesAsIs && d.family !== 'query') {
    throw new ServiceError('InvalidSignatureException', e.message, 403);
  }
  throw e;
}

function operationAllowsAnonymous(ident: Identified, operation: string | undefined): boolean {
  const anonymous = ident.profile.anonymous;
  if (anonymous === true) return true;
  if (operation !== undefined && anonymous?.includes(operation)) return true;
  const op = operation ? ident.model?.operations[operation] : undefined;
  return (op as { authtype?: string } | undefined)?.authtype === 'none';
}

/**
 * Who holds an access key, and the secret its signatures are checked with (none: the key is taken
 * on its word). The one rule for every signature, POST policy forms included.
 */
export function signerOf(
  rt: Runtime,
  keyId: string,
  sessionToken: string | undefined,
  dialect: AuthDialect,
): { principal: Principal; secret?: string } {
  const issued = rt.credentials.get(keyId);
  if (issued) {
    if (issued.expiresAt !== undefined && issued.expiresAt <= rt.clock.nowMs()) throw expired(dialect);
    if (issued.sessionToken && sessionToken !== issued.sessionToken) throw invalidKey(dialect, keyId);
    return { principal: issued.principal, secret: issued.secretAccessKey };
  }
  if (rt.config.enforceIam) {
    // the documented default key stays usable when IAM is enforced
    // a 12-digit key id acts as the root of that account (multi-account tests under enforcement)
    if (/^\d{12}$/.test(keyId)) return { principal: rootPrincipal(keyId, keyId) };
    if (keyId !== 'test') throw invalidKey(dialect, keyId);
    return { principal: rootPrincipal(DEFAULT_ACCOUNT, keyId), secret: 'test' };
  }
  return { principal: rootPrincipal(/^\d{12}$/.test(keyId) ? keyId : DEFAULT_ACCOUNT, keyId) };
}

/** Signature checking as the kit offers it to services (`rt.auth`): for signatures that are not on a request's headers. */
export function signatureKit(rt: Runtime): SignatureKit {
  return {
    signerOf: (keyId, sessionToken, errors) => signerOf(rt, keyId, sessionToken, { errors, family: 'json' }),
    signingKey,
    parseAmzDate,
    spacedHex,
    verifyRequest: (req, errors) => verifyRequest(rt, req, { errors, family: 'json' }),
  };
}

/** A whole request's SigV4 (header or presigned query), as the kit offers it; undefined when unsigned. */
function verifyRequest(rt: Runtime, req: HttpRequest, dialect: AuthDialect): { principal: Principal; region: string } | undefined {
  try {
    const parsed = parseAuth(req);
    if (parsed.kind === 'none') return undefined;
    if (parsed.kind === 'v2') throw new ServiceError('IncompleteSignature', 'Signature Version 2 is not supported.', 400);
    if (parsed.kind === 'header') checkSkew(parsed.amzDate, rt.clock.real(), undefined);
    else
      checkPresignedExpiry(new Date(rt.clock.toVirtual(parsed.amzDate.getTime())), parsed.expiresSeconds ?? 0, rt.clock.now(), undefined);
    const { principal, secret } = signerOf(rt, parsed.accessKeyId, parsed.sessionToken, dialect);
    if (secret !== undefined) verify(parsed, req, secret);
    return { principal, region: parsed.region ?? rt.config.defaultRegion };
  } catch (e) {
    forProtocol(e, dialect);
  }
}

export function authenticate(rt: Runtime, req: HttpRequest, ident: Identified, operation: string | undefined): AuthResult {
  const dialect = dialectOf(ident);
  const variant = ident.profile.signing;
  let parsed: ParsedAuth;
  try {
    parsed = parseAuth(req, variant);
  } catch (e) {
    forProtocol(e, dialect);
  }
  const region = parsed.region ?? rt.config.defaultRegion;
  const enforce = rt.config.enforceIam;

  if (parsed.kind === 'none') {
    if (enforce && !operationAllowsAnonymous(ident, operation)) {
      throw new ServiceError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
    }
    const principal: Principal = enforce
      ? { kind: 'anonymous', account: DEFAULT_ACCOUNT, arn: '*', userId: 'anonymous' }
      : rootPrincipal(DEFAULT_ACCOUNT);
    return { principal, region };
  }

  const keyId = parsed.accessKeyId;
  try {
    if (parsed.kind === 'header') checkSkew(parsed.amzDate, rt.clock.real(), variant);
    if (parsed.kind === 'presigned') {
      // the client signed with its real clock; judge the expiry on virtual time as of that moment
      checkPresignedExpiry(new Date(rt.clock.toVirtual(parsed.amzDate.getTime())), parsed.expiresSeconds ?? 0, rt.clock.now(), variant);
    }
    if (parsed.v2ExpiresAt) checkV2PresignedExpiry(parsed.v2ExpiresAt, rt.clock.now());
  } catch (e) {
    forProtocol(e, dialect); // DynamoDB & co: InvalidSignatureException "Signature expired: …"
  }

  const { principal, secret } = signerOf(rt, keyId, parsed.sessionToken, dialect);
  let chunkVerification: ChunkVerification | undefined;
  if (secret !== undefined && parsed.kind !== 'v2') {
    try {
      chunkVerification = verify(parsed, req, secret);
    } catch (e) {
      forProtocol(e, dialect);
    }
  }
  return { principal, region, chunkVerification };
}
