// IAM's evaluation logic (the "policy evaluation logic" chapter of the IAM user guide): an explicit
// deny anywhere wins; within an account an identity policy or a resource policy may allow, narrowed
// by permissions boundaries and session policies; across accounts both sides must allow.
import type { CompiledPolicy, PrincipalSpec, Statement } from './parse.js';
import type { Keys } from './wildcard.js';

/** Who asks, as policies' Principal elements name them. */
export interface RequestPrincipal {
  kind: 'root' | 'user' | 'assumed-role' | 'federated-user' | 'anonymous' | 'service';
  account: string;
  /** the caller's ARN (a session's `arn:aws:sts::A:assumed-role/R/S`) */
  arn: string;
  /** for a role session: the role's ARN, which resource and trust policies name */
  roleArn?: string;
  /** a service principal (`lambda.amazonaws.com`) or a federated provider ARN */
  service?: string;
  federated?: string;
}

export interface EvalRequest {
  action: string;
  resource: string;
  principal: RequestPrincipal;
  /** the account owning the resource (default: the principal's) */
  resourceAccount?: string;
  /** condition keys, lowercased names */
  keys: Keys;
}

export interface PolicySet {
  identity: CompiledPolicy[];
  /** a permissions boundary (undefined: none) */
  boundary?: CompiledPolicy[];
  /** session policies (undefined: not a session with policies) */
  session?: CompiledPolicy[];
  /** the resource's own policy */
  resource?: CompiledPolicy;
  /** a role's trust policy: it must allow the caller even within the account */
  trust?: boolean;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
export type PolicyType = 'identity-based policy' | 'resource-based policy' | 'permissions boundary' | 'session policy';

export interface Verdict {
  decision: Decision;
  /** the statement that decided (an Allow's or a Deny's); none for an implicit deny */
  statement?: { policy: string; sid?: string; index: number };
  /** for a deny: the kind of policy that denied, or that failed to allow */
  policyType?: PolicyType;
}

/** How a Principal element names the caller: itself, its role, its account (a delegation), or anyone. */
type Via = 'direct' | 'role' | 'account' | 'any';

function principalMatches(spec: PrincipalSpec, p: RequestPrincipal): Via | undefined {
  if (p.service && spec.service.includes(p.service)) return 'direct';
  if (p.federated && spec.federated.includes(p.federated)) return 'direct';
  for (const id of spec.aws) {
    if (id === p.arn) return p.kind === 'root' ? 'account' : 'direct';
    if (p.roleArn && id === p.roleArn) return 'role';
  }
  if (p.kind !== 'anonymous' && p.kind !== 'service' && spec.aws.includes(`arn:aws:iam::${p.account}:root`)) return 'account';
  if (spec.any) return 'any';
  return undefined;
}

interface Match {
  st: Statement;
  policy: string;
  via?: Via;
}

const rank = (v: Via | undefined) => (v === 'direct' ? 3 : v === 'role' || v === 'any' ? 2 : v === 'account' ? 1 : 0);

/** The statements of one policy that apply to the request, by effect. */
function scan(policy: CompiledPolicy, req: EvalRequest, withPrincipal: boolean): { allow?: Match; deny?: Match } {
  let allow: Match | undefined;
  for (const st of policy.statements) {
    const action = req.action;
    if (st.actions && !st.actions.some((a) => a.test(action, req.keys))) continue;
    if (st.notActions && st.notActions.some((a) => a.test(action, req.keys))) continue;
    if (st.resources && !st.resources.some((r) => r.test(req.resource, req.keys))) continue;
    if (st.notResources && st.notResources.some((r) => r.test(req.resource, req.keys))) continue;
    let via: Via | undefined;
    if (withPrincipal) {
      if (st.principal) {
        via = principalMatches(st.principal, req.principal);
        if (!via) continue;
      } else if (st.notPrincipal) {
        if (principalMatches(st.notPrincipal, req.principal)) continue;
        via = 'any';
      }
    }
    if (st.condition && !st.condition(req.keys)) continue;
    const m = { st, policy: policy.name, via };
    if (st.effect === 'Deny') return { deny: m };
    if (!allow || rank(via) > rank(allow.via)) allow = m;
  }
  return { allow };
}

function scanAll(policies: CompiledPolicy[], req: EvalRequest): { allow?: Match; deny?: Match } {
  let allow: Match | undefined;
  for (const p of policies) {
    const r = scan(p, req, false);
    if (r.deny) return r;
    allow ??= r.allow;
  }
  return { allow };
}

const stmt = (m: Match) => ({ policy: m.policy, sid: m.st.sid, index: m.st.index });
const deny = (m: Match, policyType: PolicyType): Verdict => ({ decision: 'ExplicitDeny', statement: stmt(m), policyType });
const implicit = (policyType: PolicyType): Verdict => ({ decision: 'ImplicitDeny', policyType });

/** Decides one request against the policies that apply to it. */
export function evaluate(set: PolicySet, req: EvalRequest): Verdict {
  const p = req.principal;
  const sameAccount = (req.resourceAccount ?? p.account) === p.account;
  const root = p.kind === 'root';

  const res = set.resource ? scan(set.resource, req, true) : {};
  if (res.deny) return deny(res.deny, 'resource-based policy');
  // the root's identity allows everything; it carries no boundary or session policy
  const id = root ? {} : scanAll(set.identity, req);
  if (id.deny) return deny(id.deny, 'identity-based policy');
  const bound = !root && set.boundary ? scanAll(set.boundary, req) : undefined;
  if (bound?.deny) return deny(bound.deny, 'permissions boundary');
  const sess = !root && set.session ? scanAll(set.session, req) : undefined;
  if (sess?.deny) return deny(sess.deny, 'session policy');

  if (p.kind === 'anonymous' || p.kind === 'service') {
    return res.allow ? { decision: 'Allow', statement: stmt(res.allow) } : implicit('resource-based policy');
  }
  const identityAllows = root || !!id.allow;
  const narrowed = (bound === undefined || !!bound.allow) && (sess === undefined || !!sess.allow);
  const allowing = id.allow ?? bound?.allow ?? sess?.allow;

  if (set.trust && !res.allow) return implicit('resource-based policy');
  if (sameAccount) {
    if (root) return { decision: 'Allow', ...(res.allow ? { statement: stmt(res.allow) } : {}) };
    // naming the account delegates to the account's own policies; naming the caller grants
    if (res.allow && res.allow.via !== 'account') {
      // a resource policy naming the user or the session itself is not narrowed (IAM's documented exception)
      if (res.allow.via === 'direct' || narrowed) return { decision: 'Allow', statement: stmt(res.allow) };
      return implicit(bound && !bound.allow ? 'permissions boundary' : 'session policy');
    }
    if (!identityAllows) return implicit('identity-based policy');
    if (bound && !bound.allow) return implicit('permissions boundary');
    if (sess && !sess.allow) return implicit('session policy');
    return { decision: 'Allow', statement: stmt(allowing!) };
  }
  // across accounts: the caller's account must allow it, and the resource's policy too
  if (!identityAllows) return implicit('identity-based policy');
  if (bound && !bound.allow) return implicit('permissions boundary');
  if (sess && !sess.allow) return implicit('session policy');
  if (!res.allow) return implicit('resource-based policy');
  return { decision: 'Allow', statement: stmt(res.allow) };
}

const article = (t: string) => (/^[aeiou]/.test(t) ? 'an' : 'a');

/** AWS's sentence for a denial: "User: A is not authorized to perform: X on resource: R because …". */
export function denialMessage(v: Verdict, req: EvalRequest, quoteResource = false): string {
  const resource = quoteResource ? `"${req.resource}"` : req.resource;
  const head = `User: ${req.principal.arn} is not authorized to perform: ${req.action} on resource: ${resource}`;
  if (v.decision === 'ExplicitDeny') return `${head} with an explicit deny in ${article(v.policyType!)} ${v.policyType}`;
  return `${head} because no ${v.policyType} allows the ${req.action} action`;
}
