// Log groups: create, delete, describe (prefix or pattern, class, paging), retention, KMS key, tags
// (the old TagLogGroup family and TagResource by ARN).
import { randomUUID } from 'node:crypto';
import { ServiceError, type Runtime, type Stores, type RequestContext } from '../../kit.js';
import type { LogsProvider, LogGroup } from '../../generated/logs.js';
import type { GroupRecord, LogsStore } from './store.js';
import { checkLimit, decodeToken, encodeToken, group, groupArn, groupNameOf, invalidParameter, parseGroupArn } from './common.js';

export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const CLASSES = ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'];

export function describeGroup(g: GroupRecord, ctx: { region: string; account: string }): LogGroup {
  const arn = groupArn(ctx.region, ctx.account, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.created,
    retentionInDays: g.retentionInDays,
    metricFilterCount: g.metricFilterCount ?? 0,
    arn: `${arn}:*`,
    storedBytes: g.storedBytes,
    kmsKeyId: g.kmsKeyId,
    logGroupClass: g.logGroupClass as LogGroup['logGroupClass'],
    logGroupArn: arn,
    deletionProtectionEnabled: g.deletionProtection ?? false,
  };
}

export function newGroup(name: string, now: number, extra: Partial<GroupRecord> = {}): GroupRecord {
  return { name, created: now, logGroupClass: 'STANDARD', tags: {}, storedBytes: 0, seq: 0, incarnation: randomUUID(), ...extra };
}

/** Everything a group owns goes with it: streams, events, metric and subscription filters. */
export function dropGroup(store: LogsStore, g: GroupRecord): void {
  store.streams(g).clear();
  store.byTime(g).clear();
  store.byStream(g).clear();
  store.metricFilters.clear(g.name + '\u0000');
  store.subscriptions.clear(g.name + '\u0000');
  store.groups.delete(g.name);
}

