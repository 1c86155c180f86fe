// IAM on every call: the gateway's authorize seam asks the evaluator about each (action, resource)
// the call needs. Enforced, a denial is answered in the caller's protocol; in audit mode it is logged.
import type { CallInfo, Principal, Runtime } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { PolicyCache, CompiledPolicy } from './policy/parse.js';
import { denialMessage, evaluate, type EvalRequest, type PolicySet, type Verdict } from './policy/evaluate.js';
import type { Keys } from './policy/wildcard.js';
import { asks, leadingKeys, requestKeys, type Ask } from './actions.js';
import { resolve, type Resolved } from './identity.js';
import type { IamStore } from './store.js';
import { denialCodec, denialDetail } from './denials.js';
import { grantAllows } from './kms-grants.js';
import { objectOwnerRefuses, s3AclGrants } from './s3-acls.js';

/** A resource's own policy and the account that owns the resource. */
interface ResourceSide {
  policy?: CompiledPolicy;
  account: string;
  trust?: boolean;
  tags?: Record<string, string>;
  /** a table's partition key attribute, for dynamodb:LeadingKeys */ hashKey?: string;
  /** the ARN to evaluate when the call named it otherwise (a KMS alias or ciphertext) */ arn?: string;
  alias?: string;
}

const POLICY_WRITES = /^(Put|Delete|Create|Set|Add|Remove|Tag|Untag)/;
const ARN_ACCOUNT = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/;

/** S3 operations that encrypt or decrypt with a KMS key on the caller's behalf. */
const S3_KMS_OPS = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload', 'GetObject']);

/** Operations whose unsigned requests are authorized by what they carry, not by IAM. */
const SELF_AUTHENTICATED = new Set(['s3:PostObject', 'sns:ConfirmSubscription', 'sns:Unsubscribe']);

export class Enforcer {
  /** resolved principals, dropped whenever IAM's state changes */
  private readonly principals = new Map<string, Resolved>();

  constructor(
    private readonly rt: Runtime,
    private readonly store: (account: string) => IamStore,
    private readonly cache: PolicyCache,
  ) {}

  /** resource policies read from their services, until a write to that service may change them */
  private readonly sides = new Map<string, ResourceSide>();

  /** A call that may change resource policies (PutBucketPolicy, SetQueueAttributes, DeleteTopic, …) finished or is starting. */
  serviceWrite(service: string, operation: string): void {
    if (
      (service === 's3' || service === 'sqs' || service === 'sns' || service === 'dynamodb' || service === 'kms' || service === 'lambda') &&
      POLICY_WRITES.test(operation)
    ) {
      for (const k of this.sides.keys()) if (k.startsWith(`${service}|`)) this.sides.delete(k);
    }
  }

  /** IAM's state changed: principals are resolved again. */
  changed(): void {
    this.principals.clear();
  }

  principal(p: Principal): Resolved {
    const key = `${p.accessKeyId ?? ''}|${p.arn}`;
    let r = this.principals.get(key);
    if (!r) {
      if (this.principals.size > 10_000) this.principals.clear();
      r = resolve(p, this.store, this.cache);
      this.principals.set(key, r);
    }
    return r;
  }

  private async resourceSide(call: CallInfo, ask: Ask): Promise<ResourceSide> {
    const input = call.input as Record<string, unknown>;
    const key = `${call.service}|${call.principal.account}|${call.service === 's3' ? String(input.Bucket) : ask.resource}|${typeof input.RoleArn === 'string' ? input.RoleArn : ''}`;
    if (call.service === 'sts') return this.readSide(call, ask); // trust policies: IAM's own state, read directly
    // S3 using a KMS key on the caller's behalf (SSE-KMS): the key's policy decides, as for KMS's own calls
    if (call.service === 's3' && ask.action.startsWith('kms:')) return this.keySide(call, ask);
    // a ciphertext names its key: nothing to cache by
    if (call.service === 'kms' && ask.resource === '*') return this.readSide(call, ask);
    let side = this.sides.get(key);
    if (!side) {
      side = { ...(await this.readSide(call, ask)), tags: await this.readTags(call, ask), ...(await this.readHashKey(call, ask)) };
      if (this.sides.size > 10_000) this.sides.clear();
      this.sides.set(key, side);
    }
    return side;
  }

