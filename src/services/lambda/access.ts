// Cross-account access: a full or partial ARN naming another account's function reaches that
// account's function, if its resource policy (AddPermission's statements) grants the caller the
// action, as AWS always checks across accounts. Under IAM enforcement the authorize seam has already
// evaluated both sides (the caller's own policies and this one), so it is not read again here.
import type { Principal, RequestContext, Runtime, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import { functionArn, parseFunctionRef, qualifierOf, type LambdaStore } from './model.js';

/** Operations whose IAM action has another name. */
const ACTION: Record<string, string> = {
  Invoke: 'lambda:InvokeFunction',
  InvokeWithResponseStream: 'lambda:InvokeFunction',
  InvokeAsync: 'lambda:InvokeAsync',
};

export const actionOf = (operation: string) => ACTION[operation] ?? `lambda:${operation}`;

const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  ).test(value);

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Does a Principal element name the caller: `*`, the caller's ARN, its role, or its account's root? */
function names(principal: unknown, caller: Principal): boolean {
  if (principal === '*') return true;
  return list((principal as { AWS?: unknown } | undefined)?.AWS).some(
    (id) =>
      id === '*' ||
      id === caller.arn ||
      id === `arn:aws:iam::${caller.account}:root` ||
      (!!caller.session?.roleArn && id === caller.session.roleArn),
  );
}

/**
 * Does the function's policy grant `action` on `arn` to the caller? A statement with a condition
 * grants nothing to a direct call: AddPermission's conditions test AWS:SourceArn/SourceAccount (set
 * only when a service invokes for one of its resources), aws:PrincipalOrgID (no organizations here)
 * and lambda:FunctionUrlAuthType (only a function URL's call carries it).
 */
export function policyGrants(statements: Record<string, unknown>[], caller: Principal, action: string, arn: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      !s.Condition &&
      names(s.Principal, caller) &&
      list(s.Action).some((a) => glob(a, action)) &&
      list(s.Resource).some((r) => glob(r, arn)),
  );
}

export const accessDenied = (caller: Principal, action: string, arn: string) =>
  new ServiceError(
    'AccessDeniedException',
    `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${arn} because no resource-based policy allows the ${action} action`,
    403,
  );

/**
 * The store, name and qualifier (from the name or the Qualifier parameter) a call names; another
 * account's function only when its policy lets the caller perform the call's action.
 */
export function reach(
  rt: Runtime,
  stores: Stores<LambdaStore>,
  ctx: RequestContext,
  functionName: string,
  qualifierParam?: string,
): { store: LambdaStore; name: string; qualifier?: string } {
  const ref = parseFunctionRef(functionName, ctx.account, ctx.region);
  const qualifier = qualifierOf(ref.qualifier, qualifierParam);
  const store = stores.get(ref.account, ctx.region);
  if (ref.account !== ctx.account && !(rt.config.enforceIam && rt.pipeline.authorizing)) {
    const action = actionOf(ctx.operation);
    const arn = functionArn(ctx.region, ref.account, ref.name, qualifier);
    // a qualified ARN is governed by that version's or alias's policy, as AWS applies them
    const statements = store.meta.get(ref.name)?.policies[qualifier ?? ''] ?? [];
    if (!policyGrants(statements, ctx.principal, action, arn)) throw accessDenied(ctx.principal, action, arn);
  }
  return { store, name: ref.name, qualifier };
}
