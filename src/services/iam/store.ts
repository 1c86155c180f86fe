// IAM's state: one store per account (IAM is global), entities keyed by name, managed policies by ARN.
import { randomBytes } from 'node:crypto';
import type { Collection, StoreScope } from '../../kit.js';
import { ServiceError } from '../../kit.js';

export interface Tag {
  Key: string;
  Value: string;
}

export interface Attachments {
  inline: Record<string, string>;
  attached: string[];
  boundary?: string;
}

export interface UserRec extends Attachments {
  UserName: string;
  UserId: string;
  Arn: string;
  Path: string;
  CreateDate: Date;
  Tags: Tag[];
  groups: string[];
  login?: { CreateDate: Date; PasswordResetRequired: boolean };
}
export interface GroupRec extends Attachments {
  GroupName: string;
  GroupId: string;
  Arn: string;
  Path: string;
  CreateDate: Date;
}
export interface RoleRec extends Attachments {
  RoleName: string;
  RoleId: string;
  Arn: string;
  Path: string;
  CreateDate: Date;
  Tags: Tag[];
  AssumeRolePolicyDocument: string;
  MaxSessionDuration: number;
  Description?: string;
}
export interface PolicyVersionRec {
  VersionId: string;
  Document: string;
  CreateDate: Date;
}
export interface PolicyRec {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  Description?: string;
  CreateDate: Date;
  UpdateDate: Date;
  DefaultVersionId: string;
  versions: PolicyVersionRec[];
  nextVersion: number;
  Tags: Tag[];
}
export interface KeyRec {
  UserName: string;
  AccessKeyId: string;
  Status: 'Active' | 'Inactive';
  CreateDate: Date;
  secret: string;
  lastUsed?: { date: Date; service: string; region: string };
}
export interface ProfileRec {
  InstanceProfileName: string;
  InstanceProfileId: string;
  Arn: string;
  Path: string;
  CreateDate: Date;
  roles: string[];
  Tags: Tag[];
}
export interface ProviderRec {
  Arn: string;
  Url?: string;
  ClientIDList?: string[];
  ThumbprintList?: string[];
  SAMLMetadataDocument?: string;
  CreateDate: Date;
  Tags: Tag[];
  jwks?: unknown;
}

export class IamStore {
  readonly users: Collection<UserRec>;
  readonly groups: Collection<GroupRec>;
  readonly roles: Collection<RoleRec>;
  readonly policies: Collection<PolicyRec>;
  readonly keys: Collection<KeyRec>;
  readonly profiles: Collection<ProfileRec>;
  readonly providers: Collection<ProviderRec>;
  readonly meta: Collection<string>;
  constructor(readonly scope: StoreScope) {
    this.users = scope.collection('users');
    this.groups = scope.collection('groups');
    this.roles = scope.collection('roles');
    this.policies = scope.collection('policies');
    this.keys = scope.collection('keys');
    this.profiles = scope.collection('profiles');
    this.providers = scope.collection('providers');
    this.meta = scope.collection('meta');
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** IAM's unique ids: a 4-letter kind prefix (AIDA user, AROA role, AGPA group, ANPA policy, AKIA key…) and 17 characters. */
export const newId = (prefix: string, n = 17) => prefix + Array.from(randomBytes(n), (b) => ALNUM[b & 31]).join('');

export const noEntity = (msg: string) => new ServiceError('NoSuchEntity', msg, 404);
export const exists = (msg: string) => new ServiceError('EntityAlreadyExists', msg, 409);
export const conflict = (msg: string) => new ServiceError('DeleteConflict', msg, 409);
export const limit = (msg: string) => new ServiceError('LimitExceeded', msg, 409);
export const invalid = (msg: string) => new ServiceError('InvalidInput', msg, 400);
export const validation = (msg: string) => new ServiceError('ValidationError', msg, 400);

export function checkPath(path: string | undefined): string {
  const p = path ?? '/';
  if (!/^\/$|^\/[\u0021-\u007E]+\/$/.test(p))
    throw validation(
      `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
    );
  return p;
}

export function mustUser(s: IamStore, name: string): UserRec {
  const u = s.users.get(name);
  if (!u) throw noEntity(`The user with name ${name} cannot be found.`);
  return u;
}
export function mustRole(s: IamStore, name: string): RoleRec {
  const r = s.roles.get(name);
  if (!r) throw noEntity(`The role with name ${name} cannot be found.`);
  return r;
}
export function mustGroup(s: IamStore, name: string): GroupRec {
  const g = s.groups.get(name);
  if (!g) throw noEntity(`The group with name ${name} cannot be found.`);
  return g;
}

/** IAM returns policy documents URL-encoded (boto3 decodes them; SDK v3 callers decodeURIComponent). */
export const encodeDoc = (doc: string) => encodeURIComponent(doc);

/** Marker paging: the marker is the last key returned. */
export function page<T>(
  items: T[],
  keyOf: (t: T) => string,
  marker?: string,
  maxItems?: number,
): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const start = marker ? items.findIndex((t) => keyOf(t) > marker) : 0;
  const from = start < 0 ? items.length : start;
  const max = maxItems ?? 100;
  const out = items.slice(from, from + max);
  const truncated = from + max < items.length;
  return { items: out, IsTruncated: truncated, ...(truncated ? { Marker: keyOf(out[out.length - 1]) } : {}) };
}

export function mergeTags(existing: Tag[], add: Tag[] | undefined, max = 50): Tag[] {
  const map = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of add ?? []) map.set(t.Key, t.Value);
  if (map.size > max) throw limit(`The number of tags has reached the maximum limit.`);
  return [...map].map(([Key, Value]) => ({ Key, Value }));
}