  private async readSide(call: CallInfo, ask: Ask): Promise<ResourceSide> {
    const own = call.principal.account;
    const where = { account: own, region: call.region };
    const input = call.input as Record<string, unknown>;
    const get = async (service: string, op: string, args: Record<string, unknown>, w = where) => {
      try {
        return await this.rt.invoke(service, op, args, w);
      } catch (e) {
        return e instanceof ServiceError ? e : undefined;
      }
    };
    if (call.service === 's3' && typeof input.Bucket === 'string' && input.Bucket) {
      let r = await get('s3', 'GetBucketPolicy', { Bucket: input.Bucket, ExpectedBucketOwner: own });
      let account = own;
      if (r instanceof ServiceError && r.code === 'AccessDenied') {
        account = 'another';
        r = await get('s3', 'GetBucketPolicy', { Bucket: input.Bucket });
      }
      const text = r && !(r instanceof ServiceError) ? (r.Policy as string | undefined) : undefined;
      return { account, policy: text ? this.compile(text, `bucket policy of ${input.Bucket}`) : undefined };
    }
    if (call.service === 'kms') return this.keySide(call, ask);
    const account = ARN_ACCOUNT.exec(ask.resource)?.[1] ?? own;
    // a role's trust policy is the resource policy of sts:AssumeRole
    if (call.service === 'sts' && typeof input.RoleArn === 'string') {
      const role = this.rt.integrations.iam?.role(input.RoleArn);
      return {
        account,
        trust: true,
        policy: role ? this.compile(role.assumeRolePolicy, `trust policy of ${role.name}`, 'trust') : undefined,
      };
    }
    if (call.service === 'sqs' && ask.resource.startsWith('arn:aws:sqs:')) {
      const [, , , region, acct, name] = ask.resource.split(':');
      const r = await get(
        'sqs',
        'GetQueueAttributes',
        { QueueUrl: `http://sqs/${acct}/${name}`, AttributeNames: ['Policy'] },
        { account: acct, region },
      );
      const text = r && !(r instanceof ServiceError) ? (r.Attributes as Record<string, string> | undefined)?.Policy : undefined;
      return { account, policy: text ? this.compile(text, `queue policy of ${name}`) : undefined };
    }
    // a function's policy (AddPermission): the qualified ARN's, else the unqualified function's
    if (call.service === 'lambda' && ask.resource.includes(':function:') && call.operation !== 'CreateFunction') {
      const [, , , region, acct, , name, qualifier] = ask.resource.split(':');
      const r = await get(
        'lambda',
        'GetPolicy',
        { FunctionName: name, ...(qualifier ? { Qualifier: qualifier } : {}) },
        { account: acct, region },
      );
      const text = r && !(r instanceof ServiceError) ? (r.Policy as string | undefined) : undefined;
      return { account, policy: text ? this.compile(text, `function policy of ${name}`) : undefined };
    }
    if (call.service === 'sns' && ask.resource.startsWith('arn:aws:sns:') && call.operation !== 'CreateTopic') {
      const [, , , region, acct] = ask.resource.split(':');
      const r = await get('sns', 'GetTopicAttributes', { TopicArn: ask.resource }, { account: acct, region });
      const text = r && !(r instanceof ServiceError) ? (r.Attributes as Record<string, string> | undefined)?.Policy : undefined;
      return { account, policy: text ? this.compile(text, `topic policy of ${ask.resource}`) : undefined };
    }
    return { account };
  }

