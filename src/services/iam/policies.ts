// Managed policies (customer and AWS managed, versions, attachments), inline policies, boundaries.
import type { IamProvider, Policy } from '../../generated/iam.js';
import type { RequestContext } from '../../kit.js';
import type { PolicyCache } from './policy/parse.js';
import { awsManaged, allAwsManaged } from './aws-managed.js';
import { policySize } from './entities.js';
import {
  checkPath,
  conflict,
  encodeDoc,
  exists,
  invalid,
  limit,
  mergeTags,
  mustGroup,
  mustRole,
  mustUser,
  newId,
  noEntity,
  page,
  type Attachments,
  type IamStore,
  type PolicyRec,
} from './store.js';

type Kind = 'user' | 'group' | 'role';
const INLINE_MAX: Record<Kind, [string, number]> = {
  user: ['UserPolicySize', 2048],
  group: ['GroupPolicySize', 5120],
  role: ['RolePolicySize', 10240],
};
const QUOTA: Record<Kind, string> = { user: 'PoliciesPerUser', group: 'PoliciesPerGroup', role: 'PoliciesPerRole' };

/** A managed policy's document (its default version) by ARN, customer or AWS managed; undefined if none. */
export function managedDocument(s: IamStore, arn: string): string | undefined {
  const aws = awsManaged(arn);
  if (aws) return aws.Document;
  const p = s.policies.get(arn);
  return p?.versions.find((v) => v.VersionId === p.DefaultVersionId)?.Document;
}

/** Every attachment of the account, for counts and ListEntitiesForPolicy. */
function attachments(s: IamStore, arn: string, field: 'attached' | 'boundary') {
  const has = (a: Attachments) => (field === 'attached' ? a.attached.includes(arn) : a.boundary === arn);
  return {
    users: [...s.users.scan()].map(([, u]) => u).filter(has),
    groups: [...s.groups.scan()].map(([, g]) => g).filter(has),
    roles: [...s.roles.scan()].map(([, r]) => r).filter(has),
  };
}

function policyView(s: IamStore, p: PolicyRec | ReturnType<typeof allAwsManaged>[number]): Policy {
  const a = attachments(s, p.Arn, 'attached');
  const b = attachments(s, p.Arn, 'boundary');
  const count = a.users.length + a.groups.length + a.roles.length;
  const rec = 'versions' in p ? p : undefined;
  return {
    PolicyName: p.PolicyName,
    PolicyId: p.PolicyId,
    Arn: p.Arn,
    Path: p.Path,
    DefaultVersionId: rec?.DefaultVersionId ?? 'v1',
    AttachmentCount: count,
    PermissionsBoundaryUsageCount: b.users.length + b.roles.length,
    IsAttachable: true,
    CreateDate: p.CreateDate,
    UpdateDate: rec?.UpdateDate ?? p.CreateDate,
    ...(p.Description ? { Description: p.Description } : {}),
    ...(rec?.Tags.length ? { Tags: rec.Tags } : {}),
  };
}

