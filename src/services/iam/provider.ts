// AWS Identity and Access Management: users, groups, roles, policies, access keys; the evaluator
// behind SimulatePrincipalPolicy; and, through the pipeline's authorize seam, enforcement.
import { randomBytes } from 'node:crypto';
import type { IamProvider } from '../../generated/iam.js';
import type { Provider, RequestContext, Runtime, ServiceDefinition } from '../../kit.js';
import { PolicyCache } from './policy/parse.js';
import { evaluate } from './policy/evaluate.js';
import { IamStore, limit, mergeTags, mustUser, newId, noEntity, exists, type KeyRec } from './store.js';
import { entityHandlers, userView, roleView, groupView } from './entities.js';
import { policyHandlers, managedDocument } from './policies.js';
import { simulateHandlers } from './simulate.js';
import { reportHandlers } from './report.js';
import { checkWebIdentity, jwksRoute } from './oidc.js';
import { checkSaml } from './saml.js';
import { denialCodec } from './denials.js';
import { Enforcer } from './enforce.js';
import { resolve } from './identity.js';

const READ_ONLY = /^(Get|List|Simulate|Generate)/;

function create(rt: Runtime): IamProvider {
  const stores = rt.stores('iam', (scope) => new IamStore(scope));
  const storeOf = (account: string) => stores.global(account);
  const store = (ctx: RequestContext) => storeOf(ctx.account);
  const cache = rt.shared('iam/policies', () => new PolicyCache());
  const tx = <R>(fn: () => R) => rt.engine.transaction(fn);
  const enforcer = rt.shared('iam/enforcer', () => new Enforcer(rt, storeOf, cache));
  rt.pipeline.onAuthorize((call) => enforcer.authorize(call));
  // resource policies are cached: forgotten again once a write to their service has been answered
  // an access key's last use (GetAccessKeyLastUsed, the credential report), written at most once a minute per key
  const lastWritten = new Map<string, number>();
  rt.pipeline.onRecord((call) => {
    enforcer.serviceWrite(call.service, call.operation);
    const id = call.principal.accessKeyId;
    if (call.principal.kind !== 'user' || !id?.startsWith('AKIA')) return;
    const at = call.time.getTime();
    if (at - (lastWritten.get(id) ?? -Infinity) < 60_000) return;
    lastWritten.set(id, at);
    const keys = storeOf(call.principal.account).keys;
    const k = keys.get(id);
    if (k)
      keys.put(id, {
        ...k,
        lastUsed: { date: call.time, service: call.service, region: call.service === 'iam' ? 'us-east-1' : call.region },
      });
  });

  const keyView = (k: KeyRec) => ({ UserName: k.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: k.CreateDate });
  const mustKey = (ctx: RequestContext, id: string, user?: string) => {
    const k = store(ctx).keys.get(id);
    if (!k || (user && k.UserName !== user)) throw noEntity(`The Access Key with id ${id} cannot be found.`);
    return k;
  };
  const callerUser = (ctx: RequestContext, name?: string) =>
    name ?? (ctx.principal.kind === 'user' ? ctx.principal.arn.split('/').pop()! : undefined);

  const handlers: IamProvider = {
    ...entityHandlers(store, cache, tx),
    ...policyHandlers(store, cache),
    ...simulateHandlers(store, storeOf, cache),
    ...reportHandlers(store),

    CreateAccessKey: ({ UserName }, ctx) => {
      const s = store(ctx);
      const name = callerUser(ctx, UserName);
      if (!name) throw noEntity('The user with name  cannot be found.');
      const u = mustUser(s, name);
      const mine = [...s.keys.scan()].filter(([, k]) => k.UserName === name);
      if (mine.length >= 2) throw limit('Cannot exceed quota for AccessKeysPerUser: 2');
      const k: KeyRec = {
        UserName: name,
        AccessKeyId: newId('AKIA', 16),
        Status: 'Active',
        CreateDate: ctx.clock.now(),
        secret: randomBytes(30).toString('base64').slice(0, 40),
      };
      tx(() => {
        s.keys.put(k.AccessKeyId, k);
        rt.credentials.issue({
          accessKeyId: k.AccessKeyId,
          secretAccessKey: k.secret,
          principal: { kind: 'user', account: ctx.account, arn: u.Arn, userId: u.UserId, accessKeyId: k.AccessKeyId },
        });
      });
      return { AccessKey: { ...keyView(k), SecretAccessKey: k.secret } };
    },
    ListAccessKeys: ({ UserName }, ctx) => {
      const name = callerUser(ctx, UserName);
      if (name) mustUser(store(ctx), name);
      const keys = [...store(ctx).keys.scan()].map(([, k]) => k).filter((k) => k.UserName === name);
      return { AccessKeyMetadata: keys.map(keyView), IsTruncated: false };
    },
    UpdateAccessKey: ({ UserName, AccessKeyId, Status }, ctx) => {
      const s = store(ctx);
      const k = mustKey(ctx, AccessKeyId, callerUser(ctx, UserName));
      const u = mustUser(s, k.UserName);
      tx(() => {
        s.keys.put(AccessKeyId, { ...k, Status: Status as KeyRec['Status'] });
        if (Status === 'Inactive') rt.credentials.revoke(AccessKeyId);
        else
          rt.credentials.issue({
            accessKeyId: AccessKeyId,
            secretAccessKey: k.secret,
            principal: { kind: 'user', account: ctx.account, arn: u.Arn, userId: u.UserId, accessKeyId: AccessKeyId },
          });
      });
    },
    DeleteAccessKey: ({ UserName, AccessKeyId }, ctx) => {
      mustKey(ctx, AccessKeyId, callerUser(ctx, UserName));
      tx(() => {
        store(ctx).keys.delete(AccessKeyId);
        rt.credentials.revoke(AccessKeyId);
      });
    },
    GetAccessKeyLastUsed: ({ AccessKeyId }, ctx) => {
      const k = mustKey(ctx, AccessKeyId);
      return {
        UserName: k.UserName,
        AccessKeyLastUsed: k.lastUsed
          ? { LastUsedDate: k.lastUsed.date, ServiceName: k.lastUsed.service, Region: k.lastUsed.region }
          : { ServiceName: 'N/A', Region: 'N/A' },
      };
    },

    GetAccountAuthorizationDetails: (_i, ctx) => {
      const s = store(ctx);
      const inline = (m: Record<string, string>) =>
        Object.entries(m).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: encodeURIComponent(d) }));
      const attached = (a: string[]) => a.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop()! }));
      return {
        UserDetailList: [...s.users.scan()].map(([, u]) => ({
          ...userView(u),
          UserPolicyList: inline(u.inline),
          GroupList: u.groups,
          AttachedManagedPolicies: attached(u.attached),
        })),
        GroupDetailList: [...s.groups.scan()].map(([, g]) => ({
          ...groupView(g),
          GroupPolicyList: inline(g.inline),
          AttachedManagedPolicies: attached(g.attached),
        })),
        RoleDetailList: [...s.roles.scan()].map(([, r]) => ({
          ...roleView(r),
          RolePolicyList: inline(r.inline),
          AttachedManagedPolicies: attached(r.attached),
          InstanceProfileList: [],
        })),
        Policies: [...s.policies.scan()].map(([, p]) => ({
          PolicyName: p.PolicyName,
          PolicyId: p.PolicyId,
          Arn: p.Arn,
          Path: p.Path,
          DefaultVersionId: p.DefaultVersionId,
          IsAttachable: true,
          CreateDate: p.CreateDate,
          UpdateDate: p.UpdateDate,
          PolicyVersionList: p.versions.map((v) => ({
            VersionId: v.VersionId,
            Document: encodeURIComponent(v.Document),
            IsDefaultVersion: v.VersionId === p.DefaultVersionId,
            CreateDate: v.CreateDate,
          })),
        })),
        IsTruncated: false,
      };
    },

    CreateOpenIDConnectProvider: ({ Url, ClientIDList, ThumbprintList, Tags }, ctx) => {
      const s = store(ctx);
      const arn = `arn:aws:iam::${ctx.account}:oidc-provider/${Url.replace(/^https:\/\//, '')}`;
      if (s.providers.has(arn)) throw exists(`Provider with url ${Url} already exists.`);
      s.providers.put(arn, {
        Arn: arn,
        Url,
        ClientIDList: ClientIDList ?? [],
        ThumbprintList: ThumbprintList ?? [],
        CreateDate: ctx.clock.now(),
        Tags: mergeTags([], Tags),
      });
      return { OpenIDConnectProviderArn: arn, ...(Tags?.length ? { Tags } : {}) };
    },
    GetOpenIDConnectProvider: ({ OpenIDConnectProviderArn }, ctx) => {
      const p = store(ctx).providers.get(OpenIDConnectProviderArn);
      if (!p || !p.Url) throw noEntity(`OpenIDConnect Provider not found for arn ${OpenIDConnectProviderArn}`);
      return {
        Url: p.Url.replace(/^https:\/\//, ''),
        ClientIDList: p.ClientIDList,
        ThumbprintList: p.ThumbprintList,
        CreateDate: p.CreateDate,
        Tags: p.Tags,
      };
    },
    ListOpenIDConnectProviders: (_i, ctx) => ({
      OpenIDConnectProviderList: [...store(ctx).providers.scan()].filter(([, p]) => p.Url).map(([Arn]) => ({ Arn })),
    }),
    DeleteOpenIDConnectProvider: ({ OpenIDConnectProviderArn }, ctx) => {
      store(ctx).providers.delete(OpenIDConnectProviderArn);
    },
    CreateSAMLProvider: ({ Name, SAMLMetadataDocument, Tags }, ctx) => {
      const s = store(ctx);
      const arn = `arn:aws:iam::${ctx.account}:saml-provider/${Name}`;
      if (s.providers.has(arn)) throw exists(`SAMLProvider ${Name} already exists`);
      s.providers.put(arn, { Arn: arn, SAMLMetadataDocument, CreateDate: ctx.clock.now(), Tags: mergeTags([], Tags) });
      return { SAMLProviderArn: arn, ...(Tags?.length ? { Tags } : {}) };
    },
    GetSAMLProvider: ({ SAMLProviderArn }, ctx) => {
      const p = store(ctx).providers.get(SAMLProviderArn);
      if (!p || p.Url) throw noEntity(`Manifest not found for arn ${SAMLProviderArn}`);
      return { SAMLMetadataDocument: p.SAMLMetadataDocument, CreateDate: p.CreateDate, Tags: p.Tags };
    },
    ListSAMLProviders: (_i, ctx) => ({
      SAMLProviderList: [...store(ctx).providers.scan()].filter(([, p]) => !p.Url).map(([Arn, p]) => ({ Arn, CreateDate: p.CreateDate })),
    }),
    DeleteSAMLProvider: ({ SAMLProviderArn }, ctx) => {
      store(ctx).providers.delete(SAMLProviderArn);
    },
  };

  // any write to IAM's state: principals resolve again on their next call
  const wrapped: Provider = {};
  for (const [name, h] of Object.entries(handlers as Provider)) {
    wrapped[name] = READ_ONLY.test(name)
      ? h
      : async (input, ctx) => {
          try {
            return await h!(input, ctx);
          } finally {
            enforcer.changed();
          }
        };
  }

  const ROLE = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
  rt.integrations.iam = {
    role(arn) {
      const m = ROLE.exec(arn);
      const r = m ? storeOf(m[1]).roles.get(m[2]) : undefined;
      if (!r || r.Arn !== arn) return undefined;
      return {
        arn: r.Arn,
        roleId: r.RoleId,
        name: r.RoleName,
        account: m![1],
        assumeRolePolicy: r.AssumeRolePolicyDocument,
        maxSessionDuration: r.MaxSessionDuration,
      };
    },
    mayAssume(caller, roleArn, keys, action = 'sts:AssumeRole', federated) {
      const m = ROLE.exec(roleArn);
      const r = m ? storeOf(m[1]).roles.get(m[2]) : undefined;
      if (!r) return { allowed: false };
      const trust = cache.get(r.AssumeRolePolicyDocument, 'trust', `trust policy of ${r.RoleName}`);
      const who = caller.kind === 'anonymous' || federated ? undefined : resolve(caller, storeOf, cache);
      const principal =
        who?.who ??
        (federated
          ? { kind: 'service' as const, account: caller.account, arn: federated, federated }
          : { kind: 'anonymous' as const, account: caller.account, arn: caller.arn });
      const v = evaluate(
        { ...(who?.set ?? { identity: [] }), resource: trust, trust: true },
        {
          action,
          resource: r.Arn,
          principal,
          resourceAccount: m![1],
          keys: { ...(who?.keys ?? {}), ...keys },
        },
      );
      return { allowed: v.decision === 'Allow' };
    },
    checkSessionPolicy(doc) {
      cache.get(doc, 'identity', 'session policy');
    },
    managedPolicy: (account, arn) => managedDocument(storeOf(account), arn),
    webIdentity: (account, token) => checkWebIdentity(rt, storeOf, account, token),
    samlIdentity: (providerArn, assertion) => checkSaml(rt, storeOf, providerArn, assertion),
    encodeDenial: (account, detail) => denialCodec(storeOf(account).meta).encode(detail),
    decodeDenial: (account, message) => denialCodec(storeOf(account).meta).decode(message),
  };
  jwksRoute(rt, storeOf);
  return wrapped as IamProvider;
}

export const iam: ServiceDefinition = { name: 'iam', create };
