// Function URL configs: Create/Get/Update/Delete/ListFunctionUrlConfigs. A URL belongs to the
// unqualified function or to one alias; its id (32 lowercase letters and digits) is indexed in the
// system scope so that url-gateway.ts finds the function from a Host header or a path.
import { randomBytes } from 'node:crypto';
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { Cors, FunctionUrlConfig, LambdaProvider } from '../../generated/lambda.js';
import { getLatest } from './functions.js';
import { conflict, functionArn, invalidValue, parseFunctionName, qualifierOf, LATEST, type LambdaStore, type UrlRecord } from './model.js';

const METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'PATCH', 'DELETE', '*']);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export const urlKey = (name: string, qualifier: string) => `${name}\0${qualifier}`;

const newUrlId = () => Array.from(randomBytes(32), (b) => ALPHABET[b % ALPHABET.length]).join('');

/** The URL Nimbus serves for an id: `http://<id>.lambda-url.<region>.localhost:<port>/`. */
export function functionUrl(rt: Runtime, urlId: string, region: string): string {
  let port = '4566';
  try {
    port = new URL(rt.endpoint).port || '80';
  } catch {
    // no endpoint yet: the default port
  }
  return `http://${urlId}.lambda-url.${region}.localhost:${port}/`;
}

const notFound = () => new ServiceError('ResourceNotFoundException', 'The resource you requested does not exist.', 404, { Type: 'User' });

function checkCors(cors: Cors | undefined): Record<string, unknown> | undefined {
  if (!cors) return undefined;
  for (const m of cors.AllowMethods ?? []) {
    if (!METHODS.has(m.toUpperCase()))
      throw invalidValue(
        `1 validation error detected: Value '[${m}]' at 'cors.allowMethods' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ^(GET|PUT|HEAD|POST|PATCH|DELETE|\\*)$]`,
      );
  }
  if (cors.MaxAge !== undefined && (cors.MaxAge < 0 || cors.MaxAge > 86400)) {
    throw invalidValue(
      `1 validation error detected: Value '${cors.MaxAge}' at 'cors.maxAge' failed to satisfy constraint: Member must have value less than or equal to 86400`,
    );
  }
  return { ...cors, AllowMethods: cors.AllowMethods?.map((m) => m.toUpperCase()) };
}

function render(rt: Runtime, r: UrlRecord): FunctionUrlConfig {
  return {
    FunctionUrl: functionUrl(rt, r.urlId, r.region),
    FunctionArn: functionArn(r.region, r.account, r.name, r.qualifier || undefined),
    AuthType: r.authType as FunctionUrlConfig['AuthType'],
    ...(r.cors ? { Cors: r.cors as Cors } : {}),
    CreationTime: new Date(r.created).toISOString(),
    LastModifiedTime: new Date(r.modified).toISOString(),
    InvokeMode: r.invokeMode as FunctionUrlConfig['InvokeMode'],
  };
}

type UrlHandlers = Pick<
  LambdaProvider,
  'CreateFunctionUrlConfig' | 'GetFunctionUrlConfig' | 'UpdateFunctionUrlConfig' | 'DeleteFunctionUrlConfig' | 'ListFunctionUrlConfigs'
>;

export function urlHandlers(rt: Runtime, stores: Stores<LambdaStore>): UrlHandlers {
  /** The function and the URL's qualifier ('' unqualified; an alias that exists otherwise). */
  function locate(ctx: RequestContext, functionName: string, param?: string) {
    const store = stores.get(ctx.account, ctx.region);
    const { name, qualifier: fromName } = parseFunctionName(functionName, ctx.account, ctx.region);
    const q = qualifierOf(fromName, param) ?? '';
    getLatest(store, name);
    if (q === LATEST || /^\d+$/.test(q))
      throw invalidValue('Function URLs can only be configured on an alias or the unqualified function.');
    if (q && !store.aliases.get(`${name}\0${q}`)) throw notFound();
    return { store, name, qualifier: q };
  }

  return {
    CreateFunctionUrlConfig(i, ctx) {
      const { store, name, qualifier } = locate(ctx, i.FunctionName, i.Qualifier);
      const key = urlKey(name, qualifier);
      const cors = checkCors(i.Cors);
      if (store.urls.has(key)) {
        throw conflict(
          `Failed to create function url config for [functionArn = ${functionArn(store.region, store.account, name, qualifier || undefined)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
        );
      }
      const now = rt.clock.nowMs();
      const r: UrlRecord = {
        account: store.account,
        region: store.region,
        name,
        qualifier,
        urlId: newUrlId(),
        authType: i.AuthType,
        invokeMode: i.InvokeMode ?? 'BUFFERED',
        cors,
        created: now,
        modified: now,
      };
      rt.engine.transaction(() => {
        store.urls.put(key, r);
        stores.system().urlIndex.put(r.urlId, { account: r.account, region: r.region, name, qualifier });
      });
      const { LastModifiedTime: _, ...out } = render(rt, r);
      return out;
    },

    GetFunctionUrlConfig(i, ctx) {
      const { store, name, qualifier } = locate(ctx, i.FunctionName, i.Qualifier);
      const r = store.urls.get(urlKey(name, qualifier));
      if (!r) throw notFound();
      return render(rt, r);
    },

    UpdateFunctionUrlConfig(i, ctx) {
      const { store, name, qualifier } = locate(ctx, i.FunctionName, i.Qualifier);
      const key = urlKey(name, qualifier);
      const r = store.urls.get(key);
      if (!r) throw notFound();
      const next: UrlRecord = {
        ...r,
        authType: i.AuthType ?? r.authType,
        invokeMode: i.InvokeMode ?? r.invokeMode,
        cors: i.Cors !== undefined ? checkCors(i.Cors) : r.cors,
        modified: rt.clock.nowMs(),
      };
      store.urls.put(key, next);
      return render(rt, next);
    },

    DeleteFunctionUrlConfig(i, ctx) {
      const { store, name, qualifier } = locate(ctx, i.FunctionName, i.Qualifier);
      const key = urlKey(name, qualifier);
      const r = store.urls.get(key);
      if (!r) throw notFound();
      rt.engine.transaction(() => {
        store.urls.delete(key);
        stores.system().urlIndex.delete(r.urlId);
      });
    },

    ListFunctionUrlConfigs(i, ctx) {
      const { store, name } = locate(ctx, i.FunctionName);
      const max = i.MaxItems ?? 50;
      const all = [...store.urls.scan({ prefix: `${name}\0` })].map(([, r]) => r);
      let start = 0;
      if (i.Marker) {
        start = all.findIndex((r) => r.urlId === i.Marker);
        if (start < 0) throw invalidValue('Invalid marker');
      }
      const page = all.slice(start, start + max);
      const next = all[start + max];
      return { FunctionUrlConfigs: page.map((r) => render(rt, r)), ...(next ? { NextMarker: next.urlId } : {}) };
    },
  };
}
