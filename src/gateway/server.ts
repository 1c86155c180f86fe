// The gateway: one HTTP server, one chain for every request.
//   identify service → authenticate → read body → parse → dispatch → serialize → record
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import type { Runtime, ServiceDefinition } from '../runtime.js';
import type { HttpRequest, HttpResponse, Protocol, SerializeContext } from '../protocols/types.js';
import type { ServiceModel } from '../protocols/model.js';
import type { Principal, Provider, RequestContext } from '../services/types.js';
import { ServiceError, notImplemented } from '../services/errors.js';
import { identify, virtualHostBucket, type Identified } from './identify.js';
import { authenticate, signingNameOf } from './auth.js';
import { handleAdmin } from '../admin/routes.js';
import { allowAllPreflight, allowAllHeaders, type CorsRules } from './cors.js';
import { readBody, decodeBody, discardBody } from './body.js';
import { json } from '../protocols/json.js';
import { queryParams } from '../protocols/query.js';
import { restXml } from '../protocols/rest-xml.js';
import { validateInput } from '../protocols/validate.js';
import type { CallInfo } from '../pipeline.js';

export interface Gateway {
  server: Server;
  providers: Map<string, Provider>;
}

/** Operations whose input payload is a stream (S3 PutObject, UploadPart): the body is not buffered. */
function hasStreamingInput(model: ServiceModel, operation: string): boolean {
  const input = model.operations[operation]?.input;
  if (!input) return false;
  const shape = model.shape(input.shape);
  if (!shape.payload) return false;
  const ref = shape.members![shape.payload];
  return !!(ref.streaming || model.shape(ref.shape).streaming);
}

function splitUrl(url: string): { path: string; rawQuery: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, rawQuery: '' } : { path: url.slice(0, q), rawQuery: url.slice(q + 1) };
}

