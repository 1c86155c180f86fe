// PostObject: the browser upload. An HTML form posts multipart/form-data to the bucket's URL; the
// fields before the `file` part are PutObject's headers as form fields, plus the key, a signed
// policy and what to answer. The file streams into a blob the way PutObject's body does (MD5 and
// a checksum computed on the way), and nothing is stored unless the whole form was read and
// every check passed.
import { sealWithKms, sseOut } from './kms.js';
import { Readable, Transform } from 'node:stream';
import type { Runtime } from '../../runtime.js';
import type { RequestContext } from '../types.js';
import type { PostObjectOutput, PutObjectRequest, S3Provider, Tag } from '../../generated/s3.js';
import { ServiceError } from '../errors.js';
import { loadModel, parseXml, restXml, XmlReader } from '../../kit.js';
import { type S3Store, type BucketRecord, type ObjectRecord } from './store.js';
import type { Events } from './events.js';
import { malformedXml, noSuchBucket, preconditionFailed } from './errors.js';
import { storeBody } from './upload.js';
import { checksumFields, expectedChecksums } from './checksums.js';
import { checkMetadata, checkTags, contentHeaders, sse, storageClass } from './attributes.js';
import { checkCannedAcl } from './acl.js';
import { checkWriteAcl, writerOf, writtenBy } from './ownership.js';
import { lockFromInput } from './lock.js';
import { isVersioned, newVersionId } from './objects.js';
import { malformedPost, readForm, type PostForm } from './post-form.js';
import { checkConditions, checkExpiration, checkSize, parsePolicy, type SizeRange } from './post-policy.js';
import { missingField, postSigner } from './post-signer.js';

/** A POST carries one object of at most 5 GiB, as a PUT does. */
const MAX_OBJECT = 5 * 1024 ** 3;

export function postObjectHandlers(rt: Runtime, store: S3Store, events: Events): Pick<S3Provider, 'PostObject'> {
  return {
    PostObject: async (input, ctx) => {
      const b = store.bucket(input.Bucket);
      const type = input.ContentType ?? '';
      if (!/^multipart\/form-data\s*(;|$)/i.test(type))
        throw preconditionFailed('Bucket POST must be of the enclosure-type multipart/form-data');
      const body = input.Body instanceof Readable ? input.Body : Readable.from([Buffer.from(input.Body ?? '')]);
      const form = await readForm(body, type);
      try {
        return await upload(rt, store, events, b, form, ctx);
      } catch (e) {
        form.abort();
        throw e;
      }
    },
  };
}

