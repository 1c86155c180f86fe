// Functions: create, read, update (configuration and code), delete, list, publish versions, tags.
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type {
  CreateFunctionRequest,
  LambdaProvider,
  UpdateFunctionConfigurationRequest,
  FunctionConfiguration,
} from '../../generated/lambda.js';
import { storeCode } from './code.js';
import {
  dropUrls,
  provisionedIndexKey,
  LATEST,
  conflict,
  invalidValue,
  lastModifiedText,
  newRevision,
  notFound,
  parseFunctionName,
  qualifierOf,
  renderConfig,
  versionKey,
  functionArn,
  type FunctionMeta,
  type FunctionRecord,
  type LambdaStore,
} from './model.js';
import { checkRuntime } from './runtimes.js';
import { poolOf } from './pool.js';
import { resolveLayers, type LayerStore } from './layers.js';
import { reach } from './access.js';

/** How long a new function stays Pending and an update InProgress: observable by waiters, yet fast. */
export const SETTLE_MS = Number(process.env.NIMBUS_LAMBDA_SETTLE_MS ?? 50);
const ROLE = /^arn:aws[a-zA-Z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-/]+$/;

const validation = (message: string) => new ServiceError('ValidationException', message, 400);

export function checkRole(rt: Runtime, role: string): void {
  if (!ROLE.test(role))
    throw validation(
      `1 validation error detected: Value '${role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`,
    );
  // a role IAM does not know is refused only when IAM is enforced (as STS AssumeRole is): tests
  // written without IAM keep working, enforced setups get AWS's refusal
  if (rt.config.enforceIam && rt.integrations.iam && !rt.integrations.iam.role(role)) {
    throw invalidValue('The role defined for the function cannot be assumed by Lambda.');
  }
}

function checkLimits(i: { Timeout?: number; MemorySize?: number; EphemeralStorage?: { Size: number } }): void {
  if (i.Timeout !== undefined && (i.Timeout < 1 || i.Timeout > 900)) {
    throw validation(
      `1 validation error detected: Value '${i.Timeout}' at 'timeout' failed to satisfy constraint: Member must have value ${i.Timeout < 1 ? 'greater than or equal to 1' : 'less than or equal to 900'}`,
    );
  }
  if (i.MemorySize !== undefined && (i.MemorySize < 128 || i.MemorySize > 10240)) {
    throw validation(
      `1 validation error detected: Value '${i.MemorySize}' at 'memorySize' failed to satisfy constraint: Member must have value ${i.MemorySize < 128 ? 'greater than or equal to 128' : 'less than or equal to 10240'}`,
    );
  }
  const eph = i.EphemeralStorage?.Size;
  if (eph !== undefined && (eph < 512 || eph > 10240)) {
    throw validation(
      `1 validation error detected: Value '${eph}' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value ${eph < 512 ? 'greater than or equal to 512' : 'less than or equal to 10240'}`,
    );
  }
}

