// node dist/bench/lifecycle-scale.js [--objects N]: how long a clock advance takes on a bucket of N
// objects (100,000 by default) under lifecycle rules when nothing is due, with persistence on.
// Objects go in through PutObject (SDK v3, concurrency 32), so the lifecycle bookkeeping a PUT does
// is part of the setup. Prints the median of several advances; a figure to compare, not a test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client, CreateBucketCommand, PutObjectCommand, PutBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { startNimbus } from '../src/nimbus.js';

const arg = process.argv.indexOf('--objects');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
const CONCURRENCY = 32;

const nimbus = await startNimbus({
  host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'nimbus-lc-')), ephemeral: false,
  enforceIam: false, logLevel: 'warn', fsync: false, defaultRegion: 'us-east-1',
});
const s3 = new S3Client({ endpoint: nimbus.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true });
const Bucket = 'scale';
await s3.send(new CreateBucketCommand({ Bucket }));
await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [
  { ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 3650 } },
  { ID: 'cold', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transitions: [{ Days: 365, StorageClass: 'GLACIER' }] },
] } }));

let next = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  for (let i = next++; i < N; i = next++) await s3.send(new PutObjectCommand({ Bucket, Key: `${i % 2 ? 'logs/' : 'data/'}${i}`, Body: 'x' }));
}));
console.log(`put ${N} objects in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const advance = async () => {
  const t = performance.now();
  const r = await fetch(`${nimbus.url}/_nimbus/clock`, { method: 'POST', body: JSON.stringify({ advance: '1d' }) });
  if (!r.ok) throw new Error(`advance: ${r.status}`);
  return performance.now() - t;
};
const times: number[] = [];
for (let i = 0; i < 7; i++) times.push(await advance());
times.sort((a, b) => a - b);
console.log(`clock advance with ${N} objects, nothing due: median ${times[3].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times.at(-1)!.toFixed(1)})`);

const t1 = performance.now();
await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [
  { ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 3000 } },
] } }));
console.log(`PutBucketLifecycleConfiguration on ${N} objects: ${(performance.now() - t1).toFixed(0)} ms`);
await nimbus.stop();
