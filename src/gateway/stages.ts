// The stages of an AWS call, in order: identify, read, authenticate, parse, authorize (the seam IAM
// fills), dispatch, commit; then send and record (the seam CloudTrail fills). Each reads what the
// ones before it learned from the Exchange and adds its own. No stage names a service: what differs
// between services comes from their profile, what differs between protocols from the protocol.
import type { Runtime } from '../runtime.js';
import type { CorsRules } from './cors.js';
import type { Exchange } from './exchange.js';
import type { Directory } from './directory.js';
import type { HttpRequest } from '../protocols/types.js';
import type { ClaimedRequests } from '../services/types.js';
import { declared, hasStreamingInput, isForm } from './exchange.js';
import { identify as identifyService, type Identified } from './identify.js';
import { authenticate as checkSignature, signingNameOf } from './auth.js';
import { readBody, decodeBody, discardBody, inflateRpcBody } from './body.js';
import { checkPath, checkVersion, notImplementedService, unknownOperation, unreadable } from './failures.js';
import { validateInput } from '../protocols/validate.js';
import { notImplemented } from '../services/errors.js';

/** What the stages share for every request: the runtime and what the served services declared. */
export interface Served {
  rt: Runtime;
  dir: Directory;
  corsRules: Map<string, CorsRules>;
  /** what services answer outside their APIs (profile `claimed`), asked before any stage */
  claimed?: ClaimedRequests[];
}

/** A virtual-hosted request's path made path-style (`/bucket/key`); any other request's as it is. */
export function pathStyle(req: HttpRequest, ident: Identified): string {
  const prefix = ident.profile.virtualHost?.(req.headers.host);
  if (!prefix) return req.path;
  return req.path === '/' ? `/${prefix}` : `/${prefix}${req.path}`;
}

/** Which service, protocol and (for rest protocols) operation. A form body names its Action: it is read first. */
export async function identify(s: Served, x: Exchange): Promise<Identified> {
  const http = x.http;
  // a form body is never a streamed upload
  if (isForm(http)) {
    http.body = await readBody(x.req);
    inflateRpcBody(http);
    x.formRead = true;
  }
  const ident = (x.ident = identifyService(http, signingNameOf(http), s.dir));
  x.requestId = ident.profile.requestId?.(x.requestId) ?? x.requestId;
  http.path = pathStyle(http, ident);
  checkPath(http.path);
  x.cors = serviceCors(s, http, ident.service);
  if (ident.model && !ident.protocol.routesByBody) x.operation = declared(ident.model, ident.protocol.resolveOperation(ident.model, http));
  return ident;
}

/** The body: streamed to the handler for a streaming upload, else buffered; an rpc body names the operation. */
export async function read(x: Exchange, ident: Identified): Promise<void> {
  const { model, protocol } = ident;
  const streaming = !!(model && x.operation && hasStreamingInput(model, x.operation));
  if (streaming) x.http.bodyStream = x.req;
  else if (!x.formRead) {
    x.http.body = await readBody(x.req);
    if (protocol.name === 'json' || protocol.name === 'smithy-rpc-v2-cbor') inflateRpcBody(x.http);
  }
  if (model && protocol.routesByBody) x.operation = declared(model, protocol.resolveOperation(model, x.http));
}

/** Who signed, and is the signature right; an aws-chunked body is unframed (its chunk signatures checked). */
export function authenticate(s: Served, x: Exchange, ident: Identified): void {
  x.auth = checkSignature(s.rt, x.http, ident, x.operation);
  decodeBody(x.http, x.auth.chunkVerification);
}

/** The typed input of a served operation, checked against the model unless the profile says otherwise. */
export async function parse(s: Served, x: Exchange, ident: Identified): Promise<void> {
  const { model, protocol, profile, service } = ident;
  if (!model) throw notImplementedService(service, protocol.requestedOperation(x.http));
  const operation = x.operation;
  if (!operation) throw unknownOperation(protocol, x.http, profile);
  checkVersion(protocol, model, operation, x.http);
  const input = unreadable(protocol, profile, () => protocol.parse(model, operation, x.http));
  const handler = s.rt.providers.get(service)?.[operation];
  if (!handler) {
    // a buffered body was parsed before this answer; a streamed one is read through, its framing checked
    if (x.http.bodyStream) await discardBody(x.http.bodyStream);
    throw notImplemented(service, operation);
  }
  if (profile.validateInput !== false) unreadable(protocol, profile, () => validateInput(model, operation, input, protocol.name));
  x.input = input;
  x.handler = handler;
  const auth = x.auth!;
  x.ctx = {
    requestId: x.requestId,
    service,
    operation,
    account: auth.principal.account,
    region: auth.region,
    principal: auth.principal,
    headers: x.req.headers,
    sourceIp: sourceIp(x),
    clock: s.rt.clock,
  };
}

