// What S3 offers other services (rt.integrations.s3): reading and writing objects as the bucket's
// owner, through S3's own handlers, so versioning, events and checksums apply as to any PutObject.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Provider } from '../../generated/s3.js';
import { rootPrincipal, type Integrations, type RequestContext, type Runtime } from '../../kit.js';
import { owner } from './attributes.js';

export function s3Integration(rt: Runtime, handlers: S3Provider): NonNullable<Integrations['s3']> {
  const ctx = (account: string, region: string, operation: string): RequestContext => ({
    requestId: randomUUID(),
    service: 's3',
    operation,
    account,
    region,
    principal: rootPrincipal(account),
    headers: {},
    clock: rt.clock,
  });
  return {
    async getObject(account, bucket, key, versionId) {
      const out = await handlers.GetObject!(
        { Bucket: bucket, Key: key, VersionId: versionId },
        ctx(account, rt.config.defaultRegion, 'GetObject'),
      );
      const body = out.Body;
      if (body === undefined) return Buffer.alloc(0);
      if (typeof body === 'string') return Buffer.from(body);
      if (Buffer.isBuffer(body)) return body;
      if (body instanceof Readable) {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c as Buffer);
        return Buffer.concat(chunks);
      }
      return Buffer.from(body as Uint8Array);
    },
    async putObject(account, region, bucket, key, body, contentType) {
      await handlers.PutObject!(
        { Bucket: bucket, Key: key, Body: body, ContentLength: body.length, ContentType: contentType },
        ctx(account, region, 'PutObject'),
      );
      if (rt.engine.pending) await rt.engine.flush();
    },
    canonicalId: (account) => owner(account).ID!,
  };
}