  /**
   * A KMS key's policy, which must allow the call (naming the account delegates to IAM policies,
   * as a trust policy does). An alias resolves to its key; Decrypt without a KeyId to the key its
   * ciphertext names. A key that does not exist leaves the answer to the handler (NotFoundException).
   */
  private async keySide(call: CallInfo, ask: Ask): Promise<ResourceSide> {
    const kms = this.rt.integrations.kms;
    const input = call.input as Record<string, unknown>;
    const own = call.principal.account;
    let ref = ask.resource;
    if (ref === '*' && input.CiphertextBlob instanceof Uint8Array && kms)
      ref = kms.keyOfCiphertext(Buffer.from(input.CiphertextBlob), own, call.region) ?? '*';
    if (ref === '*' || !kms) return { account: own };
    const [, , , region, acct] = ref.split(':');
    const where = { account: acct || own, region: region || call.region };
    let arn: string;
    try {
      arn = kms.describeKey(where.account, where.region, ref).arn;
    } catch {
      return { account: where.account };
    }
    let policy: CompiledPolicy | undefined;
    try {
      const r = (await this.rt.invoke('kms', 'GetKeyPolicy', { KeyId: arn, PolicyName: 'default' }, where)) as { Policy?: string };
      policy = r.Policy ? this.compile(r.Policy, `key policy of ${arn}`) : undefined;
    } catch {
      policy = undefined;
    }
    return { account: where.account, trust: true, policy, arn, ...(ref.includes(':alias/') ? { alias: ref.split(':').pop() } : {}) };
  }

  private testsObjectTags(set: PolicySet | undefined, resource: CompiledPolicy | undefined): boolean {
    const any = (ps: CompiledPolicy[] | undefined) => !!ps?.some((p) => p.objectTags);
    return !!resource?.objectTags || any(set?.identity) || any(set?.boundary) || any(set?.session);
  }

  /** An object's tags (the version's, when one is named), for s3:ExistingObjectTag/*. */
  private async objectTags(call: CallInfo, input: Record<string, unknown>): Promise<{ Key: string; Value: string }[]> {
    try {
      const r = (await this.rt.invoke(
        's3',
        'GetObjectTagging',
        { Bucket: input.Bucket, Key: input.Key, ...(typeof input.VersionId === 'string' ? { VersionId: input.VersionId } : {}) },
        { account: call.principal.account, region: call.region },
      )) as { TagSet?: { Key: string; Value: string }[] };
      return r.TagSet ?? [];
    } catch {
      return [];
    }
  }

