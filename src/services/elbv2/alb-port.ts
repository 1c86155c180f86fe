// An ALB's HTTP listener on its own port of 127.0.0.1 (listener-ports.ts opens and closes it with the NLB's TCP
// listeners): each request is read whole and answered by the same rules, actions and targets as the
// gateway-port route (traffic.ts), the listener being the one that owns the port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse, Runtime } from '../../kit.js';
import type { LbRef } from './store.js';
import { serveListener } from './traffic.js';
import { elbPage } from './proxy.js';

function query(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(raw)) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}

async function incoming(req: IncomingMessage): Promise<HttpRequest> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    rawQuery,
    query: query(rawQuery),
    headers,
    body: Buffer.concat(chunks),
  };
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
      const http = await incoming(req);
      const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
      const answer = await serveListener(rt, ref, listenerArn, http, sourceIp).catch((e: unknown) => {
        rt.log.error(`elbv2: ${listenerArn} ${http.method} ${http.path}: ${(e as Error)?.stack ?? e}`);
        return elbPage(500);
      });
      reply(res, http.method, answer);
    })().catch(() => res.destroy());
  });
}
