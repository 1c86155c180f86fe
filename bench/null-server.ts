// The ceiling: a bare node:http server that reads each request, routes it the way an AWS gateway
// must (X-Amz-Target, Action parameter, method + path) and answers a fixed response. Stores nothing.
// Usage: node null-server.js --port N, with the routes as JSON in the file NULL_ROUTES_FILE (see workloads.ts).
import fs from 'node:fs';
import http from 'node:http';
import type { NullRoute } from './workloads.js';

const routes: NullRoute[] = JSON.parse(process.env.NULL_ROUTES_FILE ? fs.readFileSync(process.env.NULL_ROUTES_FILE, 'utf8') : '[]');
const port = Number(process.argv[process.argv.indexOf('--port') + 1]);

function route(req: http.IncomingMessage, body: string): NullRoute | undefined {
  const url = new URL(req.url ?? '/', 'http://x');
  const target = req.headers['x-amz-target'];
  let action = url.searchParams.get('Action');
  if (!action && String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    action = new URLSearchParams(body).get('Action');
  }
  return routes.find(({ match: m }) =>
    (m.target === undefined || m.target === target) &&
    (m.action === undefined || m.action === action) &&
    (m.method === undefined || m.method === req.method) &&
    (m.pathPrefix === undefined || url.pathname.startsWith(m.pathPrefix)));
}

http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const r = route(req, Buffer.concat(chunks).toString());
    if (r) {
      const body = r.bodyBase64 ? Buffer.from(r.bodyBase64, 'base64') : Buffer.from(r.body);
      res.writeHead(r.status, { ...r.headers, 'content-length': body.length });
      res.end(body);
    } else if (req.method === 'GET' && req.url === '/') {
      res.end('null server'); // health probe
    } else {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`null server: no route for ${req.method} ${req.url}`);
    }
  });
}).listen(port, '127.0.0.1');
