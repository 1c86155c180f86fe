// Invoke: qualifier and alias routing, payload limits, reserved concurrency (throttling), then the
// synchronous run (with the log tail) or the durable asynchronous queue.
import { randomUUID } from 'node:crypto';
import type { Runtime, RequestContext, Stores } from '../../kit.js';
import { ServiceError } from '../../kit.js';
import type { InvocationRequest, InvocationResponse } from '../../generated/lambda.js';
import { execute, type Execution } from './executor.js';
import { getLatest, getQualified } from './functions.js';
import { LATEST, functionArn, invalidValue, type FunctionRecord, type LambdaStore } from './model.js';
import { reach } from './access.js';
import { poolOf } from './pool.js';
import type { StreamSink } from './environment.js';
import { upstreamTrace } from './tracing.js';

export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 1024 * 1024;
const TAIL_BYTES = 4096;

export const throttled = () =>
  new ServiceError('TooManyRequestsException', 'Rate Exceeded.', 429, {
    Type: 'User',
    Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    retryAfterSeconds: '1',
  });

export interface Target {
  fn: FunctionRecord;
  /** the ARN the caller invoked (qualified when a qualifier was given) */
  invokedArn: string;
}

/** The version an invocation runs: the qualifier's, with an alias's weighted routing applied. */
export function resolveTarget(store: LambdaStore, name: string, qualifier?: string): Target {
  const invokedArn = functionArn(store.region, store.account, name, qualifier);
  if (qualifier && qualifier !== LATEST && !/^\d+$/.test(qualifier)) {
    const alias = store.aliases.get(`${name}\0${qualifier}`);
    getLatest(store, name);
    if (!alias) throw new ServiceError('ResourceNotFoundException', `Function not found: ${invokedArn}`, 404, { Type: 'User' });
    let version = alias.version;
    let r = Math.random();
    for (const [v, w] of Object.entries(alias.weights ?? {})) {
      if (r < w) {
        version = v;
        break;
      }
      r -= w;
    }
    return { fn: getQualified(store, name, version), invokedArn };
  }
  return { fn: getQualified(store, name, qualifier), invokedArn };
}

export function checkJson(payload: Buffer): void {
  if (!payload.length) return;
  try {
    JSON.parse(payload.toString());
  } catch (e) {
    throw new ServiceError(
      'InvalidRequestContentException',
      `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
      400,
      { Type: 'User' },
    );
  }
}

/** Runs a function now, unless its reserved concurrency is used up. */
export async function runNow(
  rt: Runtime,
  store: LambdaStore,
  target: Target,
  payload: Buffer,
  clientContext?: string,
  stream?: StreamSink,
  traceHeader?: string,
): Promise<Execution> {
  const meta = store.meta.get(target.fn.name);
  const busy = poolOf(rt).busy(`${store.account}/${store.region}/${target.fn.name}`);
  if (meta?.reserved !== undefined && busy >= meta.reserved) {
    rt.integrations.cloudwatch?.putMetricData(store.account, store.region, 'AWS/Lambda', [
      { MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: target.fn.name }], Value: 1, Unit: 'Count' },
    ]);
    throw throttled();
  }
  return execute(rt, store, target.fn, payload.length ? payload : Buffer.from('{}'), target.invokedArn, clientContext, stream, traceHeader);
}

export interface AsyncQueue {
  enqueue(store: LambdaStore, name: string, qualifier: string | undefined, payload: Buffer): string;
}

export function invokeHandler(rt: Runtime, stores: Stores<LambdaStore>, queue: AsyncQueue) {
  return async (i: InvocationRequest, ctx: RequestContext): Promise<InvocationResponse> => {
    const { store, name, qualifier } = reach(rt, stores, ctx, i.FunctionName, i.Qualifier);
    const payload = i.Payload ? Buffer.from(i.Payload) : Buffer.alloc(0);
    const type = i.InvocationType ?? 'RequestResponse';
    const limit = type === 'Event' ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (payload.length > limit) {
      throw new ServiceError(
        'RequestEntityTooLargeException',
        `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
        413,
        { Type: 'User' },
      );
    }
    const target = resolveTarget(store, name, qualifier);
    checkJson(payload);
    if (i.LogType && i.LogType !== 'None' && i.LogType !== 'Tail') throw invalidValue(`Unsupported LogType: ${i.LogType}`);
    if (type === 'DryRun') return { StatusCode: 204 };
    if (type === 'Event') {
      queue.enqueue(store, name, qualifier, payload);
      return { StatusCode: 202 };
    }
    const run = await runNow(rt, store, target, payload, i.ClientContext, undefined, upstreamTrace(ctx.headers));
    const out: InvocationResponse = { StatusCode: 200, Payload: run.payload, ExecutedVersion: target.fn.version };
    if (run.functionError) out.FunctionError = run.functionError;
    if (i.LogType === 'Tail') {
      const log = Buffer.from(run.log);
      out.LogResult = log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString('base64');
    }
    return out;
  };
}

export const newRequestId = () => randomUUID();
