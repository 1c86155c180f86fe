// The send stage: the response on the wire, with the service's request-id and checksum headers.
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { HttpRequest, HttpResponse } from '../protocols/types.js';
import type { ServiceProfile } from '../services/types.js';

export function send(
  res: ServerResponse,
  req: HttpRequest,
  r: HttpResponse,
  requestId: string,
  profile: ServiceProfile,
  cors: Record<string, string>,
): void {
  const headers: Record<string, string | string[]> = { ...r.headers, ...cors };
  Object.assign(headers, profile.requestIdHeaders?.(requestId) ?? { 'x-amzn-RequestId': requestId });
  const body = r.body;
  if (body instanceof Readable) {
    res.writeHead(r.status, headers);
    if (req.method === 'HEAD') {
      body.destroy();
      res.end();
      return;
    }
    body.on('error', () => res.destroy());
    body.pipe(res);
    return;
  }
  // a 304 has no body, nor the headers that describe one
  if (r.status === 304) {
    for (const h of Object.keys(headers)) if (/^content-(type|length)$/i.test(h)) delete headers[h];
    res.writeHead(r.status, headers);
    res.end();
    return;
  }
  const buf = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  if (profile.responseChecksum === 'crc32') headers['x-amz-crc32'] = String(crc32(buf ?? Buffer.alloc(0)));
  // a HEAD answer may carry the object's Content-Length (bound from the model) without a body
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(buf?.length ?? 0);
  res.writeHead(r.status, headers);
  res.end(req.method === 'HEAD' ? undefined : buf);
}
