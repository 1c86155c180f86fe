// Access keys Nimbus issued (STS sessions now, IAM users later). The gateway verifies a request
// signed with one of these against its secret; other keys are accepted unverified unless IAM is enforced.
import type { Collection, Engine } from './engine.js';
import type { Principal } from '../services/types.js';

export interface IssuedCredential {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** virtual epoch ms after which the key is refused with ExpiredToken */
  expiresAt?: number;
  principal: Principal;
}

export const DEFAULT_ACCOUNT = '000000000000';

export function rootPrincipal(account: string, accessKeyId?: string): Principal {
  return { kind: 'root', account, arn: `arn:aws:iam::${account}:root`, userId: account, accessKeyId };
}

/** Lookups are remembered (every signed request makes one, mostly for keys Nimbus never issued). */
const CACHE_MAX = 10_000;

export class CredentialStore {
  private readonly keys: Collection<IssuedCredential>;
  private readonly cache = new Map<string, IssuedCredential | null>();

  constructor(engine: Engine) {
    this.keys = engine.collection<IssuedCredential>('credentials');
  }

  get(accessKeyId: string): IssuedCredential | undefined {
    let found = this.cache.get(accessKeyId);
    if (found === undefined) {
      if (this.cache.size >= CACHE_MAX) this.cache.clear();
      this.cache.set(accessKeyId, (found = this.keys.get(accessKeyId) ?? null));
    }
    return found ?? undefined;
  }

  // a write only drops the remembered answer: the next get reads what was committed (or rolled back)
  issue(cred: IssuedCredential): void {
    this.keys.put(cred.accessKeyId, cred);
    this.cache.delete(cred.accessKeyId);
  }

  revoke(accessKeyId: string): void {
    this.keys.delete(accessKeyId);
    this.cache.delete(accessKeyId);
  }

  /** After the state was reset. */
  forget(): void {
    this.cache.clear();
  }
}
