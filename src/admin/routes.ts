// The admin API under /_nimbus/: health, reset, the virtual clock.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../runtime.js';
import { parseDuration } from '../state/clock.js';
import { VERSION } from '../version.js';
import { timelineView } from '../ops/timeline.js';

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function clockState(rt: Runtime) {
  const now = rt.clock.now();
  return {
    now: now.toISOString(),
    epochMs: now.getTime(),
    offsetSeconds: rt.clock.offsetMs / 1000,
    real: rt.clock.real().toISOString(),
    lastEvent: rt.timeline.last,
  };
}

/** Reads a request's body up to a limit (the gateway's reader, handed in so admin imports no gateway module). */
export type BodyReader = (req: IncomingMessage, limit: number) => Promise<Buffer>;

/** True for a path the admin API answers (`/_nimbus/…`, LocalStack's `/_localstack/…`). */
export const isAdminPath = (path: string) => path.startsWith('/_nimbus/') || path === '/_nimbus' || path.startsWith('/_localstack/');

/** The one entry point the gateway calls for an admin path. */
export async function handleAdmin(
  rt: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  readBody: BodyReader,
): Promise<void> {
  const providers = rt.providers;
  const route = `${req.method} ${path.replace(/\/+$/, '')}`;
  try {
    switch (route) {
      case 'GET /_nimbus/health':
      case 'HEAD /_nimbus/health': {
        const services: Record<string, { state: string; operations: number }> = {};
        for (const [name, p] of providers) services[name] = { state: 'running', operations: Object.keys(p).length };
        return reply(res, 200, {
          status: 'running',
          version: VERSION,
          persistence: rt.engine.persistent ? rt.config.dataDir : false,
          enforceIam: rt.config.enforceIam,
          services,
        });
      }
      case 'POST /_nimbus/reset':
        rt.reset();
        await rt.engine.flush();
        rt.log.info('state reset');
        return reply(res, 200, { reset: true });
      case 'GET /_nimbus/clock':
        return reply(res, 200, clockState(rt));
      case 'POST /_nimbus/clock': {
        const text = (await readBody(req, 64 * 1024)).toString('utf8');
        let body: { advance?: unknown };
        try {
          body = text ? (JSON.parse(text) as { advance?: unknown }) : {};
        } catch {
          return reply(res, 400, { error: 'the body must be JSON, e.g. {"advance": "8d"}' });
        }
        if (body.advance === undefined) return reply(res, 400, { error: 'missing "advance" (e.g. "90s", "15m", "2h", "8d", or seconds)' });
        const before = rt.timeline.last;
        try {
          // answers once the work the advance started (deliveries, invocations) has finished
          await rt.clock.advanceSettled(parseDuration(body.advance));
        } catch (e) {
          return reply(res, 400, { error: (e as Error).message });
        }
        await rt.engine.flush();
        rt.log.info(`clock advanced by ${String(body.advance)} to ${rt.clock.now().toISOString()}`);
        return reply(res, 200, { ...clockState(rt), fired: rt.timeline.after(before).map(timelineView) });
      }
      default: {
        const handler = rt.admin.find(route);
        if (!handler) return reply(res, 404, { error: `no admin route ${route}` });
        const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
        const body = req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, 1024 * 1024);
        const out = await handler({ method: req.method ?? 'GET', path, query, body });
        await rt.engine.flush();
        if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) {
          res.writeHead(out.status ?? 200, {
            ...out.headers,
            'content-type': out.contentType ?? 'text/plain',
            'content-length': Buffer.byteLength(out.body),
          });
          return void res.end(out.body);
        }
        return out.body === undefined ? void res.writeHead(out.status ?? 204).end() : reply(res, out.status ?? 200, out.body);
      }
    }
  } catch (e) {
    return reply(res, 400, { error: (e as Error).message });
  }
}
