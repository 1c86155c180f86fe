// Event bus resource policies: PutPermission / RemovePermission build the policy statement by
// statement (or take a whole policy), and `mayPut` answers whether another account may put events
// on the bus (PutEvents across accounts, a rule's target on another account's bus).
import { ServiceError } from '../../kit.js';
import type { PutPermissionRequest } from '../../generated/events.js';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}
interface Policy {
  Version?: string;
  Statement: Statement[];
}

function parse(text: string | undefined): Policy {
  if (!text) return { Version: '2012-10-17', Statement: [] };
  const p = JSON.parse(text) as Policy;
  return { ...p, Statement: Array.isArray(p.Statement) ? p.Statement : p.Statement ? [p.Statement] : [] };
}

/** The bus's policy after a PutPermission call. */
export function putPermission(current: string | undefined, busArn: string, req: PutPermissionRequest): string {
  if (req.Policy !== undefined) {
    let p: Policy;
    try {
      p = parse(req.Policy);
    } catch {
      throw new ServiceError('ValidationException', 'The policy is not valid JSON.');
    }
    if (!p.Statement.length) throw new ServiceError('ValidationException', 'The policy must contain at least one statement.');
    return JSON.stringify(p);
  }
  if (!req.StatementId || !req.Principal || !req.Action) {
    throw new ServiceError('ValidationException', 'Parameter(s) Action, Principal and StatementId must be specified when Policy is not.');
  }
  if (req.Action !== 'events:PutEvents')
    throw new ServiceError('ValidationException', "Provided value in parameter 'action' is not supported.");
  if (req.Principal !== '*' && !/^\d{12}$/.test(req.Principal))
    throw new ServiceError('ValidationException', `Parameter Principal is not valid: ${req.Principal}`);
  if (req.Condition && req.Principal !== '*')
    throw new ServiceError('ValidationException', 'A condition can be given only when Principal is "*".');
  const p = parse(current);
  const statement: Statement = {
    Sid: req.StatementId,
    Effect: 'Allow',
    Principal: req.Principal === '*' ? '*' : { AWS: `arn:aws:iam::${req.Principal}:root` },
    Action: 'events:PutEvents',
    Resource: busArn,
    ...(req.Condition ? { Condition: { [req.Condition.Type]: { [req.Condition.Key]: req.Condition.Value } } } : {}),
  };
  p.Statement = [...p.Statement.filter((s) => s.Sid !== req.StatementId), statement];
  return JSON.stringify({ Version: p.Version ?? '2012-10-17', Statement: p.Statement });
}

/** The bus's policy after RemovePermission (undefined when no statement is left). */
export function removePermission(
  current: string | undefined,
  statementId: string | undefined,
  all: boolean | undefined,
): string | undefined {
  if (all) return undefined;
  if (!current) throw new ServiceError('ResourceNotFoundException', 'EventBus does not have a policy.');
  if (!statementId)
    throw new ServiceError('ValidationException', 'Parameter StatementId must be specified when RemoveAllPermissions is not true.');
  const p = parse(current);
  const kept = p.Statement.filter((s) => s.Sid !== statementId);
  if (kept.length === p.Statement.length)
    throw new ServiceError('ResourceNotFoundException', 'Statement with the provided id does not exist.');
  return kept.length ? JSON.stringify({ ...p, Statement: kept }) : undefined;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

function principalMatches(principal: unknown, account: string): boolean {
  if (principal === '*') return true;
  const aws = list((principal as { AWS?: unknown } | undefined)?.AWS);
  return aws.some((p) => p === '*' || p === account || (typeof p === 'string' && new RegExp(`^arn:aws[\\w-]*:iam::${account}:`).test(p)));
}

/** May `account` call `action` on the bus `busArn` under this policy? Conditions are not evaluated: a statement with one does not allow. */
export function mayPut(policy: string | undefined, account: string, busArn: string, action = 'events:PutEvents'): boolean {
  if (!policy) return false;
  let allowed = false;
  for (const s of parse(policy).Statement) {
    if (!principalMatches(s.Principal, account)) continue;
    if (!list(s.Action).some((a) => typeof a === 'string' && glob(a.toLowerCase(), action.toLowerCase()))) continue;
    if (s.Resource !== undefined && !list(s.Resource).some((r) => typeof r === 'string' && glob(r, busArn))) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Condition && Object.keys(s.Condition).length) continue;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}
