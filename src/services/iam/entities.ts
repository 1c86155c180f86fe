// Users, groups (membership), roles, instance profiles, login profiles, the account alias, tags.
import type { IamProvider, Role, User, Group, InstanceProfile } from '../../generated/iam.js';
import type { RequestContext } from '../../kit.js';
import type { PolicyCache } from './policy/parse.js';
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
  type GroupRec,
  type IamStore,
  type ProfileRec,
  type RoleRec,
  type UserRec,
} from './store.js';

export const userView = (u: UserRec): User => ({
  Path: u.Path,
  UserName: u.UserName,
  UserId: u.UserId,
  Arn: u.Arn,
  CreateDate: u.CreateDate,
  ...(u.boundary
    ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: u.boundary } }
    : {}),
  ...(u.Tags.length ? { Tags: u.Tags } : {}),
});
export const groupView = (g: GroupRec): Group => ({
  Path: g.Path,
  GroupName: g.GroupName,
  GroupId: g.GroupId,
  Arn: g.Arn,
  CreateDate: g.CreateDate,
});
export const roleView = (r: RoleRec, full = true): Role => ({
  Path: r.Path,
  RoleName: r.RoleName,
  RoleId: r.RoleId,
  Arn: r.Arn,
  CreateDate: r.CreateDate,
  AssumeRolePolicyDocument: encodeDoc(r.AssumeRolePolicyDocument),
  MaxSessionDuration: r.MaxSessionDuration,
  ...(r.Description !== undefined ? { Description: r.Description } : {}),
  ...(r.boundary
    ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: r.boundary } }
    : {}),
  ...(full && r.Tags.length ? { Tags: r.Tags } : {}),
  ...(full ? { RoleLastUsed: {} } : {}),
});
const profileView = (s: IamStore, p: ProfileRec): InstanceProfile => ({
  Path: p.Path,
  InstanceProfileName: p.InstanceProfileName,
  InstanceProfileId: p.InstanceProfileId,
  Arn: p.Arn,
  CreateDate: p.CreateDate,
  Roles: p.roles
    .map((n) => s.roles.get(n))
    .filter((r): r is RoleRec => !!r)
    .map((r) => roleView(r, false)),
  ...(p.Tags.length ? { Tags: p.Tags } : {}),
});

/** A trust policy's size counts its characters other than whitespace. */
export const policySize = (doc: string) => doc.replace(/\s/g, '').length;

function byPrefix<T extends { Path: string }>(items: Iterable<[string, T]>, prefix?: string): T[] {
  const out: T[] = [];
  for (const [, v] of items) if (!prefix || v.Path.startsWith(prefix)) out.push(v);
  return out;
}