function checkEnv(vars: Record<string, string> | undefined): void {
  if (!vars) return;
  const size = Object.entries(vars).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > 4096)
    throw invalidValue(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${JSON.stringify(vars).slice(0, 100)}`,
    );
  for (const k of Object.keys(vars)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(k))
      throw invalidValue(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${k}`,
      );
    if (
      /^(AWS_REGION|AWS_DEFAULT_REGION|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|AWS_LAMBDA_[A-Z_]+|_HANDLER|LAMBDA_TASK_ROOT|LAMBDA_RUNTIME_DIR|AWS_EXECUTION_ENV)$/.test(
        k,
      )
    ) {
      throw invalidValue(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${k}`,
      );
    }
  }
}

async function codeFrom(
  rt: Runtime,
  account: string,
  c: { ZipFile?: Buffer; S3Bucket?: string; S3Key?: string; S3ObjectVersion?: string },
) {
  if (c.ZipFile) return storeCode(rt, Buffer.from(c.ZipFile));
  if (c.S3Bucket && c.S3Key) {
    if (!rt.integrations.s3)
      throw invalidValue(
        'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist',
      );
    try {
      return await storeCode(rt, await rt.integrations.s3.getObject(account, c.S3Bucket, c.S3Key, c.S3ObjectVersion));
    } catch (e) {
      if (e instanceof ServiceError && (e.code === 'NoSuchKey' || e.code === 'NoSuchBucket' || e.code === 'NoSuchVersion')) {
        throw invalidValue(`Error occurred while GetObject. S3 Error Code: ${e.code}. S3 Error Message: ${e.message}`);
      }
      throw e;
    }
  }
  throw invalidValue('Please provide a source for function code.');
}

export function getLatest(store: LambdaStore, name: string): FunctionRecord {
  const r = store.versions.get(versionKey(name, LATEST));
  if (!r) throw notFound(functionArn(store.region, store.account, name));
  return r;
}

/** A version ($LATEST, a number) or an alias, resolved to its record. */
export function getQualified(store: LambdaStore, name: string, qualifier?: string): FunctionRecord {
  const latest = getLatest(store, name);
  if (!qualifier || qualifier === LATEST) return latest;
  const byVersion = /^\d+$/.test(qualifier) ? store.versions.get(versionKey(name, qualifier)) : undefined;
  const alias = byVersion ? undefined : store.aliases.get(`${name}\0${qualifier}`);
  const r =
    byVersion ??
    (alias ? (store.versions.get(versionKey(name, alias.version)) ?? (alias.version === LATEST ? latest : undefined)) : undefined);
  if (!r) throw notFound(functionArn(store.region, store.account, name, qualifier));
  return r;
}

export function publish(store: LambdaStore, name: string, now: number, description?: string): FunctionRecord {
  const latest = getLatest(store, name);
  const meta = store.meta.get(name)!;
  // a version whose code and configuration equal the last published one is not published again
  const last = meta.lastVersion ? store.versions.get(versionKey(name, String(meta.lastVersion))) : undefined;
  if (last && last.codeSha === latest.codeSha && last.revisionFrom === latest.revisionId) return last;
  const version = String(meta.lastVersion + 1);
  const rec: FunctionRecord = {
    ...latest,
    version,
    revisionId: newRevision(),
    revisionFrom: latest.revisionId,
    description: description ?? latest.description,
    lastModified: lastModifiedText(now),
  };
  store.versions.put(versionKey(name, version), rec);
  store.meta.put(name, { ...meta, lastVersion: meta.lastVersion + 1 });
  return rec;
}

export function functionHandlers(rt: Runtime, stores: Stores<LambdaStore>, layerStores: Stores<LayerStore>): LambdaProvider {
  const layerCode = (arns: string[]) => resolveLayers(layerStores, arns).map((l) => ({ sha: l.codeSha, size: l.codeSize }));
  const storeOf = (ctx: RequestContext) => stores.get(ctx.account, ctx.region);
  // a write's answer is rendered as of the write (Pending / InProgress, as AWS answers), however long the process was descheduled since
  const render = (store: LambdaStore, r: FunctionRecord, at = rt.clock.nowMs()) => renderConfig(r, store, at);
  const codeUrl = (r: FunctionRecord) => `${rt.endpoint}/_nimbus/lambda/code?sha=${Buffer.from(r.codeSha, 'base64').toString('hex')}`;

  rt.admin.route('GET /_nimbus/lambda/code', async (req) => {
    const hex = req.query.get('sha') ?? '';
    if (!/^[0-9a-f]{64}$/.test(hex) || rt.engine.blobs.size(`lambda/code/${hex}`) === undefined)
      return { status: 404, body: { message: 'No such code' } };
    const { readCode } = await import('./code.js');
    return { body: await readCode(rt, hex), contentType: 'application/zip' };
  });

  const updateLatest = (store: LambdaStore, name: string, patch: Partial<FunctionRecord>, now: number): FunctionRecord => {
    const r: FunctionRecord = {
      ...getLatest(store, name),
      ...patch,
      revisionId: newRevision(),
      lastModified: lastModifiedText(now),
      readyAt: now + SETTLE_MS,
      updated: true,
    };
    store.versions.put(versionKey(name, LATEST), r);
    poolOf(rt).retire(`${store.account}/${store.region}/${name}`);
    return r;
  };

  return {
    async CreateFunction(i: CreateFunctionRequest, ctx) {
      const store = storeOf(ctx);
      const { name, qualifier } = parseFunctionName(i.FunctionName, ctx.account, ctx.region);
      if (qualifier) throw invalidValue('Unsupported function name: a qualifier is not allowed when creating a function.');
      if (i.PackageType === 'Image' || i.Code?.ImageUri) {
        throw invalidValue(
          'PackageType Image is not supported by Nimbus: it runs functions from .zip packages on local interpreters, and has no container runtime to run an image. Create the function with PackageType Zip, a Runtime and a Handler.',
        );
      }
      checkRuntime(i.Runtime);
      if (!i.Handler) throw invalidValue('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
      checkRole(rt, i.Role);
      checkLimits(i);
      checkEnv(i.Environment?.Variables);
      if (store.meta.has(name)) throw conflict(`Function already exist: ${name}`);
      const code = await codeFrom(rt, ctx.account, i.Code ?? {});
      if (store.meta.has(name)) throw conflict(`Function already exist: ${name}`);
      const now = rt.clock.nowMs();
      const rec: FunctionRecord = {
        name,
        version: LATEST,
        runtime: i.Runtime,
        role: i.Role,
        handler: i.Handler,
        description: i.Description ?? '',
        timeout: i.Timeout ?? 3,
        memory: i.MemorySize ?? 128,
        ephemeral: i.EphemeralStorage?.Size ?? 512,
        architectures: i.Architectures ?? ['x86_64'],
        env: i.Environment?.Variables,
        deadLetterArn: i.DeadLetterConfig?.TargetArn,
        tracing: i.TracingConfig?.Mode ?? 'PassThrough',
        layers: i.Layers ?? [],
        layerCode: layerCode(i.Layers ?? []),
        packageType: 'Zip',
        codeSha: code.sha256,
        codeSize: code.size,
        lastModified: lastModifiedText(now),
        revisionId: newRevision(),
        readyAt: now + SETTLE_MS,
        updated: false,
        kmsKeyArn: i.KMSKeyArn,
        loggingConfig: i.LoggingConfig,
      };
      const meta: FunctionMeta = { name, tags: i.Tags ?? {}, lastVersion: 0, policies: {}, createdAt: now };
      rt.engine.transaction(() => {
        store.meta.put(name, meta);
        store.versions.put(versionKey(name, LATEST), rec);
      });
      const out = i.Publish ? publish(store, name, now) : rec;
      return render(store, out, now);
    },

    GetFunction(i, ctx) {
      const { store, name, qualifier } = reach(rt, stores, ctx, i.FunctionName, i.Qualifier);
      const r = getQualified(store, name, qualifier);
      const meta = store.meta.get(name)!;
      const out: Record<string, unknown> = { Configuration: render(store, r), Code: { RepositoryType: 'S3', Location: codeUrl(r) } };
      if (Object.keys(meta.tags).length) out.Tags = meta.tags;
      if (meta.reserved !== undefined) out.Concurrency = { ReservedConcurrentExecutions: meta.reserved };
      return out;
    },

    GetFunctionConfiguration(i, ctx) {
      const { store, name, qualifier } = reach(rt, stores, ctx, i.FunctionName, i.Qualifier);
      return render(store, getQualified(store, name, qualifier));
    },

    UpdateFunctionConfiguration(i: UpdateFunctionConfigurationRequest, ctx) {
      const store = storeOf(ctx);
      const { name } = parseFunctionName(i.FunctionName, ctx.account, ctx.region);
      const cur = getLatest(store, name);
      if (i.RevisionId && i.RevisionId !== cur.revisionId) throw preconditionFailed();
      if (i.Runtime) checkRuntime(i.Runtime);
      if (i.Role) checkRole(rt, i.Role);
      checkLimits(i);
      checkEnv(i.Environment?.Variables);
      const patch: Partial<FunctionRecord> = {};
      if (i.Runtime) patch.runtime = i.Runtime;
      if (i.Role) patch.role = i.Role;
      if (i.Handler) patch.handler = i.Handler;
      if (i.Description !== undefined) patch.description = i.Description;
      if (i.Timeout !== undefined) patch.timeout = i.Timeout;
      if (i.MemorySize !== undefined) patch.memory = i.MemorySize;
      if (i.EphemeralStorage) patch.ephemeral = i.EphemeralStorage.Size;
      if (i.Environment) patch.env = i.Environment.Variables ?? {};
      if (i.DeadLetterConfig) patch.deadLetterArn = i.DeadLetterConfig.TargetArn || undefined;
      if (i.TracingConfig?.Mode) patch.tracing = i.TracingConfig.Mode;
      if (i.Layers) {
        patch.layers = i.Layers;
        patch.layerCode = layerCode(i.Layers);
      }
      if (i.KMSKeyArn !== undefined) patch.kmsKeyArn = i.KMSKeyArn || undefined;
      if (i.LoggingConfig) patch.loggingConfig = i.LoggingConfig;
      const now = rt.clock.nowMs();
      return render(store, updateLatest(store, name, patch, now), now);
    },

    async UpdateFunctionCode(i, ctx) {
      const store = storeOf(ctx);
      const { name } = parseFunctionName(i.FunctionName, ctx.account, ctx.region);
      const cur = getLatest(store, name);
      if (i.RevisionId && i.RevisionId !== cur.revisionId) throw preconditionFailed();
      if (i.ImageUri) throw invalidValue("Please don't provide ImageUri when updating a function with packageType Zip.");
      const code = await codeFrom(rt, ctx.account, i);
      if (i.DryRun) return render(store, { ...cur, codeSha: code.sha256, codeSize: code.size });
      const patch: Partial<FunctionRecord> = { codeSha: code.sha256, codeSize: code.size };
      if (i.Architectures) patch.architectures = i.Architectures;
      const now = rt.clock.nowMs();
      const r = updateLatest(store, name, patch, now);
      return render(store, i.Publish ? publish(store, name, now) : r, now);
    },

    DeleteFunction(i, ctx) {
      const store = storeOf(ctx);
      const { name, qualifier } = parseFunctionName(i.FunctionName, ctx.account, ctx.region);
      const q = qualifierOf(qualifier, i.Qualifier);
      getLatest(store, name);
      if (q && q !== LATEST) {
        if (!/^\d+$/.test(q)) throw invalidValue('Deletion of aliases is not supported.');
        if (!store.versions.delete(versionKey(name, q))) throw notFound(functionArn(store.region, store.account, name, q));
        return {};
      }
      if (q === LATEST) throw invalidValue('$LATEST version cannot be deleted without deleting the function.');
      rt.engine.transaction(() => {
        store.versions.clear(`${name}\0`);
        store.aliases.clear(`${name}\0`);
        store.invokeConfigs.clear(`${name}\0`);
        dropUrls(stores, store, name);
        store.provisioned.clear(`${name}\0`);
        stores.system().provisionedIndex.clear(provisionedIndexKey(store, name));
        store.meta.delete(name);
      });
      poolOf(rt).retire(`${store.account}/${store.region}/${name}`);
      return {};
    },

    ListFunctions(i, ctx) {
      const store = storeOf(ctx);
      const max = i.MaxItems ?? 50;
      if (max < 1 || max > 10000)
        throw invalidValue(
          "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
        );
      let after: string | undefined;
      if (i.Marker) {
        after = Buffer.from(i.Marker, 'base64url').toString();
        if (!after || Buffer.from(after).toString('base64url') !== i.Marker) throw invalidValue('Invalid marker');
      }
      const all = i.FunctionVersion === 'ALL';
      const page: FunctionConfiguration[] = [];
      let lastKey: string | undefined;
      let more = false;
      for (const [key, r] of store.versions.scan({ after })) {
        if (!all && r.version !== LATEST) continue;
        if (page.length === max) {
          more = true;
          break;
        }
        page.push(render(store, r));
        lastKey = key;
      }
      return { Functions: page, NextMarker: more && lastKey ? Buffer.from(lastKey).toString('base64url') : undefined };
    },

    PublishVersion(i, ctx) {
      const store = storeOf(ctx);
      const { name } = parseFunctionName(i.FunctionName, ctx.account, ctx.region);
      const cur = getLatest(store, name);
      if (i.CodeSha256 && i.CodeSha256 !== cur.codeSha)
        throw invalidValue(
          `CodeSHA256 (${i.CodeSha256}) is different from current CodeSHA256 in $LATEST (${cur.codeSha}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      if (i.RevisionId && i.RevisionId !== cur.revisionId) throw preconditionFailed();
      return render(store, publish(store, name, rt.clock.nowMs(), i.Description));
    },

    ListVersionsByFunction(i, ctx) {
      const { store, name } = reach(rt, stores, ctx, i.FunctionName);
      getLatest(store, name);
      const max = i.MaxItems ?? 50;
      const after = i.Marker ? Buffer.from(i.Marker, 'base64url').toString() : undefined;
      const page: FunctionConfiguration[] = [];
      let lastKey: string | undefined;
      let more = false;
      // $LATEST sorts before the numbers ('$' < '0'), as AWS lists it first
      for (const [key, r] of store.versions.scan({ prefix: `${name}\0`, after })) {
        if (page.length === max) {
          more = true;
          break;
        }
        page.push(render(store, r));
        lastKey = key;
      }
      return { Versions: page, NextMarker: more && lastKey ? Buffer.from(lastKey).toString('base64url') : undefined };
    },

    TagResource(i, ctx) {
      const store = storeOf(ctx);
      const { name } = parseFunctionName(i.Resource, ctx.account, ctx.region);
      const meta = store.meta.get(name);
      if (!meta) throw notFound(i.Resource);
      store.meta.put(name, { ...meta, tags: { ...meta.tags, ...i.Tags } });
    },

    UntagResource(i, ctx) {
      const store = storeOf(ctx);
      const { name } = parseFunctionName(i.Resource, ctx.account, ctx.region);
      const meta = store.meta.get(name);
      if (!meta) throw notFound(i.Resource);
      const tags = { ...meta.tags };
      for (const k of i.TagKeys) delete tags[k];
      store.meta.put(name, { ...meta, tags });
    },

    ListTags(i, ctx) {
      const store = storeOf(ctx);
      const { name } = parseFunctionName(i.Resource, ctx.account, ctx.region);
      const meta = store.meta.get(name);
      if (!meta) throw notFound(i.Resource);
      return { Tags: meta.tags };
    },

    GetAccountSettings(_i, ctx) {
      const store = storeOf(ctx);
      let total = 0;
      let reserved = 0;
      let count = 0;
      for (const [, r] of store.versions.scan()) total += r.codeSize;
      for (const [, m] of store.meta.scan()) {
        count++;
        reserved += m.reserved ?? 0;
      }
      return {
        AccountLimit: {
          TotalCodeSize: 80530636800,
          CodeSizeUnzipped: 262144000,
          CodeSizeZipped: 52428800,
          ConcurrentExecutions: 1000,
          UnreservedConcurrentExecutions: 1000 - reserved,
        },
        AccountUsage: { TotalCodeSize: total, FunctionCount: count },
      };
    },
  };
}

export const preconditionFailed = () =>
  new ServiceError(
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    412,
    { Type: 'User' },
  );
