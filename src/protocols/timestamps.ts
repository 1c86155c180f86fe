// Timestamp wire formats shared by every protocol.
import type { TimestampFormat } from './model.js';
import { ServiceError } from '../services/errors.js';

export function formatTimestamp(d: Date, format: TimestampFormat): string | number {
  switch (format) {
    case 'unixTimestamp':
      return d.getTime() / 1000;
    case 'rfc822':
      return d.toUTCString();
    default: {
      // AWS writes milliseconds only when they are not zero
      const iso = d.toISOString();
      return iso.endsWith('.000Z') ? iso.slice(0, -5) + 'Z' : iso;
    }
  }
}

/** Accepts what clients send: epoch seconds (number or numeric string), ISO 8601, RFC 822/7231. */
export function parseTimestamp(v: unknown, what = 'timestamp'): Date {
  let d: Date | undefined;
  if (v instanceof Date) d = v;
  else if (typeof v === 'number') d = new Date(v * 1000);
  else if (typeof v === 'string' && v.trim() !== '') {
    d = /^-?\d+(\.\d+)?$/.test(v.trim()) ? new Date(Number(v) * 1000) : new Date(v);
  }
  if (!d || Number.isNaN(d.getTime())) {
    throw new ServiceError('SerializationException', `Invalid value for ${what}: ${String(v).slice(0, 100)}`);
  }
  return d;
}
