// The master key that wraps every KMS key's material at rest: a file in the data directory made on
// first start (mode 0600), or random bytes in memory for --ephemeral.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Runtime } from '../../kit.js';

export class MasterKey {
  private readonly key: Buffer;

  constructor(rt: Runtime) {
    if (rt.config.ephemeral || !rt.config.dataDir) {
      this.key = randomBytes(32);
      return;
    }
    const file = join(rt.config.dataDir, 'kms-master.key');
    if (existsSync(file)) {
      this.key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    } else {
      mkdirSync(rt.config.dataDir, { recursive: true });
      this.key = randomBytes(32);
      writeFileSync(file, this.key.toString('base64') + '\n', { mode: 0o600 });
    }
  }

  wrap(material: Buffer): Buffer {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(material), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  unwrap(wrapped: Buffer): Buffer {
    const d = createDecipheriv('aes-256-gcm', this.key, wrapped.subarray(0, 12));
    d.setAuthTag(wrapped.subarray(12, 28));
    return Buffer.concat([d.update(wrapped.subarray(28)), d.final()]);
  }
}
