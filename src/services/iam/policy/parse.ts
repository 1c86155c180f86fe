// Policy documents: validated as IAM validates them (MalformedPolicyDocument and IAM's texts),
// then compiled once into matchers the evaluator runs per request.
import { ServiceError } from '../../errors.js';
import { compileConditions, parseOperator, type ConditionCheck } from './conditions.js';
import { compilePattern, type Keys, type Pattern } from './wildcard.js';

/** identity: users, groups, roles, boundaries, sessions; trust: a role's; resource: a bucket's, a queue's… */
export type PolicyKind = 'identity' | 'trust' | 'resource';

export interface PrincipalSpec {
  any: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonical: string[];
}

export interface Statement {
  sid?: string;
  index: number;
  effect: 'Allow' | 'Deny';
  actions?: Pattern[];
  notActions?: Pattern[];
  resources?: Pattern[];
  notResources?: Pattern[];
  principal?: PrincipalSpec;
  notPrincipal?: PrincipalSpec;
  condition?: ConditionCheck;
}

export interface CompiledPolicy {
  /** who holds it, for the decision's explanation (a policy ARN, `user/bob inline p1`) */
  name: string;
  statements: Statement[];
  /** it tests s3:ExistingObjectTag/*, which costs a read of the object's tags */
  objectTags?: boolean;
}

export const malformed = (msg: string) => new ServiceError('MalformedPolicyDocument', msg, 400);

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const strings = (v: unknown): string[] =>
  list(v).map((x) => {
    if (typeof x !== 'string') throw malformed('Syntax errors in policy.');
    return x;
  });

function principalSpec(v: unknown): PrincipalSpec {
  const spec: PrincipalSpec = { any: false, aws: [], service: [], federated: [], canonical: [] };
  if (v === '*') return { ...spec, any: true };
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw malformed('Invalid principal in policy');
  for (const [type, ids] of Object.entries(v)) {
    const values = strings(ids);
    switch (type) {
      case 'AWS':
        for (const id of values) {
          if (id === '*') spec.any = true;
          else if (/^\d{12}$/.test(id)) spec.aws.push(`arn:aws:iam::${id}:root`);
          else if (/^arn:aws[a-z-]*:(iam|sts)::(\d{12}|aws):/.test(id) || /^A[A-Z0-9]{15,}$/.test(id)) spec.aws.push(id);
          else throw malformed(`Invalid principal in policy: "AWS":"${id}"`);
        }
        break;
      case 'Service':
        spec.service.push(...values);
        break;
      case 'Federated':
        spec.federated.push(...values);
        break;
      case 'CanonicalUser':
        spec.canonical.push(...values);
        break;
      default:
        throw malformed(`Invalid principal in policy: "${type}"`);
    }
  }
  return spec;
}

const ACTION = /^([a-zA-Z0-9-]+):[a-zA-Z0-9*?_-]*$/;

function actionPatterns(v: unknown): Pattern[] {
  return strings(v).map((a) => {
    if (a !== '*' && !ACTION.test(a)) {
      if (!a.includes(':')) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      throw malformed(`Action vendors must not contain wildcards or other special characters.`);
    }
    return compilePattern(a, { ci: true });
  });
}

function resourcePatterns(v: unknown, vars: boolean): Pattern[] {
  return strings(v).map((r) => {
    if (r !== '*' && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+/.test(r) && !/^arn:[^:]*:[^:]*:[^:]*:[^:]*$/.test(r)) {
      throw malformed(`Resource ${r} must be in ARN format or "*".`);
    }
    return compilePattern(r, { vars });
  });
}

function conditionBlock(v: unknown): ConditionCheck | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw malformed('Syntax errors in policy.');
  for (const [op, body] of Object.entries(v)) {
    if (!parseOperator(op)) throw malformed(`Invalid Condition type : ${op}.`);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw malformed('Syntax errors in policy.');
    for (const key of Object.keys(body)) {
      if (!/^[^\s:]+:[^\s]+$/.test(key)) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
    }
  }
  return compileConditions(v as Record<string, Record<string, unknown>>);
}

const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);

