// A function URL's HTTP request as the payload format 2.0 event, and the function's answer as the
// HTTP response (statusCode/headers/body/isBase64Encoded/cookies, or a plain value AWS infers a
// response from), and the CORS headers a URL's configuration gives. Pure functions.
import type { HttpRequest, HttpResponse, Principal } from '../../kit.js';

const TEXT = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|yaml|graphql)|[^;]*\+(json|xml))/i;

export interface UrlEventInput {
  req: HttpRequest;
  /** the path the function sees (the URL form's own path, or what follows the id in the path form) */
  path: string;
  urlId: string;
  region: string;
  account: string;
  requestId: string;
  sourceIp: string;
  now: Date;
  /** the caller, for AWS_IAM */
  caller?: Principal;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');
/** `12/Mar/2020:19:03:58 +0000` */
export const clfTime = (d: Date) =>
  `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;

export function urlEvent(x: UrlEventInput): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [k, v] of Object.entries(x.req.headers)) {
    if (k === 'cookie') cookies = v.split(/;\s*/).filter(Boolean);
    else headers[k] = v.replace(/, /g, ',');
  }
  const query: Record<string, string> = {};
  for (const [k, vs] of x.req.query) query[k] = vs.join(',');
  const domain = `${x.urlId}.lambda-url.${x.region}.on.aws`;
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: '$default',
    rawPath: x.path,
    rawQueryString: x.req.rawQuery,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(x.req.rawQuery ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: x.urlId,
      ...(x.caller
        ? {
            accountId: x.caller.account,
            authorizer: {
              iam: {
                accessKey: x.caller.accessKeyId ?? null,
                accountId: x.caller.account,
                callerId: x.caller.userId,
                cognitoIdentity: null,
                principalOrgId: null,
                userArn: x.caller.arn,
                userId: x.caller.userId,
              },
            },
          }
        : {}),
      domainName: domain,
      domainPrefix: x.urlId,
      http: {
        method: x.req.method,
        path: x.path,
        protocol: 'HTTP/1.1',
        sourceIp: x.sourceIp,
        userAgent: x.req.headers['user-agent'] ?? '',
      },
      requestId: x.requestId,
      routeKey: '$default',
      stage: '$default',
      time: clfTime(x.now),
      timeEpoch: x.now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (x.req.body.length) {
    const text = TEXT.test(x.req.headers['content-type'] ?? '');
    event.body = text ? x.req.body.toString() : x.req.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

export interface HttpPrelude {
  statusCode?: number;
  headers?: Record<string, unknown>;
  cookies?: string[];
}

/** Status and headers from a response's declared parts (a result object or a streamed prelude). */
export function preludeResponse(p: HttpPrelude, defaultType: string): HttpResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(p.headers ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  if (Array.isArray(p.cookies) && p.cookies.length) headers['set-cookie'] = p.cookies.map(String);
  headers['content-type'] ??= defaultType;
  const status = Number.isInteger(p.statusCode) && p.statusCode! >= 100 && p.statusCode! <= 599 ? p.statusCode! : 200;
  return { status, headers };
}

/** The buffered answer of a function as the URL's HTTP response. */
export function urlResponse(payload: Buffer): HttpResponse {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString() || 'null');
  } catch {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: payload };
  }
  if (value && typeof value === 'object' && !Array.isArray(value) && 'statusCode' in value) {
    const r = value as HttpPrelude & { body?: unknown; isBase64Encoded?: boolean };
    const res = preludeResponse(r, 'application/json');
    const body = r.body === undefined || r.body === null ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
    res.body = r.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body);
    return res;
  }
  // anything else: 200, JSON, the value itself (a string as its text)
  const body = typeof value === 'string' ? value : value === null ? '' : JSON.stringify(value);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
}

export interface CorsConfig {
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  AllowOrigins?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

function originAllowed(cors: CorsConfig, origin: string): string | undefined {
  const list = cors.AllowOrigins ?? [];
  if (list.includes('*')) return cors.AllowCredentials ? origin : '*';
  return list.some(
    (o) =>
      o === origin ||
      (o.includes('*') &&
        new RegExp(
          `^${o
            .split('*')
            .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        ).test(origin)),
  )
    ? origin
    : undefined;
}

/** A preflight's answer from the URL's CORS configuration (200 either way; without the headers when refused). */
export function preflight(cors: CorsConfig, req: HttpRequest): HttpResponse {
  const origin = req.headers.origin ?? '';
  const method = (req.headers['access-control-request-method'] ?? '').toUpperCase();
  const requested = (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const allowOrigin = originAllowed(cors, origin);
  const methods = cors.AllowMethods ?? [];
  const allowHeaders = (cors.AllowHeaders ?? []).map((h) => h.toLowerCase());
  const ok =
    allowOrigin &&
    (methods.includes('*') || methods.includes(method)) &&
    requested.every((h) => allowHeaders.includes('*') || allowHeaders.includes(h));
  if (!ok) return { status: 200, headers: {} };
  const headers: Record<string, string> = {
    'access-control-allow-origin': allowOrigin,
    'access-control-allow-methods': methods.join(','),
    vary: 'Origin',
  };
  if (cors.AllowHeaders?.length) headers['access-control-allow-headers'] = cors.AllowHeaders.join(',');
  if (cors.MaxAge !== undefined) headers['access-control-max-age'] = String(cors.MaxAge);
  if (cors.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
  return { status: 200, headers };
}

/** The CORS headers of an actual request's response ({} when its origin is not allowed). */
export function actualCors(cors: CorsConfig, req: HttpRequest): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  const allowOrigin = originAllowed(cors, origin);
  if (!allowOrigin) return {};
  const headers: Record<string, string> = { 'access-control-allow-origin': allowOrigin, vary: 'Origin' };
  if (cors.ExposeHeaders?.length) headers['access-control-expose-headers'] = cors.ExposeHeaders.join(',');
  if (cors.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}
