// Bucket operations: create, head, delete, list, location, versioning, and the stored subresource
// configurations (CORS, policy, ACL, public access block, encryption, lifecycle, notifications,
// object lock, ownership controls, website, tagging, logging, replication, accelerate, request payment).
import type { Runtime } from '../../runtime.js';
import type {
  S3Provider,
  Bucket,
  NotificationConfiguration,
  ObjectLockConfiguration,
  AccessControlPolicy,
  ReplicationConfiguration,
  GetBucketLoggingOutput,
} from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import { s3BucketUrl } from '../../kit.js';
import { checkLifecycleRules, checkLockConfiguration, versioningStatus } from './config-checks.js';
import { S3Store, type BucketRecord } from './store.js';
import { bucketRegion, checkBucketName } from './names.js';
import { checkTags, owner, tagList } from './attributes.js';
import { aclPolicy, checkCannedAcl } from './acl.js';
import { requestedAcl } from './grantees.js';
import { checkAclUpdate, checkCreateAcl, checkEnforceable } from './ownership.js';
import { invalidArgument, malformedXml, noSuchConfig } from './errors.js';
import type { Events } from './events.js';
import { checkCorsConfiguration } from './cors.js';

const DEFAULT_ENCRYPTION = {
  Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const }, BucketKeyEnabled: false }],
};
const DEFAULT_PUBLIC_ACCESS_BLOCK = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

/** Get/Put/Delete of one stored subresource, and the error when it was never set. */
function subresource<T>(store: S3Store, name: string, missing: [string, string]) {
  return {
    get(bucket: string): T {
      const b = store.bucket(bucket);
      const v = b.config[name] as T | undefined;
      if (v === undefined) throw noSuchConfig(missing[0], missing[1], bucket);
      return v;
    },
    put(bucket: string, value: T): void {
      const b = store.bucket(bucket);
      b.config[name] = value;
      store.buckets.put(bucket, b);
    },
    delete(bucket: string): void {
      const b = store.bucket(bucket);
      delete b.config[name];
      store.buckets.put(bucket, b);
    },
  };
}

