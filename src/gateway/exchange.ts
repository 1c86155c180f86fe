// One request's way through the gateway: what each stage learns, in the order it learns it, and the
// small readers of the raw request the stages share.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceModel } from '../protocols/model.js';
import type { HttpRequest, HttpResponse } from '../protocols/types.js';
import type { Handler, RequestContext } from '../services/types.js';
import type { ServiceError } from '../services/errors.js';
import type { CallInfo } from '../pipeline.js';
import type { Identified } from './identify.js';
import type { AuthResult } from './auth.js';

export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly started: number;
  /** a UUID until identify gives it the service's own format */
  requestId: string;
  /** the request as the protocols read it; its path made path-style by identify */
  readonly http: HttpRequest;
  /** identify: the service, its model, protocol and profile */
  ident?: Identified;
  /** identify (rest) or read (rpc): the model's operation the request names */
  operation?: string;
  /** read: a form body was read before identifying */
  formRead?: boolean;
  /** identify: the service's CORS headers for a request with an Origin */
  cors?: Record<string, string>;
  /** authenticate */
  auth?: AuthResult;
  /** parse */
  input?: Record<string, unknown>;
  handler?: Handler<unknown, unknown>;
  ctx?: RequestContext;
  /** authorize: the call as the pipeline's seams see it (only when someone listens) */
  call?: CallInfo;
  /** dispatch */
  output?: unknown;
  /** the failure, when one happened */
  error?: ServiceError;
  response?: HttpResponse;
}

export function splitUrl(url: string): { path: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, rawQuery: '' } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

export function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Operations whose input payload is a stream (an object upload): the body is not buffered. */
export function hasStreamingInput(model: ServiceModel, operation: string): boolean {
  const input = model.operations[operation]?.input;
  if (!input) return false;
  const shape = model.shape(input.shape);
  if (!shape.payload) return false;
  const ref = shape.members![shape.payload];
  return !!(ref.streaming || model.shape(ref.shape).streaming);
}

/** The operation, if the model declares it itself: `constructor` or `__proto__` name none. */
export const declared = (model: ServiceModel, operation: string | undefined) =>
  operation !== undefined && Object.hasOwn(model.operations, operation) ? operation : undefined;

export const isForm = (req: HttpRequest) => (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
