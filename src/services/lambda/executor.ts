// Running one invocation of a function version: an environment from the pool (started with the
// variables AWS sets and the execution role's credentials), then START / output / END / REPORT
// written to the function's log group.
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Runtime } from '../../kit.js';
import { cacheRoot, unpackedDir } from './code.js';
import type { InvocationResult, SpawnSpec, StreamSink } from './environment.js';
import { functionArn, LATEST, type FunctionRecord, type LambdaStore } from './model.js';
import { poolOf } from './pool.js';
import { bootstrapFile, commandFor, interpreterFor, kindOf, packageRoot } from './runtimes.js';
import { daemonEnv, startTrace } from './tracing.js';

export interface Execution extends InvocationResult {
  requestId: string;
  /** START … REPORT, as written to CloudWatch Logs */
  log: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;

const CREDENTIALS_MS = 12 * 3600_000;

/** Temporary credentials of the execution role, as the function's session (issued to rt.credentials). */
function roleCredentials(rt: Runtime, role: string, functionName: string, expiresAt: number): Record<string, string> {
  const m = ROLE_ARN.exec(role);
  if (!m) return {};
  const [, account, roleName] = m;
  const roleId = rt.integrations.iam?.role(role)?.roleId ?? `AROA${randomBytes(8).toString('hex').toUpperCase()}`;
  const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = `IQoJb3JpZ2luX2Vj${randomBytes(96).toString('base64')}`;
  rt.credentials.issue({
    accessKeyId,
    secretAccessKey,
    sessionToken,
    expiresAt,
    principal: {
      kind: 'assumed-role',
      account,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${functionName}`,
      userId: `${roleId}:${functionName}`,
      accessKeyId,
      sessionToken,
    },
  });
  return { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken };
}

export async function spawnSpec(
  rt: Runtime,
  store: LambdaStore,
  fn: FunctionRecord,
  e: { port: number; logStream: string; id: string },
): Promise<SpawnSpec> {
  const runtime = fn.runtime ?? 'provided.al2023';
  const kind = kindOf(runtime);
  const taskRoot = await unpackedDir(rt, Buffer.from(fn.codeSha, 'base64').toString('hex'));
  const tmpDir = join(cacheRoot(rt), 'tmp', e.id);
  // layers: what AWS unpacks under /opt, found here through the runtimes' search paths
  const opt = await Promise.all((fn.layerCode ?? []).map((l) => unpackedDir(rt, Buffer.from(l.sha, 'base64').toString('hex'))));
  const paths = (...subs: string[]) => opt.flatMap((d) => subs.map((s) => join(d, s)));
  const credentialsExpireAt = rt.clock.nowMs() + CREDENTIALS_MS;
  const env: Record<string, string> = {
    PATH: [...paths('bin'), process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'].join(':'),
    ...(opt.length ? { LD_LIBRARY_PATH: paths('lib').join(':') } : {}),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...(fn.env ?? {}),
    ...roleCredentials(rt, fn.role, fn.name, credentialsExpireAt),
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: fn.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memory),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: e.logStream,
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${e.port}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: store.region,
    AWS_DEFAULT_REGION: store.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}`,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: join(packageRoot, 'src', 'services', 'lambda', 'runtimes'),
    _HANDLER: fn.handler ?? '',
    TMPDIR: tmpDir,
    AWS_ENDPOINT_URL: rt.endpoint,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    ...daemonEnv(rt),
  };
  if (kind === 'node') {
    // the SDK the Node.js runtimes carry: this package's node_modules (like /var/runtime/node_modules)
    env.NODE_PATH = [
      join(taskRoot, 'node_modules'),
      ...paths(`nodejs/${runtime.replace('js', '').replace('.x', '')}/node_modules`, 'nodejs/node_modules'),
      join(packageRoot, 'node_modules'),
    ].join(':');
    const heap = Math.max(32, Math.floor(fn.memory * 0.9));
    return {
      command: interpreterFor(runtime)!,
      args: [`--max-old-space-size=${heap}`, bootstrapFile('node')],
      cwd: taskRoot,
      env,
      marks: true,
      tmpDir,
      memoryMb: fn.memory,
      credentialsExpireAt,
    };
  }
  if (kind === 'python') {
    env.PYTHONPATH = [taskRoot, ...paths('python', `python/lib/${runtime}/site-packages`)].join(':');
    env.PYTHONUNBUFFERED = '1';
    env.PYTHONDONTWRITEBYTECODE = '1';
    return {
      command: await commandFor(runtime),
      args: ['-u', bootstrapFile('python')],
      cwd: taskRoot,
      env,
      marks: true,
      tmpDir,
      memoryMb: fn.memory,
      credentialsExpireAt,
    };
  }
  return {
    command: join(taskRoot, 'bootstrap'),
    args: [],
    cwd: taskRoot,
    env,
    marks: false,
    tmpDir,
    memoryMb: fn.memory,
    credentialsExpireAt,
  };
}

const ms = (n: number) => n.toFixed(2);
/** The REPORT line's end when the platform ended the invocation: `Status: timeout`, or `Status: error` with its type. */
const status = (platformError?: string) =>
  !platformError ? '' : platformError === 'Sandbox.Timedout' ? 'Status: timeout\t' : `Status: error\tError Type: ${platformError}\t`;

export async function execute(
  rt: Runtime,
  store: LambdaStore,
  fn: FunctionRecord,
  payload: Buffer,
  invokedArn: string,
  clientContext?: string,
  stream?: StreamSink,
  upstream?: string,
): Promise<Execution> {
  const pool = poolOf(rt);
  const functionKey = `${store.account}/${store.region}/${fn.name}`;
  const key = `${functionKey}/${fn.version}/${fn.revisionId}`;
  const day = rt.clock.now().toISOString().slice(0, 10).replace(/-/g, '/');
  const { env, cold } = await pool.acquire(key, functionKey, day, fn.version, (e) => spawnSpec(rt, store, fn, e));
  if (rt.integrations.cloudwatch) concurrency(rt, store, fn.name, pool.busy(functionKey), pool.busyIn(`${store.account}/${store.region}/`));
  const requestId = randomUUID();
  const trace = startTrace(rt, store, fn, invokedArn, upstream);
  const result = await env.invoke({
    requestId,
    payload,
    functionArn: invokedArn,
    timeoutMs: fn.timeout * 1000,
    clientContext,
    stream,
    traceHeader: trace?.header,
  });
  trace?.finish(requestId, result.functionError);
  pool.release(env);
  const version = fn.version === LATEST ? LATEST : fn.version;
  const init = cold && env.initDurationMs !== undefined ? `Init Duration: ${ms(env.initDurationMs)} ms\t` : '';
  const log = [
    `START RequestId: ${requestId} Version: ${version}\n`,
    result.output,
    `END RequestId: ${requestId}\n`,
    `REPORT RequestId: ${requestId}\tDuration: ${ms(result.durationMs)} ms\tBilled Duration: ${Math.max(1, Math.ceil(result.durationMs))} ms\tMemory Size: ${fn.memory} MB\tMax Memory Used: ${result.maxMemoryMb} MB\t${init}${status(result.platformError)}\n`,
  ].join('');
  writeLogs(rt, store, fn.name, env.logStream, log);
  publishMetrics(rt, store, fn.name, result.durationMs, !!result.functionError);
  return { ...result, requestId, log };
}

/** AWS/Lambda's standard metrics, per function and for the account (CloudWatch aggregates them per minute). */
function publishMetrics(rt: Runtime, store: LambdaStore, name: string, durationMs: number, failed: boolean): void {
  const cw = rt.integrations.cloudwatch;
  if (!cw) return;
  const data = (Dimensions?: Array<{ Name: string; Value: string }>) => [
    { MetricName: 'Invocations', Dimensions, Value: 1, Unit: 'Count' },
    { MetricName: 'Errors', Dimensions, Value: failed ? 1 : 0, Unit: 'Count' },
    { MetricName: 'Duration', Dimensions, Value: durationMs, Unit: 'Milliseconds' },
  ];
  cw.putMetricData(store.account, store.region, 'AWS/Lambda', [...data([{ Name: 'FunctionName', Value: name }]), ...data()]);
}

/** ConcurrentExecutions as an invocation starts, per function and for the account (read its Maximum). */
function concurrency(rt: Runtime, store: LambdaStore, name: string, fnBusy: number, accountBusy: number): void {
  rt.integrations.cloudwatch?.putMetricData(store.account, store.region, 'AWS/Lambda', [
    { MetricName: 'ConcurrentExecutions', Dimensions: [{ Name: 'FunctionName', Value: name }], Value: fnBusy, Unit: 'Count' },
    { MetricName: 'ConcurrentExecutions', Value: accountBusy, Unit: 'Count' },
  ]);
}

function writeLogs(rt: Runtime, store: LambdaStore, name: string, stream: string, log: string): void {
  const logs = rt.integrations.logs;
  if (!logs) return;
  const now = rt.clock.nowMs();
  // one event per line, except the function's multi-line messages stay whole as AWS's runtimes send them
  const events = log
    .split('\n')
    .filter((l) => l.length)
    .map((message) => ({ timestamp: now, message }));
  try {
    logs.putLogEvents(store.account, store.region, `/aws/lambda/${name}`, stream, events);
  } catch (e) {
    rt.log.warn?.(`lambda: logs for ${name} not written: ${(e as Error).message}`);
  }
}

export const arnOf = (store: LambdaStore, name: string, qualifier?: string) => functionArn(store.region, store.account, name, qualifier);
