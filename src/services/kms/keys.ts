// Key lifecycle: CreateKey, DescribeKey, ListKeys, Enable/Disable, deletion on the virtual clock,
// descriptions, key policies and tags; and the AWS managed keys other services create on first use.
import { randomBytes } from 'node:crypto';
import type { KmsProvider, KeySpec, Tag } from '../../generated/kms.js';
import { ServiceError, type RequestContext } from '../../kit.js';
import { DAY, materialId, type KeyRecord, type KmsStore } from './store.js';
import { checkSpec, newMaterial } from './specs.js';
import { page } from './paging.js';

/** A policy document as KMS prints it ("Key" : value, two-space indents). */
const pretty = (doc: unknown) => JSON.stringify(doc, null, 2).replace(/": /g, '" : ');

export function defaultPolicy(account: string): string {
  return pretty({
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  });
}

function managedPolicy(account: string, region: string, service: string): string {
  return pretty({
    Version: '2012-10-17',
    Id: `auto-${service}-2`,
    Statement: [
      {
        Sid: `Allow access through ${service.toUpperCase()} for all principals in the account that are authorized to use ${service.toUpperCase()}`,
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        Resource: '*',
        Condition: { StringEquals: { 'kms:ViaService': `${service}.${region}.amazonaws.com`, 'kms:CallerAccount': account } },
      },
      {
        Sid: 'Allow direct access to key metadata to the account',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        Resource: '*',
      },
    ],
  });
}

function validatePolicy(policy: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw new ServiceError(
      'MalformedPolicyDocumentException',
      'The new key policy will not allow you to update the key policy in the future.',
    );
  }
  if (!doc || typeof doc !== 'object' || !('Statement' in doc))
    throw new ServiceError('MalformedPolicyDocumentException', 'Policy contains a statement with no principal.');
}

function checkTags(tags: Tag[] | undefined): void {
  for (const t of tags ?? []) {
    if (t.TagKey.startsWith('aws:')) throw new ServiceError('TagException', 'Tags beginning with aws: are reserved');
  }
}