function parseQuery(raw: string): Map<string, string[]> {
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

/** A path whose percent-escapes do not decode (`%ZZ`, a cut UTF-8 sequence): S3's InvalidURI, for every service. */
function checkPath(path: string): void {
  if (!path.includes('%')) return;
  try {
    decodeURIComponent(path);
  } catch {
    throw new ServiceError('InvalidURI', "Couldn't parse the specified URI.", 400);
  }
}

/** The operation, if the model declares it itself: `constructor` or `__proto__` name none. */
const declared = (model: ServiceModel, operation: string | undefined) =>
  operation !== undefined && Object.hasOwn(model.operations, operation) ? operation : undefined;

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function createGateway(rt: Runtime, services: ServiceDefinition[]): Gateway {
  const providers = rt.providers;
  const validated = new Set<string>();
  const corsRules = new Map<string, CorsRules>();
  for (const s of services) {
    providers.set(s.name, s.create(rt));
    if (s.validateInput !== false) validated.add(s.name);
    if (s.cors) corsRules.set(s.name, s.cors(rt));
  }

  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((e) => {
      rt.log.error(`unhandled: ${(e as Error).stack ?? e}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // malformed HTTP itself (bad request line, oversized headers): answer 400 and close
    if (socket.writable && err.code !== 'ECONNRESET') {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = randomUUID();
    const { path, rawQuery } = splitUrl(req.url ?? '/');
    res.on('error', () => {});

    if (path.startsWith('/_nimbus/') || path === '/_nimbus' || path.startsWith('/_localstack/')) {
      await handleAdmin(rt, providers, req, res, path);
      return;
    }

    const hreq: HttpRequest = {
      method: req.method ?? 'GET',
      path,
      rawQuery,
      query: parseQuery(rawQuery),
      headers: flatHeaders(req),
      body: Buffer.alloc(0),
    };
    if (hreq.method === 'OPTIONS') {
      const answer = preflight(hreq, requestId);
      if (answer) return send(res, hreq, answer.response, requestId, answer.service, {});
    }

    let ident: Identified | undefined;
    let operation: string | undefined;
    let response: HttpResponse;
    let cors: Record<string, string> | undefined;
    let call: CallInfo | undefined;
    let lastError: ServiceError | undefined;
    let output: unknown;
    try {
      // a form body names its Action: read it before identifying (it is never a streamed upload)
      const form = (hreq.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      if (form) hreq.body = await readBody(req);
      ident = identify(hreq, signingNameOf(hreq));
      hreq.path = pathStyle(hreq, ident);
      checkPath(hreq.path);
      cors = serviceCors(hreq, ident.service);
      const model = ident.model;
      const protocol = ident.protocol;
      if (model && !protocol.routesByBody) operation = declared(model, protocol.resolveOperation(model, hreq));
      const streaming = !!(model && operation && hasStreamingInput(model, operation));

      if (streaming) hreq.bodyStream = req;
      else if (!form) hreq.body = await readBody(req);
      if (model && protocol.routesByBody) operation = declared(model, protocol.resolveOperation(model, hreq));

      const auth = authenticate(rt, hreq, ident, operation);
      decodeBody(hreq, auth.chunkVerification);

      if (!model) throw notImplementedService(ident.service, protocol.requestedOperation(hreq));
      if (!operation) throw unknownOperation(protocol, hreq, ident.service);
      if (protocol.name === 'query' || protocol.name === 'ec2') checkVersion(model, operation, hreq);

      const input = unreadable(protocol, ident.service, () => protocol.parse(model, operation!, hreq));
      const handler = providers.get(ident.service)?.[operation];
      if (!handler) {
        // a buffered body was parsed before this answer; a streamed one is read through, its framing checked
        if (hreq.bodyStream) await discardBody(hreq.bodyStream);
        throw notImplemented(ident.service, operation);
      }
      if (validated.has(ident.service)) unreadable(protocol, ident.service, () => validateInput(model, operation!, input, protocol.name));
      const ctx: RequestContext = {
        requestId,
        service: ident.service,
        operation,
        account: auth.principal.account,
        region: auth.region,
        principal: auth.principal,
        headers: req.headers,
        clock: rt.clock,
      };
      if (rt.pipeline.authorizing || rt.pipeline.recording) {
        call = {
          requestId,
          service: ident.service,
          operation,
          protocol: protocol.name,
          account: ctx.account,
          region: ctx.region,
          principal: ctx.principal,
          input,
          headers: req.headers,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: req.headers['user-agent'],
          secure: false,
          time: rt.clock.now(),
        };
        await rt.pipeline.authorize(call);
      }
      output = await handler(input, ctx);
      // acknowledge only what is committed (the engine groups the writes of concurrent requests)
      if (rt.engine.pending) await rt.engine.flush();
      response = protocol.serialize(model, operation, output, { requestId, service: ident.service });
    } catch (e) {
      const err = toServiceError(e, ident?.service, rt);
      lastError = err;
      // failed before identifying (a form body too large to read): answer as its headers say
      ident ??= identifyQuietly(hreq);
      const protocol = ident?.protocol ?? json;
      const sctx: SerializeContext = { requestId, service: ident?.service ?? 'unknown' };
      try {
        response = protocol.serializeError(ident?.model, operation, err, sctx);
      } catch (e2) {
        rt.log.error(`error serializing ${err.code}: ${(e2 as Error).stack}`);
        response = restXml.serializeError(undefined, operation, err, sctx);
      }
      // an error while the client still sends a body: close rather than read on
      if (!req.complete) res.setHeader('connection', 'close');
    }
    send(res, hreq, response, requestId, ident?.service, cors ?? allowAllHeaders(hreq));
    if (call && rt.pipeline.recording) {
      const error = response.status >= 300 ? lastError : undefined;
      rt.pipeline.record({ ...call, status: response.status, output: error ? undefined : output, error, durationMs: performance.now() - started }, (e) =>
        rt.log.error(`recording ${call!.service}.${call!.operation}: ${(e as Error)?.stack ?? e}`),
      );
    }
    const ms = (performance.now() - started).toFixed(1);
    rt.log.info(`${ident?.service ?? '-'}.${operation ?? '-'} ${response.status} ${ms}ms ${requestId}`);
  }

  /**
   * A browser's preflight: answered by the rules of the service it is for when that service has its
   * own (a refusal in its protocol), else allowed. Undefined for an OPTIONS that is no preflight.
   */
  function preflight(req: HttpRequest, requestId: string): { response: HttpResponse; service: string } | undefined {
    const ident = identifyQuietly(req);
    const rules = ident && corsRules.get(ident.service);
    if (ident && rules) {
      try {
        const headers = rules.preflight({ ...req, path: pathStyle(req, ident) });
        if (headers) return { response: { status: 200, headers }, service: ident.service };
      } catch (e) {
        const err = toServiceError(e, ident.service, rt);
        return { response: ident.protocol.serializeError(ident.model, undefined, err, { requestId, service: ident.service }), service: ident.service };
      }
    }
    if (!req.headers.origin || !req.headers['access-control-request-method']) return undefined;
    return { response: allowAllPreflight(req), service: ident?.service ?? 's3' };
  }

  /** The CORS headers by the service's own rules; undefined for the default. A request without an Origin looks nothing up. */
  function serviceCors(req: HttpRequest, service: string): Record<string, string> | undefined {
    const rules = req.headers.origin !== undefined ? corsRules.get(service) : undefined;
    try {
      return rules?.actual(req);
    } catch (e) {
      rt.log.error(`cors rules of ${service}: ${(e as Error)?.stack ?? e}`);
      return {};
    }
  }

  return { server, providers };
}

/** An S3 virtual-hosted request's path made path-style (`/bucket/key`); any other request's as it is. */
function pathStyle(req: HttpRequest, ident: Identified): string {
  const bucket = ident.service === 's3' ? virtualHostBucket(req.headers.host) : undefined;
  if (!bucket) return req.path;
  return req.path === '/' ? `/${bucket}` : `/${bucket}${req.path}`;
}

function notImplementedService(service: string, operation: string | undefined): ServiceError {
  return new ServiceError(
    'NotImplemented',
    `The service ${service}${operation ? ` (operation ${operation})` : ''} is not served by Nimbus yet.`,
    501,
    {},
    false,
  );
}

function unknownOperation(protocol: Protocol, req: HttpRequest, service: string): ServiceError {
  const named = protocol.requestedOperation(req);
  if (protocol.name === 'query' || protocol.name === 'ec2') {
    return named
      ? new ServiceError('InvalidAction', `The action ${named} is not valid for this web service.`)
      : new ServiceError('MissingAction', 'Missing Action');
  }
  if (service === 's3') return new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  return new ServiceError('UnknownOperationException', named ? `Unknown operation ${named}` : 'Unknown operation', 400);
}

function identifyQuietly(req: HttpRequest): Identified | undefined {
  try {
    return identify(req, signingNameOf(req));
  } catch {
    return undefined;
  }
}

/** A query request's Version must be the model's API version, when given. */
function checkVersion(model: ServiceModel, operation: string, req: HttpRequest): void {
  const version = queryParams(req).get('Version');
  if (version !== undefined && version !== model.metadata.apiVersion) {
    throw new ServiceError('InvalidAction', `Could not find operation ${operation} for version ${version.slice(0, 64)}`);
  }
}

/**
 * Runs a recursive reader of the input (parse, validate). A RangeError there is the input's doing
 * (nesting deeper than the stack, a length no array can have): the protocol's malformed-input error.
 */
function unreadable<T>(protocol: Protocol, service: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const code = service === 's3' ? 'MalformedXML' : protocol.name === 'query' || protocol.name === 'ec2' ? 'MalformedInput' : 'SerializationException';
    throw new ServiceError(code, 'The request nests too deeply or holds a value out of range.', 400);
  }
}

function toServiceError(e: unknown, service: string | undefined, rt: Runtime): ServiceError {
  if (e instanceof ServiceError) return e;
  rt.log.error(`internal error in ${service ?? 'gateway'}: ${(e as Error)?.stack ?? e}`);
  return service === 's3'
    ? new ServiceError('InternalError', 'We encountered an internal error. Please try again.', 500, {}, false)
    : new ServiceError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500, {}, false);
}

function send(res: ServerResponse, req: HttpRequest, r: HttpResponse, requestId: string, service: string | undefined, cors: Record<string, string>): void {
  const headers: Record<string, string | string[]> = { ...r.headers, ...cors };
  if (service === 's3') {
    headers['x-amz-request-id'] = requestId.replace(/-/g, '').slice(0, 16).toUpperCase();
    headers['x-amz-id-2'] = createHash('sha256').update(requestId).digest('base64');
  } else {
    headers['x-amzn-RequestId'] = requestId;
  }
  const body = r.body;
  if (body instanceof Readable) {
    res.writeHead(r.status, headers);
    if (req.method === 'HEAD') {
      body.destroy();
      res.end();
      return;
    }
    body.on('error', () => res.destroy());
    body.pipe(res);
    return;
  }
  const buf = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body) : body;
  // DynamoDB's SDKs verify the body against this checksum when it is present
  if (service === 'dynamodb') headers['x-amz-crc32'] = String(crc32(buf ?? Buffer.alloc(0)));
  // a HEAD answer may carry the object's Content-Length (bound from the model) without a body
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = String(buf?.length ?? 0);
  res.writeHead(r.status, headers);
  res.end(req.method === 'HEAD' ? undefined : buf);
}
