// The bucket configurations kept by Id (analytics, inventory, metrics, Intelligent-Tiering):
// stored and returned; S3 produces no reports here. Intelligent-Tiering configurations are validated
// as S3 does and drive the archive tiers (tiering.ts): a change reschedules the bucket's objects.
import type { S3Provider, IntelligentTieringConfiguration } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import type { S3Store } from './store.js';
import { invalidArgument, malformedXml } from './errors.js';

const MAX_PER_BUCKET = 1000;

export function idConfigHandlers(store: S3Store): S3Provider {
  const all = (bucket: string, kind: string) => (store.bucket(bucket).config[kind] ?? {}) as Record<string, { Id: string }>;
  const get = (bucket: string, kind: string, id: string) => {
    const c = all(bucket, kind)[id];
    if (!c) throw new ServiceError('NoSuchConfiguration', 'The specified configuration does not exist.', 404);
    return c as never;
  };
  const put = (bucket: string, kind: string, id: string, value: { Id: string }) => {
    if (value.Id !== id) throw invalidArgument('Configuration Id in the request does not match the one in the body', 'id', id);
    const b = store.bucket(bucket);
    const configs = (b.config[kind] ?? {}) as Record<string, unknown>;
    if (!(id in configs) && Object.keys(configs).length >= MAX_PER_BUCKET) {
      throw new ServiceError(
        'TooManyConfigurations',
        'You are attempting to create a new configuration but have already reached the 1,000-configuration limit.',
        400,
      );
    }
    b.config[kind] = { ...configs, [id]: value };
    store.buckets.put(bucket, b);
  };
  const remove = (bucket: string, kind: string, id: string) => {
    get(bucket, kind, id);
    const b = store.bucket(bucket);
    const { [id]: _gone, ...rest } = b.config[kind] as Record<string, unknown>;
    b.config[kind] = rest;
    store.buckets.put(bucket, b);
  };
  const list = (bucket: string, kind: string) => ({
    IsTruncated: false,
    [`${kind[0].toUpperCase()}${kind.slice(1)}ConfigurationList`]: Object.values(all(bucket, kind)),
  });

  return {
    PutBucketAnalyticsConfiguration: (i) => put(i.Bucket, 'analytics', i.Id, i.AnalyticsConfiguration),
    GetBucketAnalyticsConfiguration: (i) => ({ AnalyticsConfiguration: get(i.Bucket, 'analytics', i.Id) }),
    DeleteBucketAnalyticsConfiguration: (i) => remove(i.Bucket, 'analytics', i.Id),
    ListBucketAnalyticsConfigurations: (i) => list(i.Bucket, 'analytics'),
    PutBucketInventoryConfiguration: (i) => put(i.Bucket, 'inventory', i.Id, i.InventoryConfiguration),
    GetBucketInventoryConfiguration: (i) => ({ InventoryConfiguration: get(i.Bucket, 'inventory', i.Id) }),
    DeleteBucketInventoryConfiguration: (i) => remove(i.Bucket, 'inventory', i.Id),
    ListBucketInventoryConfigurations: (i) => list(i.Bucket, 'inventory'),
    PutBucketMetricsConfiguration: (i) => put(i.Bucket, 'metrics', i.Id, i.MetricsConfiguration),
    GetBucketMetricsConfiguration: (i) => ({ MetricsConfiguration: get(i.Bucket, 'metrics', i.Id) }),
    DeleteBucketMetricsConfiguration: (i) => remove(i.Bucket, 'metrics', i.Id),
    ListBucketMetricsConfigurations: (i) => list(i.Bucket, 'metrics'),
    PutBucketIntelligentTieringConfiguration: (i) => {
      store.bucket(i.Bucket);
      checkTieringConfiguration(i.Id, i.IntelligentTieringConfiguration);
      put(i.Bucket, 'intelligentTiering', i.Id, i.IntelligentTieringConfiguration);
      store.scheduler?.rebuild(store.bucket(i.Bucket));
    },
    GetBucketIntelligentTieringConfiguration: (i) => ({ IntelligentTieringConfiguration: get(i.Bucket, 'intelligentTiering', i.Id) }),
    DeleteBucketIntelligentTieringConfiguration: (i) => {
      remove(i.Bucket, 'intelligentTiering', i.Id);
      store.scheduler?.rebuild(store.bucket(i.Bucket));
    },
    ListBucketIntelligentTieringConfigurations: (i) => list(i.Bucket, 'intelligentTiering'),
  };
}

const MIN_DAYS = { ARCHIVE_ACCESS: 90, DEEP_ARCHIVE_ACCESS: 180 } as const;
const MAX_DAYS = 730;

/** One tiering per archive tier, 90 (Archive Access) or 180 (Deep Archive Access) to 730 days, Deep after Archive. */
function checkTieringConfiguration(id: string, c: IntelligentTieringConfiguration): void {
  // S3 answers a body whose Id differs from the query's as a schema error
  if (c.Id !== id || (c.Status !== 'Enabled' && c.Status !== 'Disabled') || !c.Tierings?.length) throw malformedXml();
  const f = c.Filter;
  if (f && [f.Prefix, f.Tag, f.And].filter((x) => x !== undefined).length > 1) throw malformedXml();
  const days: Partial<Record<keyof typeof MIN_DAYS, number>> = {};
  for (const t of c.Tierings) {
    if (!(t.AccessTier in MIN_DAYS) || !Number.isInteger(t.Days)) throw malformedXml();
    if (days[t.AccessTier] !== undefined)
      throw invalidArgument(`Multiple Tierings with the same AccessTier ${t.AccessTier}`, 'AccessTier', t.AccessTier);
    if (t.Days < MIN_DAYS[t.AccessTier])
      throw invalidArgument(
        `Days specified in ${t.AccessTier} tier should not be less than ${MIN_DAYS[t.AccessTier]}.`,
        'Days',
        String(t.Days),
      );
    if (t.Days > MAX_DAYS)
      throw invalidArgument(`Days specified in ${t.AccessTier} tier should not be more than ${MAX_DAYS}.`, 'Days', String(t.Days));
    days[t.AccessTier] = t.Days;
  }
  if (days.ARCHIVE_ACCESS !== undefined && days.DEEP_ARCHIVE_ACCESS !== undefined && days.DEEP_ARCHIVE_ACCESS <= days.ARCHIVE_ACCESS) {
    throw invalidArgument(
      'Days specified in DEEP_ARCHIVE_ACCESS tier should be greater than days specified in ARCHIVE_ACCESS tier.',
      'Days',
      String(days.DEEP_ARCHIVE_ACCESS),
    );
  }
}