  /**
   * SSE-KMS: S3 asks KMS with the caller's permissions, so a write that encrypts under a customer
   * managed key needs kms:GenerateDataKey on it, and a read of such an object kms:Decrypt (with
   * kms:ViaService s3.<region>.amazonaws.com). AWS managed keys (aws/s3) allow every principal of
   * the account through S3, so they ask nothing.
   */
  private async s3KeyAsks(call: CallInfo, input: Record<string, unknown>): Promise<Ask[]> {
    const kms = this.rt.integrations.kms;
    if (!kms || typeof input.Bucket !== 'string') return [];
    const where = { account: call.principal.account, region: call.region };
    let keyId: string | undefined;
    let action = 'kms:GenerateDataKey';
    try {
      if (call.operation === 'GetObject') {
        if (typeof input.Key !== 'string') return [];
        action = 'kms:Decrypt';
        const head = (await this.rt.invoke(
          's3',
          'HeadObject',
          { Bucket: input.Bucket, Key: input.Key, ...(typeof input.VersionId === 'string' ? { VersionId: input.VersionId } : {}) },
          where,
        )) as { ServerSideEncryption?: string; SSEKMSKeyId?: string };
        keyId = head.ServerSideEncryption?.startsWith('aws:kms') ? head.SSEKMSKeyId : undefined;
      } else if (typeof input.ServerSideEncryption === 'string') {
        keyId = input.ServerSideEncryption.startsWith('aws:kms')
          ? typeof input.SSEKMSKeyId === 'string'
            ? input.SSEKMSKeyId
            : undefined
          : undefined;
      } else {
        const enc = (await this.rt.invoke('s3', 'GetBucketEncryption', { Bucket: input.Bucket }, where)) as {
          ServerSideEncryptionConfiguration?: {
            Rules?: { ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string } }[];
          };
        };
        const rule = enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
        keyId = rule?.SSEAlgorithm?.startsWith('aws:kms') ? rule.KMSMasterKeyID : undefined;
      }
      if (!keyId) return [];
      const key = kms.describeKey(where.account, where.region, keyId);
      return key.keyManager === 'AWS' ? [] : [{ action, resource: key.arn }];
    } catch {
      return []; // no such object or key: the handler answers
    }
  }

  /** A table's partition key attribute name (dynamodb:LeadingKeys needs it). */
  private async readHashKey(call: CallInfo, ask: Ask): Promise<{ hashKey?: string }> {
    if (call.service !== 'dynamodb' || !ask.resource.includes(':table/') || call.operation === 'CreateTable') return {};
    const [, , , region, acct] = ask.resource.split(':');
    try {
      const r = (await this.rt.invoke(
        'dynamodb',
        'DescribeTable',
        { TableName: ask.resource.split('/')[1] },
        { account: acct, region },
      )) as { Table?: { KeySchema?: { AttributeName: string; KeyType: string }[] } };
      const hashKey = r.Table?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
      return hashKey ? { hashKey } : {};
    } catch {
      return {};
    }
  }

  /** The resource's tags, for aws:ResourceTag/* (a bucket's, a queue's, a topic's, a table's). */
  private async readTags(call: CallInfo, ask: Ask): Promise<Record<string, string> | undefined> {
    const input = call.input as Record<string, unknown>;
    const [, , , region, acct, rest] = ask.resource.split(':');
    const where = { account: acct || call.principal.account, region: region || call.region };
    const list = (v: unknown) => Object.fromEntries(((v ?? []) as { Key: string; Value: string }[]).map((t) => [t.Key, t.Value]));
    try {
      if (call.service === 's3' && typeof input.Bucket === 'string' && input.Bucket && call.operation !== 'CreateBucket') {
        return list(
          (
            (await this.rt.invoke(
              's3',
              'GetBucketTagging',
              { Bucket: input.Bucket },
              { account: call.principal.account, region: call.region },
            )) as { TagSet?: unknown }
          ).TagSet,
        );
      }
      if (call.service === 'sqs' && ask.resource.startsWith('arn:aws:sqs:') && call.operation !== 'CreateQueue') {
        return (
          (
            (await this.rt.invoke('sqs', 'ListQueueTags', { QueueUrl: `http://sqs/${acct}/${rest}` }, where)) as {
              Tags?: Record<string, string>;
            }
          ).Tags ?? {}
        );
      }
      if (call.service === 'sns' && ask.resource.startsWith('arn:aws:sns:') && call.operation !== 'CreateTopic') {
        return list(
          ((await this.rt.invoke('sns', 'ListTagsForResource', { ResourceArn: ask.resource }, where)) as { Tags?: unknown }).Tags,
        );
      }
      if (call.service === 'dynamodb' && ask.resource.includes(':table/') && call.operation !== 'CreateTable') {
        return list(
          (
            (await this.rt.invoke(
              'dynamodb',
              'ListTagsOfResource',
              { ResourceArn: ask.resource.split('/').slice(0, 2).join('/') },
              where,
            )) as { Tags?: unknown }
          ).Tags,
        );
      }
    } catch {
      /* no such resource (yet): no tags */
    }
    return undefined;
  }

  private compile(text: string, name: string, kind: 'resource' | 'trust' = 'resource'): CompiledPolicy | undefined {
    try {
      return this.cache.get(text, kind, name);
    } catch {
      return undefined; // a resource policy IAM's grammar refuses grants nothing
    }
  }

  /** Decides one call: the first ask that is denied, or undefined when all are allowed. */
  async decide(call: CallInfo): Promise<{ verdict: Verdict; req: EvalRequest } | undefined> {
    const p = call.principal;
    const input = (call.input ?? {}) as Record<string, unknown>;
    const list = asks(call.service, call.operation, input, { account: p.account, region: call.region });
    if (call.service === 's3' && p.kind !== 'anonymous' && S3_KMS_OPS.has(call.operation))
      list.push(...(await this.s3KeyAsks(call, input)));
    const resolved = p.kind === 'anonymous' ? undefined : this.principal(p);
    let keys: Keys | undefined;
    for (const ask of list) {
      // the root in its own account, where the ARN names the account, needs no policy read
      if (
        p.kind === 'root' &&
        (call.service !== 's3' || ask.action.startsWith('kms:')) &&
        (ARN_ACCOUNT.exec(ask.resource)?.[1] ?? p.account) === p.account
      )
        continue;
      if (!keys) {
        keys = {
          ...(resolved?.keys ?? {}),
          'aws:sourceip': call.sourceIp.startsWith('::ffff:') ? call.sourceIp.slice(7) : call.sourceIp,
          'aws:currenttime': call.time.toISOString(),
          'aws:epochtime': String(Math.floor(call.time.getTime() / 1000)),
          'aws:securetransport': String(call.secure),
          'aws:requestedregion': call.region,
          ...(call.userAgent ? { 'aws:useragent': call.userAgent } : {}),
        };
        requestKeys(call.service, input, keys);
      }
      const side = await this.resourceSide(call, ask);
      if (p.kind === 'root' && side.account === p.account && !side.trust) continue;
      let askKeys = keys;
      if (
        call.service === 's3' &&
        typeof input.Key === 'string' &&
        call.operation !== 'PutObject' &&
        this.testsObjectTags(resolved?.set, side.policy)
      ) {
        const tags = await this.objectTags(call, input);
        if (tags.length) {
          askKeys = askKeys === keys ? { ...keys } : askKeys;
          for (const t of tags) askKeys[`s3:existingobjecttag/${t.Key.toLowerCase()}`] = t.Value;
        }
      }
      if (ask.action.startsWith('kms:')) {
        askKeys = askKeys === keys ? { ...keys } : askKeys;
        askKeys['kms:calleraccount'] = p.account;
        if (call.service !== 'kms') askKeys['kms:viaservice'] = `${call.service}.${call.region}.amazonaws.com`;
      }
      const leading = side.hashKey ? leadingKeys(call.operation, input, side.hashKey, ask.resource.split('/')[1]) : undefined;
      if ((side.tags && Object.keys(side.tags).length) || side.alias || leading) {
        askKeys = askKeys === keys ? { ...keys } : askKeys;
        if (leading) askKeys['dynamodb:leadingkeys'] = leading;
        for (const [k, v] of Object.entries(side.tags ?? {})) askKeys[`aws:resourcetag/${k.toLowerCase()}`] = v;
        if (side.alias) askKeys['kms:requestalias'] = side.alias;
      }
      const req: EvalRequest = {
        action: ask.action,
        resource: side.arn ?? ask.resource,
        principal: resolved?.who ?? { kind: 'anonymous', account: p.account, arn: p.arn },
        resourceAccount: side.account,
        keys: askKeys,
      };
      const verdict = evaluate({ ...(resolved?.set ?? { identity: [] }), resource: side.policy, trust: side.trust }, req);
      if (verdict.decision === 'Allow' || (await s3AclGrants(this.rt, call, ask, verdict, req))) continue;
      // a KMS grant naming the caller allows what no policy does (never against an explicit deny)
      if (
        verdict.decision === 'ImplicitDeny' &&
        side.arn &&
        ask.action.startsWith('kms:') &&
        resolved &&
        (await grantAllows(this.rt, side.arn, ask.action, resolved.who, call.service === 'kms' ? input : undefined))
      )
        continue;
      return { verdict, req };
    }
    if (await objectOwnerRefuses(this.rt, call)) {
      const who = resolved?.who ?? { kind: 'anonymous' as const, account: p.account, arn: p.arn };
      // the object's owner is another account than the caller's: S3 answers a plain Access Denied
      const req = {
        action: list[0]?.action ?? `s3:${call.operation}`,
        resource: `arn:aws:s3:::${String(input.Bucket)}/${String(input.Key)}`,
        principal: who,
        resourceAccount: '',
        keys: {},
      };
      return { verdict: { decision: 'ImplicitDeny', policyType: 'resource-based policy' }, req };
    }
    return undefined;
  }

  /** The pipeline's authorizer. */
  async authorize(call: CallInfo): Promise<void> {
    // every identity may ask who it is (AWS needs no permission for it)
    if (call.service === 'sts' && call.operation === 'GetCallerIdentity') return;
    // a web identity or SAML assertion is its own credential: the handler checks it and the trust policy
    if (call.service === 'sts' && (call.operation === 'AssumeRoleWithWebIdentity' || call.operation === 'AssumeRoleWithSAML')) return;
    // a grant, not a policy, says who may retire it: KMS's handler checks (AWS's kms:RetireGrant permission alone allows nothing)
    if (call.service === 'kms' && call.operation === 'RetireGrant') return;
    // unsigned calls that carry their own credential: an S3 POST form (its policy's signature, checked
    // by the handler, which then asks IAM about its signer as a PutObject) and SNS's confirmation and
    // unsubscribe links (the token, or the subscription ARN AWS hands out)
    if (call.principal.kind === 'anonymous' && SELF_AUTHENTICATED.has(`${call.service}:${call.operation}`)) return;
    this.serviceWrite(call.service, call.operation);
    const enforce = this.rt.config.enforceIam;
    // audit mode stays cheap: nothing to do when info lines are not written; the root is not audited
    if (!enforce && (call.principal.kind === 'root' || !this.rt.log.enabled('info'))) return;
    let denied: Awaited<ReturnType<Enforcer['decide']>>;
    try {
      denied = await this.decide(call);
    } catch (e) {
      // a fault of the authorizer itself: logged; enforcement fails closed, audit mode lets the call through
      this.rt.log.error(`iam: authorizing ${call.service}.${call.operation}: ${(e as Error)?.stack ?? e}`);
      if (!enforce) return;
      throw new ServiceError('AccessDenied', 'Access Denied', 403);
    }
    if (!denied) return;
    const { verdict, req } = denied;
    const st = verdict.statement;
    const why = st
      ? `statement ${st.sid ? `"${st.sid}"` : `#${st.index + 1}`} of ${st.policy}`
      : `no statement allows it (${verdict.policyType})`;
    if (!enforce) {
      this.rt.log.info(`iam audit: would deny ${req.action} on ${req.resource} to ${req.principal.arn}: ${verdict.decision}, ${why}`);
      return;
    }
    this.rt.log.info(`iam: denied ${req.action} on ${req.resource} to ${req.principal.arn}: ${verdict.decision}, ${why}`);
    throw denialError(call, verdict, req, (detail) => denialCodec(this.store(call.principal.account).meta).encode(detail));
  }
}

