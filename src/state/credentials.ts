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

export class CredentialStore {
  private readonly keys: Collection<IssuedCredential>;

  constructor(engine: Engine) {
    this.keys = engine.collection<IssuedCredential>('credentials');
  }

  get(accessKeyId: string): IssuedCredential | undefined {
    return this.keys.get(accessKeyId);
  }

  issue(cred: IssuedCredential): void {
    this.keys.put(cred.accessKeyId, cred);
  }

  revoke(accessKeyId: string): void {
    this.keys.delete(accessKeyId);
  }
}
