// RSA signatures over a precomputed digest (MessageType DIGEST): PKCS#1 v1.5 with the DigestInfo
// prefix, and EMSA-PSS (RFC 8017 §9.1, MGF1 with the same hash, salt as long as the digest) with
// raw RSA. node:crypto signs only messages, so the encodings are done here.
import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

const DIGEST_INFO: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

function mgf1(hash: string, seed: Buffer, len: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * seed.length < len; i++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(i);
    out.push(createHash(hash).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, len);
}

const modBytes = (key: KeyObject) => (key.asymmetricKeyDetails!.modulusLength! + 7) >> 3;

export function pkcs1Sign(key: KeyObject, hash: string, digest: Buffer): Buffer {
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]));
}

export function pkcs1Verify(key: KeyObject, hash: string, digest: Buffer, sig: Buffer): boolean {
  try {
    const got = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
    const want = Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]);
    return got.length === want.length && timingSafeEqual(got, want);
  } catch {
    return false;
  }
}

export function pssSign(key: KeyObject, hash: string, digest: Buffer): Buffer {
  const k = modBytes(key);
  const emBits = key.asymmetricKeyDetails!.modulusLength! - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = digest.length;
  const salt = randomBytes(hLen);
  const H = createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 2 * hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(hash, H, emLen - hLen - 1);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([Buffer.alloc(k - emLen), db, H, Buffer.from([0xbc])]);
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, em);
}

export function pssVerify(key: KeyObject, hash: string, digest: Buffer, sig: Buffer): boolean {
  const k = modBytes(key);
  if (sig.length !== k) return false;
  let em: Buffer;
  try {
    em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, sig);
  } catch {
    return false;
  }
  const emBits = key.asymmetricKeyDetails!.modulusLength! - 1;
  const emLen = Math.ceil(emBits / 8);
  em = em.subarray(em.length - emLen);
  const hLen = digest.length;
  if (em[emLen - 1] !== 0xbc) return false;
  const db = Buffer.from(em.subarray(0, emLen - hLen - 1));
  const H = em.subarray(emLen - hLen - 1, emLen - 1);
  const mask = mgf1(hash, H, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const ps = emLen - 2 * hLen - 2;
  for (let i = 0; i < ps; i++) if (db[i] !== 0) return false;
  if (db[ps] !== 1) return false;
  const salt = db.subarray(db.length - hLen);
  return createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest().equals(H);
}
