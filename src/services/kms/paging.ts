// Marker paging as KMS does it: an opaque marker naming where the next page starts.
import { ServiceError } from '../../kit.js';

export function page<T>(all: T[], limit: number | undefined, marker: string | undefined): { items: T[]; next?: string } {
  let start = 0;
  if (marker !== undefined) {
    start = Number.parseInt(Buffer.from(marker, 'base64url').toString(), 10);
    if (!Number.isInteger(start) || start < 0) throw new ServiceError('InvalidMarkerException', 'Invalid marker');
  }
  const n = limit ?? 100;
  const items = all.slice(start, start + n);
  const next = start + n < all.length ? Buffer.from(String(start + n)).toString('base64url') : undefined;
  return { items, next };
}
