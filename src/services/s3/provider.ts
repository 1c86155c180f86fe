// Amazon S3: buckets, objects, listings, multipart uploads, checksums, versioning, object lock,
// stored bucket configurations and event notifications. Each concern lives in its own module.
import type { Runtime, ServiceDefinition } from '../../runtime.js';
import type { S3Provider } from '../../generated/s3.js';
import { S3Store } from './store.js';
import { Events } from './events.js';
import { bucketHandlers } from './buckets.js';
import { objectHandlers, parseCopySource } from './objects.js';
import { listingHandlers } from './listing.js';
import { multipartHandlers } from './multipart.js';
import { postObjectHandlers } from './post-object.js';
import { retentionHandlers } from './retention.js';
import { restoreHandlers } from './restore.js';
import { idConfigHandlers } from './configs.js';
import { bucketCors } from './cors.js';
import { s3Profile } from './profile.js';
import { DueIndex } from './due.js';
import { registerTierRoute } from './tiering.js';
import { s3Integration } from './integration.js';
import { seen } from './grantees.js';
import { startStorageMetrics } from './metrics.js';
import { ServiceError } from '../errors.js';
import type { Provider } from '../types.js';

function create(rt: Runtime): S3Provider {
  const store = new S3Store(rt);
  const events = new Events(rt);
  const due = new DueIndex(rt, store, events);
  store.scheduler = due;
  rt.clock.onAdvance(() => {
    due.run();
    return events.inFlight.settled();
  });
  registerTierRoute(rt, store);
  startStorageMetrics(rt, store);
  const handlers = expectedOwner(store, {
    ...bucketHandlers(rt, store, events),
    ...objectHandlers(rt, store, events),
    ...listingHandlers(store),
    ...multipartHandlers(rt, store, events),
    ...postObjectHandlers(rt, store, events),
    ...retentionHandlers(store),
    ...restoreHandlers(store),
    ...idConfigHandlers(store),
  });
  rt.integrations.s3 = s3Integration(rt, handlers);
  return handlers;
}

/** x-amz-expected-bucket-owner (and the copy source's): a bucket of another account is AccessDenied; callers' accounts are recorded. */
function expectedOwner(store: S3Store, handlers: S3Provider): S3Provider {
  const check = (bucket: unknown, owner: unknown) => {
    if (typeof bucket !== 'string' || owner === undefined) return;
    const b = store.buckets.get(bucket);
    if (b && b.owner !== owner) throw new ServiceError('AccessDenied', 'Access Denied', 403);
  };
  const wrapped: Provider = {};
  for (const [name, handler] of Object.entries(handlers as Provider)) {
    wrapped[name] = (input: Record<string, unknown>, ctx) => {
      // every account that calls S3 becomes known by its canonical id (ACL grants may name it)
      if (ctx.principal.kind !== 'anonymous') seen(store, ctx.account);
      check(input.Bucket, input.ExpectedBucketOwner);
      if (typeof input.CopySource === 'string') check(parseCopySource(input.CopySource).bucket, input.ExpectedSourceBucketOwner);
      return handler!(input, ctx);
    };
  }
  return wrapped as S3Provider;
}

export const s3: ServiceDefinition = { ...s3Profile, name: 's3', create, cors: bucketCors };
