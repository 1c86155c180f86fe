// Key pairs: CreateKeyPair (real RSA / ED25519 private keys), ImportKeyPair, Describe, Delete.
import type { Ec2Provider } from '../../generated/ec2.js';
import type { RequestContext } from '../../kit.js';
import { type Ec2State, type Rec, newId, out, tagsFor } from './store.js';
import { applyFilters, type Fields } from './filters.js';
import { ec2Error, invalidParam, missing } from './errors.js';
import { createKey, importKey } from './keys.js';

const keyFields: Fields<Rec> = {
  'key-name': (k) => k.KeyName,
  'key-pair-id': (k) => k.KeyPairId,
  fingerprint: (k) => k.KeyFingerprint,
  'key-type': (k) => k.KeyType,
};

export function keyPairHandlers(s: Ec2State): Ec2Provider {
  const byName = (ctx: RequestContext, name: string) => s.all(ctx, 'keypair').find((k) => k.KeyName === name);

  function checkName(ctx: RequestContext, name: string | undefined): string {
    if (!name) throw missing('KeyName');
    if (name.length > 255 || !/^[\x20-\x7e]+$/.test(name)) throw invalidParam(`Value (${name}) for parameter keyName is invalid.`);
    if (byName(ctx, name)) throw ec2Error('InvalidKeyPair.Duplicate', `The keypair '${name}' already exists.`);
    return name;
  }

  return {
    CreateKeyPair: (input, ctx) => {
      const name = checkName(ctx, input.KeyName);
      const type = input.KeyType ?? 'rsa';
      if (type !== 'rsa' && type !== 'ed25519') throw invalidParam(`Value (${type}) for parameter keyType is invalid.`);
      if (input.KeyFormat === 'ppk') throw invalidParam('Nimbus returns private keys in pem format only.');
      const key = createKey(type, name);
      const id = newId('key');
      const rec = {
        KeyPairId: id,
        KeyName: name,
        KeyType: type,
        KeyFingerprint: key.fingerprint,
        PublicKey: key.publicKey,
        CreateTime: s.now(ctx),
        Tags: tagsFor(input.TagSpecifications, 'key-pair'),
      };
      s.put(ctx, 'keypair', id, rec);
      return { KeyPairId: id, KeyName: name, KeyFingerprint: key.fingerprint, KeyMaterial: key.material, Tags: rec.Tags };
    },

    ImportKeyPair: (input, ctx) => {
      const name = checkName(ctx, input.KeyName);
      if (!input.PublicKeyMaterial) throw missing('PublicKeyMaterial');
      const key = importKey(Buffer.from(input.PublicKeyMaterial), name);
      if (!key) throw ec2Error('InvalidKey.Format', 'Key is not in valid OpenSSH public key format');
      const id = newId('key');
      const rec = {
        KeyPairId: id,
        KeyName: name,
        KeyType: key.type,
        KeyFingerprint: key.fingerprint,
        PublicKey: key.publicKey,
        CreateTime: s.now(ctx),
        Tags: tagsFor(input.TagSpecifications, 'key-pair'),
      };
      s.put(ctx, 'keypair', id, rec);
      return { KeyPairId: id, KeyName: name, KeyFingerprint: key.fingerprint, Tags: rec.Tags };
    },

    DescribeKeyPairs: (input, ctx) => {
      let keys = s.all(ctx, 'keypair');
      for (const name of input.KeyNames ?? [])
        if (!keys.some((k) => k.KeyName === name)) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${name}' does not exist`);
      for (const id of input.KeyPairIds ?? [])
        if (!keys.some((k) => k.KeyPairId === id)) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${id}' does not exist`);
      if (input.KeyNames?.length) keys = keys.filter((k) => input.KeyNames!.includes(k.KeyName));
      if (input.KeyPairIds?.length) keys = keys.filter((k) => input.KeyPairIds!.includes(k.KeyPairId));
      keys = applyFilters(keys, input.Filters, keyFields);
      return { KeyPairs: out(keys.map((k) => (input.IncludePublicKey ? k : { ...k, PublicKey: undefined }))) };
    },

    DeleteKeyPair: (input, ctx) => {
      if (!input.KeyName && !input.KeyPairId) throw missing('KeyName');
      const key = input.KeyPairId ? s.find(ctx, 'keypair', input.KeyPairId) : byName(ctx, input.KeyName!);
      if (!key && input.KeyPairId) throw ec2Error('InvalidKeyPair.NotFound', `The key pair '${input.KeyPairId}' does not exist`);
      if (key) s.delete(ctx, 'keypair', key.KeyPairId);
      return { Return: true, KeyPairId: key?.KeyPairId };
    },
  };
}
