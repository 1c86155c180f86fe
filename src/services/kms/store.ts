// KMS state: keys (metadata and wrapped material), aliases and grants per account and region, and
// a system index from key id to its home so a ciphertext blob alone finds its key.
import { randomBytes, randomUUID } from 'node:crypto';
import type { KeySpec, KeyUsageType, KeyState, Tag, OriginType, KeyMetadata, MultiRegionKeyType } from '../../generated/kms.js';
import { ServiceError, type Collection, type Runtime, type Stores } from '../../kit.js';
import { MasterKey } from './master.js';
import { algorithms } from './specs.js';

export interface Material {
  /** 64 hex characters, as AWS's KeyMaterialId */
  id: string;
  at: number;
  wrapped: Buffer;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  account: string;
  region: string;
  created: number;
  description: string;
  usage: KeyUsageType;
  spec: KeySpec;
  origin: OriginType;
  manager: 'AWS' | 'CUSTOMER';
  enabled: boolean;
  /** set while deletion is scheduled */
  deletion?: { at: number; days: number };
  policy: string;
  tags: Tag[];
  multiRegion?: { type: MultiRegionKeyType; primary: string; replicas: string[] };
  /** every material the key ever had, oldest first; the last is current */
  materials: Material[];
  rotation?: { periodDays: number; next: number };
  rotations: { id: string; at: number; type: 'AUTOMATIC' | 'ON_DEMAND' }[];
  /** imported material: none yet, or its expiry */
  pendingImport?: boolean;
  validTo?: number;
}

export interface AliasRecord {
  name: string;
  keyId: string;
  created: number;
  updated: number;
}

export interface GrantRecord {
  grantId: string;
  token: string;
  keyId: string;
  name?: string;
  created: number;
  grantee: string;
  retiring?: string;
  issuer: string;
  operations: string[];
  constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
}

export interface KmsScope {
  keys: Collection<KeyRecord>;
  aliases: Collection<AliasRecord>;
  grants: Collection<GrantRecord>;
  /** system scope only: key id → "account/region" */
  homes: Collection<string>;
  /** system scope only: grant token → "account/region/grantId" (a retiring principal may be in another account) */
  tokens: Collection<string>;
}

const DAY = 86_400_000;
export const materialId = () => randomBytes(32).toString('hex');

export class KmsStore {
  readonly stores: Stores<KmsScope>;
  readonly master: MasterKey;

  constructor(readonly rt: Runtime) {
    this.stores = rt.stores('kms', (s) => ({
      keys: s.collection<KeyRecord>('keys'),
      aliases: s.collection<AliasRecord>('aliases'),
      grants: s.collection<GrantRecord>('grants'),
      homes: s.collection<string>('homes'),
      tokens: s.collection<string>('tokens'),
    }));
    this.master = new MasterKey(rt);
  }

  scope(account: string, region: string): KmsScope {
    return this.stores.get(account, region);
  }

  keyArn(account: string, region: string, keyId: string): string {
    return `arn:aws:kms:${region}:${account}:key/${keyId}`;
  }

  newKeyId(multiRegion: boolean): string {
    return multiRegion ? 'mrk-' + randomBytes(16).toString('hex') : randomUUID();
  }

  save(k: KeyRecord): void {
    this.scope(k.account, k.region).keys.put(k.keyId, k);
    this.stores.system().homes.put(`${k.keyId}/${k.account}/${k.region}`, k.arn);
  }

  /** A key as stored, after work that came due on the virtual clock (deletion, rotation). */
  private fresh(k: KeyRecord | undefined): KeyRecord | undefined {
    if (!k) return undefined;
    const now = this.rt.clock.nowMs();
    if (k.deletion && k.deletion.at <= now) {
      this.purge(k);
      return undefined;
    }
    if (k.rotation && k.rotation.next <= now && !k.deletion) {
      while (k.rotation.next <= now) {
        k.materials.push({ id: materialId(), at: k.rotation.next, wrapped: this.rotateFrom(k) });
        k.rotations.push({ id: k.materials[k.materials.length - 1].id, at: k.rotation.next, type: 'AUTOMATIC' });
        k.rotation.next += k.rotation.periodDays * DAY;
      }
      this.save(k);
    }
    return k;
  }

  /** new symmetric material for a rotation (only symmetric keys rotate) */
  rotateFrom(_k: KeyRecord): Buffer {
    return this.master.wrap(randomBytes(32));
  }

  purge(k: KeyRecord): void {
    const s = this.scope(k.account, k.region);
    s.keys.delete(k.keyId);
    for (const [name, a] of [...s.aliases.scan({})]) if (a.keyId === k.keyId) s.aliases.delete(name);
    for (const [, g] of [...s.grants.scan({})]) if (g.keyId === k.keyId) this.dropGrant(k.account, k.region, g);
    this.stores.system().homes.delete(`${k.keyId}/${k.account}/${k.region}`);
  }

  saveGrant(account: string, region: string, g: GrantRecord): void {
    this.scope(account, region).grants.put(g.grantId, g);
    this.stores.system().tokens.put(g.token, `${account}/${region}/${g.grantId}`);
  }

  dropGrant(account: string, region: string, g: GrantRecord): void {
    this.scope(account, region).grants.delete(g.grantId);
    this.stores.system().tokens.delete(g.token);
  }