function checkRetention(days: number | undefined): void {
  if (days === undefined || !RETENTION_DAYS.includes(days)) {
    throw invalidParameter(
      `1 validation error detected: Value '${days ?? 'null'}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
    );
  }
}

function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > 50) throw invalidParameter('A resource can have no more than 50 tags.');
  if (Object.keys(tags).some((k) => k.startsWith('aws:')))
    throw invalidParameter('Tag keys prefixed with aws: are reserved for use by AWS.');
}

function kmsKey(rt: Runtime, ctx: RequestContext, keyId: string | undefined): string | undefined {
  if (keyId === undefined) return undefined;
  const kms = rt.integrations.kms;
  if (!kms) return keyId;
  try {
    return kms.describeKey(ctx.account, ctx.region, keyId).arn;
  } catch {
    throw invalidParameter(`Specified KMS key ${keyId} does not exist.`);
  }
}

export function groupHandlers(rt: Runtime, stores: Stores<LogsStore>): LogsProvider {
  const st = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const tx = <R>(fn: () => R) => rt.engine.transaction(fn);

  /** the group a resource ARN names (TagResource and friends) */
  function byArn(ctx: RequestContext, arn: string): GroupRecord {
    const p = parseGroupArn(arn);
    const g = p && p.account === ctx.account && p.region === ctx.region ? st(ctx).groups.get(p.name) : undefined;
    if (!g) throw new ServiceError('ResourceNotFoundException', `The specified resource does not exist.`, 400);
    return g;
  }

  return {
    CreateLogGroup: (input, ctx) => {
      const store = st(ctx);
      if (!GROUP_NAME.test(input.logGroupName)) {
        throw invalidParameter(
          `1 validation error detected: Value '${input.logGroupName}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
        );
      }
      if (input.logGroupClass !== undefined && !CLASSES.includes(input.logGroupClass)) {
        throw invalidParameter(
          `1 validation error detected: Value '${input.logGroupClass}' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [${CLASSES.join(', ')}]`,
        );
      }
      if (store.groups.has(input.logGroupName)) {
        throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists', 400);
      }
      const tags = input.tags ?? {};
      checkTags(tags);
      const kmsKeyId = kmsKey(rt, ctx, input.kmsKeyId);
      store.groups.put(
        input.logGroupName,
        newGroup(input.logGroupName, ctx.clock.nowMs(), {
          kmsKeyId,
          tags,
          logGroupClass: input.logGroupClass ?? 'STANDARD',
          deletionProtection: input.deletionProtectionEnabled,
        }),
      );
      return undefined;
    },

    DeleteLogGroup: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      if (g.deletionProtection) throw new ServiceError('OperationAbortedException', 'Log group deletion protection is enabled.', 400);
      tx(() => dropGroup(store, g));
      return undefined;
    },

    DescribeLogGroups: (input, ctx) => {
      const store = st(ctx);
      if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
        throw invalidParameter('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      const limit = checkLimit(input.limit, 50, 50);
      const after = decodeToken<string>(input.nextToken);
      const pattern = input.logGroupNamePattern?.toLowerCase();
      const wanted = input.logGroupIdentifiers?.map((id) => groupNameOf({ logGroupIdentifier: id }));
      const out: LogGroup[] = [];
      let last: string | undefined;
      let more = false;
      for (const [name, g] of store.groups.scan({ prefix: input.logGroupNamePrefix, after })) {
        if (pattern !== undefined && !name.toLowerCase().includes(pattern)) continue;
        if (input.logGroupClass !== undefined && g.logGroupClass !== input.logGroupClass) continue;
        if (wanted && !wanted.includes(name)) continue;
        if (out.length === limit) {
          more = true;
          break;
        }
        out.push(describeGroup(g, ctx));
        last = name;
      }
      return { logGroups: out, nextToken: more ? encodeToken(last) : undefined };
    },

    PutRetentionPolicy: (input, ctx) => {
      checkRetention(input.retentionInDays);
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      store.groups.put(g.name, { ...g, retentionInDays: input.retentionInDays });
      return undefined;
    },

    DeleteRetentionPolicy: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      store.groups.put(g.name, { ...g, retentionInDays: undefined });
      return undefined;
    },

    AssociateKmsKey: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, groupNameOf(input));
      store.groups.put(g.name, { ...g, kmsKeyId: kmsKey(rt, ctx, input.kmsKeyId) });
      return undefined;
    },

    DisassociateKmsKey: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, groupNameOf(input));
      store.groups.put(g.name, { ...g, kmsKeyId: undefined });
      return undefined;
    },

    PutLogGroupDeletionProtection: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, groupNameOf({ logGroupIdentifier: input.logGroupIdentifier }));
      store.groups.put(g.name, { ...g, deletionProtection: input.deletionProtectionEnabled });
      return undefined;
    },

    TagLogGroup: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      const tags = { ...g.tags, ...input.tags };
      checkTags(tags);
      store.groups.put(g.name, { ...g, tags });
      return undefined;
    },

    UntagLogGroup: (input, ctx) => {
      const store = st(ctx);
      const g = group(store, input.logGroupName);
      const tags = { ...g.tags };
      for (const k of input.tags) delete tags[k];
      store.groups.put(g.name, { ...g, tags });
      return undefined;
    },

    ListTagsLogGroup: (input, ctx) => ({ tags: group(st(ctx), input.logGroupName).tags }),

    TagResource: (input, ctx) => {
      const g = byArn(ctx, input.resourceArn);
      const tags = { ...g.tags, ...input.tags };
      checkTags(tags);
      st(ctx).groups.put(g.name, { ...g, tags });
      return undefined;
    },

    UntagResource: (input, ctx) => {
      const g = byArn(ctx, input.resourceArn);
      const tags = { ...g.tags };
      for (const k of input.tagKeys) delete tags[k];
      st(ctx).groups.put(g.name, { ...g, tags });
      return undefined;
    },

    ListTagsForResource: (input, ctx) => ({ tags: byArn(ctx, input.resourceArn).tags }),
  };
}