/** Parses and validates a document; throws MalformedPolicyDocument as IAM does. */
export function parsePolicy(text: string, kind: PolicyKind, name = 'policy'): CompiledPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('Syntax errors in policy.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw malformed('Syntax errors in policy.');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (k !== 'Version' && k !== 'Statement' && k !== 'Id') throw malformed('Syntax errors in policy.');
  }
  if (d.Version !== undefined && d.Version !== '2012-10-17' && d.Version !== '2008-10-17') {
    throw malformed('The policy failed legacy parsing');
  }
  // variables are only policy variables in the 2012-10-17 grammar
  const vars = d.Version === '2012-10-17';
  if (d.Statement === undefined) throw malformed('Syntax errors in policy.');
  const raw = list(d.Statement);
  const sids = new Set<string>();
  const statements = raw.map((s, index): Statement => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) throw malformed('Syntax errors in policy.');
    const st = s as Record<string, unknown>;
    for (const k of Object.keys(st)) if (!STATEMENT_KEYS.has(k)) throw malformed('Syntax errors in policy.');
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') throw malformed('Syntax errors in policy.');
    if (st.Sid !== undefined) {
      if (typeof st.Sid !== 'string') throw malformed('Syntax errors in policy.');
      if (kind !== 'resource' && !/^[a-zA-Z0-9]*$/.test(st.Sid))
        throw malformed('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
      if (st.Sid && sids.has(st.Sid)) throw malformed('Statement IDs (SID) in a single policy must be unique.');
      sids.add(st.Sid);
    }
    if (st.Action !== undefined && st.NotAction !== undefined) throw malformed('Syntax errors in policy.');
    if (st.Resource !== undefined && st.NotResource !== undefined) throw malformed('Syntax errors in policy.');
    if (st.Principal !== undefined && st.NotPrincipal !== undefined) throw malformed('Syntax errors in policy.');
    const hasPrincipal = st.Principal !== undefined || st.NotPrincipal !== undefined;
    const hasResource = st.Resource !== undefined || st.NotResource !== undefined;
    if (kind === 'identity' && hasPrincipal) throw malformed('Policy document should not specify a principal.');
    if (kind !== 'identity' && !hasPrincipal) throw malformed('Missing required field Principal');
    if (kind === 'trust' && hasResource) throw malformed('Has prohibited field Resource');
    if (st.Action === undefined && st.NotAction === undefined) throw malformed('Policy statement must contain actions.');
    if (kind !== 'trust' && !hasResource) throw malformed('Policy statement must contain resources.');
    return {
      sid: st.Sid as string | undefined,
      index,
      effect: st.Effect,
      actions: st.Action !== undefined ? actionPatterns(st.Action) : undefined,
      notActions: st.NotAction !== undefined ? actionPatterns(st.NotAction) : undefined,
      resources: st.Resource !== undefined ? resourcePatterns(st.Resource, vars) : undefined,
      notResources: st.NotResource !== undefined ? resourcePatterns(st.NotResource, vars) : undefined,
      principal: st.Principal !== undefined ? principalSpec(st.Principal) : undefined,
      notPrincipal: st.NotPrincipal !== undefined ? principalSpec(st.NotPrincipal) : undefined,
      condition: conditionBlock(st.Condition),
    };
  });
  return { name, statements, ...(/s3:ExistingObjectTag\//i.test(text) ? { objectTags: true } : {}) };
}

/** Compiled policies by kind and document text: parsing runs once per distinct document. */
export class PolicyCache {
  private readonly map = new Map<string, CompiledPolicy | ServiceError>();
  constructor(private readonly max = 5000) {}

  get(text: string, kind: PolicyKind, name: string): CompiledPolicy {
    const key = `${kind}\u0000${name}\u0000${text}`;
    let hit = this.map.get(key);
    if (!hit) {
      try {
        hit = parsePolicy(text, kind, name);
      } catch (e) {
        hit = e instanceof ServiceError ? e : malformed('Syntax errors in policy.');
      }
      if (this.map.size >= this.max) this.map.clear();
      this.map.set(key, hit);
    }
    if (hit instanceof ServiceError) throw hit;
    return hit;
  }
}

export type { Keys };
