// Rotation of symmetric keys (automatic on the virtual clock, on demand; old ciphertexts still
// decrypt because every material is kept) and multi-Region replicas (ReplicateKey).
import type { KmsProvider } from '../../generated/kms.js';
import { ServiceError, type RequestContext } from '../../kit.js';
import { DAY, materialId, type KeyRecord, type KmsStore } from './store.js';
import { defaultPolicy } from './keys.js';
import { page } from './paging.js';

const MAX_ON_DEMAND = 10;

export function rotationHandlers(store: KmsStore): KmsProvider {
  const rotatable = (ctx: RequestContext, ref: string): KeyRecord => {
    const k = store.resolve(ctx.account, ctx.region, ref);
    if (k.spec !== 'SYMMETRIC_DEFAULT' || k.origin !== 'AWS_KMS' || k.manager === 'AWS') {
      throw new ServiceError('UnsupportedOperationException', `${k.arn} origin is ${k.origin} which is not valid for this operation.`);
    }
    if (k.multiRegion?.type === 'REPLICA')
      throw new ServiceError('UnsupportedOperationException', `${k.arn} is a replica key. Rotate its primary key.`);
    return store.usable(k);
  };
  return {
    EnableKeyRotation: ({ KeyId, RotationPeriodInDays }, ctx) => {
      const days = RotationPeriodInDays ?? 365;
      if (days < 90 || days > 2560) {
        throw new ServiceError(
          'ValidationException',
          `1 validation error detected: Value '${days}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value ${days < 90 ? 'greater than or equal to 90' : 'less than or equal to 2560'}`,
        );
      }
      const k = rotatable(ctx, KeyId);
      k.rotation = { periodDays: days, next: ctx.clock.nowMs() + days * DAY };
      store.save(k);
    },

    DisableKeyRotation: ({ KeyId }, ctx) => {
      const k = rotatable(ctx, KeyId);
      delete k.rotation;
      store.save(k);
    },

    GetKeyRotationStatus: ({ KeyId }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      return {
        KeyRotationEnabled: !!k.rotation,
        KeyId: k.arn,
        ...(k.rotation ? { RotationPeriodInDays: k.rotation.periodDays, NextRotationDate: new Date(k.rotation.next) } : {}),
      };
    },

    RotateKeyOnDemand: ({ KeyId }, ctx) => {
      const k = rotatable(ctx, KeyId);
      if (k.rotations.filter((r) => r.type === 'ON_DEMAND').length >= MAX_ON_DEMAND) {
        throw new ServiceError('LimitExceededException', `${k.arn} has reached the maximum number of on-demand rotations.`);
      }
      const now = ctx.clock.nowMs();
      const m = { id: materialId(), at: now, wrapped: store.rotateFrom(k) };
      k.materials.push(m);
      k.rotations.push({ id: m.id, at: now, type: 'ON_DEMAND' });
      store.save(k);
      return { KeyId: k.arn };
    },

    ListKeyRotations: ({ KeyId, Limit, Marker }, ctx) => {
      const k = store.resolve(ctx.account, ctx.region, KeyId);
      if (k.spec !== 'SYMMETRIC_DEFAULT')
        throw new ServiceError('UnsupportedOperationException', `${k.arn} key spec is ${k.spec} which is not valid for ListKeyRotations.`);
      const { items, next } = page(k.rotations, Limit, Marker);
      return {
        Rotations: items.map((r) => ({ KeyId: k.arn, KeyMaterialId: r.id, RotationDate: new Date(r.at), RotationType: r.type })),
        Truncated: !!next,
        ...(next ? { NextMarker: next } : {}),
      };
    },

    ReplicateKey: ({ KeyId, ReplicaRegion, Policy, Description, Tags }, ctx) => {
      const k = store.notPendingDeletion(store.resolve(ctx.account, ctx.region, KeyId));
      if (k.multiRegion?.type !== 'PRIMARY')
        throw new ServiceError('UnsupportedOperationException', `${k.arn} is not a multi-Region primary key.`);
      if (ReplicaRegion === k.region)
        throw new ServiceError(
          'ValidationException',
          `The replica region ${ReplicaRegion} must be different from the primary key's region.`,
        );
      const arn = store.keyArn(k.account, ReplicaRegion, k.keyId);
      if (store.scope(k.account, ReplicaRegion).keys.get(k.keyId))
        throw new ServiceError('AlreadyExistsException', `Replica key ${arn} already exists.`);
      const replica: KeyRecord = {
        ...structuredClone(k),
        arn,
        region: ReplicaRegion,
        created: ctx.clock.nowMs(),
        description: Description ?? k.description,
        policy: Policy ?? defaultPolicy(k.account),
        tags: Tags ?? [],
        rotation: undefined,
        deletion: undefined,
        multiRegion: { type: 'REPLICA', primary: k.arn, replicas: [] },
      };
      store.save(replica);
      k.multiRegion.replicas.push(arn);
      store.save(k);
      return { ReplicaKeyMetadata: store.metadata(replica), ReplicaPolicy: replica.policy, ReplicaTags: replica.tags };
    },
  };
}
