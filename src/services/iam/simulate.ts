// SimulatePrincipalPolicy and SimulateCustomPolicy: the evaluator that enforces, asked directly.
import type { IamProvider, ContextEntry, EvaluationResult } from '../../generated/iam.js';
import type { RequestContext } from '../../kit.js';
import type { CompiledPolicy, PolicyCache } from './policy/parse.js';
import { evaluate, type PolicySet, type RequestPrincipal } from './policy/evaluate.js';
import type { Keys } from './policy/wildcard.js';
import { resolve } from './identity.js';
import { invalid, type IamStore } from './store.js';

const DECISION = { Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny' } as const;

function contextKeys(entries: ContextEntry[] | undefined, into: Keys): Keys {
  for (const e of entries ?? []) {
    if (!e.ContextKeyName) continue;
    const values = e.ContextKeyValues ?? [];
    into[e.ContextKeyName.toLowerCase()] = e.ContextKeyType?.endsWith('List') ? values : values[0];
  }
  return into;
}

function run(
  set: PolicySet,
  who: RequestPrincipal,
  keys: Keys,
  actions: string[],
  resources: string[] | undefined,
  owner?: string,
): EvaluationResult[] {
  const out: EvaluationResult[] = [];
  for (const action of actions) {
    for (const resource of resources?.length ? resources : ['*']) {
      const v = evaluate(set, { action, resource, principal: who, keys, resourceAccount: owner?.split(':')[4] || owner });
      out.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: DECISION[v.decision],
        MatchedStatements: v.statement
          ? [
              {
                SourcePolicyId: v.statement.policy,
                SourcePolicyType: v.statement.policy.startsWith('arn:aws:iam::aws:')
                  ? 'aws-managed'
                  : v.statement.policy.startsWith('arn:')
                    ? 'user-managed'
                    : v.statement.policy.startsWith('ResourcePolicy') || v.statement.policy.includes(' policy of ')
                      ? 'resource'
                      : 'user',
              },
            ]
          : [],
        MissingContextValues: [],
      });
    }
  }
  return out;
}

export function simulateHandlers(
  store: (ctx: RequestContext) => IamStore,
  storeOf: (a: string) => IamStore,
  cache: PolicyCache,
): IamProvider {
  const docs = (list: string[] | undefined, name: string, kind: 'identity' | 'resource' = 'identity'): CompiledPolicy[] =>
    (list ?? []).map((d, i) => cache.get(d, kind, `${name} ${i + 1}`));
  return {
    SimulatePrincipalPolicy: (input, ctx) => {
      const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(input.PolicySourceArn);
      if (!m) throw invalid(`Invalid ARN: ${input.PolicySourceArn}`);
      const [, account, kind, name] = m;
      const s = store(ctx);
      let resolved;
      if (kind === 'user') {
        const u = s.users.get(name);
        if (!u) throw invalid(`Invalid Entity Arn: ${input.PolicySourceArn} does not clearly define entity type and name.`);
        resolved = resolve({ kind: 'user', account, arn: u.Arn, userId: u.UserId }, storeOf, cache);
      } else if (kind === 'role') {
        const r = s.roles.get(name);
        if (!r) throw invalid(`Invalid Entity Arn: ${input.PolicySourceArn} does not clearly define entity type and name.`);
        resolved = resolve(
          {
            kind: 'assumed-role',
            account,
            arn: `arn:aws:sts::${account}:assumed-role/${name}/simulation`,
            userId: `${r.RoleId}:simulation`,
          },
          storeOf,
          cache,
        );
      } else {
        const g = s.groups.get(name);
        if (!g) throw invalid(`Invalid Entity Arn: ${input.PolicySourceArn} does not clearly define entity type and name.`);
        const set = { identity: Object.entries(g.inline).map(([n, d]) => cache.get(d, 'identity', `group/${name} inline policy ${n}`)) };
        resolved = { set, who: { kind: 'user' as const, account, arn: g.Arn }, keys: {} };
      }
      const set: PolicySet = { ...resolved.set, identity: [...resolved.set.identity, ...docs(input.PolicyInputList, 'PolicyInputList')] };
      if (input.PermissionsBoundaryPolicyInputList?.length)
        set.boundary = docs(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
      if (input.ResourcePolicy) set.resource = cache.get(input.ResourcePolicy, 'resource', 'ResourcePolicy');
      const keys = contextKeys(input.ContextEntries, { ...resolved.keys });
      return {
        EvaluationResults: run(set, resolved.who, keys, input.ActionNames, input.ResourceArns, input.ResourceOwner),
        IsTruncated: false,
      };
    },
    SimulateCustomPolicy: (input, ctx) => {
      const set: PolicySet = { identity: docs(input.PolicyInputList, 'PolicyInputList') };
      if (input.PermissionsBoundaryPolicyInputList?.length)
        set.boundary = docs(input.PermissionsBoundaryPolicyInputList, 'PermissionsBoundaryPolicyInputList');
      if (input.ResourcePolicy) set.resource = cache.get(input.ResourcePolicy, 'resource', 'ResourcePolicy');
      const arn = input.CallerArn ?? `arn:aws:iam::${ctx.account}:user/simulated`;
      const account = arn.split(':')[4] || ctx.account;
      const who: RequestPrincipal = { kind: arn.includes(':assumed-role/') ? 'assumed-role' : 'user', account, arn };
      const keys = contextKeys(input.ContextEntries, { 'aws:principalarn': arn, 'aws:username': arn.split('/').pop() });
      return { EvaluationResults: run(set, who, keys, input.ActionNames, input.ResourceArns, input.ResourceOwner), IsTruncated: false };
    },
  };
}
