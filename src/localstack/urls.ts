// The URLs Nimbus returns (queue URLs, S3 locations) when LOCALSTACK_HOST says under which host
// clients reach it; SQS_ENDPOINT_STRATEGY picks LocalStack's queue URL form.
import type { Config } from '../config.js';

/** LocalStack's default: a public name resolving to 127.0.0.1, and subdomains of it. */
export const LOCALSTACK_DOMAIN = 'localhost.localstack.cloud';

/** `host:port` of LOCALSTACK_HOST, the port defaulting to the one Nimbus listens on. */
function publicHost(config: Pick<Config, 'localstackHost' | 'port'>): string | undefined {
  const h = config.localstackHost;
  if (!h) return undefined;
  return /:\d+$/.test(h) ? h : `${h}:${config.port}`;
}

/** `http://<LOCALSTACK_HOST>` for URLs that point back at Nimbus (SNS SubscribeURL); undefined without it. */
export function publicBaseUrl(config: Pick<Config, 'localstackHost' | 'port'>): string | undefined {
  const host = publicHost(config);
  return host ? `http://${host}` : undefined;
}

/**
 * A queue's URL. `off` (the default without LOCALSTACK_HOST): the host the client called, so
 * requests sent to it come back here. `standard`: sqs.<region>.<host>; `domain`:
 * <region>.queue.<host> (queue.<host> in us-east-1); `path`: <host>/queue/<region>.
 */
export function sqsQueueUrl(
  config: Pick<Config, 'localstackHost' | 'port' | 'sqsEndpointStrategy'>,
  requestHost: string | string[] | undefined,
  where: { region: string; account: string; name: string },
): string {
  const strategy = config.sqsEndpointStrategy ?? 'off';
  if (Array.isArray(requestHost)) requestHost = requestHost[0];
  const host = publicHost(config) ?? `${LOCALSTACK_DOMAIN}:${config.port}`;
  const tail = `${where.account}/${where.name}`;
  switch (strategy) {
    case 'standard':
      return `http://sqs.${where.region}.${host}/${tail}`;
    case 'domain':
      return `http://${where.region === 'us-east-1' ? '' : `${where.region}.`}queue.${host}/${tail}`;
    case 'path':
      return `http://${publicHost(config) ?? requestHost ?? host}/queue/${where.region}/${tail}`;
    default:
      return `http://${requestHost ?? `localhost:${config.port}`}/${tail}`;
  }
}

/** A bucket's virtual-hosted URL (no trailing slash): <bucket>.s3.<LOCALSTACK_HOST>, else AWS's. */
export function s3BucketUrl(config: Pick<Config, 'localstackHost' | 'port'>, bucket: string): string {
  const host = publicHost(config);
  return host ? `http://${bucket}.s3.${host}` : `http://${bucket}.s3.amazonaws.com`;
}