async function upload(
  rt: Runtime,
  store: S3Store,
  events: Events,
  b: BucketRecord,
  form: PostForm,
  ctx: RequestContext,
): Promise<PostObjectOutput> {
  const fields = fieldMap(form);
  const key = fields.get('key');
  if (!key) throw missingField('key');
  if (!form.file)
    throw new ServiceError('InvalidArgument', 'POST requires exactly one file upload per request.', 400, {
      ArgumentName: 'file',
      ArgumentValue: '0',
    });

  const signer = postSigner(rt, fields, b, key);
  let range: SizeRange = { min: 0, max: MAX_OBJECT };
  if (signer.signed) {
    const policy = parsePolicy(fields.get('policy')!);
    // the client wrote the expiration by its own clock: judge it on virtual time as of its signing
    const shift = signer.signedAt === undefined ? 0 : rt.clock.toVirtual(signer.signedAt) - signer.signedAt;
    checkExpiration(policy, rt.clock.nowMs(), shift);
    range = checkConditions(
      policy,
      b.name,
      fields,
      form.fields.map((f) => f.name),
      signer.sigV2,
    );
    range.max = Math.min(range.max, MAX_OBJECT);
  }
  // then the form's signer must be allowed s3:PutObject on the key (IAM evaluates it as a PutObject of theirs)
  if (signer.signed && rt.config.enforceIam && rt.pipeline.authorizing) {
    const put = putInput(fields);
    await rt.pipeline.authorize({
      requestId: ctx.requestId,
      service: 's3',
      operation: 'PutObject',
      protocol: 'rest-xml',
      account: signer.principal.account,
      region: b.region,
      principal: signer.principal,
      input: { ...put, Bucket: b.name, Key: key },
      headers: ctx.headers,
      sourceIp: ctx.sourceIp ?? '127.0.0.1',
      secure: false,
      time: ctx.clock.now(),
      ...(typeof ctx.headers['user-agent'] === 'string' ? { userAgent: ctx.headers['user-agent'] } : {}),
    });
  }

  if (Buffer.byteLength(key) > 1024)
    throw new ServiceError('KeyTooLongError', 'Your key is too long', 400, { MaxSizeAllowed: 1024, Size: Buffer.byteLength(key) });
  const put = putInput(fields);
  const acl = fields.get('acl');
  checkCannedAcl(acl);
  checkWriteAcl(b, writerOf(b, ctx), acl);
  const by = writtenBy(b, writerOf(b, ctx), acl);
  const now = ctx.clock.now();
  const base = {
    headers: contentHeaders(put),
    metadata: checkMetadata(put.Metadata),
    tags: taggingField(fields.get('tagging')),
    storageClass: storageClass(put.StorageClass),
    sse: sealWithKms(rt, ctx, b, key, sse(put, b)),
    lock: lockFromInput(b, put, now),
    acl,
    ...(by !== undefined ? { owner: by } : {}),
  };
  // S3 gives every new object a checksum: CRC64NVME unless the form names another
  const expected = expectedChecksums({ ...put, ChecksumAlgorithm: fields.get('x-amz-checksum-algorithm') ?? put.ChecksumAlgorithm }, {});
  expected.algorithm ??= 'CRC64NVME';

  const file = sizeGuard(range.max);
  // a form cut short fails the store; a part the parser could not finish is a malformed form
  form.file.stream.once('error', (e) => file.destroy(e instanceof ServiceError ? e : malformedPost()));
  const body = await storeBody(rt, form.file.stream.pipe(file), expected, undefined, false);
  try {
    checkSize(body.size, range);
    await form.done; // the rest of the form must be well-formed too
    if (!store.buckets.has(b.name)) throw noSuchBucket(b.name); // deleted while the file streamed in
  } catch (e) {
    if (body.blob) rt.engine.blobs.delete(body.blob);
    throw e;
  }
  const rec: ObjectRecord = {
    key,
    versionId: newVersionId(b),
    blob: body.blob,
    data: body.data,
    size: body.size,
    etag: `"${body.md5}"`,
    lastModified: now,
    ...base,
    checksum: body.checksum,
    seq: store.nextSeq(),
  };
  for (const replaced of store.putVersion(b, rec)) rt.engine.blobs.delete(replaced);
  events.emit(b, 'ObjectCreated:Post', rec, { ...ctx, principal: signer.principal, account: signer.principal.account });
  return answer(b, rec, fields, ctx);
}

/** Fields by lowercased name, `${filename}` expanded; a name given twice holds both values joined by a comma. */
function fieldMap(form: PostForm): Map<string, string> {
  const name = form.file?.filename;
  // only the text after the last slash or backslash of what the browser sent; no filename parameter: no expansion
  const base = name === undefined ? undefined : name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const fields = new Map<string, string>();
  for (const f of form.fields) {
    const k = f.name.toLowerCase();
    const v = base === undefined ? f.value : f.value.replaceAll('${filename}', base);
    fields.set(k, fields.has(k) ? `${fields.get(k)},${v}` : v);
  }
  return fields;
}

/**
 * The fields that are PutObject's headers, read by the model's header bindings exactly as those
 * headers would be (Content-Type, x-amz-meta-*, x-amz-server-side-encryption, …).
 */
function putInput(fields: Map<string, string>): PutObjectRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of fields) headers[k] = v;
  const input = restXml.parse(loadModel('s3')!, 'PutObject', {
    method: 'PUT',
    path: '/',
    rawQuery: '',
    query: new Map(),
    headers,
    body: Buffer.alloc(0),
  }) as unknown as PutObjectRequest;
  // a form is UTF-8: header values go out as those bytes, metadata encoded as RFC 2047 says
  for (const h of [
    'ContentType',
    'ContentEncoding',
    'ContentDisposition',
    'ContentLanguage',
    'CacheControl',
    'Expires',
    'WebsiteRedirectLocation',
  ] as const) {
    const v = input[h];
    if (typeof v === 'string' && /[^\x20-\x7e\t]/.test(v))
      (input as unknown as Record<string, unknown>)[h] = Buffer.from(v, 'utf8').toString('latin1');
  }
  if (input.Metadata) input.Metadata = Object.fromEntries(Object.entries(input.Metadata).map(([k, v]) => [k, mailSafe(v)]));
  return input;
}

