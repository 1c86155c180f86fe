// Encoded authorization failure messages (EC2's UnauthorizedOperation carries one; STS
// DecodeAuthorizationMessage reads it back). AES-256-GCM under a key kept in IAM's system store, so
// a message is opaque to its receiver, cannot be forged, and stays decodable across restarts.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Collection } from '../../kit.js';

export function denialCodec(meta: Collection<string>) {
  const key = (): Buffer => {
    let k = meta.get('denial-key');
    if (!k) meta.put('denial-key', (k = randomBytes(32).toString('base64')));
    return Buffer.from(k, 'base64');
  };
  return {
    encode(detail: Record<string, unknown>): string {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key(), iv);
      const body = Buffer.concat([c.update(JSON.stringify(detail)), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
    },
    decode(message: string): Record<string, unknown> | undefined {
      try {
        const raw = Buffer.from(message.trim(), 'base64url');
        if (raw.length < 29) return undefined;
        const d = createDecipheriv('aes-256-gcm', key(), raw.subarray(0, 12));
        d.setAuthTag(raw.subarray(12, 28));
        return JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString());
      } catch {
        return undefined;
      }
    },
  };
}

/** The decoded form AWS documents: allowed, explicitDeny, matchedStatements, failures, context. */
export function denialDetail(d: {
  principalId: string;
  principalArn: string;
  action: string;
  resource: string;
  explicitDeny: boolean;
  conditions: Record<string, string | string[] | undefined>;
}) {
  return {
    allowed: false,
    explicitDeny: d.explicitDeny,
    matchedStatements: { items: [] },
    failures: { items: [] },
    context: {
      principal: { id: d.principalId, arn: d.principalArn },
      action: d.action,
      resource: d.resource,
      conditions: {
        items: Object.entries(d.conditions)
          .filter(([, v]) => v !== undefined)
          .map(([key, v]) => ({
            key,
            values: { items: (Array.isArray(v) ? v : [v!]).map((value) => ({ value })) },
          })),
      },
    },
  };
}
