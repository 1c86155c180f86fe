// What every service provider sees: the caller, the place, the time. Providers never touch HTTP.
import type { Clock } from '../state/clock.js';
import type { HttpRequest, HttpResponse, WireDialect } from '../protocols/types.js';
import type { ServiceError } from './errors.js';
import type { Runtime } from '../runtime.js';

export interface Principal {
  /** 'anonymous' only for unsigned requests (S3 public access, presigned POST forms). */
  kind: 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous';
  account: string;
  arn: string;
  userId: string;
  accessKeyId?: string;
  sessionToken?: string;
  /** a session's own context (STS AssumeRole, GetFederationToken): session policies, tags, its role */
  session?: {
    roleArn?: string;
    parentArn?: string;
    policies?: string[];
    tags?: Record<string, string>;
    transitive?: string[];
    sourceIdentity?: string;
  };
}

export interface RequestContext {
  requestId: string;
  service: string;
  operation: string;
  account: string;
  region: string;
  principal: Principal;
  /** lowercased request headers, as received */
  headers: Record<string, string | string[] | undefined>;
  /** the caller's address, from the socket (absent for calls made inside Nimbus) */
  sourceIp?: string;
  clock: Clock;
}

export type Handler<I, O> = (input: I, ctx: RequestContext) => O | Promise<O>;

/** A provider: the typed handlers of one service, keyed by operation name. */
export type Provider = Record<string, Handler<any, any> | undefined>;

/**
 * A service's own CORS rules. The hook sits beside the provider, not in the gateway, because only the
 * service knows which resource a request names and what that resource allows; the gateway stays
 * generic and calls it only for an OPTIONS request or one that carries an Origin header, so a request
 * without one never pays for the lookup. Both methods see a path-style path (a virtual host folded in).
 */
export interface CorsRules {
  /**
   * A preflight: the headers of its 200 answer, or a thrown ServiceError (the refusal in the service's
   * protocol). Undefined when the request names none of the service's resources: the default answers.
   */
  preflight(req: HttpRequest): Record<string, string> | undefined;
  /**
   * The actual request that follows, with its Origin: the headers to add to its response, success or
   * error ({} adds none, so the browser blocks it). Undefined when it names none of the service's resources.
   */
  actual(req: HttpRequest): Record<string, string> | undefined;
}

/**
 * How a service spells the failures the gateway answers for it. Each is optional: without it the
 * protocol family's spelling applies (query: InvalidClientTokenId, MissingAction, MalformedInput…;
 * json: UnrecognizedClientException, UnknownOperationException, SerializationException…).
 */
export interface ErrorDialect {
  /** a handler's unexpected failure (500) */
  internal?(): ServiceError;
  /** the code for input the protocol cannot read (nested too deep, out of range) */
  malformedInput?: string;
  /** a request that names no operation of the model */
  unknownOperation?(): ServiceError;
  /** an access key Nimbus does not know (or a session token that does not match) */
  invalidKey?(accessKeyId: string): ServiceError;
  /** an issued credential past its expiry */
  expiredToken?(): ServiceError;
  /** signature failures keep the signer's own codes (SignatureDoesNotMatch, AccessDenied…) rather than the family's */
  signatureCodesAsIs?: boolean;
  /** the service's throttling error for an operation (an injected `throttle` fault); default ThrottlingException 400 */
  throttling?(operation: string): ServiceError;
}

/**
 * A service's wire dialect: everything in which it departs from its protocol's usual behaviour,
 * declared once beside its provider. The gateway and the protocols read it; they name no service.
 */
export interface ServiceProfile {
  /** false for services that validate input their own way: the model's constraints are not checked */
  validateInput?: boolean;
  /**
   * For a service whose resources carry their own CORS rules: builds what the gateway asks about
   * browsers' requests. Without it, every origin is allowed.
   */
  cors?(rt: Runtime): CorsRules;
  errors?: ErrorDialect;
  /** the headers that carry the request id (default: `x-amzn-RequestId`) */
  requestIdHeaders?(requestId: string): Record<string, string>;
  /**
   * The request id in the service's own format, made from a random UUID (default: the UUID). It is
   * the id everywhere: headers, error bodies, the handler's context, CloudTrail's requestID.
   */
  requestId?(uuid: string): string;
  /** an extended request id derived from the request id (S3's `x-amz-id-2`, the error body's HostId) */
  extendedRequestId?(requestId: string): string;
  /** a checksum of every buffered response body, in a header the SDKs verify (`x-amz-crc32`) */
  responseChecksum?: 'crc32';
  /**
   * Virtual-host routing: the path prefix a Host header stands for (`bucket.s3.localhost` → `bucket`),
   * so the request is handled as if it were path-style. Undefined: the host names no resource.
   */
  virtualHost?(host: string | undefined): string | undefined;
  /** operations callers may reach unsigned when IAM is enforced (`true`: all of them) */
  anonymous?: true | readonly string[];
  /**
   * The signature variant (botocore's names): `s3v4` signs the path as sent, honours X-Amz-Expires,
   * presumes UNSIGNED-PAYLOAD for presigned URLs and spells its failures its own way. Default `v4`.
   */
  signing?: 'v4' | 's3v4';
  /** departures from the protocol's wire shapes (error wrapping, unwrapped outputs) */
  wire?: WireDialect;
  /**
   * Requests the service answers itself, outside its API (a function URL): claimed by Host or path
   * before any stage runs, so they are neither signed-checked nor parsed by the gateway.
   */
  claimed?(rt: Runtime): ClaimedRequests;
  routing?: {
    /** answers every request that names no service (unsigned, no target, no Action) */
    fallback?: boolean;
    /** an unsigned query request on a path of this shape is for this service (a queue URL) */
    queryPath?: RegExp;
  };
}

/** What a service claims beside its API (see ServiceProfile.claimed). */
export interface ClaimedRequests {
  /** whether the request is the service's: a cheap test of its Host header or path, made for every request */
  claims(req: HttpRequest): boolean;
  /** the answer (a Readable body streams); the request's body is read; a thrown ServiceError answers its status */
  serve(req: HttpRequest, info: { requestId: string; sourceIp: string }): Promise<HttpResponse>;
}

/**
 * Signature checking for signatures a service reads itself (an S3 POST form's policy signature):
 * the gateway's one rule for who holds a key, and SigV4's pieces. Offered as `rt.auth`.
 */
export interface SignatureKit {
  /**
   * Who holds an access key and the secret its signatures are checked with (none: the key is taken
   * on its word). Throws the service's spelling (`errors`) of an unknown or expired key.
   */
  signerOf(keyId: string, sessionToken: string | undefined, errors: ErrorDialect | undefined): { principal: Principal; secret?: string };
  /** SigV4's derived signing key for a scope */
  signingKey(secret: string, date: string, region: string, service: string): Buffer;
  /** `YYYYMMDD'T'HHMMSS'Z'` → Date; undefined when malformed */
  parseAmzDate(s: string): Date | undefined;
  /** space-separated hex bytes of a text, as S3 reports StringToSignBytes */
  spacedHex(s: string): string;
  /**
   * A whole request's SigV4 (Authorization header or presigned query; the body as read): who signed
   * it, the signature recomputed when the key's secret is known. Undefined when it is unsigned.
   */
  verifyRequest(req: HttpRequest, errors?: ErrorDialect): { principal: Principal; region: string } | undefined;
}
