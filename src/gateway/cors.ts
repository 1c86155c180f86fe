// Browsers calling Nimbus from a web page: preflights (OPTIONS) and the CORS headers of responses.
// A service whose resources carry their own CORS rules (S3's buckets) answers through the `cors`
// hook of its ServiceDefinition (its profile); every other request is allowed from any origin, as LocalStack does
// by default.
import type { HttpRequest, HttpResponse } from '../protocols/types.js';

export type { CorsRules } from '../services/types.js';

const EXPOSE =
  'etag, x-amz-request-id, x-amz-id-2, x-amzn-requestid, x-amz-version-id, x-amz-delete-marker, ' +
  'x-amz-checksum-crc32, x-amz-checksum-crc32c, x-amz-checksum-crc64nvme, x-amz-checksum-sha1, x-amz-checksum-sha256, ' +
  'x-amz-server-side-encryption, x-amzn-errortype, x-amzn-query-error, content-length, content-range, last-modified';

/** The default preflight answer: every origin, method and header allowed. */
export function allowAllPreflight(req: HttpRequest): HttpResponse {
  return {
    status: 200,
    headers: {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-methods': 'GET, PUT, POST, DELETE, HEAD, OPTIONS, PATCH',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      'access-control-max-age': '3000',
      'access-control-expose-headers': EXPOSE,
      vary: 'Origin',
    },
  };
}

/** The default headers of a response to a request with an Origin: that origin allowed. */
export function allowAllHeaders(req: HttpRequest): Record<string, string> {
  if (!req.headers.origin) return {};
  return { 'access-control-allow-origin': req.headers.origin, 'access-control-expose-headers': EXPOSE, vary: 'Origin' };
}
