// Amazon S3: buckets, objects, listings, multipart uploads, checksums, versioning, object lock,
// stored bucket configurations and event notifications. Each concern lives in its own module.
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { S3Provider } from '../../generated/s3.js';
import { S3Store } from './store.js';
import { Events } from './events.js';
import { bucketHandlers } from './buckets.js';
import { objectHandlers } from './objects.js';
import { listingHandlers } from './listing.js';
import { multipartHandlers } from './multipart.js';
import { retentionHandlers } from './retention.js';
import { restoreHandlers } from './restore.js';
import { applyLifecycle } from './lifecycle.js';

function create(rt: Runtime): S3Provider {
  const store = new S3Store(rt);
  const events = new Events(rt);
  rt.clock.onAdvance(() => applyLifecycle(rt, store, events));
  return {
    ...bucketHandlers(rt, store, events),
    ...objectHandlers(rt, store, events),
    ...listingHandlers(store),
    ...multipartHandlers(rt, store, events),
    ...retentionHandlers(store),
    ...restoreHandlers(store),
  };
}

export const s3: ServiceDefinition = { name: 's3', create, validateInput: false };
