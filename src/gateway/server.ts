// The gateway: one HTTP server, one chain of named stages for every AWS call (stages.ts):
//   identify → read → authenticate → parse → authorize → dispatch → commit → send → record
// Admin paths go to the admin API; a browser's preflight is answered before any stage.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Runtime, ServiceDefinition } from '../runtime.js';
import type { HttpRequest, HttpResponse, SerializeContext } from '../protocols/types.js';
import type { Provider } from '../services/types.js';
import { identify, type Identified } from './identify.js';
import { signingNameOf } from './auth.js';
import { handleAdmin, isAdminPath } from '../admin/routes.js';
import { isConsolePath, redirectToConsole, serveConsole, wantsConsole } from '../admin/console.js';
import { allowAllPreflight, allowAllHeaders, type CorsRules } from './cors.js';
import { readBody } from './body.js';
import { json } from '../protocols/json.js';
import { restXml } from '../protocols/rest-xml.js';
import { Directory } from './directory.js';
import { flatHeaders, parseQuery, splitUrl, type Exchange } from './exchange.js';
import { toServiceError } from './failures.js';
import { send } from './send.js';
import * as stage from './stages.js';
import { serveClaimed } from './claimed.js';

export interface Gateway {
  server: Server;
  providers: Map<string, Provider>;
}

export function createGateway(rt: Runtime, services: ServiceDefinition[]): Gateway {
  const providers = rt.providers;
  const corsRules = new Map<string, CorsRules>();
  for (const s of services) {
    providers.set(s.name, s.create(rt));
    if (s.cors) corsRules.set(s.name, s.cors(rt));
  }
  const served: stage.Served = {
    rt,
    dir: new Directory(services),
    corsRules,
    claimed: services.flatMap((s) => (s.claimed ? [s.claimed(rt)] : [])),
  };
  rt.faults.profileOf = (name) => served.dir.profile(name);

  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 65_000 }, (req, res) => {
    handle(served, req, res).catch((e) => {
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
  return { server, providers };
}

async function handle(s: stage.Served, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { path, rawQuery } = splitUrl(req.url ?? '/');
  res.on('error', () => {});
  const x: Exchange = {
    req,
    res,
    started: performance.now(),
    requestId: randomUUID(),
    http: { method: req.method ?? 'GET', path, rawQuery, query: parseQuery(rawQuery), headers: flatHeaders(req), body: Buffer.alloc(0) },
  };
  // requests a service claims by host or path (Lambda function URLs) come before the console's `/`
  const claimer = s.claimed?.find((c) => c.claims(x.http));
  if (claimer) return serveClaimed(s.rt, claimer, x);
  if (isConsolePath(path)) return serveConsole(req, res, path);
  if (wantsConsole(req, path, rawQuery, isVirtualHost(s, req))) return redirectToConsole(res);
  if (isAdminPath(path)) return handleAdmin(s.rt, req, res, path, readBody);

  if (x.http.method === 'OPTIONS') {
    const answer = preflight(s, x);
    if (answer) return send(res, x.http, answer.response, x.requestId, s.dir.profile(answer.service), {});
  }

  try {
    const ident = await stage.identify(s, x);
    await stage.read(x, ident);
    stage.authenticate(s, x, ident);
    await stage.parse(s, x, ident);
    await stage.authorize(s, x, ident); // the seam IAM enforcement fills
    if (!s.rt.faults.none && (await stage.inject(s, x, ident))) return; // an injected timeout: no answer
    await stage.dispatch(x);
    await stage.commit(s, x, ident);
  } catch (e) {
    x.response = failed(s, x, e);
  }
  send(res, x.http, x.response!, x.requestId, x.ident?.profile ?? {}, x.cors ?? allowAllHeaders(x.http));
  stage.record(s, x); // the seam CloudTrail fills
  const ms = (performance.now() - x.started).toFixed(1);
  s.rt.log.info(`${x.ident?.service ?? '-'}.${x.operation ?? '-'} ${x.response!.status} ${ms}ms ${x.requestId}`);
}

/** Any stage's failure, written in the caller's protocol. */
function failed(s: stage.Served, x: Exchange, e: unknown): HttpResponse {
  const err = (x.error = toServiceError(e, x.ident?.service, x.ident?.profile ?? {}, s.rt));
  // failed before identifying (a form body too large to read): answer as its headers say
  if (!x.ident) {
    x.ident = identifyQuietly(s, x.http);
    if (x.ident) x.requestId = x.ident.profile.requestId?.(x.requestId) ?? x.requestId;
  }
  const ident = x.ident;
  const protocol = ident?.protocol ?? json;
  const sctx: SerializeContext = {
    requestId: x.requestId,
    service: ident?.service ?? 'unknown',
    dialect: ident?.profile.wire,
    hostId: ident?.profile.extendedRequestId?.(x.requestId),
  };
  let response: HttpResponse;
  try {
    response = protocol.serializeError(ident?.model, x.operation, err, sctx);
  } catch (e2) {
    s.rt.log.error(`error serializing ${err.code}: ${(e2 as Error).stack}`);
    response = restXml.serializeError(undefined, x.operation, err, sctx);
  }
  if (err.headers) response.headers = { ...response.headers, ...err.headers };
  // an error while the client still sends a body: close rather than read on
  if (!x.req.complete) x.res.setHeader('connection', 'close');
  return response;
}

/**
 * A browser's preflight: answered by the rules of the service it is for when that service has its
 * own (a refusal in its protocol), else allowed. Undefined for an OPTIONS that is no preflight.
 */
function preflight(s: stage.Served, x: Exchange): { response: HttpResponse; service: string } | undefined {
  const req = x.http;
  const ident = identifyQuietly(s, req);
  if (ident) x.requestId = ident.profile.requestId?.(x.requestId) ?? x.requestId;
  const requestId = x.requestId;
  const rules = ident && s.corsRules.get(ident.service);
  if (ident && rules) {
    try {
      const headers = rules.preflight({ ...req, path: stage.pathStyle(req, ident) });
      if (headers) return { response: { status: 200, headers }, service: ident.service };
    } catch (e) {
      const err = toServiceError(e, ident.service, ident.profile, s.rt);
      const sctx = { requestId, service: ident.service, dialect: ident.profile.wire, hostId: ident.profile.extendedRequestId?.(requestId) };
      return { response: ident.protocol.serializeError(ident.model, undefined, err, sctx), service: ident.service };
    }
  }
  if (!req.headers.origin || !req.headers['access-control-request-method']) return undefined;
  return { response: allowAllPreflight(req), service: ident?.service ?? s.dir.fallback };
}

/** The Host names a resource (a virtual-hosted bucket): `/` there is that resource, not the console. */
function isVirtualHost(s: stage.Served, req: IncomingMessage): boolean {
  return s.dir.namesResource(req.headers.host);
}

function identifyQuietly(s: stage.Served, req: HttpRequest): Identified | undefined {
  try {
    return identify(req, signingNameOf(req), s.dir);
  } catch {
    return undefined;
  }
}
