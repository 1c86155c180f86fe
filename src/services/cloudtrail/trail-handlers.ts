// The trail operations: Create/Update/Delete/Get/Describe/ListTrails, Start/StopLogging,
// GetTrailStatus, Put/GetEventSelectors, tags.
import type { CloudtrailProvider, EventSelector } from '../../generated/cloudtrail.js';
import { ServiceError, type Runtime, type RequestContext } from '../../kit.js';
import type { Trails, TrailRecord } from './trails.js';
import { DEFAULT_SELECTORS } from './selectors.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/;

function checkName(name: string): void {
  if (!NAME.test(name) || /[._-]{2}/.test(name)) {
    throw new ServiceError(
      'InvalidTrailNameException',
      'Trail name must starts with a letter or number, ends with a letter or number, is between 3 and 128 characters, has only letters, numbers, periods, underscores and dashes, and has no adjacent periods, underscores or dashes.',
    );
  }
}

async function checkBucket(rt: Runtime, ctx: RequestContext, bucket: string): Promise<void> {
  try {
    await rt.invoke('s3', 'HeadBucket', { Bucket: bucket }, { account: ctx.account, region: ctx.region });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'NotImplemented') return;
    throw new ServiceError('S3BucketDoesNotExistException', `S3 bucket ${bucket} does not exist.`);
  }
}

function checkSelectors(selectors: EventSelector[]): void {
  if (selectors.length > 5)
    throw new ServiceError('InvalidEventSelectorsException', 'You can have no more than 5 event selectors per trail.');
  for (const s of selectors) {
    for (const d of s.DataResources ?? []) {
      if (!d.Type || !['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'].includes(d.Type)) {
        throw new ServiceError('InvalidEventSelectorsException', `Value ${d.Type} for parameter DataResources.Type is invalid.`);
      }
    }
  }
}

