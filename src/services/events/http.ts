// API destination targets: an HTTP request to the destination's endpoint with the connection's
// authorization (Basic, API key, OAuth client credentials) and parameters, and the target's
// HttpParameters (path values for the endpoint's `*`, headers, query string). 401, 407, 409, 429
// and 5xx answers are retried; other 4xx go to the dead-letter queue at once.
import { ServiceError, type Runtime } from '../../kit.js';
import type { ConnectionHttpParameters, HttpParameters } from '../../generated/events.js';
import { eventsStores, type ApiDestinationRecord, type ConnectionRecord } from './store.js';

const TIMEOUT_MS = 5000;
const RETRIED = new Set([401, 407, 409, 429]);

/** The destination's URL with its `*` path parameters filled and the query parameters added. */
export function destinationUrl(endpoint: string, params: HttpParameters | undefined, conn: ConnectionHttpParameters | undefined): URL {
  let i = 0;
  const values = params?.PathParameterValues ?? [];
  const url = new URL(endpoint.replace(/\*/g, () => encodeURIComponent(values[i++] ?? '')));
  for (const p of conn?.QueryStringParameters ?? []) if (p.Key) url.searchParams.set(p.Key, p.Value ?? '');
  for (const [k, v] of Object.entries(params?.QueryStringParameters ?? {})) url.searchParams.set(k, v);
  return url;
}

function httpError(status: number, text: string): ServiceError {
  const retry = status >= 500 || RETRIED.has(status);
  return new ServiceError(
    `HttpStatus${status}`,
    `Unable to invoke ApiDestination endpoint: The request failed because the endpoint returned ${status}. ${text.slice(0, 200)}`.trim(),
    undefined,
    {
      retryable: retry,
      deadLetterCode: 'SDK_CLIENT_ERROR',
    },
  );
}

/** An OAuth client-credentials token for the connection, fetched when missing or expired. */
export async function oauthToken(rt: Runtime, c: ConnectionRecord, save: (c: ConnectionRecord) => void): Promise<string> {
  if (c.token && c.token.expires > rt.clock.nowMs()) return c.token.value;
  const o = c.auth.OAuthParameters!;
  const url = destinationUrl(o.AuthorizationEndpoint, undefined, o.OAuthHttpParameters);
  const form = new URLSearchParams();
  for (const p of o.OAuthHttpParameters?.BodyParameters ?? []) if (p.Key) form.set(p.Key, p.Value ?? '');
  if (!form.has('grant_type')) form.set('grant_type', 'client_credentials');
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${o.ClientParameters.ClientID}:${o.ClientParameters.ClientSecret}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
  };
  for (const p of o.OAuthHttpParameters?.HeaderParameters ?? []) if (p.Key) headers[p.Key.toLowerCase()] = p.Value ?? '';
  let res: Response;
  try {
    res = await fetch(url, {
      method: o.HttpMethod,
      headers,
      body: o.HttpMethod === 'GET' ? undefined : form.toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    throw new ServiceError(
      'ConnectionAuthorizationFailed',
      `Unable to authorize connection ${c.name}: ${(e as Error).message}`,
      undefined,
      { retryable: true },
    );
  }
  const text = await res.text();
  let token: { access_token?: string; expires_in?: number } = {};
  try {
    token = JSON.parse(text);
  } catch {
    /* not JSON: no token */
  }
  if (!res.ok || !token.access_token) {
    save({ ...c, state: 'DEAUTHORIZED', stateReason: `Authorization endpoint returned ${res.status}` });
    throw new ServiceError(
      'ConnectionAuthorizationFailed',
      `Unable to authorize connection ${c.name}: the authorization endpoint returned ${res.status}.`,
      undefined,
      { retryable: true },
    );
  }
  const now = rt.clock.nowMs();
  save({
    ...c,
    state: 'AUTHORIZED',
    stateReason: undefined,
    authorized: new Date(now),
    token: { value: token.access_token, expires: now + (token.expires_in ?? 3600) * 1000 },
  });
  return token.access_token;
}

/** Invocations per destination in the current second (runtime-owned: several servers share a process). */
function limiter(rt: Runtime) {
  return rt.shared('events/rate', () => new Map<string, { second: number; count: number }>());
}

/** Sends one event to an API destination. */
export async function invokeApiDestination(
  rt: Runtime,
  account: string,
  region: string,
  d: ApiDestinationRecord,
  body: string,
  params: HttpParameters | undefined,
): Promise<void> {
  const store = eventsStores(rt).get(account, region);
  const connName = d.connectionArn.split('/')[1];
  const c = store.connections.get(connName);
  if (!c) throw new ServiceError('ResourceNotFoundException', `Connection ${connName} does not exist.`);
  if (c.state === 'DEAUTHORIZED' && !c.auth.OAuthParameters)
    throw new ServiceError('AccessDeniedException', `Connection ${c.name} is not authorized.`);
  if (d.rate) {
    const second = Math.floor(Date.now() / 1000);
    const seen = limiter(rt).get(d.arn);
    const count = seen && seen.second === second ? seen.count + 1 : 1;
    limiter(rt).set(d.arn, { second, count });
    if (count > d.rate)
      throw new ServiceError('ThrottlingException', `Invocation rate of ${d.name} is over ${d.rate} per second.`, undefined, {
        retryable: true,
        deadLetterCode: 'THROTTLING',
      });
  }
  const conn = c.auth.InvocationHttpParameters;
  const url = destinationUrl(d.endpoint, params, conn);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'Amazon/EventBridge/ApiDestinations',
  };
  for (const p of conn?.HeaderParameters ?? []) if (p.Key) headers[p.Key.toLowerCase()] = p.Value ?? '';
  for (const [k, v] of Object.entries(params?.HeaderParameters ?? {})) headers[k.toLowerCase()] = v;
  if (c.auth.BasicAuthParameters) {
    const { Username, Password } = c.auth.BasicAuthParameters;
    headers.authorization = `Basic ${Buffer.from(`${Username}:${Password}`).toString('base64')}`;
  } else if (c.auth.ApiKeyAuthParameters) {
    headers[c.auth.ApiKeyAuthParameters.ApiKeyName.toLowerCase()] = c.auth.ApiKeyAuthParameters.ApiKeyValue;
  } else if (c.auth.OAuthParameters) {
    headers.authorization = `Bearer ${await oauthToken(rt, c, (x) => store.connections.put(x.name, x))}`;
  }
  let payload = body;
  if (conn?.BodyParameters?.length) {
    try {
      const obj = JSON.parse(body);
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        for (const p of conn.BodyParameters) if (p.Key) obj[p.Key] = p.Value;
        payload = JSON.stringify(obj);
      }
    } catch {
      /* a body that is not an object keeps its text */
    }
  }
  const noBody = d.method === 'GET' || d.method === 'HEAD' || d.method === 'OPTIONS';
  let res: Response;
  try {
    res = await fetch(url, { method: d.method, headers, body: noBody ? undefined : payload, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new ServiceError('ConnectionFailure', `Unable to invoke ApiDestination endpoint: ${(e as Error).message}`, undefined, {
      retryable: true,
      deadLetterCode: 'SDK_CLIENT_ERROR',
    });
  }
  const text = await res.text();
  if (res.status >= 300) throw httpError(res.status, text);
}