export function bucketHandlers(rt: Runtime, store: S3Store, events: Events): S3Provider {
  const cors = subresource<unknown[]>(store, 'cors', ['NoSuchCORSConfiguration', 'The CORS configuration does not exist']);
  const policy = subresource<string>(store, 'policy', ['NoSuchBucketPolicy', 'The bucket policy does not exist']);
  const pab = subresource<object>(store, 'publicAccessBlock', [
    'NoSuchPublicAccessBlockConfiguration',
    'The public access block configuration was not found',
  ]);
  const encryption = subresource<object>(store, 'encryption', [
    'ServerSideEncryptionConfigurationNotFoundError',
    'The server side encryption configuration was not found',
  ]);
  const lifecycle = subresource<{ Rules: unknown[]; TransitionDefaultMinimumObjectSize?: string }>(store, 'lifecycle', [
    'NoSuchLifecycleConfiguration',
    'The lifecycle configuration does not exist',
  ]);
  const objectLock = subresource<ObjectLockConfiguration>(store, 'objectLock', [
    'ObjectLockConfigurationNotFoundError',
    'Object Lock configuration does not exist for this bucket',
  ]);
  const ownership = subresource<object>(store, 'ownershipControls', [
    'OwnershipControlsNotFoundError',
    'The bucket ownership controls were not found',
  ]);
  const website = subresource<object>(store, 'website', [
    'NoSuchWebsiteConfiguration',
    'The specified bucket does not have a website configuration',
  ]);
  const tagging = subresource<Record<string, string>>(store, 'tagging', ['NoSuchTagSet', 'The TagSet does not exist']);
  const acl = subresource<AccessControlPolicy>(store, 'acl', ['AccessDenied', 'Access Denied']);
  const replication = subresource<ReplicationConfiguration>(store, 'replication', [
    'ReplicationConfigurationNotFoundError',
    'The replication configuration was not found',
  ]);
  /** settings that have a default instead of a not-found error */
  const settings = {
    get: (bucket: string, name: string) => store.bucket(bucket).config[name],
    put: (bucket: string, name: string, value: unknown) => {
      const b = store.bucket(bucket);
      if (value === undefined) delete b.config[name];
      else b.config[name] = value;
      store.buckets.put(bucket, b);
    },
  };

  return {
    CreateBucket: (input, ctx) => {
      checkBucketName(input.Bucket);
      checkCannedAcl(input.ACL);
      const requested = requestedAcl(store, ctx.account, input);
      checkCreateAcl(input.ObjectOwnership, ctx.account, requested);
      const region = bucketRegion(ctx.region, input.CreateBucketConfiguration);
      const existing = store.buckets.get(input.Bucket);
      if (existing) {
        if (existing.owner !== ctx.account) {
          throw new ServiceError(
            'BucketAlreadyExists',
            'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
            409,
            { BucketName: input.Bucket },
          );
        }
        // us-east-1 answers the owner's re-create with 200 (legacy behaviour); other regions refuse
        if (existing.region === 'us-east-1' && region === 'us-east-1') return { Location: `/${input.Bucket}` };
        throw new ServiceError(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          409,
          { BucketName: input.Bucket },
        );
      }
      const b: BucketRecord = {
        name: input.Bucket,
        owner: ctx.account,
        region,
        created: ctx.clock.now(),
        config: {
          acl: aclPolicy(ctx.account, requested),
          publicAccessBlock: DEFAULT_PUBLIC_ACCESS_BLOCK,
          encryption: DEFAULT_ENCRYPTION,
          ownershipControls: { Rules: [{ ObjectOwnership: input.ObjectOwnership ?? 'BucketOwnerEnforced' }] },
          ...(input.CreateBucketConfiguration?.Tags ? { tagging: checkTags(input.CreateBucketConfiguration.Tags, 50) } : {}),
        },
      };
      if (input.ObjectLockEnabledForBucket) {
        b.objectLock = true;
        b.versioning = 'Enabled';
        b.config.objectLock = { ObjectLockEnabled: 'Enabled' };
      }
      store.buckets.put(b.name, b);
      return {
        Location: region === 'us-east-1' ? `/${b.name}` : `${s3BucketUrl(rt.config, b.name)}/`,
        BucketArn: `arn:aws:s3:::${b.name}`,
      };
    },

    HeadBucket: ({ Bucket }) => {
      const b = store.buckets.get(Bucket);
      if (!b) throw new ServiceError('NotFound', 'Not Found', 404);
      return { BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}`, AccessPointAlias: false };
    },

    DeleteBucket: ({ Bucket }) => {
      const b = store.bucket(Bucket);
      const [anyObject] = (b.versioning ? store.versions(Bucket) : store.objects(Bucket)).scan({ limit: 1 });
      if (anyObject) throw new ServiceError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, { BucketName: Bucket });
      store.dropBucket(Bucket);
    },

    ListBuckets: (input, ctx) => {
      const max = input.MaxBuckets ?? 10000;
      if (max < 1 || max > 10000) throw invalidArgument('The value for MaxBuckets is not valid.', 'max-buckets', String(max));
      const after = input.ContinuationToken !== undefined ? Buffer.from(input.ContinuationToken, 'base64url').toString() : undefined;
      const Buckets: Bucket[] = [];
      let more = false;
      for (const [, b] of store.buckets.scan({ prefix: input.Prefix, after })) {
        if (b.owner !== ctx.account || (input.BucketRegion && b.region !== input.BucketRegion)) continue;
        if (Buckets.length === max) {
          more = true;
          break;
        }
        Buckets.push({ Name: b.name, CreationDate: b.created, BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}` });
      }
      return {
        Buckets,
        Owner: owner(ctx.account),
        ...(input.Prefix !== undefined ? { Prefix: input.Prefix } : {}),
        ...(more ? { ContinuationToken: Buffer.from(Buckets.at(-1)!.Name!).toString('base64url') } : {}),
      };
    },

    GetBucketLocation: ({ Bucket }) => {
      const b = store.bucket(Bucket);
      return b.region === 'us-east-1' ? {} : { LocationConstraint: b.region as never };
    },

    PutBucketVersioning: ({ Bucket, VersioningConfiguration }) => {
      const b = store.bucket(Bucket);
      const status = versioningStatus(VersioningConfiguration);
      if (b.objectLock && status === 'Suspended') {
        throw new ServiceError(
          'InvalidBucketState',
          'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
          409,
        );
      }
      store.enableVersioning(b, status);
    },
    GetBucketVersioning: ({ Bucket }) => {
      const b = store.bucket(Bucket);
      return b.versioning ? { Status: b.versioning } : {};
    },

    PutBucketTagging: ({ Bucket, Tagging }) => tagging.put(Bucket, checkTags(Tagging.TagSet ?? [], 50)),
    GetBucketTagging: ({ Bucket }) => ({ TagSet: tagList(tagging.get(Bucket)) }),
    DeleteBucketTagging: ({ Bucket }) => tagging.delete(Bucket),

    PutBucketCors: ({ Bucket, CORSConfiguration }) => cors.put(Bucket, checkCorsConfiguration(CORSConfiguration)),
    GetBucketCors: ({ Bucket }) => ({ CORSRules: cors.get(Bucket) as never }),
    DeleteBucketCors: ({ Bucket }) => cors.delete(Bucket),

    PutBucketPolicy: ({ Bucket, Policy }) => {
      let doc: unknown;
      try {
        doc = JSON.parse(Policy);
      } catch {
        /* refused below */
      }
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
        throw new ServiceError('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400);
      }
      policy.put(Bucket, Policy);
    },
    GetBucketPolicy: ({ Bucket }) => ({ Policy: policy.get(Bucket) }),
    DeleteBucketPolicy: ({ Bucket }) => policy.delete(Bucket),
    GetBucketPolicyStatus: ({ Bucket }) => {
      const b = store.bucket(Bucket);
      return { PolicyStatus: { IsPublic: /"Principal"\s*:\s*("\*"|\{\s*"AWS"\s*:\s*"\*")/.test(String(b.config.policy ?? '')) } };
    },

    PutBucketAcl: (input) => {
      const b = store.bucket(input.Bucket);
      const requested = requestedAcl(store, b.owner, input);
      checkAclUpdate(b, requested);
      acl.put(input.Bucket, aclPolicy(b.owner, requested));
    },
    GetBucketAcl: ({ Bucket }) => acl.get(Bucket),

    PutPublicAccessBlock: ({ Bucket, PublicAccessBlockConfiguration }) => pab.put(Bucket, PublicAccessBlockConfiguration),
    GetPublicAccessBlock: ({ Bucket }) => ({ PublicAccessBlockConfiguration: pab.get(Bucket) }),
    DeletePublicAccessBlock: ({ Bucket }) => pab.delete(Bucket),

    PutBucketEncryption: ({ Bucket, ServerSideEncryptionConfiguration }) => {
      const rules = ServerSideEncryptionConfiguration.Rules ?? [];
      if (!rules.length) throw malformedXml();
      encryption.put(Bucket, ServerSideEncryptionConfiguration);
    },
    GetBucketEncryption: ({ Bucket }) => ({ ServerSideEncryptionConfiguration: encryption.get(Bucket) as never }),
    DeleteBucketEncryption: ({ Bucket }) => encryption.put(Bucket, DEFAULT_ENCRYPTION),

    PutBucketLifecycleConfiguration: ({ Bucket, LifecycleConfiguration, TransitionDefaultMinimumObjectSize }) => {
      if (!LifecycleConfiguration?.Rules?.length) throw malformedXml();
      const rules = checkLifecycleRules(LifecycleConfiguration.Rules);
      const size = TransitionDefaultMinimumObjectSize ?? 'all_storage_classes_128K';
      lifecycle.put(Bucket, { Rules: rules, TransitionDefaultMinimumObjectSize: size });
      store.scheduler?.rebuild(store.bucket(Bucket));
      return { TransitionDefaultMinimumObjectSize: size };
    },
    GetBucketLifecycleConfiguration: ({ Bucket }) => lifecycle.get(Bucket) as never,
    DeleteBucketLifecycle: ({ Bucket }) => {
      lifecycle.delete(Bucket);
      store.scheduler?.rebuild(store.bucket(Bucket));
    },

    PutBucketNotificationConfiguration: ({ Bucket, NotificationConfiguration: config, SkipDestinationValidation }, ctx) => {
      const b = store.bucket(Bucket);
      if (!SkipDestinationValidation) checkDestinations(rt, config);
      const empty =
        !config.QueueConfigurations?.length &&
        !config.TopicConfigurations?.length &&
        !config.LambdaFunctionConfigurations?.length &&
        !config.EventBridgeConfiguration;
      if (empty) delete b.config.notification;
      else b.config.notification = withIds(config);
      store.buckets.put(Bucket, b);
      if (!empty) events.testEvent(b, config, ctx);
    },
    GetBucketNotificationConfiguration: ({ Bucket }) =>
      (store.bucket(Bucket).config.notification as NotificationConfiguration | undefined) ?? {},

    PutObjectLockConfiguration: ({ Bucket, ObjectLockConfiguration: config }) => {
      const b = store.bucket(Bucket);
      if (b.versioning !== 'Enabled') {
        throw new ServiceError(
          'InvalidBucketState',
          "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
          409,
        );
      }
      checkLockConfiguration(config);
      b.objectLock = true;
      b.config.objectLock = config;
      store.buckets.put(Bucket, b);
      return {};
    },
    GetObjectLockConfiguration: ({ Bucket }) => ({ ObjectLockConfiguration: objectLock.get(Bucket) }),

    PutBucketOwnershipControls: ({ Bucket, OwnershipControls }) => {
      checkEnforceable(store.bucket(Bucket), OwnershipControls.Rules?.[0]?.ObjectOwnership);
      ownership.put(Bucket, OwnershipControls);
    },
    GetBucketOwnershipControls: ({ Bucket }) => ({ OwnershipControls: ownership.get(Bucket) as never }),
    DeleteBucketOwnershipControls: ({ Bucket }) => ownership.delete(Bucket),

    PutBucketWebsite: ({ Bucket, WebsiteConfiguration }) => {
      if (!WebsiteConfiguration.IndexDocument && !WebsiteConfiguration.RedirectAllRequestsTo) {
        throw new ServiceError(
          'InvalidArgument',
          'A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty',
          400,
        );
      }
      website.put(Bucket, WebsiteConfiguration);
    },
    GetBucketWebsite: ({ Bucket }) => website.get(Bucket) as never,
    DeleteBucketWebsite: ({ Bucket }) => website.delete(Bucket),

    PutBucketRequestPayment: ({ Bucket, RequestPaymentConfiguration }) => {
      if (RequestPaymentConfiguration.Payer !== 'BucketOwner' && RequestPaymentConfiguration.Payer !== 'Requester') throw malformedXml();
      settings.put(Bucket, 'requestPayment', RequestPaymentConfiguration.Payer);
    },
    GetBucketRequestPayment: ({ Bucket }) => ({
      Payer: (settings.get(Bucket, 'requestPayment') as 'Requester' | undefined) ?? 'BucketOwner',
    }),
    PutBucketAccelerateConfiguration: ({ Bucket, AccelerateConfiguration }) => {
      if (Bucket.includes('.'))
        throw new ServiceError(
          'InvalidRequest',
          'S3 Transfer Acceleration is not supported for buckets with periods (.) in their names',
          400,
        );
      if (AccelerateConfiguration.Status !== 'Enabled' && AccelerateConfiguration.Status !== 'Suspended') throw malformedXml();
      settings.put(Bucket, 'accelerate', AccelerateConfiguration.Status);
    },
    GetBucketAccelerateConfiguration: ({ Bucket }) => {
      const status = settings.get(Bucket, 'accelerate') as 'Enabled' | undefined;
      return status ? { Status: status } : {};
    },
    PutBucketLogging: ({ Bucket, BucketLoggingStatus }) => {
      const target = BucketLoggingStatus.LoggingEnabled?.TargetBucket;
      if (target !== undefined && !store.buckets.has(target)) {
        throw new ServiceError('InvalidTargetBucketForLogging', 'The target bucket for logging does not exist', 400, {
          TargetBucket: target,
        });
      }
      settings.put(Bucket, 'logging', BucketLoggingStatus.LoggingEnabled);
    },
    GetBucketLogging: ({ Bucket }) => {
      const enabled = settings.get(Bucket, 'logging') as GetBucketLoggingOutput['LoggingEnabled'];
      return enabled ? { LoggingEnabled: enabled } : {};
    },
    PutBucketReplication: ({ Bucket, ReplicationConfiguration }) => {
      if (store.bucket(Bucket).versioning !== 'Enabled') {
        throw new ServiceError('InvalidRequest', "Versioning must be 'Enabled' on the bucket to apply a replication configuration", 400);
      }
      if (!ReplicationConfiguration.Rules?.length) throw malformedXml();
      replication.put(Bucket, ReplicationConfiguration);
    },
    GetBucketReplication: ({ Bucket }) => ({ ReplicationConfiguration: replication.get(Bucket) }),
    DeleteBucketReplication: ({ Bucket }) => replication.delete(Bucket),
  };
}

