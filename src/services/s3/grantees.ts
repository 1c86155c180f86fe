// ACL grantees: explicit grants (x-amz-grant-* headers, AccessControlPolicy bodies) to canonical
// user ids, email addresses and group URIs, resolved as S3 does. An email grant is stored as the
// account's canonical user; an unknown id or email is refused. Canonical ids are those S3 shows as
// owners (attributes.ts); S3 learns an account's id when the account first calls it (or is named by
// its email), so a grant can name any account that has used Nimbus's S3.
import type { AccessControlPolicy, Grant, Permission } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import type { S3Store } from './store.js';
import { owner } from './attributes.js';
import { aclPolicy, checkCannedAcl } from './acl.js';

const GROUPS = new Set([
  'http://acs.amazonaws.com/groups/global/AllUsers',
  'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  'http://acs.amazonaws.com/groups/s3/LogDelivery',
]);
const PERMISSIONS = new Set(['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL']);
/** An account's email address, for grants by email: the account id at nimbus.local (documented in docs/iam.md). */
const EMAIL = /^(\d{12})@nimbus\.local$/i;

const invalidArgument = (message: string, name: string, value: string) =>
  new ServiceError('InvalidArgument', message, 400, { ArgumentName: name, ArgumentValue: value });
const malformedAcl = () =>
  new ServiceError('MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

/** Records an account that called S3 (a point read; written once, and again after a state reset). */
export function seen(store: S3Store, account: string): string {
  const id = owner(account).ID!;
  if (store.canonicalIds.get(id) !== account) store.canonicalIds.put(id, account);
  return id;
}

/** A grant as stored: an email becomes its account's canonical user; unknown grantees are refused. */
function resolve(store: S3Store, g: Grant): Grant {
  if (!g.Permission || !PERMISSIONS.has(g.Permission)) throw malformedAcl();
  const e = g.Grantee;
  if (!e) throw malformedAcl();
  if (e.Type === 'Group' || (e.URI !== undefined && e.Type === undefined)) {
    if (!e.URI || !GROUPS.has(e.URI)) throw invalidArgument('Invalid group uri', 'Group/URI', e.URI ?? '');
    return { Grantee: { Type: 'Group', URI: e.URI }, Permission: g.Permission };
  }
  if (e.Type === 'AmazonCustomerByEmail') {
    const m = EMAIL.exec(e.EmailAddress ?? '');
    if (!m)
      throw new ServiceError(
        'UnresolvableGrantByEmailAddress',
        'The email address that you provided does not match any account on record.',
        400,
      );
    const o = owner(m[1]);
    seen(store, m[1]);
    return { Grantee: { Type: 'CanonicalUser', ID: o.ID, DisplayName: o.DisplayName }, Permission: g.Permission };
  }
  if (e.Type !== 'CanonicalUser') throw malformedAcl();
  const account = e.ID ? store.canonicalIds.get(e.ID) : undefined;
  if (!account) throw invalidArgument('Invalid id', 'CanonicalUser/ID', e.ID ?? '');
  return { Grantee: { Type: 'CanonicalUser', ID: e.ID, DisplayName: owner(account).DisplayName }, Permission: g.Permission };
}

/** The grant headers of a request, by the permission each grants. */
export interface GrantHeaders {
  ACL?: string;
  GrantRead?: string;
  GrantWrite?: string;
  GrantReadACP?: string;
  GrantWriteACP?: string;
  GrantFullControl?: string;
}
const HEADER_PERMISSION: [keyof GrantHeaders, Permission][] = [
  ['GrantRead', 'READ'],
  ['GrantWrite', 'WRITE'],
  ['GrantReadACP', 'READ_ACP'],
  ['GrantWriteACP', 'WRITE_ACP'],
  ['GrantFullControl', 'FULL_CONTROL'],
];

/** `id="…", emailAddress="…", uri="…"`: the grantees of one x-amz-grant-* header. */
function parseHeader(value: string, permission: Permission): Grant[] {
  const out: Grant[] = [];
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw invalidArgument('Invalid grant header', `x-amz-grant-${permission.toLowerCase().replace('_', '-')}`, value);
    const kind = part.slice(0, eq).trim().toLowerCase();
    const v = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (kind === 'id') out.push({ Grantee: { Type: 'CanonicalUser', ID: v }, Permission: permission });
    else if (kind === 'emailaddress') out.push({ Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: v }, Permission: permission });
    else if (kind === 'uri') out.push({ Grantee: { Type: 'Group', URI: v }, Permission: permission });
    else throw invalidArgument('Argument format not recognized', `x-amz-grant-${permission.toLowerCase().replace('_', '-')}`, value);
  }
  return out;
}

/**
 * The ACL a request sets: its grant headers (exactly the grants named), else its canned ACL or
 * AccessControlPolicy body; undefined when it names none. Canned and explicit together are refused.
 */
export function requestedAcl(
  store: S3Store,
  account: string,
  input: GrantHeaders & { AccessControlPolicy?: AccessControlPolicy },
): string | AccessControlPolicy | undefined {
  checkCannedAcl(input.ACL);
  const headers = HEADER_PERMISSION.filter(([h]) => typeof input[h] === 'string');
  if (headers.length && input.ACL !== undefined)
    throw new ServiceError('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed', 400);
  if (headers.length) {
    const grants = headers.flatMap(([h, p]) => parseHeader(input[h]!, p)).map((g) => resolve(store, g));
    return { Owner: owner(account), Grants: grants };
  }
  if (input.AccessControlPolicy) {
    return aclPolicy(account, {
      Owner: input.AccessControlPolicy.Owner,
      Grants: (input.AccessControlPolicy.Grants ?? []).map((g) => resolve(store, g)),
    });
  }
  return input.ACL;
}
