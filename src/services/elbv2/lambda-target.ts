// Lambda targets: the request as the ALB event (single- or multi-value headers and query, as the
// target group's lambda.multi_value_headers.enabled says), the function's answer mapped back to HTTP.
import type { HttpResponse, Runtime } from '../../kit.js';

export interface AlbRequest {
  method: string;
  path: string;
  rawQuery: string;
  /** lowercased names; a header sent twice is joined with ', ' */
  headers: Record<string, string>;
  body: Buffer;
}

const TEXT = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** ALB passes query parameters as sent (not decoded). */
function queryPairs(raw: string): [string, string][] {
  return raw
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const at = p.indexOf('=');
      return at < 0 ? [p, ''] : [p.slice(0, at), p.slice(at + 1)];
    });
}

export function albEvent(tgArn: string, req: AlbRequest, multi: boolean): Record<string, unknown> {
  const text = req.body.length === 0 || TEXT.test(req.headers['content-type'] ?? '');
  const base = {
    requestContext: { elb: { targetGroupArn: tgArn } },
    httpMethod: req.method,
    path: req.path,
    body: text ? req.body.toString('utf8') : req.body.toString('base64'),
    isBase64Encoded: !text,
  };
  const pairs = queryPairs(req.rawQuery);
  if (multi) {
    const q: Record<string, string[]> = {};
    for (const [k, v] of pairs) (q[k] ??= []).push(v);
    const h: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) h[k] = k === 'cookie' ? [v] : v.split(', ');
    return { ...base, multiValueQueryStringParameters: q, multiValueHeaders: h };
  }
  const q: Record<string, string> = {};
  for (const [k, v] of pairs) q[k] = v; // the last value wins
  return { ...base, queryStringParameters: q, headers: { ...req.headers } };
}

interface AlbAnswer {
  statusCode?: number | string;
  statusDescription?: string;
  headers?: Record<string, unknown>;
  multiValueHeaders?: Record<string, unknown[]>;
  body?: unknown;
  isBase64Encoded?: boolean;
}

/** The function's answer as HTTP; undefined when it is not one ALB accepts (the load balancer answers 502). */
export function albResponse(payload: Buffer | undefined, multi: boolean): HttpResponse | undefined {
  let a: AlbAnswer;
  try {
    a = JSON.parse(payload?.toString('utf8') ?? '') as AlbAnswer;
  } catch {
    return undefined;
  }
  const status = Number(a?.statusCode);
  if (!a || typeof a !== 'object' || !Number.isInteger(status) || status < 100 || status > 599) return undefined;
  const headers: Record<string, string | string[]> = {};
  if (multi)
    for (const [k, v] of Object.entries(a.multiValueHeaders ?? {})) headers[k.toLowerCase()] = (Array.isArray(v) ? v : [v]).map(String);
  else for (const [k, v] of Object.entries(a.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const raw = a.body === undefined || a.body === null ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
  const body = a.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (!headers['content-type']) headers['content-type'] = 'application/octet-stream';
  return { status, headers, body };
}

/** Invokes a Lambda target; undefined when the function fails or answers what ALB cannot map. */
export async function invokeLambda(
  rt: Runtime,
  fnArn: string,
  tgArn: string,
  req: AlbRequest,
  multi: boolean,
): Promise<HttpResponse | undefined> {
  const lambda = rt.integrations.lambda;
  if (!lambda?.functionExists(fnArn)) return undefined;
  const payload = Buffer.from(JSON.stringify(albEvent(tgArn, req, multi)));
  const run = await lambda.invoke(fnArn, payload, 'RequestResponse');
  if (run.functionError) return undefined;
  return albResponse(run.payload, multi);
}
