// Connections (Basic, API key and OAuth client-credentials authorization, with their secrets kept
// by EventBridge) and API destinations (an HTTP endpoint, its method and invocation rate).
import { randomUUID } from 'node:crypto';
import { ServiceError, type RequestContext, type Runtime } from '../../kit.js';
import type {
  ConnectionAuthResponseParameters,
  ConnectionHttpParameters,
  CreateConnectionAuthRequestParameters,
  EventsProvider,
} from '../../generated/events.js';
import { eventsStores, type ApiDestinationRecord, type ConnectionRecord } from './store.js';
import { oauthToken } from './http.js';

const notFound = (m: string) => new ServiceError('ResourceNotFoundException', m);
const invalid = (m: string) => new ServiceError('ValidationException', m);

function page<T>(items: T[], token: string | undefined, limit: number | undefined) {
  const start = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('The NextToken provided is invalid.');
  const end = start + (limit ?? 100);
  return { items: items.slice(start, end), next: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined };
}

/** Checks that the parameters given are those of the authorization type. */
function checkAuth(type: string, auth: CreateConnectionAuthRequestParameters): void {
  const want = { BASIC: 'BasicAuthParameters', API_KEY: 'ApiKeyAuthParameters', OAUTH_CLIENT_CREDENTIALS: 'OAuthParameters' }[type];
  if (!want) throw invalid(`Parameter AuthorizationType is not valid: ${type}`);
  if (!auth[want as keyof CreateConnectionAuthRequestParameters])
    throw invalid(`${want} must be specified when AuthorizationType is ${type}.`);
  for (const other of ['BasicAuthParameters', 'ApiKeyAuthParameters', 'OAuthParameters']) {
    if (other !== want && auth[other as keyof CreateConnectionAuthRequestParameters])
      throw invalid(`Only ${want} may be specified when AuthorizationType is ${type}.`);
  }
  const endpoint = auth.OAuthParameters?.AuthorizationEndpoint;
  if (endpoint) checkHttps(endpoint, 'AuthorizationEndpoint');
}

/** Parameters as Describe shows them: secret values left out. */
function shown(p: ConnectionHttpParameters | undefined): ConnectionHttpParameters | undefined {
  if (!p) return undefined;
  const hide = <T extends { Value?: string; IsValueSecret?: boolean }>(xs: T[] | undefined) =>
    xs?.map((x) => (x.IsValueSecret ? { ...x, Value: undefined } : x));
  return {
    HeaderParameters: hide(p.HeaderParameters),
    QueryStringParameters: hide(p.QueryStringParameters),
    BodyParameters: hide(p.BodyParameters),
  };
}

function describeAuth(a: CreateConnectionAuthRequestParameters): ConnectionAuthResponseParameters {
  return {
    BasicAuthParameters: a.BasicAuthParameters ? { Username: a.BasicAuthParameters.Username } : undefined,
    ApiKeyAuthParameters: a.ApiKeyAuthParameters ? { ApiKeyName: a.ApiKeyAuthParameters.ApiKeyName } : undefined,
    OAuthParameters: a.OAuthParameters
      ? {
          ClientParameters: { ClientID: a.OAuthParameters.ClientParameters.ClientID },
          AuthorizationEndpoint: a.OAuthParameters.AuthorizationEndpoint,
          HttpMethod: a.OAuthParameters.HttpMethod,
          OAuthHttpParameters: shown(a.OAuthParameters.OAuthHttpParameters),
        }
      : undefined,
    InvocationHttpParameters: shown(a.InvocationHttpParameters),
  };
}

/**
 * AWS calls HTTPS endpoints only. Nimbus's one departure: plain http to a loopback host (localhost,
 * 127.0.0.0/8, [::1]), so a local test server can receive the calls.
 */
export function checkHttps(url: string, param: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(`Parameter ${param} is not valid: it must be an https URL.`);
  }
  const loopback = u.hostname === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname) || u.hostname === '[::1]';
  if (u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) return;
  throw invalid(`Parameter ${param} is not valid: it must be an https URL.`);
}

const checkEndpoint = (url: string) => checkHttps(url, 'InvocationEndpoint');

