// AWS Security Token Service: who is calling, and temporary credentials. AssumeRole evaluates the
// role's trust policy through IAM (rt.integrations.iam); sessions carry their policies and tags.
import { randomBytes } from 'node:crypto';
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { StsProvider, Credentials, Tag, PolicyDescriptorType } from '../../generated/sts.js';
import type { Principal, RequestContext } from '../types.js';
import { ServiceError } from '../errors.js';
import { DEFAULT_ACCOUNT } from '../../state/credentials.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const randomId = (n: number) => Array.from(randomBytes(n), (b) => BASE32[b & 31]).join('');

/** The account an access key belongs to: issued keys know theirs; a 12-digit key id names one. */
export function accountOfKey(rt: Runtime, accessKeyId: string): string {
  const issued = rt.credentials.get(accessKeyId);
  if (issued) return issued.principal.account;
  return /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT;
}

const validation = (msg: string) => new ServiceError('ValidationError', msg);

function issue(rt: Runtime, principal: Principal, seconds: number): Credentials {
  const accessKeyId = 'ASIA' + randomId(16);
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = 'FwoGZXIvYXdzE' + randomBytes(96).toString('base64');
  const expiresAt = rt.clock.nowMs() + seconds * 1000;
  rt.credentials.issue({ accessKeyId, secretAccessKey, sessionToken, expiresAt, principal: { ...principal, accessKeyId, sessionToken } });
  return { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: new Date(expiresAt) };
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

function create(rt: Runtime): StsProvider {
  /** Session policies: the inline one and managed ones by ARN, each checked as IAM checks them. */
  const sessionPolicies = (account: string, policy: string | undefined, arns: PolicyDescriptorType[] | undefined): string[] | undefined => {
    if (policy === undefined && !arns?.length) return undefined;
    const out: string[] = [];
    if (policy !== undefined) {
      rt.integrations.iam?.checkSessionPolicy(policy);
      out.push(policy);
    }
    for (const { arn } of arns ?? []) {
      const doc = arn ? rt.integrations.iam?.managedPolicy(account, arn) : undefined;
      if (!doc) throw validation(`Policy ${arn} does not exist or is not attachable.`);
      out.push(doc);
    }
    return out;
  };
  const packed = (policies: string[] | undefined, tags: Tag[] | undefined) => {
    const size =
      (policies ?? []).reduce((a, p) => a + p.replace(/\s/g, '').length, 0) +
      (tags ?? []).reduce((a, t) => a + t.Key.length + t.Value.length, 0);
    const pct = Math.ceil((size / 2048) * 100);
    if (pct > 100)
      throw new ServiceError('PackedPolicyTooLarge', `Packed policy consumes ${pct}% of allotted space, please use smaller policy.`);
    return policies || tags?.length ? { PackedPolicySize: pct } : {};
  };
  const denied = (ctx: RequestContext, action: string, resource: string) =>
    new ServiceError('AccessDenied', `User: ${ctx.principal.arn} is not authorized to perform: ${action} on resource: ${resource}`, 403);

  return {
    GetCallerIdentity: (_input, ctx) => ({
      UserId: ctx.principal.userId,
      Account: ctx.principal.account,
      Arn: ctx.principal.arn,
    }),

    GetAccessKeyInfo: ({ AccessKeyId }) => ({ Account: accountOfKey(rt, AccessKeyId) }),

    GetSessionToken: ({ DurationSeconds }, ctx) => {
      if (ctx.principal.kind === 'assumed-role' || ctx.principal.sessionToken) {
        throw new ServiceError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
      }
      // account owners' sessions last at most an hour: longer requests are cut, not refused
      const seconds = ctx.principal.kind === 'root' ? Math.min(DurationSeconds ?? 3600, 3600) : (DurationSeconds ?? 43200);
      return { Credentials: issue(rt, ctx.principal, seconds) };
    },

    GetFederationToken: ({ Name, Policy, PolicyArns, DurationSeconds, Tags }, ctx) => {
      const caller = ctx.principal;
      if (caller.kind !== 'user' && caller.kind !== 'root') {
        throw new ServiceError('AccessDenied', 'Cannot call GetFederationToken with session credentials', 403);
      }
      const seconds = caller.kind === 'root' ? Math.min(DurationSeconds ?? 3600, 3600) : (DurationSeconds ?? 43200);
      const policies = sessionPolicies(caller.account, Policy, PolicyArns);
      const arn = `arn:aws:sts::${caller.account}:federated-user/${Name}`;
      const principal: Principal = {
        kind: 'federated-user',
        account: caller.account,
        arn,
        userId: `${caller.account}:${Name}`,
        session: {
          parentArn: caller.arn,
          policies: policies ?? [],
          ...(Tags?.length ? { tags: Object.fromEntries(Tags.map((t) => [t.Key, t.Value])) } : {}),
        },
      };
      return {
        Credentials: issue(rt, principal, seconds),
        FederatedUser: { FederatedUserId: principal.userId, Arn: arn },
        ...packed(policies, Tags),
      };
    },

    AssumeRoleWithWebIdentity: ({ RoleArn, RoleSessionName, WebIdentityToken, DurationSeconds, Policy, PolicyArns }, ctx) => {
      const m = ROLE_ARN.exec(RoleArn);
      if (!m) throw validation(`${RoleArn} is invalid`);
      const [, account] = m;
      const iam = rt.integrations.iam;
      const role = iam?.role(RoleArn);
      if (!iam || !role) throw new ServiceError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
      const id = iam.webIdentity(account, WebIdentityToken);
      const keys: Record<string, string | string[] | undefined> = {
        [`${id.issuer}:aud`]: id.audience,
        [`${id.issuer}:sub`]: id.subject,
        [`${id.issuer}:oaud`]: id.audience,
        'sts:rolesessionname': RoleSessionName,
        'aws:currenttime': ctx.clock.now().toISOString(),
      };
      for (const [k, v] of Object.entries(id.claims))
        if (typeof v === 'string' && !keys[`${id.issuer}:${k}`]) keys[`${id.issuer}:${k}`] = v;
      if (!iam.mayAssume(ctx.principal, RoleArn, keys, 'sts:AssumeRoleWithWebIdentity', id.providerArn).allowed) {
        throw new ServiceError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
      }
      const seconds = DurationSeconds ?? 3600;
      if (seconds > role.maxSessionDuration)
        throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
      const policies = sessionPolicies(account, Policy, PolicyArns);
      const arn = `arn:aws:sts::${account}:assumed-role/${role.name}/${RoleSessionName}`;
      const principal: Principal = {
        kind: 'assumed-role',
        account,
        arn,
        userId: `${role.roleId}:${RoleSessionName}`,
        session: { roleArn: role.arn, ...(policies ? { policies } : {}) },
      };
      return {
        Credentials: issue(rt, principal, seconds),
        SubjectFromWebIdentityToken: id.subject,
        AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: arn },
        Provider: id.providerArn,
        Audience: id.audience,
        ...packed(policies, undefined),
      };
    },

    DecodeAuthorizationMessage: ({ EncodedMessage }, ctx) => {
      const detail = rt.integrations.iam?.decodeDenial(ctx.principal.account, EncodedMessage);
      if (!detail)
        throw new ServiceError(
          'InvalidAuthorizationMessageException',
          'The encoded authorization message is invalid or was not issued for this account.',
          400,
        );
      return { DecodedMessage: JSON.stringify(detail) };
    },

    AssumeRoleWithSAML: ({ RoleArn, PrincipalArn, SAMLAssertion, DurationSeconds, Policy, PolicyArns }, ctx) => {
      const m = ROLE_ARN.exec(RoleArn);
      if (!m) throw validation(`${RoleArn} is invalid`);
      const [, account] = m;
      const iam = rt.integrations.iam;
      const refused = () => new ServiceError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML', 403);
      if (!iam) throw refused();
      const id = iam.samlIdentity(PrincipalArn, SAMLAssertion);
      const role = iam.role(RoleArn);
      if (!role || !id.roles.includes(RoleArn)) throw refused();
      const keys: Record<string, string | string[] | undefined> = {
        'saml:aud': id.audience,
        'saml:sub': id.subject,
        'saml:sub_type': id.subjectType,
        'saml:iss': id.issuer,
        'saml:namequalifier': id.nameQualifier,
        'saml:doc': `${account}/${PrincipalArn.split('/').pop()}`,
        'aws:currenttime': ctx.clock.now().toISOString(),
      };
      for (const [name, values] of Object.entries(id.attributes)) {
        const short = name.split(/[/:]/).pop()!.toLowerCase();
        if (short && !keys[`saml:${short}`]) keys[`saml:${short}`] = values.length === 1 ? values[0] : values;
      }
      for (const [k, v] of Object.entries(id.tags)) keys[`aws:requesttag/${k.toLowerCase()}`] = v;
      if (!iam.mayAssume(ctx.principal, RoleArn, keys, 'sts:AssumeRoleWithSAML', PrincipalArn).allowed) throw refused();
      if (Object.keys(id.tags).length && !iam.mayAssume(ctx.principal, RoleArn, keys, 'sts:TagSession', PrincipalArn).allowed)
        throw refused();
      const requested = DurationSeconds ?? 3600;
      if (requested > role.maxSessionDuration)
        throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
      const seconds = Math.min(requested, id.sessionDuration ?? requested);
      const policies = sessionPolicies(account, Policy, PolicyArns);
      const arn = `arn:aws:sts::${account}:assumed-role/${role.name}/${id.sessionName}`;
      const principal: Principal = {
        kind: 'assumed-role',
        account,
        arn,
        userId: `${role.roleId}:${id.sessionName}`,
        session: {
          roleArn: role.arn,
          ...(policies ? { policies } : {}),
          ...(Object.keys(id.tags).length ? { tags: id.tags } : {}),
          ...(id.transitive.length ? { transitive: id.transitive } : {}),
          ...(id.sourceIdentity ? { sourceIdentity: id.sourceIdentity } : {}),
        },
      };
      return {
        Credentials: issue(rt, principal, seconds),
        AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: arn },
        Subject: id.subject,
        SubjectType: id.subjectType,
        Issuer: id.issuer,
        Audience: id.audience,
        NameQualifier: id.nameQualifier,
        ...(id.sourceIdentity ? { SourceIdentity: id.sourceIdentity } : {}),
        ...packed(policies, Object.keys(id.tags).length ? Object.entries(id.tags).map(([Key, Value]) => ({ Key, Value })) : undefined),
      };
    },

    AssumeRole: (input, ctx) => {
      const { RoleArn, RoleSessionName, DurationSeconds, Policy, PolicyArns, Tags, TransitiveTagKeys, ExternalId, SourceIdentity } = input;
      const m = ROLE_ARN.exec(RoleArn);
      if (!m) throw validation(`${RoleArn} is invalid`);
      if (!SESSION_NAME.test(RoleSessionName)) {
        throw validation(
          `1 validation error detected: Value '${RoleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
      }
      const caller = ctx.principal;
      const [, account, roleName] = m;
      const role = rt.integrations.iam?.role(RoleArn);
      if (!role && rt.config.enforceIam) throw denied(ctx, 'sts:AssumeRole', RoleArn);
      const chained = caller.kind === 'assumed-role';
      const inherited = caller.session?.sourceIdentity;
      if (inherited && SourceIdentity && SourceIdentity !== inherited) throw denied(ctx, 'sts:SetSourceIdentity', RoleArn);
      const sourceIdentity = inherited ?? SourceIdentity;
      // transitive tags of a chained session pass on; they cannot be overridden
      const tags: Record<string, string> = {};
      for (const k of caller.session?.transitive ?? []) if (caller.session?.tags?.[k] !== undefined) tags[k] = caller.session.tags[k];
      for (const t of Tags ?? []) {
        if (tags[t.Key] !== undefined && caller.session?.transitive?.includes(t.Key))
          throw validation(`Tag key ${t.Key} is transitive and cannot be overridden in a chained session.`);
        tags[t.Key] = t.Value;
      }
      if (role) {
        const keys: Record<string, string | string[] | undefined> = {
          'sts:externalid': ExternalId,
          'sts:rolesessionname': RoleSessionName,
          'sts:sourceidentity': SourceIdentity,
          'aws:currenttime': ctx.clock.now().toISOString(),
          'aws:requestedregion': ctx.region,
        };
        for (const t of Tags ?? []) keys[`aws:requesttag/${t.Key.toLowerCase()}`] = t.Value;
        if (Tags?.length) keys['aws:tagkeys'] = Tags.map((t) => t.Key);
        const actions = [
          'sts:AssumeRole',
          ...(Tags?.length ? ['sts:TagSession'] : []),
          ...(SourceIdentity ? ['sts:SetSourceIdentity'] : []),
        ];
        for (const action of actions) {
          if (!rt.integrations.iam!.mayAssume(caller, RoleArn, keys, action).allowed) throw denied(ctx, action, RoleArn);
        }
      }
      const max = chained ? 3600 : (role?.maxSessionDuration ?? 43200);
      const seconds = DurationSeconds ?? 3600;
      if (seconds > max) {
        throw validation(
          chained
            ? 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.'
            : 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        );
      }
      const policies = sessionPolicies(account, Policy, PolicyArns);
      const roleId = role?.roleId ?? 'AROA' + randomId(17);
      const arn = `arn:aws:sts::${account}:assumed-role/${role?.name ?? roleName}/${RoleSessionName}`;
      const transitive = [...new Set([...(caller.session?.transitive ?? []), ...(TransitiveTagKeys ?? [])])];
      const principal: Principal = {
        kind: 'assumed-role',
        account,
        arn,
        userId: `${roleId}:${RoleSessionName}`,
        session: {
          roleArn: role?.arn ?? RoleArn,
          ...(policies ? { policies } : {}),
          ...(Object.keys(tags).length ? { tags } : {}),
          ...(transitive.length ? { transitive } : {}),
          ...(sourceIdentity ? { sourceIdentity } : {}),
        },
      };
      return {
        Credentials: issue(rt, principal, seconds),
        AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: arn },
        ...packed(policies, Tags),
        ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
      };
    },
  };
}

export const sts: ServiceDefinition = { name: 'sts', create };