function mergeTags(old: Tag[], add: Tag[]): Tag[] {
  const m = new Map(old.map((t) => [t.TagKey, t.TagValue]));
  for (const t of add) m.set(t.TagKey, t.TagValue);
  return [...m].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

export async function createKeyRecord(
  store: KmsStore,
  account: string,
  region: string,
  now: number,
  opts: {
    spec: KeySpec;
    usage?: KeyRecord['usage'];
    description?: string;
    policy?: string;
    tags?: Tag[];
    origin?: KeyRecord['origin'];
    multiRegion?: boolean;
    manager?: 'AWS' | 'CUSTOMER';
  },
): Promise<KeyRecord> {
  const usage = checkSpec(opts.spec, opts.usage);
  const origin = opts.origin ?? 'AWS_KMS';
  if (origin === 'EXTERNAL' && opts.spec !== 'SYMMETRIC_DEFAULT')
    throw new ServiceError('UnsupportedOperationException', 'Nimbus imports key material for SYMMETRIC_DEFAULT keys only.');
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL')
    throw new ServiceError('UnsupportedOperationException', `Origin ${origin} is not supported by Nimbus.`);
  const keyId = store.newKeyId(!!opts.multiRegion);
  const arn = store.keyArn(account, region, keyId);
  const k: KeyRecord = {
    keyId,
    arn,
    account,
    region,
    created: now,
    description: opts.description ?? '',
    usage,
    spec: opts.spec,
    origin,
    manager: opts.manager ?? 'CUSTOMER',
    enabled: origin !== 'EXTERNAL',
    policy: opts.policy ?? defaultPolicy(account),
    tags: opts.tags ?? [],
    materials: origin === 'EXTERNAL' ? [] : [{ id: materialId(), at: now, wrapped: store.master.wrap(await newMaterial(opts.spec)) }],
    rotations: [],
    ...(origin === 'EXTERNAL' ? { pendingImport: true } : {}),
    ...(opts.multiRegion ? { multiRegion: { type: 'PRIMARY' as const, primary: arn, replicas: [] } } : {}),
  };
  store.save(k);
  return k;
}

/** The AWS managed key of a service (`alias/aws/s3`), made on first use; its record. */
export function awsManagedKey(store: KmsStore, account: string, region: string, service: string): KeyRecord {
  const s = store.scope(account, region);
  const name = `alias/aws/${service}`;
  const a = s.aliases.get(name);
  const existing = a && store.byId(a.keyId, account, region);
  if (existing) return existing;
  const now = store.rt.clock.nowMs();
  const keyId = store.newKeyId(false);
  const k: KeyRecord = {
    keyId,
    arn: store.keyArn(account, region, keyId),
    account,
    region,
    created: now,
    description: `Default key that protects my ${service.toUpperCase()} data when no other key is defined`,
    usage: 'ENCRYPT_DECRYPT',
    spec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    manager: 'AWS',
    enabled: true,
    policy: managedPolicy(account, region, service),
    tags: [],
    materials: [{ id: materialId(), at: now, wrapped: store.master.wrap(randomBytes(32)) }],
    rotation: { periodDays: 365, next: now + 365 * DAY },
    rotations: [],
  };
  store.save(k);
  s.aliases.put(name, { name, keyId, created: now, updated: now });
  return k;
}

function customerKey(store: KmsStore, k: KeyRecord): KeyRecord {
  if (k.manager === 'AWS')
    throw new ServiceError('UnsupportedOperationException', `${k.arn} is an AWS managed key. You cannot change its state, policy or tags.`);
  return k;
}

export function keyHandlers(store: KmsStore): KmsProvider {
  const key = (ref: string, ctx: RequestContext) => store.resolve(ctx.account, ctx.region, ref);
  return {
    CreateKey: async (input, ctx) => {
      if (input.Policy) validatePolicy(input.Policy);
      checkTags(input.Tags);
      if (input.CustomKeyStoreId) throw new ServiceError('UnsupportedOperationException', 'Custom key stores are not supported by Nimbus.');
      const k = await createKeyRecord(store, ctx.account, ctx.region, ctx.clock.nowMs(), {
        spec: input.KeySpec ?? (input.CustomerMasterKeySpec as KeySpec | undefined) ?? 'SYMMETRIC_DEFAULT',
        usage: input.KeyUsage,
        description: input.Description,
        policy: input.Policy,
        tags: input.Tags,
        origin: input.Origin,
        multiRegion: input.MultiRegion,
      });
      return { KeyMetadata: store.metadata(k) };
    },

    DescribeKey: ({ KeyId }, ctx) => {
      // the predefined alias of an AWS managed key not made yet: KMS makes the key now
      const managed = /^alias\/aws\/([a-z0-9-]+)$/.exec(KeyId);
      if (managed && !store.scope(ctx.account, ctx.region).aliases.get(KeyId))
        return { KeyMetadata: store.metadata(awsManagedKey(store, ctx.account, ctx.region, managed[1])) };
      return { KeyMetadata: store.metadata(key(KeyId, ctx)) };
    },

    ListKeys: ({ Limit, Marker }, ctx) => {
      const { items, next } = page(store.list(ctx.account, ctx.region), Limit, Marker);
      return { Keys: items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), Truncated: !!next, ...(next ? { NextMarker: next } : {}) };
    },

    EnableKey: ({ KeyId }, ctx) => {
      const k = store.notPendingDeletion(customerKey(store, key(KeyId, ctx)));
      if (k.pendingImport) throw new ServiceError('KMSInvalidStateException', `${k.arn} is pending import.`);
      k.enabled = true;
      store.save(k);
    },

    DisableKey: ({ KeyId }, ctx) => {
      const k = store.notPendingDeletion(customerKey(store, key(KeyId, ctx)));
      if (k.pendingImport) throw new ServiceError('KMSInvalidStateException', `${k.arn} is pending import.`);
      k.enabled = false;
      store.save(k);
    },

    ScheduleKeyDeletion: ({ KeyId, PendingWindowInDays }, ctx) => {
      const days = PendingWindowInDays ?? 30;
      if (days < 7 || days > 30) {
        throw new ServiceError(
          'ValidationException',
          `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${days < 7 ? 'greater than or equal to 7' : 'less than or equal to 30'}`,
        );
      }
      const k = customerKey(store, key(KeyId, ctx));
      if (k.deletion) throw new ServiceError('KMSInvalidStateException', `${k.arn} is pending deletion.`);
      k.deletion = { at: ctx.clock.nowMs() + days * DAY, days };
      store.save(k);
      return { KeyId: k.arn, DeletionDate: new Date(k.deletion.at), KeyState: 'PendingDeletion', PendingWindowInDays: days };
    },

    CancelKeyDeletion: ({ KeyId }, ctx) => {
      const k = key(KeyId, ctx);
      if (!k.deletion) throw new ServiceError('KMSInvalidStateException', `${k.arn} is not pending deletion.`);
      delete k.deletion;
      k.enabled = false; // AWS leaves a key whose deletion was cancelled Disabled
      store.save(k);
      return { KeyId: k.arn };
    },

    UpdateKeyDescription: ({ KeyId, Description }, ctx) => {
      const k = store.notPendingDeletion(customerKey(store, key(KeyId, ctx)));
      k.description = Description;
      store.save(k);
    },

    GetKeyPolicy: ({ KeyId, PolicyName }, ctx) => {
      const k = key(KeyId, ctx);
      if ((PolicyName ?? 'default') !== 'default') throw new ServiceError('NotFoundException', 'No such policy exists');
      return { Policy: k.policy, PolicyName: 'default' };
    },

    PutKeyPolicy: ({ KeyId, PolicyName, Policy }, ctx) => {
      const k = store.notPendingDeletion(customerKey(store, key(KeyId, ctx)));
      if ((PolicyName ?? 'default') !== 'default') throw new ServiceError('NotFoundException', 'No such policy exists');
      validatePolicy(Policy);
      k.policy = Policy;
      store.save(k);
    },

    ListKeyPolicies: ({ KeyId }, ctx) => {
      key(KeyId, ctx);
      return { PolicyNames: ['default'], Truncated: false };
    },

    TagResource: ({ KeyId, Tags }, ctx) => {
      checkTags(Tags);
      const k = store.notPendingDeletion(customerKey(store, key(KeyId, ctx)));
      k.tags = mergeTags(k.tags, Tags);
      if (k.tags.length > 50) throw new ServiceError('LimitExceededException', 'Tag limit exceeded');
      store.save(k);
    },

    UntagResource: ({ KeyId, TagKeys }, ctx) => {
      const k = store.notPendingDeletion(customerKey(store, key(KeyId, ctx)));
      k.tags = k.tags.filter((t) => !TagKeys.includes(t.TagKey));
      store.save(k);
    },

    ListResourceTags: ({ KeyId, Limit, Marker }, ctx) => {
      const { items, next } = page(key(KeyId, ctx).tags, Limit, Marker);
      return { Tags: items, Truncated: !!next, ...(next ? { NextMarker: next } : {}) };
    },
  };
}
