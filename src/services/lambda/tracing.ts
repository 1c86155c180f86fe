// Active tracing (TracingConfig Mode Active): each invocation gets a sampled trace header (the
// function sees it as _X_AMZN_TRACE_ID) and, once it ends, the AWS::Lambda service segment and the
// AWS::Lambda::Function segment are put to X-Ray through rt.integrations.xray. Functions using an
// X-Ray SDK send their subsegments to the daemon address set in their environment.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../kit.js';
import type { FunctionRecord, LambdaStore } from './model.js';

/** The daemon variables AWS sets in every function's environment, when X-Ray is served. */
export function daemonEnv(rt: Runtime): Record<string, string> {
  const address = rt.integrations.xray?.daemonAddress();
  if (!address) return {};
  const [host, port] = address.split(':');
  return { AWS_XRAY_DAEMON_ADDRESS: address, _AWS_XRAY_DAEMON_ADDRESS: host, _AWS_XRAY_DAEMON_PORT: port };
}

export interface Trace {
  /** the Lambda-Runtime-Trace-Id header */
  header: string;
  /** puts the segments of the finished invocation */
  finish(requestId: string, functionError?: string): void;
}

/** The caller's X-Amzn-Trace-Id header, when it names a trace. */
export function upstreamTrace(headers: Record<string, string | string[] | undefined>): string | undefined {
  const h = headers['x-amzn-trace-id'];
  const v = Array.isArray(h) ? h[0] : h;
  return v && /Root=1-[0-9a-f]{8}-[0-9a-f]{24}/.test(v) ? v : undefined;
}

const field = (header: string | undefined, name: string) => header && new RegExp(`(?:^|;)\\s*${name}=([^;]+)`).exec(header)?.[1];

/**
 * The trace of one invocation: recorded when the function's mode is Active or the caller's header
 * is sampled (Sampled=1), joining the caller's trace when it names one; otherwise a caller's header
 * is passed through to the function as it is.
 */
export function startTrace(rt: Runtime, store: LambdaStore, fn: FunctionRecord, invokedArn: string, upstream?: string): Trace | undefined {
  const xray = rt.integrations.xray;
  const sampled = fn.tracing === 'Active' ? field(upstream, 'Sampled') !== '0' : field(upstream, 'Sampled') === '1';
  if (!sampled || !xray) return upstream ? { header: upstream, finish: () => undefined } : undefined;
  const start = rt.clock.nowMs() / 1000;
  const traceId = field(upstream, 'Root') || `1-${Math.floor(start).toString(16)}-${randomBytes(12).toString('hex')}`;
  const caller = field(upstream, 'Parent');
  const serviceId = randomBytes(8).toString('hex');
  const functionId = randomBytes(8).toString('hex');
  return {
    header: `Root=${traceId};Parent=${functionId};Sampled=1`,
    finish(requestId, functionError) {
      const end = Math.max(start, rt.clock.nowMs() / 1000);
      const common = { trace_id: traceId, name: fn.name, start_time: start, end_time: end };
      const service = {
        ...common,
        id: serviceId,
        origin: 'AWS::Lambda',
        resource_arn: invokedArn,
        aws: { request_id: requestId },
        http: { response: { status: 200 } },
        ...(caller ? { parent_id: caller } : {}),
      };
      const fnSegment = {
        ...common,
        id: functionId,
        parent_id: serviceId,
        origin: 'AWS::Lambda::Function',
        resource_arn: invokedArn,
        aws: { function_arn: invokedArn, resource_names: [fn.name], account_id: store.account },
        ...(functionError ? { fault: true, cause: { exceptions: [{ message: functionError, type: functionError }] } } : {}),
      };
      try {
        xray.putSegments(store.account, store.region, [JSON.stringify(service), JSON.stringify(fnSegment)]);
      } catch (e) {
        rt.log.warn(`lambda: trace segments of ${fn.name} not put: ${(e as Error).message}`);
      }
    },
  };
}
