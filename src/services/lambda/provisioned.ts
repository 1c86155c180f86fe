// Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfigs on a version or an
// alias. A config is IN_PROGRESS until PROVISION_MS of virtual time have passed, then READY; its
// environments are started at once (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency) and
// kept warm (never reaped) until the config is deleted or lowered, and started again when a
// persistent server restarts.
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { LambdaProvider, ProvisionedConcurrencyConfigListItem } from '../../generated/lambda.js';
import { getLatest, getQualified } from './functions.js';
import {
  LATEST,
  functionArn,
  invalidValue,
  parseFunctionName,
  provisionedIndexKey,
  qualifierOf,
  versionKey,
  type FunctionRecord,
  type LambdaStore,
  type ProvisionedRecord,
} from './model.js';
import { poolOf } from './pool.js';
import { spawnSpec } from './executor.js';

export const PROVISION_MS = Number(process.env.NIMBUS_LAMBDA_PROVISION_SECONDS ?? 2) * 1000;
/** what the account may provision in all (its concurrency limit less the 100 always unreserved) */
const ACCOUNT_MAX = 900;

const notFound = () =>
  new ServiceError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function', 404, {
    Type: 'User',
  });
const key = (name: string, qualifier: string) => `${name}\0${qualifier}`;

type Handlers = Pick<
  LambdaProvider,
  | 'PutProvisionedConcurrencyConfig'
  | 'GetProvisionedConcurrencyConfig'
  | 'DeleteProvisionedConcurrencyConfig'
  | 'ListProvisionedConcurrencyConfigs'
>;

/** The version a qualifier (a version number or an alias) stands for. */
function versionOf(store: LambdaStore, name: string, qualifier: string): FunctionRecord {
  if (/^\d+$/.test(qualifier)) return getQualified(store, name, qualifier);
  const alias = store.aliases.get(`${name}\0${qualifier}`);
  if (!alias)
    throw new ServiceError(
      'ResourceNotFoundException',
      `Cannot find alias arn: ${functionArn(store.region, store.account, name, qualifier)}`,
      404,
      { Type: 'User' },
    );
  return getQualified(store, name, alias.version);
}

/** Starts (or lets go of) the warm environments of a config. */
export function provision(rt: Runtime, store: LambdaStore, fn: FunctionRecord, count: number): Promise<void> {
  const functionKey = `${store.account}/${store.region}/${fn.name}`;
  const day = rt.clock.now().toISOString().slice(0, 10).replace(/-/g, '/');
  const spec = async (e: { port: number; logStream: string; id: string }) => {
    const s = await spawnSpec(rt, store, fn, e);
    return { ...s, env: { ...s.env, AWS_LAMBDA_INITIALIZATION_TYPE: 'provisioned-concurrency' } };
  };
  return poolOf(rt)
    .provision(`${functionKey}/${fn.version}/${fn.revisionId}`, functionKey, day, fn.version, count, spec)
    .catch((e) => rt.log.warn?.(`lambda: provisioned environments of ${fn.name}:${fn.version} not started: ${(e as Error).message}`));
}

/** Starts the environments of every provisioned config a previous run left, once Nimbus listens (they call it back). */
export function reprovision(rt: Runtime, stores: Stores<LambdaStore>): void {
  let closed = false;
  rt.onClose(() => {
    closed = true;
  });
  const start = () => {
    if (closed) return;
    if (!rt.endpoint) return void setTimeout(start, 10).unref();
    const index = stores.system().provisionedIndex;
    for (const [k, loc] of [...index.scan()]) {
      const store = stores.get(loc.account, loc.region);
      const r = store.provisioned.get(key(loc.name, loc.qualifier));
      const fn = r && store.versions.get(versionKey(r.name, r.version));
      if (!r || !fn)
        index.delete(k); // deleted with its function
      else void provision(rt, store, fn, r.requested);
    }
  };
  setImmediate(start);
}