/** The caller's address: the socket's (X-Forwarded-For is not trusted), IPv4 without its IPv6 mapping. */
function sourceIp(x: Exchange): string {
  const a = x.req.socket.remoteAddress ?? '127.0.0.1';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** The pipeline's authorize seam (IAM): a listener's ServiceError refuses the call. */
export async function authorize(s: Served, x: Exchange, ident: Identified): Promise<void> {
  const { rt } = s;
  if (!rt.pipeline.authorizing && !rt.pipeline.recording) return;
  const ctx = x.ctx!;
  x.call = {
    requestId: x.requestId,
    service: ctx.service,
    operation: ctx.operation,
    protocol: ident.protocol.name,
    account: ctx.account,
    region: ctx.region,
    principal: ctx.principal,
    input: x.input,
    headers: x.req.headers,
    sourceIp: sourceIp(x),
    userAgent: x.req.headers['user-agent'],
    secure: false,
    time: rt.clock.now(),
  };
  await rt.pipeline.authorize(x.call);
}

/**
 * Injected faults (the admin API's /_nimbus/faults): a matching fault delays the call, fails it with
 * the service's own error for that failure (thrown: written in the caller's protocol), or holds it and
 * closes the connection unanswered (a timeout: true, nothing more is sent).
 */
export async function inject(s: Served, x: Exchange, ident: Identified): Promise<boolean> {
  const faults = s.rt.faults;
  const ctx = x.ctx!;
  const hit = faults.decide({ service: ctx.service, operation: ctx.operation, region: ctx.region, input: x.input });
  if (!hit) return false;
  if (hit.delayMs > 0) await faults.sleep(hit.delayMs);
  const fault = hit.fault;
  if (!fault) return false;
  if (fault.effect === 'timeout') {
    await faults.sleep(fault.latencyMs ?? 0);
    x.req.socket.destroy();
    if (x.call) faults.unanswered(x.call, performance.now() - x.started, fault.id);
    return true;
  }
  const err = faults.errorFor(fault, ident.profile, ctx.operation);
  if (err) throw err;
  return false;
}

/** The service's handler. */
export async function dispatch(x: Exchange): Promise<void> {
  x.output = await x.handler!(x.input, x.ctx!);
}

/** Acknowledge only what is committed (the engine groups the writes of concurrent requests), then write the answer. */
export async function commit(s: Served, x: Exchange, ident: Identified): Promise<void> {
  if (s.rt.engine.pending) await s.rt.engine.flush();
  x.response = ident.protocol.serialize(ident.model!, x.operation!, x.output, {
    requestId: x.requestId,
    service: ident.service,
    dialect: ident.profile.wire,
  });
}

/** The pipeline's record seam (CloudTrail, metrics), after the answer is sent. */
export function record(s: Served, x: Exchange): void {
  const { rt } = s;
  const call = x.call;
  if (!call || !rt.pipeline.recording) return;
  const status = x.response!.status;
  const error = status >= 300 ? x.error : undefined;
  rt.pipeline.record({ ...call, status, output: error ? undefined : x.output, error, durationMs: performance.now() - x.started }, (e) =>
    rt.log.error(`recording ${call.service}.${call.operation}: ${(e as Error)?.stack ?? e}`),
  );
}

/** The CORS headers by the service's own rules; undefined for the default. A request without an Origin looks nothing up. */
function serviceCors(s: Served, req: HttpRequest, service: string): Record<string, string> | undefined {
  const rules = req.headers.origin !== undefined ? s.corsRules.get(service) : undefined;
  try {
    return rules?.actual(req);
  } catch (e) {
    s.rt.log.error(`cors rules of ${service}: ${(e as Error)?.stack ?? e}`);
    return {};
  }
}
