// Authentication: who signed the request, and is the signature right.
// Keys Nimbus issued are verified against their secret; other keys are accepted unverified (as
// LocalStack does: a 12-digit key id selects that account) unless IAM is enforced.
import type { Runtime } from '../runtime.js';
import type { HttpRequest } from '../protocols/types.js';
import type { Principal } from '../services/types.js';
import type { Identified } from './identify.js';
import { ServiceError } from '../services/errors.js';
import { DEFAULT_ACCOUNT, rootPrincipal } from '../state/credentials.js';
import { checkPresignedExpiry, checkSkew, checkV2PresignedExpiry, parseAuth, verify, type ParsedAuth } from './sigv4.js';
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

/** What picks the spelling of an error: the service, and for the others the protocol family. */
type ErrorDialect = { service: string; protocol: { name: string } };

/** The same failure is spelled differently by each family of services. */
function invalidKey(ident: ErrorDialect, accessKeyId: string): ServiceError {
  if (ident.service === 's3') {
    return new ServiceError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { AWSAccessKeyId: accessKeyId });
  }
  const rpc = ident.protocol.name === 'query' || ident.protocol.name === 'ec2';
  return new ServiceError(rpc ? 'InvalidClientTokenId' : 'UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
}

function expired(ident: ErrorDialect): ServiceError {
  if (ident.service === 's3') return new ServiceError('ExpiredToken', 'The provided token has expired.', 400);
  const rpc = ident.protocol.name === 'query' || ident.protocol.name === 'ec2';
  return new ServiceError(rpc ? 'ExpiredToken' : 'ExpiredTokenException', 'The security token included in the request is expired', rpc ? 403 : 400);
}

/** JSON-family services call a bad signature InvalidSignatureException. */
function forProtocol(e: unknown, ident: Identified): never {
  if (e instanceof ServiceError && e.code === 'SignatureDoesNotMatch' && ident.service !== 's3'
    && ident.protocol.name !== 'query' && ident.protocol.name !== 'ec2') {
    throw new ServiceError('InvalidSignatureException', e.message, 403);
  }
  throw e;
}

function operationAllowsAnonymous(ident: Identified, operation: string | undefined): boolean {
  if (ident.service === 's3') return true; // bucket policies decide (public buckets, POST forms)
  // SNS's SubscribeURL and UnsubscribeURL are plain GETs anyone holding the token or ARN may follow
  if (ident.service === 'sns' && (operation === 'ConfirmSubscription' || operation === 'Unsubscribe')) return true;
  const op = operation ? ident.model?.operations[operation] : undefined;
  return (op as { authtype?: string } | undefined)?.authtype === 'none';
}

/**
 * Who holds an access key, and the secret its signatures are checked with (none: the key is taken
 * on its word). The one rule for every signature, S3's POST policy forms included.
 */
export function signerOf(rt: Runtime, keyId: string, sessionToken: string | undefined, ident: ErrorDialect): { principal: Principal; secret?: string } {
  const issued = rt.credentials.get(keyId);
  if (issued) {
    if (issued.expiresAt !== undefined && issued.expiresAt <= rt.clock.nowMs()) throw expired(ident);
    if (issued.sessionToken && sessionToken !== issued.sessionToken) throw invalidKey(ident, keyId);
    return { principal: issued.principal, secret: issued.secretAccessKey };
  }
  if (rt.config.enforceIam) {
    // the documented default key stays usable when IAM is enforced
    // a 12-digit key id acts as the root of that account (multi-account tests under enforcement)
    if (/^\d{12}$/.test(keyId)) return { principal: rootPrincipal(keyId, keyId) };
    if (keyId !== 'test') throw invalidKey(ident, keyId);
    return { principal: rootPrincipal(DEFAULT_ACCOUNT, keyId), secret: 'test' };
  }
  return { principal: rootPrincipal(/^\d{12}$/.test(keyId) ? keyId : DEFAULT_ACCOUNT, keyId) };
}

export function authenticate(rt: Runtime, req: HttpRequest, ident: Identified, operation: string | undefined): AuthResult {
  let parsed: ParsedAuth;
  try {
    parsed = parseAuth(req, ident.service);
  } catch (e) {
    forProtocol(e, ident);
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
    if (parsed.kind === 'header') checkSkew(parsed.amzDate, rt.clock.real(), ident.service);
    if (parsed.kind === 'presigned') {
      // the client signed with its real clock; judge the expiry on virtual time as of that moment
      checkPresignedExpiry(new Date(rt.clock.toVirtual(parsed.amzDate.getTime())), parsed.expiresSeconds ?? 0, rt.clock.now(), ident.service);
    }
    if (parsed.v2ExpiresAt) checkV2PresignedExpiry(parsed.v2ExpiresAt, rt.clock.now());
  } catch (e) {
    forProtocol(e, ident); // DynamoDB & co: InvalidSignatureException "Signature expired: …"
  }

  const { principal, secret } = signerOf(rt, keyId, parsed.sessionToken, ident);
  let chunkVerification: ChunkVerification | undefined;
  if (secret !== undefined && parsed.kind !== 'v2') {
    try {
      chunkVerification = verify(parsed, req, secret);
    } catch (e) {
      forProtocol(e, ident);
    }
  }
  return { principal, region, chunkVerification };
}