export function provisionedHandlers(rt: Runtime, stores: Stores<LambdaStore>): Handlers {
  function at(ctx: RequestContext, functionName: string, param?: string) {
    const store = stores.get(ctx.account, ctx.region);
    const { name, qualifier: fromName } = parseFunctionName(functionName, ctx.account, ctx.region);
    const q = qualifierOf(fromName, param);
    getLatest(store, name);
    return { store, name, qualifier: q };
  }
  function render(store: LambdaStore, r: ProvisionedRecord): ProvisionedConcurrencyConfigListItem {
    const ready = rt.clock.nowMs() >= r.readyAt;
    return {
      FunctionArn: functionArn(store.region, store.account, r.name, r.qualifier),
      RequestedProvisionedConcurrentExecutions: r.requested,
      AvailableProvisionedConcurrentExecutions: ready ? r.requested : 0,
      AllocatedProvisionedConcurrentExecutions: ready ? r.requested : 0,
      Status: ready ? 'READY' : 'IN_PROGRESS',
      LastModified: new Date(r.modified).toISOString().replace('Z', '+0000'),
    };
  }

  return {
    async PutProvisionedConcurrencyConfig(i, ctx) {
      const { store, name, qualifier } = at(ctx, i.FunctionName, i.Qualifier);
      if (!qualifier || qualifier === LATEST)
        throw invalidValue('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
      const fn = versionOf(store, name, qualifier);
      const n = i.ProvisionedConcurrentExecutions;
      const reserved = store.meta.get(name)?.reserved;
      const others = [...store.provisioned.scan({ prefix: `${name}\0` })]
        .filter(([k]) => k !== key(name, qualifier))
        .reduce((sum, [, r]) => sum + r.requested, 0);
      if (reserved !== undefined && others + n > reserved) {
        throw invalidValue(
          `Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function ${name}`,
        );
      }
      if (others + n > ACCOUNT_MAX)
        throw invalidValue(
          `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${ACCOUNT_MAX}].`,
        );
      const now = rt.clock.nowMs();
      const r: ProvisionedRecord = { name, qualifier, version: fn.version, requested: n, readyAt: now + PROVISION_MS, modified: now };
      store.provisioned.put(key(name, qualifier), r);
      stores.system().provisionedIndex.put(provisionedIndexKey(store, name, qualifier), {
        account: store.account,
        region: store.region,
        name,
        qualifier,
      });
      await provision(rt, store, fn, n); // the environments are spawned (their code starts loading) before the answer
      const { FunctionArn: _, ...out } = render(store, r);
      return out;
    },

    GetProvisionedConcurrencyConfig(i, ctx) {
      const { store, name, qualifier } = at(ctx, i.FunctionName, i.Qualifier);
      const r = qualifier ? store.provisioned.get(key(name, qualifier)) : undefined;
      if (!r) throw notFound();
      const { FunctionArn: _, ...out } = render(store, r);
      return out;
    },

    async DeleteProvisionedConcurrencyConfig(i, ctx) {
      const { store, name, qualifier } = at(ctx, i.FunctionName, i.Qualifier);
      const r = qualifier ? store.provisioned.get(key(name, qualifier)) : undefined;
      if (!r) throw notFound();
      store.provisioned.delete(key(name, qualifier!));
      stores.system().provisionedIndex.delete(provisionedIndexKey(store, name, qualifier));
      const fn = store.versions.get(versionKey(name, r.version));
      if (fn) await provision(rt, store, fn, 0);
    },

    ListProvisionedConcurrencyConfigs(i, ctx) {
      const { store, name } = at(ctx, i.FunctionName);
      const max = i.MaxItems ?? 50;
      const all = [...store.provisioned.scan({ prefix: `${name}\0` })].map(([, r]) => r);
      const start = i.Marker ? all.findIndex((r) => r.qualifier === i.Marker) : 0;
      if (start < 0) throw invalidValue('Invalid marker');
      const next = all[start + max];
      return {
        ProvisionedConcurrencyConfigs: all.slice(start, start + max).map((r) => render(store, r)),
        ...(next ? { NextMarker: next.qualifier } : {}),
      };
    },
  };
}
