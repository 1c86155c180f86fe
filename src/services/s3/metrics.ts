// AWS/S3's daily storage metrics, published once per virtual day (when the clock crosses midnight
// UTC, by an advance or a real-time tick): BucketSizeBytes per storage type and NumberOfObjects
// (StorageType AllStorageTypes), dimensions BucketName and StorageType, stamped at the day's start.
import type { Runtime } from '../../runtime.js';
import type { S3Store } from './store.js';

const DAY = 86_400_000;
/** how often (real time) the day is looked at without a clock advance */
const TICK_MS = 60_000;
const STORAGE_TYPES: Record<string, string> = {
  STANDARD: 'StandardStorage',
  STANDARD_IA: 'StandardIAStorage',
  ONEZONE_IA: 'OneZoneIAStorage',
  REDUCED_REDUNDANCY: 'ReducedRedundancyStorage',
  INTELLIGENT_TIERING: 'IntelligentTieringFAStorage',
  GLACIER: 'GlacierStorage',
  GLACIER_IR: 'GlacierInstantRetrievalStorage',
  DEEP_ARCHIVE: 'DeepArchiveStorage',
};

export function startStorageMetrics(rt: Runtime, store: S3Store): void {
  let day = Math.floor(rt.clock.nowMs() / DAY);
  const sample = () => {
    const today = Math.floor(rt.clock.nowMs() / DAY);
    const cw = rt.integrations.cloudwatch;
    if (today === day || !cw) return;
    day = today;
    for (const [, b] of [...store.buckets.scan()]) {
      const bytes = new Map<string, number>();
      let count = 0;
      for (const [, o] of (b.versioning ? store.versions(b.name) : store.objects(b.name)).scan()) {
        if (o.deleteMarker) continue;
        count++;
        const type = STORAGE_TYPES[o.storageClass] ?? 'StandardStorage';
        bytes.set(type, (bytes.get(type) ?? 0) + o.size);
      }
      const dims = (StorageType: string) => [
        { Name: 'BucketName', Value: b.name },
        { Name: 'StorageType', Value: StorageType },
      ];
      cw.putMetricData(b.owner, b.region, 'AWS/S3', [
        { MetricName: 'NumberOfObjects', Dimensions: dims('AllStorageTypes'), Value: count, Unit: 'Count', Timestamp: today * DAY },
        ...[...(bytes.size ? bytes : new Map([['StandardStorage', 0]]))].map(([t, v]) => ({
          MetricName: 'BucketSizeBytes',
          Dimensions: dims(t),
          Value: v,
          Unit: 'Bytes',
          Timestamp: today * DAY,
        })),
      ]);
    }
  };
  rt.clock.onAdvance(sample);
  const timer = setInterval(sample, TICK_MS);
  timer.unref();
  rt.onClose(() => clearInterval(timer));
}
