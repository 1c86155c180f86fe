// Mobile push: platform applications and their endpoints. Nothing reaches a push service; what
// would be sent is recorded in the outbox (protocol `application`).
import { randomUUID } from 'node:crypto';
import type { Stores } from '../../kit.js';
import type { SnsProvider } from '../../generated/sns.js';
import { ServiceError } from '../../kit.js';
import type { SnsStore, AppRecord, EndpointRecord } from './model.js';

const PLATFORMS = new Set(['ADM', 'APNS', 'APNS_SANDBOX', 'GCM', 'BAIDU', 'MPNS', 'WNS']);
const APP_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):app\/([A-Z_]+)\/([A-Za-z0-9_.-]+)$/;
const ENDPOINT_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):endpoint\/([A-Z_]+)\/([A-Za-z0-9_.-]+)\/([0-9a-f-]{36})$/;
const PAGE = 100;
// credentials are write-only, as in AWS
const HIDDEN = new Set(['PlatformCredential', 'PlatformPrincipal']);

const invalid = (m: string) => new ServiceError('InvalidParameter', `Invalid parameter: ${m}`);

export interface EndpointRef {
  store: SnsStore;
  key: string;
  endpoint: EndpointRecord;
}

export function findEndpoint(stores: Stores<SnsStore>, arn: string): EndpointRef | undefined {
  const m = ENDPOINT_ARN.exec(arn);
  if (!m) return undefined;
  const store = stores.get(m[2], m[1]);
  const key = `${m[3]}/${m[4]}/${m[5]}`;
  const endpoint = store.endpoints.get(key);
  return endpoint ? { store, key, endpoint } : undefined;
}

export function platformHandlers(stores: Stores<SnsStore>): SnsProvider {
  function app(arn: string) {
    const m = APP_ARN.exec(arn);
    if (!m) throw invalid('PlatformApplicationArn');
    const store = stores.get(m[2], m[1]);
    const key = `${m[3]}/${m[4]}`;
    const rec = store.apps.get(key);
    if (!rec) throw new ServiceError('NotFound', 'PlatformApplication does not exist');
    return { store, key, rec };
  }
  function endpoint(arn: string) {
    if (!ENDPOINT_ARN.test(arn)) throw invalid('EndpointArn');
    const found = findEndpoint(stores, arn);
    if (!found) throw new ServiceError('NotFound', 'Endpoint does not exist');
    return found;
  }
  const page = <T>(items: Array<[string, T]>) => ({
    items: items.slice(0, PAGE),
    next: items.length > PAGE ? Buffer.from(items[PAGE - 1][0]).toString('base64url') : undefined,
  });
  const after = (token?: string) => (token ? Buffer.from(token, 'base64url').toString() : undefined);
  const visible = (attrs: Record<string, string>) => Object.fromEntries(Object.entries(attrs).filter(([k]) => !HIDDEN.has(k)));

  return {
    CreatePlatformApplication: ({ Name, Platform, Attributes }, ctx) => {
      if (!PLATFORMS.has(Platform)) throw invalid('Platform');
      if (!/^[A-Za-z0-9_.-]{1,256}$/.test(Name)) throw invalid('Invalid platform application name');
      const store = stores.get(ctx.account, ctx.region);
      const arn = `arn:aws:sns:${ctx.region}:${ctx.account}:app/${Platform}/${Name}`;
      store.apps.put(`${Platform}/${Name}`, { arn, attributes: { Enabled: 'true', ...Attributes } });
      return { PlatformApplicationArn: arn };
    },
    GetPlatformApplicationAttributes: ({ PlatformApplicationArn }) => ({ Attributes: visible(app(PlatformApplicationArn).rec.attributes) }),
    SetPlatformApplicationAttributes: ({ PlatformApplicationArn, Attributes }) => {
      const { store, key, rec } = app(PlatformApplicationArn);
      store.apps.put(key, { ...rec, attributes: { ...rec.attributes, ...Attributes } });
    },
    ListPlatformApplications: ({ NextToken }, ctx) => {
      const { items, next } = page([...stores.get(ctx.account, ctx.region).apps.scan({ after: after(NextToken), limit: PAGE + 1 })]);
      return {
        PlatformApplications: items.map(([, a]) => ({ PlatformApplicationArn: a.arn, Attributes: visible(a.attributes) })),
        ...(next ? { NextToken: next } : {}),
      };
    },
    DeletePlatformApplication: ({ PlatformApplicationArn }) => {
      const m = APP_ARN.exec(PlatformApplicationArn);
      if (!m) throw invalid('PlatformApplicationArn');
      const store = stores.get(m[2], m[1]);
      store.endpoints.clear(`${m[3]}/${m[4]}/`);
      store.apps.delete(`${m[3]}/${m[4]}`);
    },

    CreatePlatformEndpoint: ({ PlatformApplicationArn, Token, CustomUserData, Attributes = {} }) => {
      const { store, key: appKey, rec } = app(PlatformApplicationArn);
      if (!Token) throw invalid('Token');
      const attributes: Record<string, string> = {
        Enabled: 'true',
        ...Attributes,
        Token,
        ...(CustomUserData !== undefined ? { CustomUserData } : {}),
      };
      // one endpoint per token: the same token and attributes give the same endpoint back
      for (const [, e] of store.endpoints.scan({ prefix: appKey + '/' })) {
        if (e.attributes.Token !== Token) continue;
        const same = Object.entries(attributes).every(([k, v]) => e.attributes[k] === v);
        if (!same) throw invalid(`Token Reason: Endpoint ${e.arn} already exists with the same Token, but different attributes.`);
        return { EndpointArn: e.arn };
      }
      const id = randomUUID();
      const arn = `${rec.arn.replace(':app/', ':endpoint/')}/${id}`;
      store.endpoints.put(`${appKey}/${id}`, { arn, appArn: rec.arn, attributes });
      return { EndpointArn: arn };
    },
    GetEndpointAttributes: ({ EndpointArn }) => ({ Attributes: endpoint(EndpointArn).endpoint.attributes }),
    SetEndpointAttributes: ({ EndpointArn, Attributes }) => {
      const { store, key, endpoint: e } = endpoint(EndpointArn);
      store.endpoints.put(key, { ...e, attributes: { ...e.attributes, ...Attributes } });
    },
    DeleteEndpoint: ({ EndpointArn }) => {
      const found = ENDPOINT_ARN.test(EndpointArn) ? findEndpoint(stores, EndpointArn) : undefined;
      if (found) found.store.endpoints.delete(found.key); // deleting a missing endpoint is not an error
    },
    ListEndpointsByPlatformApplication: ({ PlatformApplicationArn, NextToken }) => {
      const { store, key } = app(PlatformApplicationArn);
      const { items, next } = page([...store.endpoints.scan({ prefix: key + '/', after: after(NextToken), limit: PAGE + 1 })]);
      return { Endpoints: items.map(([, e]) => ({ EndpointArn: e.arn, Attributes: e.attributes })), ...(next ? { NextToken: next } : {}) };
    },
  };
}

export type { AppRecord, EndpointRecord };
