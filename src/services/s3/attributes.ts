// What an object carries besides its bytes, read from a request and written back to a response:
// content headers, user metadata, tags, storage class, encryption, the owner.
import { checkKmsHeaders, sseOut } from './kms.js';
import { createHash } from 'node:crypto';
import { ServiceError } from '../errors.js';
import type {
  ObjectLockLegalHoldStatus,
  ObjectLockMode,
  Owner,
  ServerSideEncryptionConfiguration,
  StorageClass,
  Tag,
} from '../../generated/s3.js';
import { CONTENT_HEADERS, type BucketRecord, type ObjectRecord } from './store.js';
import { invalidArgument } from './errors.js';

/** The canonical user id of an account (64 hex digits, as S3 shows owners). */
export const canonicalId = (account: string) => createHash('sha256').update(`nimbus:${account}`).digest('hex');
export const owner = (account: string): Owner => ({ ID: canonicalId(account), DisplayName: 'webfile' });

const STORAGE_CLASSES = new Set<string>([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
]);

export function storageClass(sc: string | undefined): string {
  if (sc === undefined) return 'STANDARD';
  if (!STORAGE_CLASSES.has(sc))
    throw new ServiceError('InvalidStorageClass', 'The storage class you specified is not valid', 400, { StorageClassRequested: sc });
  return sc;
}

type WithContent = Partial<Record<(typeof CONTENT_HEADERS)[number], string>>;

export function contentHeaders(input: WithContent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of CONTENT_HEADERS) if (input[h] !== undefined) out[h] = input[h]!;
  out.ContentType ??= 'binary/octet-stream';
  return out;
}

export function checkMetadata(meta: Record<string, string> | undefined): Record<string, string> {
  const m = meta ?? {};
  const size = Object.entries(m).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > 2048) {
    throw new ServiceError('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size', 400, {
      Size: size,
      MaxSizeAllowed: 2048,
    });
  }
  return m;
}

/** Tags from the `x-amz-tagging` header (URL query form). */
export function parseTaggingHeader(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  const tags: Tag[] = [...new URLSearchParams(raw)].map(([Key, Value]) => ({ Key, Value }));
  return checkTags(tags);
}

export function checkTags(tags: Tag[], max = 10): Record<string, string> {
  if (tags.length > max) throw new ServiceError('BadRequest', `Object tags cannot be greater than ${max}`, 400);
  const out: Record<string, string> = {};
  for (const { Key, Value } of tags) {
    if (Key in out) throw new ServiceError('InvalidTag', 'Cannot provide multiple Tags with the same key', 400, { TagKey: Key });
    if (!Key || Key.length > 128) throw new ServiceError('InvalidTag', 'The TagKey you have provided is invalid', 400, { TagKey: Key });
    if ((Value ?? '').length > 256)
      throw new ServiceError('InvalidTag', 'The TagValue you have provided is too long', 400, { TagKey: Key, TagValue: Value });
    out[Key] = Value ?? '';
  }
  return out;
}

export const tagList = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Server-side encryption as requested (every object is encrypted at rest: AES256 by default). */
type SseInput = {
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
  SSECustomerAlgorithm?: string;
  SSECustomerKeyMD5?: string;
  SSECustomerKey?: string;
};

