// Forwarding one request to an HTTP target, and the answers the load balancer gives itself (ELB's
// HTML error pages: 502 when the target refuses or answers badly, 503 with no target, 504 when the
// target does not answer within the idle timeout).
import { request } from 'node:http';
import type { HttpResponse } from '../../kit.js';

const TITLES: Record<number, string> = {
  301: '301 Moved Permanently',
  302: '302 Found',
  400: '400 Bad Request',
  403: '403 Forbidden',
  404: '404 Not Found',
  500: '500 Internal Server Error',
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

/** An answer of the load balancer itself, in ELB's HTML shape. */
export function elbPage(status: number): HttpResponse {
  const title = TITLES[status] ?? String(status);
  const body = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  return { status, headers: { server: 'awselb/2.0', 'content-type': 'text/html', date: new Date().toUTCString() }, body };
}

// hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded either way
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'proxy-authorization',
  'proxy-authenticate',
]);

export function withoutHop<T>(headers: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(headers)) if (!HOP.has(k.toLowerCase()) && v !== undefined) out[k] = v;
  return out;
}

export interface Forward {
  host: string;
  port: number;
  method: string;
  /** path and query as sent */
  target: string;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
}

/** Sends the request to the target; its answer streams back. Failures become ELB's own pages. */
export function forward(f: Forward): Promise<HttpResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      {
        host: f.host,
        port: f.port,
        method: f.method,
        path: f.target,
        headers: { ...withoutHop(f.headers), 'content-length': String(f.body.length) },
        agent: false,
      },
      (res) => {
        const headers: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(withoutHop(res.headers))) if (v !== undefined) headers[k] = v;
        res.on('error', () => undefined);
        done({ status: res.statusCode ?? 502, headers, body: res });
      },
    );
    const timer = setTimeout(() => {
      done(elbPage(504));
      req.destroy();
    }, f.timeoutMs);
    req.on('error', () => done(elbPage(502)));
    req.end(f.body);
  });
}
