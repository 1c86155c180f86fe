// Code signing configs: Create/Get/Update/Delete/ListCodeSigningConfigs, attached to functions with
// Put/Get/DeleteFunctionCodeSigningConfig, and ListFunctionsByCodeSigningConfig. Stored and
// validated (signing profile version ARNs, the policy); code is not checked against a signature
// (Nimbus has no AWS Signer).
import { randomBytes } from 'node:crypto';
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { CodeSigningConfig, LambdaProvider } from '../../generated/lambda.js';
import { getLatest } from './functions.js';
import { conflict, functionArn, invalidValue, parseFunctionName, type LambdaStore } from './model.js';

const CSC_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):code-signing-config:(csc-[a-z0-9]{17})$/;
const PROFILE_VERSION = /^arn:aws[a-zA-Z-]*:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[a-zA-Z0-9_]{2,64}\/[a-zA-Z0-9]{10}$/;

export interface CscRecord {
  id: string;
  description: string;
  publishers: string[];
  policy: string;
  modified: number;
  tags: Record<string, string>;
}

type Handlers = Pick<
  LambdaProvider,
  | 'CreateCodeSigningConfig'
  | 'GetCodeSigningConfig'
  | 'UpdateCodeSigningConfig'
  | 'DeleteCodeSigningConfig'
  | 'ListCodeSigningConfigs'
  | 'PutFunctionCodeSigningConfig'
  | 'GetFunctionCodeSigningConfig'
  | 'DeleteFunctionCodeSigningConfig'
  | 'ListFunctionsByCodeSigningConfig'
>;

const notFound = (arn: string) =>
  new ServiceError(
    'CodeSigningConfigNotFoundException',
    `The code signing configuration cannot be found. Check that the provided configuration is not deleted: ${arn}.`,
    404,
    { Type: 'User' },
  );

function checkPublishers(arns: string[]): string[] {
  for (const a of arns) if (!PROFILE_VERSION.test(a)) throw invalidValue(`Invalid signing profile version ARN: ${a}`);
  return arns;
}

function checkPolicy(p: string | undefined): string {
  if (p === undefined) return 'Warn';
  if (p !== 'Warn' && p !== 'Enforce')
    throw invalidValue(
      `1 validation error detected: Value '${p}' at 'codeSigningPolicies.untrustedArtifactOnDeployment' failed to satisfy constraint: Member must satisfy enum value set: [Enforce, Warn]`,
    );
  return p;
}

