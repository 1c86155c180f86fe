// Lambda's stored records (functions, versions, aliases, async invoke configs) and how names, ARNs and
// qualifiers are read, and how a record is rendered as the FunctionConfiguration AWS returns.
import { randomUUID } from 'node:crypto';
import { ServiceError, type Collection, type StoreScope, type Stores } from '../../kit.js';
import type { FunctionConfiguration, FunctionEventInvokeConfig } from '../../generated/lambda.js';

/** One function version's configuration: $LATEST (mutable) or a published number (frozen). */
export interface FunctionRecord {
  name: string;
  version: string;
  runtime?: string;
  role: string;
  handler?: string;
  description: string;
  timeout: number;
  memory: number;
  ephemeral: number;
  architectures: string[];
  env?: Record<string, string>;
  deadLetterArn?: string;
  tracing: string;
  layers: string[];
  /** the attached layer versions' code (by hash), in order */
  layerCode?: { sha: string; size: number }[];
  packageType: string;
  codeSha: string;
  codeSize: number;
  lastModified: string;
  revisionId: string;
  /** for a published version: the $LATEST revision it was published from */
  revisionFrom?: string;
  /** epoch ms: the function is Pending until then (creation), InProgress until then (update) */
  readyAt: number;
  updated: boolean;
  kmsKeyArn?: string;
  loggingConfig?: { LogFormat?: string; LogGroup?: string };
}

/** Per-function state that spans its versions. */
export interface FunctionMeta {
  name: string;
  tags: Record<string, string>;
  lastVersion: number;
  reserved?: number;
  /** the code signing config attached (PutFunctionCodeSigningConfig) */
  codeSigningConfigArn?: string;
  /** resource policy statements, by qualifier ('' for the unqualified function) */
  policies: Record<string, Record<string, unknown>[]>;
  createdAt: number;
}

export interface AliasRecord {
  name: string;
  functionName: string;
  version: string;
  description: string;
  weights?: Record<string, number>;
  revisionId: string;
}

export interface InvokeConfigRecord {
  functionName: string;
  qualifier: string;
  maxRetries?: number;
  maxAgeSeconds?: number;
  onSuccess?: string;
  onFailure?: string;
  lastModified: number;
}

export interface LambdaStore {
  account: string;
  region: string;
  meta: Collection<FunctionMeta>;
  /** key: name \0 version (12-digit padded, or $LATEST) */
  versions: Collection<FunctionRecord>;
  /** key: name \0 alias */
  aliases: Collection<AliasRecord>;
  /** key: name \0 qualifier */
  invokeConfigs: Collection<InvokeConfigRecord>;
  /** system scope only: queued asynchronous invocations, key: due time (padded) \0 id */
  queue: Collection<QueuedInvocation>;
  /** system scope only: event source mappings, key: UUID */
  mappings: Collection<MappingRecord>;
  /** function URL configs, key: name \0 qualifier ('' unqualified) (urls.ts) */
  urls: Collection<UrlRecord>;
  /** system scope only: where each function URL's id points, key: url id */
  urlIndex: Collection<UrlLocation>;
  /** code signing configs, key: csc id (code-signing.ts) */
  codeSigning: Collection<{
    id: string;
    description: string;
    publishers: string[];
    policy: string;
    modified: number;
    tags: Record<string, string>;
  }>;
  /** provisioned concurrency configs, key: name \0 qualifier (provisioned.ts) */
  provisioned: Collection<ProvisionedRecord>;
  /** system scope only: where every provisioned config is (restarted with the server), key: account/region/name \0 qualifier */
  provisionedIndex: Collection<UrlLocation>;
}

export interface ProvisionedRecord {
  name: string;
  qualifier: string;
  version: string;
  requested: number;
  /** virtual epoch ms: IN_PROGRESS until then, READY after */
  readyAt: number;
  modified: number;
}

export interface UrlLocation {
  account: string;
  region: string;
  name: string;
  qualifier: string;
}

export interface UrlRecord extends UrlLocation {
  urlId: string;
  authType: string;
  invokeMode: string;
  cors?: Record<string, unknown>;
  created: number;
  modified: number;
}

export interface MappingRecord {
  uuid: string;
  account: string;
  region: string;
  functionName: string;
  qualifier?: string;
  sourceArn: string;
  kind: 'sqs' | 'dynamodb';
  enabled: boolean;
  batchSize: number;
  windowS: number;
  filters: string[];
  responseTypes: string[];
  startingPosition?: string;
  maxRetries: number;
  maxConcurrency?: number;
  lastModified: number;
  /** stream shard → last sequence number processed */
  positions: Record<string, string>;
  failures?: number;
  lastResult: string;
}

export interface QueuedInvocation {
  id: string;
  account: string;
  region: string;
  name: string;
  qualifier?: string;
  payload: Buffer;
  /** invocations made so far */
  attempts: number;
  dueAt: number;
  firstAt: number;
}

export const makeStore = (scope: StoreScope): LambdaStore => ({
  account: scope.account,
  region: scope.region,
  meta: scope.collection('meta'),
  versions: scope.collection('versions'),
  aliases: scope.collection('aliases'),
  invokeConfigs: scope.collection('invoke-configs'),
  queue: scope.collection('async-queue'),
  mappings: scope.collection('mappings'),
  urls: scope.collection('urls'),
  urlIndex: scope.collection('url-index'),
  provisioned: scope.collection('provisioned'),
  provisionedIndex: scope.collection('provisioned-index'),
  codeSigning: scope.collection('code-signing'),
});

