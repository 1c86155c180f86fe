// The bucket configurations kept by Id (analytics, inventory, metrics, Intelligent-Tiering):
// stored and returned; S3 produces no reports here.
import type { S3Provider } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import type { S3Store } from './store.js';
import { invalidArgument } from './errors.js';

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
      throw new ServiceError('TooManyConfigurations', 'You are attempting to create a new configuration but have already reached the 1,000-configuration limit.', 400);
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
  const list = (bucket: string, kind: string) => ({ IsTruncated: false, [`${kind[0].toUpperCase()}${kind.slice(1)}ConfigurationList`]: Object.values(all(bucket, kind)) });

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
    PutBucketIntelligentTieringConfiguration: (i) => put(i.Bucket, 'intelligentTiering', i.Id, i.IntelligentTieringConfiguration),
    GetBucketIntelligentTieringConfiguration: (i) => ({ IntelligentTieringConfiguration: get(i.Bucket, 'intelligentTiering', i.Id) }),
    DeleteBucketIntelligentTieringConfiguration: (i) => remove(i.Bucket, 'intelligentTiering', i.Id),
    ListBucketIntelligentTieringConfigurations: (i) => list(i.Bucket, 'intelligentTiering'),
  };
}
