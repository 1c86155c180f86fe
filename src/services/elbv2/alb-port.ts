// An ALB's HTTP listener on its own port of 127.0.0.1 (listener-ports.ts opens and closes it with the NLB's TCP
// listeners): each request is read whole and answered by the same rules, actions and targets as the
// gateway-port route (traffic.ts), the listener being the one that owns the port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { flatHeaders, parseQuery, readBody, splitUrl, type HttpRequest, type HttpResponse, type Runtime } from '../../kit.js';
import type { LbRef } from './store.js';
import { serveListener } from './traffic.js';
import { elbPage } from './proxy.js';

/** The request whole, read as the gateway reads one (bounded in size and idle time). */
async function incoming(req: IncomingMessage): Promise<HttpRequest> {
  const { path, rawQuery } = splitUrl(req.url ?? '/');
  const body = await readBody(req);
  return { method: req.method ?? 'GET', path, rawQuery, query: parseQuery(rawQuery), headers: flatHeaders(req), body };
}

function reply(res: ServerResponse, method: string, r: HttpResponse): void {
  if (r.body instanceof Readable) {
    res.writeHead(r.status, r.headers);
    r.body.on('error', () => res.destroy());
    if (method === 'HEAD') {
      r.body.destroy();
      res.end();
    } else r.body.pipe(res);
    return;
  }
  const buf = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body);
  res.writeHead(r.status, { ...r.headers, 'content-length': String(buf.length) });
  res.end(method === 'HEAD' ? undefined : buf);
}

/** An HTTP server answering as the listener `listenerArn` of the ALB `ref`. */
export function albPortServer(rt: Runtime, ref: LbRef, listenerArn: string): Server {
  return createServer((req, res) => {
    req.on('error', () => res.destroy());
    void (async () => {
      const http = await incoming(req).catch((e: { status?: number }) => e);
      // a body too large, cut short or stalled: ELB's own error page
      if (!('method' in http)) return reply(res, req.method ?? 'GET', elbPage(http.status ?? 400));
      const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
      const answer = await serveListener(rt, ref, listenerArn, http, sourceIp).catch((e: unknown) => {
        rt.log.error(`elbv2: ${listenerArn} ${http.method} ${http.path}: ${(e as Error)?.stack ?? e}`);
        return elbPage(500);
      });
      reply(res, http.method, answer);
    })().catch(() => res.destroy());
  });
}
