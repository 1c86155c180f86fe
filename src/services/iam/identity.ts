// Who a principal is to the evaluator: its policies (identity, boundary, session), its condition
// keys (aws:username, aws:userid, aws:PrincipalTag/*, …) and the names policies know it by.
import type { Principal } from '../../kit.js';
import type { CompiledPolicy, PolicyCache } from './policy/parse.js';
import type { PolicySet, RequestPrincipal } from './policy/evaluate.js';
import type { Keys } from './policy/wildcard.js';
import { managedDocument } from './policies.js';
import type { Attachments, IamStore, Tag } from './store.js';

export interface Resolved {
  set: PolicySet;
  who: RequestPrincipal;
  keys: Keys;
}

const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const ASSUMED = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;

function compileAll(s: IamStore, cache: PolicyCache, owner: string, a: Attachments): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  for (const [name, doc] of Object.entries(a.inline)) out.push(cache.get(doc, 'identity', `${owner} inline policy ${name}`));
  for (const arn of a.attached) {
    const doc = managedDocument(s, arn);
    if (doc) out.push(cache.get(doc, 'identity', arn));
  }
  return out;
}

function boundaryOf(s: IamStore, cache: PolicyCache, arn: string | undefined): CompiledPolicy[] | undefined {
  if (!arn) return undefined;
  const doc = managedDocument(s, arn);
  return doc ? [cache.get(doc, 'identity', arn)] : [];
}

const tagKeys = (keys: Keys, tags: Tag[] | Record<string, string> | undefined) => {
  const list = Array.isArray(tags) ? tags : Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  for (const t of list) keys[`aws:principaltag/${t.Key.toLowerCase()}`] = t.Value;
  if (list.length) keys['aws:principaltag'] = list.map((t) => t.Key);
};

/** The principal's policies and keys, read from the store of its account. */
export function resolve(p: Principal, store: (account: string) => IamStore, cache: PolicyCache): Resolved {
  const keys: Keys = { 'aws:principalarn': p.arn, 'aws:principalaccount': p.account, 'aws:userid': p.userId, 'aws:principaltype': '' };
  const who: RequestPrincipal = { kind: p.kind, account: p.account, arn: p.arn };
  const set: PolicySet = { identity: [] };
  const s = store(p.account);
  if (p.kind === 'root') {
    keys['aws:principaltype'] = 'Account';
  } else if (p.kind === 'user') {
    const name = p.arn.slice(p.arn.lastIndexOf('/') + 1);
    keys['aws:username'] = name;
    keys['aws:principaltype'] = 'User';
    const u = s.users.get(name);
    if (u) {
      set.identity = compileAll(s, cache, `user/${name}`, u);
      for (const g of u.groups) {
        const grp = s.groups.get(g);
        if (grp) set.identity.push(...compileAll(s, cache, `group/${g}`, grp));
      }
      set.boundary = boundaryOf(s, cache, u.boundary);
      tagKeys(keys, u.Tags);
    }
  } else if (p.kind === 'assumed-role') {
    const m = ASSUMED.exec(p.arn);
    keys['aws:principaltype'] = 'AssumedRole';
    if (m) {
      const r = s.roles.get(m[2]);
      who.roleArn = r?.Arn ?? p.session?.roleArn ?? `arn:aws:iam::${m[1]}:role/${m[2]}`;
      keys['aws:principalarn'] = who.roleArn;
      if (r) {
        set.identity = compileAll(s, cache, `role/${r.RoleName}`, r);
        set.boundary = boundaryOf(s, cache, r.boundary);
        tagKeys(keys, r.Tags);
      }
    }
  } else if (p.kind === 'federated-user') {
    keys['aws:principaltype'] = 'FederatedUser';
  }
  if (p.session?.tags) tagKeys(keys, p.session.tags);
  if (p.session?.sourceIdentity) keys['aws:sourceidentity'] = p.session.sourceIdentity;
  if (p.session?.policies) set.session = p.session.policies.map((d, i) => cache.get(d, 'identity', `session policy ${i + 1}`));
  if (p.kind === 'federated-user' && p.session?.policies === undefined) set.session = [];
  // a federated user holds what both the user that asked and the session policy allow
  const parent = p.kind === 'federated-user' ? p.session?.parentArn : undefined;
  if (parent?.endsWith(':root')) set.identity = [cache.get(ALLOW_ALL, 'identity', 'the account root')];
  else if (parent) {
    const name = parent.slice(parent.lastIndexOf('/') + 1);
    const u = s.users.get(name);
    if (u) {
      set.identity = compileAll(s, cache, `user/${name}`, u);
      set.boundary = boundaryOf(s, cache, u.boundary);
    }
  }
  return { set, who, keys };
}