export function trailHandlers(rt: Runtime, trails: Trails): CloudtrailProvider {
  const owned = (ctx: RequestContext, ref: string): TrailRecord => {
    const t = trails.get(ctx.account, ctx.region, ref);
    if (t.homeRegion !== ctx.region) {
      throw new ServiceError('InvalidHomeRegionException', `This operation must be called from the trail's home region (${t.homeRegion}).`);
    }
    return t;
  };
  return {
    CreateTrail: async (i, ctx) => {
      checkName(i.Name);
      if (trails.peek(ctx.account, i.Name)) {
        throw new ServiceError('TrailAlreadyExistsException', `Trail ${i.Name} already exists for customer: ${ctx.account}`);
      }
      await checkBucket(rt, ctx, i.S3BucketName);
      const t: TrailRecord = {
        name: i.Name,
        account: ctx.account,
        homeRegion: ctx.region,
        bucket: i.S3BucketName,
        prefix: i.S3KeyPrefix,
        snsTopicName: i.SnsTopicName,
        multiRegion: i.IsMultiRegionTrail ?? false,
        includeGlobal: i.IncludeGlobalServiceEvents ?? true,
        validation: i.EnableLogFileValidation ?? false,
        kmsKeyId: i.KmsKeyId,
        logGroupArn: i.CloudWatchLogsLogGroupArn,
        roleArn: i.CloudWatchLogsRoleArn,
        logging: false,
        tags: i.TagsList ?? [],
        created: ctx.clock.nowMs(),
      };
      trails.save(t);
      const d = trails.describe(t);
      return {
        Name: d.Name,
        S3BucketName: d.S3BucketName,
        S3KeyPrefix: d.S3KeyPrefix,
        SnsTopicName: d.SnsTopicName,
        SnsTopicARN: d.SnsTopicARN,
        IncludeGlobalServiceEvents: d.IncludeGlobalServiceEvents,
        IsMultiRegionTrail: d.IsMultiRegionTrail,
        TrailARN: d.TrailARN,
        LogFileValidationEnabled: d.LogFileValidationEnabled,
        KmsKeyId: d.KmsKeyId,
        IsOrganizationTrail: false,
      };
    },

    UpdateTrail: async (i, ctx) => {
      const t = owned(ctx, i.Name);
      if (i.S3BucketName !== undefined) {
        await checkBucket(rt, ctx, i.S3BucketName);
        t.bucket = i.S3BucketName;
      }
      if (i.S3KeyPrefix !== undefined) t.prefix = i.S3KeyPrefix || undefined;
      if (i.IsMultiRegionTrail !== undefined) t.multiRegion = i.IsMultiRegionTrail;
      if (i.IncludeGlobalServiceEvents !== undefined) t.includeGlobal = i.IncludeGlobalServiceEvents;
      if (i.EnableLogFileValidation !== undefined) t.validation = i.EnableLogFileValidation;
      if (i.KmsKeyId !== undefined) t.kmsKeyId = i.KmsKeyId || undefined;
      trails.save(t);
      const { HomeRegion: _h, HasCustomEventSelectors: _c, HasInsightSelectors: _i, ...rest } = trails.describe(t);
      return rest;
    },

    DeleteTrail: ({ Name }, ctx) => {
      trails.remove(owned(ctx, Name));
      return {};
    },

    GetTrail: ({ Name }, ctx) => ({ Trail: trails.describe(trails.get(ctx.account, ctx.region, Name)) }),

    DescribeTrails: ({ trailNameList, includeShadowTrails }, ctx) => {
      let list = trails.list(ctx.account, ctx.region);
      if (includeShadowTrails === false) list = list.filter((t) => t.homeRegion === ctx.region);
      if (trailNameList?.length) list = list.filter((t) => trailNameList.includes(t.name) || trailNameList.includes(trails.arn(t)));
      return { trailList: list.map((t) => trails.describe(t)) };
    },

    ListTrails: (_i, ctx) => ({
      Trails: trails.list(ctx.account, ctx.region).map((t) => ({ TrailARN: trails.arn(t), Name: t.name, HomeRegion: t.homeRegion })),
    }),

    StartLogging: ({ Name }, ctx) => {
      const t = owned(ctx, Name);
      if (!t.logging) {
        t.logging = true;
        t.startedAt = ctx.clock.nowMs();
        trails.save(t);
      }
      return {};
    },

    StopLogging: ({ Name }, ctx) => {
      const t = owned(ctx, Name);
      if (t.logging) {
        t.logging = false;
        t.stoppedAt = ctx.clock.nowMs();
        trails.save(t);
      }
      return {};
    },

    GetTrailStatus: ({ Name }, ctx) => {
      const t = trails.get(ctx.account, ctx.region, Name);
      const iso = (ms?: number) => (ms === undefined ? undefined : new Date(ms).toISOString());
      return {
        IsLogging: t.logging,
        ...(t.startedAt !== undefined ? { StartLoggingTime: new Date(t.startedAt), TimeLoggingStarted: iso(t.startedAt) } : {}),
        ...(t.stoppedAt !== undefined ? { StopLoggingTime: new Date(t.stoppedAt), TimeLoggingStopped: iso(t.stoppedAt) } : {}),
        ...(t.deliveredAt !== undefined
          ? {
              LatestDeliveryTime: new Date(t.deliveredAt),
              LatestDeliveryAttemptTime: iso(t.deliveredAt),
              LatestDeliveryAttemptSucceeded: iso(t.deliveredAt),
            }
          : {}),
        ...(t.deliveryError ? { LatestDeliveryError: t.deliveryError } : {}),
      };
    },

    PutEventSelectors: ({ TrailName, EventSelectors, AdvancedEventSelectors }, ctx) => {
      const t = owned(ctx, TrailName);
      if (!!EventSelectors === !!AdvancedEventSelectors) {
        throw new ServiceError(
          'InvalidParameterCombinationException',
          'You cannot apply both event selectors and advanced event selectors to a trail.',
        );
      }
      if (EventSelectors) {
        checkSelectors(EventSelectors);
        t.selectors = EventSelectors.map((s) => ({
          ReadWriteType: s.ReadWriteType ?? 'All',
          IncludeManagementEvents: s.IncludeManagementEvents ?? true,
          DataResources: s.DataResources ?? [],
          ExcludeManagementEventSources: s.ExcludeManagementEventSources ?? [],
        }));
        delete t.advanced;
      } else {
        t.advanced = AdvancedEventSelectors;
        delete t.selectors;
      }
      trails.save(t);
      return { TrailARN: trails.arn(t), ...(t.selectors ? { EventSelectors: t.selectors } : { AdvancedEventSelectors: t.advanced }) };
    },

    GetEventSelectors: ({ TrailName }, ctx) => {
      const t = trails.get(ctx.account, ctx.region, TrailName);
      return {
        TrailARN: trails.arn(t),
        ...(t.advanced ? { AdvancedEventSelectors: t.advanced } : { EventSelectors: t.selectors ?? DEFAULT_SELECTORS }),
      };
    },

    AddTags: ({ ResourceId, TagsList }, ctx) => {
      const t = trails.get(ctx.account, ctx.region, ResourceId);
      const m = new Map(t.tags.map((x) => [x.Key, x.Value]));
      for (const x of TagsList) m.set(x.Key, x.Value);
      t.tags = [...m].map(([Key, Value]) => ({ Key, Value }));
      trails.save(t);
      return {};
    },

    RemoveTags: ({ ResourceId, TagsList }, ctx) => {
      const t = trails.get(ctx.account, ctx.region, ResourceId);
      t.tags = t.tags.filter((x) => !TagsList.some((r) => r.Key === x.Key));
      trails.save(t);
      return {};
    },

    ListTags: ({ ResourceIdList }, ctx) => ({
      ResourceTagList: ResourceIdList.map((id) => {
        const t = trails.get(ctx.account, ctx.region, id);
        return { ResourceId: trails.arn(t), TagsList: t.tags };
      }),
    }),
  };
}
