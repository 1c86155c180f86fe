// The web console's static files (built from console/ into dist/console/ by scripts/build-console.mjs)
// under /_nimbus/console/, and the redirect that sends a browser opening `/` there.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, normalize, sep } from 'node:path';

export const CONSOLE_PATH = '/_nimbus/console';

/** dist/console, next to dist/src (this file is dist/src/admin/console.js once compiled). */
const ROOT = fileURLToPath(new URL('../../console/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export const isConsolePath = (path: string) => path === CONSOLE_PATH || path.startsWith(`${CONSOLE_PATH}/`);

/**
 * A browser navigating to `/` (Accept: text/html, unsigned, no query), not an API call: those
 * always sign or carry a query. `virtual` says the host names a resource (a virtual-hosted bucket).
 */
export function wantsConsole(req: IncomingMessage, path: string, rawQuery: string, virtual: boolean): boolean {
  if (path !== '/' || rawQuery !== '' || virtual) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (req.headers.authorization) return false;
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

export function redirectToConsole(res: ServerResponse): void {
  res.writeHead(302, { location: `${CONSOLE_PATH}/`, 'content-length': 0 });
  res.end();
}

/** A file of the built console: hashed chunks are cached for good, the rest revalidated. */
export async function serveConsole(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 });
    return void res.end();
  }
  if (path === CONSOLE_PATH) {
    res.writeHead(301, { location: `${CONSOLE_PATH}/`, 'content-length': 0 });
    return void res.end();
  }
  let rel = decodeURIComponent(path.slice(CONSOLE_PATH.length + 1)) || 'index.html';
  const ext = /\.[a-z]+$/.exec(rel)?.[0];
  // a page's own path (no file extension) is the app itself
  if (!ext) rel = 'index.html';
  const file = normalize(join(ROOT, rel));
  if (!file.startsWith(ROOT) || file.includes(`${sep}..${sep}`)) {
    res.writeHead(404, { 'content-length': 0 });
    return void res.end();
  }
  // a gzip the build wrote beside a script or style sheet, for a browser that accepts it
  const gzip = (ext === '.js' || ext === '.css') && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  let body: Buffer;
  let encoded = false;
  try {
    body = gzip
      ? await readFile(`${file}.gz`).then(
          (b) => ((encoded = true), b),
          () => readFile(file),
        )
      : await readFile(file);
  } catch {
    const missing = rel === 'index.html';
    const text = missing ? 'The console is not built: run `node scripts/build-console.mjs` (npm run build does).\n' : 'Not found\n';
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    return void res.end(text);
  }
  res.writeHead(200, {
    'content-type': TYPES[ext ?? '.html'] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': rel.startsWith('chunks/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(ext === '.js' || ext === '.css' ? { vary: 'accept-encoding' } : {}),
    ...(encoded ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