export const LATEST = '$LATEST';
export const versionKey = (name: string, version: string) => `${name}\0${version === LATEST ? LATEST : version.padStart(12, '0')}`;

export const notFound = (arn: string) => new ServiceError('ResourceNotFoundException', `Function not found: ${arn}`, 404, { Type: 'User' });
export const invalidValue = (message: string) => new ServiceError('InvalidParameterValueException', message, 400, { Type: 'User' });
export const conflict = (message: string) => new ServiceError('ResourceConflictException', message, 409, { Type: 'User' });

export const functionArn = (region: string, account: string, name: string, qualifier?: string) =>
  `arn:aws:lambda:${region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

const NAME_FORMS =
  /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:|(\d{12}):function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;

/** A FunctionName as callers give it (a name, a partial or full ARN, with or without a qualifier), with the account it names. */
export function parseFunctionRef(input: string, account: string, region: string): { account: string; name: string; qualifier?: string } {
  const m = NAME_FORMS.exec(input);
  if (!m)
    throw invalidValue(
      `1 validation error detected: Value '${input}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
  const [, arnRegion, arnAccount, partialAccount, name, qualifier] = m;
  const owner = arnAccount ?? partialAccount ?? account;
  if (arnRegion && arnRegion !== region) throw notFound(functionArn(arnRegion, owner, name));
  return { account: owner, name, qualifier };
}

/** A FunctionName in the caller's own account (another account's function is not found). */
export function parseFunctionName(input: string, account: string, region: string): { name: string; qualifier?: string } {
  const { account: owner, name, qualifier } = parseFunctionRef(input, account, region);
  if (owner !== account) throw notFound(functionArn(region, owner, name));
  return { name, qualifier };
}

/** The one qualifier of a call: from the name or the Qualifier parameter (they must agree). */
export function qualifierOf(fromName: string | undefined, param: string | undefined): string | undefined {
  if (fromName && param && fromName !== param)
    throw invalidValue('The derived qualifier from the function name does not match the specified qualifier.');
  return fromName ?? param;
}

export const newRevision = () => randomUUID();

/** AWS's LastModified: 2024-01-31T12:34:56.789+0000 */
export const lastModifiedText = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

export function renderConfig(r: FunctionRecord, store: LambdaStore, nowMs: number): FunctionConfiguration {
  const pending = nowMs < r.readyAt;
  const out: FunctionConfiguration = {
    FunctionName: r.name,
    FunctionArn: functionArn(store.region, store.account, r.name, r.version === LATEST ? undefined : r.version),
    Runtime: r.runtime as FunctionConfiguration['Runtime'],
    Role: r.role,
    Handler: r.handler,
    CodeSize: r.codeSize,
    Description: r.description,
    Timeout: r.timeout,
    MemorySize: r.memory,
    LastModified: r.lastModified,
    CodeSha256: r.codeSha,
    Version: r.version,
    TracingConfig: { Mode: r.tracing as 'Active' | 'PassThrough' },
    RevisionId: r.revisionId,
    Layers: r.layers.map((Arn, n) => ({ Arn, CodeSize: r.layerCode?.[n]?.size ?? 0 })),
    State: pending && !r.updated ? 'Pending' : 'Active',
    LastUpdateStatus: pending && r.updated ? 'InProgress' : 'Successful',
    PackageType: r.packageType as 'Zip',
    Architectures: r.architectures as ('x86_64' | 'arm64')[],
    EphemeralStorage: { Size: r.ephemeral },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${r.name}`, ...(r.loggingConfig as object) },
  };
  if (pending && !r.updated) Object.assign(out, { StateReason: 'The function is being created.', StateReasonCode: 'Creating' });
  if (pending && r.updated)
    Object.assign(out, { LastUpdateStatusReason: 'The function is being updated.', LastUpdateStatusReasonCode: 'InProgress' });
  if (r.env) out.Environment = { Variables: r.env };
  if (r.deadLetterArn) out.DeadLetterConfig = { TargetArn: r.deadLetterArn };
  if (r.kmsKeyArn) out.KMSKeyArn = r.kmsKeyArn;
  if (!r.layers.length) delete out.Layers;
  return out;
}

export function renderInvokeConfig(c: InvokeConfigRecord, store: LambdaStore): FunctionEventInvokeConfig {
  const out: FunctionEventInvokeConfig = {
    LastModified: new Date(c.lastModified),
    FunctionArn: functionArn(store.region, store.account, c.functionName, c.qualifier),
    DestinationConfig: {
      OnSuccess: c.onSuccess ? { Destination: c.onSuccess } : {},
      OnFailure: c.onFailure ? { Destination: c.onFailure } : {},
    },
  };
  if (c.maxRetries !== undefined) out.MaximumRetryAttempts = c.maxRetries;
  if (c.maxAgeSeconds !== undefined) out.MaximumEventAgeInSeconds = c.maxAgeSeconds;
  return out;
}

/** Where a provisioned config is listed in the system scope's index. */
export const provisionedIndexKey = (store: LambdaStore, name: string, qualifier = '') =>
  `${store.account}/${store.region}/${name}\0${qualifier}`;

/** Removes every URL of a function (DeleteFunction). */
export function dropUrls(stores: Stores<LambdaStore>, store: LambdaStore, name: string): void {
  const index = stores.system().urlIndex;
  for (const [, r] of [...store.urls.scan({ prefix: `${name}\0` })]) index.delete(r.urlId);
  store.urls.clear(`${name}\0`);
}
