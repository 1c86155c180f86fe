// LocalStack's hostnames (`*.localhost.localstack.cloud`): which service an unsigned request to one
// is for. Signed requests name their service in the credential scope; these names only decide
// when nothing else does, and before the generic first-label rule (a bucket named `sqs` is S3's).
import { LOCALSTACK_DOMAIN } from './urls.js';

/**
 * `<bucket>.s3.localhost.localstack.cloud`, `s3.localhost.localstack.cloud` → s3;
 * `queue.…`, `<region>.queue.…`, `sqs.<region>.…` → sqs; anything else → undefined.
 */
export function serviceOfLocalStackHost(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const host = hostHeader.toLowerCase().replace(/:\d+$/, '');
  if (!host.endsWith(`.${LOCALSTACK_DOMAIN}`)) return undefined;
  const labels = host.slice(0, -LOCALSTACK_DOMAIN.length - 1).split('.');
  if (labels.includes('s3')) return 's3';
  if (labels.includes('queue') || labels[0] === 'sqs') return 'sqs';
  return undefined;
}
