// Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant. Grant tokens
// are accepted wherever the API takes them (a grant is usable at once, as with a token). Under
// enforcement IAM's authorizer reads the grants (ListGrants) as an allow path of their own.
import { randomBytes } from 'node:crypto';
import type { KmsProvider, GrantListEntry } from '../../generated/kms.js';
import { ServiceError, type Principal } from '../../kit.js';
import type { GrantRecord, KmsStore } from './store.js';
import { page } from './paging.js';

const SYMMETRIC_OPS = [
  'Decrypt',
  'Encrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'ReEncryptFrom',
  'ReEncryptTo',
  'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext',
];
const COMMON_OPS = ['CreateGrant', 'RetireGrant', 'DescribeKey'];

/** Whether a grant's principal names the caller: itself, or the role of a role session. */
function names(principal: string | undefined, p: Principal): boolean {
  if (!principal) return false;
  if (principal === p.arn || principal === p.session?.roleArn) return true;
  const m = /^arn:aws[a-z-]*:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(p.arn);
  return !!m && principal === `arn:aws:iam::${m[1]}:role/${m[2]}`;
}

/**
 * RetireGrant is authorized by the grant, not by policies: its retiring principal, its grantee when
 * it grants RetireGrant, and the account that created it may retire it (checked under enforcement).
 */
function mayRetire(store: KmsStore, g: GrantRecord, keyArn: string, p: Principal): void {
  if (!store.rt.config.enforceIam) return;
  if (
    names(g.retiring, p) ||
    (g.operations.includes('RetireGrant') && names(g.grantee, p)) ||
    g.issuer === `arn:aws:iam::${p.account}:root`
  )
    return;
  throw new ServiceError('AccessDeniedException', `User: ${p.arn} is not authorized to perform: kms:RetireGrant on resource: ${keyArn}`);
}

export function grantHandlers(store: KmsStore): KmsProvider {
  const entry = (g: GrantRecord, arn: string): GrantListEntry => ({
    KeyId: arn,
    GrantId: g.grantId,
    ...(g.name ? { Name: g.name } : {}),
    CreationDate: new Date(g.created),
    GranteePrincipal: g.grantee,
    ...(g.retiring ? { RetiringPrincipal: g.retiring } : {}),
    IssuingAccount: g.issuer,
    Operations: g.operations as GrantListEntry['Operations'],
    ...(g.constraints ? { Constraints: g.constraints } : {}),
  });
  const grantsOf = (account: string, region: string) =>
    [...store.scope(account, region).grants.scan({})].map(([, g]) => g).sort((a, b) => a.created - b.created);
  return {
    CreateGrant: (i, ctx) => {
      const k = store.notPendingDeletion(store.resolve(ctx.account, ctx.region, i.KeyId));
      if (!i.Operations?.length)
        throw new ServiceError(
          'ValidationException',
          "1 validation error detected: Value null at 'operations' failed to satisfy constraint: Member must not be null",
        );
      const allowed =
        k.usage === 'ENCRYPT_DECRYPT'
          ? k.spec === 'SYMMETRIC_DEFAULT'
            ? SYMMETRIC_OPS
            : ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey']
          : k.usage === 'SIGN_VERIFY'
            ? ['Sign', 'Verify', 'GetPublicKey']
            : ['GenerateMac', 'VerifyMac'];
      const bad = i.Operations.find((o) => !allowed.includes(o) && !COMMON_OPS.includes(o));
      if (bad)
        throw new ServiceError(
          'ValidationException',
          `Grant operation ${bad} is not valid for a key with KeySpec ${k.spec} and KeyUsage ${k.usage}.`,
        );
      // the same request with the same name gives back the same grant
      const same =
        i.Name &&
        grantsOf(k.account, k.region).find(
          (g) =>
            g.keyId === k.keyId &&
            g.name === i.Name &&
            g.grantee === i.GranteePrincipal &&
            JSON.stringify(g.operations) === JSON.stringify(i.Operations),
        );
      if (same) return { GrantId: same.grantId, GrantToken: same.token };
      const g: GrantRecord = {
        grantId: randomBytes(32).toString('hex'),
        token: randomBytes(96).toString('base64url'),
        keyId: k.keyId,
        name: i.Name,
        created: ctx.clock.nowMs(),
        grantee: i.GranteePrincipal,
        retiring: i.RetiringPrincipal,
        issuer: `arn:aws:iam::${ctx.account}:root`,
        operations: i.Operations,
        constraints: i.Constraints,
      };
      store.saveGrant(k.account, k.region, g);
      return { GrantId: g.grantId, GrantToken: g.token };
    },

    ListGrants: ({ KeyId, GrantId, GranteePrincipal, Limit, Marker }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      const all = grantsOf(k.account, k.region).filter(
        (g) => g.keyId === k.keyId && (!GrantId || g.grantId === GrantId) && (!GranteePrincipal || g.grantee === GranteePrincipal),
      );
      const { items, next } = page(all, Limit, Marker);
      return { Grants: items.map((g) => entry(g, k.arn)), Truncated: !!next, ...(next ? { NextMarker: next } : {}) };
    },

    // grants on keys of other accounts too (AWS lists them): found through the token index, in the caller's region
    ListRetirableGrants: ({ RetiringPrincipal, Limit, Marker }, ctx) => {
      const all = new Map(
        grantsOf(ctx.account, ctx.region).map((g) => [g.grantId, { g, arn: store.keyArn(ctx.account, ctx.region, g.keyId) }]),
      );
      for (const [, home] of [...store.stores.system().tokens.scan({})]) {
        const [acc, reg, id] = home.split('/');
        const g = reg === ctx.region && acc !== ctx.account ? store.scope(acc, reg).grants.get(id) : undefined;
        if (g) all.set(g.grantId, { g, arn: store.keyArn(acc, reg, g.keyId) });
      }
      const mine = [...all.values()].filter(({ g }) => g.retiring === RetiringPrincipal).sort((a, b) => a.g.created - b.g.created);
      const { items, next } = page(mine, Limit, Marker);
      return { Grants: items.map(({ g, arn }) => entry(g, arn)), Truncated: !!next, ...(next ? { NextMarker: next } : {}) };
    },

    RetireGrant: ({ GrantToken, KeyId, GrantId }, ctx) => {
      if (GrantToken !== undefined) {
        const found = store.grantByToken(GrantToken, ctx.account, ctx.region);
        if (!found) throw new ServiceError('InvalidGrantTokenException', 'Invalid grant token.');
        mayRetire(store, found.grant, store.keyArn(found.account, found.region, found.grant.keyId), ctx.principal);
        store.dropGrant(found.account, found.region, found.grant);
        return;
      }
      if (!KeyId || !GrantId)
        throw new ServiceError('ValidationException', 'Either GrantToken or both KeyId and GrantId must be specified.');
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      const g = store.scope(k.account, k.region).grants.get(GrantId);
      if (!g || g.keyId !== k.keyId) throw new ServiceError('NotFoundException', `Grant ID ${GrantId} not found`);
      mayRetire(store, g, k.arn, ctx.principal);
      store.dropGrant(k.account, k.region, g);
    },

    RevokeGrant: ({ KeyId, GrantId }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      const g = store.scope(k.account, k.region).grants.get(GrantId);
      if (!g || g.keyId !== k.keyId) throw new ServiceError('NotFoundException', `Grant ID ${GrantId} not found`);
      store.dropGrant(k.account, k.region, g);
    },
  };
}
