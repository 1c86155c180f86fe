// KMS grants as an allow path of their own: a grant lets its grantee perform the granted operations
// on its key without a key-policy or IAM statement, across accounts too (an explicit deny still wins).
// Encryption-context constraints apply to the operations that take a context: keys compared without
// case, values with case, as KMS does.
import type { Runtime } from '../../kit.js';
import type { RequestPrincipal } from './policy/evaluate.js';

type Context = Record<string, string>;
interface Grant {
  GranteePrincipal?: string;
  Operations?: string[];
  Constraints?: { EncryptionContextSubset?: Context; EncryptionContextEquals?: Context };
}

/** The request field that carries an operation's encryption context. */
const CONTEXT_FIELD: Record<string, string> = {
  Encrypt: 'EncryptionContext',
  Decrypt: 'EncryptionContext',
  GenerateDataKey: 'EncryptionContext',
  GenerateDataKeyWithoutPlaintext: 'EncryptionContext',
  GenerateDataKeyPair: 'EncryptionContext',
  GenerateDataKeyPairWithoutPlaintext: 'EncryptionContext',
  ReEncryptFrom: 'SourceEncryptionContext',
  ReEncryptTo: 'DestinationEncryptionContext',
};

const lowered = (c: Context | undefined) => new Map(Object.entries(c ?? {}).map(([k, v]) => [k.toLowerCase(), v]));

/** Whether a request's context satisfies a grant's constraints. */
export function contextSatisfies(constraints: Grant['Constraints'], context: Context | undefined): boolean {
  if (!constraints?.EncryptionContextEquals && !constraints?.EncryptionContextSubset) return true;
  const have = lowered(context);
  const contains = (want: Context) => [...lowered(want)].every(([k, v]) => have.get(k) === v);
  if (constraints.EncryptionContextEquals) {
    if (!contains(constraints.EncryptionContextEquals) || have.size !== lowered(constraints.EncryptionContextEquals).size) return false;
  }
  return !constraints.EncryptionContextSubset || contains(constraints.EncryptionContextSubset);
}

/**
 * A grant passed on by CreateGrant must be at least as strict as the grant that allowed it: the new
 * grant's constraint must hold every pair the allowing grant requires (an Equals stays an Equals).
 */
function asStrict(constraints: Grant['Constraints'], requested: Grant['Constraints'] | undefined): boolean {
  if (!constraints?.EncryptionContextEquals && !constraints?.EncryptionContextSubset) return true;
  if (constraints.EncryptionContextEquals)
    return !!requested?.EncryptionContextEquals && contextSatisfies(constraints, requested.EncryptionContextEquals);
  return contextSatisfies(constraints, requested?.EncryptionContextEquals ?? requested?.EncryptionContextSubset);
}

const names = (grantee: string | undefined, p: RequestPrincipal) => !!grantee && (grantee === p.arn || grantee === p.roleArn);

/** Whether a grant on the key allows the caller this KMS action with this request. */
export async function grantAllows(
  rt: Runtime,
  keyArn: string,
  action: string,
  p: RequestPrincipal,
  input: Record<string, unknown> | undefined,
): Promise<boolean> {
  const op = action.slice('kms:'.length);
  const [, , , region, account] = keyArn.split(':');
  let marker: string | undefined;
  do {
    let page: { Grants?: Grant[]; NextMarker?: string };
    try {
      page = (await rt.invoke(
        'kms',
        'ListGrants',
        { KeyId: keyArn, Limit: 100, ...(marker ? { Marker: marker } : {}) },
        { account, region },
      )) as typeof page;
    } catch {
      return false;
    }
    for (const g of page.Grants ?? []) {
      if (!names(g.GranteePrincipal, p) || !g.Operations?.includes(op)) continue;
      if (
        op === 'CreateGrant'
          ? asStrict(g.Constraints, input?.Constraints as Grant['Constraints'])
          : // a call through another service (S3 SSE-KMS) brings no KMS request whose context could meet a constraint
            !(op in CONTEXT_FIELD) || contextSatisfies(g.Constraints, input?.[CONTEXT_FIELD[op]] as Context | undefined)
      )
        return true;
    }
    marker = page.NextMarker;
  } while (marker);
  return false;
}