/** Server-side encryption as requested, else as the bucket's default encryption says (AES256 unless configured). */
export function sse(input: SseInput, b: BucketRecord): Record<string, string | boolean> {
  if (input.SSECustomerAlgorithm) {
    if (input.ServerSideEncryption !== undefined) {
      throw invalidArgument(
        'Server Side Encryption with Customer provided key is incompatible with the encryption method specified',
        'x-amz-server-side-encryption',
        input.ServerSideEncryption,
      );
    }
    if (input.SSECustomerAlgorithm !== 'AES256')
      throw invalidArgument(
        'The encryption algorithm you specified is not valid.',
        'x-amz-server-side-encryption-customer-algorithm',
        input.SSECustomerAlgorithm,
      );
    if (!input.SSECustomerKey)
      throw invalidArgument(
        'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.',
        'x-amz-server-side-encryption',
        'null',
      );
    if (!input.SSECustomerKeyMD5)
      throw invalidArgument(
        'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.',
        'x-amz-server-side-encryption',
        'null',
      );
    const key = Buffer.from(input.SSECustomerKey, 'base64');
    if (key.length !== 32)
      throw invalidArgument('The secret key was invalid for the specified algorithm.', 'x-amz-server-side-encryption-customer-key', '');
    const md5 = createHash('md5').update(key).digest('base64');
    if (input.SSECustomerKeyMD5 !== undefined && input.SSECustomerKeyMD5 !== md5) {
      throw invalidArgument(
        'The calculated MD5 hash of the key did not match the hash that was provided.',
        'x-amz-server-side-encryption-customer-key-MD5',
        input.SSECustomerKeyMD5,
      );
    }
    return { SSECustomerAlgorithm: 'AES256', SSECustomerKeyMD5: md5 };
  }
  checkKmsHeaders(input);
  const rule = (b.config.encryption as ServerSideEncryptionConfiguration | undefined)?.Rules?.[0];
  const byDefault = input.ServerSideEncryption === undefined ? rule?.ApplyServerSideEncryptionByDefault : undefined;
  const alg = input.ServerSideEncryption ?? byDefault?.SSEAlgorithm ?? 'AES256';
  if (alg !== 'AES256' && alg !== 'aws:kms' && alg !== 'aws:kms:dsse')
    throw invalidArgument('The encryption method specified is not supported', 'x-amz-server-side-encryption', alg);
  const out: Record<string, string | boolean> = { ServerSideEncryption: alg };
  if (alg !== 'AES256') {
    // as requested: KMS resolves it (kms.ts)
    const key = input.SSEKMSKeyId ?? byDefault?.KMSMasterKeyID;
    if (key) out.SSEKMSKeyId = key;
    if (input.SSEKMSEncryptionContext !== undefined) out.SSEKMSEncryptionContext = checkEncryptionContext(input.SSEKMSEncryptionContext);
    if (input.BucketKeyEnabled ?? (byDefault && rule?.BucketKeyEnabled)) out.BucketKeyEnabled = true;
  }
  return out;
}

/** x-amz-server-side-encryption-context: base64 of a JSON object of strings. */
function checkEncryptionContext(value: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch {
    doc = undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || Object.values(doc).some((v) => typeof v !== 'string')) {
    throw invalidArgument(
      "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map",
      'x-amz-server-side-encryption-context',
      value,
    );
  }
  return value;
}

/** SSE-C objects are read only with their key. */
export function checkCustomerKey(rec: ObjectRecord, input: { SSECustomerKey?: string; SSECustomerAlgorithm?: string }): void {
  if (!rec.sse?.SSECustomerKeyMD5) return;
  const md5 = input.SSECustomerKey ? createHash('md5').update(Buffer.from(input.SSECustomerKey, 'base64')).digest('base64') : undefined;
  if (!md5)
    throw new ServiceError(
      'InvalidRequest',
      'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
      400,
    );
  if (md5 !== rec.sse.SSECustomerKeyMD5) throw new ServiceError('AccessDenied', 'Access Denied', 403);
}

/** The attributes GET and HEAD answer with. */
export function objectAttributes(rec: ObjectRecord, versioned: boolean) {
  return {
    ...rec.headers,
    ETag: rec.etag,
    LastModified: rec.lastModified,
    Metadata: rec.metadata,
    AcceptRanges: 'bytes',
    ...(versioned ? { VersionId: rec.versionId } : {}),
    ...(rec.storageClass !== 'STANDARD' ? { StorageClass: rec.storageClass as StorageClass } : {}),
    ...(Object.keys(rec.tags).length ? { TagCount: Object.keys(rec.tags).length } : {}),
    ...(rec.parts ? { PartsCount: rec.parts.length } : {}),
    ...sseOut(rec.sse),
    ...(rec.lock?.mode ? { ObjectLockMode: rec.lock.mode as ObjectLockMode, ObjectLockRetainUntilDate: rec.lock.until } : {}),
    ...(rec.lock?.legalHold ? { ObjectLockLegalHoldStatus: rec.lock.legalHold as ObjectLockLegalHoldStatus } : {}),
  };
}
