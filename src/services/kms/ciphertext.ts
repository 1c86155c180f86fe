// Symmetric ciphertext blobs: AES-256-GCM under one of the key's materials, with the encryption
// context as additional authenticated data. The blob names its key and material, so Decrypt needs
// no KeyId and rotated keys still decrypt old blobs. Any altered byte fails the GCM tag.
//   0x01 | len | key id (ASCII) | material id (32 bytes) | iv (12) | tag (16) | ciphertext
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ServiceError } from '../../kit.js';

export interface ParsedBlob {
  keyId: string;
  materialId: string;
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
}

/** The encryption context in one canonical byte string (order of pairs does not matter). */
export function contextBytes(context: Record<string, string> | undefined): Buffer {
  const pairs = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(pairs));
}

export function seal(keyId: string, materialId: string, material: Buffer, plaintext: Buffer, context?: Record<string, string>): Buffer {
  const id = Buffer.from(keyId, 'latin1');
  const header = Buffer.concat([Buffer.from([1, id.length]), id, Buffer.from(materialId, 'hex')]);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', material, iv);
  c.setAAD(Buffer.concat([header, contextBytes(context)]));
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([header, iv, c.getAuthTag(), body]);
}

const invalid = () => new ServiceError('InvalidCiphertextException', '');

export function parse(blob: Buffer): ParsedBlob {
  if (blob.length < 2 || blob[0] !== 1) throw invalid();
  const idLen = blob[1];
  const headerLen = 2 + idLen + 32;
  if (blob.length < headerLen + 28) throw invalid();
  const header = blob.subarray(0, headerLen);
  return {
    keyId: blob.subarray(2, 2 + idLen).toString('latin1'),
    materialId: blob.subarray(2 + idLen, headerLen).toString('hex'),
    header,
    iv: blob.subarray(headerLen, headerLen + 12),
    tag: blob.subarray(headerLen + 12, headerLen + 28),
    body: blob.subarray(headerLen + 28),
  };
}

export function open(p: ParsedBlob, material: Buffer, context?: Record<string, string>): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', material, p.iv);
    d.setAAD(Buffer.concat([p.header, contextBytes(context)]));
    d.setAuthTag(p.tag);
    return Buffer.concat([d.update(p.body), d.final()]);
  } catch {
    throw invalid();
  }
}