export function policyHandlers(store: (ctx: RequestContext) => IamStore, cache: PolicyCache): IamProvider {
  const checkManaged = (doc: string) => {
    if (policySize(doc) > 6144) throw limit('Cannot exceed quota for PolicySize: 6144');
    cache.get(doc, 'identity', 'check');
  };
  const mustPolicy = (s: IamStore, arn: string) => {
    const p = s.policies.get(arn);
    if (!p) throw noEntity(`Policy ${arn} does not exist or is not attachable.`);
    return p;
  };
  const attachable = (s: IamStore, arn: string) => {
    if (!awsManaged(arn) && !s.policies.has(arn)) throw noEntity(`Policy ${arn} does not exist or is not attachable.`);
  };
  const entity = (s: IamStore, kind: Kind, name: string): Attachments =>
    kind === 'user' ? mustUser(s, name) : kind === 'group' ? mustGroup(s, name) : mustRole(s, name);
  const save = (s: IamStore, kind: Kind, name: string, rec: Attachments) =>
    (kind === 'user' ? s.users : kind === 'group' ? s.groups : s.roles).put(name, rec as never);

  const attach = (kind: Kind) => (input: { PolicyArn: string } & Record<string, string>, ctx: RequestContext) => {
    const s = store(ctx);
    const name = input[kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName'];
    const e = entity(s, kind, name);
    attachable(s, input.PolicyArn);
    if (e.attached.includes(input.PolicyArn)) return;
    if (e.attached.length >= 10) throw limit(`Cannot exceed quota for ${QUOTA[kind]}: 10`);
    save(s, kind, name, { ...e, attached: [...e.attached, input.PolicyArn] });
  };
  const detach = (kind: Kind) => (input: { PolicyArn: string } & Record<string, string>, ctx: RequestContext) => {
    const s = store(ctx);
    const name = input[kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName'];
    const e = entity(s, kind, name);
    if (!e.attached.includes(input.PolicyArn)) throw noEntity(`Policy ${input.PolicyArn} was not found.`);
    save(s, kind, name, { ...e, attached: e.attached.filter((a) => a !== input.PolicyArn) });
  };
  const listAttached = (kind: Kind) => (input: Record<string, string>, ctx: RequestContext) => {
    const s = store(ctx);
    const e = entity(s, kind, input[kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName']);
    return { AttachedPolicies: e.attached.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop()! })), IsTruncated: false };
  };
  const putInline =
    (kind: Kind) => (input: { PolicyName: string; PolicyDocument: string } & Record<string, string>, ctx: RequestContext) => {
      const s = store(ctx);
      const name = input[kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName'];
      const e = entity(s, kind, name);
      const [, max] = INLINE_MAX[kind];
      const total =
        Object.entries(e.inline)
          .filter(([n]) => n !== input.PolicyName)
          .reduce((a, [, d]) => a + policySize(d), 0) + policySize(input.PolicyDocument);
      if (total > max) throw limit(`Maximum policy size of ${max} bytes exceeded for ${kind} ${name}`);
      cache.get(input.PolicyDocument, 'identity', 'check');
      save(s, kind, name, { ...e, inline: { ...e.inline, [input.PolicyName]: input.PolicyDocument } });
    };
  const getInline = (kind: Kind) => (input: { PolicyName: string } & Record<string, string>, ctx: RequestContext) => {
    const key = kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName';
    const e = entity(store(ctx), kind, input[key]);
    const doc = e.inline[input.PolicyName];
    if (doc === undefined) throw noEntity(`The ${kind} policy with name ${input.PolicyName} cannot be found.`);
    return { [key]: input[key], PolicyName: input.PolicyName, PolicyDocument: encodeDoc(doc) };
  };
  const deleteInline = (kind: Kind) => (input: { PolicyName: string } & Record<string, string>, ctx: RequestContext) => {
    const s = store(ctx);
    const name = input[kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName'];
    const e = entity(s, kind, name);
    if (e.inline[input.PolicyName] === undefined) throw noEntity(`The ${kind} policy with name ${input.PolicyName} cannot be found.`);
    const { [input.PolicyName]: _gone, ...inline } = e.inline;
    save(s, kind, name, { ...e, inline });
  };
  const listInline = (kind: Kind) => (input: Record<string, string>, ctx: RequestContext) => {
    const e = entity(store(ctx), kind, input[kind === 'user' ? 'UserName' : kind === 'group' ? 'GroupName' : 'RoleName']);
    return { PolicyNames: Object.keys(e.inline).sort(), IsTruncated: false };
  };
  const boundary =
    (kind: 'user' | 'role', set: boolean) => (input: { PermissionsBoundary?: string } & Record<string, string>, ctx: RequestContext) => {
      const s = store(ctx);
      const name = input[kind === 'user' ? 'UserName' : 'RoleName'];
      const e = entity(s, kind, name);
      if (set) {
        const arn = input.PermissionsBoundary!;
        if (!awsManaged(arn) && !s.policies.has(arn)) throw invalid(`ARN ${arn} is not valid.`);
        save(s, kind, name, { ...e, boundary: arn });
      } else {
        const { boundary: _b, ...rest } = e;
        save(s, kind, name, rest);
      }
    };

  return {
    CreatePolicy: ({ PolicyName, Path, PolicyDocument, Description, Tags }, ctx) => {
      const s = store(ctx);
      const path = checkPath(Path);
      const arn = `arn:aws:iam::${ctx.account}:policy${path}${PolicyName}`;
      if (s.policies.has(arn)) throw exists(`A policy called ${PolicyName} already exists. Duplicate names are not allowed.`);
      checkManaged(PolicyDocument);
      const now = ctx.clock.now();
      const p: PolicyRec = {
        PolicyName,
        PolicyId: newId('ANPA'),
        Arn: arn,
        Path: path,
        Description,
        CreateDate: now,
        UpdateDate: now,
        DefaultVersionId: 'v1',
        versions: [{ VersionId: 'v1', Document: PolicyDocument, CreateDate: now }],
        nextVersion: 2,
        Tags: mergeTags([], Tags),
      };
      s.policies.put(arn, p);
      return { Policy: policyView(s, p) };
    },
    GetPolicy: ({ PolicyArn }, ctx) => {
      const s = store(ctx);
      const aws = awsManaged(PolicyArn);
      return { Policy: policyView(s, aws ?? mustPolicy(s, PolicyArn)) };
    },
    ListPolicies: ({ Scope, OnlyAttached, PathPrefix, Marker, MaxItems }, ctx) => {
      const s = store(ctx);
      const local = Scope === 'AWS' ? [] : [...s.policies.scan()].map(([, p]) => p);
      const aws = Scope === 'Local' ? [] : allAwsManaged();
      let all = [...aws, ...local].map((p) => policyView(s, p));
      if (OnlyAttached) all = all.filter((p) => p.AttachmentCount! > 0);
      if (PathPrefix) all = all.filter((p) => p.Path!.startsWith(PathPrefix));
      const r = page(all, (p) => p.Arn!, Marker, MaxItems);
      return { Policies: r.items, IsTruncated: r.IsTruncated, Marker: r.Marker };
    },
    DeletePolicy: ({ PolicyArn }, ctx) => {
      const s = store(ctx);
      mustPolicy(s, PolicyArn);
      const a = attachments(s, PolicyArn, 'attached');
      if (a.users.length + a.groups.length + a.roles.length) throw conflict('Cannot delete a policy attached to entities.');
      s.policies.delete(PolicyArn);
    },
    TagPolicy: ({ PolicyArn, Tags }, ctx) => {
      const s = store(ctx);
      const p = mustPolicy(s, PolicyArn);
      s.policies.put(PolicyArn, { ...p, Tags: mergeTags(p.Tags, Tags) });
    },
    UntagPolicy: ({ PolicyArn, TagKeys }, ctx) => {
      const s = store(ctx);
      const p = mustPolicy(s, PolicyArn);
      s.policies.put(PolicyArn, { ...p, Tags: p.Tags.filter((t) => !TagKeys.includes(t.Key)) });
    },
    ListPolicyTags: ({ PolicyArn }, ctx) => ({ Tags: mustPolicy(store(ctx), PolicyArn).Tags, IsTruncated: false }),

    CreatePolicyVersion: ({ PolicyArn, PolicyDocument, SetAsDefault }, ctx) => {
      const s = store(ctx);
      const p = mustPolicy(s, PolicyArn);
      if (p.versions.length >= 5)
        throw limit('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
      checkManaged(PolicyDocument);
      const v = { VersionId: `v${p.nextVersion}`, Document: PolicyDocument, CreateDate: ctx.clock.now() };
      s.policies.put(PolicyArn, {
        ...p,
        versions: [...p.versions, v],
        nextVersion: p.nextVersion + 1,
        UpdateDate: v.CreateDate,
        DefaultVersionId: SetAsDefault ? v.VersionId : p.DefaultVersionId,
      });
      return { PolicyVersion: { VersionId: v.VersionId, IsDefaultVersion: !!SetAsDefault, CreateDate: v.CreateDate } };
    },
    GetPolicyVersion: ({ PolicyArn, VersionId }, ctx) => {
      const aws = awsManaged(PolicyArn);
      if (aws) {
        if (VersionId !== 'v1') throw noEntity(`Policy ${PolicyArn} version ${VersionId} does not exist or is not attachable.`);
        return {
          PolicyVersion: { Document: encodeDoc(aws.Document), VersionId: 'v1', IsDefaultVersion: true, CreateDate: aws.CreateDate },
        };
      }
      const p = mustPolicy(store(ctx), PolicyArn);
      const v = p.versions.find((x) => x.VersionId === VersionId);
      if (!v) throw noEntity(`Policy ${PolicyArn} version ${VersionId} does not exist or is not attachable.`);
      return {
        PolicyVersion: {
          Document: encodeDoc(v.Document),
          VersionId: v.VersionId,
          IsDefaultVersion: v.VersionId === p.DefaultVersionId,
          CreateDate: v.CreateDate,
        },
      };
    },
    ListPolicyVersions: ({ PolicyArn }, ctx) => {
      const aws = awsManaged(PolicyArn);
      if (aws) return { Versions: [{ VersionId: 'v1', IsDefaultVersion: true, CreateDate: aws.CreateDate }], IsTruncated: false };
      const p = mustPolicy(store(ctx), PolicyArn);
      return {
        Versions: [...p.versions]
          .reverse()
          .map((v) => ({ VersionId: v.VersionId, IsDefaultVersion: v.VersionId === p.DefaultVersionId, CreateDate: v.CreateDate })),
        IsTruncated: false,
      };
    },
    SetDefaultPolicyVersion: ({ PolicyArn, VersionId }, ctx) => {
      const s = store(ctx);
      const p = mustPolicy(s, PolicyArn);
      if (!p.versions.some((v) => v.VersionId === VersionId))
        throw noEntity(`Policy ${PolicyArn} version ${VersionId} does not exist or is not attachable.`);
      s.policies.put(PolicyArn, { ...p, DefaultVersionId: VersionId });
    },
    DeletePolicyVersion: ({ PolicyArn, VersionId }, ctx) => {
      const s = store(ctx);
      const p = mustPolicy(s, PolicyArn);
      if (!p.versions.some((v) => v.VersionId === VersionId))
        throw noEntity(`Policy ${PolicyArn} version ${VersionId} does not exist or is not attachable.`);
      if (p.DefaultVersionId === VersionId) throw conflict('Cannot delete the default version of a policy.');
      s.policies.put(PolicyArn, { ...p, versions: p.versions.filter((v) => v.VersionId !== VersionId) });
    },
    ListEntitiesForPolicy: ({ PolicyArn, EntityFilter, PathPrefix, PolicyUsageFilter }, ctx) => {
      const s = store(ctx);
      attachable(s, PolicyArn);
      const usage = (PolicyUsageFilter as string | undefined) === 'PermissionsBoundary' ? 'boundary' : 'attached';
      const a = attachments(s, PolicyArn, usage);
      const want = (k: string) => !EntityFilter || EntityFilter === k;
      const inPath = (p: string) => !PathPrefix || p.startsWith(PathPrefix);
      return {
        PolicyUsers: want('User') ? a.users.filter((u) => inPath(u.Path)).map((u) => ({ UserName: u.UserName, UserId: u.UserId })) : [],
        PolicyGroups: want('Group')
          ? a.groups.filter((g) => inPath(g.Path)).map((g) => ({ GroupName: g.GroupName, GroupId: g.GroupId }))
          : [],
        PolicyRoles: want('Role') ? a.roles.filter((r) => inPath(r.Path)).map((r) => ({ RoleName: r.RoleName, RoleId: r.RoleId })) : [],
        IsTruncated: false,
      };
    },

    AttachUserPolicy: attach('user') as never,
    AttachGroupPolicy: attach('group') as never,
    AttachRolePolicy: attach('role') as never,
    DetachUserPolicy: detach('user') as never,
    DetachGroupPolicy: detach('group') as never,
    DetachRolePolicy: detach('role') as never,
    ListAttachedUserPolicies: listAttached('user') as never,
    ListAttachedGroupPolicies: listAttached('group') as never,
    ListAttachedRolePolicies: listAttached('role') as never,
    PutUserPolicy: putInline('user') as never,
    PutGroupPolicy: putInline('group') as never,
    PutRolePolicy: putInline('role') as never,
    GetUserPolicy: getInline('user') as never,
    GetGroupPolicy: getInline('group') as never,
    GetRolePolicy: getInline('role') as never,
    DeleteUserPolicy: deleteInline('user') as never,
    DeleteGroupPolicy: deleteInline('group') as never,
    DeleteRolePolicy: deleteInline('role') as never,
    ListUserPolicies: listInline('user') as never,
    ListGroupPolicies: listInline('group') as never,
    ListRolePolicies: listInline('role') as never,
    PutUserPermissionsBoundary: boundary('user', true) as never,
    PutRolePermissionsBoundary: boundary('role', true) as never,
    DeleteUserPermissionsBoundary: boundary('user', false) as never,
    DeleteRolePermissionsBoundary: boundary('role', false) as never,
  };
}
