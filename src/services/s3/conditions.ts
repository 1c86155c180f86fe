// Conditional requests (If-Match, If-None-Match, If-(Un)Modified-Since) and byte ranges.
import { ServiceError } from '../errors.js';
import { noSuchKey, notModified, preconditionFailed } from './errors.js';
import type { ObjectRecord } from './store.js';

const matches = (list: string, etag: string) =>
  list
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t === etag || `"${t}"` === etag);

/** HTTP dates have whole seconds: compare at that resolution. */
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

export interface Conditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

/** GET/HEAD: a failed If-Match / If-Unmodified-Since is 412, a satisfied If-None-Match / If-Modified-Since 304. */
export function checkReadConditions(rec: ObjectRecord, c: Conditions): void {
  if (c.IfMatch !== undefined) {
    if (!matches(c.IfMatch, rec.etag)) throw preconditionFailed('If-Match');
  } else if (c.IfUnmodifiedSince && seconds(rec.lastModified) > seconds(c.IfUnmodifiedSince)) {
    throw preconditionFailed('If-Unmodified-Since');
  }
  if (c.IfNoneMatch !== undefined) {
    if (matches(c.IfNoneMatch, rec.etag)) throw notModified(rec);
  } else if (c.IfModifiedSince && seconds(rec.lastModified) <= seconds(c.IfModifiedSince)) {
    throw notModified(rec);
  }
}

/** CopyObject / UploadPartCopy: every failed x-amz-copy-source-if-* condition is 412. */
export function checkCopyConditions(rec: ObjectRecord, c: Conditions): void {
  if (c.IfMatch !== undefined && !matches(c.IfMatch, rec.etag)) throw preconditionFailed('x-amz-copy-source-If-Match');
  if (c.IfMatch === undefined && c.IfUnmodifiedSince && seconds(rec.lastModified) > seconds(c.IfUnmodifiedSince)) {
    throw preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (c.IfNoneMatch !== undefined && matches(c.IfNoneMatch, rec.etag)) throw preconditionFailed('x-amz-copy-source-If-None-Match');
  if (c.IfNoneMatch === undefined && c.IfModifiedSince && seconds(rec.lastModified) <= seconds(c.IfModifiedSince)) {
    throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
  }
}

/** PUT with If-None-Match: * (create only) or If-Match: <etag> (replace only that version). */
export function checkWriteConditions(current: ObjectRecord | undefined, c: { IfMatch?: string; IfNoneMatch?: string }, key: string): void {
  const live = current && !current.deleteMarker ? current : undefined;
  if (c.IfNoneMatch !== undefined) {
    if (c.IfNoneMatch.trim() !== '*')
      throw new ServiceError('NotImplemented', 'A header you provided implies functionality that is not implemented', 501, {
        Header: 'If-None-Match',
      });
    if (live) throw preconditionFailed('If-None-Match');
  }
  if (c.IfMatch !== undefined) {
    if (!live) throw noSuchKey(key);
    if (!matches(c.IfMatch, live.etag)) throw preconditionFailed('If-Match');
  }
}

/** A `bytes=` range within an object of `size` bytes: undefined when the header is not a usable range (the whole object is sent). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw invalidRange(header, size);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Number(m[2]);
    if (end < start) return undefined;
    if (start >= size) throw invalidRange(header, size);
    end = Math.min(end, size - 1);
  }
  return { start, end };
}

export const invalidRange = (range: string, size: number) =>
  new ServiceError('InvalidRange', 'The requested range is not satisfiable', 416, { RangeRequested: range, ActualObjectSize: size });
