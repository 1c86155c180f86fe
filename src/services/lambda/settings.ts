// Per-function settings beside its configuration: reserved concurrency, asynchronous invoke configs
// (retries, event age, destinations), aliases with weighted routing, and the resource policy.
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { LambdaProvider, AliasConfiguration, DestinationConfig } from '../../generated/lambda.js';
import { getLatest, preconditionFailed } from './functions.js';
import { reach } from './access.js';
import {
  LATEST,
  conflict,
  functionArn,
  invalidValue,
  newRevision,
  notFound,
  parseFunctionName,
  qualifierOf,
  renderInvokeConfig,
  versionKey,
  type AliasRecord,
  type InvokeConfigRecord,
  type LambdaStore,
} from './model.js';

const DEST = /^arn:aws[a-z-]*:(sqs|sns|lambda|events|s3):/;

function checkDestinations(d: DestinationConfig | undefined): void {
  for (const arn of [d?.OnSuccess?.Destination, d?.OnFailure?.Destination]) {
    if (arn && !DEST.test(arn))
      throw invalidValue(
        `The provided destination config DestinationConfig(onSuccess=..., onFailure=...) is invalid: ${arn} is not a supported destination.`,
      );
  }
}

export function settingsHandlers(rt: Runtime, stores: Stores<LambdaStore>): LambdaProvider {
  const at = (ctx: RequestContext, fnName: string) => {
    const store = stores.get(ctx.account, ctx.region);
    const parsed = parseFunctionName(fnName, ctx.account, ctx.region);
    getLatest(store, parsed.name);
    return { store, ...parsed, meta: store.meta.get(parsed.name)! };
  };
  /** another account's function too, where its policy allows the call (GetAlias, ListAliases) */
  const reached = (ctx: RequestContext, fnName: string) => {
    const r = reach(rt, stores, ctx, fnName);
    getLatest(r.store, r.name);
    return r;
  };
  const aliasOut = (store: LambdaStore, a: AliasRecord): AliasConfiguration => ({
    AliasArn: functionArn(store.region, store.account, a.functionName, a.name),
    Name: a.name,
    FunctionVersion: a.version,
    Description: a.description,
    RevisionId: a.revisionId,
    ...(a.weights ? { RoutingConfig: { AdditionalVersionWeights: a.weights } } : {}),
  });
  const checkVersion = (store: LambdaStore, name: string, version: string) => {
    if (version !== LATEST && !store.versions.has(versionKey(name, version)))
      throw notFound(functionArn(store.region, store.account, name, version));
  };
  const checkWeights = (store: LambdaStore, name: string, primary: string, w?: Record<string, number>) => {
    if (!w || !Object.keys(w).length) return undefined;
    if (Object.keys(w).length > 1) throw invalidValue('Number of items in AdditionalVersionWeights cannot be greater than 1');
    for (const [v, weight] of Object.entries(w)) {
      if (v === primary)
        throw invalidValue('Invalid function version in routing configuration: an alias cannot route to its own primary version.');
      if (!/^\d+$/.test(v)) throw invalidValue(`Invalid function version ${v}. Function version ${v} is not a published version.`);
      checkVersion(store, name, v);
      if (weight < 0 || weight > 1) throw invalidValue('Routing weights must be between 0.0 and 1.0.');
    }
    if (primary === LATEST) throw invalidValue('$LATEST is not supported for an alias pointing to more than 1 version');
    return w;
  };
  const policyKey = (q?: string) => q ?? '';

  return {
    PutFunctionConcurrency(i, ctx) {
      const { store, name, meta } = at(ctx, i.FunctionName);
      if (i.ReservedConcurrentExecutions < 0 || i.ReservedConcurrentExecutions > 900) {
        throw invalidValue(
          `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].`,
        );
      }
      store.meta.put(name, { ...meta, reserved: i.ReservedConcurrentExecutions });
      return { ReservedConcurrentExecutions: i.ReservedConcurrentExecutions };
    },
    GetFunctionConcurrency(i, ctx) {
      const { meta } = at(ctx, i.FunctionName);
      return meta.reserved === undefined ? {} : { ReservedConcurrentExecutions: meta.reserved };
    },
    DeleteFunctionConcurrency(i, ctx) {
      const { store, name, meta } = at(ctx, i.FunctionName);
      const { reserved: _drop, ...rest } = meta;
      store.meta.put(name, rest);
    },

    PutFunctionEventInvokeConfig(i, ctx) {
      const { store, name, qualifier } = at(ctx, i.FunctionName);
      const q = qualifierOf(qualifier, i.Qualifier) ?? LATEST;
      checkDestinations(i.DestinationConfig);
      const rec: InvokeConfigRecord = {
        functionName: name,
        qualifier: q,
        maxRetries: i.MaximumRetryAttempts,
        maxAgeSeconds: i.MaximumEventAgeInSeconds,
        onSuccess: i.DestinationConfig?.OnSuccess?.Destination,
        onFailure: i.DestinationConfig?.OnFailure?.Destination,
        lastModified: rt.clock.nowMs(),
      };
      store.invokeConfigs.put(`${name}\0${q}`, rec);
      return renderInvokeConfig(rec, store);
    },
    UpdateFunctionEventInvokeConfig(i, ctx) {
      const { store, name, qualifier } = at(ctx, i.FunctionName);
      const q = qualifierOf(qualifier, i.Qualifier) ?? LATEST;
      checkDestinations(i.DestinationConfig);
      const cur = store.invokeConfigs.get(`${name}\0${q}`) ?? { functionName: name, qualifier: q, lastModified: 0 };
      const rec: InvokeConfigRecord = {
        ...cur,
        ...(i.MaximumRetryAttempts !== undefined ? { maxRetries: i.MaximumRetryAttempts } : {}),
        ...(i.MaximumEventAgeInSeconds !== undefined ? { maxAgeSeconds: i.MaximumEventAgeInSeconds } : {}),
        ...(i.DestinationConfig?.OnSuccess ? { onSuccess: i.DestinationConfig.OnSuccess.Destination } : {}),
        ...(i.DestinationConfig?.OnFailure ? { onFailure: i.DestinationConfig.OnFailure.Destination } : {}),
        lastModified: rt.clock.nowMs(),
      };
      store.invokeConfigs.put(`${name}\0${q}`, rec);
      return renderInvokeConfig(rec, store);
    },
    GetFunctionEventInvokeConfig(i, ctx) {
      const { store, name, qualifier } = at(ctx, i.FunctionName);
      const q = qualifierOf(qualifier, i.Qualifier) ?? LATEST;
      const rec = store.invokeConfigs.get(`${name}\0${q}`);
      if (!rec)
        throw new ServiceError(
          'ResourceNotFoundException',
          `The function ${functionArn(store.region, store.account, name, q)} doesn't have an EventInvokeConfig`,
          404,
          { Type: 'User' },
        );
      return renderInvokeConfig(rec, store);
    },
    DeleteFunctionEventInvokeConfig(i, ctx) {
      const { store, name, qualifier } = at(ctx, i.FunctionName);
      const q = qualifierOf(qualifier, i.Qualifier) ?? LATEST;
      if (!store.invokeConfigs.delete(`${name}\0${q}`))
        throw new ServiceError(
          'ResourceNotFoundException',
          `The function ${functionArn(store.region, store.account, name, q)} doesn't have an EventInvokeConfig`,
          404,
          { Type: 'User' },
        );
    },
    ListFunctionEventInvokeConfigs(i, ctx) {
      const { store, name } = at(ctx, i.FunctionName);
      return {
        FunctionEventInvokeConfigs: [...store.invokeConfigs.scan({ prefix: `${name}\0` })].map(([, r]) => renderInvokeConfig(r, store)),
      };
    },

    CreateAlias(i, ctx) {
      const { store, name } = at(ctx, i.FunctionName);
      if (/^\d+$/.test(i.Name) || i.Name === LATEST)
        throw invalidValue(`Alias name ${i.Name} is invalid: it cannot be a version number or $LATEST.`);
      checkVersion(store, name, i.FunctionVersion);
      const k = `${name}\0${i.Name}`;
      if (store.aliases.has(k)) throw conflict(`Alias already exists: ${functionArn(store.region, store.account, name, i.Name)}`);
      const a: AliasRecord = {
        name: i.Name,
        functionName: name,
        version: i.FunctionVersion,
        description: i.Description ?? '',
        weights: checkWeights(store, name, i.FunctionVersion, i.RoutingConfig?.AdditionalVersionWeights),
        revisionId: newRevision(),
      };
      store.aliases.put(k, a);
      return aliasOut(store, a);
    },
    GetAlias(i, ctx) {
      const { store, name } = reached(ctx, i.FunctionName);
      const a = store.aliases.get(`${name}\0${i.Name}`);
      if (!a)
        throw new ServiceError(
          'ResourceNotFoundException',
          `Cannot find alias arn: ${functionArn(store.region, store.account, name, i.Name)}`,
          404,
          { Type: 'User' },
        );
      return aliasOut(store, a);
    },
    UpdateAlias(i, ctx) {
      const { store, name } = at(ctx, i.FunctionName);
      const k = `${name}\0${i.Name}`;
      const cur = store.aliases.get(k);
      if (!cur)
        throw new ServiceError(
          'ResourceNotFoundException',
          `Cannot find alias arn: ${functionArn(store.region, store.account, name, i.Name)}`,
          404,
          { Type: 'User' },
        );
      if (i.RevisionId && i.RevisionId !== cur.revisionId) throw preconditionFailed();
      const version = i.FunctionVersion ?? cur.version;
      checkVersion(store, name, version);
      const weights = i.RoutingConfig ? checkWeights(store, name, version, i.RoutingConfig.AdditionalVersionWeights) : cur.weights;
      const a: AliasRecord = { ...cur, version, description: i.Description ?? cur.description, weights, revisionId: newRevision() };
      store.aliases.put(k, a);
      return aliasOut(store, a);
    },
    DeleteAlias(i, ctx) {
      const { store, name } = at(ctx, i.FunctionName);
      store.aliases.delete(`${name}\0${i.Name}`);
    },
    ListAliases(i, ctx) {
      const { store, name } = reached(ctx, i.FunctionName);
      const all = [...store.aliases.scan({ prefix: `${name}\0` })]
        .map(([, a]) => a)
        .filter((a) => !i.FunctionVersion || a.version === i.FunctionVersion);
      return { Aliases: all.map((a) => aliasOut(store, a)) };
    },

    AddPermission(i, ctx) {
      const { store, name, qualifier, meta } = at(ctx, i.FunctionName);
      const q = qualifierOf(qualifier, i.Qualifier);
      const statements = meta.policies[policyKey(q)] ?? [];
      if (statements.some((s) => s.Sid === i.StatementId))
        throw conflict(
          `The statement id (${i.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      if (!/^[a-z0-9]+:[A-Za-z*]+$/.test(i.Action) && i.Action !== '*')
        throw invalidValue(
          `1 validation error detected: Value '${i.Action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])`,
        );
      const principal = /^\d{12}$/.test(i.Principal)
        ? { AWS: `arn:aws:iam::${i.Principal}:root` }
        : i.Principal.startsWith('arn:')
          ? { AWS: i.Principal }
          : i.Principal === '*'
            ? '*'
            : { Service: i.Principal };
      const condition: Record<string, Record<string, string>> = {};
      if (i.SourceArn) condition.ArnLike = { 'AWS:SourceArn': i.SourceArn };
      if (i.SourceAccount) condition.StringEquals = { ...condition.StringEquals, 'AWS:SourceAccount': i.SourceAccount };
      if (i.PrincipalOrgID) condition.StringEquals = { ...condition.StringEquals, 'aws:PrincipalOrgID': i.PrincipalOrgID };
      if (i.FunctionUrlAuthType)
        condition.StringEquals = { ...condition.StringEquals, 'lambda:FunctionUrlAuthType': i.FunctionUrlAuthType };
      const statement: Record<string, unknown> = {
        Sid: i.StatementId,
        Effect: 'Allow',
        Principal: principal,
        Action: i.Action,
        Resource: functionArn(store.region, store.account, name, q),
        ...(Object.keys(condition).length ? { Condition: condition } : {}),
      };
      store.meta.put(name, { ...meta, policies: { ...meta.policies, [policyKey(q)]: [...statements, statement] } });
      return { Statement: JSON.stringify(statement) };
    },
    RemovePermission(i, ctx) {
      const { store, name, qualifier, meta } = at(ctx, i.FunctionName);
      const q = qualifierOf(qualifier, i.Qualifier);
      const statements = meta.policies[policyKey(q)] ?? [];
      if (!statements.some((s) => s.Sid === i.StatementId))
        throw new ServiceError('ResourceNotFoundException', 'Statement ' + i.StatementId + ' is not found in resource policy.', 404, {
          Type: 'User',
        });
      store.meta.put(name, { ...meta, policies: { ...meta.policies, [policyKey(q)]: statements.filter((s) => s.Sid !== i.StatementId) } });
    },
    GetPolicy(i, ctx) {
      const { store, name, qualifier, meta } = at(ctx, i.FunctionName);
      const q = qualifierOf(qualifier, i.Qualifier);
      const statements = meta.policies[policyKey(q)] ?? [];
      if (!statements.length)
        throw new ServiceError('ResourceNotFoundException', 'The resource you requested does not exist.', 404, { Type: 'User' });
      return {
        Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements }),
        RevisionId: getLatest(store, name).revisionId,
      };
    },
  };
}