export function entityHandlers(store: (ctx: RequestContext) => IamStore, cache: PolicyCache, tx: <R>(fn: () => R) => R): IamProvider {
  const trust = (doc: string) => {
    if (policySize(doc) > 2048) throw limit('Cannot exceed quota for ACLSizePerRole: 2048');
    cache.get(doc, 'trust', 'trust');
  };
  return {
    CreateUser: ({ UserName, Path, Tags, PermissionsBoundary }, ctx) => {
      const s = store(ctx);
      if (s.users.has(UserName)) throw exists(`User with name ${UserName} already exists.`);
      const path = checkPath(Path);
      const u: UserRec = {
        UserName,
        Path: path,
        UserId: newId('AIDA'),
        Arn: `arn:aws:iam::${ctx.account}:user${path}${UserName}`,
        CreateDate: ctx.clock.now(),
        Tags: mergeTags([], Tags),
        groups: [],
        inline: {},
        attached: [],
        ...(PermissionsBoundary ? { boundary: PermissionsBoundary } : {}),
      };
      s.users.put(UserName, u);
      return { User: userView(u) };
    },
    GetUser: ({ UserName }, ctx) => {
      if (!UserName) {
        const p = ctx.principal;
        if (p.kind === 'root') return { User: { Path: '/', UserName: '', UserId: ctx.account, Arn: p.arn, CreateDate: new Date(0) } };
        const name = p.arn.split('/').pop()!;
        if (p.kind !== 'user') throw invalid('Must specify userName when calling with non-User credentials');
        return { User: userView(mustUser(store(ctx), name)) };
      }
      return { User: userView(mustUser(store(ctx), UserName)) };
    },
    ListUsers: ({ PathPrefix, Marker, MaxItems }, ctx) => {
      const r = page(byPrefix(store(ctx).users.scan(), PathPrefix), (u) => u.UserName, Marker, MaxItems);
      return { Users: r.items.map(userView), IsTruncated: r.IsTruncated, Marker: r.Marker };
    },
    UpdateUser: ({ UserName, NewUserName, NewPath }, ctx) =>
      tx(() => {
        const s = store(ctx);
        const u = mustUser(s, UserName);
        const name = NewUserName ?? UserName;
        if (name !== UserName && s.users.has(name)) throw exists(`User with name ${name} already exists.`);
        const path = NewPath ? checkPath(NewPath) : u.Path;
        s.users.delete(UserName);
        s.users.put(name, { ...u, UserName: name, Path: path, Arn: `arn:aws:iam::${ctx.account}:user${path}${name}` });
        for (const [id, k] of s.keys.scan()) if (k.UserName === UserName) s.keys.put(id, { ...k, UserName: name });
      }),
    DeleteUser: ({ UserName }, ctx) => {
      const s = store(ctx);
      const u = mustUser(s, UserName);
      if (Object.keys(u.inline).length) throw conflict('Cannot delete entity, must delete policies first.');
      if (u.attached.length) throw conflict('Cannot delete entity, must detach all policies first.');
      if (u.groups.length) throw conflict('Cannot delete entity, must remove user from all groups first.');
      if (u.login) throw conflict('Cannot delete entity, must delete login profile first.');
      for (const [, k] of s.keys.scan())
        if (k.UserName === UserName) throw conflict('Cannot delete entity, must delete access keys first.');
      s.users.delete(UserName);
    },
    TagUser: ({ UserName, Tags }, ctx) => {
      const s = store(ctx);
      const u = mustUser(s, UserName);
      s.users.put(UserName, { ...u, Tags: mergeTags(u.Tags, Tags) });
    },
    UntagUser: ({ UserName, TagKeys }, ctx) => {
      const s = store(ctx);
      const u = mustUser(s, UserName);
      s.users.put(UserName, { ...u, Tags: u.Tags.filter((t) => !TagKeys.includes(t.Key)) });
    },
    ListUserTags: ({ UserName }, ctx) => ({ Tags: mustUser(store(ctx), UserName).Tags, IsTruncated: false }),

    CreateGroup: ({ GroupName, Path }, ctx) => {
      const s = store(ctx);
      if (s.groups.has(GroupName)) throw exists(`Group with name ${GroupName} already exists.`);
      const path = checkPath(Path);
      const g: GroupRec = {
        GroupName,
        Path: path,
        GroupId: newId('AGPA'),
        Arn: `arn:aws:iam::${ctx.account}:group${path}${GroupName}`,
        CreateDate: ctx.clock.now(),
        inline: {},
        attached: [],
      };
      s.groups.put(GroupName, g);
      return { Group: groupView(g) };
    },
    GetGroup: ({ GroupName, Marker, MaxItems }, ctx) => {
      const s = store(ctx);
      const g = mustGroup(s, GroupName);
      const members = [...s.users.scan()].map(([, u]) => u).filter((u) => u.groups.includes(GroupName));
      const r = page(members, (u) => u.UserName, Marker, MaxItems);
      return { Group: groupView(g), Users: r.items.map(userView), IsTruncated: r.IsTruncated, Marker: r.Marker };
    },
    ListGroups: ({ PathPrefix, Marker, MaxItems }, ctx) => {
      const r = page(byPrefix(store(ctx).groups.scan(), PathPrefix), (g) => g.GroupName, Marker, MaxItems);
      return { Groups: r.items.map(groupView), IsTruncated: r.IsTruncated, Marker: r.Marker };
    },
    ListGroupsForUser: ({ UserName }, ctx) => {
      const s = store(ctx);
      const u = mustUser(s, UserName);
      return {
        Groups: u.groups
          .map((n) => s.groups.get(n))
          .filter((g): g is GroupRec => !!g)
          .map(groupView),
        IsTruncated: false,
      };
    },
    AddUserToGroup: ({ GroupName, UserName }, ctx) => {
      const s = store(ctx);
      mustGroup(s, GroupName);
      const u = mustUser(s, UserName);
      if (!u.groups.includes(GroupName)) {
        if (u.groups.length >= 10) throw limit('Cannot exceed quota for GroupsPerUser: 10');
        s.users.put(UserName, { ...u, groups: [...u.groups, GroupName] });
      }
    },
    RemoveUserFromGroup: ({ GroupName, UserName }, ctx) => {
      const s = store(ctx);
      mustGroup(s, GroupName);
      const u = mustUser(s, UserName);
      if (!u.groups.includes(GroupName)) throw noEntity(`The user with name ${UserName} cannot be found.`);
      s.users.put(UserName, { ...u, groups: u.groups.filter((g) => g !== GroupName) });
    },
    DeleteGroup: ({ GroupName }, ctx) => {
      const s = store(ctx);
      const g = mustGroup(s, GroupName);
      for (const [, u] of s.users.scan())
        if (u.groups.includes(GroupName)) throw conflict('Cannot delete entity, must remove users from group first.');
      if (Object.keys(g.inline).length) throw conflict('Cannot delete entity, must delete policies first.');
      if (g.attached.length) throw conflict('Cannot delete entity, must detach all policies first.');
      s.groups.delete(GroupName);
    },

    CreateRole: ({ RoleName, Path, AssumeRolePolicyDocument, MaxSessionDuration, Description, Tags, PermissionsBoundary }, ctx) => {
      const s = store(ctx);
      if (s.roles.has(RoleName)) throw exists(`Role with name ${RoleName} already exists.`);
      trust(AssumeRolePolicyDocument);
      const path = checkPath(Path);
      const r: RoleRec = {
        RoleName,
        Path: path,
        RoleId: newId('AROA'),
        Arn: `arn:aws:iam::${ctx.account}:role${path}${RoleName}`,
        CreateDate: ctx.clock.now(),
        AssumeRolePolicyDocument,
        MaxSessionDuration: MaxSessionDuration ?? 3600,
        Description,
        Tags: mergeTags([], Tags),
        inline: {},
        attached: [],
        ...(PermissionsBoundary ? { boundary: PermissionsBoundary } : {}),
      };
      s.roles.put(RoleName, r);
      return { Role: roleView(r) };
    },
    CreateServiceLinkedRole: ({ AWSServiceName, Description, CustomSuffix }, ctx) => {
      const s = store(ctx);
      const svc = AWSServiceName.split('.')[0];
      const base = `AWSServiceRoleFor${svc.charAt(0).toUpperCase()}${svc.slice(1)}`;
      const RoleName = CustomSuffix ? `${base}_${CustomSuffix}` : base;
      if (s.roles.has(RoleName))
        throw invalid(`Service role name ${RoleName} has been taken in this account, please try a different suffix.`);
      const path = `/aws-service-role/${AWSServiceName}/`;
      const doc = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: [AWSServiceName] }, Action: ['sts:AssumeRole'] }],
      });
      const r: RoleRec = {
        RoleName,
        Path: path,
        RoleId: newId('AROA'),
        Arn: `arn:aws:iam::${ctx.account}:role${path}${RoleName}`,
        CreateDate: ctx.clock.now(),
        AssumeRolePolicyDocument: doc,
        MaxSessionDuration: 3600,
        Description,
        Tags: [],
        inline: {},
        attached: [],
      };
      s.roles.put(RoleName, r);
      return { Role: roleView(r) };
    },
    DeleteServiceLinkedRole: ({ RoleName }, ctx) => {
      const s = store(ctx);
      mustRole(s, RoleName);
      s.roles.delete(RoleName);
      return { DeletionTaskId: `task/aws-service-role/${RoleName}/${newId('', 8)}` };
    },
    GetServiceLinkedRoleDeletionStatus: () => ({ Status: 'SUCCEEDED' }),
    GetRole: ({ RoleName }, ctx) => ({ Role: roleView(mustRole(store(ctx), RoleName)) }),
    ListRoles: ({ PathPrefix, Marker, MaxItems }, ctx) => {
      const r = page(byPrefix(store(ctx).roles.scan(), PathPrefix), (x) => x.RoleName, Marker, MaxItems);
      return { Roles: r.items.map((x) => roleView(x, false)), IsTruncated: r.IsTruncated, Marker: r.Marker };
    },
    UpdateRole: ({ RoleName, Description, MaxSessionDuration }, ctx) => {
      const s = store(ctx);
      const r = mustRole(s, RoleName);
      s.roles.put(RoleName, {
        ...r,
        Description: Description ?? r.Description,
        MaxSessionDuration: MaxSessionDuration ?? r.MaxSessionDuration,
      });
      return {};
    },
    UpdateRoleDescription: ({ RoleName, Description }, ctx) => {
      const s = store(ctx);
      const r = { ...mustRole(s, RoleName), Description };
      s.roles.put(RoleName, r);
      return { Role: roleView(r) };
    },
    UpdateAssumeRolePolicy: ({ RoleName, PolicyDocument }, ctx) => {
      const s = store(ctx);
      const r = mustRole(s, RoleName);
      trust(PolicyDocument);
      s.roles.put(RoleName, { ...r, AssumeRolePolicyDocument: PolicyDocument });
    },
    DeleteRole: ({ RoleName }, ctx) => {
      const s = store(ctx);
      const r = mustRole(s, RoleName);
      if (Object.keys(r.inline).length) throw conflict('Cannot delete entity, must delete policies first.');
      if (r.attached.length) throw conflict('Cannot delete entity, must detach all policies first.');
      for (const [, p] of s.profiles.scan())
        if (p.roles.includes(RoleName)) throw conflict('Cannot delete entity, must remove roles from instance profile first.');
      s.roles.delete(RoleName);
    },
    TagRole: ({ RoleName, Tags }, ctx) => {
      const s = store(ctx);
      const r = mustRole(s, RoleName);
      s.roles.put(RoleName, { ...r, Tags: mergeTags(r.Tags, Tags) });
    },
    UntagRole: ({ RoleName, TagKeys }, ctx) => {
      const s = store(ctx);
      const r = mustRole(s, RoleName);
      s.roles.put(RoleName, { ...r, Tags: r.Tags.filter((t) => !TagKeys.includes(t.Key)) });
    },
    ListRoleTags: ({ RoleName }, ctx) => ({ Tags: mustRole(store(ctx), RoleName).Tags, IsTruncated: false }),

    CreateInstanceProfile: ({ InstanceProfileName, Path, Tags }, ctx) => {
      const s = store(ctx);
      if (s.profiles.has(InstanceProfileName)) throw exists(`Instance Profile ${InstanceProfileName} already exists.`);
      const path = checkPath(Path);
      const p: ProfileRec = {
        InstanceProfileName,
        Path: path,
        InstanceProfileId: newId('AIPA'),
        Arn: `arn:aws:iam::${ctx.account}:instance-profile${path}${InstanceProfileName}`,
        CreateDate: ctx.clock.now(),
        roles: [],
        Tags: mergeTags([], Tags),
      };
      s.profiles.put(InstanceProfileName, p);
      return { InstanceProfile: profileView(s, p) };
    },
    GetInstanceProfile: ({ InstanceProfileName }, ctx) => {
      const s = store(ctx);
      const p = s.profiles.get(InstanceProfileName);
      if (!p) throw noEntity(`Instance Profile ${InstanceProfileName} cannot be found.`);
      return { InstanceProfile: profileView(s, p) };
    },
    ListInstanceProfiles: ({ PathPrefix, Marker, MaxItems }, ctx) => {
      const s = store(ctx);
      const r = page(byPrefix(s.profiles.scan(), PathPrefix), (p) => p.InstanceProfileName, Marker, MaxItems);
      return { InstanceProfiles: r.items.map((p) => profileView(s, p)), IsTruncated: r.IsTruncated, Marker: r.Marker };
    },
    ListInstanceProfilesForRole: ({ RoleName }, ctx) => {
      const s = store(ctx);
      mustRole(s, RoleName);
      return {
        InstanceProfiles: byPrefix(s.profiles.scan())
          .filter((p) => p.roles.includes(RoleName))
          .map((p) => profileView(s, p)),
        IsTruncated: false,
      };
    },
    AddRoleToInstanceProfile: ({ InstanceProfileName, RoleName }, ctx) => {
      const s = store(ctx);
      const p = s.profiles.get(InstanceProfileName);
      if (!p) throw noEntity(`Instance Profile ${InstanceProfileName} cannot be found.`);
      mustRole(s, RoleName);
      if (p.roles.length >= 1) throw limit('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
      s.profiles.put(InstanceProfileName, { ...p, roles: [RoleName] });
    },
    RemoveRoleFromInstanceProfile: ({ InstanceProfileName, RoleName }, ctx) => {
      const s = store(ctx);
      const p = s.profiles.get(InstanceProfileName);
      if (!p) throw noEntity(`Instance Profile ${InstanceProfileName} cannot be found.`);
      if (!p.roles.includes(RoleName)) throw noEntity(`The role with name ${RoleName} cannot be found.`);
      s.profiles.put(InstanceProfileName, { ...p, roles: [] });
    },
    DeleteInstanceProfile: ({ InstanceProfileName }, ctx) => {
      const s = store(ctx);
      const p = s.profiles.get(InstanceProfileName);
      if (!p) throw noEntity(`Instance Profile ${InstanceProfileName} cannot be found.`);
      if (p.roles.length) throw conflict('Cannot delete entity, must remove roles from instance profile first.');
      s.profiles.delete(InstanceProfileName);
    },

    CreateLoginProfile: ({ UserName, Password, PasswordResetRequired }, ctx) => {
      const s = store(ctx);
      const u = mustUser(s, UserName!);
      if (u.login) throw exists(`Login Profile for user ${UserName} already exists.`);
      if (!Password) throw invalid('Password is required.');
      const login = { CreateDate: ctx.clock.now(), PasswordResetRequired: PasswordResetRequired ?? false };
      s.users.put(UserName!, { ...u, login });
      return { LoginProfile: { UserName: UserName!, ...login } };
    },
    GetLoginProfile: ({ UserName }, ctx) => {
      const u = mustUser(store(ctx), UserName!);
      if (!u.login) throw noEntity(`Login Profile for User ${UserName} cannot be found.`);
      return { LoginProfile: { UserName: u.UserName, ...u.login } };
    },
    UpdateLoginProfile: ({ UserName, PasswordResetRequired }, ctx) => {
      const s = store(ctx);
      const u = mustUser(s, UserName);
      if (!u.login) throw noEntity(`Login Profile for User ${UserName} cannot be found.`);
      s.users.put(UserName, { ...u, login: { ...u.login, PasswordResetRequired: PasswordResetRequired ?? u.login.PasswordResetRequired } });
    },
    DeleteLoginProfile: ({ UserName }, ctx) => {
      const s = store(ctx);
      const u = mustUser(s, UserName!);
      if (!u.login) throw noEntity(`Login Profile for User ${UserName} cannot be found.`);
      const { login: _gone, ...rest } = u;
      s.users.put(UserName!, rest);
    },

    CreateAccountAlias: ({ AccountAlias }, ctx) => {
      const s = store(ctx);
      const cur = s.meta.get('alias');
      if (cur && cur !== AccountAlias) throw limit('Cannot exceed quota for AccountAliasesPerAccount: 1');
      s.meta.put('alias', AccountAlias);
    },
    DeleteAccountAlias: ({ AccountAlias }, ctx) => {
      const s = store(ctx);
      if (s.meta.get('alias') !== AccountAlias) throw noEntity(`The account alias ${AccountAlias} cannot be found.`);
      s.meta.delete('alias');
    },
    ListAccountAliases: (_i, ctx) => {
      const a = store(ctx).meta.get('alias');
      return { AccountAliases: a ? [a] : [], IsTruncated: false };
    },
  };
}
