// Parameter Store's state per account and region: one record per parameter holding its versions
// (at most 100, oldest first) and its tags. SecureString values are kept as KMS ciphertext (base64).
import type { Collection, Runtime, Stores } from '../../kit.js';

export interface VersionRecord {
  version: number;
  value: string;
  type: 'String' | 'StringList' | 'SecureString';
  /** the KeyId as the caller named it (SecureString only) */
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: 'Standard' | 'Advanced';
  dataType: string;
  policies?: string;
  labels: string[];
  /** epoch ms */
  modified: number;
  user: string;
}

export interface ParameterRecord {
  name: string;
  versions: VersionRecord[];
  tags: { Key: string; Value: string }[];
}

export interface SsmStore {
  parameters: Collection<ParameterRecord>;
}

export const MAX_VERSIONS = 100;

export function ssmStores(rt: Runtime): Stores<SsmStore> {
  return rt.stores<SsmStore>('ssm', (scope) => ({ parameters: scope.collection('parameters') }));
}

export const latest = (p: ParameterRecord): VersionRecord => p.versions[p.versions.length - 1];

/** `arn:aws:ssm:<region>:<account>:parameter/<name>`; a path's leading slash is not doubled. */
export const parameterArn = (region: string, account: string, name: string) =>
  `arn:aws:ssm:${region}:${account}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