/** A metadata value S3 can send back as a header: non-ASCII text becomes an RFC 2047 encoded word (Q, or B when mostly binary). */
export function mailSafe(v: string): string {
  const unsafe = [...v].filter((c) => !/[\x20-\x7e\t\r\n]/.test(c)).length;
  if (unsafe === 0) return v;
  const bytes = Buffer.from(v, 'utf8');
  if (unsafe >= [...v].length - unsafe) return `=?UTF-8?B?${bytes.toString('base64')}?=`;
  let q = '';
  for (const byte of bytes) {
    if (byte === 0x20) q += '_';
    else if (/[A-Za-z0-9!*+\-/]/.test(String.fromCharCode(byte))) q += String.fromCharCode(byte);
    else q += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?UTF-8?Q?${q}?=`;
}

/** The `tagging` field: `<Tagging><TagSet><Tag>…` (S3 reads the TagSet whatever the root element is called). */
function taggingField(xml: string | undefined): Record<string, string> {
  if (!xml) return {};
  const model = loadModel('s3')!;
  let tagging: { TagSet?: Tag[] };
  try {
    tagging = new XmlReader(model, malformedXml).value({ shape: 'Tagging' }, parseXml(xml)) as { TagSet?: Tag[] };
  } catch (e) {
    throw e instanceof ServiceError ? e : malformedXml();
  }
  return checkTags(tagging.TagSet ?? []);
}

/**
 * Passes the file through while counting it. Past `max` bytes it stops passing data on but reads
 * to the end, so the error can say how large the upload was (and the browser sees it).
 */
function sizeGuard(max: number): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      cb(null, size > max ? undefined : chunk);
    },
    flush(cb) {
      cb(
        size > max
          ? new ServiceError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, {
              ProposedSize: size,
              MaxSizeAllowed: max,
            })
          : null,
      );
    },
  });
}

/** 303 to success_action_redirect when it is a URL; else success_action_status 200, 201 (with the PostResponse document) or 204. */
function answer(b: BucketRecord, rec: ObjectRecord, fields: Map<string, string>, ctx: RequestContext): PostObjectOutput {
  const location = objectUrl(String(ctx.headers.host ?? 'localhost'), b.name, rec.key);
  const out: PostObjectOutput = {
    ETag: rec.etag,
    Location: location,
    ...checksumFields(rec.checksum),
    ...(isVersioned(b) ? { VersionId: rec.versionId } : {}),
    ...sseOut(rec.sse),
  };
  const redirect = redirectUrl(fields.get('success_action_redirect') ?? fields.get('redirect'), b.name, rec);
  if (redirect) return { ...out, StatusCode: 303, Location: redirect };
  const status = fields.get('success_action_status');
  if (status === '201')
    return { ...out, StatusCode: 201, PostResponse: { Location: location, Bucket: b.name, Key: rec.key, ETag: rec.etag } };
  return { ...out, StatusCode: status === '200' ? 200 : 204 };
}

/** The object's URL as the request addressed the bucket (virtual host or path), the key escaped '/' included, as S3 does. */
function objectUrl(host: string, bucket: string, key: string): string {
  const virtual = host.toLowerCase().startsWith(`${bucket}.`);
  return `http://${host}/${virtual ? '' : `${bucket}/`}${encodeURIComponent(key)}`;
}

/** The redirect target with bucket, key and etag appended (form-encoded); undefined when the value is no http(s) URL. */
function redirectUrl(target: string | undefined, bucket: string, rec: ObjectRecord): string | undefined {
  if (!target) return undefined;
  try {
    if (!/^https?:$/.test(new URL(target).protocol)) return undefined;
  } catch {
    return undefined; // S3 acts as if a URL it cannot read were not there
  }
  const query = new URLSearchParams({ bucket, key: rec.key, etag: rec.etag }).toString();
  return `${target}${target.includes('?') ? '&' : '?'}${query}`;
}