/** Every configuration gets an Id, as S3 assigns one when none is given. */
function withIds(config: NotificationConfiguration): NotificationConfiguration {
  let n = 0;
  const id = <T extends { Id?: string }>(c: T): T => ({ ...c, Id: c.Id ?? `notification-${++n}` });
  return {
    ...(config.QueueConfigurations?.length ? { QueueConfigurations: config.QueueConfigurations.map(id) } : {}),
    ...(config.TopicConfigurations?.length ? { TopicConfigurations: config.TopicConfigurations.map(id) } : {}),
    ...(config.LambdaFunctionConfigurations?.length ? { LambdaFunctionConfigurations: config.LambdaFunctionConfigurations.map(id) } : {}),
    ...(config.EventBridgeConfiguration ? { EventBridgeConfiguration: config.EventBridgeConfiguration } : {}),
  };
}

/** Destinations must exist (checked only for services present in this Nimbus). */
function checkDestinations(rt: Runtime, config: NotificationConfiguration): void {
  const bad: string[] = [];
  const { sqs, sns, lambda } = rt.integrations;
  for (const q of config.QueueConfigurations ?? []) if (sqs && !sqs.queueExists(q.QueueArn)) bad.push(q.QueueArn);
  for (const t of config.TopicConfigurations ?? []) if (sns && !sns.topicExists(t.TopicArn)) bad.push(t.TopicArn);
  for (const f of config.LambdaFunctionConfigurations ?? [])
    if (lambda && !lambda.functionExists(f.LambdaFunctionArn)) bad.push(f.LambdaFunctionArn);
  if (bad.length) {
    throw new ServiceError('InvalidArgument', 'Unable to validate the following destination configurations', 400, {
      ArgumentName: bad[0],
      ArgumentValue: 'The destination queue does not exist',
    });
  }
  for (const c of [
    ...(config.QueueConfigurations ?? []),
    ...(config.TopicConfigurations ?? []),
    ...(config.LambdaFunctionConfigurations ?? []),
  ]) {
    for (const e of c.Events ?? []) {
      if (
        !/^s3:(ObjectCreated|ObjectRemoved|ObjectRestore|ReducedRedundancyLostObject|Replication|LifecycleExpiration|LifecycleTransition|IntelligentTiering|ObjectTagging|ObjectAcl)(:[A-Za-z*]+)?$/.test(
          e,
        )
      ) {
        throw new ServiceError('InvalidArgument', 'The event is not supported for notifications', 400, { ArgumentName: e });
      }
    }
  }
}
