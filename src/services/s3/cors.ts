// Bucket CORS as S3 applies it: PutBucketCors's checks, and a bucket's rules evaluated for a browser's
// preflight (OPTIONS) and for the actual request that follows. The refusals are S3's wire answers
// (403 AccessForbidden "CORSResponse: …" with Method and ResourceType), which its error table omits.
import type { CORSConfiguration, CORSRule } from '../../generated/s3.js';
import type { Runtime } from '../../runtime.js';
import type { HttpRequest } from '../../kit.js';
import type { CorsRules } from '../types.js';
import { virtualHostBucket } from './profile.js';
import { ServiceError } from '../errors.js';
import { S3Store } from './store.js';
import { invalidRequest, malformedXml } from './errors.js';

const METHODS = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];
const MAX_RULES = 100;
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';
const NOT_ALLOWED =
  'This CORS request is not allowed. This is usually because the evalution of Origin, request method / ' +
  "Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

const wildcards = (s: string) => s.split('*').length - 1;

/** PutBucketCors's checks; the rules to store. */
export function checkCorsConfiguration(config: CORSConfiguration | undefined): CORSRule[] {
  const rules = config?.CORSRules ?? [];
  if (!rules.length || rules.length > MAX_RULES) throw malformedXml();
  for (const r of rules) {
    if (!r.AllowedMethods?.length || !r.AllowedOrigins?.length) throw malformedXml();
    for (const m of r.AllowedMethods) {
      if (!METHODS.includes(m)) throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    }
    for (const o of r.AllowedOrigins) {
      if (wildcards(o) > 1) throw invalidRequest(`AllowedOrigin "${o}" can not have more than one wildcard.`);
    }
    for (const h of r.AllowedHeaders ?? []) {
      if (wildcards(h) > 1) throw invalidRequest(`AllowedHeader "${h}" can not have more than one wildcard.`);
    }
  }
  return rules;
}

/** `pattern` with at most one `*`, standing for any run of characters (the empty one too); anchored at both ends. */
function matches(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** What a cross-origin request asks for: from this origin, this method, with these headers (lowercase). */
interface Ask {
  origin: string;
  method: string;
  headers: string[];
}

function ask(req: HttpRequest, origin: string, method: string): Ask {
  const headers = (req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return { origin, method, headers };
}

/** The first rule allowing the origin, the method and every requested header (names without regard to case). */
function firstMatch(rules: CORSRule[], a: Ask): CORSRule | undefined {
  return rules.find(
    (r) =>
      r.AllowedMethods.includes(a.method) &&
      r.AllowedOrigins.some((o) => matches(o, a.origin)) &&
      a.headers.every((h) => (r.AllowedHeaders ?? []).some((allowed) => matches(allowed.toLowerCase(), h))),
  );
}

function allowed(rule: CORSRule, a: Ask): Record<string, string> {
  // a rule naming the origin echoes it (and allows credentials); one allowing it only through `*` answers `*`
  const named = rule.AllowedOrigins.some((o) => o !== '*' && matches(o, a.origin));
  const headers: Record<string, string> = {
    'access-control-allow-origin': named ? a.origin : '*',
    'access-control-allow-methods': rule.AllowedMethods.join(', '),
    vary: VARY,
  };
  if (named) headers['access-control-allow-credentials'] = 'true';
  if (a.headers.length) headers['access-control-allow-headers'] = a.headers.join(', ');
  if (rule.ExposeHeaders?.length) headers['access-control-expose-headers'] = rule.ExposeHeaders.join(', ');
  if (rule.MaxAgeSeconds !== undefined) headers['access-control-max-age'] = String(rule.MaxAgeSeconds);
  return headers;
}

const forbidden = (message: string, Method: string, ResourceType: 'BUCKET' | 'OBJECT') =>
  new ServiceError('AccessForbidden', `CORSResponse: ${message}`, 403, { Method, ResourceType });

/** S3's hook for the gateway (ServiceDefinition.cors): one bucket read per request with an Origin or OPTIONS. */
export function bucketCors(rt: Runtime): CorsRules {
  const store = new S3Store(rt);
  /** the bucket and key of a path-style path, and whether the host says S3 (else a missing bucket is not S3's) */
  const target = (req: HttpRequest) => {
    const [, bucket = '', ...key] = req.path.split('/');
    const host = (req.headers.host ?? '').toLowerCase();
    return {
      bucket,
      record: bucket ? store.buckets.get(bucket) : undefined,
      key: key.join('/'),
      s3Host: virtualHostBucket(host) !== undefined || /^s3[.-]/.test(host),
    };
  };
  const rulesOf = (config: Record<string, unknown>) => config.cors as CORSRule[] | undefined;

  return {
    preflight(req) {
      const t = target(req);
      // no bucket named (ListBuckets), or a path on a neutral host that is no bucket (another service's): the default
      if (!t.bucket || (!t.record && !t.s3Host)) return undefined;
      const origin = req.headers.origin;
      if (origin === undefined) throw new ServiceError('BadRequest', 'Insufficient information. Origin request header needed.', 400);
      const requested = req.headers['access-control-request-method'];
      if (!t.record) throw forbidden('Bucket not found', requested ?? 'OPTIONS', 'BUCKET');
      const rules = rulesOf(t.record.config);
      if (!rules) throw forbidden('CORS is not enabled for this bucket.', requested ?? 'OPTIONS', 'BUCKET');
      if (requested === undefined || !METHODS.includes(requested)) {
        throw new ServiceError('BadRequest', `Invalid Access-Control-Request-Method: ${requested ?? 'null'}`, 400);
      }
      const a = ask(req, origin, requested);
      const rule = firstMatch(rules, a);
      if (!rule) throw forbidden(NOT_ALLOWED, requested, t.key ? 'OBJECT' : 'BUCKET');
      return allowed(rule, a);
    },

    actual(req) {
      const t = target(req);
      if (!t.bucket || (!t.record && !t.s3Host)) return undefined;
      const rules = t.record && rulesOf(t.record.config);
      if (!rules) return {};
      // as S3 does, a preflight's headers sent on an actual request take part in the match
      const a = ask(req, req.headers.origin ?? '', req.headers['access-control-request-method'] ?? req.method);
      const rule = firstMatch(rules, a);
      return rule ? allowed(rule, a) : {};
    },
  };
}
