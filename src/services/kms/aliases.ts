// Aliases: friendly names for keys. `alias/aws/*` belongs to AWS managed keys.
import type { KmsProvider } from '../../generated/kms.js';
import { ServiceError, type RequestContext } from '../../kit.js';
import type { KmsStore, KeyRecord } from './store.js';
import { page } from './paging.js';

const NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

function checkName(name: string): void {
  if (!NAME.test(name)) {
    throw new ServiceError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$`,
    );
  }
  if (name.startsWith('alias/aws/'))
    throw new ServiceError('InvalidAliasNameException', `Alias names starting with 'alias/aws/' are reserved for AWS managed keys.`);
}

export function aliasHandlers(store: KmsStore): KmsProvider {
  const aliasArn = (ctx: RequestContext, name: string) => `arn:aws:kms:${ctx.region}:${ctx.account}:${name}`;
  /** the target of an alias: a customer managed key given by id or ARN, not by another alias */
  const target = (ctx: RequestContext, ref: string): KeyRecord => {
    if (ref.startsWith('alias/') || ref.includes(':alias/'))
      throw new ServiceError('ValidationException', 'Aliases must refer to keys. Not aliases');
    const k = store.resolve(ctx.account, ctx.region, ref);
    if (k.manager === 'AWS') throw new ServiceError('NotAuthorizedException', `${k.arn} is an AWS managed key.`);
    return store.notPendingDeletion(k);
  };
  return {
    CreateAlias: ({ AliasName, TargetKeyId }, ctx) => {
      checkName(AliasName);
      const s = store.scope(ctx.account, ctx.region);
      const existing = s.aliases.get(AliasName);
      if (existing && store.byId(existing.keyId, ctx.account, ctx.region)) {
        throw new ServiceError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx, AliasName)} already exists`);
      }
      const k = target(ctx, TargetKeyId);
      const now = ctx.clock.nowMs();
      s.aliases.put(AliasName, { name: AliasName, keyId: k.keyId, created: now, updated: now });
    },

    UpdateAlias: ({ AliasName, TargetKeyId }, ctx) => {
      checkName(AliasName);
      const s = store.scope(ctx.account, ctx.region);
      const a = s.aliases.get(AliasName);
      const old = a && store.byId(a.keyId, ctx.account, ctx.region);
      if (!a || !old) throw new ServiceError('NotFoundException', `Alias ${aliasArn(ctx, AliasName)} is not found.`);
      const k = target(ctx, TargetKeyId);
      if (k.usage !== old.usage || (k.spec === 'SYMMETRIC_DEFAULT') !== (old.spec === 'SYMMETRIC_DEFAULT')) {
        throw new ServiceError(
          'ValidationException',
          `${k.arn} is not compatible with the key the alias ${AliasName} refers to: the key type and key usage must be the same.`,
        );
      }
      s.aliases.put(AliasName, { ...a, keyId: k.keyId, updated: ctx.clock.nowMs() });
    },

    DeleteAlias: ({ AliasName }, ctx) => {
      if (AliasName.startsWith('alias/aws/'))
        throw new ServiceError('NotAuthorizedException', `Alias names starting with 'alias/aws/' are reserved for AWS managed keys.`);
      const s = store.scope(ctx.account, ctx.region);
      if (!s.aliases.get(AliasName)) throw new ServiceError('NotFoundException', `Alias ${aliasArn(ctx, AliasName)} is not found.`);
      s.aliases.delete(AliasName);
    },

    ListAliases: ({ KeyId, Limit, Marker }, ctx) => {
      const only = KeyId === undefined ? undefined : store.resolve(ctx.account, ctx.region, KeyId).keyId;
      const all = [...store.scope(ctx.account, ctx.region).aliases.scan({})]
        .map(([, a]) => a)
        .filter((a) => (only === undefined || a.keyId === only) && store.byId(a.keyId, ctx.account, ctx.region));
      const { items, next } = page(all, Limit, Marker);
      return {
        Aliases: items.map((a) => ({
          AliasName: a.name,
          AliasArn: aliasArn(ctx, a.name),
          TargetKeyId: a.keyId,
          CreationDate: new Date(a.created),
          LastUpdatedDate: new Date(a.updated),
        })),
        Truncated: !!next,
        ...(next ? { NextMarker: next } : {}),
      };
    },
  };
}