  /** A grant by its token, wherever its key lives (grants made before the index: the caller's scope). */
  grantByToken(token: string, account: string, region: string): { grant: GrantRecord; account: string; region: string } | undefined {
    const home = this.stores.system().tokens.get(token);
    if (home) {
      const [acc, reg, id] = home.split('/');
      const grant = this.scope(acc, reg).grants.get(id);
      return grant ? { grant, account: acc, region: reg } : undefined;
    }
    const grant = [...this.scope(account, region).grants.scan({})].map(([, g]) => g).find((g) => g.token === token);
    return grant ? { grant, account, region } : undefined;
  }

  /** Every key of an account and region that still exists. */
  list(account: string, region: string): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (const [, value] of [...this.scope(account, region).keys.scan({})]) {
      const k = this.fresh(value);
      if (k) out.push(k);
    }
    return out.sort((a, b) => a.created - b.created || a.keyId.localeCompare(b.keyId));
  }

  /** A key by its own id, in any account or region where it lives (the caller's region first). */
  byId(keyId: string, account?: string, region?: string): KeyRecord | undefined {
    if (account && region) {
      const local = this.fresh(this.scope(account, region).keys.get(keyId));
      if (local) return local;
    }
    for (const [key] of [...this.stores.system().homes.scan({ prefix: keyId + '/' })]) {
      const [, acc, reg] = key.split('/');
      const k = this.fresh(this.scope(acc, reg).keys.get(keyId));
      if (k) return k;
    }
    return undefined;
  }

  /**
   * A key by key id, key ARN, alias name or alias ARN (NotFoundException when there is none).
   * It may be in any state: callers check what their operation needs.
   */
  resolve(account: string, region: string, ref: string): KeyRecord {
    const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key|alias)\/(.+)$/.exec(ref);
    let acc = account,
      reg = region,
      id = ref;
    if (arn) {
      [, reg, acc] = arn;
      id = arn[3] === 'alias' ? 'alias/' + arn[4] : arn[4];
    }
    if (id.startsWith('alias/')) {
      const a = this.scope(acc, reg).aliases.get(id);
      const k = a && this.fresh(this.scope(acc, reg).keys.get(a.keyId));
      if (!k) throw new ServiceError('NotFoundException', `Alias ${arn ? ref : `arn:aws:kms:${reg}:${acc}:${id}`} is not found.`);
      return k;
    }
    const k = this.fresh(this.scope(acc, reg).keys.get(id));
    if (!k) {
      if (!arn && !/^(mrk-[0-9a-f]{32}|[0-9a-f-]{36})$/.test(id)) throw new ServiceError('NotFoundException', `Invalid keyId '${id}'`);
      throw new ServiceError('NotFoundException', `Key '${this.keyArn(acc, reg, id)}' does not exist`);
    }
    return k;
  }

  state(k: KeyRecord): KeyState {
    if (k.deletion) return 'PendingDeletion';
    if (k.pendingImport || (k.validTo !== undefined && k.validTo <= this.rt.clock.nowMs())) return 'PendingImport';
    return k.enabled ? 'Enabled' : 'Disabled';
  }

  /** A key a cryptographic operation may use: enabled, not pending deletion or import. */
  usable(k: KeyRecord): KeyRecord {
    const state = this.state(k);
    if (state === 'Disabled') throw new ServiceError('DisabledException', `${k.arn} is disabled.`);
    if (state === 'PendingDeletion') throw new ServiceError('KMSInvalidStateException', `${k.arn} is pending deletion.`);
    if (state === 'PendingImport') throw new ServiceError('KMSInvalidStateException', `${k.arn} is pending import.`);
    return k;
  }

  /** A key for a management operation that is refused while deletion is pending. */
  notPendingDeletion(k: KeyRecord): KeyRecord {
    if (k.deletion) throw new ServiceError('KMSInvalidStateException', `${k.arn} is pending deletion.`);
    return k;
  }

  material(k: KeyRecord, id?: string): Buffer {
    const m = id === undefined ? k.materials[k.materials.length - 1] : k.materials.find((x) => x.id === id);
    if (!m) throw new ServiceError('InvalidCiphertextException', '');
    return this.master.unwrap(m.wrapped);
  }

  metadata(k: KeyRecord): KeyMetadata {
    const state = this.state(k);
    return {
      AWSAccountId: k.account,
      KeyId: k.keyId,
      Arn: k.arn,
      CreationDate: new Date(k.created),
      Enabled: state === 'Enabled',
      Description: k.description,
      KeyUsage: k.usage,
      KeyState: state,
      ...(k.deletion ? { DeletionDate: new Date(k.deletion.at), PendingDeletionWindowInDays: k.deletion.days } : {}),
      Origin: k.origin,
      KeyManager: k.manager,
      CustomerMasterKeySpec: k.spec as KeyMetadata['CustomerMasterKeySpec'],
      KeySpec: k.spec,
      ...algorithms(k.spec, k.usage),
      MultiRegion: !!k.multiRegion,
      ...(k.multiRegion
        ? {
            MultiRegionConfiguration: {
              MultiRegionKeyType: k.multiRegion.type,
              PrimaryKey: { Arn: k.multiRegion.primary, Region: k.multiRegion.primary.split(':')[3] },
              ReplicaKeys: k.multiRegion.replicas.map((arn) => ({ Arn: arn, Region: arn.split(':')[3] })),
            },
          }
        : {}),
      ...(k.validTo
        ? { ValidTo: new Date(k.validTo), ExpirationModel: 'KEY_MATERIAL_EXPIRES' as const }
        : k.origin === 'EXTERNAL'
          ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const }
          : {}),
      ...(k.spec === 'SYMMETRIC_DEFAULT' && k.materials.length ? { CurrentKeyMaterialId: k.materials[k.materials.length - 1].id } : {}),
    };
  }
}

export { DAY };
