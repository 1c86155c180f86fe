// Who sent a browser POST upload. A signed form carries its credential as fields (SigV4:
// x-amz-algorithm/-credential/-date/-signature; SigV2: AWSAccessKeyId/signature) and the signature
// is over the base64 policy text as received. Keys are judged by the gateway's one rule (issued keys
// and, with IAM enforced, the default key are verified; others are taken on their word). A form
// with none of these is anonymous: allowed only where the bucket lets everyone write.
import { createHmac } from 'node:crypto';
import type { Runtime } from '../../runtime.js';
import type { Principal } from '../types.js';
import type { AccessControlPolicy } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import { s3Profile } from './profile.js';
import { DEFAULT_ACCOUNT } from '../../state/credentials.js';
import type { BucketRecord } from './store.js';

export interface PostSigner {
  principal: Principal;
  /** false for an anonymous form: no policy applies */
  signed: boolean;
  sigV2: boolean;
  /** the real epoch ms the client signed at (SigV4's x-amz-date) */
  signedAt?: number;
}

/** A field S3 requires, named as S3 names it in the error. */
export const missingField = (name: string) =>
  new ServiceError(
    'InvalidArgument',
    `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    400,
    {
      ArgumentName: name,
      ArgumentValue: '',
    },
  );

const invalidField = (message: string, name: string, value: string) =>
  new ServiceError('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value });
const accessDenied = () => new ServiceError('AccessDenied', 'Access Denied', 403);
const mismatch = (rt: Runtime, keyId: string, policy: string, provided: string) =>
  new ServiceError(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    403,
    {
      AWSAccessKeyId: keyId,
      StringToSign: policy,
      SignatureProvided: provided,
      StringToSignBytes: rt.auth.spacedHex(policy),
    },
  );

const V4_FIELDS = [
  ['x-amz-algorithm', 'X-Amz-Algorithm'],
  ['x-amz-credential', 'X-Amz-Credential'],
  ['x-amz-date', 'X-Amz-Date'],
  ['x-amz-signature', 'X-Amz-Signature'],
];
const V2_FIELDS = [
  ['awsaccesskeyid', 'AWSAccessKeyId'],
  ['signature', 'Signature'],
];
const ANONYMOUS: Principal = { kind: 'anonymous', account: DEFAULT_ACCOUNT, arn: '*', userId: 'anonymous' };

/** @param fields the form's fields by lowercased name */
export function postSigner(rt: Runtime, fields: Map<string, string>, b: BucketRecord, key: string): PostSigner {
  const v4 = V4_FIELDS.some(([n]) => fields.has(n));
  const v2 = !v4 && V2_FIELDS.some(([n]) => fields.has(n));
  for (const [name, shown] of v4 ? V4_FIELDS : v2 ? V2_FIELDS : []) if (!fields.has(name)) throw missingField(shown);
  const policy = fields.get('policy');
  if (!v4 && !v2) {
    // a policy nobody signed is no authority; without one the upload is anonymous
    if (policy !== undefined || !anonymousMayWrite(b, key)) throw accessDenied();
    return { principal: ANONYMOUS, signed: false, sigV2: false };
  }
  if (policy === undefined) throw missingField('Policy');
  const token = fields.get('x-amz-security-token');

  if (v2) {
    const keyId = fields.get('awsaccesskeyid')!;
    const { principal, secret } = rt.auth.signerOf(keyId, token, s3Profile.errors);
    const given = fields.get('signature')!;
    if (secret !== undefined && createHmac('sha1', secret).update(policy).digest('base64') !== given)
      throw mismatch(rt, keyId, policy, given);
    return { principal, signed: true, sigV2: true };
  }

  const algorithm = fields.get('x-amz-algorithm')!;
  if (algorithm !== 'AWS4-HMAC-SHA256')
    throw invalidField('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', 'X-Amz-Algorithm', algorithm);
  const credential = fields.get('x-amz-credential')!;
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw invalidField(
      'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      'X-Amz-Credential',
      credential,
    );
  }
  if (!scope[0]) throw invalidField('a non-empty Access Key (AKID) must be provided in the credential.', 'X-Amz-Credential', credential);
  const date = fields.get('x-amz-date')!;
  const signedAt = rt.auth.parseAmzDate(date);
  if (!signedAt) throw invalidField('X-Amz-Date must be formated via ISO8601 Long format', 'X-Amz-Date', date);
  const { principal, secret } = rt.auth.signerOf(scope[0], token, s3Profile.errors);
  const given = fields.get('x-amz-signature')!;
  if (secret !== undefined) {
    const expected = createHmac('sha256', rt.auth.signingKey(secret, scope[1], scope[2], scope[3]))
      .update(policy)
      .digest('hex');
    if (expected !== given) throw mismatch(rt, scope[0], policy, given);
  }
  return { principal, signed: true, sigV2: false, signedAt: signedAt.getTime() };
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

/**
 * Whether anyone may write this key: the bucket's ACL grants AllUsers WRITE, or its policy allows
 * s3:PutObject to Principal "*" on the object (statements with a Condition are not evaluated and do
 * not apply), and no such statement denies it.
 */
export function anonymousMayWrite(b: BucketRecord, key: string): boolean {
  const acl = b.config.acl as AccessControlPolicy | undefined;
  const byAcl = !!acl?.Grants?.some((g) => g.Grantee?.URI === ALL_USERS && (g.Permission === 'WRITE' || g.Permission === 'FULL_CONTROL'));
  let statements: Array<Record<string, unknown>> = [];
  try {
    const doc = JSON.parse(String(b.config.policy ?? '{}')) as { Statement?: unknown };
    statements = ([] as Array<Record<string, unknown>>).concat((doc.Statement ?? []) as Record<string, unknown>);
  } catch {
    /* a stored policy always parses; nothing to allow otherwise */
  }
  const resource = `arn:aws:s3:::${b.name}/${key}`;
  const applies = (s: Record<string, unknown>) =>
    s.Condition === undefined &&
    isEveryone(s.Principal) &&
    list(s.Action).some((a) => glob(a, 's3:PutObject', true)) &&
    list(s.Resource).some((r) => glob(r, resource, false));
  const matching = statements.filter(applies);
  if (matching.some((s) => s.Effect === 'Deny')) return false;
  return byAcl || matching.some((s) => s.Effect === 'Allow');
}

const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
const isEveryone = (p: unknown) => p === '*' || (typeof p === 'object' && p !== null && list((p as { AWS?: unknown }).AWS).includes('*'));

/** IAM's wildcards: `*` any run of characters, `?` one character. */
function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'i' : '').test(value);
}