/** A denial in the words of the caller's service and protocol. */
export function denialError(
  call: CallInfo,
  verdict: Verdict,
  req: EvalRequest,
  encode?: (detail: Record<string, unknown>) => string,
): ServiceError {
  if (call.service === 's3') {
    const detailed = call.principal.kind !== 'anonymous' && req.resourceAccount === call.principal.account;
    return new ServiceError('AccessDenied', detailed ? denialMessage(verdict, req, true) : 'Access Denied', 403);
  }
  // STS refuses a role the trust policy does not open to the caller in its classic, shorter words
  const trustRefusal = call.service === 'sts' && verdict.policyType === 'resource-based policy';
  const message = trustRefusal
    ? `User: ${req.principal.arn} is not authorized to perform: ${req.action} on resource: ${req.resource}`
    : denialMessage(verdict, req);
  // EC2 answers UnauthorizedOperation with an encoded message STS DecodeAuthorizationMessage reads back
  if (call.protocol === 'ec2') {
    const encoded = encode?.(
      denialDetail({
        principalId: call.principal.userId,
        principalArn: req.principal.arn,
        action: req.action,
        resource: req.resource,
        explicitDeny: verdict.decision === 'ExplicitDeny',
        conditions: req.keys,
      }),
    );
    return new ServiceError(
      'UnauthorizedOperation',
      `You are not authorized to perform this operation. ${message}.${encoded ? ` Encoded authorization failure message: ${encoded}` : ''}`,
      403,
    );
  }
  if (call.protocol === 'query') return new ServiceError('AccessDenied', message, 403);
  if (call.service === 'sqs') return new ServiceError('AccessDeniedException', message, 403);
  return new ServiceError('AccessDeniedException', message, call.protocol === 'json' ? 400 : 403);
}
