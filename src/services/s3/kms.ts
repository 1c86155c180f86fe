// SSE-KMS through KMS itself: a write asks KMS for a data key under the object's key (the one named,
// the bucket default's, or the account's AWS managed `aws/s3` key) and keeps its encrypted copy; a
// read has KMS decrypt it, so a disabled or deleted key makes the read fail as on AWS. KMS's
// refusals come back as S3 spells them (`KMS.NotFoundException`, `KMS.DisabledException`, …).
import type { Runtime } from '../../runtime.js';
import type { RequestContext } from '../types.js';
import { ServiceError } from '../errors.js';
import { invalidArgument } from './errors.js';
import type { BucketRecord, ObjectRecord } from './store.js';

/** The member of an object's `sse` record holding the data key KMS encrypted (never an output member). */
export const DATA_KEY = '$kmsDataKey';

const isKms = (sse: Record<string, string | boolean> | undefined) =>
  typeof sse?.ServerSideEncryption === 'string' && sse.ServerSideEncryption.startsWith('aws:kms');

/** The encryption context S3 gives KMS: the caller's, with the object's ARN (the bucket's with an S3 Bucket Key). */
function encryptionContext(bucket: string, key: string, sse: Record<string, string | boolean>): Record<string, string> {
  const own =
    typeof sse.SSEKMSEncryptionContext === 'string'
      ? (JSON.parse(Buffer.from(sse.SSEKMSEncryptionContext, 'base64').toString('utf8')) as Record<string, string>)
      : {};
  return { ...own, 'aws:s3:arn': sse.BucketKeyEnabled === true ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}` };
}

/** A KMS failure as S3 answers it: the KMS code prefixed with `KMS.`, KMS's message, 400 (403 for access). */
function asS3(e: unknown): unknown {
  if (!(e instanceof ServiceError)) return e;
  const status = e.code === 'AccessDeniedException' ? 403 : 400;
  return new ServiceError(`KMS.${e.code}`, e.message, status);
}

/** A key id header without SSE-KMS asked for is refused. */
export function checkKmsHeaders(input: { ServerSideEncryption?: string; SSEKMSKeyId?: string }): void {
  if (input.SSEKMSKeyId !== undefined && !(input.ServerSideEncryption ?? '').startsWith('aws:kms')) {
    throw invalidArgument(
      'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id',
      input.SSEKMSKeyId,
    );
  }
}

/**
 * Completes the SSE settings of a new object (or multipart upload) encrypted with SSE-KMS: the key
 * resolved by KMS (its ARN echoed as SSEKMSKeyId) and a data key generated under it. Without KMS in
 * this Nimbus the settings stay as requested.
 */
export function sealWithKms(
  rt: Runtime,
  ctx: RequestContext,
  b: BucketRecord,
  key: string,
  sse: Record<string, string | boolean>,
): Record<string, string | boolean> {
  if (!isKms(sse)) return sse;
  const requested = String(sse.SSEKMSKeyId ?? '');
  const kms = rt.integrations.kms;
  if (!kms) {
    // no KMS here: the key named as an ARN, unchecked
    const key = requested || 'alias/aws/s3';
    return {
      ...sse,
      SSEKMSKeyId: key.startsWith('arn:') ? key : `arn:aws:kms:${b.region}:${ctx.account}:${key.startsWith('alias/') ? key : `key/${key}`}`,
    };
  }
  const managed = !requested || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\/aws\/s3$/.test(requested) || requested === 'alias/aws/s3';
  try {
    const keyId = managed ? kms.awsManagedKey(ctx.account, b.region, 's3') : requested;
    const context = encryptionContext(b.name, key, sse);
    const dataKey = kms.generateDataKey(ctx.account, b.region, keyId, context);
    return { ...sse, SSEKMSKeyId: dataKey.keyArn, [DATA_KEY]: dataKey.ciphertext.toString('base64') };
  } catch (e) {
    throw asS3(e);
  }
}

/** A read of an SSE-KMS object: KMS must decrypt its data key (a disabled key refuses it). */
export function openWithKms(rt: Runtime, b: BucketRecord, rec: ObjectRecord): void {
  const kms = rt.integrations.kms;
  const sealed = rec.sse?.[DATA_KEY];
  if (!kms || typeof sealed !== 'string') return;
  const arn = /^arn:[^:]+:kms:([^:]+):(\d{12}):/.exec(String(rec.sse!.SSEKMSKeyId ?? ''));
  try {
    kms.decrypt(arn?.[2] ?? b.owner, arn?.[1] ?? b.region, Buffer.from(sealed, 'base64'), encryptionContext(b.name, rec.key, rec.sse!));
  } catch (e) {
    throw asS3(e);
  }
}

/** The SSE members of an answer: the stored settings without the sealed data key. */
export function sseOut(sse: Record<string, string | boolean> | undefined): Record<string, string | boolean> {
  if (!sse || !(DATA_KEY in sse)) return sse ?? {};
  const { [DATA_KEY]: _sealed, ...rest } = sse;
  return rest;
}