export function apiDestinationHandlers(rt: Runtime): EventsProvider {
  const stores = eventsStores(rt);
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  const connection = (ctx: RequestContext, name: string) => {
    const c = storeOf(ctx).connections.get(name);
    if (!c) throw notFound(`Connection '${name}' does not exist.`);
    return c;
  };
  const destination = (ctx: RequestContext, name: string) => {
    const d = storeOf(ctx).apiDestinations.get(name);
    if (!d) throw notFound(`An api-destination '${name}' does not exist.`);
    return d;
  };
  /** An OAuth connection fetches its token now; the state says how that went. */
  const authorize = (ctx: RequestContext, c: ConnectionRecord) => {
    if (c.authorizationType !== 'OAUTH_CLIENT_CREDENTIALS') return;
    const store = storeOf(ctx);
    oauthToken(rt, c, (x) => store.connections.put(x.name, x)).catch((e) =>
      rt.log.info(`events: connection ${c.name} not authorized: ${(e as Error).message}`),
    );
  };
  const summary = (c: ConnectionRecord) => ({
    ConnectionArn: c.arn,
    ConnectionState: c.state,
    CreationTime: c.created,
    LastModifiedTime: c.modified,
    LastAuthorizedTime: c.authorized,
  });
  const destSummary = (d: ApiDestinationRecord) => ({
    ApiDestinationArn: d.arn,
    Name: d.name,
    ApiDestinationState: 'ACTIVE' as const,
    ConnectionArn: d.connectionArn,
    InvocationEndpoint: d.endpoint,
    HttpMethod: d.method,
    InvocationRateLimitPerSecond: d.rate ?? 300,
    CreationTime: d.created,
    LastModifiedTime: d.modified,
  });

  return {
    CreateConnection: ({ Name, Description, AuthorizationType, AuthParameters }, ctx) => {
      const store = storeOf(ctx);
      if (store.connections.has(Name)) throw new ServiceError('ResourceAlreadyExistsException', `Connection ${Name} already exists.`);
      checkAuth(AuthorizationType, AuthParameters);
      const now = ctx.clock.now();
      const oauth = AuthorizationType === 'OAUTH_CLIENT_CREDENTIALS';
      const c: ConnectionRecord = {
        name: Name,
        arn: `arn:aws:events:${ctx.region}:${ctx.account}:connection/${Name}/${randomUUID()}`,
        description: Description,
        authorizationType: AuthorizationType,
        auth: AuthParameters,
        state: oauth ? 'AUTHORIZING' : 'AUTHORIZED',
        secretArn: `arn:aws:secretsmanager:${ctx.region}:${ctx.account}:secret:events!connection/${Name}/${randomUUID()}`,
        created: now,
        modified: now,
        authorized: oauth ? undefined : now,
      };
      store.connections.put(Name, c);
      authorize(ctx, c);
      return summary(c);
    },
    DescribeConnection: ({ Name }, ctx) => {
      const c = connection(ctx, Name);
      return {
        ...summary(c),
        Name: c.name,
        Description: c.description,
        StateReason: c.stateReason,
        AuthorizationType: c.authorizationType,
        SecretArn: c.secretArn,
        AuthParameters: describeAuth(c.auth),
      };
    },
    ListConnections: ({ NamePrefix, ConnectionState, NextToken, Limit }, ctx) => {
      let all = [...storeOf(ctx).connections.scan({ prefix: NamePrefix ?? '' })].map(([, c]) => c);
      if (ConnectionState) all = all.filter((c) => c.state === ConnectionState);
      const { items, next } = page(all, NextToken, Limit);
      return {
        Connections: items.map((c) => ({
          ...summary(c),
          Name: c.name,
          StateReason: c.stateReason,
          AuthorizationType: c.authorizationType,
        })),
        NextToken: next,
      };
    },
    UpdateConnection: ({ Name, Description, AuthorizationType, AuthParameters }, ctx) => {
      const c = connection(ctx, Name);
      const type = AuthorizationType ?? c.authorizationType;
      const a = AuthParameters ?? {};
      const auth: CreateConnectionAuthRequestParameters =
        type !== c.authorizationType
          ? (a as CreateConnectionAuthRequestParameters)
          : {
              BasicAuthParameters: a.BasicAuthParameters
                ? { ...c.auth.BasicAuthParameters!, ...a.BasicAuthParameters }
                : c.auth.BasicAuthParameters,
              ApiKeyAuthParameters: a.ApiKeyAuthParameters
                ? { ...c.auth.ApiKeyAuthParameters!, ...a.ApiKeyAuthParameters }
                : c.auth.ApiKeyAuthParameters,
              OAuthParameters: a.OAuthParameters
                ? {
                    ...c.auth.OAuthParameters!,
                    ...a.OAuthParameters,
                    ClientParameters: { ...c.auth.OAuthParameters!.ClientParameters, ...a.OAuthParameters.ClientParameters },
                  }
                : c.auth.OAuthParameters,
              InvocationHttpParameters: a.InvocationHttpParameters ?? c.auth.InvocationHttpParameters,
            };
      checkAuth(type, auth);
      const now = ctx.clock.now();
      const oauth = type === 'OAUTH_CLIENT_CREDENTIALS';
      const next: ConnectionRecord = {
        ...c,
        description: Description ?? c.description,
        authorizationType: type,
        auth,
        modified: now,
        token: undefined,
        state: oauth ? 'AUTHORIZING' : 'AUTHORIZED',
        authorized: oauth ? c.authorized : now,
      };
      storeOf(ctx).connections.put(Name, next);
      authorize(ctx, next);
      return summary(next);
    },
    DeauthorizeConnection: ({ Name }, ctx) => {
      const c = connection(ctx, Name);
      const next: ConnectionRecord = { ...c, state: 'DEAUTHORIZED', token: undefined, modified: ctx.clock.now() };
      storeOf(ctx).connections.put(Name, next);
      return { ...summary(next), ConnectionState: 'DEAUTHORIZING' };
    },
    DeleteConnection: ({ Name }, ctx) => {
      const c = connection(ctx, Name);
      storeOf(ctx).connections.delete(Name);
      return { ...summary(c), ConnectionState: 'DELETING' };
    },

    CreateApiDestination: ({ Name, Description, ConnectionArn, InvocationEndpoint, HttpMethod, InvocationRateLimitPerSecond }, ctx) => {
      const store = storeOf(ctx);
      if (store.apiDestinations.has(Name))
        throw new ServiceError('ResourceAlreadyExistsException', `An api-destination '${Name}' already exists.`);
      const c = store.connections.get(ConnectionArn.split('/')[1] ?? '');
      if (!c || c.arn !== ConnectionArn) throw notFound(`Connection '${ConnectionArn}' does not exist.`);
      checkEndpoint(InvocationEndpoint);
      const now = ctx.clock.now();
      const d: ApiDestinationRecord = {
        name: Name,
        arn: `arn:aws:events:${ctx.region}:${ctx.account}:api-destination/${Name}/${randomUUID()}`,
        description: Description,
        connectionArn: ConnectionArn,
        endpoint: InvocationEndpoint,
        method: HttpMethod,
        rate: InvocationRateLimitPerSecond,
        created: now,
        modified: now,
      };
      store.apiDestinations.put(Name, d);
      return { ApiDestinationArn: d.arn, ApiDestinationState: 'ACTIVE', CreationTime: now, LastModifiedTime: now };
    },
    DescribeApiDestination: ({ Name }, ctx) => {
      const d = destination(ctx, Name);
      return { ...destSummary(d), Description: d.description };
    },
    ListApiDestinations: ({ NamePrefix, ConnectionArn, NextToken, Limit }, ctx) => {
      let all = [...storeOf(ctx).apiDestinations.scan({ prefix: NamePrefix ?? '' })].map(([, d]) => d);
      if (ConnectionArn) all = all.filter((d) => d.connectionArn === ConnectionArn);
      const { items, next } = page(all, NextToken, Limit);
      return { ApiDestinations: items.map(destSummary), NextToken: next };
    },
    UpdateApiDestination: ({ Name, Description, ConnectionArn, InvocationEndpoint, HttpMethod, InvocationRateLimitPerSecond }, ctx) => {
      const d = destination(ctx, Name);
      if (ConnectionArn) {
        const c = storeOf(ctx).connections.get(ConnectionArn.split('/')[1] ?? '');
        if (!c || c.arn !== ConnectionArn) throw notFound(`Connection '${ConnectionArn}' does not exist.`);
      }
      if (InvocationEndpoint) checkEndpoint(InvocationEndpoint);
      const now = ctx.clock.now();
      const next: ApiDestinationRecord = {
        ...d,
        description: Description ?? d.description,
        connectionArn: ConnectionArn ?? d.connectionArn,
        endpoint: InvocationEndpoint ?? d.endpoint,
        method: HttpMethod ?? d.method,
        rate: InvocationRateLimitPerSecond ?? d.rate,
        modified: now,
      };
      storeOf(ctx).apiDestinations.put(Name, next);
      return { ApiDestinationArn: d.arn, ApiDestinationState: 'ACTIVE', CreationTime: d.created, LastModifiedTime: now };
    },
    DeleteApiDestination: ({ Name }, ctx) => {
      destination(ctx, Name);
      storeOf(ctx).apiDestinations.delete(Name);
      return {};
    },
  };
}
