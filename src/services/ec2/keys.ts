// Key material with node:crypto: new RSA and ED25519 key pairs (PEM / OpenSSH private keys), the
// OpenSSH public key line, and fingerprints as EC2 computes them.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

const sshString = (b: Buffer | string) => {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
};
const mpint = (b: Buffer) => sshString(b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
const colonHex = (b: Buffer) => b.toString('hex').match(/../g)!.join(':');

function publicBlob(key: KeyObject): { type: string; blob: Buffer } {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA')
    return {
      type: 'ssh-rsa',
      blob: Buffer.concat([sshString('ssh-rsa'), mpint(Buffer.from(jwk.e!, 'base64url')), mpint(Buffer.from(jwk.n!, 'base64url'))]),
    };
  return { type: 'ssh-ed25519', blob: Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x!, 'base64url'))]) };
}

export interface NewKey {
  material: string;
  fingerprint: string;
  publicKey: string;
}

export function createKey(type: 'rsa' | 'ed25519', name: string): NewKey {
  if (type === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });
    const { type: t, blob } = publicBlob(publicKey);
    return {
      material: (privateKey.export({ format: 'pem', type: 'pkcs1' }) as string).trimEnd(),
      fingerprint: colonHex(createHash('sha1').update(pkcs8).digest()),
      publicKey: `${t} ${blob.toString('base64')} ${name}`,
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = Buffer.from(jwk.x!, 'base64url');
  const seed = Buffer.from(jwk.d!, 'base64url');
  const { blob } = publicBlob(publicKey);
  const check = randomBytes(4);
  let priv = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(name),
  ]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const whole = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    Buffer.from([0, 0, 0, 1]),
    sshString(blob),
    sshString(priv),
  ]);
  const b64 = whole
    .toString('base64')
    .match(/.{1,70}/g)!
    .join('\n');
  return {
    material: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----`,
    fingerprint: createHash('sha256').update(blob).digest('base64'),
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${name}`,
  };
}

/** An imported public key (OpenSSH line, PEM or DER): its type, fingerprint and OpenSSH line; undefined when unreadable. */
export function importKey(material: Buffer, name: string): { type: 'rsa' | 'ed25519'; fingerprint: string; publicKey: string } | undefined {
  let key: KeyObject | undefined;
  const text = material.toString('utf8').trim();
  const m = /^(ssh-rsa|ssh-ed25519)\s+([A-Za-z0-9+/=]+)/.exec(text);
  try {
    if (m) {
      const blob = Buffer.from(m[2], 'base64');
      const fields: Buffer[] = [];
      for (let at = 0; at < blob.length;) {
        const len = blob.readUInt32BE(at);
        fields.push(blob.subarray(at + 4, at + 4 + len));
        at += 4 + len;
      }
      if (fields[0]?.toString() !== m[1]) return undefined;
      if (m[1] === 'ssh-rsa') {
        const strip = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b);
        key = createPublicKey({
          key: { kty: 'RSA', e: strip(fields[1]).toString('base64url'), n: strip(fields[2]).toString('base64url') },
          format: 'jwk',
        });
      } else {
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: fields[1].toString('base64url') }, format: 'jwk' });
      }
    } else {
      key = createPublicKey(text.startsWith('-----') ? text : { key: material, format: 'der', type: 'spki' });
    }
  } catch {
    return undefined;
  }
  const kind = key.asymmetricKeyType;
  if (kind !== 'rsa' && kind !== 'ed25519') return undefined;
  if (kind === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) return undefined;
  const { type, blob } = publicBlob(key);
  const fingerprint =
    kind === 'rsa'
      ? colonHex(
          createHash('md5')
            .update(key.export({ format: 'der', type: 'spki' }))
            .digest(),
        )
      : createHash('sha256').update(blob).digest('base64');
  return { type: kind, fingerprint, publicKey: `${type} ${blob.toString('base64')} ${name}` };
}