export function codeSigningHandlers(rt: Runtime, stores: Stores<LambdaStore>): Handlers {
  const arnOf = (store: LambdaStore, id: string) => `arn:aws:lambda:${store.region}:${store.account}:code-signing-config:${id}`;
  const render = (store: LambdaStore, r: CscRecord): CodeSigningConfig => ({
    CodeSigningConfigId: r.id,
    CodeSigningConfigArn: arnOf(store, r.id),
    Description: r.description,
    AllowedPublishers: { SigningProfileVersionArns: r.publishers },
    CodeSigningPolicies: { UntrustedArtifactOnDeployment: r.policy as 'Warn' },
    LastModified: new Date(r.modified).toISOString(),
  });
  /** The config an ARN names, in the caller's account and region. */
  function find(ctx: RequestContext, arn: string): { store: LambdaStore; r: CscRecord } {
    const store = stores.get(ctx.account, ctx.region);
    const m = CSC_ARN.exec(arn);
    const r = m && m[1] === ctx.region && m[2] === ctx.account ? store.codeSigning.get(m[3]) : undefined;
    if (!r) throw notFound(arn);
    return { store, r };
  }
  function fn(ctx: RequestContext, name: string) {
    const store = stores.get(ctx.account, ctx.region);
    const parsed = parseFunctionName(name, ctx.account, ctx.region);
    if (parsed.qualifier) throw invalidValue('Code signing configurations apply to the unqualified function.');
    getLatest(store, parsed.name);
    return { store, name: parsed.name, meta: store.meta.get(parsed.name)! };
  }
  const usedBy = (store: LambdaStore, arn: string) =>
    [...store.meta.scan()].filter(([, m]) => m.codeSigningConfigArn === arn).map(([name]) => name);

  return {
    CreateCodeSigningConfig(i, ctx) {
      const store = stores.get(ctx.account, ctx.region);
      const r: CscRecord = {
        id: `csc-${randomBytes(9).toString('hex').slice(0, 17)}`,
        description: i.Description ?? '',
        publishers: checkPublishers(i.AllowedPublishers.SigningProfileVersionArns),
        policy: checkPolicy(i.CodeSigningPolicies?.UntrustedArtifactOnDeployment),
        modified: rt.clock.nowMs(),
        tags: i.Tags ?? {},
      };
      store.codeSigning.put(r.id, r);
      return { CodeSigningConfig: render(store, r) };
    },
    GetCodeSigningConfig(i, ctx) {
      const { store, r } = find(ctx, i.CodeSigningConfigArn);
      return { CodeSigningConfig: render(store, r) };
    },
    UpdateCodeSigningConfig(i, ctx) {
      const { store, r } = find(ctx, i.CodeSigningConfigArn);
      const next: CscRecord = {
        ...r,
        description: i.Description ?? r.description,
        publishers: i.AllowedPublishers ? checkPublishers(i.AllowedPublishers.SigningProfileVersionArns) : r.publishers,
        policy: i.CodeSigningPolicies ? checkPolicy(i.CodeSigningPolicies.UntrustedArtifactOnDeployment) : r.policy,
        modified: rt.clock.nowMs(),
      };
      store.codeSigning.put(r.id, next);
      return { CodeSigningConfig: render(store, next) };
    },
    DeleteCodeSigningConfig(i, ctx) {
      const { store, r } = find(ctx, i.CodeSigningConfigArn);
      if (usedBy(store, i.CodeSigningConfigArn).length)
        throw conflict('The code signing configuration cannot be deleted because it is used by one or more functions.');
      store.codeSigning.delete(r.id);
      return {};
    },
    ListCodeSigningConfigs(i, ctx) {
      const store = stores.get(ctx.account, ctx.region);
      const max = i.MaxItems ?? 50;
      const page = [...store.codeSigning.scan({ after: i.Marker, limit: max + 1 })].map(([, r]) => r);
      const more = page.length > max;
      return { CodeSigningConfigs: page.slice(0, max).map((r) => render(store, r)), ...(more ? { NextMarker: page[max - 1].id } : {}) };
    },
    PutFunctionCodeSigningConfig(i, ctx) {
      find(ctx, i.CodeSigningConfigArn);
      const { store, name, meta } = fn(ctx, i.FunctionName);
      store.meta.put(name, { ...meta, codeSigningConfigArn: i.CodeSigningConfigArn });
      return { CodeSigningConfigArn: i.CodeSigningConfigArn, FunctionName: name };
    },
    GetFunctionCodeSigningConfig(i, ctx) {
      const { name, meta } = fn(ctx, i.FunctionName);
      return { CodeSigningConfigArn: meta.codeSigningConfigArn ?? '', FunctionName: name };
    },
    DeleteFunctionCodeSigningConfig(i, ctx) {
      const { store, name, meta } = fn(ctx, i.FunctionName);
      const { codeSigningConfigArn: _drop, ...rest } = meta;
      store.meta.put(name, rest);
    },
    ListFunctionsByCodeSigningConfig(i, ctx) {
      const { store } = find(ctx, i.CodeSigningConfigArn);
      const names = usedBy(store, i.CodeSigningConfigArn);
      const max = i.MaxItems ?? 50;
      const start = i.Marker ? names.indexOf(i.Marker) + 1 : 0;
      const page = names.slice(start, start + max);
      const more = start + max < names.length;
      return {
        FunctionArns: page.map((n) => functionArn(store.region, store.account, n)),
        ...(more ? { NextMarker: page[page.length - 1] } : {}),
      };
    },
  };
}
